"""The agreement summary as a PDF (PLAYBOOK step 10, "Document in writing").

``render_agreement`` turns a plain ``AgreementDocument`` (exports/documents.py) into
PDF bytes with ReportLab's platypus; ``write_agreement`` puts them on disk whole or
not at all. Nothing here reads the database or touches Qt.

ReportLab is imported inside the functions that need it, never at module level:
the GUI imports this module at start-up, and start-up stays fast.

Every string the user typed goes through ``_text`` before it reaches a Paragraph:
characters the bundled font cannot draw (emoji, CJK) become U+FFFD, a visible
diamond that copies and pastes cleanly, instead of crashing or vanishing; control
characters are dropped; the XML markup characters are escaped (a client called
``<b>Smith & Co</b>`` prints exactly that); newlines become line breaks. Long words
are broken by ReportLab itself (``splitLongWords``), so a 5 000-character token
wraps instead of failing, and table rows taller than a page split across pages
(``splitInRow``).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from io import BytesIO
from pathlib import Path
from typing import TYPE_CHECKING, Any
from xml.sax.saxutils import escape

from exports.documents import AgreementDocument, CommitmentLine, PageSize, Party
from models.files import write_atomic

if TYPE_CHECKING:  # pragma: no cover - typing only; reportlab is imported lazily
    from reportlab.lib.styles import ParagraphStyle

FONT_DIR = Path(__file__).resolve().parents[1] / "resources" / "fonts"
FAMILY = "RapportSans"
FONT_FILES = {
    FAMILY: "DejaVuSans.ttf",
    f"{FAMILY}-Bold": "DejaVuSans-Bold.ttf",
    f"{FAMILY}-Oblique": "DejaVuSans-Oblique.ttf",
    f"{FAMILY}-BoldOblique": "DejaVuSans-BoldOblique.ttf",
}
HEADING_ROOM = 56.0  # a heading and a line or two of text, else a new page
TABLE_HEADING_ROOM = 90.0  # a heading, the table header and one row
FRAME_PADDING = 6.0  # platypus Frame default, each side
REPLACEMENT = "\ufffd"  # drawn by DejaVu Sans as a visible "?" in a diamond

MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
STATE_LABELS = {"open": "Open", "kept": "Kept", "broken": "Broken"}
STATUS_MARKS = {"draft": "DRAFT", "superseded": "Superseded"}
COMMITMENT_HEADER = ("#", "Commitment", "Due", "State")

# Colours as hex strings so the module needs no ReportLab at import time.
INK = "#1f2328"
MUTED = "#5b636e"
RULE = "#c9ced6"
HEADER_FILL = "#eef1f5"
ZEBRA_FILL = "#f8f9fb"
ACCENT = "#1d4e89"
DRAFT_RED = "#b42318"

_font_lock = threading.Lock()
_coverage: frozenset[int] | None = None


def plain_date(d: date) -> str:
    """``22 November 2026``: the same in every locale."""
    return f"{d.day} {MONTHS[d.month - 1]} {d.year}"


def register_fonts() -> frozenset[int]:
    """Register the bundled DejaVu Sans family once per process.

    Returns the code points all four faces can draw, which ``_text`` uses to swap
    anything else for U+FFFD.
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
        _coverage = frozenset(c for c in set.intersection(*faces) if c <= 0xFFFF)
        return _coverage


def _drawable(value: str, coverage: frozenset[int]) -> str:
    """``value`` with every character the font lacks replaced, controls dropped."""
    out = []
    for ch in value.replace("\r\n", "\n").replace("\r", "\n").replace("\t", "    "):
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


def _text(value: str, coverage: frozenset[int]) -> str:
    """User text made safe for a Paragraph: drawable, escaped, newlines kept."""
    return escape(_drawable(value, coverage)).replace("\n", "<br/>")


@dataclass(frozen=True)
class _Styles:
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


def _styles() -> _Styles:
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

    return _Styles(
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
    )


def _page_size(page_size: PageSize) -> tuple[float, float]:
    from reportlab.lib.pagesizes import A4, LETTER

    return LETTER if PageSize(page_size) is PageSize.LETTER else A4


def _logo(data: bytes | None, max_w: float, max_h: float) -> Any:
    """The logo as a small Image flowable, or None when absent or unreadable."""
    if not data:
        return None
    from reportlab.lib.utils import ImageReader
    from reportlab.platypus import Image

    try:
        reader = ImageReader(BytesIO(data))
        w, h = reader.getSize()
        if w <= 0 or h <= 0:
            return None
        reader.getRGBData()  # decodes the pixels: a truncated file fails here, not at build
    except Exception:  # noqa: BLE001 - any broken image is skipped, never fatal
        return None
    scale = min(max_w / w, max_h / h)
    return Image(BytesIO(data), width=w * scale, height=h * scale)


def _party_cell(label: str, party: Party, st: _Styles, cov: frozenset[int]) -> list[Any]:
    from reportlab.platypus import Paragraph

    cell = [Paragraph(label.upper(), st.label), Paragraph(_text(party.name, cov), st.party_name)]
    role_org = ", ".join(v.strip() for v in (party.role, party.organisation) if v.strip())
    for line in (role_org, party.address.strip(), party.email.strip(), party.phone.strip()):
        if line:
            cell.append(Paragraph(_text(line, cov), st.party_line))
    return cell


def _commitment_table(
    lines: list[CommitmentLine], width: float, st: _Styles, cov: frozenset[int]
) -> Any:
    from reportlab.lib import colors
    from reportlab.platypus import Paragraph, Table, TableStyle

    if not lines:
        return Paragraph("Nothing recorded.", st.small)
    rows: list[list[Any]] = [
        [Paragraph(h, st.cell_head_num if h == "#" else st.cell_head) for h in COMMITMENT_HEADER]
    ]
    for i, line in enumerate(lines, start=1):
        state = STATE_LABELS.get(line.state, line.state.capitalize())
        # Only the commitment itself needs a Paragraph (it wraps and may hold any
        # text); the number, date and state are short, fixed-alphabet strings drawn
        # as plain cells, which halves the layout work of long tables.
        rows.append(
            [
                str(i),
                Paragraph(_text(line.text, cov), st.cell),
                plain_date(line.due_on) if line.due_on else "\u2014",
                _drawable(state, cov),
            ]
        )
    num_w, due_w, state_w = 28.0, 112.0, 58.0
    widths = [num_w, width - num_w - due_w - state_w, due_w, state_w]
    table = Table(rows, colWidths=widths, repeatRows=1, splitByRow=1, splitInRow=1)
    commands: list[tuple[Any, ...]] = [
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        # Plain cells: the same face, size and colour as the Paragraph cells.
        ("FONTNAME", (0, 1), (-1, -1), FAMILY),
        ("FONTSIZE", (0, 1), (-1, -1), st.cell.fontSize),
        ("LEADING", (0, 1), (-1, -1), st.cell.leading),
        ("TEXTCOLOR", (0, 1), (-1, -1), st.cell.textColor),
        ("ALIGN", (0, 1), (0, -1), "RIGHT"),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor(HEADER_FILL)),
        ("LINEBELOW", (0, 0), (-1, 0), 0.8, colors.HexColor(RULE)),
        ("LINEBELOW", (0, 1), (-1, -1), 0.4, colors.HexColor(RULE)),
        ("TOPPADDING", (0, 0), (-1, -1), 5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 5),
        ("LEFTPADDING", (0, 0), (-1, -1), 6),
        ("RIGHTPADDING", (0, 0), (-1, -1), 6),
    ]
    commands.append(
        ("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, colors.HexColor(ZEBRA_FILL)])
    )
    table.setStyle(TableStyle(commands))
    return table


def _signatures(doc: AgreementDocument, width: float, st: _Styles, cov: frozenset[int]) -> Any:
    from reportlab.lib import colors
    from reportlab.platypus import KeepTogether, Paragraph, Spacer, Table, TableStyle

    gap = 24.0
    col = (width - gap) / 2
    rule = colors.HexColor(INK)

    def side(label: str, party: Party) -> list[Any]:
        return [
            Paragraph(label.upper(), st.label),
            Spacer(1, 30),
            Table(
                [
                    [Paragraph(f"Signature \u2014 {_text(party.name, cov)}", st.small)],
                    [Spacer(1, 22)],
                    [Paragraph("Date", st.small)],
                ],
                colWidths=[col],
                style=TableStyle(
                    [
                        ("LINEABOVE", (0, 0), (0, 0), 0.6, rule),
                        ("LINEABOVE", (0, 2), (0, 2), 0.6, rule),
                        ("LEFTPADDING", (0, 0), (-1, -1), 0),
                        ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                        ("TOPPADDING", (0, 0), (-1, -1), 2),
                        ("BOTTOMPADDING", (0, 0), (-1, -1), 0),
                    ]
                ),
            ),
        ]

    table = Table(
        [[side("For the consultant", doc.consultant), "", side("For the client", doc.client)]],
        colWidths=[col, gap, col],
        splitInRow=1,
        style=TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
            ]
        ),
    )
    return KeepTogether([Paragraph("Signatures", st.heading), table])


def _story(doc: AgreementDocument, width: float, st: _Styles, cov: frozenset[int]) -> list[Any]:
    from reportlab.lib import colors
    from reportlab.platypus import Paragraph, Spacer, Table, TableStyle

    title_block: list[Any] = [
        Paragraph(_text(doc.title or "Agreement", cov), st.title),
        Paragraph(f"{_text(doc.number, cov)} \u00b7 {plain_date(doc.dated)}", st.meta),
    ]
    mark = STATUS_MARKS.get(doc.status)
    if mark == "DRAFT":
        title_block.append(Paragraph("DRAFT \u2014 not yet agreed by both sides", st.mark))
    elif mark:
        title_block.append(
            Paragraph("Superseded \u2014 a later version replaces this one", st.mark)
        )

    story: list[Any] = []
    logo = _logo(doc.logo_png, 120.0, 48.0)
    if logo is not None:
        logo.hAlign = "RIGHT"
        head = Table(
            [[title_block, logo]],
            colWidths=[width - 130.0, 130.0],
            style=TableStyle(
                [
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ("ALIGN", (1, 0), (1, 0), "RIGHT"),
                    ("LEFTPADDING", (0, 0), (-1, -1), 0),
                    ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                ]
            ),
        )
        story.append(head)
    else:
        story.extend(title_block)
    story.append(Spacer(1, 12))

    gap = 16.0
    col = (width - gap) / 2
    parties = Table(
        [
            [
                _party_cell("Consultant", doc.consultant, st, cov),
                "",
                _party_cell("Client", doc.client, st, cov),
            ]
        ],
        colWidths=[col, gap, col],
        splitInRow=1,
        style=TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LINEABOVE", (0, 0), (0, 0), 1.2, colors.HexColor(ACCENT)),
                ("LINEABOVE", (2, 0), (2, 0), 1.2, colors.HexColor(ACCENT)),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                ("TOPPADDING", (0, 0), (-1, -1), 6),
            ]
        ),
    )
    story.append(parties)

    if doc.context.strip():
        story.extend(_heading("Context", st))
        for para in _paragraphs(doc.context):
            story.append(Paragraph(_text(para, cov), st.body))

    points = [p for p in doc.points if p.strip()]
    if points:
        story.extend(_heading("What we discussed", st))
        for point in points:
            story.append(Paragraph(_text(point.strip(), cov), st.bullet, bulletText="\u2022"))

    story.extend(_heading("Our commitments", st, TABLE_HEADING_ROOM))
    story.append(_commitment_table(doc.ours, width, st, cov))
    story.extend(_heading("Your commitments", st, TABLE_HEADING_ROOM))
    story.append(_commitment_table(doc.theirs, width, st, cov))

    story.extend(_heading("Review date", st))
    if doc.review_on is not None:
        story.append(
            Paragraph(f"We will review this agreement on {plain_date(doc.review_on)}.", st.body)
        )
    else:
        story.append(Paragraph("No review date has been set.", st.body))

    story.append(_signatures(doc, width, st, cov))
    return story


def _heading(text: str, st: _Styles, room: float = HEADING_ROOM) -> list[Any]:
    """A section heading that never sits alone at the foot of a page.

    A CondPageBreak rather than keepWithNext: keepWithNext wraps the heading and a
    long table in a KeepTogether, which pushes the whole table to the next page.
    """
    from reportlab.platypus import CondPageBreak, Paragraph

    return [CondPageBreak(room), Paragraph(text, st.heading)]


def _paragraphs(text: str) -> list[str]:
    """Blank lines separate paragraphs; single newlines stay line breaks."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").strip()
    parts = [p.strip("\n") for p in text.split("\n\n")]
    return [p for p in parts if p.strip()]


def _canvas_class(
    number: str, mark: str | None, page: tuple[float, float], margin: float, inset: float
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
            left = number
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


def render_agreement(doc: AgreementDocument, *, page_size: PageSize = PageSize.A4) -> bytes:
    """The agreement summary as PDF bytes."""
    from reportlab.lib.units import mm
    from reportlab.platypus import SimpleDocTemplate

    cov = register_fonts()
    st = _styles()
    page = _page_size(page_size)
    margin = 18 * mm
    out = BytesIO()
    template = SimpleDocTemplate(
        out,
        pagesize=page,
        leftMargin=margin,
        rightMargin=margin,
        topMargin=margin,
        bottomMargin=margin + 6 * mm,  # room for the footer rule and line
        title=_drawable(f"{doc.title} {doc.number}".strip(), cov),
        author=_drawable(doc.consultant.name, cov),
        subject="Agreement summary",
        creator="Rapport",
        invariant=1,
    )
    number = _drawable(doc.number, cov).replace("\n", " ")
    # The frame pads 6 pt on each side; tables are sized to what is inside it.
    width = template.width - 2 * FRAME_PADDING
    canvasmaker = _canvas_class(number, STATUS_MARKS.get(doc.status), page, margin, FRAME_PADDING)
    template.build(_story(doc, width, st, cov), canvasmaker=canvasmaker)
    return out.getvalue()


def write_agreement(
    doc: AgreementDocument, out: Path, *, page_size: PageSize = PageSize.A4
) -> None:
    """Render ``doc`` and write it to ``out`` atomically (owner-only permissions)."""
    write_atomic(Path(out), render_agreement(doc, page_size=page_size))
