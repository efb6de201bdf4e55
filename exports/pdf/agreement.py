"""The agreement summary as a PDF (PLAYBOOK step 10, "Document in writing").

``render_agreement`` turns a plain ``AgreementDocument`` (models/documents.py) into
PDF bytes with ReportLab's platypus; ``write_agreement`` puts them on disk whole or
not at all. Nothing here reads the database or touches Qt.

The fonts, the escaping of user text (``escape_text``: markup characters kept
literal, glyphs the font lacks shown as U+FFFD, controls dropped), the styles and
the numbered canvas live in exports/pdf/common.py, shared with the client summary
and the repair records. ReportLab is imported inside the functions that need it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from exports.pdf.common import (
    FAMILY,
    HEADER_FILL,
    INK,
    RULE,
    TABLE_HEADING_ROOM,
    ZEBRA_FILL,
    Styles,
    build_pdf,
    cell,
    drawable,
    escape_text,
    heading,
    party_cell,
    party_row,
    plain_date,
    prose,
    rows_allowed,
    rows_left_out,
    text_flowables,
    title_head,
)
from models.agreements import context_parts
from models.documents import AgreementDocument, CommitmentLine, PageSize, Party
from models.files import write_atomic

STATE_LABELS = {"open": "Open", "kept": "Kept", "broken": "Broken"}
STATUS_MARKS = {"draft": "DRAFT", "superseded": "Superseded"}
COMMITMENT_HEADER = ("#", "Commitment", "Due", "State")


def commitment_table(
    lines: list[CommitmentLine], width: float, st: Styles, cov: frozenset[int]
) -> list[Any]:
    """The commitments as a table, as many as a document prints (``rows_allowed``),
    with a sentence saying how many more the book holds."""
    from reportlab.lib import colors
    from reportlab.platypus import Paragraph, Table, TableStyle

    if not lines:
        return [Paragraph("Nothing recorded.", st.small)]
    shown = rows_allowed(len(lines))
    left_out = (
        [rows_left_out(len(lines) - shown, "more commitment is", "more commitments are", st.small)]
        if shown < len(lines)
        else []
    )
    lines = lines[:shown]
    if not lines:
        return left_out
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
                cell(line.text, st.cell, cov),
                plain_date(line.due_on) if line.due_on else "\u2014",
                drawable(state, cov),
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
    return [table, *left_out]


def _signatures(
    doc: AgreementDocument, width: float, st: Styles, cov: frozenset[int]
) -> list[Any]:
    from reportlab.lib import colors
    from reportlab.platypus import Paragraph, Spacer, Table, TableStyle

    gap = 24.0
    col = (width - gap) / 2
    rule = colors.HexColor(INK)

    def side(label: str, party: Party) -> list[Any]:
        return [
            Paragraph(label.upper(), st.label),
            Spacer(1, 30),
            Table(
                [
                    [Paragraph(f"Signature \u2014 {escape_text(party.name, cov)}", st.small)],
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
    return [Paragraph("Signatures", st.heading), table]


def _story(doc: AgreementDocument, width: float, st: Styles, cov: frozenset[int]) -> list[Any]:
    from reportlab.platypus import KeepTogether, Paragraph, Spacer

    title_block: list[Any] = [
        *text_flowables(doc.title or "Agreement", st.title, cov),
        Paragraph(f"{escape_text(doc.number, cov)} \u00b7 {plain_date(doc.dated)}", st.meta),
    ]
    mark = STATUS_MARKS.get(doc.status)
    if mark == "DRAFT":
        title_block.append(Paragraph("DRAFT \u2014 not yet agreed by both sides", st.mark))
    elif mark:
        title_block.append(
            Paragraph("Superseded \u2014 a later version replaces this one", st.mark)
        )

    story: list[Any] = title_head(title_block, doc.logo_png, width)
    story.append(Spacer(1, 12))
    story.append(
        party_row(
            [
                party_cell("Consultant", doc.consultant, st, cov),
                party_cell("Client", doc.client, st, cov),
            ],
            width,
        )
    )

    if doc.context.strip():
        story.extend(heading("Context", st))
        story.extend(_context(doc.context, st, cov))

    points = [p for p in doc.points if p.strip()]
    if points:
        story.extend(heading("What we discussed", st))
        shown = rows_allowed(len(points))
        for point in points[:shown]:
            story += text_flowables(point.strip(), st.bullet, cov, bullet="\u2022")
        if shown < len(points):
            story.append(
                rows_left_out(len(points) - shown, "more point is", "more points are", st.small)
            )

    story.extend(heading("Our commitments", st, TABLE_HEADING_ROOM))
    story.extend(commitment_table(doc.ours, width, st, cov))
    story.extend(heading("Your commitments", st, TABLE_HEADING_ROOM))
    story.extend(commitment_table(doc.theirs, width, st, cov))

    if doc.review_on is not None:
        review = f"We will review this agreement on {plain_date(doc.review_on)}."
    else:
        review = "No review date has been set."
    # The review date and both signature lines travel as one block: they move to a
    # new page together or not at all, so neither is ever left alone on a page.
    story.append(
        KeepTogether(
            [
                Paragraph("Review date", st.heading),
                Paragraph(review, st.body),
                *_signatures(doc, width, st, cov),
            ]
        )
    )
    return story


def _context(context: str, st: Styles, cov: frozenset[int]) -> list[Any]:
    """The context's parts: a label the wizard wrote on its own line prints as a
    small heading above its words (models/agreements.context_parts)."""
    from reportlab.lib.styles import ParagraphStyle

    sub = ParagraphStyle(
        "ContextHeading",
        parent=st.heading,
        fontSize=st.body.fontSize + 0.5,
        leading=st.body.leading,
        spaceBefore=6,
        spaceAfter=1,
        keepWithNext=1,
    )
    out: list[Any] = []
    for head, body in context_parts(context):
        if head:
            out += text_flowables(head, sub, cov)
        out += prose(body, st.body, cov, note_style=st.small)
    return out


def render_agreement(doc: AgreementDocument, *, page_size: PageSize = PageSize.A4) -> bytes:
    """The agreement summary as PDF bytes (the same bytes for the same document)."""

    def story(width: float, st: Styles, cov: frozenset[int]) -> list[Any]:
        return _story(doc, width, st, cov)

    return build_pdf(
        story,
        page_size=page_size,
        title=f"{doc.title} {doc.number}".strip(),
        author=doc.consultant.name,
        subject="Agreement summary",
        footer=doc.number,
        mark=STATUS_MARKS.get(doc.status),
    )


def write_agreement(
    doc: AgreementDocument, out: Path, *, page_size: PageSize = PageSize.A4
) -> None:
    """Render ``doc`` and write it to ``out`` atomically (owner-only permissions)."""
    write_atomic(Path(out), render_agreement(doc, page_size=page_size))
