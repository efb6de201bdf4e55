"""Repair plans in a real book: autosave, resume, skip, and every ending's effects."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from models.db import Book
from models.entities import (
    AgreementStatus,
    ClientStatus,
    IncidentCategory,
    IncidentStatus,
    RepairEnding,
    Severity,
    Side,
)
from models.repair import SKIPPABLE, Step
from models.services.agreements import (
    AgreementInput,
    CommitmentInput,
    delete_draft,
    finalise,
    get_agreement,
    update_draft,
)
from models.services.clients import (
    ClientInput,
    NotFoundError,
    ValidationError,
    create_client,
    get_client,
)
from models.services.incident_timeline import timeline
from models.services.incidents import IncidentInput, get_incident, open_incident, set_status
from models.services.insurer import InsurerDetails, get_insurer, set_insurer
from models.services.reminders import open_follow_ups
from models.services.repair import (
    active_plan,
    discard_plan,
    finish_other,
    finish_with_agreement,
    get_plan,
    latest_plan,
    preview_agreement,
    save_step,
    set_skipped,
    start_or_resume,
)
from models.services.repair_records import record_for
from tests.consultant import give_details

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)


@pytest.fixture
def incident(book: Book) -> int:
    cid = create_client(book, ClientInput(name="Anna Berg", cadence_days=30), now=NOW)
    return open_incident(
        book,
        cid,
        IncidentInput(
            "Late report", IncidentCategory.MISSED_DEADLINE, Severity.HIGH, client_view="Waiting"
        ),
        now=NOW,
    )


def _client_id(book: Book, incident_id: int) -> int:
    return get_incident(book, incident_id).row.client_id


def test_a_new_plan_starts_from_the_incident_with_drafts(book: Book, incident: int) -> None:
    plan = start_or_resume(book, incident, now=NOW)
    assert plan.current_step is Step.FACTS and not plan.finished
    assert plan.value("client_view") == "Waiting"
    assert plan.value("reply").startswith("Hello Anna,")
    # The incident's own 24-hour promise is what the reply promises.
    assert plan.value("reply_due_at") == (NOW + timedelta(hours=24)).isoformat()
    assert plan.value("review_on") == "2027-02-23"
    assert plan.state(Step.FACTS) == "current"
    assert plan.state(Step.GOALS) == "todo"
    # Starting again resumes the same plan: one plan per incident at a time.
    assert start_or_resume(book, incident).id == plan.id


def test_autosave_resumes_at_the_same_page_with_the_same_text(book: Book, incident: int) -> None:
    plan = start_or_resume(book, incident, now=NOW)
    save_step(
        book, plan.id, Step.FACTS, {"facts": "Nine days late."}, go_to=Step.EVIDENCE, mark_done=True
    )
    save_step(book, plan.id, Step.GOALS, {"priorities": ["Speed", "Cost"]}, go_to=Step.GOALS)
    again = active_plan(book, incident)
    assert again is not None
    assert again.current_step is Step.GOALS
    assert again.value("facts") == "Nine days late."
    assert again.value("priorities") == ["Speed", "Cost"]
    assert again.state(Step.FACTS) == "done"


def test_saving_mirrors_views_onto_the_incident_and_moves_the_promise(
    book: Book, incident: int
) -> None:
    plan = start_or_resume(book, incident, now=NOW)
    due = datetime(2026, 11, 25, 17, 0, tzinfo=UTC)
    save_step(book, plan.id, Step.FACTS, {"our_view": "A source broke", "reply_due_at": due})
    save_step(book, plan.id, Step.BOTH_SIDES, {"our_mistakes": "No warning"})
    detail = get_incident(book, incident)
    assert detail.our_view == "A source broke"
    assert detail.our_mistakes == "No warning"
    assert detail.row.response_due_at == due
    promise = [f for f in open_follow_ups(book, detail.row.client_id) if "promised" in f.title]
    assert [f.due_on for f in promise] == [due.astimezone().date()]


def test_bad_values_are_refused_and_nothing_is_saved(book: Book, incident: int) -> None:
    plan = start_or_resume(book, incident, now=NOW)
    with pytest.raises(ValidationError) as err:
        save_step(book, plan.id, Step.TIMEFRAME, {"review_on": "next spring", "check_in": "Hi"})
    assert "review_on" in err.value.errors
    assert get_plan(book, plan.id).value("check_in") == plan.value("check_in")


def test_steps_one_and_ten_cannot_be_skipped(book: Book, incident: int) -> None:
    plan = start_or_resume(book, incident, now=NOW)
    for step in (Step.FACTS, Step.IN_WRITING, Step.PART_WAYS):
        with pytest.raises(ValidationError):
            set_skipped(book, plan.id, step, True)
    plan = set_skipped(book, plan.id, Step.APOLOGY, True)
    assert plan.state(Step.APOLOGY) == "skipped"
    plan = set_skipped(book, plan.id, Step.APOLOGY, False)
    assert plan.state(Step.APOLOGY) == "todo"


def test_finishing_writes_the_agreement_follow_ups_and_moves_the_incident(
    book: Book, incident: int
) -> None:
    plan = start_or_resume(book, incident, now=NOW)
    save_step(book, plan.id, Step.FACTS, {"facts": "Nine days late."})
    save_step(
        book,
        plan.id,
        Step.OUR_CHANGE,
        {
            "ours": [
                {"text": "Weekly status email", "due_on": "2026-12-04"},
                {"text": "One named contact", "due_on": None},
            ]
        },
    )
    save_step(
        book,
        plan.id,
        Step.OUR_REQUEST,
        {"theirs": [{"text": "Feedback within 3 days", "due_on": "2026-12-11"}]},
    )
    save_step(book, plan.id, Step.TIMEFRAME, {"review_on": "2027-03-01"})
    assert preview_agreement(book, plan.id).review_on == date(2027, 3, 1)

    agreement_id = finish_with_agreement(book, plan.id, now=NOW)

    ag = get_agreement(book, agreement_id)
    assert ag.row.status is AgreementStatus.DRAFT and ag.incident_id == incident
    assert [(c.side, c.text, c.due_on) for c in ag.commitments] == [
        (Side.OURS, "Weekly status email", date(2026, 12, 4)),
        (Side.OURS, "One named contact", None),
        (Side.THEIRS, "Feedback within 3 days", date(2026, 12, 11)),
    ]
    assert ag.row.review_on == date(2027, 3, 1)
    client_id = _client_id(book, incident)
    due = sorted((f.due_on, f.title) for f in open_follow_ups(book, client_id))
    assert due == [
        (date(2026, 12, 4), "Due (ours): Weekly status email"),
        (date(2026, 12, 11), "Due (theirs): Feedback within 3 days"),
        (date(2027, 3, 1), f"Review agreement {ag.row.number} with Anna Berg"),
    ]  # the reply's promise is settled: the full answer is the agreement
    inc = get_incident(book, incident).row
    assert inc.status is IncidentStatus.REPAIRING
    assert inc.responded_at == NOW
    finished = latest_plan(book, incident)
    assert finished is not None and finished.finished
    assert finished.ending is RepairEnding.AGREEMENT and finished.agreement_id == agreement_id
    assert active_plan(book, incident) is None
    with pytest.raises(ValidationError):
        save_step(book, plan.id, Step.FACTS, {"facts": "changed"})


def test_finalising_the_wizards_draft_does_not_double_its_follow_ups(
    book: Book, incident: int
) -> None:
    plan = start_or_resume(book, incident, now=NOW)
    save_step(book, plan.id, Step.FACTS, {"facts": "Late."})
    save_step(
        book, plan.id, Step.OUR_CHANGE, {"ours": [{"text": "Weekly", "due_on": "2026-12-04"}]}
    )
    agreement_id = finish_with_agreement(book, plan.id, now=NOW)
    client_id = _client_id(book, incident)
    before = sorted((f.id, f.due_on) for f in open_follow_ups(book, client_id))
    assert len(before) == 2

    # Editing the draft moves the review's reminder rather than adding one.
    data = get_agreement(book, agreement_id).as_input()
    update_draft(
        book, agreement_id, AgreementInput(**{**data.__dict__, "review_on": date(2027, 4, 1)})
    )
    give_details(book)  # issue 17: finalising needs the consultant's details
    finalise(book, agreement_id, lambda _doc: b"%PDF-1.4 test", now=NOW)
    after = sorted((f.id, f.due_on) for f in open_follow_ups(book, client_id))
    assert [f[0] for f in after] == [f[0] for f in before]
    assert date(2027, 4, 1) in [f[1] for f in after]


def test_removing_a_commitment_from_the_draft_removes_its_reminder(
    book: Book, incident: int
) -> None:
    plan = start_or_resume(book, incident, now=NOW)
    save_step(book, plan.id, Step.FACTS, {"facts": "Late."})
    save_step(
        book, plan.id, Step.OUR_CHANGE, {"ours": [{"text": "Weekly", "due_on": "2026-12-04"}]}
    )
    agreement_id = finish_with_agreement(book, plan.id, now=NOW)
    client_id = _client_id(book, incident)
    data = get_agreement(book, agreement_id).as_input()
    update_draft(
        book,
        agreement_id,
        AgreementInput(data.title, data.dated, commitments=[CommitmentInput(Side.THEIRS, "Pay")]),
    )
    assert [f.title for f in open_follow_ups(book, client_id)] == []
    delete_draft(book, agreement_id)


def test_skipping_two_to_nine_still_makes_a_valid_agreement(book: Book, incident: int) -> None:
    plan = start_or_resume(book, incident, now=NOW)
    save_step(book, plan.id, Step.FACTS, {"facts": "Nine days late."})
    save_step(book, plan.id, Step.OUR_CHANGE, {"ours": [{"text": "Ignored", "due_on": None}]})
    for step in sorted(SKIPPABLE):
        set_skipped(book, plan.id, step, True)
    ag = get_agreement(book, finish_with_agreement(book, plan.id, now=NOW))
    assert ag.commitments == [] and ag.row.review_on is None
    assert "Repair steps skipped on the way to this agreement: 2 (evidence)" in ag.context
    assert "9 (timeframe)" in ag.context
    assert [f.title for f in open_follow_ups(book, ag.row.client_id)] == []


def test_finishing_without_the_facts_is_refused(book: Book, incident: int) -> None:
    plan = start_or_resume(book, incident, now=NOW)
    with pytest.raises(ValidationError) as err:
        finish_with_agreement(book, plan.id, now=NOW)
    assert set(err.value.errors) == {"facts"}
    assert active_plan(book, incident) is not None


def test_hand_over_records_the_successor(book: Book, incident: int) -> None:
    plan = start_or_resume(book, incident, now=NOW)
    save_step(book, plan.id, Step.FACTS, {"facts": "Out of our depth."})
    with pytest.raises(ValidationError):
        finish_other(book, plan.id, Step.HAND_OVER, now=NOW)
    save_step(book, plan.id, Step.HAND_OVER, {"successor": "Kim Lee", "access_notes": "Vault"})
    finish_other(book, plan.id, Step.HAND_OVER, now=NOW)
    assert any("Handed over to Kim Lee" in r.text for r in timeline(book, incident, now=NOW))
    doc = record_for(book, plan.id)
    assert doc.kind == "Hand-over brief" and doc.addressee is not None
    assert doc.addressee.name == "Kim Lee" and doc.dated == date(2026, 11, 23)
    assert get_plan(book, plan.id).ending is RepairEnding.HAND_OVER


def test_insurer_notice_keeps_the_details_for_next_time(book: Book, incident: int) -> None:
    set_insurer(book, InsurerDetails("Hiscox", "PI-1", "claims@example.com"))
    plan = start_or_resume(book, incident, now=NOW)
    assert plan.value("insurer_name") == "Hiscox"
    save_step(book, plan.id, Step.FACTS, {"facts": "Client threatens a claim."})
    save_step(book, plan.id, Step.INSURER, {"insurer_policy": "PI-2"})
    finish_other(book, plan.id, Step.INSURER, now=NOW)
    assert get_insurer(book) == InsurerDetails("Hiscox", "PI-2", "claims@example.com")
    assert any("Insurer told: Hiscox (policy PI-2)" in r.text for r in timeline(book, incident))
    assert record_for(book, plan.id).reference == "Policy PI-2"


def test_parting_ways_loses_the_incident_and_the_client_becomes_former(
    book: Book, incident: int
) -> None:
    plan = start_or_resume(book, incident, now=NOW)
    client_id = _client_id(book, incident)
    save_step(book, plan.id, Step.FACTS, {"facts": "Not a fit."})
    save_step(book, plan.id, Step.PART_WAYS, {"we_owe": "Credit note", "they_owe": "Nothing"})
    finish_other(book, plan.id, Step.PART_WAYS, now=NOW)
    inc = get_incident(book, incident).row
    assert inc.status is IncidentStatus.LOST and inc.closed_at == NOW
    client = get_client(book, client_id)
    assert client.status is ClientStatus.FORMER
    assert open_follow_ups(book, client_id) == []  # the promise is settled, nothing nags
    with pytest.raises(ValidationError):
        start_or_resume(book, incident)


def test_discarding_keeps_what_the_incident_already_says(book: Book, incident: int) -> None:
    plan = start_or_resume(book, incident, now=NOW)
    save_step(book, plan.id, Step.FACTS, {"our_view": "Kept"})
    discard_plan(book, plan.id)
    assert active_plan(book, incident) is None and latest_plan(book, incident) is None
    assert get_incident(book, incident).our_view == "Kept"
    with pytest.raises(NotFoundError):
        get_plan(book, plan.id)


def test_a_resolved_incident_that_flares_up_goes_back_to_repairing(
    book: Book, incident: int
) -> None:
    set_status(book, incident, IncidentStatus.ACKNOWLEDGED, now=NOW)
    set_status(book, incident, IncidentStatus.RESOLVED, now=NOW)
    plan = start_or_resume(book, incident, now=NOW)
    save_step(book, plan.id, Step.FACTS, {"facts": "It happened again."})
    finish_with_agreement(book, plan.id, now=NOW)
    inc = get_incident(book, incident).row
    assert inc.status is IncidentStatus.REPAIRING and inc.closed_at is None
