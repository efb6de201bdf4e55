"""A full disk never moves a healthy book (issue 18): on a real, small tmpfs that the
test fills to the last byte, every verb leaves the book byte-identical at its path,
sets nothing aside and says what is wrong in one line. Runs main.py as a process."""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.test_cli import rapport

FS_SIZE = "8m"


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _fill(folder: Path) -> None:
    """Write until the file system refuses another byte."""
    fd = os.open(folder / "filler", os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        for chunk in (65536, 4096, 1):
            try:
                while True:
                    os.write(fd, b"\0" * chunk)
            except OSError:
                pass
    finally:
        os.close(fd)
    assert shutil.disk_usage(folder).free < 4096


@pytest.fixture
def small_fs(tmp_path: Path) -> Iterator[Path]:
    """A real file system of a few MB, mounted for this test (CI runs as root)."""
    assert os.geteuid() == 0, "the full-disk tests mount a tmpfs and need root"
    mount_point = tmp_path / "disk"
    mount_point.mkdir()
    subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={FS_SIZE}", "tmpfs", str(mount_point)], check=True
    )
    try:
        yield mount_point
    finally:
        subprocess.run(["umount", "-l", str(mount_point)], check=True)


@pytest.fixture
def full_disk(small_fs: Path, tmp_path: Path) -> dict[str, Path]:
    """A demo book with a backup, and an empty book, on a file system that is full."""
    book = small_fs / "book.db"
    empty = small_fs / "empty.db"
    rapport("--db", book, "demo", check=True)
    rapport("--db", book, "backup", check=True)
    from models.db import open_book

    open_book(empty).close()
    other = tmp_path / "other.db"
    rapport("--db", other, "demo", check=True)
    export = tmp_path / "other.json"
    rapport("--db", other, "export", "json", export, check=True)
    backup = next((small_fs / "backups").glob("book-*.db"))
    _fill(small_fs)
    return {"book": book, "empty": empty, "export": export, "backup": backup, "fs": small_fs}


def _clients(book: Path) -> int:
    conn = sqlite3.connect(book)
    try:
        return int(conn.execute("SELECT count(*) FROM client").fetchone()[0])
    finally:
        conn.close()


def _assert_unmoved(fs: Path, books: dict[Path, str], result: subprocess.CompletedProcess[str]):
    for path, digest in books.items():
        assert path.exists(), f"{path.name} was moved away: {result.stderr}"
        assert _digest(path) == digest, f"{path.name} changed"
    assert not list(fs.glob("*damaged*")), "a healthy book was set aside"
    assert not list(fs.glob(".*.restoring*"))
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) <= 1, result.stderr


def test_every_verb_on_a_full_disk_leaves_the_book_where_it_was(
    full_disk: dict[str, Path], tmp_path: Path
) -> None:
    fs, book, empty = full_disk["fs"], full_disk["book"], full_disk["empty"]
    books = {book: _digest(book), empty: _digest(empty)}
    writes = [
        ("--db", empty, "demo"),
        ("--db", book, "import", full_disk["export"]),
        ("--db", book, "backup"),
        ("--db", book, "restore", full_disk["backup"].name),
        ("--db", book, "export", "json", fs / "out.json"),
    ]
    for args in writes:
        result = rapport(*args)
        _assert_unmoved(fs, books, result)
        assert result.returncode != 0, args
        assert result.stderr.startswith("rapport: "), (args, result.stderr)
        assert "damaged" not in result.stderr and "not a Rapport book" not in result.stderr
    for args in [("--db", book, "due"), ("--db", book, "check")]:
        result = rapport(*args)
        _assert_unmoved(fs, books, result)
        assert "damaged" not in result.stderr + result.stdout
        assert "not a Rapport book" not in result.stderr
        if result.returncode != 0:
            assert result.stderr.startswith("rapport: "), (args, result.stderr)
    assert not (fs / "out.json").exists() or (fs / "out.json").stat().st_size == 0


def test_a_disk_full_error_names_the_disk(full_disk: dict[str, Path]) -> None:
    book = full_disk["book"]
    digest = _digest(book)
    result = rapport("--db", book, "restore", full_disk["backup"].name)
    assert result.returncode != 0
    assert "disk is full" in result.stderr.lower(), result.stderr
    assert "nothing was changed" in result.stderr or "not replaced" in result.stderr
    assert _digest(book) == digest


def test_a_read_only_book_is_not_called_damaged(tmp_path: Path) -> None:
    book = tmp_path / "ro" / "book.db"
    rapport("--db", book, "demo", check=True)
    rapport("--db", book, "backup", check=True)
    digest = _digest(book)
    book.chmod(0o444)
    book.parent.chmod(0o555)
    try:
        # root ignores permission bits, so make the folder's file system read-only too
        subprocess.run(["mount", "--bind", str(book.parent), str(book.parent)], check=True)
        subprocess.run(["mount", "-o", "remount,bind,ro", str(book.parent)], check=True)
        try:
            for verb in (["due"], ["check"], ["backup"], ["demo"]):
                result = rapport("--db", book, *verb)
                assert "damaged" not in result.stderr, (verb, result.stderr)
                assert "not a Rapport book" not in result.stderr, (verb, result.stderr)
                assert "Traceback" not in result.stderr
                assert _digest(book) == digest
                assert [p.name for p in book.parent.glob("*damaged*")] == []
        finally:
            subprocess.run(["umount", str(book.parent)], check=True)
    finally:
        book.parent.chmod(0o755)
        book.chmod(0o644)


def test_a_hot_journal_is_replayed_not_judged(tmp_path: Path) -> None:
    """A writer killed mid-transaction leaves a -journal; the next open rolls it back
    and the book stays in place, healthy, with no journal left behind."""
    book = tmp_path / "book.db"
    rapport("--db", book, "demo", check=True)
    rapport("--db", book, "backup", check=True)
    before = _clients(book)
    script = (
        "import os, sqlite3, sys\n"
        "c = sqlite3.connect(sys.argv[1], isolation_level=None)\n"
        "c.execute('PRAGMA journal_mode=DELETE')\n"
        "c.execute('PRAGMA cache_size=1')\n"
        "c.execute('BEGIN')\n"
        'c.execute("UPDATE client SET notes = hex(randomblob(2000))")\n'
        "c.execute('DELETE FROM client')\n"
        "os._exit(0)\n"
    )
    subprocess.run([os.sys.executable, "-c", script, str(book)], check=True)
    journal = Path(str(book) + "-journal")
    assert journal.exists() and journal.stat().st_size > 0
    result = rapport("--db", book, "due")
    assert result.returncode == 0, result.stderr
    assert not list(tmp_path.glob("*damaged*"))
    assert not journal.exists() or journal.stat().st_size == 0
    assert _clients(book) == before > 0
