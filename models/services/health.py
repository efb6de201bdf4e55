"""A client's health from its incidents and promises, for the list, the detail pane
and Today's priority window. Apart from the incident use cases because it is a
reader over whole tables (a 100 000-client book is scored in a few queries)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from typing import Any

from sqlalchemy import Date, Select, bindparam, case, func, select, type_coerce

from models.agreements import overdue_commitments
from models.db import Book
from models.entities import (
    Agreement,
    AgreementStatus,
    Client,
    Commitment,
    CommitmentState,
    Incident,
    IncidentStatus,
    Severity,
    Touch,
)
from models.health import FADE_DAYS, Health, day_before, health, incidents_as_of
from models.incidents import (
    ACTIVE_STATUSES,
    IncidentFacts,
)
from models.reminders import next_touch_due
from models.services.clients import (
    client_or_error,
    local_date,
    many_small_objects,
)
from models.services.incident_writers import _facts


@dataclass(frozen=True)
class ClientHealth:
    now: Health
    month_ago: Health

    @property
    def trend(self) -> int:
        return self.now.score - self.month_ago.score


def client_health(
    book: Book, client_id: int, today: date, *, now: datetime | None = None
) -> ClientHealth:
    """The score today and 30 days ago, for the client page's trend."""
    then = day_before(today)
    with book.reader() as s:
        client = client_or_error(s, client_id)
        facts = [
            _facts(i) for i in s.scalars(select(Incident).where(Incident.client_id == client_id))
        ]
        # The last touch on or before ``then`` (the user's calendar day): one row by
        # the (client, happened_at) index, not every touch (a client may have 100 000).
        day_after_then = datetime.combine(then + timedelta(days=1), time.min).astimezone()
        last_then = s.scalar(
            select(func.max(Touch.happened_at)).where(
                Touch.client_id == client_id, Touch.happened_at < day_after_then
            )
        )
        # Commitments of the client's final agreements (superseded and draft ones
        # do not count). States have no history, so a month ago uses today's states.
        owed = list(
            s.execute(
                select(Commitment.state, Commitment.due_on)
                .join(Agreement, Agreement.id == Commitment.agreement_id)
                .where(
                    Agreement.client_id == client_id,
                    Agreement.status == AgreementStatus.FINAL.value,
                )
            )
        )
        cadence, due_now, status = client.cadence_days, client.touch_due_on, client.status
        archived = client.archived_at is not None
        added = local_date(client.created_at)
    due_then = (
        next_touch_due(
            cadence_days=cadence,
            last_touch_on=local_date(last_then) if last_then is not None else None,
            added_on=added,
            status=status,
            archived=archived,
        )
        if added <= then
        else None
    )
    return ClientHealth(
        now=health(
            today=today,
            now=now,
            cadence_days=cadence,
            touch_due_on=due_now,
            incidents=facts,
            overdue_commitments=overdue_commitments(owed, today),
        ),
        month_ago=health(
            today=then,
            cadence_days=cadence,
            touch_due_on=due_then,
            incidents=incidents_as_of(facts, then),
            overdue_commitments=overdue_commitments(owed, then),
        ),
    )


@cache
def _health_statements(only: bool) -> tuple[Select[Any], Select[Any], Select[Any]]:
    """all_health's three reads, built once (``only``: for the clients in :ids).

    The client list scores each page it reads, on every search keystroke: building
    these statements each time cost more than running them on a page of 48 rows."""
    today = bindparam("today", type_=Date)
    # The due date only where it can cost points (a rhythm, and past): on a big book
    # most rows then carry a NULL, which is cheaper to fetch than a date to parse.
    late_due = case(
        (
            (Client.cadence_days != 0) & (Client.touch_due_on < today),
            Client.touch_due_on,
        ),
        else_=None,
    )
    clients_q = select(Client.id, Client.cadence_days, type_coerce(late_due, Date)).where(
        Client.archived_at.is_(None)
    )
    incs_q = select(
        Incident.client_id,
        Incident.severity,
        Incident.status,
        Incident.closed_at,
        Incident.response_due_at,
        Incident.responded_at,
        Incident.title,
    ).where(
        Incident.status.in_([st.value for st in ACTIVE_STATUSES])
        | (
            (Incident.status == IncidentStatus.RESOLVED.value)
            & (Incident.closed_at >= bindparam("fade", type_=Incident.closed_at.type))
        )
    )
    # Open commitments past due in final agreements, counted per client.
    owed_q = (
        select(Agreement.client_id, func.count(Commitment.id))
        .join(Commitment, Commitment.agreement_id == Agreement.id)
        .where(
            Agreement.status == AgreementStatus.FINAL.value,
            Commitment.state == CommitmentState.OPEN.value,
            Commitment.due_on < today,
        )
        .group_by(Agreement.client_id)
    )
    if only:
        ids = bindparam("ids", expanding=True)
        clients_q = clients_q.where(Client.id.in_(ids))
        incs_q = incs_q.where(Incident.client_id.in_(ids))
        owed_q = owed_q.where(Agreement.client_id.in_(ids))
    return clients_q, incs_q, owed_q


def all_health(
    book: Book,
    today: date,
    *,
    now: datetime | None = None,
    client_ids: Sequence[int] | None = None,
) -> dict[int, Health]:
    """Every visible client's score in one pass: one read of clients, one of the
    incidents that can still count (active, or resolved in the fading window).

    ``client_ids`` scores only those clients (at most a few thousand at a time): the
    client list scores the page it shows, not a 100 000-client book at once."""
    args: dict[str, Any] = {
        "today": today,
        "fade": datetime.combine(today - timedelta(days=FADE_DAYS), time.min, UTC),
    }
    if client_ids is not None:
        args["ids"] = list(client_ids)
    clients_q, incs_q, owed_q = _health_statements(client_ids is not None)
    with many_small_objects():
        return _scores(book, today, now, args, clients_q, incs_q, owed_q)


def _scores(
    book: Book, today: date, now: datetime | None, args: dict[str, Any], *statements: Select[Any]
) -> dict[int, Health]:
    """all_health's reads and scoring (the caller pauses the cyclic collector)."""
    clients_q, incs_q, owed_q = statements
    with book.engine.connect() as conn:
        clients = conn.execute(clients_q, args).all()
        incs = conn.execute(incs_q, args).all()
        owed = dict(conn.execute(owed_q, args).all())
    by_client: dict[int, list[IncidentFacts]] = {}
    for cid, sev, st, closed, due, responded, title in incs:
        by_client.setdefault(cid, []).append(
            IncidentFacts(
                severity=Severity(sev),
                status=IncidentStatus(st),
                closed_on=local_date(closed) if closed else None,
                response_due_at=due,
                responded_at=responded,
                title=title,
            )
        )
    # Most clients have nothing to explain: no counting incident, not late. Their
    # score is the full one without asking health() (which would say the same), so
    # a big book costs one dictionary entry per quiet client; bench/run.py "health".
    full = Health(100, ())
    scores: dict[int, Health] = {}
    for cid, cadence, late in clients:
        facts = by_client.get(cid)
        overdue = owed.get(cid, 0)
        if facts is None and late is None and not overdue:
            scores[cid] = full
        else:
            scores[cid] = health(
                today=today,
                now=now,
                cadence_days=cadence,
                touch_due_on=late,
                incidents=facts or (),
                overdue_commitments=overdue,
            )
    return scores


def priority_clients(book: Book, today: date) -> dict[int, date]:
    """Clients under priority on ``today`` and until when, for the client list's
    flag: one small read, so the list need not fetch every client's detail. (A plain
    Core read: the list asks on every search keystroke, and a Session costs more than
    the query.)"""
    with book.engine.connect() as conn:
        rows = conn.execute(
            select(Client.id, Client.priority_until).where(
                Client.priority_until.is_not(None), Client.priority_until >= today
            )
        ).all()
    return {cid: until for cid, until in rows}
