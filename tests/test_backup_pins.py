"""Pinned backups (issue 18, Build 6): the copy a user takes by hand, or Rapport takes
before an import, is the way back from a risky step; the daily rule never thins it
while it is pinned, and the list says so."""

from __future__ import annotations

import json
import time
from datetime import date, datetime, timedelta
from pathlib import Path

from models.backups import (
    KIND_AUTO,
    KIND_BEFORE_IMPORT,
    KIND_MANUAL,
    PIN_DAYS,
    KeepPolicy,
    list_backups,
    take_backup,
    thin_backups,
)
from models.db import Book
from models.services.backups import set_keep_policy
from models.services.clients import ClientInput, create_client
from tests.test_cli import rapport


def test_a_manual_backup_outlives_three_more_backups_the_same_day(book: Book) -> None:
    create_client(book, ClientInput(name="Ada"))
    set_keep_policy(book, KeepPolicy(daily=1, weekly=0, monthly=0))
    today = date(2026, 3, 10)
    manual = take_backup(book.path, kind=KIND_MANUAL, now=datetime(2026, 3, 10, 9).astimezone())
    later = []
    for hour, kind in ((10, KIND_AUTO), (11, KIND_MANUAL), (12, KIND_AUTO)):
        moment = datetime(2026, 3, 10, hour).astimezone()
        later.append(take_backup(book.path, kind=kind, now=moment, today=today))
    left = {b.path for b in list_backups(book.path)}
    assert manual.path in left and manual.manifest.exists()
    assert later[1].path in left  # the second manual copy is pinned too
    assert later[0].path not in left  # the routine copy the rule drops is still thinned


def test_a_pin_runs_out(book: Book) -> None:
    create_client(book, ClientInput(name="Ada"))
    taken = datetime(2026, 1, 1, 9).astimezone()
    manual = take_backup(book.path, kind=KIND_BEFORE_IMPORT, now=taken, thin=False)
    last_pinned = taken.date() + timedelta(days=PIN_DAYS)
    newer = take_backup(book.path, kind=KIND_AUTO, now=taken + timedelta(days=PIN_DAYS), thin=False)
    policy = KeepPolicy(daily=1, weekly=0, monthly=0)
    assert manual.pinned_until() == last_pinned
    assert thin_backups(book.path, policy, today=last_pinned) == []
    removed = thin_backups(book.path, policy, today=last_pinned + timedelta(days=1))
    assert removed == [manual.path]
    assert {b.path for b in list_backups(book.path)} == {newer.path}


def test_the_list_says_which_are_pinned_and_an_import_takes_one_first(tmp_path: Path) -> None:
    book = tmp_path / "book.db"
    rapport("--db", book, "demo", check=True)
    out = tmp_path / "book.json"
    rapport("--db", book, "export", "json", out, check=True)
    assert json.loads(out.read_text(encoding="utf-8"))["clients"]
    rapport("--db", book, "backup", check=True)
    rapport("--db", book, "import", out, check=True)
    kinds = [b.kind for b in list_backups(book)]
    assert KIND_BEFORE_IMPORT in kinds and KIND_MANUAL in kinds
    listing = rapport("--db", book, "backups", check=True).stdout
    pinned = [line for line in listing.splitlines() if "pinned until" in line]
    assert len(pinned) == 2, listing
    assert all(("manual" in line or "before-import" in line) for line in pinned)


THINNER = """
import sys, time
from pathlib import Path
from models.backups import KIND_AUTO, take_backup
book, until, ready = Path(sys.argv[1]), time.time() + float(sys.argv[2]), Path(sys.argv[3])
while time.time() < until:
    take_backup(book, kind=KIND_AUTO)
    ready.touch()
    time.sleep(0.5)
"""


def test_a_restore_beside_backups_never_loses_its_source(tmp_path: Path) -> None:
    """Another process takes (and thins) backups all the time; every restore either
    finds its backup gone before it starts, or finishes with the book whole.

    The restores run in this process, as ``rapport restore`` runs them (the book's
    lock, then ``restore_backup``): a new interpreter per restore took longer to
    start than the thinner's half second on a loaded machine, so every source was
    gone before its restore began and the race was never run at all."""
    import subprocess
    import sys

    from models.backups import RestoreError, resolve_backup, restore_backup
    from models.db import open_book
    from models.errors import RapportError
    from models.lock import BookLock

    book = tmp_path / "book.db"
    rapport("--db", book, "demo", check=True)
    b = open_book(book)
    try:
        set_keep_policy(b, KeepPolicy(daily=1, weekly=0, monthly=0))
    finally:
        b.close()
    ready = tmp_path / "thinner-ready"
    thinner = subprocess.Popen(
        [sys.executable, "-c", THINNER, str(book), "120", str(ready)],
        cwd=Path(__file__).parent.parent,
    )
    restored = refused = 0
    try:
        # Every restore below runs while the thinner is at work, none before it.
        deadline = time.monotonic() + 60
        while not ready.exists() and time.monotonic() < deadline and thinner.poll() is None:
            time.sleep(0.05)
        assert ready.exists(), "the thinner never took a backup"
        for _ in range(8):
            source = take_backup(book, kind=KIND_AUTO, thin=False)
            lock = BookLock(book)
            assert lock.acquire()
            try:
                restore_backup(book, resolve_backup(book, source.path.name))
            except RapportError as exc:
                # gone before the restore began, or the book busy with the backup:
                # both leave the book as it was; losing the source half way is neither
                said = str(exc)
                assert isinstance(exc, RestoreError) or "busy" in said, said
                assert "There is no backup called" in said or "busy" in said, said
                refused += 1
            else:
                restored += 1
            finally:
                lock.release()
            assert book.exists()
            check = rapport("--db", book, "check")
            assert "Integrity: ok" in check.stdout, check.stdout + check.stderr
    finally:
        thinner.kill()
        thinner.wait()
    assert not list((tmp_path / "backups").glob(".*.restoring-src"))
    assert restored > 0, f"no restore ran beside the thinner ({refused} found their source gone)"


def test_check_names_missing_and_changed_evidence_files(tmp_path: Path) -> None:
    book = tmp_path / "book.db"
    rapport("--db", book, "demo", check=True)
    ok = rapport("--db", book, "check")
    assert ok.returncode == 0 and "Evidence files: ok (" in ok.stdout, ok.stdout
    stored = sorted(p for p in (tmp_path / "attachments").rglob("*") if p.is_file())
    assert len(stored) >= 2
    stored[0].unlink()
    stored[1].write_bytes(b"not what was attached")
    result = rapport("--db", book, "check")
    assert result.returncode != 0
    [line] = [x for x in result.stdout.splitlines() if x.startswith("Evidence files:")]
    assert line.startswith(f"Evidence files: 2 of {len(stored)} missing or changed: "), line
    assert "Traceback" not in result.stderr
