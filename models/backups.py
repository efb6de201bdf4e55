"""Backups of a book: taken through SQLite, verified, thinned, restored.

A backup is a second SQLite file in the book's ``backups/`` folder plus a small
JSON manifest beside it, written only once the copy has passed its checks, and
before the copy takes its name. The manifest is what makes a backup "verified": a
copy without one (made by an older Rapport before an upgrade) is listed, checked
before it may be restored, but never offered as the newest good backup.

Evidence files are not copied: they live content-addressed in ``attachments/``
and are never deleted, so a backup only records which hashes it needs. Nothing in
Rapport prunes the attachments folder; if that ever changes, a file named in any
kept manifest must survive (see ``hashes_in_kept_backups``).

Everything here uses its own ``sqlite3`` connections and no Qt, so the app can run
it on a worker thread while the GUI thread keeps the book's one writer connection.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import sqlite3
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from models.errors import RapportError
from models.files import _fsync_dir, write_atomic
from models.paths import companion_dir, touch_private

log = logging.getLogger(__name__)

BACKUPS = "backups"
ATTACHMENTS = "attachments"
MANIFEST_SUFFIX = ".json"
MANIFEST_FORMAT = 1

KIND_AUTO = "auto"
KIND_MANUAL = "manual"
KIND_BEFORE_UPGRADE = "before-upgrade"
KIND_BEFORE_RESTORE = "before-restore"
KIND_OLDER = "older"  # a copy without a manifest (made before backups were verified)
# Only routine copies are thinned; the copy taken before an upgrade or a restore is
# the way back from that step, so it stays until the user removes it.
THINNED_KINDS = frozenset({KIND_AUTO, KIND_MANUAL})
KINDS = frozenset({KIND_AUTO, KIND_MANUAL, KIND_BEFORE_UPGRADE, KIND_BEFORE_RESTORE})

# One copy at a time in this process: a restore must not fold the WAL away under a
# backup the app's worker thread is still reading, and two backups gain nothing.
_COPYING = threading.RLock()

# A temp file this old is left over from a crash, not a backup still being written.
STALE_PART_SECONDS = 3600
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


@dataclass(frozen=True)
class KeepPolicy:
    """How many daily, weekly and monthly backups to keep (settings "backup.keep_*")."""

    daily: int = 7
    weekly: int = 5
    monthly: int = 12


SETTING_KEYS = {
    "daily": "backup.keep_daily",
    "weekly": "backup.keep_weekly",
    "monthly": "backup.keep_monthly",
}
KEEP_LIMITS = {"daily": (1, 366), "weekly": (0, 260), "monthly": (0, 600)}


def policy_from_settings(values: dict[str, str]) -> KeepPolicy:
    """The policy from raw Setting rows; a missing or unreadable value keeps its default,
    so a hand-edited book can never make thinning delete more than the defaults would."""
    default = KeepPolicy()
    counts: dict[str, int] = {}
    for name, key in SETTING_KEYS.items():
        low, high = KEEP_LIMITS[name]
        try:
            n = int(values.get(key, ""))
        except ValueError:
            n = getattr(default, name)
        counts[name] = min(max(n, low), high)
    return KeepPolicy(**counts)


def backups_to_keep(
    taken: Iterable[datetime], today: date, policy: KeepPolicy | None = None
) -> set[datetime]:
    """Which of the backup times ``taken`` (local wall-clock times) to keep.

    For each of the ``policy.daily`` most recent days that have a backup, keep that
    day's newest; likewise per ISO week and per calendar month. Counting days that
    *have* backups (not calendar days back from today) means a long holiday never
    thins the folder down to nothing. A backup dated after ``today`` came from a
    clock that ran ahead: it is kept and counts for nothing.
    """
    policy = policy or KeepPolicy()
    newest_first = sorted(set(taken), reverse=True)
    keep = {t for t in newest_first if t.date() > today}
    past = [t for t in newest_first if t.date() <= today]
    rules: list[tuple[int, Callable[[datetime], object]]] = [
        (policy.daily, lambda t: t.date()),
        (policy.weekly, lambda t: t.isocalendar()[:2]),
        (policy.monthly, lambda t: (t.year, t.month)),
    ]
    for count, bucket_of in rules:
        buckets: set[object] = set()
        for t in past:
            bucket = bucket_of(t)
            if bucket in buckets:
                continue
            if len(buckets) >= count:
                break
            buckets.add(bucket)
            keep.add(t)
    return keep


# --- what a backup is -------------------------------------------------------------


@dataclass(frozen=True)
class BackupInfo:
    path: Path
    taken_at: datetime  # UTC
    kind: str
    size: int
    clients: int | None
    revision: str | None
    verified: bool
    sha256: str | None = None
    counts: dict[str, int] = field(default_factory=dict, compare=False)
    attachments: frozenset[str] = field(default_factory=frozenset, compare=False)
    source: dict[str, int | None] = field(default_factory=dict, compare=False)

    @property
    def manifest(self) -> Path:
        return manifest_path(self.path)

    @property
    def name(self) -> str:
        return self.path.name


def backups_dir(book_path: Path) -> Path:
    return companion_dir(Path(book_path), BACKUPS)


def attachments_dir(book_path: Path) -> Path:
    return companion_dir(Path(book_path), ATTACHMENTS)


def manifest_path(backup: Path) -> Path:
    return backup.with_name(backup.name + MANIFEST_SUFFIX)


def stored_file_path(book_path: Path, sha256: str) -> Path:
    """Where an evidence file lives (the same layout as services.incidents.stored_path)."""
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


def needs_backup(book_path: Path) -> bool:
    """True when the book may hold something its newest verified backup does not."""
    path = Path(book_path)
    if not path.exists() or path.stat().st_size == 0:
        return False
    newest = newest_verified_backup(path)
    return newest is None or newest.source != fingerprint(path)


# --- taking a backup --------------------------------------------------------------


def _backup_name(book_path: Path, kind: str, taken_at: datetime) -> str:
    return f"{Path(book_path).stem}-{taken_at.astimezone(UTC).strftime(_STAMP)}-{kind}.db"


def _clear_stale_parts(folder: Path) -> None:
    """Temp files a crash left behind, and manifests whose copy never took its name;
    a fresh one may belong to a backup still in progress."""
    cutoff = time.time() - STALE_PART_SECONDS
    leftovers = list(folder.glob(".*.part*"))
    leftovers += [
        m for m in folder.glob(f"*.db{MANIFEST_SUFFIX}") if not m.with_suffix("").exists()
    ]
    for leftover in leftovers:
        try:
            if leftover.stat().st_mtime < cutoff:
                leftover.unlink()
        except OSError:
            pass


def take_backup(
    book_path: Path,
    *,
    kind: str = KIND_AUTO,
    now: datetime | None = None,
    thin: bool = True,
    today: date | None = None,
) -> BackupInfo:
    """Copy the book into its backups folder, verified, then thin old copies.

    The copy is made through SQLite's backup API inside one read transaction on the
    book, so rows counted and pages copied come from the same snapshot while the app
    goes on writing. It is written to a temp file, checked (integrity_check,
    foreign_key_check, row counts against the snapshot), synced, described in a
    manifest, and only then renamed into place. Any failure removes the temp file
    and raises BackupError; earlier backups are never touched by a failed one.
    """
    if kind not in KINDS:
        raise ValueError(kind)
    with _COPYING:
        return _take_backup(Path(book_path).absolute(), kind, now, thin, today)


def _take_backup(
    path: Path, kind: str, now: datetime | None, thin: bool, today: date | None
) -> BackupInfo:
    if not path.exists():
        raise BackupError(f"There is no book at {path} to back up.")
    taken_at = (now or datetime.now(UTC)).astimezone(UTC)
    try:
        folder = backups_dir(path)
    except OSError as exc:
        raise BackupError(
            f"The backups folder could not be made ({exc.strerror or exc}); no backup was taken."
        ) from exc
    _clear_stale_parts(folder)
    final = folder / _backup_name(path, kind, taken_at)
    while final.exists():  # two backups in one microsecond (or one given ``now``)
        taken_at += timedelta(microseconds=1)
        final = folder / _backup_name(path, kind, taken_at)
    manifest = manifest_path(final)
    tmp: Path | None = None
    manifest_written = False
    try:
        fd, tmp_name = tempfile.mkstemp(dir=folder, prefix=f".{final.name}.", suffix=".part")
        os.close(fd)
        tmp = Path(tmp_name)
        source_state = fingerprint(path)
        counts, revision, hashes, keep = _copy_snapshot(path, tmp)
        problems = _verify_copy(tmp, counts)
        if problems:
            raise BackupError(
                "The new backup did not pass its check, so it was discarded; earlier "
                f"backups are untouched. SQLite said: {problems[0]}"
            )
        _fsync_file(tmp)
        sha = file_sha256(tmp)
        size = tmp.stat().st_size
        body: dict[str, Any] = {
            "format": MANIFEST_FORMAT,
            "book": path.name,
            "kind": kind,
            "taken_at": taken_at.isoformat(),
            "revision": revision,
            "size": size,
            "sha256": sha,
            "counts": counts,
            "attachments": hashes,
            "source": source_state,
        }
        write_atomic(manifest, json.dumps(body, indent=1).encode("utf-8"))
        manifest_written = True
        os.replace(tmp, final)
        tmp = None
        _fsync_dir(folder)
    except BaseException as exc:
        if tmp is not None:
            for leftover in (tmp, *_companions(tmp), Path(str(tmp) + "-journal")):
                leftover.unlink(missing_ok=True)
        if manifest_written and not final.exists():
            manifest.unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise BackupError(
                f"The backup could not be written ({exc.strerror or exc}); earlier backups "
                "are untouched."
            ) from exc
        if isinstance(exc, sqlite3.Error):
            raise BackupError(
                f"The book could not be copied ({exc}); earlier backups are untouched."
            ) from exc
        raise
    info = _info_from_manifest(final, body)
    if thin and kind in THINNED_KINDS:
        try:
            thin_backups(path, policy_from_settings(keep), today=today)
        except OSError:  # thinning again next time is harmless; the new backup is safe
            log.warning("Thinning backups of %s failed", path, exc_info=True)
    return info


def _copy_snapshot(
    source: Path, tmp: Path
) -> tuple[dict[str, int], str | None, list[str], dict[str, str]]:
    """Copy ``source`` into ``tmp`` and describe the same snapshot that was copied."""
    src = _ro(source)
    try:
        src.execute("BEGIN")
        tables = _tables(src)
        counts = row_counts(src)
        revision = _revision(src, tables)
        hashes = _hashes(src, tables)
        keep = _keep_settings(src, tables)
        dst = sqlite3.connect(tmp, isolation_level=None)
        try:
            src.backup(dst)
            # A standalone file: no -wal beside a backup, readable read-only as is.
            dst.execute("PRAGMA journal_mode=DELETE")
        finally:
            dst.close()
        src.execute("COMMIT")
    finally:
        src.close()
    return counts, revision, hashes, keep


def _verify_copy(copy: Path, counts: dict[str, int]) -> list[str]:
    conn = _ro(copy)
    try:
        problems = full_check(conn)
        if not problems:
            got = row_counts(conn)
            if got != counts:
                differ = sorted(t for t in set(got) | set(counts) if got.get(t) != counts.get(t))
                problems.append(f"row counts differ from the book in {', '.join(differ)}")
        return problems
    except sqlite3.DatabaseError as exc:
        return [str(exc)]
    finally:
        conn.close()


# --- listing and thinning ---------------------------------------------------------


def _info_from_manifest(path: Path, body: dict[str, Any]) -> BackupInfo:
    counts = {str(k): int(v) for k, v in dict(body.get("counts") or {}).items()}
    source = dict(body.get("source") or {})
    return BackupInfo(
        path=path,
        taken_at=datetime.fromisoformat(str(body["taken_at"])).astimezone(UTC),
        kind=str(body.get("kind", KIND_AUTO)),
        size=int(body["size"]),
        clients=counts.get("client"),
        revision=body.get("revision"),
        verified=True,
        sha256=str(body["sha256"]),
        counts=counts,
        attachments=frozenset(str(h) for h in body.get("attachments") or []),
        source={str(k): (None if v is None else int(v)) for k, v in source.items()},
    )


def _read_manifest(path: Path, book_name: str) -> BackupInfo | None:
    """The manifest of ``path`` if it is whole, belongs to ``book_name`` and matches the
    file's size; anything else means "not verified"."""
    try:
        body = json.loads(manifest_path(path).read_text(encoding="utf-8"))
        if body.get("format") != MANIFEST_FORMAT or body.get("book") != book_name:
            return None
        info = _info_from_manifest(path, body)
    except (OSError, ValueError, KeyError, TypeError):
        return None
    try:
        if path.stat().st_size != info.size:
            return None
    except OSError:
        return None
    return info


def _older_info(path: Path, taken_at: datetime) -> BackupInfo:
    """A copy without a manifest: described by reading it, and never trusted blindly."""
    clients: int | None = None
    revision: str | None = None
    try:
        conn = _ro(path)
        try:
            tables = _tables(conn)
            revision = _revision(conn, tables)
            if "client" in tables:
                clients = conn.execute("SELECT count(*) FROM client").fetchone()[0]
        finally:
            conn.close()
    except sqlite3.Error:
        pass
    return BackupInfo(
        path=path,
        taken_at=taken_at,
        kind=KIND_OLDER,
        size=path.stat().st_size,
        clients=clients,
        revision=revision,
        verified=False,
    )


def list_backups(book_path: Path) -> list[BackupInfo]:
    """This book's backups, newest first (other books may share the folder)."""
    path = Path(book_path)
    folder = path.parent / BACKUPS
    if not folder.is_dir():
        return []
    found: list[BackupInfo] = []
    for candidate in folder.glob("*.db"):
        m = _NAME.match(candidate.name)
        if m and m.group("stem") == path.stem:
            info = _read_manifest(candidate, path.name)
            if info is None:
                stamp = datetime.strptime(m.group("stamp"), _STAMP).replace(tzinfo=UTC)
                try:
                    info = _older_info(candidate, stamp)
                except OSError:
                    continue
            found.append(info)
            continue
        m = _OLDER_NAME.match(candidate.name)
        if m and m.group("stem") == path.stem:
            stamp = datetime.strptime(m.group("stamp"), "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
            try:
                found.append(_older_info(candidate, stamp))
            except OSError:
                continue
    found.sort(key=lambda b: b.taken_at, reverse=True)
    return found


def newest_verified_backup(book_path: Path) -> BackupInfo | None:
    return next((b for b in list_backups(book_path) if b.verified), None)


def has_backups(book_path: Path) -> bool:
    return bool(list_backups(book_path))


def thin_backups(
    book_path: Path, policy: KeepPolicy | None = None, *, today: date | None = None
) -> list[Path]:
    """Delete routine backups the policy no longer keeps; returns what was deleted.

    Only verified automatic and manual copies are candidates. Copies from before an
    upgrade or a restore, and copies without a manifest, are left alone.
    """
    policy = policy or KeepPolicy()
    today = today or datetime.now().astimezone().date()
    routine = [b for b in list_backups(book_path) if b.verified and b.kind in THINNED_KINDS]
    local = {b.taken_at.astimezone().replace(tzinfo=None): b for b in routine}
    keep = backups_to_keep(local, today, policy)
    removed: list[Path] = []
    for when, info in local.items():
        if when in keep:
            continue
        info.path.unlink(missing_ok=True)
        info.manifest.unlink(missing_ok=True)
        removed.append(info.path)
    if removed:
        _fsync_dir(removed[0].parent)
    return removed


def hashes_in_kept_backups(book_path: Path) -> set[str]:
    """Every evidence hash a kept backup refers to: what attachment pruning must spare."""
    found: set[str] = set()
    for info in list_backups(book_path):
        found |= set(info.attachments)
    return found


# --- checking a book and setting a damaged one aside ---------------------------------


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


def _companions(path: Path) -> list[Path]:
    return [Path(str(path) + suffix) for suffix in ("-wal", "-shm")]


def _set_aside_name(path: Path, now: datetime) -> Path:
    stamp = now.astimezone().strftime("%Y%m%d-%H%M%S")
    target = path.with_name(f"{path.stem}-damaged-{stamp}{path.suffix}")
    n = 2
    while target.exists() or any(p.exists() for p in _companions(target)):
        target = path.with_name(f"{path.stem}-damaged-{stamp}-{n}{path.suffix}")
        n += 1
    return target


def set_aside(book_path: Path, *, now: datetime | None = None) -> list[Path]:
    """Rename a damaged book and its -wal/-shm out of the way, byte for byte unchanged.

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
    return DamageReport(Path(book_path), list(problems), moved, newest_verified_backup(book_path))


# --- restoring --------------------------------------------------------------------


@dataclass(frozen=True)
class RestoreResult:
    backup: BackupInfo
    before_restore: BackupInfo | None  # the book as it was, backed up first
    set_aside: list[Path]  # or, when it was damaged, where it was moved unchanged
    counts: dict[str, int]


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
    pass integrity_check and foreign_key_check, come from a schema this Rapport
    knows, and every evidence file it refers to must be in the attachments folder
    with the right hash.
    """
    from models.db import SCHEMA_HEAD, _known_revisions

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
        hashes = _hashes(conn, tables)
    except sqlite3.DatabaseError as exc:
        raise RestoreError(
            f"The backup {info.name} is damaged ({exc}); it was not restored."
        ) from exc
    finally:
        conn.close()
    if revision is None:
        raise RestoreError(f"{info.name} is not a backup of a Rapport book.")
    if revision != SCHEMA_HEAD and revision not in _known_revisions():
        raise RestoreError(
            f"The backup {info.name} was made by a newer Rapport; please update Rapport first."
        )
    if info.verified and counts != info.counts:
        raise RestoreError(
            f"The backup {info.name} does not hold what its record says; it was not restored."
        )
    missing = [h for h in hashes if not _stored_file_ok(book_path, h)]
    if missing:
        n = len(missing)
        raise RestoreError(
            f"The backup {info.name} needs {n} evidence file{'s' if n != 1 else ''} that "
            f"{'are' if n != 1 else 'is'} missing from the attachments folder or changed; "
            "nothing was restored."
        )
    return counts


def _stored_file_ok(book_path: Path, sha256: str) -> bool:
    try:
        return file_sha256(stored_file_path(book_path, sha256)) == sha256
    except OSError:
        return False


def restore_backup(book_path: Path, backup: Path, *, now: datetime | None = None) -> RestoreResult:
    """Replace the book with a verified copy of ``backup``.

    The caller holds the book's lock and has closed the book. Order: check the
    backup (and its evidence files); back the current book up (or, if it fails its
    own check, set it aside unchanged); copy the backup to a temp file beside the
    book and check that copy; fold the current book's WAL in; rename the copy over
    the book. A crash at any point leaves either the old book or the new one whole.
    """
    with _COPYING:
        return _restore_backup(Path(book_path).absolute(), Path(backup), now)


def _restore_backup(path: Path, backup: Path, now: datetime | None) -> RestoreResult:
    info = describe_backup(path, backup)
    counts = verify_backup(path, info)
    before: BackupInfo | None = None
    moved: list[Path] = []
    if path.exists() and path.stat().st_size > 0:
        problems = _current_problems(path)
        if problems:
            moved = set_aside(path, now=now)
        else:
            try:
                before = take_backup(path, kind=KIND_BEFORE_RESTORE, now=now, thin=False)
            except BackupError as exc:
                raise RestoreError(
                    f"Your book could not be backed up before the restore, so nothing was "
                    f"changed. {exc}"
                ) from exc
    tmp = path.with_name(f".{path.name}.restoring")
    for p in [tmp, *_companions(tmp)]:
        p.unlink(missing_ok=True)
    touch_private(tmp)
    try:
        _copy_for_restore(info.path, tmp)
        got = _verify_copy(tmp, counts)
        if got:
            raise RestoreError(
                f"The restored copy did not pass its check ({got[0]}); your book was not replaced."
            )
        _fsync_file(tmp)
        if path.exists():
            _fold_wal(path)
        os.replace(tmp, path)
        _fsync_dir(path.parent)
    except OSError as exc:
        raise RestoreError(
            f"The backup could not be put in place ({exc.strerror or exc}); your book was not "
            "replaced."
        ) from exc
    finally:
        for p in [tmp, *_companions(tmp), Path(str(tmp) + "-journal")]:
            p.unlink(missing_ok=True)
    return RestoreResult(info, before, moved, counts)


def _current_problems(path: Path) -> list[str]:
    try:
        conn = _ro(path)
    except sqlite3.Error as exc:
        return [str(exc)]
    try:
        return open_check(conn)
    except sqlite3.DatabaseError as exc:
        return [str(exc)]
    finally:
        conn.close()


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


# --- where the book lives ----------------------------------------------------------


def _unescape_mount(field_text: str) -> str:
    """/proc/mounts writes space, tab, newline and backslash as octal escapes."""
    return re.sub(r"\\([0-7]{3})", lambda m: chr(int(m.group(1), 8)), field_text)


def network_filesystem(mounts: str, path: Path | str) -> str | None:
    """The network file system type ``path`` lives on, or None for a local disk.

    ``mounts`` is the text of /proc/mounts; the mount point that is the longest
    prefix of the path decides.
    """
    target = os.path.normpath(str(path))
    best: tuple[int, str] | None = None
    for line in mounts.splitlines():
        parts = line.split()
        if len(parts) < 3:
            continue
        point = os.path.normpath(_unescape_mount(parts[1]))
        inside = point == "/" or target == point or target.startswith(point.rstrip("/") + "/")
        if inside and (best is None or len(point) >= best[0]):
            best = (len(point), parts[2])
    if best is None:
        return None
    fstype = best[1]
    if fstype in NETWORK_FILESYSTEMS or fstype.startswith("fuse"):
        return fstype
    return None


def network_warning(book_path: Path, mounts: str | None = None) -> str | None:
    """A plain warning when the book sits on a network file system, else None."""
    if mounts is None:
        try:
            mounts = Path("/proc/mounts").read_text(encoding="utf-8", errors="replace")
        except OSError:
            return None
    path = Path(book_path).expanduser().absolute()
    real = Path(os.path.realpath(path if path.exists() else path.parent))
    fstype = network_filesystem(mounts, real)
    if fstype is None:
        return None
    return (
        f"Your book {path.name} is on a network drive ({fstype}). SQLite, which keeps "
        "the book, cannot lock files safely over a network, so a dropped connection or "
        "a second computer can damage it. Please keep the book on this computer's own "
        "disk and copy backups to the network instead."
    )


def size_text(n: int) -> str:
    """A file size as people read it: 812 KB, 118.0 MB."""
    if n < 1024 * 1024:
        return f"{max(1, round(n / 1024))} KB"
    if n < 1024**3:
        return f"{n / 1024 / 1024:.1f} MB"
    return f"{n / 1024**3:.2f} GB"
