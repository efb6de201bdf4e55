"""JSON format version 3: incidents, timelines and evidence files beside the JSON."""

from __future__ import annotations

import hashlib
import os
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from exports.book_json import (
    FORMAT,
    BookFormatError,
    ImportResult,
    attachments_dir_for,
    dumps,
    export_book,
    import_book,
    import_json,
    read_json,
    write_json,
)
from exports.book_json import merge as json_merge
from models.db import Book, open_book
from models.entities import EntryKind, IncidentCategory, IncidentStatus, Severity
from models.incidents import PRIORITY_OPEN_ENDED
from models.services.client_search import list_clients
from models.services.clients import ClientInput, create_client, get_client
from models.services.incident_evidence import attach_file, list_evidence, stored_path
from models.services.incident_timeline import add_entry, edit_entry
from models.services.incidents import IncidentInput, list_incidents, open_incident, set_status
from models.services.reminders import open_follow_ups

NOW = datetime(2026, 11, 22, 9, 30, tzinfo=UTC)
UID_A = "a" * 32
I1 = "d" * 32
F1 = "e" * 32


def _book_with_evidence(book: Book, folder: Path) -> tuple[int, int]:
    """A client with a critical incident: a timeline (one entry edited) and two files."""
    cid = create_client(book, ClientInput(name="Rafael Mendes"), now=NOW - timedelta(days=40))
    iid = open_incident(
        book,
        cid,
        IncidentInput(
            "Threatens to claim the re-routing costs",
            IncidentCategory.CLAIM_THREATENED,
            Severity.CRITICAL,
            client_view="The report sent trucks the long way.",
            our_view="One filter was wrong for two weeks.",
        ),
        promise_hours=48,
        now=NOW - timedelta(days=4),
    )
    set_status(book, iid, IncidentStatus.ACKNOWLEDGED, now=NOW - timedelta(days=4, hours=-2))
    eid = add_entry(book, iid, EntryKind.CALL, "Heard him out.", now=NOW - timedelta(days=3))
    edit_entry(book, eid, "Heard him out; he wants it in writing.", now=NOW - timedelta(days=2))
    folder.mkdir(parents=True, exist_ok=True)
    files = (("hours.csv", b"day,hours\n1,3.5\n"), ("mail.txt", "Grüße\n".encode()))
    for k, (name, content) in enumerate(files):
        (folder / name).write_bytes(content)
        attach_file(book, iid, folder / name, now=NOW - timedelta(days=1, minutes=-k))
    return cid, iid


def _contents(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())} if folder.exists() else {}


def test_incidents_and_files_round_trip(book: Book, tmp_path: Path) -> None:
    cid, iid = _book_with_evidence(book, tmp_path / "src")
    out = tmp_path / "export" / "book.json"
    out.parent.mkdir()
    write_json(book, out)

    folder = tmp_path / "export" / "book.attachments"
    assert attachments_dir_for(out) == folder
    evidence = list_evidence(book, iid)
    assert _contents(folder) == {e.sha256: e.path.read_bytes() for e in evidence}
    assert all(hashlib.sha256(b).hexdigest() == n for n, b in _contents(folder).items())

    [c] = read_json(out)["clients"]
    [inc] = c["incidents"]
    assert inc["status"] == "acknowledged" and inc["severity"] == "critical"
    assert inc["promise_follow_up"] == c["follow_ups"][0]["id"]
    assert inc["timeline"][0]["edited_at"] is not None
    assert [e["original_name"] for e in inc["evidence"]] == ["hours.csv", "mail.txt"]
    assert c["priority_until"] == PRIORITY_OPEN_ENDED.isoformat()

    target = open_book(tmp_path / "other" / "rapport.db")
    try:
        assert import_json(target, out) == ImportResult(1, 0, 0)
        again = tmp_path / "again" / "book.json"
        again.parent.mkdir()
        write_json(target, again)
        assert again.read_bytes() == out.read_bytes()
        assert _contents(attachments_dir_for(again)) == _contents(folder)
        [row] = list_incidents(target, now=NOW)
        assert row.breach == timedelta(days=2)  # still broken, by as much
        copied = list_evidence(target, row.id)
        assert [e.path.read_bytes() for e in copied] == [e.path.read_bytes() for e in evidence]
        assert all(e.path.parent.parent == target.attachments_dir for e in copied)
        [client] = list_clients(target)
        assert get_client(target, client.id).priority_until == PRIORITY_OPEN_ENDED
        [promise] = open_follow_ups(target, client.id)
        assert promise.title.startswith("Full answer promised")
        assert import_json(target, out) == ImportResult(0, 0, 1)
    finally:
        target.close()


def _snapshot(book: Book) -> tuple[str, dict[str, bytes]]:
    files = {p.name: p.read_bytes() for p in sorted(book.attachments_dir.rglob("*")) if p.is_file()}
    return dumps(export_book(book)), files


@pytest.mark.parametrize("damage", ["missing", "changed"])
def test_a_missing_or_changed_file_imports_nothing(book: Book, tmp_path: Path, damage: str) -> None:
    _book_with_evidence(book, tmp_path / "src")
    out = tmp_path / "book.json"
    write_json(book, out)
    [c] = read_json(out)["clients"]
    victim = c["incidents"][0]["evidence"][1]
    path = attachments_dir_for(out) / victim["sha256"]
    if damage == "missing":
        path.unlink()
        expected = f"the evidence file “mail.txt” is missing: no {path}."
    else:
        path.write_bytes(b"tampered")
        expected = f"{path} (“mail.txt”) does not match its SHA-256"

    target = open_book(tmp_path / "other" / "rapport.db")
    try:
        create_client(target, ClientInput(name="Already here"), now=NOW)
        before = _snapshot(target)
        with pytest.raises(BookFormatError) as err:
            import_json(target, out)
        assert str(err.value).startswith("clients[0].incidents[0].evidence[1]: ")
        assert expected in str(err.value)
        assert _snapshot(target) == before
    finally:
        target.close()


def test_a_failed_merge_takes_its_copied_files_back(
    book: Book, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _book_with_evidence(book, tmp_path / "src")
    out = tmp_path / "book.json"
    write_json(book, out)
    target = open_book(tmp_path / "other" / "rapport.db")
    try:
        before = _snapshot(target)

        def refuse(*_: Any) -> None:
            raise RuntimeError("disk full")

        monkeypatch.setattr(json_merge, "_refresh_priority", refuse)
        with pytest.raises(RuntimeError, match="disk full"):
            import_json(target, out)
        assert _snapshot(target) == before
    finally:
        target.close()


def test_evidence_needs_the_folder(book: Book, tmp_path: Path) -> None:
    _book_with_evidence(book, tmp_path / "src")
    doc = export_book(book)
    target = open_book(tmp_path / "other" / "rapport.db")
    try:
        with pytest.raises(BookFormatError, match="travel in the folder beside the JSON"):
            import_book(target, doc)
        assert list_clients(target) == []
    finally:
        target.close()


def test_export_keeps_good_files_mends_bad_ones_and_drops_stale(book: Book, tmp_path: Path) -> None:
    _book_with_evidence(book, tmp_path / "src")
    out = tmp_path / "book.json"
    folder = attachments_dir_for(out)
    folder.mkdir()
    stale = folder / ("0" * 64)
    stale.write_bytes(b"from an older export")
    mine = folder / "notes.txt"
    mine.write_text("the user's own file")
    write_json(book, out)
    names = sorted(p.name for p in folder.iterdir())
    assert "0" * 64 not in names and "notes.txt" in names
    good, bad = sorted(n for n in names if n != "notes.txt")
    kept = os.stat(folder / good).st_mtime_ns
    (folder / bad).write_bytes(b"damaged")
    write_json(book, out)
    assert os.stat(folder / good).st_mtime_ns == kept  # right hash: not written again
    assert hashlib.sha256((folder / bad).read_bytes()).hexdigest() == bad
    assert not [p for p in folder.iterdir() if p.name.endswith(".part")]


def test_priority_follows_the_incidents_not_the_file(book: Book) -> None:
    doc = {
        "format": FORMAT,
        "version": 3,
        "clients": [
            {
                "id": UID_A,
                "name": "Anna",
                "priority_until": "2030-01-01",
                "incidents": [
                    {
                        "id": I1,
                        "title": "Invoice   paid late",
                        "category": "late_payment",
                        "severity": "high",
                        "status": "resolved",
                        "opened_at": "2026-10-01T10:00:00+00:00",
                        "acknowledged_at": "2026-10-01T11:00:00+00:00",
                        "closed_at": "2026-11-01T12:00:00+00:00",
                    }
                ],
            }
        ],
    }
    import_book(book, doc, now=NOW)
    [row] = list_clients(book)
    assert get_client(book, row.id).priority_until == date(2026, 12, 1)
    [inc] = list_incidents(book, now=NOW)
    assert inc.title == "Invoice paid late"  # tidied as the dialog does


def test_version_2_file_imports_without_incidents_and_refuses_the_new_key(book: Book) -> None:
    v2 = {"format": FORMAT, "version": 2, "clients": [{"id": UID_A, "name": "Anna"}]}
    assert import_book(book, v2, now=NOW) == ImportResult(1, 0, 0)
    v2["clients"][0]["incidents"] = []
    with pytest.raises(BookFormatError) as err:
        import_book(book, v2, now=NOW)
    assert str(err.value) == (
        'clients[0]: unknown field "incidents" in a version 2 file '
        '(it is new in version 3; say "version": 3).'
    )


def test_a_version_2_file_clears_the_incidents_of_its_clients(book: Book, tmp_path: Path) -> None:
    cid, _ = _book_with_evidence(book, tmp_path / "src")
    [c] = export_book(book)["clients"]
    v2_client = {k: v for k, v in c.items() if k not in ("incidents", "agreements")}
    v2_client["follow_ups"] = []
    result = import_book(book, {"format": FORMAT, "version": 2, "clients": [v2_client]})
    assert result == ImportResult(0, 1, 0)
    assert list_incidents(book) == []
    assert get_client(book, cid).priority_until is None


def _incident(**fields: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "id": I1,
        "title": "Late",
        "category": "late_payment",
        "severity": "high",
        "opened_at": "2026-10-01T10:00:00+00:00",
    }
    doc.update(fields)
    return doc


@pytest.mark.parametrize(
    ("incident", "expected"),
    [
        (
            _incident(category="bad mood"),
            'clients[0].incidents[0].category: "bad mood" is not a category; use "late_payment"',
        ),
        (
            _incident(status="resolved"),
            "clients[0].incidents[0].closed_at: a resolved incident needs the time it closed.",
        ),
        (
            _incident(closed_at="2026-10-02T10:00:00+00:00"),
            "clients[0].incidents[0].closed_at: should be null while the incident is open.",
        ),
        (
            _incident(promise_follow_up=F1),
            f'clients[0].incidents[0].promise_follow_up: "{F1}" is not the id of one of this '
            "client's follow-ups.",
        ),
        (_incident(title="  "), "clients[0].incidents[0].title: Give the incident a short title"),
        (_incident(timeline=[{"id": F1, "kind": "note", "text": "x"}]), 'missing "happened_at"'),
        (
            _incident(evidence=[{"id": F1, "original_name": "a.pdf", "sha256": "abc", "size": 3}]),
            'clients[0].incidents[0].evidence[0].sha256: "abc" is not a SHA-256',
        ),
        (
            _incident(
                evidence=[{"id": F1, "original_name": "a.pdf", "sha256": "0" * 64, "size": -1}]
            ),
            "clients[0].incidents[0].evidence[0].size: should be a whole number of bytes",
        ),
        (
            _incident(
                timeline=[
                    {"id": F1, "kind": "note", "text": "x", "happened_at": NOW.isoformat()},
                    {"id": F1, "kind": "call", "text": "y", "happened_at": NOW.isoformat()},
                ]
            ),
            f'timeline[1].id: "{F1}" appears twice; clients[0].incidents[0].timeline[0] has it',
        ),
    ],
)
def test_incident_errors(book: Book, incident: dict[str, Any], expected: str) -> None:
    doc = {"format": FORMAT, "version": 3, "clients": [{"id": UID_A, "name": "Anna"}]}
    doc["clients"][0]["incidents"] = [incident]
    with pytest.raises(BookFormatError) as err:
        import_book(book, doc, now=NOW)
    assert expected in str(err.value)
    assert list_clients(book) == []


def test_a_hostile_evidence_name_is_tidied(book: Book, tmp_path: Path) -> None:
    content = b"hello"
    sha = hashlib.sha256(content).hexdigest()
    json_path = tmp_path / "in.json"
    folder = attachments_dir_for(json_path)
    folder.mkdir()
    (folder / sha).write_bytes(content)
    ev = {"id": F1, "original_name": "../../etc/passwd", "sha256": sha, "size": 5}
    doc = {
        "format": FORMAT,
        "version": 3,
        "clients": [{"id": UID_A, "name": "Anna", "incidents": [_incident(evidence=[ev])]}],
    }
    import_book(book, doc, attachments=folder, now=NOW)
    [inc] = list_incidents(book)
    [e] = list_evidence(book, inc.id)
    assert e.name == "passwd"
    assert e.path == stored_path(book, sha) and e.path.read_bytes() == content


def test_cli_carries_the_files_and_names_a_missing_one(tmp_path: Path) -> None:
    from tests.test_cli import assert_clean_error, rapport

    first, second = tmp_path / "first.db", tmp_path / "second.db"
    rapport("--db", first, "demo", check=True)
    out = tmp_path / "out" / "book.json"
    out.parent.mkdir()
    rapport("--db", first, "export", "json", out, check=True)
    folder = tmp_path / "out" / "book.attachments"
    victim = sorted(folder.iterdir())[0]
    victim.unlink()
    assert_clean_error(rapport("--db", second, "import", "json", out), "missing", victim.name)
    rapport("--db", first, "export", "json", out, check=True)  # puts it back
    assert victim.exists()
    imported = rapport("--db", second, "import", "json", out, check=True)
    assert "added" in imported.stdout
