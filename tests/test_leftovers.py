"""What killed backups, restores and imports leave behind is cleared at the next
start of the command line and of the app, and nothing another live process is still
writing is touched (issue 18: killed backups and restores left 265 MB of temp files).

The SIGKILL tests kill a real `rapport` process once its temp file is on disk, so
the kill lands part way every time; the loop only retries a run that finished first.
"""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from models.backups import list_backups, take_backup
from models.db import open_book
from models.services.clients import ClientInput, create_client

ROOT = Path(__file__).resolve().parents[1]
NOTE = 24_000  # characters of notes per padding client: a book of some 70 MB
PADDING = 3000


def rapport(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(ROOT / "main.py"), *map(str, args)],
        cwd=ROOT,
        env=dict(os.environ, QT_QPA_PLATFORM="offscreen"),
        capture_output=True,
        text=True,
        timeout=180,
    )


def start(*args: str | Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, str(ROOT / "main.py"), *map(str, args)],
        cwd=ROOT,
        env=dict(os.environ, QT_QPA_PLATFORM="offscreen"),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def client_count(path: Path) -> int:
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        return int(conn.execute("SELECT count(*) FROM client").fetchone()[0])
    finally:
        conn.close()


@pytest.fixture(scope="module")
def big_book(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real book large enough that copying it takes a while: a few clients made by
    the service, then padding rows copied from one of them in SQL."""
    path = tmp_path_factory.mktemp("big") / "rapport.db"
    book = open_book(path)
    try:
        for i in range(3):
            create_client(book, ClientInput(name=f"Client {i}", notes="n" * 100))
    finally:
        book.close()
    conn = sqlite3.connect(path)
    try:
        cols = [r[1] for r in conn.execute("PRAGMA table_info(client)") if r[1] != "id"]
        made = {"notes": "substr(hex(randomblob(?)), 1, ?)", "uid": "lower(hex(randomblob(16)))"}
        picked = ", ".join(made.get(c, f'"{c}"') for c in cols)
        conn.execute(
            f"WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?) "
            f"INSERT INTO client ({', '.join(f'{chr(34)}{c}{chr(34)}' for c in cols)}) "
            f"SELECT {picked} FROM n, (SELECT * FROM client ORDER BY id LIMIT 1)",
            (PADDING, NOTE // 2, NOTE),
        )
        conn.commit()
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        conn.close()
    assert client_count(path) == PADDING + 3
    return path


@pytest.fixture
def book_copy(big_book: Path, tmp_path: Path) -> Path:
    target = tmp_path / "book" / "rapport.db"
    target.parent.mkdir()
    target.write_bytes(big_book.read_bytes())
    return target


def leftovers(book: Path) -> list[Path]:
    """Every temp file the writers make, by the names they give them."""
    folder = book.parent
    found = [*folder.glob(".*.part*"), *folder.glob(".*.restoring*")]
    for sub in ("backups", "attachments"):
        if (folder / sub).is_dir():
            found += [*(folder / sub).glob(".*.part*"), *(folder / sub).glob(".*.restoring*")]
            found += [m for m in (folder / sub).glob("*.db.json") if not m.with_suffix("").exists()]
    return sorted(found)


def kill_when(proc: subprocess.Popen[bytes], seen: Callable[[], bool], rng: random.Random) -> bool:
    """SIGKILL ``proc`` a random moment after ``seen()`` first holds; False if it ended
    before that (nothing was half done)."""
    deadline = time.monotonic() + 120
    while not seen():
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            proc.wait()
            return False
        time.sleep(0.005)
    time.sleep(rng.uniform(0, 0.15))
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    return proc.returncode == -signal.SIGKILL


def killed_mid_way(book: Path, args: list[str | Path], seen: Callable[[], bool]) -> None:
    rng = random.Random(18)
    for _attempt in range(12):
        proc = start("--db", book, *args)
        if kill_when(proc, seen, rng) and leftovers(book):
            return
    pytest.fail(f"{args} never died part way in 12 tries")


def test_a_backup_killed_part_way_leaves_nothing_after_the_next_start(book_copy: Path) -> None:
    before = client_count(book_copy)
    backups = book_copy.parent / "backups"

    killed_mid_way(book_copy, ["backup"], lambda: any(backups.glob(".*.part*")))
    assert any(p.name.endswith(".part") for p in leftovers(book_copy))  # it died mid-copy
    assert not [b for b in list_backups(book_copy)]  # and never finished one

    due = rapport("--db", book_copy, "due")  # a read verb, no lock taken

    assert due.returncode == 0, due.stderr
    assert leftovers(book_copy) == []
    assert client_count(book_copy) == before
    check = rapport("--db", book_copy, "check")
    assert check.returncode == 0 and "Integrity: ok" in check.stdout, check.stdout


def test_a_restore_killed_part_way_leaves_nothing_and_the_book_whole(book_copy: Path) -> None:
    source = take_backup(book_copy)
    before = client_count(book_copy)
    folder = book_copy.parent

    killed_mid_way(
        book_copy,
        ["restore", source.name],
        lambda: any(folder.glob(f".{book_copy.name}.~*.restoring")),
    )
    left = [p.name for p in leftovers(book_copy)]
    assert any(".restoring" in name for name in left), left

    again = rapport("--db", book_copy, "due")

    assert again.returncode == 0, again.stderr
    assert leftovers(book_copy) == []
    assert book_copy.exists() and client_count(book_copy) == before
    assert source.path.exists()  # the backup it was restoring from is still there
    check = rapport("--db", book_copy, "check")
    assert check.returncode == 0 and "Integrity: ok" in check.stdout, check.stdout
    restored = rapport("--db", book_copy, "restore", source.name)  # and can be restored
    assert restored.returncode == 0, restored.stderr
    assert leftovers(book_copy) == []


@pytest.fixture
def live_pid() -> Iterator[int]:
    """A process that is alive for the whole test: as if it were writing a file."""
    proc = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"])
    yield proc.pid
    proc.kill()
    proc.wait()


def dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def plant(book: Path, pid: int) -> list[Path]:
    """One of each kind of temp file the writers make, as written by ``pid``."""
    folder = book.parent
    backup = f"{book.stem}-20260101T000000000000Z-auto.db"
    files = [
        folder / "backups" / f".{backup}.~{pid}.x1y2z3.part",
        folder / "backups" / f".{backup}.~{pid}.x1y2z3.part-journal",
        folder / "backups" / f".{backup}.json.~{pid}.a1b2.part",
        folder / "backups" / f".{backup}.~{pid}.restoring-src",
        folder / f".{book.name}.~{pid}.restoring",
        folder / f".{book.name}.~{pid}.restoring-journal",
        folder / "attachments" / f".incoming.~{pid}.q1w2.part",
        folder / f".notes.json.~{pid}.e5r6.part",  # an export into the book's folder
    ]
    for f in files:
        f.parent.mkdir(exist_ok=True)
        f.write_bytes(b"half written")
    return files


def test_the_cli_clears_a_dead_writers_files_and_keeps_a_live_ones(
    book_copy: Path, live_pid: int
) -> None:
    dead = plant(book_copy, dead_pid())
    orphan = book_copy.parent / "backups" / f"{book_copy.stem}-20260101T000000000000Z-auto.db.json"
    orphan.write_text("{}")  # its copy was being made by the dead writer
    live = plant(book_copy.with_name("other.db"), live_pid)
    live_manifest = book_copy.parent / "backups" / "other-20260101T000000000000Z-auto.db.json"
    live_manifest.write_text("{}")  # its copy is still being made, by the live one
    outside = book_copy.parent.parent / f".elsewhere.~{dead_pid()}.abc.part"
    outside.write_bytes(b"not beside this book")

    result = rapport("--db", book_copy, "due")

    assert result.returncode == 0, result.stderr
    assert [f for f in dead if f.exists()] == [] and not orphan.exists()
    assert all(f.exists() for f in live) and live_manifest.exists()
    assert outside.exists()  # only the book's own folders are looked at
    assert client_count(book_copy) == PADDING + 3


def test_an_old_fixed_name_restore_file_goes_only_under_the_lock(book_copy: Path) -> None:
    old = book_copy.with_name(f".{book_copy.name}.restoring")
    old.write_bytes(b"half a book, from an older Rapport")
    read = rapport("--db", book_copy, "due")
    assert read.returncode == 0 and old.exists()  # no lock: a restore might be running
    contacts = book_copy.parent.parent / "one.csv"
    contacts.write_text("Name,E-mail\nAda Lovelace,ada@example.org\n", encoding="utf-8")
    write = rapport("--db", book_copy, "import", contacts)  # a writing verb: it takes the lock
    assert write.returncode == 0, write.stderr
    assert not old.exists()


def test_the_app_clears_leftovers_when_it_opens_a_book(
    qapp: object, book_copy: Path, tmp_path: Path, live_pid: int
) -> None:
    from ui.app import RapportApp

    dead = plant(book_copy, dead_pid())
    old = book_copy.with_name(f".{book_copy.name}.restoring")
    old.write_bytes(b"half a book, from an older Rapport")
    live = plant(book_copy.with_name("other.db"), live_pid)
    app = RapportApp(config_dir=tmp_path / "config")
    try:
        assert app.open(book_copy).ok
        assert [f for f in dead if f.exists()] == [] and not old.exists()
        assert all(f.exists() for f in live)
        assert app.book is not None and app.book.wait_checked(30) and not app.book.damaged
    finally:
        app.close()
    assert client_count(book_copy) == PADDING + 3


def test_an_export_killed_part_way_is_cleared_at_the_next_start(
    book_copy: Path, tmp_path: Path, live_pid: int
) -> None:
    """An export goes wherever the user chose, so the writer notes that folder first
    (models.files.note_temp_folder); the next start clears a killed writer's temp
    file there, and nothing else: not a live writer's, not a file of ours with another
    name, not the dead writer's pid in a name that is not ours."""
    from models.files import WRITING, write_atomic
    from models.paths import state_dir

    out_dir = tmp_path / "exports"
    out_dir.mkdir()
    out = out_dir / "book.json"
    parts = lambda: list(out_dir.glob(".book.json.~*.part"))  # noqa: E731
    for _attempt in range(12):
        proc = start("--db", book_copy, "export", "json", out)
        deadline = time.monotonic() + 120
        while not parts() and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.002)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        if proc.returncode == -signal.SIGKILL and parts():
            break
        out.unlink(missing_ok=True)
    else:
        pytest.fail("the export never died part way in 12 tries")
    dead = proc.pid
    assert [p.name.split(".~")[1].split(".")[0] for p in parts()] == [str(dead)]
    assert not out.exists()  # it never finished
    notes = state_dir() / WRITING
    assert [n.name.split(".")[0] for n in notes.iterdir()] == [str(dead)]

    # What must stay: a live writer's temp file, the dead pid in names not ours,
    # and this (live) process's own note of a folder it wrote to.
    live = out_dir / f".other.pdf.~{live_pid}.abc123.part"
    foreign = out_dir / f"notes.~{dead}.txt"
    other_kind = out_dir / f".report.pdf.~{dead}.abc123.tmp"
    for keep in (live, foreign, other_kind):
        keep.write_bytes(b"keep")
    write_atomic(out_dir / "mine.txt", b"mine")
    mine = [n for n in notes.iterdir() if n.name.startswith(f"{os.getpid()}.")]
    assert len(mine) == 1

    due = rapport("--db", book_copy, "due")  # the next start: a read verb, no lock taken

    assert due.returncode == 0, due.stderr
    assert parts() == []
    assert live.exists() and foreign.exists() and other_kind.exists()
    assert (out_dir / "mine.txt").read_bytes() == b"mine"
    assert sorted(notes.iterdir()) == mine  # the dead writer's note went, ours stayed
    assert not out.exists()
