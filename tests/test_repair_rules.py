"""The repair playbook's pure rules: answers, drafts, and what an agreement says."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from models.documents import Party
from models.repair import (
    FIELDS,
    PLAYBOOK,
    SKIPPABLE,
    STEP_OF,
    PlannedCommitment,
    Step,
    clean_answers,
    default_review_on,
    draft_apology,
    draft_check_in,
    draft_reply,
    finish_problems,
    step_done,
)
from models.repair_agreement import candidates, compose_agreement, skipped_sentence, ticked
from models.repair_records import RecordFacts, compose_record


def test_steps_are_the_playbooks_ten_then_three_endings() -> None:
    assert [int(s) for s in PLAYBOOK] == list(range(1, 11))
    assert {Step(n) for n in range(2, 10)} == SKIPPABLE
    # Every field belongs to exactly one step, so a page never writes another's answer.
    names = [name for fields in FIELDS.values() for name in fields]
    assert len(names) == len(set(names)) == len(STEP_OF)


def test_clean_keeps_text_as_typed_and_normalises_the_rest() -> None:
    clean, errors = clean_answers(
        Step.GOALS,
        {"why_hired": "  Growth \n", "priorities": ["  Speed  of\nreplies ", "", "Cost"]},
    )
    assert errors == {}
    assert clean == {"why_hired": "  Growth \n", "priorities": ["Speed of replies", "Cost"]}


def test_clean_refuses_fields_of_other_steps_and_bad_shapes() -> None:
    _, errors = clean_answers(
        Step.FACTS, {"apology": "x", "facts": 3, "reply_due_at": "2026-11-24"}
    )
    assert set(errors) == {"apology", "facts", "reply_due_at"}
    assert "zone" in errors["reply_due_at"]
    _, errors = clean_answers(Step.OUR_CHANGE, {"ours": [{"text": "x", "due_on": "31/12/2026"}]})
    assert "YYYY-MM-DD" in errors["ours"]
    _, errors = clean_answers(Step.EVIDENCE, {"evidence_ids": [1, True]})
    assert "evidence_ids" in errors
    _, errors = clean_answers(Step.APOLOGY, {"apology": "x" * 20_001})
    assert "20000" in errors["apology"]


def test_commitments_drop_empty_rows_and_keep_dates() -> None:
    clean, errors = clean_answers(
        Step.OUR_CHANGE,
        {
            "ours": [
                {"text": "Weekly report", "due_on": date(2026, 12, 4)},
                {"text": "  ", "due_on": None},
                PlannedCommitment("Call on Fridays"),
            ]
        },
    )
    assert errors == {}
    assert clean["ours"] == [
        {"text": "Weekly report", "due_on": "2026-12-04"},
        {"text": "Call on Fridays", "due_on": None},
    ]


def test_a_step_is_done_only_when_something_is_in_it() -> None:
    assert not step_done(Step.STATE, {"project_state": "   "})
    assert step_done(Step.STATE, {"choices": "Went with the cheaper host"})
    assert not step_done(Step.GOALS, {"priorities": []})


@pytest.mark.parametrize(
    ("today", "review"),
    [
        (date(2026, 11, 23), date(2027, 2, 23)),
        (date(2026, 11, 30), date(2027, 2, 28)),  # no 30 February
        (date(2027, 11, 30), date(2028, 2, 29)),  # a leap year
    ],
)
def test_review_is_three_months_on(today: date, review: date) -> None:
    assert default_review_on(today) == review


def test_reply_promises_a_time_in_the_clients_first_name() -> None:
    when = datetime(2026, 11, 24, 9, 30, tzinfo=timezone(timedelta(hours=1)))
    reply = draft_reply("Anna Berg", "Sam Reed", when)
    assert reply.startswith("Hello Anna,")
    assert "Tuesday, 24 November 2026 at 09:30" in reply  # issue 17: the locale's style
    assert reply.endswith("Sam Reed")


def test_apology_names_only_the_listed_mistakes() -> None:
    one = draft_apology("Anna Berg", "Sent the May report nine days late.", "Sam")
    assert "I am sorry. I made a mistake: sent the May report nine days late." in one
    many = draft_apology("Anna Berg", "Missed the deadline\n\nDid not warn you early", "")
    assert "- Missed the deadline\n- Did not warn you early" in many
    assert "inconvenience" not in many
    # Nothing named, nothing drafted: an apology for nothing in particular is worse than none.
    assert draft_apology("Anna Berg", "   \n", "Sam") == ""


def test_check_in_names_the_review_day() -> None:
    assert "Tuesday, 23 February 2027" in draft_check_in("Anna Berg", date(2027, 2, 23))


ANSWERS = {
    "facts": "The May report came nine days late.",
    "client_view": "We were left waiting.",
    "our_view": "A data source broke.",
    "our_mistakes": "Did not warn early.",
    "client_contribution": "Access came two weeks late.",
    "project_state": "Phase 2 of 3.",
    "why_hired": "To grow online sales.",
    "priorities": ["Quick replies", "Monthly numbers"],
    "evidence_ids": [3, 4],
    "figures": "38 hours in May",
    "ours": [{"text": "Weekly status email", "due_on": "2026-12-04"}],
    "theirs": [{"text": "Feedback within 3 days", "due_on": None}],
    "review_on": "2027-02-23",
    "check_in": "A short call.",
    "points": ["Invoices monthly"],
    "notes": "Nobody owned the reporting calendar.",
}


def test_agreement_holds_every_step() -> None:
    ag = compose_agreement(ANSWERS, [], today=date(2026, 12, 6), client_name="Anna Berg")
    # Issue 17: a clean title the client can read, not our incident's name.
    assert ag.title == "Our agreement \u2014 6 December 2026"
    for words in (
        "nine days late",
        "left waiting",
        "Did not warn early",
        "two weeks late",
        "Nobody owned the reporting calendar",
    ):
        assert words in ag.context
    assert "skipped" not in ag.context
    assert "Anna's priorities, in order: 1. Quick replies; 2. Monthly numbers" in ag.points
    # Issue 17: private preparation (our view, the evidence looked at, our figures, the
    # check-in draft) stays out unless ticked; see test_private_points_need_a_tick.
    assert "We went through the record together (2 items)." not in ag.points
    assert "A data source broke." not in ag.context
    assert "Invoices monthly" in ag.points
    assert ag.ours == [PlannedCommitment("Weekly status email", date(2026, 12, 4))]
    assert ag.theirs == [PlannedCommitment("Feedback within 3 days", None)]
    assert ag.review_on == date(2027, 2, 23)


def test_private_points_need_a_tick() -> None:
    """Issue 17: private preparation is offered unticked; a tick brings it in, an
    untick takes a shared point out, and the context keeps its headed paragraphs."""
    answers = {**ANSWERS, "apology": "I am sorry about May."}
    offered = {c.key: c for c in candidates(answers, [], client_name="Anna Berg")}
    private = {k for k, c in offered.items() if c.private}
    assert private == {
        "context:our_view",
        "context:apology",
        "point:evidence",
        "point:figures",
        "point:check_in",
    }
    plain = compose_agreement(answers, [], today=date(2026, 12, 6), client_name="Anna Berg")
    for words in ("data source broke", "sorry about May", "38 hours", "A short call", "record"):
        assert words not in plain.context + " ".join(plain.points)
    assert "How Anna sees it\nWe were left waiting." in plain.context
    chosen = {
        **answers,
        "shown": ["point:figures", "context:apology"],
        "hidden": ["context:client_contribution"],
    }
    ag = compose_agreement(chosen, [], today=date(2026, 12, 6), client_name="Anna Berg")
    assert "Figures: 38 hours in May" in ag.points
    assert "My apology\nI am sorry about May." in ag.context
    assert "two weeks late" not in ag.context
    assert "A short call" not in " ".join(ag.points)
    assert ticked(offered["point:figures"], chosen) and not ticked(
        offered["point:check_in"], chosen
    )


def test_skipped_steps_add_nothing_and_are_named() -> None:
    skipped = sorted(SKIPPABLE)
    ag = compose_agreement(ANSWERS, skipped, today=date(2026, 12, 6), client_name="Anna")
    assert ag.ours == ag.theirs == []
    assert ag.review_on is None
    assert "Did not warn early" not in ag.context
    assert ag.points == ["Invoices monthly"]
    assert skipped_sentence(skipped) in ag.context
    assert "2 (evidence)" in ag.context and "9 (timeframe)" in ag.context


def test_finishing_needs_the_facts_and_each_endings_essentials() -> None:
    assert set(finish_problems({}, Step.IN_WRITING)) == {"facts"}
    assert set(finish_problems({"facts": "x"}, Step.HAND_OVER)) == {"successor"}
    assert set(finish_problems({"facts": "x"}, Step.INSURER)) == {"insurer_name"}
    assert finish_problems({"facts": "x"}, Step.PART_WAYS) == {}


FACTS = RecordFacts(
    incident_title="Late report",
    incident_opened=date(2026, 11, 2),
    category="Missed deadline",
    severity="high",
    client=Party(name="Anna Berg"),
    consultant=Party(name="Sam Reed"),
    evidence=["may-report.pdf (1.2 MB)"],
    history=["02 Nov 2026: Anna called"],
)


def test_records_of_the_other_endings() -> None:
    today = date(2026, 11, 23)
    brief = compose_record(
        Step.HAND_OVER, {**ANSWERS, "successor": "Kim Lee", "access_notes": "Vault"}, FACTS, today
    )
    assert brief.kind == "Hand-over brief" and brief.addressee == Party(name="Kim Lee")
    headings = [s.heading for s in brief.sections]
    assert headings[:2] == ["Where things stand", "Access and accounts"]
    assert "History" in headings

    notice = compose_record(
        Step.INSURER, {**ANSWERS, "insurer_name": "Hiscox", "insurer_policy": "PI-1"}, FACTS, today
    )
    assert notice.reference == "Policy PI-1"
    evidence = next(s for s in notice.sections if s.heading == "Evidence kept")
    assert evidence.items == ["may-report.pdf (1.2 MB)"]
    assert "Monday, 2 November 2026" in notice.sections[0].text

    closing = compose_record(Step.PART_WAYS, {"facts": "x", "we_owe": "A refund"}, FACTS, today)
    owed = {s.heading: s.text for s in closing.sections}
    assert owed["What I still owe you"] == "A refund"
    assert owed["What you still owe me"] == "Nothing."
    with pytest.raises(ValueError):
        compose_record(Step.GOALS, {}, FACTS, today)


def test_datetime_answers_keep_their_offset() -> None:
    when = datetime(2026, 11, 24, 8, 0, tzinfo=UTC)
    clean, _ = clean_answers(Step.FACTS, {"reply_due_at": when})
    assert clean["reply_due_at"] == "2026-11-24T08:00:00+00:00"
