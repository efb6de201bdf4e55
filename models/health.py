"""Relationship health: a 0-100 score that explains itself.

Every point taken off comes with the reason, so the consultant sees *why* a
client is amber ("-20: quarterly check-in 41 days late") instead of a bare number.
Pure: the caller passes what it knows and an explicit ``today``/``now``.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta

from models.enums import IncidentStatus, Severity
from models.incidents import ACTIVE_STATUSES, IncidentFacts, breach_words, promise_breach
from models.reminders import cadence_label

SEVERITY_POINTS: dict[Severity, int] = {
    Severity.LOW: 5,
    Severity.MEDIUM: 10,
    Severity.HIGH: 20,
    Severity.CRITICAL: 35,
}
LATENESS_FACTOR = 45  # points per whole cadence late
LATENESS_CAP = 40
BREACH_POINTS = 15
COMMITMENT_POINTS = 5
COMMITMENT_CAP = 20
FADE_DAYS = 90  # a resolved incident stops counting after this many days
GREEN_FROM = 75
AMBER_FROM = 50


class Band(enum.StrEnum):
    GREEN = "green"
    AMBER = "amber"
    RED = "red"


@dataclass(frozen=True)
class Factor:
    points: int  # negative: what it costs
    reason: str

    def __str__(self) -> str:
        return f"{self.points:+d}: {self.reason}"


@dataclass(frozen=True)
class Health:
    score: int
    factors: tuple[Factor, ...]

    @property
    def band(self) -> Band:
        if self.score >= GREEN_FROM:
            return Band.GREEN
        if self.score >= AMBER_FROM:
            return Band.AMBER
        return Band.RED


def _check_in(cadence_days: int) -> str:
    """'quarterly check-in', or '10-day check-in' for a custom rhythm."""
    label = cadence_label(cadence_days).lower()
    return f"{cadence_days}-day check-in" if label.startswith("every ") else f"{label} check-in"


def _days(n: int) -> str:
    return f"{n} day" if n == 1 else f"{n} days"


def band_of(score: int) -> Band:
    return Health(score, ()).band


def health(
    *,
    today: date,
    now: datetime | None = None,
    cadence_days: int | None = None,
    touch_due_on: date | None = None,
    incidents: Iterable[IncidentFacts] = (),
    overdue_commitments: int = 0,
) -> Health:
    """Score one client. ``touch_due_on`` is the stored keep-in-touch due date
    (None for clients who are never due); ``now`` defaults to the end of ``today``."""
    now = now or datetime.combine(today, time.max, UTC)
    factors: list[Factor] = []

    if cadence_days and touch_due_on is not None and today > touch_due_on:
        late = (today - touch_due_on).days
        points = min(LATENESS_CAP, round(LATENESS_FACTOR * late / cadence_days))
        if points:
            factors.append(Factor(-points, f"{_check_in(cadence_days)} {_days(late)} late"))

    for inc in incidents:
        name = f"“{inc.title}”" if inc.title else "an incident"
        if inc.status in ACTIVE_STATUSES:
            factors.append(
                Factor(
                    -SEVERITY_POINTS[inc.severity], f"{inc.severity.value} incident open: {name}"
                )
            )
            late = promise_breach(inc.response_due_at, inc.responded_at, now)
            if late is not None:
                factors.append(
                    Factor(-BREACH_POINTS, f"promised answer on {name} {breach_words(late)}")
                )
        elif inc.status is IncidentStatus.RESOLVED and inc.closed_on is not None:
            age = (today - inc.closed_on).days
            if 0 <= age < FADE_DAYS:
                points = round(SEVERITY_POINTS[inc.severity] * (1 - age / FADE_DAYS))
                if points:
                    factors.append(
                        Factor(-points, f"{inc.severity.value} incident resolved {age} days ago")
                    )

    if overdue_commitments > 0:
        points = min(COMMITMENT_CAP, COMMITMENT_POINTS * overdue_commitments)
        plural = "s" if overdue_commitments != 1 else ""
        factors.append(Factor(-points, f"{overdue_commitments} commitment{plural} overdue"))

    score = max(0, min(100, 100 + sum(f.points for f in factors)))
    return Health(score, tuple(factors))


def incidents_as_of(incidents: Iterable[IncidentFacts], day: date) -> list[IncidentFacts]:
    """The incidents as they stood at the end of ``day``, for the 30-day trend:
    later ones are left out, and one closed after ``day`` was still open then."""
    then: list[IncidentFacts] = []
    for inc in incidents:
        if inc.opened_on is not None and inc.opened_on > day:
            continue
        if inc.closed_on is not None and inc.closed_on > day:
            inc = replace(inc, status=IncidentStatus.ACKNOWLEDGED, closed_on=None)
        responded = inc.responded_at
        if responded is not None and responded.date() > day:
            inc = replace(inc, responded_at=None)
        then.append(inc)
    return then


def day_before(today: date, days: int = 30) -> date:
    return today - timedelta(days=days)
