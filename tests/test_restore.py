"""Restoring a backup, from the models and from the command line: checked before it
replaces anything, the current book backed up first, evidence files hash-checked."""

from __future__ import annotations

import hashlib
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from models.backups import (
    KIND_BEFORE_RESTORE,
    RestoreError,
    list_backups,
    restore_backup,
    take_backup,
)
from models.db import Book, open_book
from models.entities import IncidentCategory, Severity
from models.lock import BookLock
from models.services.clients import ClientInput, create_client
from models.services.incident_evidence import attach_file, stored_path
from models.services.incidents import IncidentInput, open_incident
from tests.damage import fold_wal, index_root_flip

ROOT = Path(__file__).resolve().parents[1]


def counts(path: Path) -> dict[str, int]:
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        tables = [
            r[0]
            for r in conn.execute(
                "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'"
            )
        ]
        return {t: conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}
    finally:
        conn.close()


def hashes(path: Path) -> set[str]:
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        return {r[0] for r in conn.execute("SELECT sha256 FROM stored_file")}
    finally:
        conn.close()


def file_sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def book_with_evidence(book: Book, files: int = 2) -> int:
    for i in range(5):
        create_client(book, ClientInput(name=f"Client {i}"))
    client = create_client(book, ClientInput(name="Evidence holder"))
    incident = open_incident(
        book, client, IncidentInput("Broken promise", IncidentCategory.OTHER, Severity.HIGH)
    )
    for i in range(files):
        src = book.path.parent / f"scan-{i}.pdf"
        src.write_bytes(f"%PDF scan number {i}".encode() * 50)
        attach_file(book, incident, src)
    return incident


def test_restore_round_trips_rows_and_evidence_and_keeps_the_book_as_it_was(book: Book) -> None:
    incident = book_with_evidence(book)
    backup = take_backup(book.path)
    saved_counts, saved_hashes = counts(book.path), hashes(book.path)
    # Life goes on after the backup: more clients, another file.
    for i in range(4):
        create_client(book, ClientInput(name=f"Later {i}"))
    later = book.path.parent / "later.txt"
    later.write_text("added after the backup")
    attach_file(book, incident, later)
    later_counts = counts(book.path)
    book.close()

    result = restore_backup(book.path, backup.path)

    assert counts(book.path) == saved_counts == result.counts
    assert hashes(book.path) == saved_hashes
    for sha in saved_hashes:
        assert file_sha(stored_path(book, sha)) == sha
    before = result.before_restore
    assert before is not None and before.kind == KIND_BEFORE_RESTORE and before.verified
    assert counts(before.path) == later_counts  # the pre-restore copy holds the later state
    assert before.path in {b.path for b in list_backups(book.path)}
    assert (
        not Path(str(book.path) + "-wal").exists() or os.path.getsize(str(book.path) + "-wal") == 0
    )
    reopened = open_book(book.path)
    try:
        assert reopened.wait_checked(10) and not reopened.damaged
        create_client(reopened, ClientInput(name="After the restore"))  # writable again
    finally:
        reopened.close()


def test_restore_without_its_evidence_files_restores_the_data_and_names_them(
    book: Book,
) -> None:
    # Issue 18 changed this: a missing or changed evidence file used to refuse the
    # whole restore ("needs 2 evidence files"), so no client could be brought back.
    incident = book_with_evidence(book, files=3)
    backup = take_backup(book.path)
    saved_counts = counts(book.path)
    [first, second, third] = sorted(hashes(book.path))
    for i in range(3):
        create_client(book, ClientInput(name=f"Later {i}"))
    names = {sha: name for sha, name in _attached_names(book.path)}
    book.close()
    stored_path(book, first).unlink()
    stored_path(book, second).write_bytes(b"not what was attached")
    third_bytes = stored_path(book, third).read_bytes()

    result = restore_backup(book.path, backup.path)

    assert counts(book.path) == saved_counts  # every row is back
    assert sorted(result.missing_evidence) == sorted([names[first], names[second]])
    assert names[third] not in result.missing_evidence
    assert stored_path(book, third).read_bytes() == third_bytes  # nothing else lost
    before = result.before_restore
    assert before is not None and counts(before.path)["client"] == saved_counts["client"] + 3
    reopened = open_book(book.path)
    try:
        assert reopened.wait_checked(10) and not reopened.damaged
        from models.services.incident_evidence import list_evidence

        assert len(list_evidence(reopened, incident)) == 3  # all three rows are back
    finally:
        reopened.close()


def _attached_names(path: Path) -> list[tuple[str, str]]:
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        return conn.execute(
            "SELECT f.sha256, e.original_name FROM stored_file f "
            "JOIN evidence e ON e.file_id = f.id"
        ).fetchall()
    finally:
        conn.close()


def test_restore_refuses_a_backup_changed_since_it_was_taken(book: Book) -> None:
    create_client(book, ClientInput(name="Ada"))
    backup = take_backup(book.path)
    book.close()
    data = bytearray(backup.path.read_bytes())
    data[-10] ^= 0x01  # one bit in the last page: SQLite might not notice, the hash does
    backup.path.write_bytes(bytes(data))
    before = file_sha(book.path)
    with pytest.raises(RestoreError, match="has changed since it was taken"):
        restore_backup(book.path, backup.path)
    assert file_sha(book.path) == before


def test_restore_refuses_a_damaged_backup_without_a_manifest(book: Book) -> None:
    for i in range(30):
        create_client(book, ClientInput(name=f"Client {i}"))
    backup = take_backup(book.path)
    backup.manifest.unlink()  # an older copy: nothing vouches for it, so it is checked
    index_root_flip(backup.path).apply(backup.path)
    book.close()
    before = file_sha(book.path)
    with pytest.raises(RestoreError, match="damaged"):
        restore_backup(book.path, backup.path)
    assert file_sha(book.path) == before


def test_restore_over_a_damaged_book_sets_it_aside_unchanged(book: Book) -> None:
    for i in range(30):
        create_client(book, ClientInput(name=f"Client {i}"))
    backup = take_backup(book.path)
    book.close()
    fold_wal(book.path)
    index_root_flip(book.path).apply(book.path)
    damaged_sha = file_sha(book.path)

    result = restore_backup(book.path, backup.path)

    assert result.before_restore is None
    [aside, *_companions] = result.set_aside
    assert file_sha(aside) == damaged_sha
    assert counts(book.path)["client"] == 30


# --- the command line --------------------------------------------------------------------


def rapport(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(ROOT / "main.py"), *map(str, args)],
        cwd=ROOT,
        env=dict(os.environ, QT_QPA_PLATFORM="offscreen"),
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_cli_backup_list_and_restore(book: Book) -> None:
    for i in range(7):
        create_client(book, ClientInput(name=f"Client {i}"))
    book.close()
    taken = rapport("--db", book.path, "backup")
    assert taken.returncode == 0, taken.stderr
    assert "7 clients" in taken.stdout and "passed its check" in taken.stdout
    [backup] = list_backups(book.path)

    more = open_book(book.path)
    create_client(more, ClientInput(name="One more"))
    more.close()

    listed = rapport("--db", book.path, "backups")
    assert listed.returncode == 0
    assert backup.name in listed.stdout and "7 clients" in listed.stdout

    restored = rapport("--db", book.path, "restore", backup.name)
    assert restored.returncode == 0, restored.stderr
    assert "(7 clients)" in restored.stdout and "kept as the backup" in restored.stdout
    assert counts(book.path)["client"] == 7
    kinds = sorted(b.kind for b in list_backups(book.path))
    assert kinds == ["before-restore", "manual"]


def test_cli_restore_without_evidence_files_restores_and_lists_them(book: Book) -> None:
    book_with_evidence(book, files=2)
    backup = take_backup(book.path)
    saved_counts = counts(book.path)
    names = dict(_attached_names(book.path))
    [gone, kept] = sorted(names)
    create_client(book, ClientInput(name="Later"))
    book.close()
    stored_path(book, gone).unlink()

    result = rapport("--db", book.path, "restore", backup.name)

    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert counts(book.path) == saved_counts
    lines = result.stdout.splitlines()
    assert any("1 evidence file the backup refers to is missing" in line for line in lines)
    assert f"  missing: {names[gone]}" in lines
    assert not any(names[kept] in line for line in lines)  # only the missing one is named
    assert file_sha(stored_path(book, kept)) == kept


def test_cli_restore_needs_the_lock(book: Book) -> None:
    create_client(book, ClientInput(name="Busy"))
    backup = take_backup(book.path)
    book.close()
    before = file_sha(book.path)
    lock = BookLock(book.path)
    assert lock.acquire()
    try:
        result = rapport("--db", book.path, "restore", backup.name)
    finally:
        lock.release()
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    [line] = result.stderr.strip().splitlines()
    assert "open in Rapport" in line
    assert file_sha(book.path) == before


def test_cli_restore_of_an_unknown_backup_is_one_line(book: Book) -> None:
    book.close()
    result = rapport("--db", book.path, "restore", "no-such-backup.db")
    assert result.returncode == 1
    [line] = result.stderr.strip().splitlines()
    assert "no backup called" in line
