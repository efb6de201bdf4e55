"""Hostile files: each is refused with a message that names the spot, and the book is
left byte for byte as it was. Nothing may hang or be read without bound."""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from exports.book_json import FORMAT, BookFormatError, attachments_dir_for, import_json
from models.db import open_book
from models.demo import fill_demo

NOW = datetime(2026, 11, 22, 9, 30, tzinfo=UTC)
UID_A, UID_B = "a" * 32, "b" * 32
SHA = "c" * 64
TEN_MB = "x" * (10 * 1024 * 1024)


def client(**fields: Any) -> dict[str, Any]:
    return {"id": UID_A, "name": "Anna", **fields}


def incident_with_file(size: int = 5) -> dict[str, Any]:
    return {
        "id": "d" * 32,
        "title": "Late report",
        "category": "communication",
        "severity": "low",
        "opened_at": "2026-01-01T00:00:00Z",
        "evidence": [{"id": "e" * 32, "original_name": "x.txt", "sha256": SHA, "size": size}],
    }


def text_of(*clients: Any, version: int = 5) -> str:
    return json.dumps({"format": FORMAT, "version": version, "clients": list(clients)})


def _fifo(folder: Path) -> None:
    os.mkfifo(folder / SHA)


def _to_dev_zero(folder: Path) -> None:
    os.symlink("/dev/zero", folder / SHA)


def _link_outside(folder: Path) -> None:
    secret = folder.parent / "secret.txt"
    secret.write_bytes(b"12345")
    os.symlink(secret, folder / SHA)


def _endless_claims_small(folder: Path) -> None:
    (folder / SHA).write_bytes(b"y" * (3 * 1024 * 1024))


CASES: list[tuple[str, str, str, Callable[[Path], None] | None]] = [
    (
        "wrong types everywhere",
        text_of(client(name=5, tags={}, touches="x", emails="a", status=3, archived_at=True)),
        "clients[0].name: should be text, not a number. (5 more problems in this file.)",
        None,
    ),
    (
        "a 10 MB note",
        text_of(client(notes=TEN_MB)),
        "clients[0].notes: is 10485760 characters long; a field holds at most 1000000.",
        None,
    ),
    (
        "a 10 MB tag",
        text_of(client(tags=["ok", TEN_MB])),
        "clients[0].tags[1]: is 10485760 characters long; a field holds at most 1000000.",
        None,
    ),
    (
        "NaN",
        text_of(client()).replace('"Anna"', '"Anna", "cadence_days": NaN'),
        "clients[0].cadence_days: NaN is not a whole number of days.",
        None,
    ),
    (
        "Infinity as a size",
        text_of(client(incidents=[incident_with_file()])).replace('"size": 5', '"size": Infinity'),
        "clients[0].incidents[0].evidence[0].size: should be a whole number of bytes, "
        "not Infinity.",
        None,
    ),
    (
        "a number of 5000 digits",
        text_of(client()).replace('"Anna"', '"Anna", "cadence_days": 1' + "0" * 5000),
        "holds a number too long to read",
        None,
    ),
    (
        "year 99999",
        text_of(client(created_at="99999-01-01T00:00:00+00:00")),
        'clients[0].created_at: "99999-01-01T00:00:00+00:00" is not a date and time in ISO '
        '8601 form, like "2025-03-14T09:30:00+00:00".',
        None,
    ),
    (
        "year 99999 as a day",
        text_of(client(priority_until="99999-01-01")),
        'clients[0].priority_until: "99999-01-01" is not a date in the form YYYY-MM-DD, '
        'like "2025-03-14".',
        None,
    ),
    (
        "the edge of time",
        text_of(
            client(
                touches=[
                    {"id": UID_B, "happened_at": "0001-01-01T00:00:00+23:59", "channel": "call"}
                ]
            )
        ),
        'clients[0].touches[0].happened_at: "0001-01-01T00:00:00+23:59" is too far in the '
        "past or future.",
        None,
    ),
    (
        "duplicate ids",
        text_of(client(), client(name="Anna again")),
        f'clients[1].id: "{UID_A}" appears twice; clients[0] has it too.',
        None,
    ),
    (
        "a forged hash that is a path",
        text_of(client(incidents=[incident_with_file()])).replace(SHA, "../../etc/passwd"),
        'clients[0].incidents[0].evidence[0].sha256: "../../etc/passwd" is not a SHA-256 '
        "(64 characters, each 0-9 or a-f).",
        None,
    ),
    (
        "an attachment that is a FIFO",
        text_of(client(incidents=[incident_with_file()])),
        "(it is not a regular file).",
        _fifo,
    ),
    (
        "an attachment linked to /dev/zero",
        text_of(client(incidents=[incident_with_file()])),
        "(it is not a regular file).",
        _to_dev_zero,
    ),
    (
        "an attachment linked outside its folder",
        text_of(client(incidents=[incident_with_file()])),
        "(it is not a regular file).",
        _link_outside,
    ),
    (
        "an attachment bigger than it says",
        text_of(client(incidents=[incident_with_file()])),
        "does not match its SHA-256; it was changed or damaged.",
        _endless_claims_small,
    ),
]


@pytest.mark.timeout(60)
@pytest.mark.parametrize(("what", "text", "expected", "prepare"), CASES, ids=[c[0] for c in CASES])
def test_hostile_file_is_refused_and_the_book_is_untouched(
    tmp_path: Path,
    what: str,
    text: str,
    expected: str,
    prepare: Callable[[Path], None] | None,
) -> None:
    book_path = tmp_path / "book" / "b.db"
    book = open_book(book_path)
    fill_demo(book, now=NOW)
    book.close()
    before = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in _files(book_path)}

    source = tmp_path / "in" / "book.json"
    source.parent.mkdir()
    source.write_text(text, encoding="utf-8")
    if prepare is not None:
        folder = attachments_dir_for(source)
        folder.mkdir()
        prepare(folder)
    book = open_book(book_path)
    try:
        with pytest.raises(BookFormatError) as err:
            import_json(book, source, now=NOW)
    finally:
        book.close()
    message = str(err.value)
    assert message == expected or (expected in message and expected != message), message
    assert "\n" not in message
    after = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in _files(book_path)}
    assert after == before


def _files(book_path: Path) -> list[Path]:
    """The book and every file in its folder (attachments included). SQLite's -shm
    index is not the book; a -wal must hold nothing (nothing was written)."""
    found = sorted(p for p in book_path.parent.rglob("*") if p.is_file())
    for wal in (p for p in found if p.name.endswith("-wal")):
        assert wal.stat().st_size == 0, f"{wal.name} holds writes"
    return [p for p in found if not p.name.endswith(("-wal", "-shm"))]


def test_a_fifo_given_as_the_json_file_is_refused(tmp_path: Path) -> None:
    from exports.book_json import read_json

    fifo = tmp_path / "book.json"
    os.mkfifo(fifo)
    with pytest.raises(BookFormatError, match="is not a regular file"):
        read_json(fifo)
