"""Clients the book has none of (most of a first import): written through the
services' writers, a table at a time, each table in one executemany.

A client is "fresh" when neither its id nor the id of any touch, follow-up,
incident, timeline entry or evidence row of it is in the book: there is nothing to
match, move or refuse, so its rows go straight in. Anything else takes the
matching path (merge_history, merge_incidents).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from exports.book_json.format import BookFormatError
from exports.book_json.incoming import _Incoming
from exports.book_json.merge_history import _new_follow_up
from exports.book_json.merge_incidents import _new_incident
from models.entities import Evidence, FollowUp, Incident, IncidentEntry, Touch
from models.services.bulk import SQL_CHUNK, RowRefused
from models.services.clients import NewClient, add_clients_in
from models.services.incident_writers import (
    NewEntry,
    NewEvidence,
    add_entries_in,
    add_evidence_in,
    add_incidents_in,
)
from models.services.reminders import NewTouch, add_follow_ups_in, add_touches_in
from models.types import stored_moment


def _taken(
    s: Session, entity: type[Any], uids: Sequence[str], empty: frozenset[type[Any]] = frozenset()
) -> set[str]:
    """Which of ``uids`` the table already has: none when it is empty (a first
    import), or was before this import (``empty``: its rows are then the file's own
    earlier batches', whose ids the checks found unique); its own uids when it
    holds fewer rows than the file lists."""
    if entity in empty:
        return set()
    held = s.scalar(select(func.count()).select_from(entity)) or 0
    if not held:
        return set()
    if held <= len(uids):
        wanted = set(uids)
        return {u for u in s.scalars(select(entity.uid)) if u in wanted}
    found: set[str] = set()
    for start in range(0, len(uids), SQL_CHUNK):
        chunk = uids[start : start + SQL_CHUNK]
        found.update(s.scalars(select(entity.uid).where(entity.uid.in_(chunk))))
    return found


def split_fresh(
    s: Session, new: list[_Incoming], empty: frozenset[type[Any]] = frozenset()
) -> tuple[list[_Incoming], list[_Incoming]]:
    """``new`` (clients whose id the book lacks) as (fresh, the rest), each in file
    order (``empty``: see _taken)."""
    taken: set[str] = set()
    for entity, uids in (
        (Touch, [t.uid for inc in new for t in inc.touches]),
        (FollowUp, [f.uid for inc in new for f in inc.follow_ups]),
        (Incident, [i.uid for inc in new for i in inc.incidents]),
        (IncidentEntry, [e.uid for inc in new for i in inc.incidents for e in i.timeline]),
        (Evidence, [e.uid for inc in new for i in inc.incidents for e in i.evidence]),
    ):
        if uids:
            taken |= _taken(s, entity, uids, empty)
    if not taken:
        return new, []
    fresh: list[_Incoming] = []
    rest: list[_Incoming] = []
    for inc in new:
        uids: Iterable[str] = (
            *(t.uid for t in inc.touches),
            *(f.uid for f in inc.follow_ups),
            *(i.uid for i in inc.incidents),
            *(e.uid for i in inc.incidents for e in i.timeline),
            *(e.uid for i in inc.incidents for e in i.evidence),
        )
        (rest if any(u in taken for u in uids) else fresh).append(inc)
    return fresh, rest


def _refused(owners: Sequence[_Incoming], exc: RowRefused) -> BookFormatError:
    inc = owners[min(exc.position, len(owners) - 1)]
    return BookFormatError(f"clients[{inc.index}]: the book refused this client ({exc.reason}).")


def add_fresh(
    s: Session, fresh: list[_Incoming], file_ids: dict[str, int], now: datetime
) -> list[int]:
    """Write the fresh clients and everything under them; returns their row ids.
    The clients' touch dates and priority windows are the caller's to refresh."""
    clients = [
        NewClient(
            inc.data,
            created_at=inc.created_at or now,
            updated_at=inc.updated_at or now,
            uid=inc.uid,
            archived_at=inc.archived_at,
        )
        for inc in fresh
    ]
    try:
        client_ids = add_clients_in(s, clients)
        owners = [inc for inc in fresh for _t in inc.touches]
        stamp = stored_moment(now)
        # _new_touch, written out: a first import runs this for every touch of the file.
        touches = [
            NewTouch(cid, t.happened, t.channel, t.summary, t.next_step, t.created or stamp, t.uid)
            for cid, inc in zip(client_ids, fresh, strict=True)
            for t in inc.touches
        ]
        touch_ids = dict(
            zip((t.uid for t in touches), _write(add_touches_in, s, touches, owners), strict=True)
        )
        owners = [inc for inc in fresh for _f in inc.follow_ups]
        follow_ups = [
            _new_follow_up(cid, f, touch_ids[f.touch_uid] if f.touch_uid else None, now)
            for cid, inc in zip(client_ids, fresh, strict=True)
            for f in inc.follow_ups
        ]
        fu_ids = dict(
            zip(
                (f.uid for f in follow_ups),
                _write(add_follow_ups_in, s, follow_ups, owners),
                strict=True,
            )
        )
        _add_incidents(s, fresh, client_ids, fu_ids, file_ids, now)
    except RowRefused as exc:  # the clients themselves
        raise _refused(fresh, exc) from exc
    return client_ids


def _write(writer: Any, s: Session, rows: Sequence[Any], owners: Sequence[_Incoming]) -> list[int]:
    """``writer(s, rows)``, a refusal named by the client the refused row is under."""
    try:
        ids: list[int] = writer(s, rows)
    except RowRefused as exc:
        raise _refused(owners, exc) from exc
    return ids


def _add_incidents(
    s: Session,
    fresh: list[_Incoming],
    client_ids: list[int],
    fu_ids: dict[str, int],
    file_ids: dict[str, int],
    now: datetime,
) -> None:
    owners = [inc for inc in fresh for _i in inc.incidents]
    if not owners:
        return
    found = [
        (cid, inc, ii) for cid, inc in zip(client_ids, fresh, strict=True) for ii in inc.incidents
    ]
    rows = [
        _new_incident(cid, ii, fu_ids[ii.promise_uid] if ii.promise_uid else None, now)
        for cid, _inc, ii in found
    ]
    incident_ids = _write(add_incidents_in, s, rows, owners)
    entries: list[NewEntry] = []
    entry_owners: list[_Incoming] = []
    evidence: list[NewEvidence] = []
    evidence_owners: list[_Incoming] = []
    for iid, (_cid, inc, ii) in zip(incident_ids, found, strict=True):
        for e in ii.timeline:
            entries.append(
                NewEntry(
                    iid, e.kind, e.text, e.happened_at, e.created_at or now, e.edited_at, e.uid
                )
            )
            entry_owners.append(inc)
        for ev in ii.evidence:
            evidence.append(
                NewEvidence(iid, file_ids[ev.sha256], ev.name, ev.added_at or now, ev.uid)
            )
            evidence_owners.append(inc)
    _write(add_entries_in, s, entries, entry_owners)
    _write(add_evidence_in, s, evidence, evidence_owners)
