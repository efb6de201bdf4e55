"""Agreement rules: status moves, numbering, overdue commitments (no database)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest

from models.agreements import (
    FINAL_EDIT,
    commitment_title,
    display_number,
    edit_problem,
    move_problem,
    new_version_problem,
    next_number,
    overdue_commitments,
    parse_number,
    points_from_text,
    review_title,
)
from models.entities import AgreementStatus, CommitmentState, Side

DRAFT, FINAL, SUPERSEDED = AgreementStatus.DRAFT, AgreementStatus.FINAL, AgreementStatus.SUPERSEDED


@dataclass(frozen=True)
class C:
    state: CommitmentState
    due_on: date | None


def test_numbers_count_per_year_from_one() -> None:
    assert next_number([], 2026) == "AG-2026-0001"
    existing = ["AG-2026-0001", "AG-2026-0007", "AG-2025-0040", "junk", "AG-2026-x"]
    assert next_number(existing, 2026) == "AG-2026-0008"
    assert next_number(existing, 2025) == "AG-2025-0041"
    assert next_number(existing, 2027) == "AG-2027-0001"


def test_numbers_grow_past_four_digits() -> None:
    assert next_number(["AG-2026-9999"], 2026) == "AG-2026-10000"
    assert parse_number("AG-2026-10000") == (2026, 10000)
    assert parse_number("AG-26-0001") is None


def test_display_number_shows_the_version_from_two() -> None:
    assert display_number("AG-2026-0007", 1) == "AG-2026-0007"
    assert display_number("AG-2026-0007", 2) == "AG-2026-0007 v2"


def test_only_draft_to_final_is_a_direct_move() -> None:
    assert move_problem(DRAFT, FINAL) is None
    assert move_problem(FINAL, SUPERSEDED) == (
        "A final agreement is superseded only by finalising a newer version."
    )
    assert move_problem(FINAL, SUPERSEDED, by_new_version=True) is None
    assert move_problem(FINAL, DRAFT) == FINAL_EDIT
    assert move_problem(FINAL, FINAL) == "This agreement is already final."
    assert move_problem(DRAFT, SUPERSEDED) == "A draft cannot become superseded; finalise it first."
    assert move_problem(SUPERSEDED, FINAL) is not None
    assert move_problem(SUPERSEDED, DRAFT) is not None


def test_nothing_edits_a_final_agreement() -> None:
    assert edit_problem(DRAFT) is None
    assert edit_problem(FINAL) == "This agreement is final; make a new version to change it."
    assert edit_problem(SUPERSEDED) is not None


def test_new_versions_come_from_the_newest_final() -> None:
    assert new_version_problem(FINAL, has_newer=False) is None
    assert new_version_problem(FINAL, has_newer=True) is not None
    assert new_version_problem(DRAFT, has_newer=False) is not None
    assert new_version_problem(SUPERSEDED, has_newer=False) is not None


def test_overdue_counts_open_commitments_past_due_on_both_sides() -> None:
    today = date(2026, 5, 10)
    commitments = [
        C(CommitmentState.OPEN, date(2026, 5, 9)),  # overdue
        C(CommitmentState.OPEN, date(2026, 1, 1)),  # overdue
        C(CommitmentState.OPEN, today),  # due today: not yet
        C(CommitmentState.OPEN, None),  # no date: never
        C(CommitmentState.KEPT, date(2026, 5, 1)),
        C(CommitmentState.BROKEN, date(2026, 5, 1)),
    ]
    assert overdue_commitments(commitments, today) == 2
    assert overdue_commitments(commitments, date(2026, 5, 11)) == 3
    assert overdue_commitments([], today) == 0


def test_points_are_one_per_non_blank_line() -> None:
    assert points_from_text("  First \n\n Second\n  ") == ["First", "Second"]


def test_follow_up_titles() -> None:
    assert review_title("AG-2026-0007", "Ada") == "Review agreement AG-2026-0007 with Ada"
    assert commitment_title(Side.OURS, " Send  weekly report ") == "Due (ours): Send weekly report"
    assert commitment_title(Side.THEIRS, "Pay invoice 12") == "Due (theirs): Pay invoice 12"


@pytest.mark.parametrize("status", list(AgreementStatus))
def test_every_status_has_an_answer_for_editing(status: AgreementStatus) -> None:
    assert (edit_problem(status) is None) == (status is DRAFT)
