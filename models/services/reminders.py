"""Keep-in-touch use cases: log a touch, set a rhythm, follow-ups, and the Today plan.

Each function is one transaction. The "who is due" question reads two indexed
ranges (clients by touch_due_on, open follow-ups by due_on) and hands plain values
to the pure rules in models.reminders for ordering.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import NamedTuple

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models.db import Book
from models.entities import Channel, Client, FollowUp, FollowUpKind, Touch, new_uid
from models.limits import text_problem
from models.reads import (  # noqa: F401 - re-exported: the services' "who is due"
    due_items,
    next_due_after,
    today_plan,
)
from models.reminders import (
    CADENCE_MAX_DAYS,
    UPCOMING_DAYS,
    DueItem,
    later_touch,
    next_touch_due,
)
from models.services.bulk import SQL_CHUNK, insert_rows, insert_values, update_rows
from models.services.clients import (
    NotFoundError,
    ValidationError,
    client_or_error,
    local_date,
    recompute_touch_due,
)
from models.types import StoredMoment, utcnow

SUMMARY_MAX = 5000
TITLE_MAX = 300


@dataclass(frozen=True)
class TouchInput:
    happened_at: datetime
    channel: Channel
    summary: str = ""
    next_step: str = ""
    next_step_on: date | None = None


@dataclass(frozen=True)
class TouchRow:
    id: int
    client_id: int
    happened_at: datetime
    channel: Channel
    summary: str
    next_step: str


@dataclass(frozen=True)
class FollowUpRow:
    id: int
    client_id: int
    client_name: str
    kind: FollowUpKind
    title: str
    note: str
    due_on: date
    original_due_on: date
    done_at: datetime | None


def validate_touch(data: TouchInput, *, now: datetime | None = None) -> dict[str, str]:
    errors: dict[str, str] = {}
    now = now or utcnow()
    if data.happened_at.tzinfo is None:
        errors["happened_at"] = "The time of the touch needs a time zone."
    elif data.happened_at > now + timedelta(minutes=5):
        errors["happened_at"] = "A touch is something that already happened; pick a past time."
    if len(data.summary) > SUMMARY_MAX:
        errors["summary"] = f"Keep the summary under {SUMMARY_MAX} characters."
    elif problem := text_problem(data.summary):
        errors["summary"] = problem
    if data.next_step_on is not None and not data.next_step.strip():
        errors["next_step"] = "Say what the next step is, or clear its date."
    # The one cap on a book's text and the one rule on control characters
    # (models/limits.py), which the JSON format keeps too. A next step is typed on
    # one line, but one from an import may have kept a line break: it still may.
    elif problem := text_problem(data.next_step):
        errors["next_step"] = problem
    return errors


def log_touch(
    book: Book,
    client_id: int,
    data: TouchInput,
    *,
    now: datetime | None = None,
    completes_follow_up: int | None = None,
) -> int:
    """Record a contact. The next due date counts from when it happened; an older,
    back-dated touch never pulls the due date earlier.

    ``completes_follow_up`` marks that follow-up of the same client done in the same
    transaction: the call *was* the follow-up, and the two never disagree."""
    now = now or utcnow()
    errors = validate_touch(data, now=now)
    if errors:
        raise ValidationError(errors)
    with book.session() as s:
        client = client_or_error(s, client_id)
        touch = log_touch_in(s, client, data, now=now, completes_follow_up=completes_follow_up)
        s.flush()
        return touch.id


def log_touch_in(
    s: Session,
    client: Client,
    data: TouchInput,
    *,
    now: datetime,
    logged_at: datetime | None = None,
    completes_follow_up: int | None = None,
    touch_uid: str | None = None,
    follow_up_uid: str | None = None,
    next_step_done_at: datetime | None = None,
) -> Touch:
    """What logging a touch writes, inside a session the caller owns: the touch, the
    client's last-touch and due dates, and a dated next step as a follow-up. The one
    write path for the dialog (through ``log_touch``), the demo and any other caller
    that already holds a unit of work. ``data`` is taken as checked
    (``validate_touch``); ``logged_at`` (default ``now``), the uids and a done next
    step let a caller replay history exactly."""
    logged_at = logged_at or now
    next_step = data.next_step.strip()
    (touch_id,) = add_touches_in(
        s,
        [
            NewTouch(
                client.id,
                data.happened_at,
                Channel(data.channel),
                data.summary.strip(),
                next_step,
                logged_at,
                uid=touch_uid,
            )
        ],
    )
    client.last_touch_on = later_touch(client.last_touch_on, local_date(data.happened_at))
    recompute_touch_due(client)
    if completes_follow_up is not None:
        fu = _follow_up(s, completes_follow_up)
        if fu.client_id != client.id:
            raise ValidationError({"follow_up": "That follow-up belongs to another client."})
        fu.done_at = fu.done_at or now
    if data.next_step_on is not None:
        step = NewFollowUp(
            client.id,
            FollowUpKind.NEXT_STEP,
            next_step[:TITLE_MAX],
            data.next_step_on,
            logged_at,
            done_at=next_step_done_at,
            touch_id=touch_id,
            uid=follow_up_uid,
        )
        add_follow_ups_in(s, [step])
    touch = s.get(Touch, touch_id)
    assert touch is not None
    return touch


class NewTouch(NamedTuple):
    """One touch for ``add_touches_in``, as stored (a new uid when None). A bulk
    caller that has the moments' stored text at hand (an import) may give them as
    StoredMoment. A tuple whose fields are the table's columns, so the writer
    hands an import's hundred thousand touches to the driver as they are."""

    client_id: int
    happened_at: datetime | StoredMoment
    channel: Channel
    summary: str
    next_step: str
    created_at: datetime | StoredMoment
    uid: str | None = None


@dataclass(slots=True)
class NewFollowUp:
    """One follow-up for ``add_follow_ups_in``; ``original_due_on`` defaults to
    ``due_on`` (never snoozed)."""

    client_id: int
    kind: FollowUpKind
    title: str
    due_on: date
    created_at: datetime
    note: str = ""
    original_due_on: date | None = None
    done_at: datetime | None = None
    touch_id: int | None = None
    uid: str | None = None


def add_touches_in(s: Session, rows: Sequence[NewTouch]) -> list[int]:
    """Write touches in one executemany and return their ids in order. The clients'
    last-touch and due dates are the caller's to keep: ``log_touch_in`` moves them
    per touch, a bulk caller once at the end (``refresh_touch_dates_in``)."""
    return insert_values(
        s, Touch, NewTouch._fields, [r if r.uid else r._replace(uid=new_uid()) for r in rows]
    )


def add_follow_ups_in(s: Session, rows: Sequence[NewFollowUp]) -> list[int]:
    """Write follow-ups in one executemany and return their ids in order: the one
    writer behind a next step, a manual follow-up, a promise and an import."""
    return insert_rows(
        s,
        FollowUp,
        [
            {
                "uid": r.uid or new_uid(),
                "client_id": r.client_id,
                "kind": r.kind,
                "title": r.title,
                "note": r.note,
                "due_on": r.due_on,
                "original_due_on": r.original_due_on or r.due_on,
                "done_at": r.done_at,
                "touch_id": r.touch_id,
                "created_at": r.created_at,
            }
            for r in rows
        ],
    )


def refresh_touch_dates_in(s: Session, client_ids: Iterable[int]) -> None:
    """Set each client's latest touch day and next due date as logging its touches
    one by one would have: the day its latest touch happened, in the user's own
    time zone (a later moment is never an earlier local day), then the due rule.
    What a writer of many touches calls once, at the end."""
    s.flush()
    ids = sorted(set(client_ids))
    c = Client.__table__.c
    for start in range(0, len(ids), SQL_CHUNK):
        chunk = ids[start : start + SQL_CHUNK]
        latest = {
            cid: moment
            for cid, moment in s.execute(
                select(Touch.client_id, func.max(Touch.happened_at))
                .where(Touch.client_id.in_(chunk))
                .group_by(Touch.client_id)
            )
        }
        changes = []
        for cid, cadence, created, status, archived, last_on, due_on in s.execute(
            select(
                c.id,
                c.cadence_days,
                c.created_at,
                c.status,
                c.archived_at,
                c.last_touch_on,
                c.touch_due_on,
            ).where(c.id.in_(chunk))
        ):
            moment = latest.get(cid)
            last = local_date(moment) if moment is not None else None
            due = next_touch_due(
                cadence_days=cadence,
                last_touch_on=last,
                added_on=local_date(created),
                status=status,
                archived=archived is not None,
            )
            if (last, due) != (last_on, due_on):
                changes.append((cid, {"last_touch_on": last, "touch_due_on": due}))
        update_rows(s, Client, changes)


def set_cadence(book: Book, client_id: int, cadence_days: int | None) -> None:
    if cadence_days is not None and not 1 <= cadence_days <= CADENCE_MAX_DAYS:
        raise ValidationError(
            {"cadence_days": f"Choose a rhythm between 1 and {CADENCE_MAX_DAYS} days."}
        )
    with book.session() as s:
        client = client_or_error(s, client_id)
        client.cadence_days = cadence_days
        recompute_touch_due(client)


def list_touches(book: Book, client_id: int, *, limit: int = 200) -> list[TouchRow]:
    with book.reader() as s:
        rows = s.scalars(
            select(Touch)
            .where(Touch.client_id == client_id)
            .order_by(Touch.happened_at.desc(), Touch.id.desc())
            .limit(limit)
        )
        return [
            TouchRow(t.id, t.client_id, t.happened_at, t.channel, t.summary, t.next_step)
            for t in rows
        ]


def add_follow_up(
    book: Book,
    client_id: int,
    title: str,
    due_on: date,
    *,
    note: str = "",
    kind: FollowUpKind = FollowUpKind.MANUAL,
    now: datetime | None = None,
) -> int:
    title = " ".join(title.split())
    if not title:
        raise ValidationError({"title": "Say in a few words what to follow up on."})
    if len(title) > TITLE_MAX:
        raise ValidationError({"title": f"Keep the title under {TITLE_MAX} characters."})
    if problem := text_problem(title, multiline=False):
        raise ValidationError({"title": problem})
    if problem := text_problem(note):
        raise ValidationError({"note": problem})
    with book.session() as s:
        client_or_error(s, client_id)
        row = NewFollowUp(client_id, kind, title, due_on, now or utcnow(), note=note)
        (fu_id,) = add_follow_ups_in(s, [row])
        return fu_id


def snooze_follow_up(book: Book, follow_up_id: int, until: date) -> None:
    with book.session() as s:
        _follow_up(s, follow_up_id).due_on = until


def complete_follow_up(book: Book, follow_up_id: int, *, now: datetime | None = None) -> None:
    with book.session() as s:
        fu = _follow_up(s, follow_up_id)
        if fu.done_at is None:
            fu.done_at = now or utcnow()


def reopen_follow_up(book: Book, follow_up_id: int) -> None:
    """Undo of "done"."""
    with book.session() as s:
        _follow_up(s, follow_up_id).done_at = None


def open_follow_ups(book: Book, client_id: int) -> list[FollowUpRow]:
    with book.reader() as s:
        rows = s.execute(
            select(FollowUp, Client.name)
            .join(Client, Client.id == FollowUp.client_id)
            .where(FollowUp.client_id == client_id, FollowUp.done_at.is_(None))
            .order_by(FollowUp.due_on, FollowUp.id)
        )
        return [_fu_row(fu, name) for fu, name in rows]


def _follow_up(s: Session, follow_up_id: int) -> FollowUp:
    fu = s.get(FollowUp, follow_up_id)
    if fu is None:
        raise NotFoundError(f"There is no follow-up with id {follow_up_id}.")
    return fu


def _fu_row(fu: FollowUp, client_name: str) -> FollowUpRow:
    return FollowUpRow(
        id=fu.id,
        client_id=fu.client_id,
        client_name=client_name,
        kind=fu.kind,
        title=fu.title,
        note=fu.note,
        due_on=fu.due_on,
        original_due_on=fu.original_due_on,
        done_at=fu.done_at,
    )


@dataclass(frozen=True)
class DueDetail:
    """A due item with what a calendar (or a script) needs beyond the Today view:
    ids that stay the same in every copy of the book, the organisation, the note."""

    item: DueItem
    client_uid: str
    organisation: str
    follow_up_uid: str | None = None
    note: str = ""


def due_details(book: Book, today: date, *, horizon_days: int = UPCOMING_DAYS) -> list[DueDetail]:
    """``due_items`` up to ``today + horizon_days``, each with its stable ids and context."""
    items = due_items(book, today, horizon_days=horizon_days)
    client_ids = sorted({i.client_id for i in items})
    fu_ids = sorted({i.follow_up_id for i in items if i.follow_up_id is not None})
    clients: dict[int, tuple[str, str]] = {}
    follow_ups: dict[int, tuple[str, str]] = {}
    with book.reader() as s:
        for start in range(0, len(client_ids), 500):
            for cid, uid, org in s.execute(
                select(Client.id, Client.uid, Client.organisation).where(
                    Client.id.in_(client_ids[start : start + 500])
                )
            ):
                clients[cid] = (uid, org)
        for start in range(0, len(fu_ids), 500):
            for fid, uid, note in s.execute(
                select(FollowUp.id, FollowUp.uid, FollowUp.note).where(
                    FollowUp.id.in_(fu_ids[start : start + 500])
                )
            ):
                follow_ups[fid] = (uid, note)
    details: list[DueDetail] = []
    for item in items:
        # Two reads, so a row deleted in between is skipped rather than half-shown.
        if item.client_id not in clients:
            continue
        uid, org = clients[item.client_id]
        if item.follow_up_id is None:
            details.append(DueDetail(item, uid, org))
        elif item.follow_up_id in follow_ups:
            fu_uid, note = follow_ups[item.follow_up_id]
            details.append(DueDetail(item, uid, org, fu_uid, note))
    return details
