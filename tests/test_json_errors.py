"""Whole-book JSON: every problem in a file said plainly, with its path."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from exports.book_json import (
    FORMAT,
    BookFormatError,
    read_json,
)
from models.db import Book
from tests.json_kit import (
    UID_A,
    UID_B,
    book_doc,
    client_doc,
    import_error,
)

# --------------------------------------------------------------------------- clear errors


def test_read_json_not_json(tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    path.write_text('{\n  "format": "rapport-book",\n  "version": 1\n  "clients": []\n}\n')
    with pytest.raises(BookFormatError) as err:
        read_json(path)
    assert str(err.value) == (
        f"{path} is not valid JSON: Expecting ',' delimiter at line 4, column 3."
    )


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (None, "There is no file at {path}."),
        (b"", "{path} is empty."),
        (b'{"name": "Bj\xf6rn"}', "{path} is not UTF-8 text (byte 12 is not valid UTF-8)."),
        (
            b"[1, 2]",
            "This is not a Rapport book export (the file holds a list, not a JSON object).",
        ),
    ],
)
def test_read_json_errors(tmp_path: Path, content: bytes | None, expected: str) -> None:
    path = tmp_path / "in.json"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(BookFormatError) as err:
        read_json(path)
    assert str(err.value) == expected.format(path=path)


def test_read_json_accepts_a_byte_order_mark(tmp_path: Path) -> None:
    path = tmp_path / "bom.json"
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps(book_doc()).encode())
    assert read_json(path) == book_doc()


def test_read_json_folder(tmp_path: Path) -> None:
    with pytest.raises(BookFormatError, match="is a folder, not a file"):
        read_json(tmp_path)


@pytest.mark.parametrize(
    ("doc", "expected"),
    [
        ([], "This is not a Rapport book export (expected a JSON object, found a list)."),
        ({"version": 1, "clients": []}, 'This is not a Rapport book export (missing "format").'),
        (
            {"format": "vcard", "version": 1, "clients": []},
            'This is not a Rapport book export ("format" is "vcard", expected "rapport-book").',
        ),
        ({"format": FORMAT, "clients": []}, 'This Rapport book export has no "version".'),
        (
            {"format": FORMAT, "version": "1", "clients": []},
            '"version" should be a whole number, not text.',
        ),
        (
            {"format": FORMAT, "version": 7, "clients": []},
            "This export is version 7; this Rapport reads version 6 or older.",
        ),
        (
            {"format": FORMAT, "version": 0, "clients": []},
            "This export says version 0, but versions start at 1.",
        ),
        ({"format": FORMAT, "version": 1}, 'This export has no "clients" list.'),
        (
            {"format": FORMAT, "version": 1, "clients": {}},
            '"clients" should be a list, not an object.',
        ),
        (
            {"format": FORMAT, "version": 1, "clients": [], "exported_at": "now"},
            'This export has an unknown top-level field "exported_at".',
        ),
    ],
)
def test_header_errors(book: Book, doc: Any, expected: str) -> None:
    assert import_error(book, doc) == expected


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        (
            {"created_at": "2025-13-01T00:00:00+00:00"},
            'clients[0].created_at: "2025-13-01T00:00:00+00:00" is not a date and time in '
            'ISO 8601 form, like "2025-03-14T09:30:00+00:00".',
        ),
        (
            {"updated_at": "2025-03-01T10:00:00"},
            'clients[0].updated_at: "2025-03-01T10:00:00" has no time zone; add one, '
            'like "+00:00" or "Z".',
        ),
        (
            {"archived_at": 1700000000},
            "clients[0].archived_at: should be a date and time as text, not a number.",
        ),
        ({"created_at": None}, "clients[0].created_at: should be a date and time, not null."),
        (
            {"id": "A" * 32},
            f'clients[0].id: "{"A" * 32}" is not a Rapport id (32 characters, each 0-9 or a-f).',
        ),
        ({"id": 7}, "clients[0].id: should be text, not a number."),
        (
            {"status": "retired"},
            'clients[0].status: "retired" is not a status; use "active", "paused" or "former".',
        ),
        ({"organization": "typo"}, 'clients[0]: unknown field "organization".'),
        ({"tags": "vip"}, "clients[0].tags: should be a list, not text."),
        (
            {"emails": {"value": "a@b.example"}},
            "clients[0].emails: should be a list, not an object.",
        ),
        ({"tags": ["ok", 3]}, "clients[0].tags[1]: should be text, not a number."),
        ({"tags": ["x" * 81]}, "clients[0].tags: A tag can be at most 80 characters."),
        (
            {"emails": ["a@b.example"]},
            'clients[0].emails[0]: should be an object like {"value": "…", "label": "work"}, '
            "not text.",
        ),
        ({"emails": [{"label": "work"}]}, 'clients[0].emails[0]: missing "value".'),
        (
            {"emails": [{"value": " ", "label": "work"}]},
            "clients[0].emails[0].value: is empty; fill it in or remove this entry.",
        ),
        (
            {"phones": [{"value": "+44 1632 960000"}, {"value": "call me", "kind": "x"}]},
            'clients[0].phones[1]: unknown field "kind".',
        ),
        (
            {"phones": [{"value": "call me"}]},
            'clients[0].phones[0]: "call me" does not look like a phone number '
            "(digits, spaces, + ( ) - . / are fine).",
        ),
        ({"name": "Tab\there"}, "clients[0].name: contains a control character (U+0009)."),
        (
            {"notes": "half a pair: \ud800"},
            "clients[0].notes: contains a broken character (half of a UTF-16 pair).",
        ),
    ],
)
def test_client_errors(book: Book, fields: dict[str, Any], expected: str) -> None:
    doc = book_doc(client_doc(UID_A, "Anna", **fields))
    assert import_error(book, doc) == expected


def test_missing_required_fields(book: Book) -> None:
    assert import_error(book, book_doc({"name": "No Id"})) == 'clients[0]: missing "id".'
    assert import_error(book, book_doc({"id": UID_A})) == 'clients[0]: missing "name".'
    assert import_error(book, book_doc("Anna")) == "clients[0]: should be an object, not text."


def test_duplicate_ids(book: Book) -> None:
    doc = book_doc(
        client_doc(UID_A, "Anna"), client_doc(UID_B, "Bo"), client_doc(UID_A, "Anna again")
    )
    assert import_error(book, doc) == (
        f'clients[2].id: "{UID_A}" appears twice; clients[0] has it too.'
    )
