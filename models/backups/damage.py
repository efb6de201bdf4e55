"""A damaged book: the open check, setting it aside unchanged, and the words that
tell the user what happened and which backup to restore."""

from __future__ import annotations

import errno
import os
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from models.backups.common import _companions
from models.files import _fsync_dir

if TYPE_CHECKING:
    from models.backups.take import BackupInfo

# --- checking a book and setting a damaged one aside ---------------------------------

# Only these SQLite answers say the file itself is bad. Everything else (a full or
# read-only disk, no permission, a lock, an I/O error) says the book cannot be
# reached right now, and a healthy book must never be set aside for that.
_DAMAGE_CODES = frozenset({11, 26})  # SQLITE_CORRUPT, SQLITE_NOTADB


def is_damage(exc: BaseException) -> bool:
    """True when SQLite's error means the file is not a sound database."""
    code = getattr(exc, "sqlite_errorcode", None)
    if code is None:
        text = str(exc).lower()
        return "malformed" in text or "not a database" in text
    return (code & 0xFF) in _DAMAGE_CODES


def cannot_write_reason(path: Path, exc: BaseException | None = None) -> str:
    """Why a book could not be opened or changed, in the user's words, from the
    error and what the file system says about the book's folder."""
    path = Path(path)
    folder = path.parent
    code = (getattr(exc, "sqlite_errorcode", None) or 0) & 0xFF
    err = getattr(exc, "errno", None)
    try:
        stat = os.statvfs(folder)
        read_only = bool(stat.f_flag & os.ST_RDONLY)
        full = stat.f_bavail * stat.f_frsize < 64 * 1024
    except OSError:
        read_only = full = False
    if code == 13 or err == errno.ENOSPC or (full and not read_only):  # SQLITE_FULL
        return "The disk is full: free some space and try again"
    if read_only or err == errno.EROFS:
        return f"The disk holding {folder} is read-only"
    if code in (5, 6) or "locked" in str(exc).lower():  # SQLITE_BUSY, SQLITE_LOCKED
        return "The book is busy in another program; close it there and try again"
    if code in (3, 8, 23) or err in (errno.EACCES, errno.EPERM):
        return f"Rapport may not write to {path} or its folder (permission denied)"
    if not os.access(folder, os.W_OK) or (path.exists() and not os.access(path, os.W_OK)):
        return f"Rapport may not write to {path} or its folder (permission denied)"
    return f"The book could not be opened ({exc})"




def open_check(conn: sqlite3.Connection) -> list[str]:
    """quick_check and foreign_key_check: what a book must pass before it is written."""
    problems: list[str] = []
    rows = [r[0] for r in conn.execute("PRAGMA quick_check").fetchall()]
    if rows != ["ok"]:
        # "*** in database main ***\nPage 6: ..." reads better as one line.
        problems.extend(
            " ".join(str(r).replace("*** in database main ***", "").split()) for r in rows
        )
    for table, rowid, parent, _fk in conn.execute("PRAGMA foreign_key_check").fetchall():
        problems.append(f"{table} row {rowid} points to a missing {parent}")
    return problems


def _set_aside_name(path: Path, now: datetime) -> Path:
    stamp = now.astimezone().strftime("%Y%m%d-%H%M%S")
    target = path.with_name(f"{path.stem}-damaged-{stamp}{path.suffix}")
    n = 2
    while target.exists() or any(p.exists() for p in _companions(target)):
        target = path.with_name(f"{path.stem}-damaged-{stamp}-{n}{path.suffix}")
        n += 1
    return target


def set_aside(book_path: Path, *, now: datetime | None = None) -> list[Path]:
    """Rename a damaged book and its -journal/-wal/-shm out of the way, byte for byte unchanged.

    The main file goes first: if a crash stops us half way, the leftover -wal is
    found by ``clear_orphans`` before a new book could be created on top of it.
    The caller must hold the book's lock and have closed every connection that
    could checkpoint into it.
    """
    path = Path(book_path)
    target = _set_aside_name(path, now or datetime.now(UTC))
    moved: list[Path] = []
    if path.exists():
        os.replace(path, target)
        moved.append(target)
    for src, dst in zip(_companions(path), _companions(target), strict=True):
        if src.exists():
            os.replace(src, dst)
            moved.append(dst)
    _fsync_dir(path.parent)
    return moved


def clear_orphans(book_path: Path, *, now: datetime | None = None) -> list[Path]:
    """A -wal or -shm with no book beside it is left over from an interrupted set-aside:
    move it next to the damaged book it came from, so a new book never replays it."""
    path = Path(book_path)
    if path.exists():
        return []
    orphans = [p for p in _companions(path) if p.exists()]
    if not orphans:
        return []
    damaged = sorted(path.parent.glob(f"{path.stem}-damaged-*{path.suffix}"), reverse=True)
    home = next(
        (d for d in damaged if not any(c.exists() for c in _companions(d))),
        _set_aside_name(path, now or datetime.now(UTC)),
    )
    moved: list[Path] = []
    for src, dst in zip(_companions(path), _companions(home), strict=True):
        if src.exists():
            os.replace(src, dst)
            moved.append(dst)
    _fsync_dir(path.parent)
    return moved


@dataclass(frozen=True)
class DamageReport:
    """What happened to a damaged book, for the GUI's dialog and the CLI's one line."""

    book: Path
    problems: list[str]
    set_aside: list[Path]
    backup: BackupInfo | None

    @property
    def kept_as(self) -> Path | None:
        return self.set_aside[0] if self.set_aside else None

    @property
    def reason(self) -> str:
        first = self.problems[0] if self.problems else "unknown damage"
        more = len(self.problems) - 1
        return first + (f" (and {more} more)" if more > 0 else "")

    def message(self) -> str:
        """One line for the command line."""
        where = (
            f" It was set aside unchanged as {self.kept_as.name}."
            if self.kept_as
            else " It was left where it is, unchanged, because Rapport has it open."
        )
        if self.backup is None:
            offer = " There is no verified backup to restore."
        else:
            offer = (
                f" The newest good backup is from {describe_time(self.backup.taken_at)}"
                f"{clients_phrase(self.backup.clients)}; to restore it, run: "
                f"rapport --db {self.book} restore {self.backup.name}"
            )
        return f"The book {self.book} is damaged ({self.reason}).{where}{offer}"


def describe_time(moment: datetime) -> str:
    local = moment.astimezone()
    return f"{local:%a} {local.day} {local:%b %Y}, {local:%H:%M}"


def clients_phrase(clients: int | None) -> str:
    if clients is None:
        return ""
    return f" ({clients} client{'s' if clients != 1 else ''})"


def report_damage(
    book_path: Path, problems: list[str], *, may_move: bool, now: datetime | None = None
) -> DamageReport:
    """Set the damaged book aside (when we hold its lock) and find the backup to offer."""
    moved = set_aside(book_path, now=now) if may_move else []
    # Taking and listing backups load only here, never on a plain open.
    from models.backups.take import newest_verified_backup

    return DamageReport(Path(book_path), list(problems), moved, newest_verified_backup(book_path))


# --- restoring --------------------------------------------------------------------


def size_text(n: int) -> str:
    """A file size as people read it: 812 KB, 118.0 MB."""
    if n < 1024 * 1024:
        return f"{max(1, round(n / 1024))} KB"
    if n < 1024**3:
        return f"{n / 1024 / 1024:.1f} MB"
    return f"{n / 1024**3:.2f} GB"
