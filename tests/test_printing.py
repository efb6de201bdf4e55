"""The printing service: one decision (stored or rendered, page size, audience) for the
CLI and the GUI, through renderers bound at the edge."""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from pypdf import PdfReader

from exports.pdf import bind_renderers
from models import rendering
from models.db import Book
from models.documents import AgreementDocument, Audience, PageSize, Party
from models.repair import Step
from models.services import printing
from models.services.agreement_documents import agreement_pdf, pdf_renderer
from models.services.agreements import AgreementInput, create_agreement, finalise
from models.services.clients import ClientInput, create_client
from models.services.consultant import ConsultantSettings, set_settings
from models.services.repair import finish_other
from models.services.repair_records import record_for
from tests.consultant import give_details
from tests.test_record_pdf import _incident, _plan_at

NOW = datetime(2026, 11, 22, 10, tzinfo=UTC)


def text_of(data: bytes) -> str:
    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def page_width(data: bytes) -> float:
    return float(PdfReader(io.BytesIO(data)).pages[0].mediabox.width)


@pytest.fixture
def unbound() -> Iterator[None]:
    rendering.unbind_all()
    try:
        yield
    finally:
        bind_renderers()


def agreement(book: Book) -> int:
    cid = create_client(book, ClientInput(name="Ada Smith"), now=NOW)
    return create_agreement(
        book, cid, AgreementInput(title="Back on track", dated=date(2026, 11, 22)), now=NOW
    )


def test_nothing_prints_without_a_bound_renderer(unbound: None) -> None:
    doc = AgreementDocument("AG-1", "T", date(2026, 1, 1), Party("Us"), Party("Them"))
    with pytest.raises(printing.NoRendererError, match="No renderer is bound"):
        printing.render(doc, PageSize.A4)


def test_a_draft_is_rendered_at_the_settings_page_size(book: Book) -> None:
    aid = agreement(book)
    set_settings(book, ConsultantSettings(name="Jonas", page_size=PageSize.LETTER))
    data = printing.agreement_job(book, aid)()
    assert "DRAFT" in text_of(data) and "Back on track" in text_of(data)
    assert round(page_width(data)) == 612  # Letter, not A4's 595


def test_a_final_agreement_prints_as_stored_even_when_the_settings_change(book: Book) -> None:
    aid = agreement(book)
    give_details(book)  # issue 17: finalising needs the consultant's details
    finalise(book, aid, pdf_renderer(book), now=NOW)
    stored = agreement_pdf(book, aid)
    set_settings(book, ConsultantSettings(name="Someone else", page_size=PageSize.LETTER))
    assert printing.agreement_job(book, aid)() == stored
    preview = printing.agreement_preview_job(book, aid)()
    assert preview != stored and "Someone else" in text_of(preview)


def test_a_repair_prints_its_record_with_the_record_audience(book: Book, tmp_path: Path) -> None:
    iid = _incident(book, tmp_path)
    plan_id = _plan_at(book, iid, Step.INSURER, {"insurer_name": "Hiscox"})
    finish_other(book, plan_id, Step.INSURER, now=NOW)
    assert record_for(book, plan_id).audience is Audience.INSURER
    text = text_of(printing.repair_job(book, plan_id)())
    assert text.startswith("Notice to insurer")


def test_every_document_declares_its_audience() -> None:
    from dataclasses import fields

    from models.documents import ClientSummaryDocument, RecordDocument

    for kind in (AgreementDocument, ClientSummaryDocument, RecordDocument):
        assert "audience" in {f.name for f in fields(kind)}
    assert AgreementDocument.__dataclass_fields__["audience"].default is Audience.CLIENT
    assert ClientSummaryDocument.__dataclass_fields__["audience"].default is Audience.SELF
