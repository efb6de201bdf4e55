"""Backups: taken through SQLite while the book is written, verified, thinned by a
rule checked against calendars worked out by hand, and never left half-written."""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from models import db
from models.backups import (
    KIND_AUTO,
    KIND_BEFORE_RESTORE,
    KIND_BEFORE_UPGRADE,
    KIND_MANUAL,
    BackupError,
    KeepPolicy,
    backups_to_keep,
    hashes_in_kept_backups,
    list_backups,
    needs_backup,
    newest_verified_backup,
    policy_from_settings,
    take_backup,
    thin_backups,
)
from models.db import Book, open_book
from models.entities import IncidentCategory, Severity
from models.services.backups import get_keep_policy, set_keep_policy
from models.services.clients import ClientInput, ValidationError, create_client
from models.services.incident_evidence import attach_file, stored_path, unlink_evidence
from models.services.incidents import IncidentInput, open_incident
from tests.crash_child import BATCH, WriterServer
from tests.damage import fold_wal, index_root_flip

ROOT = Path(__file__).resolve().parents[1]


def folder_state(folder: Path) -> dict[str, str]:
    """Every file in ``folder`` (hidden ones too) with its content hash."""
    return {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.iterdir())
        if p.is_file()
    }


def read_only(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)


def fill(book: Book, n: int, notes: str = "") -> None:
    for i in range(n):
        create_client(book, ClientInput(name=f"Client {i}", notes=notes))


# --- the thinning rule, against calendars worked out by hand ----------------------------


def at(day: str, clock: str = "09:00") -> datetime:
    return datetime.fromisoformat(f"{day}T{clock}")


def test_daily_backups_for_ten_weeks_keep_seven_days_five_weeks_and_each_month() -> None:
    taken = [at("2026-01-01") + timedelta(days=i) for i in range(69)]  # to Tue 10 March
    assert taken[-1] == at("2026-03-10")
    kept = backups_to_keep(taken, date(2026, 3, 10), KeepPolicy(daily=7, weekly=5, monthly=12))
    days = {at(f"2026-03-{d:02d}") for d in range(4, 11)}  # 4-10 March
    # The newest of each ISO week: Tue 10 Mar (this week), then the Sundays before it.
    weeks = {
        at("2026-03-10"),
        at("2026-03-08"),
        at("2026-03-01"),
        at("2026-02-22"),
        at("2026-02-15"),
    }
    months = {at("2026-03-10"), at("2026-02-28"), at("2026-01-31")}
    assert kept == days | weeks | months
    assert len(kept) == 12


def test_several_a_day_with_gaps_and_a_new_year_week() -> None:
    taken = [
        at("2026-03-10", "08:00"),
        at("2026-03-10", "12:00"),
        at("2026-03-10", "17:30"),
        at("2026-03-09", "10:00"),
        at("2026-03-03"),  # week of 2 March
        at("2026-02-27"),  # week of 23 February, and February's newest
        at("2026-01-15"),
        at("2025-12-31", "23:59"),  # ISO week 1 of 2026, month December 2025
    ]
    kept = backups_to_keep(taken, date(2026, 3, 10), KeepPolicy(daily=2, weekly=2, monthly=2))
    assert kept == {
        at("2026-03-10", "17:30"),  # newest day, week and month
        at("2026-03-09", "10:00"),  # second day
        at("2026-03-03"),  # second week
        at("2026-02-27"),  # second month
    }
    kept = backups_to_keep(taken, date(2026, 3, 10), KeepPolicy(daily=1, weekly=0, monthly=5))
    assert kept == {
        at("2026-03-10", "17:30"),
        at("2026-02-27"),
        at("2026-01-15"),
        at("2025-12-31", "23:59"),
    }


def test_a_long_holiday_still_keeps_the_newest_and_a_clock_ahead_keeps_its_copy() -> None:
    taken = [at("2025-06-01"), at("2025-06-02"), at("2025-07-15"), at("2026-03-12")]
    kept = backups_to_keep(taken, date(2026, 3, 10), KeepPolicy(daily=1, weekly=0, monthly=0))
    assert kept == {at("2025-07-15"), at("2026-03-12")}


def test_policy_from_settings_ignores_nonsense() -> None:
    assert policy_from_settings({}) == KeepPolicy(7, 5, 12)
    values = {"backup.keep_daily": "3", "backup.keep_weekly": "x", "backup.keep_monthly": "-4"}
    assert policy_from_settings(values) == KeepPolicy(daily=3, weekly=5, monthly=0)
    assert policy_from_settings({"backup.keep_daily": "0"}).daily == 1  # never zero


# --- taking a backup --------------------------------------------------------------------


def test_backup_is_a_verified_standalone_copy_with_a_manifest(book: Book) -> None:
    fill(book, 12)
    client = create_client(book, ClientInput(name="With evidence"))
    incident = open_incident(
        book, client, IncidentInput("Lost parcel", IncidentCategory.OTHER, Severity.LOW)
    )
    src = book.path.parent / "photo.jpg"
    src.write_bytes(b"\xff\xd8 a photo of the parcel")
    attach_file(book, incident, src)
    sha = hashlib.sha256(src.read_bytes()).hexdigest()

    info = take_backup(book.path, kind=KIND_MANUAL)

    assert info.path.parent == book.path.parent / "backups"
    assert info.verified and info.kind == KIND_MANUAL and info.clients == 13
    assert (info.path.stat().st_mode & 0o777) == 0o600
    assert not Path(str(info.path) + "-wal").exists()
    manifest = json.loads(info.manifest.read_text())
    assert manifest["sha256"] == hashlib.sha256(info.path.read_bytes()).hexdigest()
    assert manifest["attachments"] == [sha]  # evidence is referenced, not copied
    assert manifest["counts"]["evidence"] == 1
    conn = read_only(info.path)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert conn.execute("PRAGMA journal_mode").fetchone() == ("delete",)
        assert conn.execute("SELECT count(*) FROM client").fetchone() == (13,)
    finally:
        conn.close()
    assert [b.path for b in list_backups(book.path)] == [info.path]
    assert newest_verified_backup(book.path) == info


def test_evidence_files_outlive_their_rows_while_a_backup_needs_them(book: Book) -> None:
    client = create_client(book, ClientInput(name="Ana"))
    incident = open_incident(
        book, client, IncidentInput("Late", IncidentCategory.OTHER, Severity.LOW)
    )
    src = book.path.parent / "letter.txt"
    src.write_text("the letter")
    evidence = attach_file(book, incident, src)
    sha = hashlib.sha256(b"the letter").hexdigest()
    take_backup(book.path)
    unlink_evidence(book, evidence)
    assert sha in hashes_in_kept_backups(book.path)
    assert stored_path(book, sha).read_text() == "the letter"


def test_needs_backup_only_after_a_change(book: Book) -> None:
    fill(book, 2)
    assert needs_backup(book.path)
    take_backup(book.path)
    assert not needs_backup(book.path)
    time.sleep(0.01)  # a different modification time even on a coarse clock
    fill(book, 1)
    assert needs_backup(book.path)


def test_a_backup_taken_while_another_process_commits_is_whole_every_time(
    book_path: Path,
) -> None:
    open_book(book_path).close()
    server = WriterServer()
    pid = server.start("batches", book_path, 0)
    clients_seen: list[int] = []
    try:
        time.sleep(0.2)
        for _ in range(50):
            info = take_backup(book_path, thin=False)
            conn = read_only(info.path)
            try:
                assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
                names = [r[0] for r in conn.execute("SELECT name FROM client")]
            finally:
                conn.close()
            batches = Counter(n.split()[1].split(".")[0] for n in names)
            assert set(batches.values()) <= {BATCH}  # a snapshot between commits
            assert info.counts["client"] == len(names)
            clients_seen.append(len(names))
    finally:
        lines, _how = server.kill(pid)
        server.close()
    assert not [line for line in lines if line.startswith("error")]
    assert len(list_backups(book_path)) == 50
    assert clients_seen == sorted(clients_seen) and clients_seen[-1] > clients_seen[0]


# --- failing without harm --------------------------------------------------------------

DISK_FULL = """
import resource, signal, sys
from pathlib import Path
sys.path.insert(0, {root!r})
from models.backups import BackupError, take_backup
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
resource.setrlimit(resource.RLIMIT_FSIZE, (64 * 1024, 64 * 1024))
try:
    take_backup(Path({book!r}))
except BackupError as exc:
    print("refused:", exc)
"""


def test_a_full_disk_leaves_earlier_backups_and_no_partial_file(book: Book) -> None:
    fill(book, 150, notes="A long note about this client. " * 20)
    earlier = take_backup(book.path)
    assert earlier.size > 256 * 1024
    before = folder_state(earlier.path.parent)
    # The child may write at most 64 KB per file: the copy runs out of room half way.
    result = subprocess.run(
        [sys.executable, "-c", DISK_FULL.format(root=str(ROOT), book=str(book.path))],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("refused: The book could not be copied"), result.stdout
    assert "earlier backups are untouched" in result.stdout
    assert folder_state(earlier.path.parent) == before


def test_a_copy_that_fails_verification_is_discarded(book: Book) -> None:
    fill(book, 40)
    earlier = take_backup(book.path)
    before = folder_state(earlier.path.parent)
    book.close()
    fold_wal(book.path)
    index_root_flip(book.path).apply(book.path)
    with pytest.raises(BackupError, match="did not pass its check.*untouched"):
        take_backup(book.path)
    assert folder_state(earlier.path.parent) == before


def test_a_backups_folder_that_cannot_be_made_is_explained(book: Book) -> None:
    (book.path.parent / "backups").write_text("a file where the folder should be")
    with pytest.raises(BackupError, match="backups folder could not be made"):
        take_backup(book.path)


# --- thinning on disk -------------------------------------------------------------------


def test_thinning_deletes_only_routine_copies_the_rule_drops(book: Book) -> None:
    fill(book, 3)
    made = {}
    for stamp in ["2026-03-01T10:00", "2026-03-08T10:00", "2026-03-09T10:00", "2026-03-10T08:00"]:
        moment = datetime.fromisoformat(stamp).astimezone()
        made[stamp] = take_backup(book.path, now=moment, thin=False)
    kept_aside = take_backup(
        book.path, kind=KIND_BEFORE_RESTORE, now=datetime(2026, 2, 1, 9).astimezone(), thin=False
    )
    removed = thin_backups(
        book.path, KeepPolicy(daily=2, weekly=1, monthly=1), today=date(2026, 3, 10)
    )
    # Days: 10 and 9 March. Week of 9 March: the 10th. March: the 10th.
    assert sorted(removed) == sorted([made["2026-03-01T10:00"].path, made["2026-03-08T10:00"].path])
    left = {b.path for b in list_backups(book.path)}
    assert left == {made["2026-03-09T10:00"].path, made["2026-03-10T08:00"].path, kept_aside.path}
    assert not made["2026-03-01T10:00"].manifest.exists()


def test_the_policy_lives_in_the_book_and_thinning_uses_it(book: Book) -> None:
    assert get_keep_policy(book) == KeepPolicy(7, 5, 12)
    set_keep_policy(book, KeepPolicy(daily=1, weekly=0, monthly=0))
    assert get_keep_policy(book) == KeepPolicy(1, 0, 0)
    with pytest.raises(ValidationError):
        set_keep_policy(book, KeepPolicy(daily=0, weekly=0, monthly=0))
    for day in (1, 2, 3):
        moment = datetime(2026, 3, day, 9).astimezone()
        newest = take_backup(book.path, kind=KIND_AUTO, now=moment, today=date(2026, 3, 3))
    assert [b.path for b in list_backups(book.path)] == [newest.path]


def test_the_copy_before_an_upgrade_is_verified(book_path: Path) -> None:
    book_path.parent.mkdir(parents=True)
    engine = db.make_engine(book_path)
    db._upgrade(engine, "0001")
    engine.dispose()
    book = open_book(book_path)
    try:
        assert book.pre_upgrade_copy is not None
        [info] = list_backups(book_path)
        assert info.path == book.pre_upgrade_copy
        assert info.verified and info.kind == KIND_BEFORE_UPGRADE and info.revision == "0001"
    finally:
        book.close()


def test_stale_temp_files_from_a_crash_are_cleared(book: Book) -> None:
    folder = book.backups_dir
    stale = folder / ".rapport-x.db.abc.part"
    stale.write_bytes(b"half a copy")
    hour_ago = time.time() - 7200
    os.utime(stale, (hour_ago, hour_ago))
    orphan = folder / "rapport-20260101T000000000000Z-auto.db.json"
    orphan.write_text("{}")  # its copy never took its name
    os.utime(orphan, (hour_ago, hour_ago))
    fresh = folder / ".rapport-y.db.def.part"
    fresh.write_bytes(b"a copy in progress")
    take_backup(book.path)
    assert not stale.exists() and not orphan.exists()
    assert fresh.exists()  # may belong to a backup another process is writing


def test_backup_times_are_utc_in_names_and_local_when_shown(book: Book) -> None:
    moment = datetime(2026, 3, 10, 8, 30, tzinfo=UTC)
    info = take_backup(book.path, now=moment)
    assert "20260310T083000000000Z" in info.name
    assert info.taken_at == moment
