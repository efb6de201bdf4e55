"""What an agreement prints: the document built from its rows and the consultant's
details, the stored PDF, the renderer at the book's page size, and a viewing copy.

The edge between the agreement's records and its paper: the printing service,
finalising and the desktop's viewer meet here, and the rows' use cases need none
of it except ``agreement_document`` when a draft becomes final.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.agreements import display_number, points_from_text
from models.db import Book
from models.documents import AgreementDocument, CommitmentLine
from models.entities import Agreement, AgreementStatus, Commitment, Side
from models.services.clients import NotFoundError, client_or_error, client_party
from models.services.consultant import consultant_party, get_settings, read_settings

Renderer = Callable[[AgreementDocument], bytes]


def _lines(commitments: Sequence[Commitment], side: Side) -> list[CommitmentLine]:
    return [
        CommitmentLine(c.text, c.due_on, c.state.value)
        for c in sorted(commitments, key=lambda c: c.position)
        if c.side is side
    ]


def agreement_document(s: Session, ag: Agreement, *, status: AgreementStatus) -> AgreementDocument:
    client = client_or_error(s, ag.client_id)
    me = read_settings(s)
    return AgreementDocument(
        number=display_number(ag.number, ag.version),
        title=ag.title,
        dated=ag.dated,
        consultant=consultant_party(me),
        client=client_party(client),
        context=ag.context,
        points=points_from_text(ag.points),
        ours=_lines(ag.commitments, Side.OURS),
        theirs=_lines(ag.commitments, Side.THEIRS),
        review_on=ag.review_on,
        status=status.value,
        logo_png=me.logo_png,
    )


def agreement_pdf(book: Book, agreement_id: int) -> bytes | None:
    """The stored PDF of a final (or superseded) agreement; None for a draft."""
    with book.reader() as s:
        pdf = s.scalar(select(Agreement.pdf).where(Agreement.id == agreement_id))
        if pdf is None and s.get(Agreement, agreement_id) is None:
            raise NotFoundError(f"There is no agreement with id {agreement_id}.")
        return pdf


def pdf_renderer(book: Book) -> Renderer:
    """The renderer bound for agreements (exports/pdf in the app and the CLI) at the
    page size in the book's settings; see models/services/printing.py."""
    from models.rendering import render

    size = get_settings(book).page_size

    def render_at_size(doc: AgreementDocument) -> bytes:
        return render(doc, size)

    return render_at_size


def agreement_viewing_copy(
    number: str, version: int, pdf: bytes, *, folder: Path | None = None
) -> Path:
    """A read-only copy of an agreement's PDF for the system viewer, like the
    evidence viewing copy: named so the desktop knows it is a PDF, kept in the
    private cache, and never the stored bytes themselves."""
    from models.files import write_atomic
    from models.paths import cache_dir, ensure_private_dir

    digest = hashlib.sha256(pdf).hexdigest()[:16]
    target_dir = ensure_private_dir((folder or cache_dir()) / "opened" / digest)
    target = target_dir / f"{display_number(number, version).replace(' ', '-')}.pdf"
    if not (target.exists() and target.stat().st_size == len(pdf)):
        write_atomic(target, pdf, mode=0o400)
    return target
