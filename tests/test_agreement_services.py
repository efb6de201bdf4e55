"""Agreement services on a real book: drafts, finalising with a stored PDF, new
versions, commitment follow-ups and the consultant's settings."""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime, timedelta

import pytest

from models.db import Book
from models.documents import AgreementDocument, CommitmentLine, PageSize, Party
from models.entities import (
    AgreementStatus,
    CommitmentState,
    FollowUpKind,
    IncidentCategory,
    Severity,
    Side,
)
from models.services.agreement_documents import agreement_pdf, pdf_renderer
from models.services.agreements import (
    AgreementInput,
    CommitmentInput,
    create_agreement,
    delete_draft,
    document_for,
    finalise,
    get_agreement,
    list_agreements,
    new_version,
    set_commitment_state,
    update_draft,
)
from models.services.clients import (
    ClientInput,
    Contact,
    NotFoundError,
    ValidationError,
    create_client,
)
from models.services.consultant import ConsultantSettings, get_settings, set_settings
from models.services.health import all_health, client_health
from models.services.incidents import IncidentInput, open_incident
from models.services.reminders import open_follow_ups
from tests.consultant import give_details

NOW = datetime(2026, 5, 10, 9, 0, tzinfo=UTC)
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 16


def render(doc: AgreementDocument) -> bytes:
    """A small real renderer: deterministic bytes that say what was printed."""
    ours = ";".join(f"{c.text}@{c.due_on}" for c in doc.ours)
    theirs = ";".join(f"{c.text}@{c.due_on}" for c in doc.theirs)
    text = (
        f"%PDF-test\n{doc.number}\n{doc.title}\n{doc.status}\n{doc.consultant.name}\n"
        f"{doc.client.name}\n{'|'.join(doc.points)}\n{ours}\n{theirs}\n{doc.review_on}\n"
    )
    return text.encode()


def agreement(
    title: str = "Getting back on track", dated: date = date(2026, 5, 10)
) -> AgreementInput:
    return AgreementInput(
        title=title,
        dated=dated,
        context="After the late report.",
        points=["Weekly status call", "  ", "One contact person"],
        commitments=[
            CommitmentInput(Side.OURS, "Send weekly report", date(2026, 5, 15)),
            CommitmentInput(Side.THEIRS, "Confirm priorities", date(2026, 5, 12)),
            CommitmentInput(Side.OURS, "Keep notes", None),
        ],
        review_on=date(2026, 6, 10),
    )


@pytest.fixture
def client_id(book: Book) -> int:
    give_details(book)  # issue 17: finalising needs the consultant's details
    return create_client(
        book,
        ClientInput(
            name="Ada",
            organisation="Lovelace Ltd",
            role="CTO",
            emails=[Contact("ada@example.com")],
            phones=[Contact("+44 20 7946 0000")],
        ),
        now=NOW - timedelta(days=10),
    )


def test_numbers_run_per_year_of_the_agreement_date(book: Book, client_id: int) -> None:
    a = create_agreement(book, client_id, AgreementInput("A", date(2026, 1, 5)), now=NOW)
    b = create_agreement(book, client_id, AgreementInput("B", date(2026, 3, 1)), now=NOW)
    c = create_agreement(book, client_id, AgreementInput("C", date(2027, 1, 2)), now=NOW)
    assert [get_agreement(book, i).row.number for i in (a, b, c)] == [
        "AG-2026-0001",
        "AG-2026-0002",
        "AG-2027-0001",
    ]
    # A new version keeps its number; the next agreement still gets the next one.
    finalise(book, b, render, NOW)
    v2 = new_version(book, b, NOW)
    assert (get_agreement(book, v2).row.number, get_agreement(book, v2).row.version) == (
        "AG-2026-0002",
        2,
    )
    d = create_agreement(book, client_id, AgreementInput("D", date(2026, 9, 9)), now=NOW)
    assert get_agreement(book, d).row.number == "AG-2026-0003"


def test_create_stores_a_draft_with_ordered_points_and_commitments(
    book: Book, client_id: int
) -> None:
    aid = create_agreement(book, client_id, agreement(), now=NOW)
    d = get_agreement(book, aid)
    assert d.row.status is AgreementStatus.DRAFT
    assert d.row.version == 1 and d.supersedes_id is None
    assert d.points == ["Weekly status call", "One contact person"]
    assert [(c.side, c.position, c.text, c.due_on) for c in d.commitments] == [
        (Side.OURS, 0, "Send weekly report", date(2026, 5, 15)),
        (Side.OURS, 1, "Keep notes", None),
        (Side.THEIRS, 0, "Confirm priorities", date(2026, 5, 12)),
    ]
    assert agreement_pdf(book, aid) is None
    # A draft makes no follow-ups yet.
    assert open_follow_ups(book, client_id) == []


def test_create_refuses_bad_input_and_foreign_incidents(book: Book, client_id: int) -> None:
    with pytest.raises(ValidationError) as err:
        create_agreement(book, client_id, agreement(title="  "), now=NOW)
    assert err.value.errors == {"title": "Give the agreement a title."}
    bad_review = AgreementInput("T", date(2026, 5, 10), review_on=date(2026, 5, 9))
    with pytest.raises(ValidationError) as err:
        create_agreement(book, client_id, bad_review, now=NOW)
    assert set(err.value.errors) == {"review_on"}
    with pytest.raises(NotFoundError):
        create_agreement(book, 999, agreement(), now=NOW)
    other = create_client(book, ClientInput(name="Grace"), now=NOW)
    iid = open_incident(
        book,
        other,
        IncidentInput("Late", IncidentCategory.MISSED_DEADLINE, Severity.HIGH),
        now=NOW,
    )
    with pytest.raises(ValidationError) as err:
        create_agreement(book, client_id, agreement(), incident_id=iid, now=NOW)
    assert err.value.errors == {"incident": "That incident belongs to another client."}
    ok = create_agreement(book, other, agreement(), incident_id=iid, now=NOW)
    assert get_agreement(book, ok).incident_id == iid
    assert list_agreements(book) != []


def test_update_draft_replaces_its_content(book: Book, client_id: int) -> None:
    aid = create_agreement(book, client_id, agreement(), now=NOW)
    later = NOW + timedelta(hours=1)
    update_draft(
        book,
        aid,
        AgreementInput(
            "New title",
            date(2026, 5, 11),
            points=["Only point"],
            commitments=[CommitmentInput(Side.THEIRS, "Pay", date(2026, 6, 1))],
        ),
        later,
    )
    d = get_agreement(book, aid)
    assert (d.row.title, d.row.dated, d.points, d.row.review_on) == (
        "New title",
        date(2026, 5, 11),
        ["Only point"],
        None,
    )
    assert [(c.side, c.text) for c in d.commitments] == [(Side.THEIRS, "Pay")]
    assert d.updated_at == later


def test_finalise_stores_bytes_and_their_hash_and_refuses_edits(book: Book, client_id: int) -> None:
    aid = create_agreement(book, client_id, agreement(), now=NOW)
    expected = render(document_for(book, aid))  # what a draft preview would print
    digest = finalise(book, aid, render, NOW + timedelta(hours=2))
    pdf = agreement_pdf(book, aid)
    assert pdf is not None
    assert hashlib.sha256(pdf).hexdigest() == digest
    d = get_agreement(book, aid)
    assert d.pdf_sha256 == digest
    assert d.row.status is AgreementStatus.FINAL
    assert d.row.finalised_at == NOW + timedelta(hours=2)
    # The stored copy is the final one, not the draft preview.
    assert pdf == expected.replace(b"\ndraft\n", b"\nfinal\n")

    with pytest.raises(ValidationError) as err:
        update_draft(book, aid, agreement(title="Sneaky"), NOW)
    assert err.value.errors == {
        "status": "This agreement is final; make a new version to change it."
    }
    with pytest.raises(ValidationError):
        finalise(book, aid, render, NOW)
    with pytest.raises(ValidationError):
        delete_draft(book, aid)
    assert agreement_pdf(book, aid) == pdf


def test_a_failing_renderer_leaves_the_draft_as_it_was(book: Book, client_id: int) -> None:
    aid = create_agreement(book, client_id, agreement(), now=NOW)

    def broken(doc: AgreementDocument) -> bytes:
        raise OSError("disk full")

    with pytest.raises(OSError):
        finalise(book, aid, broken, NOW)
    d = get_agreement(book, aid)
    assert (d.row.status, d.pdf_sha256, d.row.finalised_at) == (AgreementStatus.DRAFT, None, None)
    assert open_follow_ups(book, client_id) == []


def test_finalise_turns_dates_into_follow_ups(book: Book, client_id: int) -> None:
    aid = create_agreement(book, client_id, agreement(), now=NOW)
    finalise(book, aid, render, NOW)
    fus = open_follow_ups(book, client_id)
    assert [(f.kind, f.title, f.due_on, f.original_due_on) for f in fus] == [
        (
            FollowUpKind.COMMITMENT,
            "Due (theirs): Confirm priorities",
            date(2026, 5, 12),
            date(2026, 5, 12),
        ),
        (
            FollowUpKind.COMMITMENT,
            "Due (ours): Send weekly report",
            date(2026, 5, 15),
            date(2026, 5, 15),
        ),
        (
            FollowUpKind.REVIEW,
            "Review agreement AG-2026-0001 with Ada",
            date(2026, 6, 10),
            date(2026, 6, 10),
        ),
    ]
    d = get_agreement(book, aid)
    assert d.review_follow_up_id == fus[2].id
    by_text = {c.text: c.follow_up_id for c in d.commitments}
    assert by_text == {
        "Send weekly report": fus[1].id,
        "Confirm priorities": fus[0].id,
        "Keep notes": None,
    }


def test_new_version_supersedes_on_finalise_and_keeps_old_bytes(book: Book, client_id: int) -> None:
    v1 = create_agreement(book, client_id, agreement(), now=NOW)
    finalise(book, v1, render, NOW)
    old_pdf = agreement_pdf(book, v1)
    old_hash = get_agreement(book, v1).pdf_sha256

    v2 = new_version(book, v1, NOW + timedelta(days=1))
    d2 = get_agreement(book, v2)
    assert (d2.row.number, d2.row.version, d2.supersedes_id, d2.row.status) == (
        "AG-2026-0001",
        2,
        v1,
        AgreementStatus.DRAFT,
    )
    assert d2.row.display_number == "AG-2026-0001 v2"
    assert [c.text for c in d2.commitments] == [c.text for c in get_agreement(book, v1).commitments]
    # Until v2 is final, v1 stays final; only one newer version at a time.
    assert get_agreement(book, v1).row.status is AgreementStatus.FINAL
    with pytest.raises(ValidationError):
        new_version(book, v1, NOW)
    with pytest.raises(ValidationError):
        new_version(book, v2, NOW)  # a draft is edited, not versioned

    changed = d2.as_input()
    update_draft(
        book,
        v2,
        AgreementInput(
            changed.title,
            changed.dated,
            points=[*changed.points, "Monthly review"],
            commitments=changed.commitments,
            review_on=date(2026, 7, 1),
        ),
        NOW + timedelta(days=1),
    )
    finalise(book, v2, render, NOW + timedelta(days=2))

    assert get_agreement(book, v1).row.status is AgreementStatus.SUPERSEDED
    assert get_agreement(book, v2).row.status is AgreementStatus.FINAL
    assert agreement_pdf(book, v1) == old_pdf  # byte for byte
    assert get_agreement(book, v1).pdf_sha256 == old_hash
    new_pdf = agreement_pdf(book, v2)
    assert new_pdf is not None and new_pdf != old_pdf
    assert b"AG-2026-0001 v2" in new_pdf

    # The old version's reminders gave way to the new version's.
    titles = [(f.title, f.due_on) for f in open_follow_ups(book, client_id)]
    assert titles == [
        ("Due (theirs): Confirm priorities", date(2026, 5, 12)),
        ("Due (ours): Send weekly report", date(2026, 5, 15)),
        ("Review agreement AG-2026-0001 v2 with Ada", date(2026, 7, 1)),
    ]
    with pytest.raises(ValidationError):
        update_draft(book, v1, agreement(), NOW)
    with pytest.raises(ValidationError):
        new_version(book, v1, NOW)
    assert [r.version for r in list_agreements(book, client_id)] == [2, 1]


def test_commitment_state_moves_its_follow_up(book: Book, client_id: int) -> None:
    aid = create_agreement(book, client_id, agreement(), now=NOW)
    finalise(book, aid, render, NOW)
    pdf = agreement_pdf(book, aid)
    [theirs] = [c for c in get_agreement(book, aid).commitments if c.side is Side.THEIRS]
    set_commitment_state(book, theirs.id, CommitmentState.KEPT, now=NOW)
    assert [f.title for f in open_follow_ups(book, client_id)] == [
        "Due (ours): Send weekly report",
        "Review agreement AG-2026-0001 with Ada",
    ]
    set_commitment_state(book, theirs.id, CommitmentState.OPEN, now=NOW)
    assert len(open_follow_ups(book, client_id)) == 3
    set_commitment_state(book, theirs.id, CommitmentState.BROKEN, now=NOW)
    [c] = [c for c in get_agreement(book, aid).commitments if c.id == theirs.id]
    assert c.state is CommitmentState.BROKEN
    assert agreement_pdf(book, aid) == pdf  # tracking never rewrites the record
    with pytest.raises(NotFoundError):
        set_commitment_state(book, 999, CommitmentState.KEPT)


def test_overdue_commitments_of_final_agreements_cost_health(book: Book, client_id: int) -> None:
    today = date(2026, 5, 20)  # both dated commitments are past due
    draft = create_agreement(book, client_id, agreement(), now=NOW)
    assert (
        client_health(book, client_id, today).now.score == all_health(book, today)[client_id].score
    )
    before = all_health(book, today)[client_id]
    finalise(book, draft, render, NOW)
    after = all_health(book, today)[client_id]
    assert "2 commitments overdue" in [f.reason for f in after.factors]
    assert after.score < before.score
    assert client_health(book, client_id, today).now == after
    [ours] = [c for c in get_agreement(book, draft).commitments if c.text == "Send weekly report"]
    set_commitment_state(book, ours.id, CommitmentState.KEPT, now=NOW)
    assert "1 commitment overdue" in [f.reason for f in all_health(book, today)[client_id].factors]


def test_document_for_builds_both_parties_from_the_book(book: Book, client_id: int) -> None:
    set_settings(
        book,
        ConsultantSettings(
            name="Mia Consultant",
            business="Mia Advisory",
            address="1 High Street\nLondon",
            email="mia@example.com",
            phone="+44 1234 567890",
            logo_png=PNG,
            page_size=PageSize.LETTER,
        ),
    )
    aid = create_agreement(book, client_id, agreement(), now=NOW)
    doc = document_for(book, aid)
    assert doc == AgreementDocument(
        number="AG-2026-0001",
        title="Getting back on track",
        dated=date(2026, 5, 10),
        consultant=Party(
            name="Mia Consultant",
            organisation="Mia Advisory",
            address="1 High Street\nLondon",
            email="mia@example.com",
            phone="+44 1234 567890",
        ),
        client=Party(
            name="Ada",
            organisation="Lovelace Ltd",
            role="CTO",
            email="ada@example.com",
            phone="+44 20 7946 0000",
        ),
        context="After the late report.",
        points=["Weekly status call", "One contact person"],
        ours=[
            CommitmentLine("Send weekly report", date(2026, 5, 15)),
            CommitmentLine("Keep notes", None),
        ],
        theirs=[CommitmentLine("Confirm priorities", date(2026, 5, 12))],
        review_on=date(2026, 6, 10),
        status="draft",
        logo_png=PNG,
    )


def test_settings_round_trip_and_defaults(book: Book) -> None:
    assert get_settings(book) == ConsultantSettings()
    wanted = ConsultantSettings(
        name="  Mia   Consultant ",
        business="Mia Advisory",
        address="  1 High Street  \n London ",
        email=" mia@example.com ",
        phone="+44 1234 567890",
        logo_png=PNG,
        page_size=PageSize.LETTER,
    )
    set_settings(book, wanted)
    assert get_settings(book) == ConsultantSettings(
        name="Mia Consultant",
        business="Mia Advisory",
        address="1 High Street\nLondon",
        email="mia@example.com",
        phone="+44 1234 567890",
        logo_png=PNG,
        page_size=PageSize.LETTER,
    )
    set_settings(book, ConsultantSettings(name="Mia"))  # clearing works too
    assert get_settings(book) == ConsultantSettings(name="Mia")


def test_settings_validation(book: Book) -> None:
    with pytest.raises(ValidationError) as err:
        set_settings(
            book,
            ConsultantSettings(
                email="mia.example.com",
                phone="call me",
                logo_png=b"GIF89a",
                page_size="A5",  # type: ignore[arg-type]
            ),
        )
    assert err.value.errors == {
        "email": "That does not look like an email address (name@example.com).",
        "phone": "That does not look like a phone number.",
        "logo_png": "The logo must be a PNG image.",
        "page_size": "Choose A4 or Letter.",
    }
    assert get_settings(book) == ConsultantSettings()  # nothing half-saved


def test_delete_draft_and_missing_rows(book: Book, client_id: int) -> None:
    aid = create_agreement(book, client_id, agreement(), now=NOW)
    delete_draft(book, aid)
    assert list_agreements(book) == []
    for call in (
        lambda: get_agreement(book, aid),
        lambda: document_for(book, aid),
        lambda: agreement_pdf(book, aid),
        lambda: finalise(book, aid, render, NOW),
        lambda: new_version(book, aid, NOW),
    ):
        with pytest.raises(NotFoundError):
            call()


def test_finalise_with_the_real_pdf_renderer(book: Book, client_id: int) -> None:
    set_settings(
        book,
        ConsultantSettings(
            name="Mia Consultant",
            business="Mia Advisory",
            email="mia@example.com",
            page_size=PageSize.LETTER,
        ),
    )
    aid = create_agreement(book, client_id, agreement(), now=NOW)
    digest = finalise(book, aid, pdf_renderer(book), NOW)
    pdf = agreement_pdf(book, aid)
    assert pdf is not None and pdf.startswith(b"%PDF-")
    assert hashlib.sha256(pdf).hexdigest() == digest
    assert b"/MediaBox [ 0 0 612 792 ]" in pdf  # Letter, from the settings


def test_finalising_without_my_details_is_refused_with_the_reason(book: Book) -> None:
    """Issue 17: a final agreement names who it is from, and cannot change later."""
    from models.services.agreements import MissingDetailsError

    cid = create_client(book, ClientInput(name="Ada"), now=NOW)
    aid = create_agreement(book, cid, agreement(), now=NOW)
    set_settings(book, ConsultantSettings(name="Mia Consultant"))
    with pytest.raises(MissingDetailsError) as err:
        finalise(book, aid, render, NOW)
    assert err.value.errors["consultant"].startswith("Add your business and email")
    assert get_agreement(book, aid).row.status is AgreementStatus.DRAFT
    assert agreement_pdf(book, aid) is None
    give_details(book)
    finalise(book, aid, render, NOW)
    assert get_agreement(book, aid).row.status is AgreementStatus.FINAL
