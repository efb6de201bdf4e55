"""The client summary (evidence pack): built from a real book, rendered by ReportLab,
read back with pypdf; and `rapport pdf client` as a real process."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pypdf
import pytest

from exports.pdf.summary import render_client_summary
from models.db import Book, open_book
from models.documents import (
    ClientSummaryDocument,
    Party,
    SummaryTouch,
)
from models.entities import Channel, EntryKind, IncidentCategory, Severity, Side
from models.services.agreement_documents import pdf_renderer
from models.services.agreements import AgreementInput, CommitmentInput, create_agreement, finalise
from models.services.clients import ClientInput, Contact, NotFoundError, create_client
from models.services.consultant import ConsultantSettings, set_settings
from models.services.incident_timeline import add_entry
from models.services.incidents import IncidentInput, open_incident
from models.services.reminders import TouchInput, log_touch
from models.services.summary import client_summary
from tests.test_cli import assert_clean_error, rapport

NOW = datetime(2026, 11, 22, 10, tzinfo=UTC)
TODAY = date(2026, 11, 22)


def text_of(data: bytes) -> str:
    return "\n".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(data)).pages)


def fill(book: Book, name: str = "<b>Smith & Co</b>") -> int:
    set_settings(
        book,
        ConsultantSettings(
            name="Jonas Weber", business="Weber Web Studio", email="jonas@weberweb.example"
        ),
    )
    cid = create_client(
        book,
        ClientInput(
            name=name,
            organisation="Ελληνική Εταιρεία",
            emails=[Contact("smith@example.test", "work")],
            tags=["retainer", "Москва"],
            notes="Prefers calls.\n\nКириллица и ελληνικά.",
            cadence_days=30,
        ),
        now=NOW - timedelta(days=90),
    )
    log_touch(
        book,
        cid,
        TouchInput(NOW - timedelta(days=20), Channel.CALL, "Talked through the launch plan"),
        now=NOW,
    )
    log_touch(
        book,
        cid,
        TouchInput(NOW - timedelta(days=2), Channel.EMAIL, "Sent the weekly report"),
        now=NOW,
    )
    iid = open_incident(
        book,
        cid,
        IncidentInput("Launch slipped a week", IncidentCategory.MISSED_DEADLINE, Severity.HIGH),
        now=NOW - timedelta(days=10),
    )
    add_entry(book, iid, EntryKind.NOTE, "Apologised on the phone", now=NOW - timedelta(days=9))
    aid = create_agreement(
        book,
        cid,
        AgreementInput(
            title="Back on track",
            dated=TODAY,
            points=["Weekly report"],
            commitments=[
                CommitmentInput(Side.OURS, "Send the weekly report every Friday", None),
                CommitmentInput(Side.THEIRS, "Answer questions within two days", None),
            ],
            review_on=TODAY + timedelta(days=60),
        ),
        incident_id=iid,
        now=NOW,
    )
    finalise(book, aid, pdf_renderer(book), now=NOW)
    return cid


@pytest.fixture
def book(tmp_path: Path) -> Book:
    b = open_book(tmp_path / "b.db")
    yield b
    b.close()


def test_builder_collects_everything(book: Book) -> None:
    cid = fill(book)
    doc = client_summary(book, cid, TODAY, now=NOW)
    assert doc.client.name == "<b>Smith & Co</b>"
    assert doc.tags and doc.cadence and doc.health_score is not None
    assert [t.summary for t in doc.touches] == [
        "Sent the weekly report",
        "Talked through the launch plan",
    ]
    (inc,) = doc.incidents
    assert inc.title == "Launch slipped a week" and inc.severity == "high"
    assert any("Apologised" in e.text for e in inc.entries)
    (ag,) = doc.agreements
    assert ag.status == "final" and ag.review_on == TODAY + timedelta(days=60)
    assert ag.ours[0].text.startswith("Send the weekly") and ag.theirs


def test_builder_unknown_client(book: Book) -> None:
    with pytest.raises(NotFoundError):
        client_summary(book, 999, TODAY)


def test_pdf_reads_back(book: Book) -> None:
    cid = fill(book)
    data = render_client_summary(client_summary(book, cid, TODAY, now=NOW))
    text = text_of(data)
    for needle in (
        "<b>Smith & Co</b>",
        "Sent the weekly report",
        "Launch slipped a week",
        "Apologised on the phone",
        "Send the weekly report every Friday",
        "Answer questions within two days",
        "Ελληνική Εταιρεία",
        "Кириллица и ελληνικά.",
        "Москва",
        "Jonas Weber",
        "Page 1 of",
    ):
        assert needle in text, needle
    # The same document renders to the same bytes.
    assert render_client_summary(client_summary(book, cid, TODAY, now=NOW)) == data


def test_many_touches_paginate_with_headers() -> None:
    base = datetime(2026, 1, 1, 9, tzinfo=UTC)
    doc = ClientSummaryDocument(
        today=TODAY,
        client=Party(name="Busy Client"),
        consultant=Party(name="Jonas Weber"),
        touches=[
            SummaryTouch(base + timedelta(hours=i), "call", f"Touch number {i:03d}")
            for i in range(300, 0, -1)
        ],
    )
    reader = pypdf.PdfReader(io.BytesIO(render_client_summary(doc)))
    pages = [p.extract_text() for p in reader.pages]
    assert len(pages) >= 5
    assert all(f"of {len(pages)}" in p for p in pages)
    with_touches = [p for p in pages if "Touch number" in p]
    assert len(with_touches) >= 4
    assert all(" ".join(p.split()[:3]) == "When How Summary" for p in with_touches[1:])
    assert all("When How Summary" in " ".join(p.split()) for p in with_touches)
    text = "\n".join(pages)
    assert all(f"Touch number {i:03d}" in text for i in range(1, 301))


def test_cli_writes_summary(tmp_path: Path) -> None:
    path, out = tmp_path / "b.db", tmp_path / "summary.pdf"
    b = open_book(path)
    try:
        cid = fill(b)
    finally:
        b.close()
    result = rapport("--db", path, "pdf", "client", str(cid), out, check=True)
    assert "Wrote the summary" in result.stdout
    text = text_of(out.read_bytes())
    assert "<b>Smith & Co</b>" in text and "Launch slipped a week" in text


def test_cli_unknown_client_is_one_clear_line(tmp_path: Path) -> None:
    path = tmp_path / "b.db"
    b = open_book(path)
    try:
        fill(b)
    finally:
        b.close()
    result = rapport("--db", path, "pdf", "client", "999", tmp_path / "x.pdf")
    assert_clean_error(result, "no client with id 999")
    assert not (tmp_path / "x.pdf").exists()
