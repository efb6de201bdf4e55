"""Incident use cases: open (with a response promise), move through its statuses,
answer and re-promise, and read incidents back; the client's priority window is
kept on every change.

The timeline is in incident_timeline.py, evidence files in incident_evidence.py,
and the rows as written inside a caller's unit of work in incident_writers.py.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.db import Book
from models.entities import (
    Client,
    FollowUp,
    FollowUpKind,
    Incident,
    IncidentCategory,
    IncidentStatus,
    Severity,
)
from models.incidents import ACTIVE_STATUSES, DEFAULT_PROMISE_HOURS, move_problem, promise_breach
from models.limits import text_problem
from models.services.clients import NotFoundError, ValidationError, client_or_error, local_date
from models.services.incident_writers import NewIncident, add_incidents_in, recompute_priority
from models.services.reminders import NewFollowUp, add_follow_ups_in
from models.services.work_settings import read_working_week
from models.types import utcnow
from models.working_time import due_after_local

TITLE_MAX = 300
TEXT_MAX = 20_000


@dataclass
class IncidentInput:
    title: str
    category: IncidentCategory
    severity: Severity
    client_view: str = ""
    our_view: str = ""
    our_mistakes: str = ""
    client_contribution: str = ""


@dataclass(frozen=True)
class IncidentRow:
    id: int
    uid: str
    client_id: int
    client_name: str
    title: str
    category: IncidentCategory
    severity: Severity
    status: IncidentStatus
    opened_at: datetime
    acknowledged_at: datetime | None
    closed_at: datetime | None
    response_due_at: datetime | None
    responded_at: datetime | None
    breach: timedelta | None  # how late the promised answer is (or was); None if on time


@dataclass(frozen=True)
class IncidentDetail:
    row: IncidentRow
    client_view: str
    our_view: str
    our_mistakes: str
    client_contribution: str

    def as_input(self) -> IncidentInput:
        r = self.row
        return IncidentInput(
            r.title,
            r.category,
            r.severity,
            self.client_view,
            self.our_view,
            self.our_mistakes,
            self.client_contribution,
        )


def validate_incident(data: IncidentInput) -> dict[str, str]:
    errors: dict[str, str] = {}
    title = " ".join(data.title.split())
    if not title:
        errors["title"] = "Give the incident a short title, e.g. “Invoice 42 disputed”."
    elif len(title) > TITLE_MAX:
        errors["title"] = f"Keep the title under {TITLE_MAX} characters."
    elif problem := text_problem(title, multiline=False):
        errors["title"] = problem
    for name in ("client_view", "our_view", "our_mistakes", "client_contribution"):
        if len(getattr(data, name)) > TEXT_MAX:
            errors[name] = f"This can be at most {TEXT_MAX} characters."
        elif problem := text_problem(getattr(data, name)):
            errors[name] = problem
    return errors


def _checked(data: IncidentInput) -> IncidentInput:
    errors = validate_incident(data)
    if errors:
        raise ValidationError(errors)
    return IncidentInput(
        " ".join(data.title.split()),
        IncidentCategory(data.category),
        Severity(data.severity),
        data.client_view,
        data.our_view,
        data.our_mistakes,
        data.client_contribution,
    )


def open_incident(
    book: Book,
    client_id: int,
    data: IncidentInput,
    *,
    promise_hours: float | None = DEFAULT_PROMISE_HOURS,
    now: datetime | None = None,
) -> int:
    """Record what went wrong; a promised full answer becomes a follow-up so it shows
    in Today and the tray like every other promise."""
    d = _checked(data)
    now = now or utcnow()
    with book.session() as s:
        client = client_or_error(s, client_id)
        row = NewIncident(
            client.id,
            d.title,
            d.category,
            d.severity,
            opened_at=now,
            updated_at=now,
            client_view=d.client_view,
            our_view=d.our_view,
            our_mistakes=d.our_mistakes,
            client_contribution=d.client_contribution,
        )
        (incident_id,) = add_incidents_in(s, [row])
        inc = incident_or_error(s, incident_id)
        if promise_hours is not None:
            # Counted in working time: a promise made on Friday afternoon is not due
            # on Saturday, and never at night.
            due = due_after_local(now, promise_hours, read_working_week(s))
            _set_promise(s, inc, due, now)
        recompute_priority(s, client)
        return inc.id


def update_incident(
    book: Book, incident_id: int, data: IncidentInput, *, now: datetime | None = None
) -> None:
    d = _checked(data)
    with book.session() as s:
        inc = incident_or_error(s, incident_id)
        inc.title, inc.category, inc.severity = d.title, d.category, d.severity
        inc.client_view, inc.our_view = d.client_view, d.our_view
        inc.our_mistakes, inc.client_contribution = d.our_mistakes, d.client_contribution
        inc.updated_at = now or utcnow()
        if inc.promise_follow_up_id is not None:
            fu = s.get(FollowUp, inc.promise_follow_up_id)
            if fu is not None:
                fu.title = _promise_title(inc.title)
        recompute_priority(s, client_or_error(s, inc.client_id))


def set_status(
    book: Book, incident_id: int, status: IncidentStatus, *, now: datetime | None = None
) -> None:
    """Move an incident along open → acknowledged → repairing → resolved | lost."""
    now = now or utcnow()
    status = IncidentStatus(status)
    with book.session() as s:
        inc = incident_or_error(s, incident_id)
        problem = move_problem(inc.status, status)
        if problem:
            raise ValidationError({"status": problem})
        inc.status = status
        if status is IncidentStatus.ACKNOWLEDGED and inc.acknowledged_at is None:
            inc.acknowledged_at = now
        if status in (IncidentStatus.RESOLVED, IncidentStatus.LOST):
            inc.closed_at = now
            _settle_promise(s, inc, now)
        elif status in ACTIVE_STATUSES:
            inc.closed_at = None
        inc.updated_at = now
        recompute_priority(s, client_or_error(s, inc.client_id))


def set_promise(
    book: Book, incident_id: int, due_at: datetime | None, *, now: datetime | None = None
) -> None:
    """Promise (or re-promise) a full answer by ``due_at``; None withdraws it."""
    now = now or utcnow()
    with book.session() as s:
        inc = incident_or_error(s, incident_id)
        if due_at is None:
            inc.response_due_at = None
            if inc.promise_follow_up_id is not None:
                fu = s.get(FollowUp, inc.promise_follow_up_id)
                if fu is not None and fu.done_at is None:
                    s.delete(fu)
                inc.promise_follow_up_id = None
        else:
            _set_promise(s, inc, due_at, now)
        inc.updated_at = now


def record_response(book: Book, incident_id: int, *, now: datetime | None = None) -> None:
    """The full answer was given: the promise is settled (kept, or broken by how much)."""
    now = now or utcnow()
    with book.session() as s:
        inc = incident_or_error(s, incident_id)
        if inc.responded_at is None:
            inc.responded_at = now
        _settle_promise(s, inc, now)
        if inc.status is IncidentStatus.OPEN:
            inc.status = IncidentStatus.ACKNOWLEDGED
            inc.acknowledged_at = inc.acknowledged_at or now
        inc.updated_at = now


def _promise_title(title: str) -> str:
    return f"Full answer promised: {title}"[:TITLE_MAX]


def _set_promise(s: Session, inc: Incident, due_at: datetime, now: datetime) -> None:
    inc.response_due_at = due_at
    day = local_date(due_at)
    fu = s.get(FollowUp, inc.promise_follow_up_id) if inc.promise_follow_up_id else None
    if fu is None:
        promise = NewFollowUp(
            inc.client_id, FollowUpKind.RESPONSE_PROMISE, _promise_title(inc.title), day, now
        )
        (inc.promise_follow_up_id,) = add_follow_ups_in(s, [promise])
    else:
        fu.due_on = day
        fu.done_at = None


def _settle_promise(s: Session, inc: Incident, now: datetime) -> None:
    if inc.promise_follow_up_id is not None:
        fu = s.get(FollowUp, inc.promise_follow_up_id)
        if fu is not None and fu.done_at is None:
            fu.done_at = now


def set_promise_in(s: Session, inc: Incident, due_at: datetime, now: datetime) -> None:
    """``set_promise`` inside a unit of work the caller owns (the repair wizard's
    first reply sets the promise while it saves the page)."""
    _set_promise(s, inc, due_at, now)


def settle_promise_in(s: Session, inc: Incident, now: datetime) -> None:
    """Mark the promise's reminder done inside the caller's unit of work."""
    _settle_promise(s, inc, now)


def _row(inc: Incident, client_name: str, now: datetime) -> IncidentRow:
    return IncidentRow(
        id=inc.id,
        uid=inc.uid,
        client_id=inc.client_id,
        client_name=client_name,
        title=inc.title,
        category=inc.category,
        severity=inc.severity,
        status=inc.status,
        opened_at=inc.opened_at,
        acknowledged_at=inc.acknowledged_at,
        closed_at=inc.closed_at,
        response_due_at=inc.response_due_at,
        responded_at=inc.responded_at,
        breach=promise_breach(inc.response_due_at, inc.responded_at, now),
    )


def list_incidents(
    book: Book,
    *,
    statuses: Sequence[IncidentStatus] | None = None,
    severities: Sequence[Severity] | None = None,
    breached_only: bool = False,
    client_id: int | None = None,
    now: datetime | None = None,
) -> list[IncidentRow]:
    """Incidents across the book (or one client), newest first, filtered."""
    now = now or utcnow()
    stmt = select(Incident, Client.name).join(Client, Client.id == Incident.client_id)
    if statuses:
        stmt = stmt.where(Incident.status.in_(list(statuses)))
    if severities:
        stmt = stmt.where(Incident.severity.in_(list(severities)))
    if client_id is not None:
        stmt = stmt.where(Incident.client_id == client_id)
    stmt = stmt.order_by(Incident.opened_at.desc(), Incident.id.desc())
    with book.reader() as s:
        rows = [_row(inc, name, now) for inc, name in s.execute(stmt)]
    if breached_only:
        rows = [r for r in rows if r.breach is not None]
    return rows


def get_incident(book: Book, incident_id: int, *, now: datetime | None = None) -> IncidentDetail:
    with book.reader() as s:
        inc = incident_or_error(s, incident_id)
        name = client_or_error(s, inc.client_id).name
        return IncidentDetail(
            _row(inc, name, now or utcnow()),
            inc.client_view,
            inc.our_view,
            inc.our_mistakes,
            inc.client_contribution,
        )


def incident_or_error(s: Session, incident_id: int) -> Incident:
    """The incident, or a NotFoundError that says which id was asked for."""
    inc = s.get(Incident, incident_id)
    if inc is None:
        raise NotFoundError(f"There is no incident with id {incident_id}.")
    return inc
