"""What every Rapport PDF shares: the bundled fonts, the escaping of user text, the
styles, the title block with its logo, the party blocks, headings, paragraphs, and
the canvas that stamps "Page x of y" in every footer.

The agreement (exports/pdf/agreement.py), the client summary
(exports/pdf/summary.py) and the repair records (exports/pdf/record.py) are built
from these pieces, so a consultant's documents look like one set and a fix to the
escaping reaches all of them at once.

ReportLab is imported inside the functions that need it, never at module level:
the GUI imports the renderers at start-up, and start-up stays fast.

Every string the user typed is made drawable before it reaches a Paragraph
(exports/pdf/text.py): characters the bundled font cannot draw (emoji, CJK) become
U+FFFD, a visible diamond that copies and pastes cleanly, instead of crashing or
vanishing; control characters are dropped; the XML markup characters are escaped (a
client called ``<b>Smith & Co</b>`` prints exactly that); newlines become line
breaks. Short fixed-size strings use ``escape_text``; anything that may be long goes
through ``text_flowables`` (or ``cell`` in a table), which hands ReportLab bounded
paragraphs so a megabyte of notes prints in seconds, and lays right-to-left lines
out after wrapping. Long words are broken by ReportLab itself (``splitLongWords``),
and table rows taller than a page split across pages (``splitInRow``).
"""

from __future__ import annotations

import functools
import logging
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from io import BytesIO
from pathlib import Path
from typing import TYPE_CHECKING, Any

from exports.pdf.text import (
    REPLACEMENT,
    cell,
    document_budget,
    drawable,
    escape_text,
    one_line,
    paragraphs,
    prose,
    rows_allowed,
    rows_left_out,
    text_flowables,
    visual_order,
)
from models.dates import format_date
from models.documents import PageSize, Party
from models.images import image_size, too_large

__all__ = [  # the text helpers, re-exported: the renderers import them from here
    "REPLACEMENT",
    "cell",
    "document_budget",
    "drawable",
    "escape_text",
    "one_line",
    "paragraphs",
    "rows_allowed",
    "rows_left_out",
    "prose",
    "text_flowables",
    "visual_order",
]

if TYPE_CHECKING:  # pragma: no cover - typing only; reportlab is imported lazily
    from reportlab.lib.styles import ParagraphStyle

FONT_DIR = Path(__file__).resolve().parents[2] / "resources" / "fonts"
FAMILY = "RapportSans"
FONT_FILES = {
    FAMILY: "DejaVuSans.ttf",
    f"{FAMILY}-Bold": "DejaVuSans-Bold.ttf",
    f"{FAMILY}-Oblique": "DejaVuSans-Oblique.ttf",
    f"{FAMILY}-BoldOblique": "DejaVuSans-BoldOblique.ttf",
}
UPRIGHT = (FAMILY, f"{FAMILY}-Bold")  # first in FONT_FILES: the faces documents use
HEADING_ROOM = 56.0  # a heading and a line or two of text, else a new page
TABLE_HEADING_ROOM = 90.0  # a heading, the table header and one row
FRAME_PADDING = 6.0  # platypus Frame default, each side
LOGO_MAX = (120.0, 48.0)  # width, height in points
LOGO_COLUMN = 130.0
PARTY_GAP = 16.0
FOOTER_CHARS = 200

# Colours as hex strings so the module needs no ReportLab at import time.
INK = "#1f2328"
MUTED = "#5b636e"
RULE = "#c9ced6"
HEADER_FILL = "#eef1f5"
ZEBRA_FILL = "#f8f9fb"
ACCENT = "#1d4e89"
DRAFT_RED = "#b42318"

log = logging.getLogger(__name__)
_font_lock = threading.Lock()
_coverage: frozenset[int] | None = None


def plain_date(d: date) -> str:
    """``22 November 2026`` in the consultant's date style (models.dates), the same
    as the app's; its spaces do not break, so a date never wraps in a table."""
    return format_date(d)


def register_fonts() -> frozenset[int]:
    """Register the bundled DejaVu Sans family once per process.

    Returns the code points all four faces can draw, which ``escape_text`` uses to
    swap anything else for U+FFFD.
    """
    global _coverage
    with _font_lock:
        if _coverage is not None:
            return _coverage
        from reportlab.lib.fonts import addMapping
        from reportlab.pdfbase import pdfmetrics
        from reportlab.pdfbase.ttfonts import TTFont

        faces = []
        for name, filename in FONT_FILES.items():
            font = TTFont(name, str(FONT_DIR / filename))
            pdfmetrics.registerFont(font)
            faces.append(set(font.face.charToGlyph))
        pdfmetrics.registerFontFamily(
            FAMILY,
            normal=FAMILY,
            bold=f"{FAMILY}-Bold",
            italic=f"{FAMILY}-Oblique",
            boldItalic=f"{FAMILY}-BoldOblique",
        )
        # registerFontFamily maps by family name; map the face names as well so
        # <b>/<i> inside a paragraph whose style names a face also resolve.
        for name in FONT_FILES:
            addMapping(name, 0, 0, FAMILY)
            addMapping(name, 1, 0, f"{FAMILY}-Bold")
            addMapping(name, 0, 1, f"{FAMILY}-Oblique")
            addMapping(name, 1, 1, f"{FAMILY}-BoldOblique")
        # Only the Basic Multilingual Plane: DejaVu draws a few emoji (U+1F600), but
        # ReportLab writes their ToUnicode entries as invalid 5-digit hex, which
        # breaks copy and paste, so astral characters are replaced like CJK is.
        # The documents use the upright faces only (user text is escaped, so no <i>);
        # DejaVu's oblique faces lack Arabic, and counting them turned Arabic into U+FFFD.
        upright = faces[: len(UPRIGHT)]
        _coverage = frozenset(c for c in set.intersection(*upright) if c <= 0xFFFF)
        return _coverage


@dataclass(frozen=True)
class Styles:
    title: ParagraphStyle
    meta: ParagraphStyle
    mark: ParagraphStyle
    label: ParagraphStyle
    party_name: ParagraphStyle
    party_line: ParagraphStyle
    heading: ParagraphStyle
    body: ParagraphStyle
    bullet: ParagraphStyle
    cell: ParagraphStyle
    cell_head: ParagraphStyle
    cell_head_num: ParagraphStyle
    cell_num: ParagraphStyle
    small: ParagraphStyle
    subtitle: ParagraphStyle
    item: ParagraphStyle


def make_styles() -> Styles:
    from reportlab.lib import colors
    from reportlab.lib.enums import TA_RIGHT
    from reportlab.lib.styles import ParagraphStyle

    ink = colors.HexColor(INK)
    muted = colors.HexColor(MUTED)
    base = ParagraphStyle(
        "RapportBase",
        fontName=FAMILY,
        fontSize=10,
        leading=14,
        textColor=ink,
        splitLongWords=1,
    )

    def style(name: str, **kw: Any) -> ParagraphStyle:
        return ParagraphStyle(name, parent=base, **kw)

    return Styles(
        title=style("AgreementTitle", fontName=f"{FAMILY}-Bold", fontSize=18, leading=23),
        meta=style("AgreementMeta", fontSize=9.5, leading=13, textColor=muted),
        mark=style(
            "AgreementMark",
            fontName=f"{FAMILY}-Bold",
            fontSize=10,
            leading=13,
            textColor=colors.HexColor(DRAFT_RED),
            spaceBefore=2,
        ),
        label=style(
            "PartyLabel", fontName=f"{FAMILY}-Bold", fontSize=8, leading=11, textColor=muted
        ),
        party_name=style("PartyName", fontName=f"{FAMILY}-Bold", fontSize=11, leading=15),
        party_line=style("PartyLine", fontSize=9.5, leading=13),
        heading=style(
            "SectionHeading",
            fontName=f"{FAMILY}-Bold",
            fontSize=12.5,
            leading=16,
            textColor=colors.HexColor(ACCENT),
            spaceBefore=14,
            spaceAfter=5,
        ),
        body=style("Body", spaceAfter=4),
        bullet=style("Bullet", leftIndent=14, bulletIndent=3, spaceAfter=3),
        cell=style("Cell", fontSize=9.5, leading=12.5),
        cell_head=style(
            "CellHead", fontName=f"{FAMILY}-Bold", fontSize=9, leading=12, textColor=muted
        ),
        cell_head_num=style(
            "CellHeadNumber",
            fontName=f"{FAMILY}-Bold",
            fontSize=9,
            leading=12,
            textColor=muted,
            alignment=TA_RIGHT,
        ),
        cell_num=style("CellNumber", fontSize=9.5, leading=12.5, alignment=TA_RIGHT),
        small=style("Small", fontSize=8.5, leading=11, textColor=muted),
        subtitle=style(
            "Subtitle", fontName=f"{FAMILY}-Bold", fontSize=12, leading=16, spaceBefore=2
        ),
        # ``bullet`` draws its dot in ReportLab's default Helvetica, which is not
        # embedded; ``item`` draws it in the bundled font, so the file needs no other.
        item=style("Item", leftIndent=14, bulletIndent=3, spaceAfter=3, bulletFontName=FAMILY),
    )


def page_dimensions(page_size: PageSize) -> tuple[float, float]:
    from reportlab.lib.pagesizes import A4, LETTER

    return LETTER if PageSize(page_size) is PageSize.LETTER else A4


PRINT_DPI = 300  # a logo is kept at most this sharp: more pixels print no better


@functools.lru_cache(maxsize=4)
def _print_ready(data: bytes, max_w: float, max_h: float) -> tuple[bytes, int, int] | None:
    """The logo decoded once, shrunk to what it prints at, as PNG bytes and its size.

    Cached: a book's logo is the same bytes on every document, so it is decoded and
    shrunk once per process, not once per PDF. None when the pixels cannot be read.
    """
    from PIL import Image

    try:
        with Image.open(BytesIO(data)) as image:
            image.load()  # decodes the pixels: a truncated file fails here, not at build
            w, h = image.size
            most = (max_w * PRINT_DPI / 72, max_h * PRINT_DPI / 72)
            if w > most[0] or h > most[1]:
                shrunk = image.copy()
                shrunk.thumbnail((max(1, int(most[0])), max(1, int(most[1]))))
                out = BytesIO()
                shrunk.save(out, format="PNG")
                return out.getvalue(), w, h
            return data, w, h
    except Exception:  # noqa: BLE001 - any broken image is skipped, never fatal
        return None


def logo_image(data: bytes | None, max_w: float, max_h: float) -> Any:
    """The logo as a small Image flowable, or None when absent, unreadable or too
    large to decode (its size is read from the header first: models/images.py)."""
    if not data:
        return None
    from reportlab.platypus import Image

    size = image_size(data)
    if size is None or min(size) <= 0:
        return None
    if too_large(size):
        log.warning(
            "The logo (%d x %d pixels) is too large to print; it was left out. "
            "Choose a smaller one in Settings, Your details.",
            *size,
        )
        return None
    ready = _print_ready(data, max_w, max_h)
    if ready is None:
        return None
    png, w, h = ready
    scale = min(max_w / w, max_h / h)
    return Image(BytesIO(png), width=w * scale, height=h * scale)


def title_head(title_block: list[Any], logo_png: bytes | None, width: float) -> list[Any]:
    """The title block, with the consultant's logo at its right when there is one."""
    from reportlab.platypus import Table, TableStyle

    logo = logo_image(logo_png, *LOGO_MAX)
    if logo is None:
        return list(title_block)
    logo.hAlign = "RIGHT"
    head = Table(
        [[title_block, logo]],
        colWidths=[width - LOGO_COLUMN, LOGO_COLUMN],
        style=TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("ALIGN", (1, 0), (1, 0), "RIGHT"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
            ]
        ),
    )
    return [head]


def party_cell(label: str, party: Party, st: Styles, cov: frozenset[int]) -> list[Any]:
    from reportlab.platypus import Paragraph

    cell: list[Any] = [Paragraph(escape_text(label.upper(), cov), st.label)]
    cell += text_flowables(party.name, st.party_name, cov)
    role_org = ", ".join(v.strip() for v in (party.role, party.organisation) if v.strip())
    for line in (role_org, party.address.strip(), party.email.strip(), party.phone.strip()):
        if line:
            cell += text_flowables(line, st.party_line, cov)
    return cell


def party_row(
    cells: Sequence[list[Any]], width: float, *, columns: int = 0, gap: float = PARTY_GAP
) -> Any:
    """Party blocks side by side, each under an accent rule, ``columns`` to a row
    (all of them by default): three blocks fit a page only as two and one, else an
    email address breaks in the middle."""
    from reportlab.lib import colors
    from reportlab.platypus import Table, TableStyle

    per_row = columns or len(cells)
    col = (width - gap * (per_row - 1)) / per_row
    widths = [col if i % 2 == 0 else gap for i in range(2 * per_row - 1)]
    rows: list[list[Any]] = []
    commands: list[tuple[Any, ...]] = [("VALIGN", (0, 0), (-1, -1), "TOP")]
    lines: list[tuple[Any, ...]] = []
    for start in range(0, len(cells), per_row):
        r = len(rows)
        row: list[Any] = []
        for i in range(per_row):
            if i:
                row.append("")
            if start + i < len(cells):
                row.append(cells[start + i])
                lines.append(("LINEABOVE", (2 * i, r), (2 * i, r), 1.2, colors.HexColor(ACCENT)))
            else:
                row.append("")
        rows.append(row)
    commands += lines
    commands += [
        ("LEFTPADDING", (0, 0), (-1, -1), 0),
        ("RIGHTPADDING", (0, 0), (-1, -1), 0),
        ("TOPPADDING", (0, 0), (-1, -1), 6),
    ]
    if len(rows) > 1:
        commands.append(("BOTTOMPADDING", (0, 0), (-1, -2), 14))
    return Table(rows, colWidths=widths, splitInRow=1, style=TableStyle(commands))


def heading(markup: str, st: Styles, room: float = HEADING_ROOM) -> list[Any]:
    """A section heading that never sits alone at the foot of a page.

    ``markup`` goes into a Paragraph as it is: pass fixed words, or user text through
    ``escape_text``. A CondPageBreak rather than keepWithNext: keepWithNext wraps the
    heading and a long table in a KeepTogether, which pushes the whole table to the
    next page.
    """
    from reportlab.platypus import CondPageBreak, Paragraph

    return [CondPageBreak(room), Paragraph(markup, st.heading)]


def numbered_canvas(
    footer: str, mark: str | None, page: tuple[float, float], margin: float, inset: float
) -> Callable[..., Any]:
    """A canvas that holds every page until the end, then stamps "Page x of y"."""
    from reportlab.lib import colors
    from reportlab.pdfbase.pdfmetrics import stringWidth
    from reportlab.pdfgen.canvas import Canvas

    muted = colors.HexColor(MUTED)
    page_w, _page_h = page
    font_size = 8.0

    class NumberedCanvas(Canvas):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._pages: list[dict[str, Any]] = []

        def showPage(self) -> None:  # noqa: N802 - ReportLab's name
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            total = len(self._pages)
            for state in self._pages:
                self.__dict__.update(state)
                self._footer(total)
                super().showPage()
            super().save()

        def _footer(self, total: int) -> None:
            y = margin * 0.55
            x0, x1 = margin + inset, page_w - margin - inset
            right = f"Page {self._pageNumber} of {total}"
            right_w = stringWidth(right, FAMILY, font_size)
            # A footer line holds well under 200 characters; starting there keeps the
            # shortening loop short however long the title is.
            left = footer if len(footer) <= FOOTER_CHARS else footer[:FOOTER_CHARS] + "\u2026"
            room = x1 - x0 - right_w - 24
            while left and stringWidth(left, FAMILY, font_size) > room:
                left = left[:-2] + "\u2026" if len(left) > 1 else ""
            self.saveState()
            self.setStrokeColor(colors.HexColor(RULE))
            self.setLineWidth(0.5)
            self.line(x0, y + 11, x1, y + 11)
            self.setFont(FAMILY, font_size)
            self.setFillColor(muted)
            self.drawString(x0, y, left)
            self.drawRightString(x1, y, right)
            if mark:
                self.setFillColor(colors.HexColor(DRAFT_RED))
                self.drawCentredString(page_w / 2, y, mark)
            self.restoreState()

    return NumberedCanvas


StoryMaker = Callable[[float, Styles, frozenset[int]], list[Any]]


def build_pdf(
    story: StoryMaker,
    *,
    page_size: PageSize,
    title: str,
    author: str,
    subject: str,
    footer: str,
    mark: str | None = None,
) -> bytes:
    """Lay out ``story(width, styles, coverage)`` on numbered pages and return the PDF.

    The output is the same bytes for the same input (ReportLab's invariant mode: no
    creation date, a fixed document id), so a stored PDF can be checked by its hash.
    ``title``, ``author``, ``subject`` and ``footer`` may be user text; they are made
    drawable here.
    """
    from reportlab.lib.units import mm
    from reportlab.platypus import SimpleDocTemplate

    cov = register_fonts()
    st = make_styles()
    page = page_dimensions(page_size)
    margin = 18 * mm
    out = BytesIO()
    template = SimpleDocTemplate(
        out,
        pagesize=page,
        leftMargin=margin,
        rightMargin=margin,
        topMargin=margin,
        bottomMargin=margin + 6 * mm,  # room for the footer rule and line
        title=one_line(title, cov),
        author=one_line(author, cov),
        subject=one_line(subject, cov),
        creator="Rapport",
        invariant=1,
    )
    # The frame pads 6 pt on each side; tables are sized to what is inside it.
    width = template.width - 2 * FRAME_PADDING
    canvasmaker = numbered_canvas(one_line(footer, cov), mark, page, margin, FRAME_PADDING)
    with document_budget():
        flowables = story(width, st, cov)
    template.build(flowables, canvasmaker=canvasmaker)
    return out.getvalue()
