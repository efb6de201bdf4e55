"""The client summary (an evidence pack) as a PDF.

``render_client_summary`` prints a plain ``ClientSummaryDocument``
(models/documents.py; built by models/services/summary.py) with the agreement
renderer's machinery: the bundled fonts, ``escape_text`` escaping, the same styles, and
the numbered canvas that stamps "Page x of y" on every page. Long lists (touches,
timeline entries) are tables whose header row repeats on every page.

ReportLab is imported inside the functions, never at module level.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from io import BytesIO
from pathlib import Path
from typing import Any

from exports.pdf.agreement import commitment_table
from exports.pdf.common import (
    FAMILY,
    FRAME_PADDING,
    HEADER_FILL,
    RULE,
    TABLE_HEADING_ROOM,
    ZEBRA_FILL,
    Styles,
    cell,
    document_budget,
    drawable,
    escape_text,
    heading,
    make_styles,
    numbered_canvas,
    one_line,
    page_dimensions,
    party_cell,
    plain_date,
    prose,
    register_fonts,
    rows_allowed,
    rows_left_out,
    text_flowables,
)
from models.dates import format_datetime
from models.documents import ClientSummaryDocument, PageSize, SummaryIncident
from models.files import write_atomic
from models.limits import PRINT_BLOCK_ROWS, PRINT_ROWS_MAX
from models.text import human_size

DASH = "\u2014"
SHA_SHOWN = 12  # hex digits of the SHA-256: enough to match a file by eye


def _when(moment: datetime | None) -> str:
    """A stored UTC moment in the user's local time: ``22 November 2026 10:05``."""
    if moment is None:
        return DASH
    return format_datetime(moment.astimezone())


def _day(d: date | None) -> str:
    return plain_date(d) if d is not None else DASH


def _label(value: str) -> str:
    """``late_payment`` → ``Late payment``; ``touch:call`` → ``Touch (call)``."""
    if ":" in value:
        head, tail = value.split(":", 1)
        return f"{_label(head)} ({tail.replace('_', ' ')})"
    return value.replace("_", " ").capitalize()


def _table(
    header: Sequence[str],
    rows: Sequence[Sequence[str]],
    widths: Sequence[float],
    st: Styles,
    cov: frozenset[int],
    *,
    plain: frozenset[int] = frozenset(),
) -> Any:
    """A zebra table of user text; the header repeats on every page it spans.

    Columns in ``plain`` hold our own short strings (a date, a kind, a size) sized
    not to wrap: they are drawn as plain cells, in the same face as the Paragraph
    cells, which cuts the layout work of a long table by more than half."""
    from reportlab.lib import colors
    from reportlab.platypus import Paragraph, Table, TableStyle

    data: list[list[Any]] = [[Paragraph(h, st.cell_head) for h in header]]
    for row in rows:
        data.append(
            [
                drawable(text, cov) if i in plain else cell(text, st.cell, cov)
                for i, text in enumerate(row)
            ]
        )
    table = Table(data, colWidths=list(widths), repeatRows=1, splitByRow=1, splitInRow=1)
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("FONTNAME", (0, 1), (-1, -1), FAMILY),
                ("FONTSIZE", (0, 1), (-1, -1), st.cell.fontSize),
                ("LEADING", (0, 1), (-1, -1), st.cell.leading),
                ("TEXTCOLOR", (0, 1), (-1, -1), st.cell.textColor),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor(HEADER_FILL)),
                ("LINEBELOW", (0, 0), (-1, 0), 0.8, colors.HexColor(RULE)),
                ("LINEBELOW", (0, 1), (-1, -1), 0.4, colors.HexColor(RULE)),
                ("TOPPADDING", (0, 0), (-1, -1), 4),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
                ("LEFTPADDING", (0, 0), (-1, -1), 6),
                ("RIGHTPADDING", (0, 0), (-1, -1), 6),
                ("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, colors.HexColor(ZEBRA_FILL)]),
            ]
        )
    )
    return table


def _fit_width(texts: Sequence[str], st: Styles, least: float, most: float) -> float:
    """A column just wide enough for its widest text (dates and times, which must not
    wrap: "18 October 2026 14:01" split over two lines reads as two facts)."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    widest = max((stringWidth(t, st.cell.fontName, st.cell.fontSize) for t in texts), default=0)
    return min(most, max(least, widest + 12 + 2))  # the cell's padding, and a hair


def _facts(pairs: Sequence[tuple[str, str]], width: float, st: Styles, cov: frozenset[int]) -> Any:
    """Label / value lines as a borderless two-column table."""
    from reportlab.platypus import Paragraph, Table, TableStyle

    label_w = 120.0
    data = [
        [Paragraph(escape_text(k, cov), st.label), cell(v, st.cell, cov)] for k, v in pairs if v
    ]
    if not data:
        return Paragraph("Nothing recorded.", st.small)
    return Table(
        data,
        colWidths=[label_w, width - label_w],
        splitByRow=1,
        splitInRow=1,
        style=TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("TOPPADDING", (0, 0), (-1, -1), 2),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
            ]
        ),
    )


def _promise(inc: SummaryIncident) -> str:
    if inc.response_due_at is None:
        return "No answer promised"
    text = f"Answer promised by {_when(inc.response_due_at)}"
    if inc.responded_at is not None:
        text += f"; answered {_when(inc.responded_at)}"
    return text


def _incident(inc: SummaryIncident, width: float, st: Styles, cov: frozenset[int]) -> list[Any]:
    from reportlab.platypus import CondPageBreak, Paragraph, Spacer

    story: list[Any] = [
        CondPageBreak(TABLE_HEADING_ROOM),
        *text_flowables(inc.title, st.party_name, cov),
        _facts(
            [
                ("STATUS", _label(inc.status)),
                ("SEVERITY", _label(inc.severity)),
                ("CATEGORY", _label(inc.category)),
                ("OPENED", _when(inc.opened_at)),
                ("CLOSED", _when(inc.closed_at) if inc.closed_at else ""),
                ("PROMISE", _promise(inc)),
                ("CLIENT'S VIEW", inc.client_view.strip()),
                ("OUR VIEW", inc.our_view.strip()),
            ],
            width,
            st,
            cov,
        ),
    ]
    entries = inc.entries[: rows_allowed(len(inc.entries))]
    if entries:
        whens = [_when(e.happened_at) for e in entries]
        when_w, kind_w = _fit_width(whens, st, 118.0, width * 0.4), 100.0
        story.append(
            _table(
                ("When", "What", "Entry"),
                [(w, _label(e.kind), e.text) for w, e in zip(whens, entries, strict=True)],
                (when_w, kind_w, width - when_w - kind_w),
                st,
                cov,
                plain=frozenset({0, 1}),
            )
        )
    if len(entries) < len(inc.entries):
        story.append(
            _left_out(len(inc.entries) - len(entries), "older entry is", "older entries are", st)
        )
    elif not inc.entries:
        story.append(Paragraph("No timeline entries.", st.small))
    story.append(Spacer(1, 6))
    story.append(Paragraph(f"Evidence files ({len(inc.evidence)})", st.label))
    files = inc.evidence[: rows_allowed(len(inc.evidence))]
    if files:
        size_w, added_w, sha_w = 64.0, 104.0, 96.0
        story.append(
            _table(
                ("File", "Size", "Added", "SHA-256"),
                [
                    (
                        f.name,
                        human_size(f.size),
                        _day(f.added_at.astimezone().date()),
                        f.sha256[:SHA_SHOWN] + "\u2026",
                    )
                    for f in files
                ],
                (width - size_w - added_w - sha_w, size_w, added_w, sha_w),
                st,
                cov,
                plain=frozenset({1, 2, 3}),
            )
        )
    if len(files) < len(inc.evidence):
        story.append(
            _left_out(len(inc.evidence) - len(files), "more file is", "more files are", st)
        )
    elif not inc.evidence:
        story.append(Paragraph("No files attached.", st.small))
    return story


def _story(doc: ClientSummaryDocument, width: float, st: Styles, cov: frozenset[int]) -> list[Any]:
    from reportlab.platypus import Paragraph, Spacer, Table, TableStyle

    story: list[Any] = [
        *text_flowables(doc.client.name or "Client", st.title, cov),
        Paragraph(f"Client summary \u00b7 as of {plain_date(doc.today)}", st.meta),
        Spacer(1, 10),
    ]
    gap = 16.0
    col = (width - gap) / 2
    story.append(
        Table(
            [
                [
                    party_cell("Client", doc.client, st, cov),
                    "",
                    party_cell("Prepared by", doc.consultant, st, cov),
                ]
            ],
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
    )

    story.extend(heading("Contact details", st))
    story.append(
        _facts(
            [
                ("STATUS", _label(doc.status)),
                ("EMAIL", "\n".join(doc.emails)),
                ("PHONE", "\n".join(doc.phones)),
                ("TAGS", ", ".join(doc.tags)),
            ],
            width,
            st,
            cov,
        )
    )
    if doc.notes.strip():
        story.extend(heading("Notes", st))
        story += prose(doc.notes, st.body, cov, note_style=st.small)

    story.extend(heading("Keeping in touch", st))
    story.append(
        _facts(
            [
                ("RHYTHM", doc.cadence or "No rhythm set"),
                ("LAST TOUCH", _day(doc.last_touch_on)),
                ("NEXT DUE", _day(doc.touch_due_on) if doc.cadence else ""),
            ],
            width,
            st,
            cov,
        )
    )

    story.extend(heading("Relationship health", st))
    if doc.health_score is None:
        story.append(Paragraph("Not scored.", st.small))
    else:
        band = f" ({_label(doc.health_band)})" if doc.health_band else ""
        story.append(Paragraph(f"Score {doc.health_score} of 100{escape_text(band, cov)}", st.body))
        for f in doc.factors:
            story += text_flowables(f"{f.points:+d}: {f.reason}", st.bullet, cov, bullet="\u2022")

    total = len(doc.touches) if doc.touch_count is None else doc.touch_count
    story.extend(heading(f"Touches ({total:,})", st, TABLE_HEADING_ROOM))
    touches = doc.touches[: rows_allowed(len(doc.touches))]
    if touches:
        when_w = _fit_width([_when(t.happened_at) for t in touches], st, 118.0, width * 0.4)
        chan_w = 70.0
        story.append(
            _table(
                ("When", "How", "Summary"),
                [
                    (
                        _when(t.happened_at),
                        _label(t.channel),
                        t.summary + (f"\nNext step: {t.next_step}" if t.next_step else ""),
                    )
                    for t in touches
                ],
                (when_w, chan_w, width - when_w - chan_w),
                st,
                cov,
                plain=frozenset({0, 1}),
            )
        )
    if len(touches) < total:
        story.append(_left_out(total - len(touches), "older touch is", "older touches are", st))
    elif not total:
        story.append(Paragraph("No touches logged.", st.small))

    story.extend(heading(f"Incidents ({len(doc.incidents)})", st, TABLE_HEADING_ROOM))
    if not doc.incidents:
        story.append(Paragraph("No incidents recorded.", st.small))
    # Each incident takes its share as it is printed, so the first ones print with
    # their timelines rather than many print with none.
    printed = 0
    for inc in doc.incidents:
        if printed >= PRINT_ROWS_MAX or not rows_allowed(1, cost=PRINT_BLOCK_ROWS):
            break
        story.extend(_incident(inc, width, st, cov))
        story.append(Spacer(1, 8))
        printed += 1
    if printed < len(doc.incidents):
        left = len(doc.incidents) - printed
        story.append(_left_out(left, "older incident is", "older incidents are", st))

    story.extend(heading(f"Agreements ({len(doc.agreements)})", st, TABLE_HEADING_ROOM))
    if not doc.agreements:
        story.append(Paragraph("No agreements recorded.", st.small))
    printed = 0
    for ag in doc.agreements:
        if printed >= PRINT_ROWS_MAX or not rows_allowed(1, cost=PRINT_BLOCK_ROWS):
            break
        printed += 1
        from reportlab.platypus import CondPageBreak

        story.append(CondPageBreak(TABLE_HEADING_ROOM))
        story.append(
            Paragraph(
                f"{escape_text(ag.number, cov)} \u00b7 {escape_text(ag.title, cov)}", st.party_name
            )
        )
        story.append(
            _facts(
                [
                    ("STATUS", _label(ag.status)),
                    ("DATED", _day(ag.dated)),
                    ("REVIEW", _day(ag.review_on)),
                ],
                width,
                st,
                cov,
            )
        )
        story.append(Paragraph("Our commitments", st.label))
        story.extend(commitment_table(ag.ours, width, st, cov))
        story.append(Spacer(1, 4))
        story.append(Paragraph("Client's commitments", st.label))
        story.extend(commitment_table(ag.theirs, width, st, cov))
        story.append(Spacer(1, 8))
    if printed < len(doc.agreements):
        left = len(doc.agreements) - printed
        story.append(_left_out(left, "older agreement is", "older agreements are", st))
    return story


# Where a list cut short can be read whole: the app shows the latest, the JSON
# export every one.
WHERE_IN_FULL = ", and an export of the book (rapport export json) lists them all"


def _left_out(count: int, one: str, many: str, st: Styles) -> Any:
    return rows_left_out(count, one, many, st.small, where=WHERE_IN_FULL)


def render_client_summary(
    doc: ClientSummaryDocument, *, page_size: PageSize = PageSize.A4
) -> bytes:
    """The client summary as PDF bytes (deterministic for the same document)."""
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
        bottomMargin=margin + 6 * mm,
        title=one_line(f"Client summary: {doc.client.name}", cov),
        author=one_line(doc.consultant.name, cov),
        subject="Client summary",
        creator="Rapport",
        invariant=1,
    )
    footer = one_line(f"Client summary \u00b7 {doc.client.name}", cov)
    width = template.width - 2 * FRAME_PADDING
    canvasmaker = numbered_canvas(footer, None, page, margin, FRAME_PADDING)
    with document_budget():
        flowables = _story(doc, width, st, cov)
    template.build(flowables, canvasmaker=canvasmaker)
    return out.getvalue()


def write_client_summary(
    doc: ClientSummaryDocument, out: Path, *, page_size: PageSize = PageSize.A4
) -> None:
    """Render ``doc`` and write it to ``out`` atomically."""
    write_atomic(Path(out), render_client_summary(doc, page_size=page_size))
