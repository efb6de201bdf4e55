"""Incident and health rules as pure functions, with exact expected values."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from models.entities import IncidentStatus as S
from models.entities import Severity
from models.health import Band, Factor, band_of, health, incidents_as_of
from models.incidents import (
    PRIORITY_OPEN_ENDED,
    TRANSITIONS,
    IncidentFacts,
    breach_words,
    can_move,
    move_problem,
    priority_until,
    promise_breach,
)

D = date.fromisoformat
T0 = datetime(2026, 5, 1, 9, 0, tzinfo=UTC)

LEGAL = {
    (S.OPEN, S.ACKNOWLEDGED),
    (S.OPEN, S.LOST),
    (S.ACKNOWLEDGED, S.REPAIRING),
    (S.ACKNOWLEDGED, S.RESOLVED),
    (S.ACKNOWLEDGED, S.LOST),
    (S.REPAIRING, S.RESOLVED),
    (S.REPAIRING, S.LOST),
    (S.RESOLVED, S.REPAIRING),
}


@pytest.mark.parametrize("current", list(S))
@pytest.mark.parametrize("new", list(S))
def test_every_status_move(current: S, new: S) -> None:
    assert can_move(current, new) is ((current, new) in LEGAL)
    problem = move_problem(current, new)
    assert (problem is None) is ((current, new) in LEGAL)
    if problem:
        assert problem.endswith(".") and "incident" in problem


def test_no_illegal_jumps_named() -> None:
    assert move_problem(S.OPEN, S.RESOLVED) == (
        "A open incident can only become acknowledged or lost."
    )
    assert move_problem(S.LOST, S.OPEN) == "A lost incident cannot change any more."
    assert sum(len(v) for v in TRANSITIONS.values()) == len(LEGAL)


@pytest.mark.parametrize(
    ("due", "responded", "now", "late"),
    [
        (None, None, T0, None),
        (T0, None, T0 - timedelta(hours=1), None),  # still in time
        (T0, None, T0 + timedelta(hours=5), timedelta(hours=5)),  # unanswered, growing
        (T0, T0 - timedelta(hours=2), T0 + timedelta(days=3), None),  # kept
        (T0, T0 + timedelta(hours=30), T0 + timedelta(days=9), timedelta(hours=30)),  # late once
    ],
)
def test_promise_breach(due, responded, now, late) -> None:
    assert promise_breach(due, responded, now) == late


@pytest.mark.parametrize(
    ("late", "words"),
    [
        (timedelta(minutes=1), "1 minute late"),
        (timedelta(minutes=59), "59 minutes late"),
        (timedelta(hours=1), "1 hour late"),
        (timedelta(hours=47), "47 hours late"),
        (timedelta(days=3, hours=2), "3 days late"),
    ],
)
def test_breach_words(late: timedelta, words: str) -> None:
    assert breach_words(late) == words


def f(sev: Severity, status: S, closed: str | None = None, **kw) -> IncidentFacts:
    return IncidentFacts(sev, status, D(closed) if closed else None, **kw)


@pytest.mark.parametrize(
    ("incidents", "until"),
    [
        ([], None),
        ([f(Severity.LOW, S.OPEN), f(Severity.MEDIUM, S.REPAIRING)], None),
        ([f(Severity.HIGH, S.OPEN)], PRIORITY_OPEN_ENDED),
        ([f(Severity.CRITICAL, S.REPAIRING)], PRIORITY_OPEN_ENDED),
        ([f(Severity.HIGH, S.RESOLVED, "2026-05-01")], D("2026-05-31")),
        (
            [
                f(Severity.HIGH, S.RESOLVED, "2026-05-01"),
                f(Severity.CRITICAL, S.RESOLVED, "2026-05-10"),
            ],
            D("2026-06-09"),
        ),
        (
            [f(Severity.HIGH, S.RESOLVED, "2026-05-01"), f(Severity.HIGH, S.ACKNOWLEDGED)],
            PRIORITY_OPEN_ENDED,
        ),
        ([f(Severity.HIGH, S.LOST, "2026-05-01")], None),
        ([f(Severity.MEDIUM, S.RESOLVED, "2026-05-01")], None),
    ],
)
def test_priority_window(incidents, until) -> None:
    assert priority_until(incidents) == until


TODAY = D("2026-05-10")


def test_healthy_client_scores_100_green() -> None:
    h = health(today=TODAY, cadence_days=30, touch_due_on=TODAY)
    assert (h.score, h.band, h.factors) == (100, Band.GREEN, ())


@pytest.mark.parametrize(
    ("cadence", "due", "factor"),
    [
        (91, D("2026-03-30"), Factor(-20, "quarterly check-in 41 days late")),
        (7, D("2026-05-03"), Factor(-40, "weekly check-in 7 days late")),  # capped at 40
        (30, D("2026-05-09"), Factor(-2, "monthly check-in 1 day late")),
        (10, D("2026-05-05"), Factor(-22, "10-day check-in 5 days late")),
    ],
)
def test_keep_in_touch_lateness_points(cadence: int, due: date, factor: Factor) -> None:
    assert health(today=TODAY, cadence_days=cadence, touch_due_on=due).factors == (factor,)


@pytest.mark.parametrize(
    ("sev", "points"),
    [(Severity.LOW, -5), (Severity.MEDIUM, -10), (Severity.HIGH, -20), (Severity.CRITICAL, -35)],
)
@pytest.mark.parametrize("status", [S.OPEN, S.ACKNOWLEDGED, S.REPAIRING])
def test_open_incident_points(sev: Severity, points: int, status: S) -> None:
    h = health(today=TODAY, incidents=[f(sev, status, title="Invoice 42")])
    assert h.factors == (Factor(points, f"{sev.value} incident open: “Invoice 42”"),)
    assert h.score == 100 + points


def test_breached_promise_costs_15() -> None:
    inc = f(Severity.MEDIUM, S.OPEN, title="Late report", response_due_at=T0)
    h = health(today=TODAY, now=T0 + timedelta(hours=5), incidents=[inc])
    assert h.factors == (
        Factor(-10, "medium incident open: “Late report”"),
        Factor(-15, "promised answer on “Late report” 5 hours late"),
    )
    assert (h.score, h.band) == (75, Band.GREEN)


@pytest.mark.parametrize(
    ("closed", "points"),
    [("2026-05-10", -20), ("2026-04-10", -13), ("2026-02-10", None), ("2026-03-25", -10)],
)
def test_resolved_incident_fades_over_90_days(closed: str, points: int | None) -> None:
    h = health(today=TODAY, incidents=[f(Severity.HIGH, S.RESOLVED, closed)])
    age = (TODAY - D(closed)).days
    expected = () if points is None else (Factor(points, f"high incident resolved {age} days ago"),)
    assert h.factors == expected


@pytest.mark.parametrize(("n", "points"), [(1, -5), (3, -15), (4, -20), (9, -20)])
def test_overdue_commitments(n: int, points: int) -> None:
    h = health(today=TODAY, overdue_commitments=n)
    assert h.factors[0].points == points
    assert h.factors[0].reason.startswith(f"{n} commitment")


def test_score_floors_at_zero_and_bands() -> None:
    many = [f(Severity.CRITICAL, S.OPEN) for _ in range(4)]
    assert health(today=TODAY, incidents=many).score == 0
    assert [band_of(s) for s in (100, 75, 74, 50, 49, 0)] == [
        Band.GREEN,
        Band.GREEN,
        Band.AMBER,
        Band.AMBER,
        Band.RED,
        Band.RED,
    ]


def test_incidents_as_of_a_past_day() -> None:
    later = f(Severity.HIGH, S.OPEN, opened_on=D("2026-05-05"))
    closed_after = f(Severity.HIGH, S.RESOLVED, "2026-05-08", opened_on=D("2026-04-01"))
    then = incidents_as_of([later, closed_after], D("2026-05-01"))
    assert [(i.status, i.closed_on) for i in then] == [(S.ACKNOWLEDGED, None)]
