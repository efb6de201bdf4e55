"""How many backups to keep: a pure rule over the dates copies were taken."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime


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
