"""Migrations: the code's idea of the schema, Alembic's, and the upgrade path agree."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

import models.db as db
import models.schema as schema
from models.db import SCHEMA_HEAD, alembic_head, inspect_revision, open_book
from models.entities import Base
from models.services.client_search import list_clients
from models.services.clients import ClientInput, create_client

FUTURE_MIGRATION = """
import sqlalchemy as sa
from alembic import op

revision = "0002_test"
down_revision = "{down}"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("client") as batch:
        batch.add_column(sa.Column("nickname", sa.String(50), nullable=False, server_default=""))


def downgrade():
    with op.batch_alter_table("client") as batch:
        batch.drop_column("nickname")
"""


def test_schema_head_constant_matches_alembic() -> None:
    assert alembic_head() == SCHEMA_HEAD


def test_migrated_schema_matches_models(book_path: Path) -> None:
    book = open_book(book_path)
    try:
        with book.engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
        assert diff == []
    finally:
        book.close()


def test_upgrade_takes_a_verified_copy_first(
    book_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    book = open_book(book_path)
    create_client(book, ClientInput(name="Before the upgrade"))
    book.close()

    # A real second migration in a copy of the migrations folder.
    migrations = tmp_path / "migrations"
    shutil.copytree(schema.MIGRATIONS_DIR, migrations)
    (migrations / "versions" / "0002_test.py").write_text(FUTURE_MIGRATION.format(down=SCHEMA_HEAD))
    monkeypatch.setattr(schema, "MIGRATIONS_DIR", migrations)
    monkeypatch.setattr(schema, "SCHEMA_HEAD", "0002_test")

    upgraded = db.open_book(book_path)
    try:
        assert upgraded.upgraded_from == SCHEMA_HEAD
        assert [r.name for r in list_clients(upgraded)] == ["Before the upgrade"]
        copy = upgraded.pre_upgrade_copy
        assert copy is not None and copy.parent == book_path.parent / "backups"
        assert (copy.stat().st_mode & 0o777) == 0o600
    finally:
        upgraded.close()

    assert inspect_revision(book_path) == "0002_test"
    assert inspect_revision(copy) == SCHEMA_HEAD
    conn = sqlite3.connect(copy)
    try:
        assert conn.execute("SELECT name FROM client").fetchall() == [("Before the upgrade",)]
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        cols = {r[1] for r in conn.execute("PRAGMA table_info(client)")}
        assert "nickname" not in cols
    finally:
        conn.close()


def test_up_to_date_book_opens_without_alembic(book_path: Path, tmp_path: Path) -> None:
    """Start-up stays fast: a current book never imports Alembic."""
    open_book(book_path).close()
    code = (
        "import sys; from pathlib import Path; from models.db import open_book;"
        f"open_book(Path({str(book_path)!r})).close();"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('alembic', 'reportlab')))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd=Path(__file__).resolve().parents[1],
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout.strip() == "[]"


def test_real_upgrade_from_0001_keeps_clients_and_copies_first(book_path: Path) -> None:
    """A book made by the first release opens in this one, with a copy saved first."""
    book_path.parent.mkdir(parents=True)
    engine = db.make_engine(book_path)
    db._upgrade(engine, "0001")
    with engine.begin() as conn:
        conn.exec_driver_sql(
            "INSERT INTO client (uid, name, organisation, role, notes, status, created_at, "
            "updated_at, search_text) VALUES ('a' || hex(randomblob(15)), 'Old friend', '', '', "
            "'', 'active', '2025-01-01 10:00:00', '2025-01-01 10:00:00', 'old friend')"
        )
    engine.dispose()
    assert inspect_revision(book_path) == "0001"

    book = open_book(book_path)
    try:
        assert book.upgraded_from == "0001"
        assert book.pre_upgrade_copy is not None
        assert inspect_revision(book.pre_upgrade_copy) == "0001"
        [row] = list_clients(book)
        assert (row.name, row.cadence_days, row.touch_due_on) == ("Old friend", None, None)
    finally:
        book.close()
    assert inspect_revision(book_path) == SCHEMA_HEAD


def test_real_upgrade_from_0003_keeps_incidents_and_adds_agreements(book_path: Path) -> None:
    """A book from the incidents release keeps its rows and gains agreements and settings."""
    from datetime import UTC, date, datetime

    from models.services.agreements import (
        AgreementInput,
        create_agreement,
        get_agreement,
        list_agreements,
    )
    from models.services.consultant import ConsultantSettings, get_settings
    from models.services.incidents import list_incidents
    from models.services.reminders import open_follow_ups

    book_path.parent.mkdir(parents=True)
    engine = db.make_engine(book_path)
    db._upgrade(engine, "0003")
    with engine.begin() as conn:
        conn.exec_driver_sql(
            "INSERT INTO client (id, uid, name, organisation, role, notes, status, created_at, "
            "updated_at, search_text) VALUES (1, 'c1', 'Old friend', '', '', '', 'active', "
            "'2025-01-01 10:00:00', '2025-01-01 10:00:00', 'old friend')"
        )
        conn.exec_driver_sql(
            "INSERT INTO follow_up (id, uid, client_id, kind, title, note, due_on, "
            "original_due_on, created_at) VALUES (1, 'f1', 1, 'manual', 'Call back', '', "
            "'2025-02-01', '2025-02-01', '2025-01-01 10:00:00')"
        )
        conn.exec_driver_sql(
            "INSERT INTO incident (id, uid, client_id, title, category, severity, status, "
            "client_view, our_view, our_mistakes, client_contribution, opened_at, updated_at) "
            "VALUES (1, 'i1', 1, 'Late report', 'missed_deadline', 'high', 'open', '', '', '', "
            "'', '2025-01-02 10:00:00', '2025-01-02 10:00:00')"
        )
    engine.dispose()
    assert inspect_revision(book_path) == "0003"

    book = open_book(book_path)
    try:
        assert book.upgraded_from == "0003"
        assert book.pre_upgrade_copy is not None
        assert inspect_revision(book.pre_upgrade_copy) == "0003"
        assert [r.name for r in list_clients(book)] == ["Old friend"]
        assert [f.title for f in open_follow_ups(book, 1)] == ["Call back"]
        [inc] = list_incidents(book, now=datetime(2025, 1, 3, tzinfo=UTC))
        assert inc.title == "Late report"
        assert list_agreements(book) == []
        assert get_settings(book) == ConsultantSettings()
        aid = create_agreement(
            book, 1, AgreementInput("After the late report", date(2025, 1, 5)), incident_id=1
        )
        assert get_agreement(book, aid).row.number == "AG-2025-0001"
    finally:
        book.close()
    assert inspect_revision(book_path) == SCHEMA_HEAD


def _indexes(path: Path, table: str) -> set[str]:
    engine = db.make_engine(path)
    try:
        with engine.connect() as conn:
            rows = conn.exec_driver_sql(
                "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = ?"
                " AND sql IS NOT NULL",
                (table,),
            ).fetchall()
    finally:
        engine.dispose()
    return {r[0] for r in rows}


def test_real_upgrade_from_0005_puts_the_due_ranking_in_indexes(book_path: Path) -> None:
    """A book from before 0006 keeps who is due, and Today's head reads the new
    indexes (which replace the two they extend) once it is upgraded."""
    from datetime import date

    from models.reads import today_head, today_plan

    book_path.parent.mkdir(parents=True)
    engine = db.make_engine(book_path)
    db._upgrade(engine, "0005")
    with engine.begin() as conn:
        for cid, name, due, cadence, prio in (
            (1, "Old friend", "2025-01-20", 30, None),
            (2, "Upset client", "2025-01-31", 7, "2025-03-01"),
            (3, "Archived one", None, 30, None),
        ):
            conn.exec_driver_sql(
                "INSERT INTO client (id, uid, name, organisation, role, notes, status, created_at,"
                " updated_at, search_text, cadence_days, touch_due_on, priority_until, archived_at)"
                " VALUES (?, ?, ?, '', '', '', 'active', '2025-01-01 10:00:00',"
                " '2025-01-01 10:00:00', ?, ?, ?, ?, ?)",
                (
                    cid,
                    f"c{cid}",
                    name,
                    name.lower(),
                    cadence,
                    due,
                    prio,
                    "2025-01-02 10:00:00" if cid == 3 else None,
                ),
            )
        for fid, cid, due in ((1, 1, "2025-01-25"), (2, 3, "2025-01-10")):
            conn.exec_driver_sql(
                "INSERT INTO follow_up (id, uid, client_id, kind, title, note, due_on,"
                " original_due_on, created_at) VALUES (?, ?, ?, 'manual', 'Call back', '',"
                " ?, ?, '2025-01-01 10:00:00')",
                (fid, f"f{fid}", cid, due, due),
            )
    engine.dispose()
    assert inspect_revision(book_path) == "0005"
    assert "ix_client_touch_due_on" in _indexes(book_path, "client")
    assert "ix_follow_up_open_due" in _indexes(book_path, "follow_up")

    book = open_book(book_path)
    try:
        assert book.upgraded_from == "0005"
        assert book.pre_upgrade_copy is not None
        assert inspect_revision(book.pre_upgrade_copy) == "0005"
        today = date(2025, 2, 1)
        head = today_head(book, today)
        assert [(i.client_name, i.title) for i in head.due] == [
            ("Upset client", "Get in touch"),  # priority first
            ("Old friend", "Call back"),  # 7 days late over a follow-up's week: 1
            ("Old friend", "Get in touch"),  # 12 days late over a monthly rhythm: 0.4
        ]
        assert head.due == today_plan(book, today).due  # the archived client's is left out
    finally:
        book.close()
    assert inspect_revision(book_path) == SCHEMA_HEAD
    client_indexes = _indexes(book_path, "client")
    assert "ix_client_due_rank" in client_indexes
    assert "ix_client_touch_due_on" not in client_indexes
    follow_up_indexes = _indexes(book_path, "follow_up")
    assert "ix_follow_up_due_client" in follow_up_indexes
    assert "ix_follow_up_open_due" not in follow_up_indexes
