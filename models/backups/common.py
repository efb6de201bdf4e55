"""What every part of the backups package shares: names, kinds, errors, where
copies and evidence live, and the read-only checks of a SQLite file."""

from __future__ import annotations

import os
import re
import sqlite3
import threading
from collections.abc import Sequence
from pathlib import Path

from models.backups.policy import SETTING_KEYS
from models.errors import RapportError
from models.files import STALE_TEMP_SECONDS
from models.paths import companion_dir

BACKUPS = "backups"
ATTACHMENTS = "attachments"
MANIFEST_SUFFIX = ".json"
MANIFEST_FORMAT = 1

KIND_AUTO = "auto"
KIND_MANUAL = "manual"
KIND_BEFORE_UPGRADE = "before-upgrade"
KIND_BEFORE_RESTORE = "before-restore"
KIND_BEFORE_IMPORT = "before-import"
KIND_OLDER = "older"  # a copy without a manifest (made before backups were verified)
# Only routine copies are thinned; the copy taken before an upgrade or a restore is
# the way back from that step, so it stays until the user removes it.
THINNED_KINDS = frozenset({KIND_AUTO, KIND_MANUAL, KIND_BEFORE_IMPORT})
KINDS = frozenset(
    {KIND_AUTO, KIND_MANUAL, KIND_BEFORE_UPGRADE, KIND_BEFORE_RESTORE, KIND_BEFORE_IMPORT}
)
# A copy the user asked for, or took before a risky step, is the way back from that
# step: the daily rule never thins it while it is pinned (issue 18: a manual backup
# taken before an import was deleted by the next backup the same day).
PINNED_KINDS = frozenset(
    {KIND_MANUAL, KIND_BEFORE_UPGRADE, KIND_BEFORE_RESTORE, KIND_BEFORE_IMPORT}
)
PIN_DAYS = 30

# One copy at a time in this process: a restore must not fold the WAL away under a
# backup the app's worker thread is still reading, and two backups gain nothing.
_COPYING = threading.RLock()

# A temp file this old is left over from a crash, not a backup still being written
# (a younger one is, when its writer's pid is gone: models.files.is_leftover).
STALE_PART_SECONDS = STALE_TEMP_SECONDS
_CHUNK = 1024 * 1024
_STAMP = "%Y%m%dT%H%M%S%fZ"
_NAME = re.compile(r"^(?P<stem>.+)-(?P<stamp>\d{8}T\d{12}Z)-(?P<kind>[a-z-]+)\.db$")
_OLDER_NAME = re.compile(r"^(?P<stem>.+)-before-(?P<rev>[^-]+)-(?P<stamp>\d{8}T\d{6}Z)\.db$")

NETWORK_FILESYSTEMS = frozenset(
    {
        "nfs",
        "nfs4",
        "cifs",
        "smb3",
        "smbfs",
        "9p",
        "afs",
        "ceph",
        "glusterfs",
        "lustre",
        "davfs",
        "sshfs",
        "ncpfs",
    }
)


class BackupError(RapportError):
    """A backup could not be taken; earlier backups are untouched."""


class RestoreError(BackupError):
    """A restore was refused or failed; the book was not replaced."""


# --- keeping ---------------------------------------------------------------------


def backups_dir(book_path: Path) -> Path:
    return companion_dir(Path(book_path), BACKUPS)


def attachments_dir(book_path: Path) -> Path:
    return companion_dir(Path(book_path), ATTACHMENTS)


def manifest_path(backup: Path) -> Path:
    return backup.with_name(backup.name + MANIFEST_SUFFIX)


def stored_file_path(book_path: Path, sha256: str) -> Path:
    """Where an evidence file lives (the same layout as services.incident_evidence.stored_path)."""
    return Path(book_path).parent / ATTACHMENTS / sha256[:2] / sha256


def _ro(path: Path) -> sqlite3.Connection:
    """A read-only connection: nothing done through it can change the file."""
    return sqlite3.connect(
        f"{Path(path).resolve().as_uri()}?mode=ro", uri=True, isolation_level=None, timeout=5
    )


def _tables(conn: sqlite3.Connection) -> list[str]:
    return [
        r[0]
        for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%' "
            "ORDER BY name"
        )
    ]


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def row_counts(conn: sqlite3.Connection) -> dict[str, int]:
    """Rows per table: the cheap fingerprint that says a copy holds what its source held."""
    return {
        t: conn.execute(f"SELECT count(*) FROM {_quote(t)}").fetchone()[0] for t in _tables(conn)
    }


def _revision(conn: sqlite3.Connection, tables: Sequence[str]) -> str | None:
    if "alembic_version" not in tables:
        return None
    row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
    return str(row[0]) if row else None


def _hashes(conn: sqlite3.Connection, tables: Sequence[str]) -> list[str]:
    if "stored_file" not in tables:
        return []
    return sorted(r[0] for r in conn.execute("SELECT sha256 FROM stored_file"))


def evidence_files(conn: sqlite3.Connection) -> list[tuple[str, str]]:
    """(sha256, the name it was attached under) for every stored evidence file: the
    name is what the user recognises when `check` or a restore says one is missing."""
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    if "stored_file" not in tables:
        return []
    if "evidence" not in tables:
        return [(r[0], r[0][:12]) for r in conn.execute("SELECT sha256 FROM stored_file")]
    return [
        (str(sha), str(name or sha[:12]))
        for sha, name in conn.execute(
            "SELECT f.sha256, min(e.original_name) FROM stored_file f "
            "LEFT JOIN evidence e ON e.file_id = f.id GROUP BY f.id ORDER BY f.sha256"
        )
    ]


def missing_evidence(book_path: Path, files: Sequence[tuple[str, str]]) -> list[str]:
    """The names of evidence files that are not in the attachments folder, or whose
    bytes no longer match their hash: `check` must not say "ok" over lost evidence,
    and a restore names what it could not bring back."""
    missing: list[str] = []
    for sha, name in files:
        try:
            ok = file_sha256(stored_file_path(book_path, sha)) == sha
        except OSError:
            ok = False
        if not ok:
            missing.append(name)
    return missing


def _keep_settings(conn: sqlite3.Connection, tables: Sequence[str]) -> dict[str, str]:
    if "setting" not in tables:
        return {}
    rows = conn.execute(
        "SELECT key, value FROM setting WHERE key IN (?, ?, ?)", tuple(SETTING_KEYS.values())
    )
    return {str(k): str(v) for k, v in rows}


def full_check(conn: sqlite3.Connection) -> list[str]:
    """integrity_check and foreign_key_check: what a copy must pass before it counts."""
    problems: list[str] = []
    rows = [r[0] for r in conn.execute("PRAGMA integrity_check").fetchall()]
    if rows != ["ok"]:
        problems.extend(str(r) for r in rows)
    for table, rowid, parent, _fk in conn.execute("PRAGMA foreign_key_check").fetchall():
        problems.append(f"{table} row {rowid} points to a missing {parent}")
    return problems


def file_sha256(path: Path) -> str:
    import hashlib  # here: OpenSSL loads with it, and start-up hashes nothing

    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _fsync_file(path: Path) -> None:
    with open(path, "rb+") as fh:
        os.fsync(fh.fileno())


# --- "has the book changed since its last backup?" ----------------------------------


def fingerprint(book_path: Path) -> dict[str, int | None]:
    """Size and modification time of the book and its WAL.

    A commit always changes the WAL (or, after a checkpoint, the main file), so a
    different fingerprint means "maybe changed" and an equal one "unchanged". An empty
    or missing WAL count as the same: opening a book creates an empty one.
    """
    path = Path(book_path)
    main = path.stat()
    wal = Path(str(path) + "-wal")
    try:
        w = wal.stat()
        wal_size, wal_mtime = (w.st_size, w.st_mtime_ns) if w.st_size else (None, None)
    except FileNotFoundError:
        wal_size, wal_mtime = None, None
    return {
        "size": main.st_size,
        "mtime_ns": main.st_mtime_ns,
        "wal_size": wal_size,
        "wal_mtime_ns": wal_mtime,
    }


def _companions(path: Path) -> list[Path]:
    return [Path(str(path) + suffix) for suffix in ("-wal", "-shm", "-journal")]
