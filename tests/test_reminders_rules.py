"""The keep-in-touch rules as pure functions, with an explicit today."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from models.entities import ClientStatus
from models.reminders import (
    DueItem,
    DueKind,
    cadence_label,
    days_overdue,
    later_touch,
    next_touch_due,
    order,
    plan,
    snooze_date,
    under_priority,
    urgency,
)

D = date.fromisoformat
ADDED = D("2026-01-10")


@pytest.mark.parametrize(
    ("cadence", "last", "status", "archived", "expected"),
    [
        (30, None, ClientStatus.ACTIVE, False, D("2026-02-09")),  # never touched: from added
        (30, D("2026-03-01"), ClientStatus.ACTIVE, False, D("2026-03-31")),
        (7, D("2026-03-01"), ClientStatus.ACTIVE, False, D("2026-03-08")),
        (91, D("2026-03-01"), ClientStatus.ACTIVE, False, D("2026-05-31")),
        (None, D("2026-03-01"), ClientStatus.ACTIVE, False, None),  # no rhythm, never due
        (0, None, ClientStatus.ACTIVE, False, None),
        (30, D("2026-03-01"), ClientStatus.PAUSED, False, None),
        (30, D("2026-03-01"), ClientStatus.FORMER, False, None),
        (30, D("2026-03-01"), ClientStatus.ACTIVE, True, None),  # archived
    ],
)
def test_next_touch_due(
    cadence: int | None,
    last: date | None,
    status: ClientStatus,
    archived: bool,
    expected: date | None,
) -> None:
    got = next_touch_due(
        cadence_days=cadence,
        last_touch_on=last,
        added_on=ADDED,
        status=status,
        archived=archived,
    )
    assert got == expected


@pytest.mark.parametrize(
    ("current", "new", "expected"),
    [
        (None, D("2026-03-01"), D("2026-03-01")),
        (D("2026-03-01"), D("2026-03-05"), D("2026-03-05")),
        (D("2026-03-05"), D("2026-03-01"), D("2026-03-05")),  # back-dated older: no move back
        (D("2026-03-05"), D("2026-03-05"), D("2026-03-05")),
    ],
)
def test_later_touch(current: date | None, new: date, expected: date) -> None:
    assert later_touch(current, new) == expected


def test_cadence_change_moves_due_date_from_the_same_touch() -> None:
    last = D("2026-03-01")
    monthly = next_touch_due(
        cadence_days=30, last_touch_on=last, added_on=ADDED, status=ClientStatus.ACTIVE
    )
    weekly = next_touch_due(
        cadence_days=7, last_touch_on=last, added_on=ADDED, status=ClientStatus.ACTIVE
    )
    assert (monthly, weekly) == (D("2026-03-31"), D("2026-03-08"))


@pytest.mark.parametrize(
    ("due", "today", "expected"),
    [
        (D("2026-03-01"), D("2026-03-01"), 0),
        (D("2026-03-01"), D("2026-03-11"), 10),
        (D("2026-03-11"), D("2026-03-01"), -10),
    ],
)
def test_days_overdue(due: date, today: date, expected: int) -> None:
    assert days_overdue(due, today) == expected


@pytest.mark.parametrize(
    ("until", "today", "expected"),
    [
        (None, D("2026-03-01"), False),
        (D("2026-03-01"), D("2026-03-01"), True),
        (D("2026-02-28"), D("2026-03-01"), False),
    ],
)
def test_under_priority(until: date | None, today: date, expected: bool) -> None:
    assert under_priority(until, today) is expected


def item(
    name: str,
    due: date,
    cadence: int | None = 30,
    *,
    kind: DueKind = DueKind.KEEP_IN_TOUCH,
    priority: bool = False,
    fid: int | None = None,
) -> DueItem:
    return DueItem(
        kind=kind,
        client_id=hash(name) % 1000,
        client_name=name,
        due_on=due,
        title="t",
        cadence_days=cadence,
        follow_up_id=fid,
        priority=priority,
    )


def test_most_overdue_relative_to_cadence_comes_first() -> None:
    today = D("2026-03-20")
    weekly_10_late = item("Weekly", today - timedelta(days=10), 7)  # 1.43 cadences late
    quarterly_40_late = item("Quarterly", today - timedelta(days=40), 91)  # 0.44 late
    monthly_20_late = item("Monthly", today - timedelta(days=20), 30)  # 0.67 late
    got = order([quarterly_40_late, monthly_20_late, weekly_10_late], today)
    assert [i.client_name for i in got] == ["Weekly", "Monthly", "Quarterly"]
    assert urgency(weekly_10_late, today) == pytest.approx(10 / 7)


def test_clients_under_priority_come_first() -> None:
    today = D("2026-03-20")
    very_late = item("Very late", today - timedelta(days=60), 7)
    upset = item("Upset", today, 30, priority=True)
    assert [i.client_name for i in order([very_late, upset], today)] == ["Upset", "Very late"]


def test_follow_ups_are_scaled_by_a_week() -> None:
    today = D("2026-03-20")
    fu = item("Promise", today - timedelta(days=14), None, kind=DueKind.FOLLOW_UP, fid=1)
    assert urgency(fu, today) == pytest.approx(2.0)


def test_plan_splits_due_and_upcoming() -> None:
    today = D("2026-03-20")
    items = [
        item("Late", today - timedelta(days=3)),
        item("Today", today),
        item("In three days", today + timedelta(days=3)),
        item("In a week", today + timedelta(days=7)),
        item("In eight days", today + timedelta(days=8)),
    ]
    p = plan(items, today)
    assert [i.client_name for i in p.due] == ["Late", "Today"]
    assert [i.client_name for i in p.upcoming] == ["In three days", "In a week"]
    assert p.count_due == 2


@pytest.mark.parametrize(
    ("choice", "expected"),
    [("tomorrow", D("2026-03-21")), ("3 days", D("2026-03-23")), ("next week", D("2026-03-27"))],
)
def test_snooze_choices(choice: str, expected: date) -> None:
    assert snooze_date(choice, D("2026-03-20")) == expected


def test_unknown_snooze_choice_is_an_error() -> None:
    with pytest.raises(ValueError, match="unknown snooze"):
        snooze_date("someday", D("2026-03-20"))


@pytest.mark.parametrize(
    ("days", "label"),
    [(None, "No reminder"), (7, "Weekly"), (91, "Quarterly"), (10, "Every 10 days")],
)
def test_cadence_labels(days: int | None, label: str) -> None:
    assert cadence_label(days) == label
