"""Taking a backup through SQLite, verifying the copy, writing its manifest, and
listing and thinning the copies; the manifest is what makes a copy "verified"."""

from __future__ import annotations

import json
import logging
import os
import sqlite3
import tempfile
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from models.backups.common import (
    _COPYING,
    _NAME,
    _OLDER_NAME,
    _STAMP,
    BACKUPS,
    KIND_AUTO,
    KIND_OLDER,
    KINDS,
    MANIFEST_FORMAT,
    PIN_DAYS,
    PINNED_KINDS,
    THINNED_KINDS,
    BackupError,
    _companions,
    _fsync_file,
    _hashes,
    _keep_settings,
    _revision,
    _ro,
    _tables,
    backups_dir,
    file_sha256,
    fingerprint,
    full_check,
    manifest_path,
    row_counts,
)
from models.backups.leftovers import _clear_orphan_manifests, held_name
from models.backups.policy import KeepPolicy, backups_to_keep, policy_from_settings
from models.files import _fsync_dir, clear_leftover_temps, temp_prefix, write_atomic

log = logging.getLogger(__name__)


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
        # A restore reads through a hidden second link (".NAME.~PID.restoring-src"); the
        # user knows the copy by its own name.
        return held_name(self.path.name) or self.path.name

    def pinned_until(self) -> date | None:
        """The last day the daily rule may not thin this copy (None: never pinned)."""
        if self.kind not in PINNED_KINDS:
            return None
        return self.taken_at.astimezone().date() + timedelta(days=PIN_DAYS)

    def pinned(self, today: date) -> bool:
        until = self.pinned_until()
        return until is not None and today <= until


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
    """Temp files a killed backup left behind, and manifests whose copy never took its
    name; one a live backup (in this process or another) is still writing stays."""
    clear_leftover_temps(folder.glob(".*.part*"))
    _clear_orphan_manifests(folder)


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
        fd, tmp_name = tempfile.mkstemp(dir=folder, prefix=temp_prefix(final.name), suffix=".part")
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

    Only verified automatic copies, and manual or before-import copies past their pin
    (PIN_DAYS), are candidates. Copies from before an upgrade or a restore, and copies
    without a manifest, are left alone.
    """
    policy = policy or KeepPolicy()
    today = today or datetime.now().astimezone().date()
    routine = [
        b
        for b in list_backups(book_path)
        if b.verified and b.kind in THINNED_KINDS and not b.pinned(today)
    ]
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
