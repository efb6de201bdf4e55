"""Migration 0007: a book filled before control characters were refused at the
edges is cleaned once, so its own JSON export imports again, and a final
agreement stays exactly as it was signed."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from exports.book_json import import_json, write_json
from models.db import inspect_revision, open_book
from models.demo import fill_demo
from models.services.clients import count_clients

DIRTY = {
    # (table, column): (text put in, text the upgrade leaves)
    ("client", "organisation"): ("Acme\x00 Ltd\tNorth", "Acme Ltd North"),
    ("client", "role"): ("Buyer\x1b[2J", "Buyer[2J"),
    ("client", "notes"): (
        "Line one\r\nline\x00 two\tand tab\x7f\x9b",
        "Line one\r\nline two\tand tab",
    ),
    ("contact_point", "value"): ("\x1b]0;pwned\x07ada@example.com", "]0;pwnedada@example.com"),
    ("touch", "summary"): ("Called\x00 back", "Called back"),
    ("follow_up", "note"): ("Ask\x0b again", "Ask again"),
    ("incident", "title"): ("Late\ndelivery", "Late delivery"),
    ("incident_entry", "text"): ("\x00", "(unreadable text)"),
    ("evidence", "original_name"): ("photo\x00.png", "photo.png"),
}


def _first(conn: sqlite3.Connection, table: str, where: str = "1") -> int:
    (rowid,) = conn.execute(f"SELECT min(rowid) FROM {table} WHERE {where}").fetchone()
    assert rowid is not None, table
    return int(rowid)


def _old_dirty_book(path: Path) -> tuple[dict[tuple[str, str], int], int]:
    """The demo book, marked as revision 0006 (its schema is the same), with control
    characters put into its text as an old contacts file or import could."""
    book = open_book(path)
    try:
        fill_demo(book)
    finally:
        book.close()
    conn = sqlite3.connect(path)
    try:
        rows = {}
        for (table, column), (dirty, _clean) in DIRTY.items():
            rows[table, column] = rowid = _first(conn, table)
            conn.execute(f"UPDATE {table} SET {column} = ? WHERE rowid = ?", (dirty, rowid))
        final = _first(conn, "agreement", "status = 'final'")
        draft = _first(conn, "agreement", "status = 'draft'")
        conn.execute("UPDATE agreement SET context = ? WHERE id = ?", ("Draft\x00 context", draft))
        conn.execute("UPDATE alembic_version SET version_num = '0006'")
        conn.commit()
    finally:
        conn.close()
    return rows, final


def test_an_old_book_is_cleaned_once_and_its_export_imports_again(tmp_path: Path) -> None:
    path = tmp_path / "old" / "book.db"
    path.parent.mkdir()
    rows, _final = _old_dirty_book(path)
    assert inspect_revision(path) == "0006"

    book = open_book(path)
    try:
        assert book.upgraded_from == "0006"
        out = tmp_path / "export" / "book.json"
        out.parent.mkdir()
        clients = write_json(book, out)
    finally:
        book.close()
    conn = sqlite3.connect(path)
    try:
        for (table, column), (_dirty, clean) in DIRTY.items():
            (got,) = conn.execute(
                f"SELECT {column} FROM {table} WHERE rowid = ?", (rows[table, column],)
            ).fetchone()
            assert got == clean, (table, column, got)
        (context,) = conn.execute(
            "SELECT context FROM agreement WHERE status = 'draft' ORDER BY id LIMIT 1"
        ).fetchone()
        assert context == "Draft context"
    finally:
        conn.close()

    fresh = open_book(tmp_path / "fresh" / "book.db")
    try:
        import_json(fresh, out)  # refused before the clean-up: "contains a control character"
        assert count_clients(fresh, include_archived=True) == clients
    finally:
        fresh.close()


def test_a_final_agreement_is_left_as_it_was_signed(tmp_path: Path) -> None:
    path = tmp_path / "book.db"
    _old_dirty_book(path)
    conn = sqlite3.connect(path)
    try:
        final = _first(conn, "agreement", "status = 'final'")
        commitment = _first(conn, "commitment", f"agreement_id = {final}")
        conn.execute("UPDATE agreement SET title = ? WHERE id = ?", ("Signed\x00 title", final))
        conn.execute("UPDATE commitment SET text = ? WHERE id = ?", ("We\tpay", commitment))
        conn.commit()
        before = (
            conn.execute("SELECT * FROM agreement WHERE id = ?", (final,)).fetchone(),
            conn.execute("SELECT * FROM commitment WHERE agreement_id = ?", (final,)).fetchall(),
        )
    finally:
        conn.close()

    open_book(path).close()

    conn = sqlite3.connect(path)
    try:
        after = (
            conn.execute("SELECT * FROM agreement WHERE id = ?", (final,)).fetchone(),
            conn.execute("SELECT * FROM commitment WHERE agreement_id = ?", (final,)).fetchall(),
        )
        (role,) = conn.execute("SELECT role FROM client ORDER BY rowid LIMIT 1").fetchone()
    finally:
        conn.close()
    assert after == before
    assert "Signed\x00 title" in after[0]
    assert any("We\tpay" in row for row in after[1])
    assert role == "Buyer[2J"  # the rest of the book was cleaned in the same upgrade
