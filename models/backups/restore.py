"""Restoring a backup: checked first, the current book backed up (or set aside),
then swapped in through SQLite so no half-copied file can become the book."""

from __future__ import annotations

import os
import shutil
import sqlite3
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path

from models.backups.common import (
    _COPYING,
    BACKUPS,
    KIND_BEFORE_RESTORE,
    BackupError,
    RestoreError,
    _companions,
    _fsync_file,
    _revision,
    _ro,
    _tables,
    evidence_files,
    file_sha256,
    full_check,
    missing_evidence,
    row_counts,
)
from models.backups.damage import cannot_write_reason, is_damage, open_check, set_aside
from models.backups.leftovers import held_link, restoring_path
from models.backups.take import (
    BackupInfo,
    _older_info,
    _read_manifest,
    _verify_copy,
    list_backups,
    take_backup,
)
from models.files import _fsync_dir
from models.paths import touch_private


@dataclass(frozen=True)
class RestoreResult:
    backup: BackupInfo
    before_restore: BackupInfo | None  # the book as it was, backed up first
    set_aside: list[Path]  # or, when it was damaged, where it was moved unchanged
    counts: dict[str, int]
    # Evidence files the backup refers to that are not in the attachments folder (or
    # no longer match their hash), by the name they were attached under: the data was
    # restored all the same, and the user is told which files to find.
    missing_evidence: list[str] = field(default_factory=list)


def resolve_backup(book_path: Path, name: str | Path) -> Path:
    """A backup given as a path, or as a file name in the book's backups folder."""
    given = Path(name).expanduser()
    if given.is_file():
        return given.absolute()
    inside = Path(book_path).parent / BACKUPS / given.name
    if inside.is_file():
        return inside.absolute()
    raise RestoreError(f"There is no backup called “{name}”. `rapport backups` lists them.")


def describe_backup(book_path: Path, backup: Path) -> BackupInfo:
    backup = Path(backup).absolute()
    for info in list_backups(book_path):
        if info.path.absolute() == backup:
            return info
    info = _read_manifest(backup, Path(book_path).name)
    if info is not None:
        return info
    return _older_info(backup, datetime.fromtimestamp(backup.stat().st_mtime, UTC))


def verify_backup(book_path: Path, info: BackupInfo) -> dict[str, int]:
    """Check a backup before it may become the book; returns its row counts.

    Its file hash and row counts must match its manifest (when it has one), it must
    pass integrity_check and foreign_key_check, and come from a schema this Rapport
    knows. Evidence files are not part of the verdict: a backup whose files are gone
    still holds every client, and refusing it would lose them all (issue 18); the
    restore names the missing files instead (``RestoreResult.missing_evidence``).
    """
    return _verify(book_path, info)[0]


def _verify(book_path: Path, info: BackupInfo) -> tuple[dict[str, int], list[tuple[str, str]]]:
    """The row counts of a backup that passed its checks, and its evidence files."""
    from models import schema

    if info.sha256 is not None and file_sha256(info.path) != info.sha256:
        raise RestoreError(
            f"The backup {info.name} has changed since it was taken; it was not restored."
        )
    try:
        conn = _ro(info.path)
    except sqlite3.Error as exc:
        raise RestoreError(f"The backup {info.name} could not be read ({exc}).") from exc
    try:
        problems = full_check(conn)
        if problems:
            raise RestoreError(
                f"The backup {info.name} is damaged ({problems[0]}); it was not restored."
            )
        tables = _tables(conn)
        revision = _revision(conn, tables)
        counts = row_counts(conn)
        files = evidence_files(conn)
    except sqlite3.DatabaseError as exc:
        raise RestoreError(
            f"The backup {info.name} is damaged ({exc}); it was not restored."
        ) from exc
    finally:
        conn.close()
    if revision is None:
        raise RestoreError(f"{info.name} is not a backup of a Rapport book.")
    if revision != schema.SCHEMA_HEAD and revision not in schema.known_revisions():
        raise RestoreError(
            f"The backup {info.name} was made by a newer Rapport; please update Rapport first."
        )
    if info.verified and counts != info.counts:
        raise RestoreError(
            f"The backup {info.name} does not hold what its record says; it was not restored."
        )
    return counts, files


def restore_backup(book_path: Path, backup: Path, *, now: datetime | None = None) -> RestoreResult:
    """Replace the book with a verified copy of ``backup``.

    The caller holds the book's lock and has closed the book. Order: check the
    backup; back the current book up (or, if it fails its
    own check, set it aside unchanged); copy the backup to a temp file beside the
    book and check that copy; fold the current book's WAL in; rename the copy over
    the book. A crash at any point leaves either the old book or the new one whole.
    Evidence files the backup needs but the attachments folder lacks do not stop it;
    they are named in the result.
    """
    with _COPYING:
        return _restore_backup(Path(book_path).absolute(), Path(backup), now)


def _restore_backup(path: Path, backup: Path, now: datetime | None) -> RestoreResult:
    # A second hard link keeps the backup's bytes while we read them, even if a backup
    # taken beside this restore (another process) thins the original name away.
    source = Path(backup).absolute()
    held = held_link(source)
    try:
        held.unlink(missing_ok=True)
        os.link(source, held)
    except OSError:
        held = source
    try:
        info = describe_backup(path, source)
        if held != source:
            info = replace(info, path=held)
        result = _restore_held(path, info, now)
        return replace(result, backup=replace(result.backup, path=source))
    finally:
        if held != source:
            held.unlink(missing_ok=True)


def _restore_held(path: Path, info: BackupInfo, now: datetime | None) -> RestoreResult:
    counts, files = _verify(path, info)
    _check_free_space(path, info.path)
    before: BackupInfo | None = None
    moved: list[Path] = []
    damaged = False
    if path.exists() and path.stat().st_size > 0:
        damaged = bool(_current_problems(path))
        if not damaged:
            try:
                before = take_backup(path, kind=KIND_BEFORE_RESTORE, now=now, thin=False)
            except BackupError as exc:
                raise RestoreError(
                    f"Your book could not be backed up before the restore, so nothing was "
                    f"changed. {exc}"
                ) from exc
    tmp = restoring_path(path)
    try:
        # The replacement is made and checked in full before the book is touched; the
        # swap is one os.replace, so a failure anywhere leaves the current book in place.
        for p in [tmp, *_companions(tmp)]:
            p.unlink(missing_ok=True)
        touch_private(tmp)
        _copy_for_restore(info.path, tmp)
        got = _verify_copy(tmp, counts)
        if got:
            raise RestoreError(
                f"The restored copy did not pass its check ({got[0]}); your book was not replaced."
            )
        _fsync_file(tmp)
        if damaged:
            moved = set_aside(path, now=now)
        elif path.exists():
            _fold_wal(path)
        os.replace(tmp, path)
        _fsync_dir(path.parent)
    except (OSError, sqlite3.Error) as exc:
        reason = getattr(exc, "strerror", None) or exc
        if isinstance(exc, sqlite3.Error) or getattr(exc, "errno", None) is not None:
            reason = cannot_write_reason(path, exc)
        raise RestoreError(
            f"The backup could not be put in place ({reason}); your book was not replaced."
        ) from exc
    finally:
        for p in [tmp, *_companions(tmp)]:
            p.unlink(missing_ok=True)
    return RestoreResult(info, before, moved, counts, missing_evidence(path, files))


def _current_problems(path: Path) -> list[str]:
    """The current book's damage; a book that merely cannot be read now (a full or
    read-only disk) is not damaged, and the restore stops before touching it."""
    try:
        conn = _ro(path)
    except sqlite3.Error as exc:
        return _damage_or_stop(path, exc)
    try:
        return open_check(conn)
    except sqlite3.DatabaseError as exc:
        return _damage_or_stop(path, exc)
    finally:
        conn.close()


def _damage_or_stop(path: Path, exc: sqlite3.Error) -> list[str]:
    if is_damage(exc):
        return [str(exc)]
    raise RestoreError(f"{cannot_write_reason(path, exc)}: {path}; nothing was changed.") from exc


def _check_free_space(path: Path, backup: Path) -> None:
    """The restored copy (and the safety backup of the current book) must fit beside
    the book; saying so first beats failing half way."""
    try:
        need = backup.stat().st_size + (path.stat().st_size if path.exists() else 0)
        free = shutil.disk_usage(path.parent).free
    except OSError:
        return
    if free < need + 1024 * 1024:
        raise RestoreError(
            f"The disk is full: the restore needs about {need // (1024 * 1024) + 1} MB free "
            f"beside {path}; free some space and try again; nothing was changed."
        )


def _copy_for_restore(backup: Path, tmp: Path) -> None:
    """The backup, copied through SQLite into WAL mode like every open book, so the
    first open after a restore can check it off the GUI thread like any other day."""
    src = _ro(backup)
    try:
        dst = sqlite3.connect(tmp, isolation_level=None)
        try:
            src.backup(dst)
            dst.execute("PRAGMA journal_mode=WAL")
        finally:
            dst.close()  # the last connection: the WAL is folded in and removed
    finally:
        src.close()


def _fold_wal(path: Path) -> None:
    """Checkpoint the (healthy, already backed up) book and leave it one plain file, so
    no -wal of the old book can be replayed onto the restored one."""
    conn = sqlite3.connect(path, isolation_level=None, timeout=5)
    try:
        busy = conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        if busy and busy[0]:
            raise RestoreError(
                "The book is still in use by another program; close it and try again."
            )
        conn.execute("PRAGMA journal_mode=DELETE")
    finally:
        conn.close()
    for companion in _companions(path):
        companion.unlink(missing_ok=True)
