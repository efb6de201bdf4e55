"""The batched writer of a contact import: new clients as plain executemany INSERTs,
updates through the ORM, all in the import's one transaction.

Apart from the planning (contacts.py) because it changes for the book's columns
and SQLite's costs, never for the rules of what is imported."""

from __future__ import annotations

import os
from dataclasses import replace
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models.entities import (
    Client,
    ClientStatus,
    ContactKind,
    ContactPoint,
    Tag,
)
from models.reminders import local_date, next_touch_due
from models.services.clients import (
    ClientInput,
    _search_text,
    _tags_by_name,
    apply_input,
)

_INSERT_CLIENT = (
    "INSERT INTO client (id, uid, name, organisation, role, notes, status, created_at, "
    "updated_at, search_text, cadence_days, touch_due_on) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)"
)
_INSERT_POINT = (
    "INSERT INTO contact_point (client_id, kind, label, value, position) VALUES (?,?,?,?,?)"
)
_INSERT_LINK = "INSERT INTO client_tag (client_id, tag_id) VALUES (?,?)"


def _uids(n: int) -> list[str]:
    """``n`` of what ``new_uid`` gives (random UUID 4s as hex), from one read of
    the system's randomness instead of one per client."""
    raw = bytearray(os.urandom(16 * n))
    raw[6::16] = bytes((b & 0x0F) | 0x40 for b in raw[6::16])
    raw[8::16] = bytes((b & 0x3F) | 0x80 for b in raw[8::16])
    text = raw.hex()
    return [text[i : i + 32] for i in range(0, 32 * n, 32)]


class _Writer:
    """Writes an import's batches into one open transaction.

    New clients go in as plain executemany INSERTs: an ORM object per client (with
    its contact and tag collections) cost 2 ms a row and 17 KB of memory; these are
    the same columns apply_input writes, computed by the same functions (search
    text, due date), as tuples. Updates are few and touch existing rows: the ORM's
    rules apply as typed. After each batch the session lets go of its objects, so
    memory stays that of one batch."""

    def __init__(self, s: Session, now: datetime, cadence_days: int | None) -> None:
        self.s, self.now, self.cadence_days = s, now, cadence_days
        self.conn = s.connection()
        self.next_id = (s.scalar(select(func.max(Client.id))) or 0) + 1
        self.created: list[int] = []
        self.tag_ids: dict[str, int] = {}
        table = Client.__table__.c
        self.at = self._stored(table.created_at, now)
        self.active = self._stored(table.status, ClientStatus.ACTIVE)
        kind = ContactPoint.__table__.c.kind
        self.email, self.phone = (self._stored(kind, k) for k in ContactKind)
        self.added_on = local_date(now)
        self.due_cache: dict[int | None, object] = {}

    def _stored(self, column: Any, value: object) -> object:
        """``value`` as the column's type stores it (once, not once per row)."""
        process = column.type.bind_processor(self.conn.dialect)
        value = process(value) if process is not None else value
        # What sqlite3's default adapters would make of it, row after row.
        if isinstance(value, datetime):
            return value.isoformat(" ")
        if isinstance(value, date):
            return value.isoformat()
        return value

    def _due(self, cadence: int | None) -> object:
        if cadence not in self.due_cache:
            day = next_touch_due(
                cadence_days=cadence,
                last_touch_on=None,
                added_on=self.added_on,
                status=ClientStatus.ACTIVE,
                archived=False,
            )
            column = Client.__table__.c.touch_due_on
            self.due_cache[cadence] = None if day is None else self._stored(column, day)
        return self.due_cache[cadence]

    def write(self, creates: list[ClientInput], updates: list[tuple[int, ClientInput]]) -> None:
        s = self.s
        if self.cadence_days is not None:
            creates = [
                replace(d, cadence_days=self.cadence_days) if d.cadence_days is None else d
                for d in creates
            ]
        # Every tag exists before the first client is written, so no query below
        # needs to flush.
        names = [t for d in creates for t in d.tags if t.casefold() not in self.tag_ids]
        names += [t for _cid, d in updates for t in d.tags]
        if names:
            _tags_by_name(s, names)
            s.flush()
            self.tag_ids = {
                name.casefold(): tid for tid, name in s.execute(select(Tag.id, Tag.name))
            }
        with s.no_autoflush:
            for cid, data in updates:
                found = s.get(Client, cid)
                if found is not None:
                    apply_input(s, found, data, self.now)
        s.flush()
        s.expunge_all()
        clients: list[tuple[object, ...]] = []
        points: list[tuple[object, ...]] = []
        links: list[tuple[int, int]] = []
        email, phone, tag_ids = self.email, self.phone, self.tag_ids
        active, at, due_cache = self.active, self.at, self.due_cache
        uids = _uids(len(creates))
        first = self.next_id
        for cid, d, uid in zip(range(first, first + len(creates)), creates, uids, strict=True):
            cadence = d.cadence_days
            due = due_cache[cadence] if cadence in due_cache else self._due(cadence)
            clients.append(
                (
                    cid,
                    uid,
                    d.name,
                    d.organisation,
                    d.role,
                    d.notes,
                    active,
                    at,
                    at,
                    _search_text(d),
                    cadence,
                    due,
                )
            )
            # (loops, not comprehensions: most clients have one of each)
            for i, c in enumerate(d.emails):
                points.append((cid, email, c.label, c.value, i))
            for i, c in enumerate(d.phones):
                points.append((cid, phone, c.label, c.value, i))
            for t in d.tags:
                links.append((cid, tag_ids[t.casefold()]))
        self.next_id = first + len(creates)
        self.created += range(first, self.next_id)
        if clients:
            self.conn.exec_driver_sql(_INSERT_CLIENT, clients)
        if points:
            self.conn.exec_driver_sql(_INSERT_POINT, points)
        if links:
            self.conn.exec_driver_sql(_INSERT_LINK, links)

