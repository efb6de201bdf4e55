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

The parts: ``policy`` (how many to keep, a pure rule), ``take`` (copy, verify,
manifest, list, thin), ``restore``, ``damage`` (set a damaged book aside and say
so), ``mounts`` (network file systems), ``common`` (names and read-only checks).
The names below are re-exported so callers keep importing ``models.backups``.

The package itself loads none of them: a name is imported from its part on first
use (PEP 562), so the app's start-up, which needs only ``leftovers`` and
``mounts`` before its first paint, does not pay for taking, restoring and
damage reports (tests/test_startup.py).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from models.backups.common import (
        ATTACHMENTS,
        BACKUPS,
        KIND_AUTO,
        KIND_BEFORE_IMPORT,
        KIND_BEFORE_RESTORE,
        KIND_BEFORE_UPGRADE,
        KIND_MANUAL,
        KIND_OLDER,
        KINDS,
        MANIFEST_FORMAT,
        MANIFEST_SUFFIX,
        NETWORK_FILESYSTEMS,
        PIN_DAYS,
        STALE_PART_SECONDS,
        THINNED_KINDS,
        BackupError,
        RestoreError,
        attachments_dir,
        backups_dir,
        evidence_files,
        file_sha256,
        fingerprint,
        full_check,
        manifest_path,
        missing_evidence,
        row_counts,
        stored_file_path,
    )
    from models.backups.damage import (
        DamageReport,
        cannot_write_reason,
        clear_orphans,
        clients_phrase,
        describe_time,
        is_damage,
        open_check,
        report_damage,
        set_aside,
        size_text,
    )
    from models.backups.leftovers import clear_leftovers, clear_restore_leftovers
    from models.backups.mounts import network_filesystem, network_warning
    from models.backups.policy import (
        KEEP_LIMITS,
        SETTING_KEYS,
        KeepPolicy,
        backups_to_keep,
        policy_from_settings,
    )
    from models.backups.restore import (
        RestoreResult,
        describe_backup,
        resolve_backup,
        restore_backup,
        verify_backup,
    )
    from models.backups.take import (
        BackupInfo,
        has_backups,
        hashes_in_kept_backups,
        list_backups,
        needs_backup,
        newest_verified_backup,
        take_backup,
        thin_backups,
    )

_WHERE: dict[str, str] = {
    "ATTACHMENTS": "common",
    "BACKUPS": "common",
    "BackupError": "common",
    "BackupInfo": "take",
    "DamageReport": "damage",
    "KEEP_LIMITS": "policy",
    "KINDS": "common",
    "KIND_AUTO": "common",
    "KIND_BEFORE_IMPORT": "common",
    "KIND_BEFORE_RESTORE": "common",
    "KIND_BEFORE_UPGRADE": "common",
    "KIND_MANUAL": "common",
    "KIND_OLDER": "common",
    "KeepPolicy": "policy",
    "MANIFEST_FORMAT": "common",
    "MANIFEST_SUFFIX": "common",
    "NETWORK_FILESYSTEMS": "common",
    "PIN_DAYS": "common",
    "RestoreError": "common",
    "RestoreResult": "restore",
    "SETTING_KEYS": "policy",
    "STALE_PART_SECONDS": "common",
    "THINNED_KINDS": "common",
    "attachments_dir": "common",
    "backups_dir": "common",
    "backups_to_keep": "policy",
    "cannot_write_reason": "damage",
    "clear_leftovers": "leftovers",
    "clear_orphans": "damage",
    "clear_restore_leftovers": "leftovers",
    "clients_phrase": "damage",
    "describe_backup": "restore",
    "describe_time": "damage",
    "evidence_files": "common",
    "file_sha256": "common",
    "fingerprint": "common",
    "full_check": "common",
    "has_backups": "take",
    "hashes_in_kept_backups": "take",
    "is_damage": "damage",
    "list_backups": "take",
    "manifest_path": "common",
    "missing_evidence": "common",
    "needs_backup": "take",
    "network_filesystem": "mounts",
    "network_warning": "mounts",
    "newest_verified_backup": "take",
    "open_check": "damage",
    "policy_from_settings": "policy",
    "report_damage": "damage",
    "resolve_backup": "restore",
    "restore_backup": "restore",
    "row_counts": "common",
    "set_aside": "damage",
    "size_text": "damage",
    "stored_file_path": "common",
    "take_backup": "take",
    "thin_backups": "take",
    "verify_backup": "restore",
}


def __getattr__(name: str) -> object:
    """Import ``name`` from the part that defines it, once, on first use."""
    part = _WHERE.get(name)
    if part is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{part}"), name)
    globals()[name] = value
    return value


__all__ = [
    "ATTACHMENTS",
    "BACKUPS",
    "KEEP_LIMITS",
    "KINDS",
    "PIN_DAYS",
    "KIND_AUTO",
    "KIND_BEFORE_IMPORT",
    "KIND_BEFORE_RESTORE",
    "KIND_BEFORE_UPGRADE",
    "KIND_MANUAL",
    "KIND_OLDER",
    "MANIFEST_FORMAT",
    "MANIFEST_SUFFIX",
    "NETWORK_FILESYSTEMS",
    "SETTING_KEYS",
    "STALE_PART_SECONDS",
    "THINNED_KINDS",
    "BackupError",
    "BackupInfo",
    "DamageReport",
    "KeepPolicy",
    "RestoreError",
    "RestoreResult",
    "attachments_dir",
    "backups_dir",
    "backups_to_keep",
    "cannot_write_reason",
    "clear_leftovers",
    "clear_restore_leftovers",
    "clear_orphans",
    "is_damage",
    "clients_phrase",
    "describe_backup",
    "describe_time",
    "evidence_files",
    "file_sha256",
    "fingerprint",
    "full_check",
    "has_backups",
    "hashes_in_kept_backups",
    "list_backups",
    "manifest_path",
    "missing_evidence",
    "needs_backup",
    "network_filesystem",
    "network_warning",
    "newest_verified_backup",
    "open_check",
    "policy_from_settings",
    "report_damage",
    "resolve_backup",
    "restore_backup",
    "row_counts",
    "set_aside",
    "size_text",
    "stored_file_path",
    "take_backup",
    "thin_backups",
    "verify_backup",
]
