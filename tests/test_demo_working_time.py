"""The demo's promises follow the app's working-time rule (issue 17, Build 7): none
falls on a weekend or public holiday or outside working hours, and each is the
deadline opening that incident in the app would have given."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from models.db import open_book
from models.demo import DEMO_INCIDENTS, fill_demo
from models.entities import FollowUp, FollowUpKind, Incident
from models.services.work_settings import WorkSettings, get_working_week, set_work_settings
from models.working_time import WorkingWeek, due_after_local, in_working_hours


@pytest.fixture(params=["UTC", "Europe/Berlin", "Pacific/Kiritimati"])
def zone(request: pytest.FixtureRequest) -> Iterator[str]:
    old = os.environ.get("TZ")
    os.environ["TZ"] = request.param
    time.tzset()
    try:
        yield request.param
    finally:
        if old is None:
            del os.environ["TZ"]
        else:
            os.environ["TZ"] = old
        time.tzset()


# Late evenings, a weekend and the days around Christmas: the old demo, which added
# the promised hours to the opening time, put these promises at night or on a day off.
NOWS = [
    datetime(2026, 12, 4, 22, 30, tzinfo=UTC),  # a Friday night
    datetime(2026, 11, 22, 12, 0, tzinfo=UTC),  # a Sunday
    datetime(2026, 12, 28, 6, 0, tzinfo=UTC),  # the Monday after Christmas
    datetime(2027, 1, 1, 23, 0, tzinfo=UTC),  # New Year's Day, late
]


@pytest.mark.parametrize("now", NOWS)
def test_no_demo_promise_falls_outside_working_time(
    tmp_path: Path, zone: str, now: datetime
) -> None:
    book = open_book(tmp_path / "demo.db")
    try:
        # Germany: 24–26 December and 1 January are public holidays.
        set_work_settings(book, WorkSettings(week=WorkingWeek(country="DE")))
        week = get_working_week(book)
        assert week.country == "DE" and not week.is_working_day(datetime(2026, 12, 25).date())
        fill_demo(book, now=now)
        hours = {d.title: d.promise_hours for d in DEMO_INCIDENTS}
        with book.reader() as s:
            incidents = [
                (i.title, i.opened_at, i.response_due_at, i.responded_at, i.closed_at, due_on)
                for i, due_on in s.execute(
                    select(Incident, FollowUp.due_on).join(
                        FollowUp, FollowUp.id == Incident.promise_follow_up_id, isouter=True
                    )
                )
            ]
            kinds = set(
                s.scalars(
                    select(FollowUp.kind).join(
                        Incident, Incident.promise_follow_up_id == FollowUp.id
                    )
                )
            )
        assert kinds == {FollowUpKind.RESPONSE_PROMISE}
        checked = 0
        for title, opened_at, due_at, responded_at, closed_at, due_on in incidents:
            assert due_at is not None, title
            local = due_at.astimezone().replace(tzinfo=None)
            assert week.is_working_day(local.date()), (title, local)
            assert in_working_hours(local, week), (title, local)
            # The same deadline as the app gives an incident opened at that moment.
            promised = hours[title]
            assert promised is not None
            assert due_at == due_after_local(opened_at, promised, week)
            # Its reminder sits on that day, and the promise is later than the opening.
            assert due_on == local.date()
            assert opened_at < due_at
            if responded_at is None and closed_at is None:
                # The open claim's promise is broken, by more than a day.
                assert now - due_at > timedelta(days=1)
            checked += 1
        assert checked == len(DEMO_INCIDENTS) == 4
    finally:
        book.close()
