"""What the whole-book JSON tests share: small documents to import, a second book,
the export as text (tests/test_json_book*.py)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest

from exports.book_json import (
    FORMAT,
    VERSION,
    BookFormatError,
    dumps,
    export_book,
    import_book,
)
from models.db import Book, open_book
from models.reminders import next_touch_due
from models.services.client_search import list_clients
from models.services.clients import count_clients, get_client, local_date

NOW = datetime(2026, 11, 22, 9, 30, 0, 123456, tzinfo=UTC)
UID_A = "a" * 32
UID_B = "b" * 32
UID_C = "c" * 32


def other_book(tmp_path: Path, name: str = "other") -> Book:
    return open_book(tmp_path / name / "rapport.db")


def client_doc(uid: str, name: str, /, **fields: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "id": uid,
        "name": name,
        "organisation": "",
        "role": "",
        "status": "active",
        "notes": "",
        "emails": [],
        "phones": [],
        "tags": [],
        "cadence_days": None,
        "priority_until": None,
        "created_at": "2025-01-02T03:04:05.000006+00:00",
        "updated_at": "2025-02-03T04:05:06.000007+00:00",
        "archived_at": None,
        "touches": [],
        "follow_ups": [],
        "incidents": [],
    }
    doc.update(fields)
    return doc


def book_doc(*clients: dict[str, Any]) -> dict[str, Any]:
    return {"format": FORMAT, "version": VERSION, "clients": list(clients)}


def export_text(book: Book) -> str:
    return dumps(export_book(book))


T1, T2, T3 = "1" * 32, "2" * 32, "3" * 32
F1, F2 = "e" * 32, "f" * 32
I1, I2 = "d" * 32, "9" * 32


def incident_doc(uid: str, title: str, /, **fields: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "id": uid,
        "title": title,
        "category": "late_payment",
        "severity": "high",
        "status": "open",
        "opened_at": "2025-06-01T10:00:00+00:00",
    }
    doc.update(fields)
    return doc


def touch_doc(uid: str, happened_at: str, /, **fields: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "id": uid,
        "happened_at": happened_at,
        "channel": "call",
        "summary": "",
        "next_step": "",
        "created_at": "2026-01-01T00:00:00.000000+00:00",
    }
    doc.update(fields)
    return doc


def follow_up_doc(uid: str, title: str, due_on: str, /, **fields: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "id": uid,
        "kind": "manual",
        "title": title,
        "note": "",
        "due_on": due_on,
        "original_due_on": due_on,
        "done_at": None,
        "touch": None,
        "created_at": "2026-01-01T00:00:00.000000+00:00",
    }
    doc.update(fields)
    return doc


def detail_by_uid(book: Book, uid: str) -> Any:
    [row] = [r for r in list_clients(book, include_archived=True) if r.uid == uid]
    return get_client(book, row.id)


def expected_due(detail: Any, touches: list[datetime]) -> date | None:
    """The rules applied by hand to what the file says."""
    last = max((local_date(t) for t in touches), default=None)
    return next_touch_due(
        cadence_days=detail.cadence_days,
        last_touch_on=last,
        added_on=local_date(detail.created_at),
        status=detail.status,
        archived=detail.archived_at is not None,
    )


def import_error(book: Book, doc: Any) -> str:
    with pytest.raises(BookFormatError) as err:
        import_book(book, doc)
    assert count_clients(book, include_archived=True) == 0
    return str(err.value)


def iso_now() -> str:
    return NOW.isoformat()


def folder_contents(folder: Path) -> dict[str, bytes]:
    if not folder.exists():
        return {}
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}
