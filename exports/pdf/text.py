"""User text on its way into a PDF: made drawable, laid out in any script, and cut
into paragraphs small enough that ReportLab's cost stays linear in the text.

Why the cutting: ReportLab lays a paragraph out whole (its word loop pops from the
front of a list) and re-lays what is left every time the paragraph breaks across a
page, so one paragraph of n characters costs about n² — 1 MB of notes took over
twenty minutes. ``text_flowables`` hands it at most ``CHUNK_CHARS`` characters and
``CHUNK_LINES`` lines at a time: a paragraph of normal size is one Paragraph exactly
as before; a longer one becomes several with no space between them, a line longer
than a chunk is cut at a space (a single huge word is cut where it must). Even linear,
ReportLab draws about thirty dense pages a second, so one field prints at most
``models.limits.PRINT_TEXT_MAX`` characters and ``PRINT_LINES_MAX`` lines, followed by
a sentence saying how much was left out; the book keeps the whole text.

Why the right-to-left class: a PDF has no text direction, so Hebrew and Arabic must
be put in visual order before drawing; but the order of the *lines* must stay
logical. ``RightToLeft`` wraps the text in the order it was typed (Arabic already
shaped, which changes no order) and reorders each line only when it is drawn, so the
first words of a paragraph stay on its first line; a paragraph that starts
right-to-left is right-aligned.

ReportLab is imported inside the functions that need it, never at module level.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any
from xml.sax.saxutils import escape

from models.limits import (
    PRINT_CELL_LINES,
    PRINT_CELL_MAX,
    PRINT_DOCUMENT_MAX,
    PRINT_DOCUMENT_ROWS,
    PRINT_LINE_COST,
    PRINT_LINES_MAX,
    PRINT_ROWS_MAX,
    PRINT_TEXT_MAX,
    PRINT_UNBROKEN_MAX,
)

if TYPE_CHECKING:  # pragma: no cover - typing only
    from reportlab.lib.styles import ParagraphStyle

REPLACEMENT = "\ufffd"  # drawn by DejaVu Sans as a visible "?" in a diamond
CHUNK_CHARS = 3000  # at most this much text in one Paragraph: under a page
CHUNK_LINES = 40  # and at most this many lines (a page holds about 50)
BREAK_WINDOW = 600  # a long line is cut in its chunk's final stretch, after a sentence

RTL_CLASSES = frozenset({"R", "AL"})
ONE_LINE_CHARS = 300  # a footer or a metadata field: longer is never read
LEFT_OUT = (
    "The rest of this text ({count} more characters) is too long to print here; "
    "it is kept in full in the book."
)
ROWS_LEFT_OUT = (
    "{count} {what} not printed here, to keep this document to a size that prints; "
    "the book keeps every one{where}."
)


def _direction(line: str) -> str | None:
    """'R' or 'L' by the first strong character (the Unicode rule), None when none."""
    for ch in line:
        cls = unicodedata.bidirectional(ch)
        if cls in RTL_CLASSES:
            return "R"
        if cls == "L":
            return "L"
    return None


def has_right_to_left(text: str) -> bool:
    # Every right-to-left letter lies at U+0590 or above: most text is ruled out at C
    # speed before any character is looked up.
    if not text or max(text) < "\u0590":
        return False
    return any(unicodedata.bidirectional(ch) in RTL_CLASSES for ch in text)


def _shape(line: str) -> str:
    """Arabic letters in their joined forms (DejaVu has the presentation forms);
    arabic-reshaper changes letters, never their order."""
    if not any(unicodedata.bidirectional(ch) == "AL" for ch in line):
        return line
    import arabic_reshaper

    shaped: str = arabic_reshaper.reshape(line)
    return shaped


def _reorder(line: str, base: str | None = None) -> str:
    """One already shaped line in the order a PDF draws it, left to right.

    python-bidi applies the Unicode bidi algorithm; ``base`` is the paragraph's
    direction, so a wrapped line that happens to start with a Latin word still reads
    as part of a right-to-left paragraph.
    """
    if not has_right_to_left(line):
        return line
    from bidi import get_display

    shown: str = get_display(line, base_dir=base) if base else get_display(line)
    return shown


def visual_order(line: str) -> str:
    """One line of text in the order a PDF draws it, left to right: shaped and
    reordered (for a line that is never wrapped: names, footers, table cells)."""
    if not has_right_to_left(line):
        return line
    return _reorder(_shape(line))


def logical_text(value: str, coverage: frozenset[int]) -> str:
    """``value`` as the font can draw it, still in the order it was typed: newlines
    normalised, tabs as spaces, combining marks joined where Unicode has the composed
    letter (NFC), Arabic shaped, controls dropped, and every character the font lacks
    replaced with U+FFFD."""
    text = unicodedata.normalize(
        "NFC", value.replace("\r\n", "\n").replace("\r", "\n").replace("\t", "    ")
    )
    if has_right_to_left(text):
        text = "\n".join(_shape(line) for line in text.split("\n"))
    out = []
    for ch in text:
        code = ord(ch)
        if ch == "\n":
            out.append(ch)
        elif code < 0x20 or 0x7F <= code < 0xA0:
            continue
        elif code in coverage:
            out.append(ch)
        else:
            out.append(REPLACEMENT)
    return "".join(out)


def drawable(value: str, coverage: frozenset[int]) -> str:
    """``value`` drawable and each line in visual order (text that is never wrapped)."""
    text = logical_text(value, coverage)
    if not has_right_to_left(text):
        return text
    return "\n".join(_reorder(line) for line in text.split("\n"))


def escape_text(value: str, coverage: frozenset[int]) -> str:
    """Short user text made safe for a Paragraph: drawable, escaped, newlines kept.
    Anything that may be long goes through ``text_flowables`` instead."""
    return escape(drawable(value, coverage)).replace("\n", "<br/>")


def one_line(value: str, coverage: frozenset[int]) -> str:
    """User text for a footer or the file's metadata, where a line break has no place.
    Cut to ``ONE_LINE_CHARS`` first: a title of megabytes would otherwise be shaped
    and stored whole in the file's metadata."""
    if len(value) > ONE_LINE_CHARS:
        value = value[:ONE_LINE_CHARS] + "\u2026"
    return drawable(value, coverage).replace("\n", " ")


# --- cutting into bounded paragraphs -------------------------------------------------


def _pieces(line: str) -> list[str]:
    """A line cut into pieces of at most ``CHUNK_CHARS``: after a sentence where one
    ends near the end of a piece (the cut then reads as a paragraph's last line), else
    at a space, else exactly there (one huge word)."""
    out: list[str] = []
    start, n = 0, len(line)
    while n - start > CHUNK_CHARS:
        stop = start + CHUNK_CHARS
        space = line.rfind(". ", stop - BREAK_WINDOW, stop)
        if space > start:
            space += 1
        else:
            space = line.rfind(" ", stop - BREAK_WINDOW, stop)
        if space > start:
            out.append(line[start:space])
            start = space + 1
        else:
            out.append(line[start:stop])
            start = stop
    out.append(line[start:])
    return out


def chunks(text: str) -> list[tuple[str, str | None]]:
    """``text`` (logical order, one paragraph) as bounded runs of lines, each with its
    direction: None for a run with no right-to-left text (lines joined by newlines),
    'R' or 'L' for a single line that holds some (it is wrapped by ``RightToLeft``)."""
    out: list[tuple[str, str | None]] = []
    run: list[str] = []
    size = 0

    def flush() -> None:
        nonlocal size
        if run:
            out.append(("\n".join(run), None))
            run.clear()
            size = 0

    for line in text.split("\n"):
        if has_right_to_left(line):
            flush()
            base = _direction(line) or "R"
            out.extend((piece, base) for piece in _pieces(line))
        elif len(line) > CHUNK_CHARS:
            flush()
            out.extend((piece, None) for piece in _pieces(line))
        else:
            if run and (size + len(line) > CHUNK_CHARS or len(run) >= CHUNK_LINES):
                flush()
            run.append(line)
            size += len(line) + 1
    flush()
    return out


_style_cache: dict[tuple[int, bool, bool, bool], Any] = {}


def _variant(style: ParagraphStyle, *, first: bool, last: bool, right: bool) -> ParagraphStyle:
    """``style`` for one chunk of a longer paragraph: the space before only on the
    first chunk, the space after only on the last, right-aligned for right-to-left."""
    if first and last and not right:
        return style
    key = (id(style), first, last, right)
    cached = _style_cache.get(key)
    if cached is not None and cached.parent is style:
        return cached  # type: ignore[no-any-return]
    from reportlab.lib.enums import TA_RIGHT
    from reportlab.lib.styles import ParagraphStyle

    extra: dict[str, Any] = {}
    if not first:
        extra["spaceBefore"] = 0
    if not last:
        extra["spaceAfter"] = 0
    if right:
        extra["alignment"] = TA_RIGHT
    name = f"{style.name}-{int(first)}{int(last)}{int(right)}"
    made = ParagraphStyle(name, parent=style, **extra)
    _style_cache[key] = made
    return made


_rtl_class: type | None = None


def right_to_left_class() -> type:
    """The Paragraph that wraps in logical order and reorders each line as it draws.

    It relies on ReportLab's simple layout (one run of text in one font: ``_paragraph``
    hands it a single plain fragment): ``blPara.lines`` is then a list of (spare
    width, words). The lines stay logical so that a split across pages
    carries on with the right words; only drawing sees them reordered.
    """
    global _rtl_class
    if _rtl_class is not None:
        return _rtl_class
    from reportlab.platypus import Paragraph

    class RightToLeft(Paragraph):
        base_direction = "R"

        def split(self, availWidth: float, availHeight: float) -> list[Any]:  # noqa: N803
            parts: list[Any] = super().split(availWidth, availHeight)
            for part in parts:  # the part on the next page keeps the paragraph's direction
                if isinstance(part, RightToLeft):
                    part.base_direction = self.base_direction
            return parts

        def drawPara(self, debug: int = 0) -> Any:  # noqa: N802 - ReportLab's name
            laid = self.blPara
            if getattr(laid, "kind", None) != 0:
                return super().drawPara(debug)
            base = self.base_direction
            shown = [(spare, [_reorder(" ".join(words), base)]) for spare, words in laid.lines]
            self.blPara = laid.clone(lines=shown)
            try:
                return super().drawPara(debug)
            finally:
                self.blPara = laid

    _rtl_class = RightToLeft
    return RightToLeft


def _paragraph(text: str, style: ParagraphStyle, bullet: str | None, base: str | None) -> Any:
    """A Paragraph of ``text``: markup (escaped user text) when ``base`` is None; else
    one plain line of right-to-left text, which never meets the markup parser at all
    (so an "&" cannot cut it into pieces ReportLab's simple layout cannot take)."""
    from reportlab.platypus import Paragraph

    if base is None:
        return Paragraph(text, style, bulletText=bullet)
    para = right_to_left_class()("x", style, bulletText=bullet)
    (frag,) = para.frags
    frag.text = text
    para.base_direction = base
    return para


def paragraphs(text: str) -> list[str]:
    """Blank lines separate paragraphs; single newlines stay line breaks."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").strip()
    parts = [p.strip("\n") for p in text.split("\n\n")]
    return [p for p in parts if p.strip()]


# What is left of the whole document's allowances (characters, and entries of its
# lists) while its story is being built (``document_budget``); None outside one,
# where only the per-field and per-list limits apply.
_budget: ContextVar[list[int] | None] = ContextVar("print_budget", default=None)
_rows: ContextVar[list[int] | None] = ContextVar("print_rows", default=None)


@contextmanager
def document_budget(
    total: int = PRINT_DOCUMENT_MAX, rows: int = PRINT_DOCUMENT_ROWS
) -> Iterator[None]:
    """Share one allowance among every field of a document: many fields each under
    their own limit (eight sections of a megabyte) still end in seconds. A line
    counts as ``PRINT_LINE_COST`` characters, since a page of short lines costs as
    much to draw as a page of prose. Lists share ``rows`` entries the same way."""
    token = _budget.set([total])
    rows_token = _rows.set([rows])
    try:
        yield
    finally:
        _rows.reset(rows_token)
        _budget.reset(token)


def rows_allowed(count: int, *, most: int = PRINT_ROWS_MAX, cost: int = 1) -> int:
    """How many of a list's ``count`` entries print: at most ``most``, and only what is
    left of the document's allowance of entries, each costing ``cost`` (an incident
    in a summary costs more than a row: it prints a table of its own facts)."""
    shown = min(count, most)
    budget = _rows.get()
    if budget is not None:
        shown = min(shown, max(0, budget[0]) // cost)
        budget[0] -= shown * cost
    return shown


def rows_left_out(
    count: int, one: str, many: str, style: ParagraphStyle, *, where: str = ""
) -> Any:
    """The sentence under a list that printed only some of its entries: "12 older
    touches are not printed here, …" (``one``/``many`` name them with their verb)."""
    from reportlab.lib.styles import ParagraphStyle

    text = ROWS_LEFT_OUT.format(
        count=f"{count:,}", what=one if count == 1 else many, where=where
    )
    below = ParagraphStyle(f"{style.name}_below", parent=style, spaceBefore=4)
    return _paragraph(escape(text), below, None, None)


def bounded(
    value: str, most: int = PRINT_TEXT_MAX, lines: int = PRINT_LINES_MAX
) -> tuple[str, int]:
    """``value`` cut to what one field may print (and what is left of the document's
    allowance), and how many characters were cut."""
    text = value.replace("\r\n", "\n").replace("\r", "\n")
    budget = _budget.get()
    if budget is not None:
        most = min(most, max(0, budget[0]))
        lines = min(lines, max(0, budget[0]) // PRINT_LINE_COST + 1)
    end = min(len(text), most)
    at = -1
    for _ in range(lines):
        at = text.find("\n", at + 1, end)
        if at < 0:
            break
    else:
        end = max(at, 0)
    if end > PRINT_UNBROKEN_MAX and text.count(" ", 0, end) * 200 < end:
        end = PRINT_UNBROKEN_MAX  # a blob with no spaces: ReportLab measures it per letter
    if budget is not None:
        budget[0] -= end + PRINT_LINE_COST * text.count("\n", 0, end)
    return text[:end], len(text) - end


def _left_out(count: int, style: ParagraphStyle) -> Any:
    return _paragraph(escape(LEFT_OUT.format(count=f"{count:,}")), style, None, None)


def _chunk_flowables(
    text: str, style: ParagraphStyle, coverage: frozenset[int], bullet: str | None, last: bool
) -> list[Any]:
    parts = chunks(logical_text(text, coverage))
    out: list[Any] = []
    for i, (part, base) in enumerate(parts):
        st = _variant(style, first=i == 0, last=last and i == len(parts) - 1, right=base == "R")
        text = escape(part).replace("\n", "<br/>") if base is None else part
        out.append(_paragraph(text, st, bullet if i == 0 else None, base))
    return out


def text_flowables(
    value: str,
    style: ParagraphStyle,
    coverage: frozenset[int],
    *,
    bullet: str | None = None,
    note_style: ParagraphStyle | None = None,
    most: int = PRINT_TEXT_MAX,
    lines: int = PRINT_LINES_MAX,
) -> list[Any]:
    """User text (one paragraph; newlines are line breaks) as Paragraphs whose layout
    cost is linear in its length.

    Text of normal size is one Paragraph, as it always was. ``bullet`` marks only the
    first. Past ``most`` characters or ``lines`` lines the rest is left out and a
    sentence in ``note_style`` (default: ``style``) says so.
    """
    text, cut = bounded(value, most, lines)
    out = _chunk_flowables(text, style, coverage, bullet, last=not cut)
    if cut:
        out.append(_left_out(cut, note_style or style))
    return out


def prose(
    value: str,
    style: ParagraphStyle,
    coverage: frozenset[int],
    *,
    note_style: ParagraphStyle | None = None,
) -> list[Any]:
    """User prose (blank lines separate paragraphs) as bounded Paragraphs; the field is
    cut as a whole, so a hundred thousand one-line paragraphs cost no more than one."""
    text, cut = bounded(value)
    out: list[Any] = []
    for para in paragraphs(text):
        out += _chunk_flowables(para, style, coverage, None, last=True)
    if cut:
        out.append(_left_out(cut, note_style or style))
    return out


def cell(value: str, style: ParagraphStyle, coverage: frozenset[int]) -> Any:
    """User text for a table cell: one Paragraph when it is short (the usual case),
    else a list of them, which a table row split across pages divides between pages.
    A row is laid out again at every page it crosses, so a cell prints less than a
    field of prose (``PRINT_CELL_MAX``)."""
    parts = text_flowables(value, style, coverage, most=PRINT_CELL_MAX, lines=PRINT_CELL_LINES)
    return parts[0] if len(parts) == 1 else parts
