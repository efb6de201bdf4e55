"""Opening books: pragmas, permissions, refusals that leave files untouched."""

from __future__ import annotations

import hashlib
import os
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import text

from models.db import (
    SCHEMA_HEAD,
    Book,
    BookTooNewError,
    NotABookError,
    check_book,
    inspect_revision,
    integrity_problems,
    open_book,
)
from models.entities import Client
from models.paths import default_book_path
from models.services.client_search import list_clients
from models.services.clients import ClientInput, create_client


def snapshot(folder: Path) -> dict[str, str]:
    """Every file in ``folder`` with its content hash: proof nothing was touched."""
    return {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.iterdir())
        if p.is_file()
    }


def test_new_book_has_pragmas_and_schema(book_path: Path) -> None:
    book = open_book(book_path)
    try:
        with book.engine.connect() as conn:
            assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
            assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
            assert conn.execute(text("PRAGMA synchronous")).scalar() == 2  # FULL
            assert conn.execute(text("PRAGMA busy_timeout")).scalar() >= 1000
        assert inspect_revision(book_path) == SCHEMA_HEAD
        assert book.schema_version == SCHEMA_HEAD
        assert book.upgraded_from is None
        assert integrity_problems(book) == []
    finally:
        book.close()


def test_empty_file_migrates_to_head(tmp_path: Path) -> None:
    path = tmp_path / "empty.db"
    path.write_bytes(b"")
    book = open_book(path)
    try:
        create_client(book, ClientInput(name="Ada"))
        assert [r.name for r in list_clients(book)] == ["Ada"]
        assert book.pre_upgrade_copy is None  # nothing to protect in an empty file
    finally:
        book.close()
    assert inspect_revision(path) == SCHEMA_HEAD


def test_default_book_is_private(tmp_path: Path) -> None:
    path = default_book_path()
    assert str(path).startswith(str(tmp_path))  # conftest isolates XDG dirs
    book = open_book(path)
    book.close()
    assert (path.parent.stat().st_mode & 0o777) == 0o700
    assert (path.stat().st_mode & 0o777) == 0o600


def test_book_from_newer_rapport_is_refused_untouched(book_path: Path) -> None:
    book = open_book(book_path)
    create_client(book, ClientInput(name="Keep me"))
    book.close()
    conn = sqlite3.connect(book_path)
    conn.execute("UPDATE alembic_version SET version_num = '9999'")
    conn.commit()
    conn.execute("PRAGMA journal_mode=DELETE")  # fold the WAL back in: one plain file
    conn.close()
    before = snapshot(book_path.parent)

    with pytest.raises(BookTooNewError, match="newer Rapport.*not changed"):
        open_book(book_path)
    with pytest.raises(BookTooNewError):
        check_book(book_path)

    assert snapshot(book_path.parent) == before
    assert not Path(str(book_path) + "-wal").exists()


@pytest.mark.parametrize(
    "content",
    [b"this is a text file, not a database" * 10, os.urandom(4096)],
    ids=["text", "noise"],
)
def test_garbage_file_is_refused_untouched(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "notes.db"
    path.write_bytes(content)
    with pytest.raises(NotABookError, match="not a Rapport book"):
        open_book(path)
    assert path.read_bytes() == content


def test_foreign_sqlite_database_is_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE recipes (id INTEGER PRIMARY KEY, title TEXT)")
    conn.commit()
    conn.close()
    before = path.read_bytes()
    with pytest.raises(NotABookError, match="not a Rapport book"):
        open_book(path)
    assert path.read_bytes() == before


def test_check_reports_damage(book_path: Path) -> None:
    book = open_book(book_path)
    cid = create_client(book, ClientInput(name="Orphan maker"))
    book.close()
    conn = sqlite3.connect(book_path)  # foreign keys off: plant an orphan row
    conn.execute(
        "INSERT INTO contact_point (client_id, kind, label, value, position) "
        "VALUES (?, 'email', '', 'x@y.org', 0)",
        (cid + 100,),
    )
    conn.commit()
    conn.close()
    report = check_book(book_path)
    assert report.current
    assert not report.healthy
    assert any("contact_point" in p for p in report.problems)


def test_transaction_is_all_or_nothing(book: Book) -> None:
    with pytest.raises(RuntimeError), book.session() as s:
        s.add(Client(name="Half saved", search_text=""))
        s.flush()
        raise RuntimeError("crash in the middle of a save")
    assert list_clients(book) == []
