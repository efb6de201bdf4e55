"""Working time: promises and default dates keep to the consultant's week, hours and
public holidays (issue 17, Build 7). Times are injected; holidays come from the real
`holidays` library for a named country."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest

from models.db import Book
from models.enums import IncidentCategory, Severity
from models.errors import ValidationError
from models.repair import default_review_on
from models.services.clients import ClientInput, create_client
from models.services.incidents import IncidentInput, get_incident, open_incident
from models.services.repair import start_or_resume
from models.services.work_settings import (
    WorkSettings,
    get_work_settings,
    get_working_week,
    set_work_settings,
)
from models.working_time import (
    WorkingWeek,
    add_working_days,
    country_from_locale,
    default_day,
    due_after,
    in_working_hours,
    week_problem,
    working_day_on_or_after,
)

WEEK = WorkingWeek()  # Monday–Friday, 09:00–17:00, no holidays
FRIDAY = date(2026, 12, 4)
THURSDAY = date(2026, 12, 3)


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute))


def test_a_promise_made_friday_afternoon_is_due_monday_afternoon() -> None:
    assert due_after(at(FRIDAY, 16), 24, WEEK) == at(date(2026, 12, 7), 16)


def test_a_promise_made_thursday_evening_is_due_in_working_hours() -> None:
    due = due_after(at(THURSDAY, 20), 24, WEEK)
    assert in_working_hours(due, WEEK)
    assert due.weekday() < 5 and time(9) <= due.time() <= time(17)
    # Not Friday night, the plain 24 hours, nor any time before the clock could start.
    assert due != at(FRIDAY, 20)
    assert due > at(FRIDAY, 9)


def test_a_promise_made_the_day_before_a_public_holiday_skips_it() -> None:
    # 1 May 2026 (a Friday) is Labour Day in Germany; Thursday 30 April 10:00 + 24h.
    german = WorkingWeek(country="DE")
    plain = due_after(at(date(2026, 4, 30), 10), 24, WEEK)
    assert plain == at(date(2026, 5, 1), 10)
    due = due_after(at(date(2026, 4, 30), 10), 24, german)
    assert due == at(date(2026, 5, 4), 10)  # Monday: the holiday and the weekend add nothing
    assert german.holiday_name(date(2026, 5, 1)) != ""


def test_christmas_in_britain_adds_nothing_to_a_promise() -> None:
    british = WorkingWeek(country="GB")
    # Thursday 24 December 2026, 15:00; 25th (Fri) and 28th (Boxing Day observed) are off.
    due = due_after(at(date(2026, 12, 24), 15), 24, british)
    assert due == at(date(2026, 12, 29), 15)


def test_a_promise_inside_one_day_stays_that_day() -> None:
    assert due_after(at(THURSDAY, 10), 4, WEEK) == at(THURSDAY, 14)


def test_a_promise_ending_after_hours_moves_to_the_next_start() -> None:
    # Thursday 16:00 + 4h is 20:00: outside hours, so Friday 09:00.
    assert due_after(at(THURSDAY, 16), 4, WEEK) == at(FRIDAY, 9)


def test_an_injected_holiday_rule_is_used() -> None:
    week = WorkingWeek(holiday_rule=lambda d: d == date(2026, 12, 7))
    assert due_after(at(FRIDAY, 16), 24, week) == at(date(2026, 12, 8), 16)


def test_a_custom_week_and_hours() -> None:
    # Tuesday to Saturday, 10:00 to 18:00.
    week = WorkingWeek(days=frozenset({1, 2, 3, 4, 5}), start=time(10), end=time(18))
    sunday = date(2026, 12, 6)
    assert working_day_on_or_after(sunday, week) == date(2026, 12, 8)
    assert due_after(at(sunday, 12), 2, week) == at(date(2026, 12, 8), 12)
    assert not in_working_hours(at(date(2026, 12, 8), 9, 30), week)


def test_default_dates_never_land_on_a_weekend_or_holiday() -> None:
    british = WorkingWeek(country="GB")
    # 6 December 2026 + 3 months is Saturday 6 March 2027.
    assert default_review_on(date(2026, 12, 6)) == date(2027, 3, 6)
    assert default_review_on(date(2026, 12, 6), WEEK) == date(2027, 3, 8)
    # 14 days after 11 December 2026 is Christmas Day: the next working day is the 29th.
    assert default_day(date(2026, 12, 11), 14, british) == date(2026, 12, 29)
    assert add_working_days(FRIDAY, 1, WEEK) == date(2026, 12, 7)
    for start in (date(2026, 12, 1) + timedelta(days=n) for n in range(60)):
        for ahead in (0, 7, 14):
            day = default_day(start, ahead, british)
            assert day.weekday() < 5 and not british.is_holiday(day)


def test_a_week_with_no_working_time_is_refused() -> None:
    assert week_problem(WEEK) == {}
    assert set(week_problem(WorkingWeek(days=frozenset()))) == {"days"}
    assert set(week_problem(WorkingWeek(start=time(17), end=time(9)))) == {"end"}
    assert set(week_problem(WorkingWeek(country="XX"))) == {"country"}
    assert set(week_problem(WorkingWeek(country="GB", subdivision="QQ"))) == {"subdivision"}
    assert week_problem(WorkingWeek(country="GB", subdivision="SCT")) == {}


@pytest.mark.parametrize(
    ("name", "country"),
    [("en_GB.UTF-8", "GB"), ("de_DE", "DE"), ("C.UTF-8", ""), ("POSIX", ""), ("sr_RS@latin", "RS")],
)
def test_the_default_country_comes_from_the_locale(name: str, country: str) -> None:
    assert country_from_locale(name) == country


# --- through the services, on a real book ----------------------------------------


def test_settings_round_trip_and_refuse_nonsense(book: Book) -> None:
    assert get_work_settings(book).week.days == WEEK.days
    week = WorkingWeek(days=frozenset({0, 1, 2, 3}), start=time(8, 30), end=time(16), country="FR")
    set_work_settings(book, WorkSettings(week=week, locale="fr_FR"))
    back = get_work_settings(book)
    assert back.week == week and back.locale == "fr_FR"
    with pytest.raises(ValidationError) as caught:
        set_work_settings(book, WorkSettings(week=WorkingWeek(days=frozenset())))
    assert "days" in caught.value.errors
    assert get_working_week(book) == week  # the refused change left the settings as they were
    set_work_settings(book, WorkSettings(week=WorkingWeek(country="")))
    assert get_working_week(book).country == ""  # "no holidays" sticks, not the locale default


def _incident(book: Book) -> tuple[int, IncidentInput]:
    cid = create_client(book, ClientInput(name="Ana Silva"), now=at(THURSDAY, 9).astimezone(UTC))
    data = IncidentInput("Report late", IncidentCategory.MISSED_DEADLINE, Severity.HIGH)
    return cid, data


def test_opening_an_incident_on_friday_afternoon_promises_monday(book: Book) -> None:
    set_work_settings(book, WorkSettings(week=WorkingWeek(country="")))
    cid, data = _incident(book)
    now = at(FRIDAY, 16).astimezone(UTC)  # the machine's local Friday 16:00
    iid = open_incident(book, cid, data, now=now)
    due = get_incident(book, iid, now=now).row.response_due_at
    assert due is not None
    assert due.astimezone().replace(tzinfo=None) == at(date(2026, 12, 7), 16)


def test_the_repair_wizard_drafts_a_reply_within_working_hours(book: Book) -> None:
    """The issue's case: opened Sunday 6 December 04:57, the reply must not promise
    Monday 04:57, and the review must not default to a Saturday."""
    set_work_settings(book, WorkSettings(week=WorkingWeek(country="")))
    cid, data = _incident(book)
    now = at(date(2026, 12, 6), 4, 57).astimezone(UTC)
    iid = open_incident(book, cid, data, promise_hours=None, now=now)
    plan = start_or_resume(book, iid, now=now)
    due = datetime.fromisoformat(plan.value("reply_due_at")).astimezone().replace(tzinfo=None)
    assert in_working_hours(due, WEEK)
    assert due == at(date(2026, 12, 8), 9)  # Monday 09:00 + 24 hours: Tuesday 09:00
    assert "04:57" not in plan.value("reply")
    review = date.fromisoformat(plan.value("review_on"))
    assert review.weekday() < 5 and review == date(2027, 3, 8)
