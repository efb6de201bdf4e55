"""Merging a client's touches and follow-ups, and telling an unchanged client
from a changed one."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from exports.book_json.format import _SQL_CHUNK, INCIDENT_TEXTS
from exports.book_json.incoming import (
    _Incoming,
    _IncomingEntry,
    _IncomingFollowUp,
    _IncomingIncident,
    _IncomingTouch,
)
from models.entities import (
    Channel,
    Client,
    ClientStatus,
    ContactKind,
    EntryKind,
    Evidence,
    FollowUp,
    FollowUpKind,
    Incident,
    IncidentCategory,
    IncidentEntry,
    IncidentStatus,
    Severity,
    StoredFile,
    Touch,
)
from models.services.reminders import NewFollowUp, NewTouch, add_follow_ups_in, add_touches_in
from models.types import StoredMoment, stored_moment


def _clients_by_uid(s: Session, uids: list[str]) -> dict[str, Client]:
    found: dict[str, Client] = {}
    for start in range(0, len(uids), _SQL_CHUNK):
        chunk = uids[start : start + _SQL_CHUNK]
        for c in s.scalars(
            select(Client)
            .where(Client.uid.in_(chunk))
            .options(selectinload(Client.contacts), selectinload(Client.tags))
        ):
            found[c.uid] = c
    return found


@dataclass
class _History:
    touches: list[Touch] = field(default_factory=list)
    follow_ups: list[FollowUp] = field(default_factory=list)
    touch_uids: dict[int, str] = field(default_factory=dict)
    incidents: list[Incident] = field(default_factory=list)
    entries: dict[int, list[IncidentEntry]] = field(default_factory=dict)
    # Per incident id: (evidence row, its file's sha256, its size).
    evidence: dict[int, list[tuple[Evidence, str, int]]] = field(default_factory=dict)


def _history(s: Session, client_ids: list[int]) -> dict[int, _History]:
    """The touches and follow-ups the book holds for these clients, for comparing."""
    found: dict[int, _History] = {}
    for start in range(0, len(client_ids), _SQL_CHUNK):
        chunk = client_ids[start : start + _SQL_CHUNK]
        for t in s.scalars(select(Touch).where(Touch.client_id.in_(chunk))):
            h = found.setdefault(t.client_id, _History())
            h.touches.append(t)
            h.touch_uids[t.id] = t.uid
        for fu in s.scalars(select(FollowUp).where(FollowUp.client_id.in_(chunk))):
            found.setdefault(fu.client_id, _History()).follow_ups.append(fu)
        owner: dict[int, _History] = {}
        for inc in s.scalars(select(Incident).where(Incident.client_id.in_(chunk))):
            h = found.setdefault(inc.client_id, _History())
            h.incidents.append(inc)
            owner[inc.id] = h
        for e in s.scalars(
            select(IncidentEntry)
            .join(Incident, Incident.id == IncidentEntry.incident_id)
            .where(Incident.client_id.in_(chunk))
        ):
            owner[e.incident_id].entries.setdefault(e.incident_id, []).append(e)
        for ev, sha, size in s.execute(
            select(Evidence, StoredFile.sha256, StoredFile.size)
            .join(StoredFile, StoredFile.id == Evidence.file_id)
            .join(Incident, Incident.id == Evidence.incident_id)
            .where(Incident.client_id.in_(chunk))
        ):
            owner[ev.incident_id].evidence.setdefault(ev.incident_id, []).append((ev, sha, size))
    return found


def _replace_history(s: Session, client: Client, inc: _Incoming, now: datetime) -> set[int]:
    """Make the client's touches and follow-ups exactly the file's, matched by id.

    A row the file lists under this client but the book keeps under another moves
    here; the ids of the clients it left are returned, as their dates change too.
    """
    touch_uids = [t.uid for t in inc.touches]
    fu_uids = [f.uid for f in inc.follow_ups]
    touches = {t.uid: t for t in _rows_for(s, Touch, client.id, touch_uids)}
    follow_ups = {f.uid: f for f in _rows_for(s, FollowUp, client.id, fu_uids)}
    if not touches and not follow_ups:
        _insert_history(s, client, inc, now)
        return set()
    # Follow-ups first, so none is left pointing at a touch about to go.
    keep_fu, keep_touch = set(fu_uids), set(touch_uids)
    for uid, fu in follow_ups.items():
        if uid not in keep_fu:
            s.delete(fu)
    for uid, t in touches.items():
        if uid not in keep_touch:
            s.delete(t)
    s.flush()

    left: set[int] = set()
    touch_ids: dict[str, int] = {}
    new_touches: list[NewTouch] = []
    stamp = stored_moment(now)
    for it in inc.touches:
        row = _moved(touches, it.uid, it.created_at, client.id, left)
        if row is None:
            new_touches.append(_new_touch(client.id, it, stamp))
            continue
        row.happened_at = it.happened_at
        row.channel = it.channel
        row.summary = it.summary
        row.next_step = it.next_step
        touch_ids[it.uid] = row.id
    new_ids = add_touches_in(s, new_touches)
    touch_ids.update(
        zip([t.uid for t in inc.touches if t.uid not in touches], new_ids, strict=True)
    )

    new_follow_ups: list[NewFollowUp] = []
    for ifu in inc.follow_ups:
        touch_id = touch_ids[ifu.touch_uid] if ifu.touch_uid is not None else None
        fu = _moved(follow_ups, ifu.uid, ifu.created_at, client.id, left)
        if fu is None:
            new_follow_ups.append(_new_follow_up(client.id, ifu, touch_id, now))
            continue
        fu.kind = ifu.kind
        fu.title = ifu.title
        fu.note = ifu.note
        fu.due_on = ifu.due_on
        fu.original_due_on = ifu.original_due_on
        fu.done_at = ifu.done_at
        fu.touch_id = touch_id
    add_follow_ups_in(s, new_follow_ups)
    return left


def _new_touch(client_id: int, t: _IncomingTouch, now: StoredMoment) -> NewTouch:
    """A touch of the file as the services' writer takes it (``now``: the import's
    time, as stored, for a touch the file gives no ``created_at``)."""
    created = t.created or now
    return NewTouch(client_id, t.happened, t.channel, t.summary, t.next_step, created, t.uid)


def _new_follow_up(
    client_id: int, f: _IncomingFollowUp, touch_id: int | None, now: datetime
) -> NewFollowUp:
    """A follow-up of the file as the services' writer takes it."""
    return NewFollowUp(
        client_id,
        f.kind,
        f.title,
        f.due_on,
        f.created_at or now,
        note=f.note,
        original_due_on=f.original_due_on,
        done_at=f.done_at,
        touch_id=touch_id,
        uid=f.uid,
    )


def _insert_history(s: Session, client: Client, inc: _Incoming, now: datetime) -> None:
    """A client whose history the book has none of: the touches and follow-ups go
    in through the services' writers, one executemany each."""
    stamp = stored_moment(now)
    ids = add_touches_in(s, [_new_touch(client.id, t, stamp) for t in inc.touches])
    touch_ids = dict(zip([t.uid for t in inc.touches], ids, strict=True))
    add_follow_ups_in(
        s,
        [
            _new_follow_up(client.id, f, touch_ids[f.touch_uid] if f.touch_uid else None, now)
            for f in inc.follow_ups
        ],
    )


_Row = TypeVar("_Row", Touch, FollowUp, Incident, IncidentEntry)
_Child = TypeVar("_Child", IncidentEntry, Evidence)


def _moved(
    rows: dict[str, _Row],
    uid: str,
    created_at: datetime | None,
    client_id: int,
    left: set[int],
) -> _Row | None:
    """The book's row with ``uid``, filed under ``client_id`` (moved here from another
    client if need be: that client's id goes into ``left``); None for a new row,
    which the caller writes through the services' writer. A file without
    ``created_at`` keeps the book's."""
    row = rows.get(uid)
    if row is None:
        return None
    if row.client_id != client_id:
        left.add(row.client_id)
        row.client_id = client_id
    if created_at is not None:
        row.created_at = created_at
    return row


def _rows_for(s: Session, entity: type[_Row], client_id: int, uids: list[str]) -> list[_Row]:
    """The client's rows, and any row elsewhere in the book that has one of ``uids``."""
    rows = {r.uid: r for r in s.scalars(select(entity).where(entity.client_id == client_id))}
    for start in range(0, len(uids), _SQL_CHUNK):
        chunk = uids[start : start + _SQL_CHUNK]
        for r in s.scalars(select(entity).where(entity.uid.in_(chunk))):
            rows[r.uid] = r
    return list(rows.values())


def _unchanged(c: Client, inc: _Incoming, history: _History | None) -> bool:
    """Would importing ``inc`` change nothing? Tag names compare without case, as
    tags are shared book-wide and an import reuses "VIP" for "vip"."""
    d = inc.data
    h = history or _History()

    def points(kind: ContactKind) -> list[tuple[str, str]]:
        ps = sorted((p for p in c.contacts if p.kind == kind), key=lambda p: p.position)
        return [(p.value, p.label) for p in ps]

    return (
        c.name == d.name
        and c.organisation == d.organisation
        and c.role == d.role
        and c.notes == d.notes
        and ClientStatus(c.status) == d.status
        and points(ContactKind.EMAIL) == [(e.value, e.label) for e in d.emails]
        and points(ContactKind.PHONE) == [(p.value, p.label) for p in d.phones]
        and sorted(t.name.casefold() for t in c.tags) == sorted(t.casefold() for t in d.tags)
        and c.cadence_days == d.cadence_days
        and c.archived_at == inc.archived_at
        and (inc.created_at is None or c.created_at == inc.created_at)
        and (inc.updated_at is None or c.updated_at == inc.updated_at)
        and _same_touches(h.touches, inc.touches)
        and _same_follow_ups(h.follow_ups, inc.follow_ups, h.touch_uids)
        and _same_incidents(h, inc.incidents)
    )


_In = TypeVar("_In", _IncomingTouch, _IncomingFollowUp, _IncomingEntry)


def _same_rows(
    rows: list[_Row],
    incoming: list[_In],
    row_values: Callable[[_Row], tuple[Any, ...]],
    incoming_values: Callable[[_In], tuple[Any, ...]],
) -> bool:
    """Are ``rows`` exactly the file's entries, matched by id? A file without
    ``created_at`` accepts whatever the book has."""
    if len(rows) != len(incoming):
        return False
    by_uid = {r.uid: r for r in rows}
    for inc in incoming:
        row = by_uid.get(inc.uid)
        if row is None or row_values(row) != incoming_values(inc):
            return False
        if inc.created_at is not None and row.created_at != inc.created_at:
            return False
    return True


def _same_touches(rows: list[Touch], incoming: list[_IncomingTouch]) -> bool:
    return _same_rows(
        rows,
        incoming,
        lambda t: (t.happened_at, Channel(t.channel), t.summary, t.next_step),
        lambda it: (it.happened_at, it.channel, it.summary, it.next_step),
    )


def _same_follow_ups(
    rows: list[FollowUp], incoming: list[_IncomingFollowUp], touch_uids: dict[int, str]
) -> bool:
    return _same_rows(
        rows,
        incoming,
        lambda fu: (
            FollowUpKind(fu.kind),
            fu.title,
            fu.note,
            fu.due_on,
            fu.original_due_on,
            fu.done_at,
            touch_uids.get(fu.touch_id) if fu.touch_id is not None else None,
        ),
        lambda ifu: (
            ifu.kind,
            ifu.title,
            ifu.note,
            ifu.due_on,
            ifu.original_due_on,
            ifu.done_at,
            ifu.touch_uid,
        ),
    )


def _same_incidents(h: _History, incoming: list[_IncomingIncident]) -> bool:
    """Are the client's incidents exactly the file's, timelines and evidence too?
    ``priority_until`` is not compared: it follows from these."""
    if len(h.incidents) != len(incoming):
        return False
    fu_uids = {fu.id: fu.uid for fu in h.follow_ups}
    by_uid = {r.uid: r for r in h.incidents}
    for ii in incoming:
        r = by_uid.get(ii.uid)
        if r is None:
            return False
        ours = (
            r.title,
            IncidentCategory(r.category),
            Severity(r.severity),
            IncidentStatus(r.status),
            {k: getattr(r, k) for k in INCIDENT_TEXTS},
            r.opened_at,
            r.acknowledged_at,
            r.closed_at,
            r.response_due_at,
            r.responded_at,
            fu_uids.get(r.promise_follow_up_id) if r.promise_follow_up_id is not None else None,
        )
        theirs = (
            ii.title,
            ii.category,
            ii.severity,
            ii.status,
            ii.texts,
            ii.opened_at,
            ii.acknowledged_at,
            ii.closed_at,
            ii.response_due_at,
            ii.responded_at,
            ii.promise_uid,
        )
        if ours != theirs or (ii.updated_at is not None and r.updated_at != ii.updated_at):
            return False
        if not _same_rows(
            h.entries.get(r.id, []),
            ii.timeline,
            lambda e: (EntryKind(e.kind), e.happened_at, e.text, e.edited_at),
            lambda ie: (ie.kind, ie.happened_at, ie.text, ie.edited_at),
        ):
            return False
        files = {
            ev.uid: (ev.original_name, sha, size, ev.added_at)
            for ev, sha, size in h.evidence.get(r.id, [])
        }
        wanted = {
            e.uid: (
                e.name,
                e.sha256,
                e.size,
                e.added_at if e.added_at is not None else files.get(e.uid, (None,) * 4)[3],
            )
            for e in ii.evidence
        }
        if files != wanted:
            return False
    return True
