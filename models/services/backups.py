"""How many backups to keep: Setting rows "backup.keep_daily", "backup.keep_weekly"
and "backup.keep_monthly", edited in Settings › Backups.

The copying itself lives in models.backups, which uses plain sqlite3 so it can run
on a worker thread and reads these rows from the snapshot it copies; this module is
the part that goes through the Book's session.
"""

from __future__ import annotations

from sqlalchemy import select

from models.backups import (
    KEEP_LIMITS,
    KIND_BEFORE_IMPORT,
    SETTING_KEYS,
    BackupError,
    BackupInfo,
    KeepPolicy,
    policy_from_settings,
    take_backup,
)
from models.db import Book
from models.entities import Setting
from models.services.clients import ValidationError, count_clients


def get_keep_policy(book: Book) -> KeepPolicy:
    with book.reader() as s:
        rows = s.execute(
            select(Setting.key, Setting.value).where(Setting.key.in_(SETTING_KEYS.values()))
        ).all()
    return policy_from_settings({k: v for k, v in rows})


def validate_keep_policy(policy: KeepPolicy) -> dict[str, str]:
    errors: dict[str, str] = {}
    for name, (low, high) in KEEP_LIMITS.items():
        n = getattr(policy, name)
        if not low <= n <= high:
            errors[name] = f"Keep between {low} and {high} {name} backups."
    return errors


def set_keep_policy(book: Book, policy: KeepPolicy) -> None:
    """Store how many copies to keep; thinning uses it from the next backup on."""
    errors = validate_keep_policy(policy)
    if errors:
        raise ValidationError(errors)
    with book.session() as s:
        for name, key in SETTING_KEYS.items():
            s.merge(Setting(key=key, value=str(getattr(policy, name))))


def backup_before_import(book: Book) -> BackupInfo | None:
    """The way back from an import that was not what the user meant: a pinned copy
    (so the daily rule does not thin it away the same day), taken before every
    import, from the command line and the app alike. An empty book has nothing to go
    back to, so it gets none (None).

    Plain sqlite3 on its own connection, like every backup: the app runs it off the
    GUI thread. A copy that cannot be taken stops the import before it starts.
    """
    if not count_clients(book, include_archived=True):
        return None
    try:
        return take_backup(book.path, kind=KIND_BEFORE_IMPORT)
    except BackupError as exc:
        raise BackupError(
            f"Your book could not be backed up before the import, so nothing was imported. {exc}"
        ) from exc
