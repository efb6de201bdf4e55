"""Opening a book: checks, pragmas, locking, migrations and the pre-upgrade copy.

Order matters here. A book is inspected read-only first, so a file from a newer
Rapport (or not a Rapport book at all) is refused before anything writes to it;
even switching on WAL mode would change its header.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from models.errors import RapportError
from models.paths import companion_dir, touch_private

# The newest schema this build knows. tests/test_migrations.py checks it against
# Alembic's head so opening an up-to-date book never has to import Alembic.
SCHEMA_HEAD = "0005"

MIGRATIONS_DIR = Path(__file__).with_name("migrations")
BUSY_TIMEOUT_MS = 5000


class BookError(RapportError):
    """A book cannot be opened or used; the message is meant for the user."""


class BookTooNewError(BookError):
    pass


class NotABookError(BookError):
    pass


class BookLockedError(BookError):
    pass


@dataclass
class Book:
    """An open book: its file, its engine and where its companions live."""

    path: Path
    engine: Engine
    schema_version: str
    upgraded_from: str | None = None
    pre_upgrade_copy: Path | None = None
    _sessions: sessionmaker[Session] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    @contextmanager
    def session(self) -> Iterator[Session]:
        """One unit of work: committed as a whole, or rolled back as a whole."""
        with self._sessions() as s, s.begin():
            yield s

    @contextmanager
    def reader(self) -> Iterator[Session]:
        """A read-only unit of work; nothing it does is committed."""
        with self._sessions() as s:
            try:
                yield s
            finally:
                s.rollback()

    @property
    def attachments_dir(self) -> Path:
        return companion_dir(self.path, "attachments")

    @property
    def backups_dir(self) -> Path:
        return companion_dir(self.path, "backups")

    @property
    def name(self) -> str:
        return self.path.stem

    def close(self) -> None:
        self.engine.dispose()


def _set_pragmas(dbapi_conn: sqlite3.Connection, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=FULL")
    cur.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cur.close()


def make_engine(path: Path) -> Engine:
    """An engine with one connection: one writer per book (see DESIGN.md)."""
    engine = create_engine(
        f"sqlite:///{path}",
        pool_size=1,
        max_overflow=0,
        pool_timeout=30,
        connect_args={"check_same_thread": False, "timeout": BUSY_TIMEOUT_MS / 1000},
    )
    event.listen(engine, "connect", _set_pragmas)
    return engine


def inspect_revision(path: Path) -> str | None:
    """The schema revision of the book at ``path``, read without writing anything.

    Returns None for a missing or empty file (a new book). Raises NotABookError for
    anything that is not an SQLite file made by Rapport.
    """
    if not path.exists() or path.stat().st_size == 0:
        return None
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    except sqlite3.Error as exc:
        raise NotABookError(f"{path} could not be read: {exc}.") from exc
    try:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        if "alembic_version" not in tables:
            if tables:
                raise NotABookError(
                    f"{path} is a database but not a Rapport book. It was left as it was."
                )
            return None
        row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
        return row[0] if row else None
    except sqlite3.DatabaseError as exc:
        raise NotABookError(
            f"{path} is not a Rapport book (or it is damaged): {exc}. It was left as it was."
        ) from exc
    finally:
        conn.close()


def _scripts() -> Any:
    """Alembic's view of models/migrations; imported only when a book needs it."""
    from alembic.script import ScriptDirectory

    return ScriptDirectory(str(MIGRATIONS_DIR))


def _known_revisions() -> set[str]:
    return {rev.revision for rev in _scripts().walk_revisions()}


def alembic_head() -> str:
    head: str = _scripts().get_current_head()
    return head


def _upgrade(engine: Engine, target: str = "head") -> None:
    from alembic import command
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, target)


def backup_to(source: Path, dest: Path) -> Path:
    """Copy a book through SQLite's backup API into ``dest``, atomically.

    A file copy of a WAL database can miss committed pages; the backup API cannot.
    The copy is written next to its final name, synced, then renamed into place.
    """
    tmp = dest.with_name(dest.name + ".part")
    tmp.unlink(missing_ok=True)
    touch_private(tmp)
    src = sqlite3.connect(source)
    try:
        dst = sqlite3.connect(tmp)
        try:
            src.backup(dst)
        finally:
            dst.close()
    finally:
        src.close()
    with open(tmp, "rb+") as fh:
        _fsync(fh)
    os.replace(tmp, dest)
    return dest


def _fsync(fh: IO[bytes]) -> None:
    fh.flush()
    os.fsync(fh.fileno())


def open_book(path: Path, *, upgrade: bool = True) -> Book:
    """Open (creating if needed) the book at ``path`` and bring it to SCHEMA_HEAD.

    A book that needs an upgrade is first copied into its backups folder.
    """
    path = Path(path).expanduser().absolute()
    revision = inspect_revision(path)
    if revision is not None and revision != SCHEMA_HEAD and revision not in _known_revisions():
        raise BookTooNewError(
            f"This book was written by a newer Rapport (schema {revision}). "
            "Please update Rapport to open it. The book was not changed."
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    touch_private(path)
    copy: Path | None = None
    if revision is not None and revision != SCHEMA_HEAD:
        if not upgrade:
            raise BookError(f"This book needs an upgrade from schema {revision}.")
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        copy = backup_to(
            path, companion_dir(path, "backups") / f"{path.stem}-before-{SCHEMA_HEAD}-{stamp}.db"
        )
    engine = make_engine(path)
    try:
        if revision != SCHEMA_HEAD:
            _upgrade(engine)
    except Exception:
        engine.dispose()
        raise
    return Book(
        path=path,
        engine=engine,
        schema_version=SCHEMA_HEAD,
        upgraded_from=revision if revision != SCHEMA_HEAD else None,
        pre_upgrade_copy=copy,
    )


def sqlite_problems(conn: sqlite3.Connection) -> list[str]:
    """What SQLite's integrity and foreign-key checks report; empty when healthy."""
    problems: list[str] = []
    rows = conn.execute("PRAGMA integrity_check").fetchall()
    if [r[0] for r in rows] != ["ok"]:
        problems.extend(str(r[0]) for r in rows)
    for table, rowid, parent, _fk in conn.execute("PRAGMA foreign_key_check").fetchall():
        problems.append(f"{table} row {rowid} points to a missing {parent}")
    return problems


def integrity_problems(book: Book) -> list[str]:
    with book.engine.connect() as conn:
        raw = conn.connection.dbapi_connection
        assert raw is not None
        return sqlite_problems(raw)  # type: ignore[arg-type]


@dataclass(frozen=True)
class CheckReport:
    revision: str | None
    problems: list[str]
    clients: int

    @property
    def current(self) -> bool:
        return self.revision == SCHEMA_HEAD

    @property
    def healthy(self) -> bool:
        return not self.problems


def check_book(path: Path) -> CheckReport:
    """Check a book without writing to it (no migration, no WAL switch).

    Raises BookError for a missing file, a non-book or a book from a newer Rapport.
    """
    if not path.exists():
        raise BookError(f"There is no book at {path}.")
    revision = inspect_revision(path)
    if revision is not None and revision != SCHEMA_HEAD and revision not in _known_revisions():
        raise BookTooNewError(
            f"This book was written by a newer Rapport (schema {revision}); "
            "this version cannot check it."
        )
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        problems = sqlite_problems(conn)
        clients = 0
        if revision is not None:
            clients = conn.execute("SELECT count(*) FROM client").fetchone()[0]
    except sqlite3.DatabaseError as exc:
        problems = [str(exc)]
        clients = 0
    finally:
        conn.close()
    return CheckReport(revision=revision, problems=problems, clients=clients)
