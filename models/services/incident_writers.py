"""Incidents inside a unit of work the caller owns: the rows as stored, one or many
in one executemany, and the client's priority window kept from them.

``open_incident``, the repair wizard, the JSON import and the demo all write
incidents, timeline entries, evidence rows and stored files through these, so a
column added to an incident is written in one place. They take a Session and
never commit; the book-level use cases (incidents.py, incident_timeline.py,
incident_evidence.py) own the unit of work around them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.entities import (
    Client,
    EntryKind,
    Evidence,
    Incident,
    IncidentCategory,
    IncidentEntry,
    IncidentStatus,
    Severity,
    StoredFile,
    new_uid,
)
from models.incidents import IncidentFacts, priority_until
from models.services.bulk import SQL_CHUNK, insert_rows, update_rows
from models.services.clients import local_date


def _facts(inc: Incident) -> IncidentFacts:
    return IncidentFacts(
        severity=inc.severity,
        status=inc.status,
        closed_on=local_date(inc.closed_at) if inc.closed_at else None,
        response_due_at=inc.response_due_at,
        responded_at=inc.responded_at,
        category=inc.category,
        title=inc.title,
        opened_on=local_date(inc.opened_at),
    )


def recompute_priority(s: Session, client: Client) -> None:
    """Set ``client.priority_until`` from its incidents by the rule every incident
    service applies, inside the caller's session (an import's transaction)."""
    s.flush()
    incidents = s.scalars(select(Incident).where(Incident.client_id == client.id))
    client.priority_until = priority_until(_facts(i) for i in incidents)


@dataclass(slots=True)
class NewIncident:
    """One incident for ``add_incidents_in``, as stored (a new uid when None)."""

    client_id: int
    title: str
    category: IncidentCategory
    severity: Severity
    opened_at: datetime
    updated_at: datetime
    status: IncidentStatus = IncidentStatus.OPEN
    client_view: str = ""
    our_view: str = ""
    our_mistakes: str = ""
    client_contribution: str = ""
    acknowledged_at: datetime | None = None
    closed_at: datetime | None = None
    response_due_at: datetime | None = None
    responded_at: datetime | None = None
    promise_follow_up_id: int | None = None
    uid: str | None = None


@dataclass(slots=True)
class NewEntry:
    """One timeline entry for ``add_entries_in``."""

    incident_id: int
    kind: EntryKind
    text: str
    happened_at: datetime
    created_at: datetime
    edited_at: datetime | None = None
    uid: str | None = None


@dataclass(slots=True)
class NewEvidence:
    """One evidence row for ``add_evidence_in``; its file is already stored."""

    incident_id: int
    file_id: int
    original_name: str
    added_at: datetime
    uid: str | None = None


_INCIDENT_COLUMNS = tuple(f for f in NewIncident.__dataclass_fields__ if f != "uid")


def add_incidents_in(s: Session, rows: Sequence[NewIncident]) -> list[int]:
    """Write incidents in one executemany and return their ids in order: the writer
    behind ``open_incident``, the demo and an import. The client's priority window
    is the caller's to refresh (``recompute_priority``, ``refresh_priority_in``)."""
    return insert_rows(
        s,
        Incident,
        [
            {"uid": r.uid or new_uid(), **{k: getattr(r, k) for k in _INCIDENT_COLUMNS}}
            for r in rows
        ],
    )


def add_entries_in(s: Session, rows: Sequence[NewEntry]) -> list[int]:
    """Write timeline entries in one executemany; their ids in order."""
    return insert_rows(
        s,
        IncidentEntry,
        [
            {
                "uid": r.uid or new_uid(),
                "incident_id": r.incident_id,
                "kind": r.kind,
                "text": r.text,
                "happened_at": r.happened_at,
                "created_at": r.created_at,
                "edited_at": r.edited_at,
            }
            for r in rows
        ],
    )


def add_evidence_in(s: Session, rows: Sequence[NewEvidence]) -> list[int]:
    """Write evidence rows in one executemany; their ids in order."""
    return insert_rows(
        s,
        Evidence,
        [
            {
                "uid": r.uid or new_uid(),
                "incident_id": r.incident_id,
                "file_id": r.file_id,
                "original_name": r.original_name,
                "added_at": r.added_at,
            }
            for r in rows
        ],
    )


def stored_files_in(s: Session, files: Mapping[str, int], now: datetime) -> dict[str, int]:
    """The stored_file row id of every SHA-256 in ``files`` (hash to size), made for
    those the book lacks. The files themselves must be in place already
    (``store_file``): a row never points at a file that is not there."""
    ids: dict[str, int] = {}
    shas = sorted(files)
    for start in range(0, len(shas), SQL_CHUNK):
        chunk = shas[start : start + SQL_CHUNK]
        found = select(StoredFile.sha256, StoredFile.id).where(StoredFile.sha256.in_(chunk))
        ids.update((sha, file_id) for sha, file_id in s.execute(found))
    missing = [sha for sha in shas if sha not in ids]
    rows = [{"sha256": sha, "size": files[sha], "created_at": now} for sha in missing]
    ids.update(zip(missing, insert_rows(s, StoredFile, rows), strict=True))
    return ids


def refresh_priority_in(s: Session, client_ids: Iterable[int]) -> None:
    """Each client's priority window from its incidents as they now stand, by the
    rule every incident service applies; what a writer of many incidents calls
    once, at the end."""
    ids = sorted(set(client_ids))
    s.flush()
    incident = Incident.__table__
    for start in range(0, len(ids), SQL_CHUNK):
        chunk = ids[start : start + SQL_CHUNK]
        facts: dict[int, list[IncidentFacts]] = {}
        for row in s.execute(select(incident).where(incident.c.client_id.in_(chunk))):
            facts.setdefault(row.client_id, []).append(_facts(row))  # type: ignore[arg-type]
        changes = []
        for cid, before in s.execute(
            select(Client.id, Client.priority_until).where(Client.id.in_(chunk))
        ):
            after = priority_until(facts.get(cid, []))
            if after != before:
                changes.append((cid, {"priority_until": after}))
        update_rows(s, Client, changes)
