"""`rapport pdf agreement` as a real process: drafts rendered, finals byte for byte."""

from __future__ import annotations

import hashlib
import io
from datetime import UTC, date, datetime
from pathlib import Path

from pypdf import PdfReader

from models.db import open_book
from models.entities import Side
from models.services.agreement_documents import agreement_pdf, pdf_renderer
from models.services.agreements import AgreementInput, CommitmentInput, create_agreement, finalise
from models.services.clients import ClientInput, create_client
from tests.consultant import give_details
from tests.test_cli import assert_clean_error, rapport

NOW = datetime(2026, 11, 22, 10, tzinfo=UTC)


def text_of(data: bytes) -> str:
    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def make_agreement(path: Path) -> int:
    book = open_book(path)
    try:
        give_details(book)  # issue 17: finalising needs the consultant's details
        cid = create_client(book, ClientInput(name="<b>Smith & Co</b>"), now=NOW)
        return create_agreement(
            book,
            cid,
            AgreementInput(
                title="Back on track",
                dated=date(2026, 11, 22),
                points=["Weekly report"],
                commitments=[CommitmentInput(Side.OURS, "Send the weekly report", None)],
                review_on=date(2027, 2, 22),
            ),
            now=NOW,
        )
    finally:
        book.close()


def test_draft_is_rendered_and_final_is_written_as_stored(tmp_path: Path) -> None:
    path, out = tmp_path / "b.db", tmp_path / "draft.pdf"
    aid = make_agreement(path)
    result = rapport("--db", path, "pdf", "agreement", str(aid), out, check=True)
    assert "Wrote agreement" in result.stdout
    draft = text_of(out.read_bytes())
    assert "DRAFT" in draft and "<b>Smith & Co</b>" in draft and "Send the weekly report" in draft

    book = open_book(path)
    try:
        sha = finalise(book, aid, pdf_renderer(book), now=NOW)
        stored = agreement_pdf(book, aid)
    finally:
        book.close()
    final = tmp_path / "final.pdf"
    rapport("--db", path, "pdf", "agreement", str(aid), final, check=True)
    assert final.read_bytes() == stored
    assert hashlib.sha256(final.read_bytes()).hexdigest() == sha


def test_unknown_agreement_is_one_clear_line(tmp_path: Path) -> None:
    path = tmp_path / "b.db"
    make_agreement(path)
    result = rapport("--db", path, "pdf", "agreement", "999", tmp_path / "x.pdf")
    assert_clean_error(result, "no agreement with id 999")
    assert not (tmp_path / "x.pdf").exists()
