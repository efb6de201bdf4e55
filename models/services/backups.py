"""How many backups to keep: Setting rows "backup.keep_daily", "backup.keep_weekly"
and "backup.keep_monthly", edited in Settings › Backups.

The copying itself lives in models.backups, which uses plain sqlite3 so it can run
on a worker thread and reads these rows from the snapshot it copies; this module is
the part that goes through the Book's session.
"""

from __future__ import annotations

from sqlalchemy import select

from models.backups import KEEP_LIMITS, SETTING_KEYS, KeepPolicy, policy_from_settings
from models.db import Book
from models.entities import Setting
from models.services.clients import ValidationError


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
