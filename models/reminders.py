"""Keep-in-touch rules. Pure functions of plain values and an explicit ``today``.

The services feed these from the database and store what they compute (the
client's ``touch_due_on``), so the rules live in exactly one place and can be
tested without a book.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import NamedTuple

from models.enums import ClientStatus

# The cadences offered in the app, in days; any positive number is allowed.
CADENCE_PRESETS: dict[str, int] = {
    "Weekly": 7,
    "Every 2 weeks": 14,
    "Monthly": 30,
    "Every 2 months": 61,
    "Quarterly": 91,
    "Twice a year": 182,
}
CADENCE_MAX_DAYS = 3660
# The rhythm new and imported clients start with unless the user chose another.
DEFAULT_CADENCE_DAYS = CADENCE_PRESETS["Monthly"]
# A follow-up has no rhythm of its own; a week late counts like one missed cadence.
FOLLOW_UP_SCALE_DAYS = 7
UPCOMING_DAYS = 7


class DueKind(enum.StrEnum):
    KEEP_IN_TOUCH = "keep-in-touch"
    FOLLOW_UP = "follow-up"


def local_date(moment: datetime) -> date:
    """The calendar day a moment falls on for the user (their machine's time zone)."""
    return moment.astimezone().date()


def cadence_label(days: int | None) -> str:
    if days is None:
        return "No reminder"
    for label, preset in CADENCE_PRESETS.items():
        if preset == days:
            return label
    return f"Every {days} days"


def later_touch(current: date | None, new: date) -> date:
    """The latest touch date after logging one on ``new``.

    A back-dated touch older than the latest one never moves the due date back.
    """
    return new if current is None or new > current else current


def next_touch_due(
    *,
    cadence_days: int | None,
    last_touch_on: date | None,
    added_on: date,
    status: ClientStatus,
    archived: bool = False,
) -> date | None:
    """When the client should next hear from us, or None if never.

    Counted from the day the latest touch happened (not when it was logged); a
    client never touched counts from the day it was added. Paused, former and
    archived clients are never due.
    """
    if cadence_days is None or cadence_days <= 0:
        return None
    if archived or status != ClientStatus.ACTIVE:
        return None
    return (last_touch_on or added_on) + timedelta(days=cadence_days)


def days_overdue(due_on: date, today: date) -> int:
    """Positive when late, 0 on the day, negative while still ahead."""
    return (today - due_on).days


def under_priority(priority_until: date | None, today: date) -> bool:
    return priority_until is not None and today <= priority_until


class DueItem(NamedTuple):
    """One row of "what needs me": a client to get in touch with, or a follow-up.

    A NamedTuple, not a dataclass: the Today view and the tray build thousands of
    these per refresh on a large book, and tuples are several times cheaper to make.
    """

    kind: DueKind
    client_id: int
    client_name: str
    due_on: date
    title: str
    cadence_days: int | None = None
    follow_up_id: int | None = None
    priority: bool = False

    def overdue(self, today: date) -> int:
        return days_overdue(self.due_on, today)


def urgency(item: DueItem, today: date) -> float:
    """How late an item is relative to its rhythm: 10 days late on a weekly
    cadence is worse than 10 days late on a quarterly one."""
    scale = item.cadence_days if item.kind is DueKind.KEEP_IN_TOUCH else FOLLOW_UP_SCALE_DAYS
    return item.overdue(today) / max(scale or FOLLOW_UP_SCALE_DAYS, 1)


def sort_key(item: DueItem, today: date) -> tuple[bool, float, date, str, int, int]:
    """Clients under priority first, then the most overdue relative to cadence.

    The last two keys make the order total (a keep-in-touch row before a client's
    follow-ups, then by client), so the first screen read straight from the book
    (models.reads.today_head) lists exactly the rows this order puts first."""
    return (
        not item.priority,
        -urgency(item, today),
        item.due_on,
        item.client_name.casefold(),
        item.follow_up_id or 0,
        item.client_id,
    )


def upcoming_key(item: DueItem) -> tuple[bool, date, str, int, int]:
    """The coming week: priority first, then by date and name (total, as above)."""
    return (
        not item.priority,
        item.due_on,
        item.client_name.casefold(),
        item.follow_up_id or 0,
        item.client_id,
    )


def order(items: list[DueItem], today: date) -> list[DueItem]:
    """``sorted(items, key=sort_key)``, with the key worked out inline: a big book
    has tens of thousands of due items, and a function call per item is most of
    the sort's time (bench/run.py start-up at 100 000 clients)."""
    keep = DueKind.KEEP_IN_TOUCH
    scale = FOLLOW_UP_SCALE_DAYS
    keys = [
        (
            not i.priority,
            -(
                (today - i.due_on).days
                / max((i.cadence_days or scale) if i.kind is keep else scale, 1)
            ),
            i.due_on,
            i.client_name.casefold(),
            i.follow_up_id or 0,
            i.client_id,
        )
        for i in items
    ]
    ranked = sorted(range(len(items)), key=keys.__getitem__)
    return [items[n] for n in ranked]


@dataclass(frozen=True)
class TodayPlan:
    """The Today view in three parts, each already ordered."""

    due: list[DueItem]  # overdue and due today
    upcoming: list[DueItem]  # the next UPCOMING_DAYS days
    # due_count per day, worked out once however many places show it.
    _counts: dict[date, DueCount] = field(default_factory=dict, compare=False, repr=False)

    @property
    def count_due(self) -> int:
        return len(self.due)

    def counts(self, today: date) -> DueCount:
        """``due_count(self.due, today)``, kept: the sidebar, the header and the
        tray ask for it on every change."""
        found = self._counts.get(today)
        if found is None:
            found = self._counts[today] = due_count(self.due, today)
        return found


def plan(items: list[DueItem], today: date, *, upcoming_days: int = UPCOMING_DAYS) -> TodayPlan:
    horizon = today + timedelta(days=upcoming_days)
    due = [i for i in items if i.due_on <= today]
    upcoming = [i for i in items if today < i.due_on <= horizon]
    return TodayPlan(
        due=order(due, today),
        upcoming=sorted(upcoming, key=upcoming_key),
    )


# More rows than anyone works through in a day: Today lists each part's first ones
# (the rules' most urgent), the rest follow as these are settled, or on "Show all".
FIRST_ROWS = 150


@dataclass(frozen=True)
class TodayHead:
    """What Today's first screen and the tray show of the plan: each part's first
    ``limit`` rows in the rules' order, and the counts of all of it.

    Worked out from a whole plan by ``head_of``, or read straight from the book by
    ``models.reads.today_head`` (an ordered, limited query and a count), which is
    how the first window is painted without ordering every due item of a big book.
    tests/test_today_head.py keeps the two equal, so "due" has one definition."""

    overdue: list[DueItem]
    due_today: list[DueItem]
    upcoming: list[DueItem]
    count: DueCount
    upcoming_total: int
    # When nothing is due, the soonest of the coming week (the earliest date, then
    # name, wherever it ranks): what an empty Today offers as "next up".
    first_upcoming: DueItem | None
    limit: int | None

    @property
    def due(self) -> list[DueItem]:
        """The due rows listed, in Today's reading order: overdue, then today."""
        return self.overdue + self.due_today

    @property
    def hidden(self) -> int:
        """How many rows the limit leaves out."""
        shown = len(self.overdue) + len(self.due_today) + len(self.upcoming)
        return self.count.total + self.upcoming_total - shown


def head_of(whole: TodayPlan, today: date, limit: int | None = FIRST_ROWS) -> TodayHead:
    """The head of a whole plan (``limit`` None keeps every row)."""
    overdue = [i for i in whole.due if i.due_on < today]
    due_today = [i for i in whole.due if i.due_on >= today]
    soonest = min(whole.upcoming, key=lambda i: (i.due_on, i.client_name), default=None)
    first = None if whole.due else soonest
    return TodayHead(
        overdue=overdue[:limit],
        due_today=due_today[:limit],
        upcoming=whole.upcoming[:limit],
        count=whole.counts(today),
        upcoming_total=len(whole.upcoming),
        first_upcoming=first,
        limit=limit,
    )


def snooze_date(choice: str, today: date) -> date:
    """The new due date for a snooze choice offered in the app."""
    days = {"tomorrow": 1, "3 days": 3, "next week": 7}
    if choice not in days:
        raise ValueError(f"unknown snooze choice {choice!r}")
    return today + timedelta(days=days[choice])


@dataclass(frozen=True)
class DueCount:
    """How much is waiting, counted one way for every place that shows it (the
    sidebar, Today's header, the tray's badge, tooltip and menu): each row of
    Today's due list is one thing to do, so two follow-ups for one client are two."""

    total: int
    overdue: int
    today: int

    def headline(self) -> str:
        """The count in words: "12 to do: 9 overdue, 3 today", never two numbers that
        could be read as adding up."""
        if not self.total:
            return "Nothing to do today"
        if not self.overdue:
            return f"{self.total} to do today"
        if not self.today:
            return f"{self.total} to do: {self.overdue} overdue"
        return f"{self.total} to do: {self.overdue} overdue, {self.today} today"


def due_count(due: list[DueItem], today: date) -> DueCount:
    """The one definition of "due": everything dated today or earlier, split into
    late and on the day. ``due`` is ``TodayPlan.due`` (or any list of items)."""
    items = [i for i in due if i.due_on <= today]
    late = sum(1 for i in items if i.due_on < today)
    return DueCount(total=len(items), overdue=late, today=len(items) - late)
