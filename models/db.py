"""Opening a book: checks, pragmas, locking, migrations and the pre-upgrade copy.

Order matters here. A book is inspected read-only first, so a file from a newer
Rapport (or not a Rapport book at all) is refused before anything writes to it;
even switching on WAL mode would change its header.

Then its health is checked (quick_check and foreign_key_check) on a read-only
connection. The command line waits for that check. The app cannot afford to (it
costs about a third of a second on a book of 10 000 clients), so for a book that is
already in WAL mode and up to date it runs on a worker thread while the window
comes up: reads go ahead, and ``Book.session()`` (every write) waits for the
verdict and refuses a damaged book. A book that needs WAL switched on or an
upgrade is checked before either happens.
"""

from __future__ import annotations

import contextlib
import logging
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from models import schema

# What every open needs; taking backups (an upgrade, a damaged file with backups)
# loads where it is used, so the app's first paint never pays for it.
from models.backups.common import evidence_files, missing_evidence
from models.backups.damage import cannot_write_reason, clear_orphans, is_damage, open_check
from models.errors import RapportError
from models.paths import companion_dir, touch_private
from models.schema import SCHEMA_HEAD as SCHEMA_HEAD  # re-exported: callers ask models.db
from models.schema import alembic_head as alembic_head

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine
    from sqlalchemy.orm import Session, sessionmaker

log = logging.getLogger(__name__)

BUSY_TIMEOUT_MS = 5000


class BookError(RapportError):
    """A book cannot be opened or used; the message is meant for the user."""


class BookTooNewError(BookError):
    pass


class NotABookError(BookError):
    pass


class BookLockedError(BookError):
    pass


class BookUnavailableError(BookError):
    """The book could not be read or written right now (a full or read-only disk, no
    permission, a lock): nothing is wrong with it, so it stays where it is."""

    def __init__(self, path: Path, exc: BaseException | None = None) -> None:
        self.path = Path(path)
        reason = cannot_write_reason(self.path, exc)
        super().__init__(f"{reason}: {self.path}; nothing was changed.")


def _unavailable_or_damaged(path: Path, exc: sqlite3.Error) -> list[str]:
    """The problems of a book whose check raised ``exc``: damage is reported, any
    other failure is raised as BookUnavailableError so the book is never moved."""
    if is_damage(exc):
        return [str(exc)]
    raise BookUnavailableError(path, exc) from exc


def replay_hot_journal(path: Path) -> None:
    """A rollback journal left by a killed writer holds the pages it was changing; a
    read-write open rolls them back, so the book is judged as it was, whole, and the
    journal does not linger for the next file of this name."""
    journal = Path(str(path) + "-journal")
    try:
        if not path.exists() or not journal.exists() or journal.stat().st_size == 0:
            return
    except OSError:
        return
    try:
        conn = sqlite3.connect(path, isolation_level=None, timeout=BUSY_TIMEOUT_MS / 1000)
        try:
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        finally:
            conn.close()
    except sqlite3.Error as exc:
        if not is_damage(exc):
            raise BookUnavailableError(path, exc) from exc


class BookDamagedError(BookError):
    """The book failed its health check; nothing may be written to it."""

    def __init__(self, path: Path, problems: list[str]) -> None:
        self.path = Path(path)
        self.problems = list(problems) or ["unknown damage"]
        super().__init__(
            f"The book {self.path} is damaged ({self.problems[0]}); Rapport will not change it."
        )


# How open_book checks a book's health: "now" before returning (the command line),
# "background" on a worker thread, writes waiting for the verdict (the app).
Check = Literal["now", "background"]
CHECK_NOW: Check = "now"
CHECK_BACKGROUND: Check = "background"


@dataclass
class Book:
    """An open book: its file, its engine and where its companions live.

    SQLAlchemy is loaded only when something first asks for the engine (a session, a
    service's query). The reads the first window needs (who is due, how many clients)
    go through ``read()``, a plain sqlite3 connection, so the app can paint its window
    a third of a second sooner and load the ORM after (bench/run.py, docs/PERFORMANCE.md).
    """

    path: Path
    schema_version: str
    upgraded_from: str | None = None
    pre_upgrade_copy: Path | None = None
    # Made by open_book when it had to migrate; otherwise on first use.
    _engine: Engine | None = field(default=None, repr=False)
    _sessions: sessionmaker[Session] | None = field(default=None, init=False, repr=False)
    # None until the health check has run; then what it found (empty: healthy).
    problems: list[str] | None = field(default=None, init=False)
    # Commits through this Book: the app backs up only when something changed.
    commits: int = field(default=0, init=False)
    _checked: threading.Event = field(default_factory=threading.Event, init=False, repr=False)
    _guard: sqlite3.Connection | None = field(default=None, init=False, repr=False)
    _checker: threading.Thread | None = field(default=None, init=False, repr=False)
    _closed: bool = field(default=False, init=False, repr=False)
    _made: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)
    _plain: sqlite3.Connection | None = field(default=None, init=False, repr=False)
    _plain_lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)

    def __post_init__(self) -> None:
        if self._engine is not None:
            self._hook(self._engine)

    @property
    def engine(self) -> Engine:
        """The book's SQLAlchemy engine, made (and SQLAlchemy imported) on first use."""
        engine = self._engine
        if engine is None:
            with self._made:
                if self._engine is None:
                    if self._closed:
                        raise BookError("This book has been closed.")
                    self._hook(make_engine(self.path))
                engine = self._engine
        assert engine is not None
        return engine

    @property
    def engine_made(self) -> bool:
        return self._engine is not None

    def _hook(self, engine: Engine) -> None:
        from sqlalchemy import event
        from sqlalchemy.orm import sessionmaker

        self._sessions = sessionmaker(engine, expire_on_commit=False)
        event.listen(engine, "do_connect", self._refuse_when_closed)
        event.listen(engine, "commit", self._count_commit)
        self._engine = engine

    @contextmanager
    def read(self) -> Iterator[sqlite3.Connection]:
        """A plain sqlite3 connection for a consistent read (one transaction).

        For the hot reads that must not wait for SQLAlchemy to load: the Today plan,
        the tray, counts. The connection is the book's own, opened on first use with
        the same pragmas as the engine's, shared by threads one at a time; nothing is
        ever written through it.
        """
        with self._plain_lock:
            conn = self._plain
            if conn is None:
                if self._closed:
                    raise BookError("This book has been closed.")
                conn = sqlite3.connect(
                    str(self.path),
                    isolation_level=None,
                    timeout=BUSY_TIMEOUT_MS / 1000,
                    check_same_thread=False,
                )
                _set_pragmas(conn, None)
                self._plain = conn
            conn.execute("BEGIN")
            try:
                yield conn
            finally:
                conn.execute("ROLLBACK")

    def _refuse_when_closed(self, *_args: Any) -> None:
        # A closed book may have been set aside or replaced by a restore: a late
        # reader must not create a fresh empty file under its old name.
        if self._closed:
            raise BookError("This book has been closed.")

    def _count_commit(self, _conn: Any) -> None:
        self.commits += 1

    # -- the health check ---------------------------------------------------------

    def _passed(self) -> None:
        self.problems = []
        self._checked.set()

    def _check_in_background(self, guard: sqlite3.Connection) -> None:
        """Run the check on ``guard`` (a read-only connection) on a worker thread."""
        self._guard = guard
        self._checker = threading.Thread(
            target=self._run_check, name=f"check {self.path.name}", daemon=True
        )
        self._checker.start()

    def _run_check(self) -> None:
        guard = self._guard
        assert guard is not None
        problems: list[str] = []
        try:
            problems = open_check(guard)
        except sqlite3.OperationalError as exc:
            if self._closed:  # interrupted by close(): no verdict, nothing to report
                problems = []
            elif not is_damage(exc):  # locked, full, read-only: no verdict on the file
                log.warning("Could not check %s: %s", self.path, exc)
            else:
                problems = [str(exc)]
        except sqlite3.DatabaseError as exc:
            if is_damage(exc):
                problems = [str(exc)]
            else:
                log.warning("Could not check %s: %s", self.path, exc)
        except Exception as exc:  # a bug here must not leave writers waiting forever
            log.exception("Checking %s failed", self.path)
            problems = [f"the check could not run: {exc}"]
        finally:
            self.problems = problems
            if not problems and not self._closed:
                # Healthy: let go of the guard, so closing the book checkpoints as usual.
                self._guard = None
                guard.close()
            self._checked.set()

    @property
    def checked(self) -> bool:
        return self._checked.is_set()

    @property
    def damaged(self) -> bool:
        return bool(self.problems)

    def wait_checked(self, timeout: float | None = None) -> bool:
        return self._checked.wait(timeout)

    def _writable(self) -> None:
        if self._closed:
            raise BookError("This book has been closed.")
        self._checked.wait()
        if self.problems:
            raise BookDamagedError(self.path, self.problems)

    @contextmanager
    def session(self) -> Iterator[Session]:
        """One unit of work: committed as a whole, or rolled back as a whole.

        Waits for the health check, and refuses a book that failed it.
        """
        self._writable()
        self.engine  # noqa: B018 - makes the engine (and the session factory) on first use
        assert self._sessions is not None
        with self._sessions() as s, s.begin():
            yield s

    @contextmanager
    def reader(self) -> Iterator[Session]:
        """A read-only unit of work; nothing it does is committed."""
        self.engine  # noqa: B018 - makes the engine (and the session factory) on first use
        assert self._sessions is not None
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
        """Close the engine. A book that did not pass its check is closed while the
        read-only guard still holds it open, because the last connection to close
        checkpoints the WAL into the main file, and a damaged book is never written."""
        self._closed = True
        guard, checker = self._guard, self._checker
        if checker is not None and checker.is_alive() and guard is not None:
            # The checker may have just finished and closed it: then there is nothing to stop.
            with contextlib.suppress(sqlite3.ProgrammingError):
                guard.interrupt()
            checker.join()
        with self._plain_lock:
            if self._plain is not None:
                self._plain.close()
                self._plain = None
        with self._made:
            if self._engine is not None:
                self._engine.dispose()
        if guard is not None:
            self._guard = None
            guard.close()
        self._checked.set()


def _set_pragmas(dbapi_conn: sqlite3.Connection, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=FULL")
    cur.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cur.close()


def make_engine(path: Path) -> Engine:
    """An engine with one connection: one writer per book (see DESIGN.md)."""
    from sqlalchemy import create_engine, event

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
    anything that is not an SQLite file made by Rapport, and BookUnavailableError for
    a book that cannot be read now (a full or read-only disk, no permission).
    """
    if not path.exists() or path.stat().st_size == 0:
        return None
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    except sqlite3.Error as exc:
        if is_damage(exc):
            raise NotABookError(f"{path} could not be read: {exc}.") from exc
        raise BookUnavailableError(path, exc) from exc
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
        if not is_damage(exc):
            raise BookUnavailableError(path, exc) from exc
        raise NotABookError(
            f"{path} is not a Rapport book (or it is damaged): {exc}. It was left as it was."
        ) from exc
    finally:
        conn.close()


def _upgrade(engine: Engine, target: str = "head") -> None:
    from alembic import command
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(schema.MIGRATIONS_DIR))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, target)


def _in_wal_mode(path: Path) -> bool:
    """Header bytes 18 and 19 are 2 in a WAL-mode database."""
    with open(path, "rb") as fh:
        header = fh.read(20)
    return len(header) == 20 and header[18] == 2 and header[19] == 2


def _read_only(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(
        f"{path.resolve().as_uri()}?mode=ro",
        uri=True,
        isolation_level=None,
        timeout=BUSY_TIMEOUT_MS / 1000,
        check_same_thread=False,
    )


def open_book(path: Path, *, upgrade: bool = True, check: Check = CHECK_NOW) -> Book:
    """Open (creating if needed) the book at ``path`` and bring it to SCHEMA_HEAD.

    An existing book is health-checked read-only first (see the module docstring for
    ``check``); a damaged one raises BookDamagedError untouched, and the caller, who
    holds the lock, sets it aside. A book that needs an upgrade is first backed up
    (verified) into its backups folder.
    """
    path = Path(path).expanduser().absolute()
    clear_orphans(path)
    replay_hot_journal(path)
    try:
        revision = inspect_revision(path)
    except NotABookError as exc:
        # Unreadable, but we have backups of a book by this name: it was ours.
        from models.backups.take import has_backups

        if has_backups(path):
            raise BookDamagedError(path, [str(exc.__cause__ or exc)]) from exc
        raise
    if (
        revision is not None
        and revision != schema.SCHEMA_HEAD
        and revision not in schema.known_revisions()
    ):
        raise BookTooNewError(
            f"This book was written by a newer Rapport (schema {revision}). "
            "Please update Rapport to open it. The book was not changed."
        )
    background = check == CHECK_BACKGROUND and revision == schema.SCHEMA_HEAD and _in_wal_mode(path)
    guard: sqlite3.Connection | None = None
    if revision is not None:
        guard = _read_only(path)
        if not background:
            try:
                problems = open_check(guard)
            except sqlite3.DatabaseError as exc:
                problems = _unavailable_or_damaged(path, exc)
            finally:
                guard.close()
                guard = None
            if problems:
                raise BookDamagedError(path, problems)
    path.parent.mkdir(parents=True, exist_ok=True)
    touch_private(path)
    copy: Path | None = None
    if revision is not None and revision != schema.SCHEMA_HEAD:
        if not upgrade:
            raise BookError(f"This book needs an upgrade from schema {revision}.")
        from models.backups import KIND_BEFORE_UPGRADE, take_backup

        copy = take_backup(path, kind=KIND_BEFORE_UPGRADE).path
    engine: Engine | None = None
    if revision != schema.SCHEMA_HEAD:
        engine = make_engine(path)
        try:
            _upgrade(engine)
        except Exception:
            engine.dispose()
            if guard is not None:
                guard.close()
            raise
    book = Book(
        path=path,
        _engine=engine,
        schema_version=schema.SCHEMA_HEAD,
        upgraded_from=revision if revision != schema.SCHEMA_HEAD else None,
        pre_upgrade_copy=copy,
    )
    if guard is not None:
        book._check_in_background(guard)
    else:
        book._passed()
    return book


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
    evidence: int = 0  # evidence files the book refers to
    missing_evidence: list[str] = field(default_factory=list)  # their names, missing or changed

    @property
    def current(self) -> bool:
        return self.revision == schema.SCHEMA_HEAD

    @property
    def healthy(self) -> bool:
        return not self.problems


def check_book(path: Path) -> CheckReport:
    """Check a book without writing to it (no migration, no WAL switch).

    Raises BookError for a missing file, a non-book or a book from a newer Rapport.
    """
    if not path.exists():
        raise BookError(f"There is no book at {path}.")
    replay_hot_journal(path)
    revision = inspect_revision(path)
    if (
        revision is not None
        and revision != schema.SCHEMA_HEAD
        and revision not in schema.known_revisions()
    ):
        raise BookTooNewError(
            f"This book was written by a newer Rapport (schema {revision}); "
            "this version cannot check it."
        )
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    except sqlite3.Error as exc:
        raise BookUnavailableError(path, exc) from exc
    try:
        problems = sqlite_problems(conn)
        clients = 0
        files: list[tuple[str, str]] = []
        if revision is not None:
            clients = conn.execute("SELECT count(*) FROM client").fetchone()[0]
            files = evidence_files(conn)
    except sqlite3.DatabaseError as exc:
        problems = _unavailable_or_damaged(path, exc)
        clients = 0
        files = []
    finally:
        conn.close()
    missing = missing_evidence(path, files)
    return CheckReport(
        revision=revision,
        problems=problems,
        clients=clients,
        evidence=len({sha for sha, _ in files}),
        missing_evidence=missing,
    )
