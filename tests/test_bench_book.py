"""The benchmark book is written in bulk; it must hold exactly what the services would."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

from bench.make_book import build
from models.db import integrity_problems
from models.entities import FollowUpKind, IncidentStatus
from models.health import Band
from models.incidents import PRIORITY_OPEN_ENDED
from models.reminders import next_touch_due
from models.services.client_search import list_clients
from models.services.clients import get_client, local_date
from models.services.health import all_health, client_health
from models.services.incident_timeline import timeline
from models.services.incidents import get_incident, list_incidents, update_incident
from models.services.reminders import list_touches, open_follow_ups

TODAY = date(2026, 11, 22)  # build()'s default day
NOW = datetime(2026, 11, 22, 12, tzinfo=UTC)


def test_bulk_book_matches_the_rules(tmp_path: Path) -> None:
    book = build(tmp_path / "bench.db", 60, touches_per_client=6, seed=3)
    try:
        assert integrity_problems(book) == []
        rows = list_clients(book)
        assert len(rows) == 60
        with_due = 0
        for row in rows:
            c = get_client(book, row.id)
            touches = list_touches(book, c.id)
            assert c.last_touch_on == max(local_date(t.happened_at) for t in touches)
            expected = next_touch_due(
                cadence_days=c.cadence_days,
                last_touch_on=c.last_touch_on,
                added_on=local_date(c.created_at),
                status=c.status,
            )
            assert c.touch_due_on == expected
            with_due += expected is not None
            assert list_clients(book, c.emails[0].value) == [row]
        assert 0 < with_due < 60
        first = get_client(book, rows[0].id)
        typed = first.phones[0].value.replace(" ", "")  # "+44 20 …" typed without spaces
        assert first.id in [r.id for r in list_clients(book, typed)]
    finally:
        book.close()


def test_bulk_incidents_are_what_the_services_would_leave(tmp_path: Path) -> None:
    """Priority windows and health scores of the bulk book agree with the services:
    priority as update_incident recomputes it, health as client_health scores one
    client at a time (all_health's fast paths must give the very same answer)."""
    book = build(tmp_path / "bench.db", 400, touches_per_client=4, seed=5)
    try:
        assert integrity_problems(book) == []
        incidents = list_incidents(book, now=NOW)
        with_incidents = sorted({r.client_id for r in incidents})
        assert 8 <= len(with_incidents) <= 40  # about 5 %
        assert len({r.status for r in incidents}) == len(IncidentStatus)
        assert len({r.severity for r in incidents}) >= 3
        assert any(r.breach is not None and r.responded_at is None for r in incidents)
        assert any(r.breach is not None and r.responded_at is not None for r in incidents)
        assert all(len(timeline(book, r.id, now=NOW)) >= 2 for r in incidents)
        # A promise's follow-up is open exactly while the promise is unanswered and
        # the incident not closed, as record_response and set_status leave it.
        for cid in with_incidents:
            waiting = [
                f for f in open_follow_ups(book, cid) if f.kind is FollowUpKind.RESPONSE_PROMISE
            ]
            unsettled = [
                r
                for r in incidents
                if r.client_id == cid
                and r.response_due_at is not None
                and r.responded_at is None
                and r.closed_at is None
            ]
            assert len(waiting) == len(unsettled), cid
            assert {f.title for f in waiting} == {
                f"Full answer promised: {r.title}" for r in unsettled
            }

        stored = {cid: get_client(book, cid).priority_until for cid in with_incidents}
        assert any(v == PRIORITY_OPEN_ENDED for v in stored.values())
        for r in incidents:
            # A no-change edit makes the service recompute the client's window.
            update_incident(book, r.id, get_incident(book, r.id, now=NOW).as_input(), now=NOW)
        assert {cid: get_client(book, cid).priority_until for cid in with_incidents} == stored

        scores = all_health(book, TODAY)
        assert len(scores) == len(list_clients(book))
        for cid in scores:
            assert scores[cid] == client_health(book, cid, TODAY).now, cid
        bands = {scores[cid].band for cid in with_incidents}
        assert Band.RED in bands or Band.AMBER in bands
    finally:
        book.close()


def test_pdf_figure_renders_the_same_text_both_ways() -> None:
    """The pdf figure's floor prints the same strings as the app's renderer."""
    import io

    from pypdf import PdfReader

    from bench.pdf_figure import bare_pdf, bench_pdf, pdf_document
    from exports.pdf.agreement import render_agreement

    doc = pdf_document()
    assert len(doc.points) == 10 and len(doc.ours) == len(doc.theirs) == 8

    def words(data: bytes) -> set[str]:
        return set(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages).split())

    app, floor = words(render_agreement(doc)), words(bare_pdf(doc))
    assert {"Client", "commitment", "8:", "Margit", "Oberholzer"} <= app & floor
    pair = bench_pdf(repeat=1)
    assert pair.name == "pdf" and pair.app_ms > 0 and pair.floor_ms > 0


def test_bulk_book_has_agreements_as_the_services_leave_them(tmp_path: Path) -> None:
    """About 2 % of clients have agreements, written by the agreement services: drafts
    and finals, a replaced first version now and then, and each final one with its PDF
    (hash stored), its review date and open dated commitments as open follow-ups."""
    import hashlib

    from models.entities import AgreementStatus, CommitmentState
    from models.services.agreement_documents import agreement_pdf
    from models.services.agreements import get_agreement, list_agreements

    book = build(tmp_path / "bench.db", 1000, touches_per_client=2, seed=7)
    try:
        assert integrity_problems(book) == []
        rows = list_agreements(book)
        clients = {r.client_id for r in rows}
        assert 10 <= len(clients) <= 35  # about 2 % of 1000
        assert {r.status for r in rows} == set(AgreementStatus)
        states: set[CommitmentState] = set()
        for r in rows:
            detail = get_agreement(book, r.id)
            states |= {c.state for c in detail.commitments}
            pdf = agreement_pdf(book, r.id)
            if r.status is AgreementStatus.DRAFT:
                assert pdf is None and detail.review_follow_up_id is None
                continue
            assert pdf is not None and hashlib.sha256(pdf).hexdigest() == detail.pdf_sha256
            if r.status is AgreementStatus.FINAL:
                reminders = {f.id for f in open_follow_ups(book, r.client_id)}
                if r.review_on is not None:
                    assert detail.review_follow_up_id in reminders
                for c in detail.commitments:
                    waiting = c.follow_up_id in reminders
                    assert waiting == (c.state is CommitmentState.OPEN and c.due_on is not None)
        assert {CommitmentState.OPEN, CommitmentState.KEPT} <= states
        # Overdue commitments of final agreements are part of the health scores.
        scores = all_health(book, TODAY)
        for cid in clients:
            assert scores[cid] == client_health(book, cid, TODAY).now, cid
    finally:
        book.close()


def test_the_cache_key_follows_what_the_generator_does_not_where_it_is_written(
    tmp_path: Path,
) -> None:
    """A refactor of the generator (a definition moved to another of its modules, a
    comment or docstring reworded, an import from elsewhere) keeps the cached books;
    a changed statement builds new ones."""
    import shutil

    from bench.make_book import GENERATOR, HERE, generator_digest

    for name in GENERATOR:
        shutil.copy(HERE / name, tmp_path / name)
    before = generator_digest(tmp_path)
    assert before == generator_digest()

    rows = (tmp_path / "book_rows.py").read_text(encoding="utf-8")
    start = rows.index("class Ids:")
    moved = rows[start:]
    (tmp_path / "book_rows.py").write_text(
        rows[:start].replace('"""Rows written', '"""# Rows, reworded:') + "\n", encoding="utf-8"
    )
    incidents = (tmp_path / "book_incidents.py").read_text(encoding="utf-8")
    incidents = incidents.replace("from bench.book_rows import Ids\n", "")
    (tmp_path / "book_incidents.py").write_text(
        incidents + "\n\n# Moved here from book_rows.py.\n" + moved, encoding="utf-8"
    )
    assert generator_digest(tmp_path) == before

    incidents = (tmp_path / "book_incidents.py").read_text(encoding="utf-8")
    assert "INCIDENT_SHARE = 0.05\n" in incidents
    (tmp_path / "book_incidents.py").write_text(
        incidents.replace("INCIDENT_SHARE = 0.05\n", "INCIDENT_SHARE = 0.06\n"), encoding="utf-8"
    )
    assert generator_digest(tmp_path) != before
