"""Merging incidents, their timelines and evidence rows."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from exports.book_json.format import _SQL_CHUNK, INCIDENT_TEXTS, BookFormatError
from exports.book_json.incoming import (
    _Incoming,
    _IncomingEntry,
    _IncomingEvidence,
    _IncomingIncident,
)
from exports.book_json.merge_history import _Child, _rows_for
from models.entities import (
    Client,
    Evidence,
    FollowUp,
    Incident,
    IncidentEntry,
)
from models.services.incident_writers import (
    NewEntry,
    NewEvidence,
    NewIncident,
    add_entries_in,
    add_evidence_in,
    add_incidents_in,
)


def _replace_incidents(
    s: Session, client: Client, inc: _Incoming, file_ids: dict[str, int], now: datetime
) -> set[int]:
    """Make the client's incidents, their timelines and evidence exactly the file's,
    matched by id, as _replace_history does for touches; returns the clients an
    incident moved away from (their priority changes too)."""
    uids = [i.uid for i in inc.incidents]
    rows = {r.uid: r for r in _rows_for(s, Incident, client.id, uids)}
    keep = set(uids)
    for uid, row in rows.items():
        if uid not in keep:
            s.delete(row)  # its timeline and evidence rows go with it (ON DELETE CASCADE)
    s.flush()
    promise_ids: dict[str, int] = {
        uid: fid
        for uid, fid in s.execute(
            select(FollowUp.uid, FollowUp.id).where(FollowUp.client_id == client.id)
        )
    }
    left: set[int] = set()
    placed: list[tuple[int, _IncomingIncident]] = []
    fresh: list[NewIncident] = []
    fresh_incoming: list[_IncomingIncident] = []
    for j, ii in enumerate(inc.incidents):
        promise_id = promise_ids[ii.promise_uid] if ii.promise_uid else None
        row = rows.get(ii.uid)
        if row is None:
            fresh.append(_new_incident(client.id, ii, promise_id, now))
            fresh_incoming.append(ii)
            continue
        if row.client_id != client.id:
            # An id is not a way to take another client's record (issue 18).
            raise BookFormatError(
                f"clients[{inc.index}].incidents[{j}]: the id {ii.uid} belongs to an "
                "incident of another client in this book; nothing was imported."
            )
        row.title, row.category, row.severity, row.status = (
            ii.title,
            ii.category,
            ii.severity,
            ii.status,
        )
        for key in INCIDENT_TEXTS:
            setattr(row, key, ii.texts[key])
        row.opened_at = ii.opened_at
        row.acknowledged_at = ii.acknowledged_at
        row.closed_at = ii.closed_at
        row.response_due_at = ii.response_due_at
        row.responded_at = ii.responded_at
        row.promise_follow_up_id = promise_id
        row.updated_at = ii.updated_at or now
        placed.append((row.id, ii))
    placed += zip(add_incidents_in(s, fresh), fresh_incoming, strict=True)
    for incident_id, ii in placed:
        _replace_entries(s, incident_id, ii.timeline, now)
        _replace_evidence(s, incident_id, ii.evidence, file_ids, now)
    return left


def _new_incident(
    client_id: int, ii: _IncomingIncident, promise_id: int | None, now: datetime
) -> NewIncident:
    """An incident of the file as the services' writer takes it."""
    return NewIncident(
        client_id,
        ii.title,
        ii.category,
        ii.severity,
        opened_at=ii.opened_at,
        updated_at=ii.updated_at or now,
        status=ii.status,
        acknowledged_at=ii.acknowledged_at,
        closed_at=ii.closed_at,
        response_due_at=ii.response_due_at,
        responded_at=ii.responded_at,
        promise_follow_up_id=promise_id,
        uid=ii.uid,
        **ii.texts,
    )


def _children(
    s: Session, entity: type[_Child], incident_id: int, uids: list[str]
) -> dict[str, _Child]:
    """An incident's entries (or evidence), and any elsewhere that has one of ``uids``."""
    rows = {r.uid: r for r in s.scalars(select(entity).where(entity.incident_id == incident_id))}
    for start in range(0, len(uids), _SQL_CHUNK):
        chunk = uids[start : start + _SQL_CHUNK]
        for r in s.scalars(select(entity).where(entity.uid.in_(chunk))):
            rows[r.uid] = r
    keep = set(uids)
    for uid, r in list(rows.items()):
        if uid not in keep:
            s.delete(r)
            del rows[uid]
    s.flush()
    return rows


def _replace_entries(
    s: Session, incident_id: int, entries: list[_IncomingEntry], now: datetime
) -> None:
    rows = _children(s, IncidentEntry, incident_id, [e.uid for e in entries])
    fresh: list[NewEntry] = []
    for e in entries:
        row = rows.get(e.uid)
        if row is None:
            created = e.created_at or now
            fresh.append(
                NewEntry(incident_id, e.kind, e.text, e.happened_at, created, e.edited_at, e.uid)
            )
            continue
        row.incident_id = incident_id
        if e.created_at is not None:
            row.created_at = e.created_at
        row.kind, row.happened_at, row.text, row.edited_at = (
            e.kind,
            e.happened_at,
            e.text,
            e.edited_at,
        )
    add_entries_in(s, fresh)


def _replace_evidence(
    s: Session,
    incident_id: int,
    evidence: list[_IncomingEvidence],
    file_ids: dict[str, int],
    now: datetime,
) -> None:
    rows = _children(s, Evidence, incident_id, [e.uid for e in evidence])
    fresh: list[NewEvidence] = []
    for e in evidence:
        row = rows.get(e.uid)
        if row is None:
            added = e.added_at or now
            fresh.append(NewEvidence(incident_id, file_ids[e.sha256], e.name, added, e.uid))
            continue
        row.incident_id = incident_id
        if e.added_at is not None:
            row.added_at = e.added_at
        row.file_id = file_ids[e.sha256]
        row.original_name = e.name
    add_evidence_in(s, fresh)
