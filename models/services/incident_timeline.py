"""An incident's timeline: the entries the consultant writes (added, edited with
the edit time kept, deleted), read together with the touches logged with the client
while the incident was open.

Apart from opening and closing an incident (incidents.py): the incident window's
timeline tab, the client summary and the repair records come here for the timeline
and nothing else.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.agreements import live_entry
from models.db import Book
from models.entities import Agreement, AgreementStatus, EntryKind, IncidentEntry, Touch
from models.limits import text_problem
from models.services.clients import NotFoundError, ValidationError
from models.services.incident_writers import NewEntry, add_entries_in
from models.services.incidents import TEXT_MAX, incident_or_error
from models.types import utcnow


@dataclass(frozen=True)
class TimelineRow:
    """An incident entry, or a touch logged with the client while it was open."""

    happened_at: datetime
    kind: str  # an EntryKind value, or "touch:<channel>"
    text: str
    entry_id: int | None = None
    touch_id: int | None = None
    edited_at: datetime | None = None


def _entry_text(text: str) -> str:
    """A timeline entry's text as stored, or a ValidationError saying why not: the
    same rules for a new entry and an edited one."""
    text = text.strip()
    if not text:
        raise ValidationError({"text": "Write what happened."})
    if len(text) > TEXT_MAX:
        raise ValidationError({"text": f"Keep an entry under {TEXT_MAX} characters."})
    if problem := text_problem(text):
        raise ValidationError({"text": problem})
    return text


def add_entry(
    book: Book,
    incident_id: int,
    kind: EntryKind,
    text: str,
    *,
    happened_at: datetime | None = None,
    now: datetime | None = None,
) -> int:
    now = now or utcnow()
    text = _entry_text(text)
    with book.session() as s:
        incident_or_error(s, incident_id)
        entry = NewEntry(incident_id, EntryKind(kind), text, happened_at or now, now)
        (entry_id,) = add_entries_in(s, [entry])
        return entry_id


def edit_entry(
    book: Book,
    entry_id: int,
    text: str,
    *,
    happened_at: datetime | None = None,
    kind: EntryKind | None = None,
    now: datetime | None = None,
) -> None:
    """Change an entry; the edit time is kept so the record stays honest."""
    text = _entry_text(text)
    with book.session() as s:
        entry = s.get(IncidentEntry, entry_id)
        if entry is None:
            raise NotFoundError(f"There is no timeline entry with id {entry_id}.")
        entry.text = text
        if happened_at is not None:
            entry.happened_at = happened_at
        if kind is not None:
            entry.kind = EntryKind(kind)
        entry.edited_at = now or utcnow()


def delete_entry(book: Book, entry_id: int) -> None:
    with book.session() as s:
        entry = s.get(IncidentEntry, entry_id)
        if entry is not None:
            s.delete(entry)


def agreement_states(s: Session, incident_id: int) -> dict[str, tuple[int, AgreementStatus]]:
    """Each agreement number linked to the incident, with its newest version and that
    version's status: what the timeline says about it today (``live_entry``)."""
    out: dict[str, tuple[int, AgreementStatus]] = {}
    rows = s.execute(
        select(Agreement.number, Agreement.version, Agreement.status)
        .where(Agreement.incident_id == incident_id)
        .order_by(Agreement.number, Agreement.version)
    )
    for number, version, status in rows:
        out[number] = (version, status)
    return out


def timeline(book: Book, incident_id: int, *, now: datetime | None = None) -> list[TimelineRow]:
    """Entries and the client's touches while the incident was open, newest first."""
    now = now or utcnow()
    with book.reader() as s:
        inc = incident_or_error(s, incident_id)
        current = agreement_states(s, inc.id)
        rows = [
            TimelineRow(
                e.happened_at,
                e.kind.value,
                live_entry(e.text, current),
                entry_id=e.id,
                edited_at=e.edited_at,
            )
            for e in s.scalars(select(IncidentEntry).where(IncidentEntry.incident_id == inc.id))
        ]
        end = inc.closed_at or now
        for t in s.scalars(
            select(Touch).where(
                Touch.client_id == inc.client_id,
                Touch.happened_at >= inc.opened_at,
                Touch.happened_at <= end,
            )
        ):
            text = t.summary or "(no summary)"
            if t.next_step:
                text += f"\nNext step: {t.next_step}"
            rows.append(TimelineRow(t.happened_at, f"touch:{t.channel.value}", text, touch_id=t.id))
    rows.sort(key=lambda r: (r.happened_at, r.entry_id or 0, r.touch_id or 0), reverse=True)
    return rows
