"""Incident rules as pure functions: which status moves are allowed, whether a
response promise was broken and by how much, and how long a client stays under
priority. The services apply these; tests check them without a book.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from models.enums import EntryKind, IncidentCategory, IncidentStatus, Severity

DEFAULT_PROMISE_HOURS = 24
PRIORITY_DAYS_AFTER_RESOLUTION = 30
# An unresolved serious incident keeps the client first with no end date yet.
PRIORITY_OPEN_ENDED = date.max

CATEGORY_LABELS: dict[IncidentCategory, str] = {
    IncidentCategory.LATE_PAYMENT: "Late or missing payment",
    IncidentCategory.MISREAD_PRIORITIES: "Misread priorities or KPIs",
    IncidentCategory.DELIVERABLE_QUALITY: "Deliverable quality",
    IncidentCategory.MONEY_SURPRISE: "Money or scope surprise",
    IncidentCategory.COMMUNICATION: "Communication breakdown",
    IncidentCategory.MISSED_DEADLINE: "Missed deadline",
    IncidentCategory.WRONG_FIT: "Wrong fit",
    IncidentCategory.BEYOND_SKILLS: "Beyond our skills",
    IncidentCategory.CLAIM_THREATENED: "Claim threatened",
    IncidentCategory.OTHER: "Other",
}

# What kind of event a timeline entry records, in words: a notice to the insurer
# prints these with their dates and never the entry's own words.
ENTRY_KIND_LABELS: dict[EntryKind, str] = {
    EntryKind.NOTE: "Note",
    EntryKind.CALL: "Call",
    EntryKind.EMAIL: "Email",
    EntryKind.MEETING: "Meeting",
    EntryKind.DECISION: "Decision",
}

STATUS_LABELS: dict[IncidentStatus, str] = {
    IncidentStatus.OPEN: "Open",
    IncidentStatus.ACKNOWLEDGED: "Acknowledged",
    IncidentStatus.REPAIRING: "Repairing",
    IncidentStatus.RESOLVED: "Resolved",
    IncidentStatus.LOST: "Lost",
}

# open -> acknowledged -> repairing -> resolved | lost. Acknowledging comes first
# (the playbook's fast first reply); a resolved incident that flares up again goes
# back to repairing; a lost client is final.
TRANSITIONS: dict[IncidentStatus, frozenset[IncidentStatus]] = {
    IncidentStatus.OPEN: frozenset({IncidentStatus.ACKNOWLEDGED, IncidentStatus.LOST}),
    IncidentStatus.ACKNOWLEDGED: frozenset(
        {IncidentStatus.REPAIRING, IncidentStatus.RESOLVED, IncidentStatus.LOST}
    ),
    IncidentStatus.REPAIRING: frozenset({IncidentStatus.RESOLVED, IncidentStatus.LOST}),
    IncidentStatus.RESOLVED: frozenset({IncidentStatus.REPAIRING}),
    IncidentStatus.LOST: frozenset(),
}

ACTIVE_STATUSES = frozenset(
    {IncidentStatus.OPEN, IncidentStatus.ACKNOWLEDGED, IncidentStatus.REPAIRING}
)
SERIOUS = frozenset({Severity.HIGH, Severity.CRITICAL})


def can_move(current: IncidentStatus, new: IncidentStatus) -> bool:
    return new in TRANSITIONS[current]


def move_problem(current: IncidentStatus, new: IncidentStatus) -> str | None:
    """Why a status change is not allowed, in words for the user; None when it is."""
    if current == new:
        return f"The incident is already {STATUS_LABELS[new].lower()}."
    if can_move(current, new):
        return None
    allowed = sorted(STATUS_LABELS[s].lower() for s in TRANSITIONS[current])
    if not allowed:
        return f"A {STATUS_LABELS[current].lower()} incident cannot change any more."
    return (
        f"A {STATUS_LABELS[current].lower()} incident can only become " + " or ".join(allowed) + "."
    )


def promise_breach(
    response_due_at: datetime | None, responded_at: datetime | None, now: datetime
) -> timedelta | None:
    """By how much a response promise was (or is being) broken; None if kept or
    still in time. An unanswered promise past its time keeps growing."""
    if response_due_at is None:
        return None
    answered = responded_at if responded_at is not None else now
    late = answered - response_due_at
    return late if late > timedelta(0) else None


def breach_words(late: timedelta) -> str:
    """'3 hours late', '2 days late': how the app says a breach."""
    hours = int(late.total_seconds() // 3600)
    if hours < 1:
        minutes = max(1, int(late.total_seconds() // 60))
        return f"{minutes} minute{'s' if minutes != 1 else ''} late"
    if hours < 48:
        return f"{hours} hour{'s' if hours != 1 else ''} late"
    days = hours // 24
    return f"{days} days late"


@dataclass(frozen=True)
class IncidentFacts:
    """What the priority and health rules need to know about one incident."""

    severity: Severity
    status: IncidentStatus
    closed_on: date | None = None
    response_due_at: datetime | None = None
    responded_at: datetime | None = None
    category: IncidentCategory = IncidentCategory.OTHER
    title: str = ""
    opened_on: date | None = None


def priority_until(incidents: Iterable[IncidentFacts]) -> date | None:
    """Until when a client sorts first: while a high or critical incident is
    unresolved, open-ended; then 30 days after the last one was resolved."""
    until: date | None = None
    for inc in incidents:
        if inc.severity not in SERIOUS:
            continue
        if inc.status in ACTIVE_STATUSES:
            return PRIORITY_OPEN_ENDED
        if inc.status is IncidentStatus.RESOLVED and inc.closed_on is not None:
            end = inc.closed_on + timedelta(days=PRIORITY_DAYS_AFTER_RESOLUTION)
            until = end if until is None or end > until else until
    return until
