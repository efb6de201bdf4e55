"""The written record a repair ends in when it does not end in an agreement: a
hand-over brief for whoever takes the work over, a notice to the insurer, or a
closing summary for the client (PLAYBOOK, "Alternative endings").

``render_record`` turns a plain ``RecordDocument`` (models/documents.py, composed
by models/repair.py) into PDF bytes; ``write_record`` puts them on disk whole or not
at all. It is built from the same pieces as the agreement (exports/pdf/common.py):
the fonts, the escaping of every user string, the styles, the logo and the
"Page x of y" footer, so the consultant's papers look like one set.

ReportLab is imported inside the functions that need it, never at module level.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

from exports.pdf.common import (
    Styles,
    build_pdf,
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
from models.documents import PageSize, Party, RecordDocument, RecordSection
from models.files import write_atomic

NO_NAME = "Not named yet"
NOTHING_YET = "Nothing written down yet."


def _named(party: Party) -> Party:
    """A party without a name (a preview before the page is filled in) still reads
    as a person-shaped gap rather than an empty bold line."""
    return party if party.name.strip() else replace(party, name=NO_NAME)


def _parties(doc: RecordDocument, width: float, st: Styles, cov: frozenset[int]) -> Any:
    """From and To; the client as well, below them, when the record is for someone
    else (a successor, an insurer), since the reader has to know whom it is about."""
    cells = [party_cell("From", _named(doc.consultant), st, cov)]
    if doc.addressee is None:
        cells.append(party_cell("Client", _named(doc.client), st, cov))
    else:
        cells.append(party_cell("To", _named(doc.addressee), st, cov))
        if doc.addressee != doc.client:
            cells.append(party_cell("Client", _named(doc.client), st, cov))
    return party_row(cells, width, columns=2)


SHORT_LIST = 2_000  # characters: a list this short moves to a new page whole


def _section(section: RecordSection, st: Styles, cov: frozenset[int]) -> list[Any]:
    from reportlab.platypus import KeepTogether

    out = heading(escape_text(section.heading.strip() or "Notes", cov), st)
    out += prose(section.text, st.body, cov, note_style=st.small)
    items = [item.strip() for item in section.items if item.strip()]
    shown = rows_allowed(len(items))
    listed = [
        f for item in items[:shown] for f in text_flowables(item, st.item, cov, bullet="\u2022")
    ]
    if shown < len(items):
        listed.append(
            rows_left_out(len(items) - shown, "more entry is", "more entries are", st.small)
        )
        items = items[:shown]
    if not section.text.strip() and sum(map(len, items)) <= SHORT_LIST:
        # A short list (the dates, the evidence) stays with its heading on one page,
        # rather than leaving its last line alone at the top of the next.
        return [out[0], KeepTogether([*out[1:], *listed])]
    return out + listed


def _story(doc: RecordDocument, width: float, st: Styles, cov: frozenset[int]) -> list[Any]:
    from reportlab.platypus import Paragraph, Spacer

    title_block: list[Any] = [Paragraph(escape_text(doc.kind or "Record", cov), st.title)]
    if doc.title.strip():
        title_block += text_flowables(doc.title.strip(), st.subtitle, cov)
    title_block.append(Paragraph(plain_date(doc.dated), st.meta))
    if doc.reference.strip():
        title_block.append(Paragraph(escape_text(doc.reference.strip(), cov), st.meta))

    story: list[Any] = title_head(title_block, doc.logo_png, width)
    story.append(Spacer(1, 12))
    story.append(_parties(doc, width, st, cov))
    sections = [s for s in doc.sections if s.text.strip() or any(i.strip() for i in s.items)]
    for section in sections:
        story.extend(_section(section, st, cov))
    if not sections:
        story.append(Spacer(1, 12))
        story.append(Paragraph(NOTHING_YET, st.small))
    return story


def render_record(doc: RecordDocument, *, page_size: PageSize = PageSize.A4) -> bytes:
    """The record as PDF bytes (the same bytes for the same document)."""

    def story(width: float, st: Styles, cov: frozenset[int]) -> list[Any]:
        return _story(doc, width, st, cov)

    title = " ".join(doc.title.split())
    return build_pdf(
        story,
        page_size=page_size,
        title=f"{doc.kind}: {title}" if title else doc.kind,
        author=doc.consultant.name,
        subject=doc.kind,
        footer=f"{doc.kind} \u00b7 {title}" if title else doc.kind,
    )


def write_record(doc: RecordDocument, out: Path, *, page_size: PageSize = PageSize.A4) -> None:
    """Render ``doc`` and write it to ``out`` atomically (owner-only permissions)."""
    write_atomic(Path(out), render_record(doc, page_size=page_size))
