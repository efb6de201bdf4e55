"""Working time: when the consultant works, and what that means for promises and dates.

A promise of "an answer within 24 hours" made on Friday afternoon is not honestly
due on Saturday afternoon, and a review date should not fall on a bank holiday.
These rules keep every default date and deadline inside the consultant's working
week, working hours and public holidays. They are pure: today, now and the
country's holidays are passed in, so tests can pin them.

Times here are wall-clock times in the consultant's own zone (naive datetimes):
a working day starts at 09:00 local whatever the UTC offset is that day.
``due_after_local`` is the bridge for services holding UTC-aware moments.
"""

from __future__ import annotations

import functools
import locale
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

MONDAY_TO_FRIDAY = frozenset(range(5))
DEFAULT_START = time(9, 0)
DEFAULT_END = time(17, 0)
# A search for the next working day gives up after this many days: a week with no
# working day at all (or a country with a year of holidays) must not loop forever.
SEARCH_DAYS = 400

IsHoliday = Callable[[date], bool]


@dataclass(frozen=True)
class WorkingWeek:
    """The consultant's working days (0 = Monday) and hours, and whose holidays apply.

    ``country`` is an ISO 3166 code the ``holidays`` library knows ("GB", "DE");
    empty means no public holidays are taken into account.
    """

    days: frozenset[int] = MONDAY_TO_FRIDAY
    start: time = DEFAULT_START
    end: time = DEFAULT_END
    country: str = ""
    subdivision: str = ""
    # For tests and callers that already know the holidays; None asks the library.
    holiday_rule: IsHoliday | None = field(default=None, compare=False, repr=False)

    def is_holiday(self, day: date) -> bool:
        if self.holiday_rule is not None:
            return self.holiday_rule(day)
        if not self.country:
            return False
        return day in _country_holidays(self.country, self.subdivision)

    def is_working_day(self, day: date) -> bool:
        return day.weekday() in self.days and not self.is_holiday(day)

    def holiday_name(self, day: date) -> str:
        """The holiday's name for a note beside a date ("Christmas Day"); "" if none."""
        if self.holiday_rule is not None or not self.country:
            return ""
        name = _country_holidays(self.country, self.subdivision).get(day)
        return str(name) if name else ""


def week_problem(week: WorkingWeek) -> dict[str, str]:
    """What is wrong with a working week, field → words for the user; empty if fine."""
    errors: dict[str, str] = {}
    if not week.days or not week.days <= set(range(7)):
        errors["days"] = "Choose at least one working day."
    if week.end <= week.start:
        errors["end"] = "The working day has to end after it starts."
    if week.country and not country_known(week.country):
        errors["country"] = "Rapport does not know the public holidays for that country."
    elif week.subdivision and not country_known(week.country, week.subdivision):
        errors["subdivision"] = "Rapport does not know that region's public holidays."
    return errors


@functools.lru_cache(maxsize=8)
def _country_holidays(country: str, subdivision: str) -> dict[date, str]:
    # Imported here: the holidays library is large and only needed once a date is picked.
    import holidays

    # The object fills in each year as it is asked about, so no year range is given.
    try:
        found: dict[date, str] = holidays.country_holidays(country, subdiv=subdivision or None)
    except NotImplementedError:
        # A country or region the library does not know (an old setting): no holidays
        # rather than no dates at all.
        return {}
    return found


def country_known(country: str, subdivision: str = "") -> bool:
    import holidays

    regions = holidays.list_supported_countries().get(country.upper())
    if regions is None:
        return False
    return not subdivision or subdivision in regions


def country_from_locale(name: str | None = None) -> str:
    """The country part of a locale name ("en_GB.UTF-8" → "GB"), or "" for C/POSIX.

    Used as the default holiday country so a fresh book already skips the local
    bank holidays; the consultant can change it.
    """
    if name is None:
        name = next(
            (os.environ[v] for v in ("LC_ALL", "LC_TIME", "LANG") if os.environ.get(v)), ""
        ) or (locale.getlocale()[0] or "")
    base = name.split(".")[0].split("@")[0]
    if "_" not in base:
        return ""
    country = base.split("_", 1)[1].upper()
    return country if len(country) == 2 and country.isalpha() else ""


# --- days ------------------------------------------------------------------------


def working_day_on_or_after(day: date, week: WorkingWeek) -> date:
    """The first working day from ``day`` on: where a default date lands."""
    for offset in range(SEARCH_DAYS):
        candidate = day + timedelta(days=offset)
        if week.is_working_day(candidate):
            return candidate
    return day


def working_day_on_or_before(day: date, week: WorkingWeek) -> date:
    for offset in range(SEARCH_DAYS):
        candidate = day - timedelta(days=offset)
        if week.is_working_day(candidate):
            return candidate
    return day


def add_working_days(day: date, count: int, week: WorkingWeek) -> date:
    """``count`` working days after ``day`` (a follow-up "in 3 working days")."""
    current = day
    for _ in range(count):
        current = working_day_on_or_after(current + timedelta(days=1), week)
    return current


def default_day(today: date, days_ahead: int, week: WorkingWeek) -> date:
    """A default date ``days_ahead`` calendar days on, moved to the next working day."""
    return working_day_on_or_after(today + timedelta(days=days_ahead), week)


# --- moments ---------------------------------------------------------------------


def _day_start(day: date, week: WorkingWeek) -> datetime:
    return datetime.combine(day, week.start)


def in_working_hours(moment: datetime, week: WorkingWeek) -> bool:
    """Whether a wall-clock moment is within a working day's hours (ends included)."""
    return week.is_working_day(moment.date()) and week.start <= moment.time() <= week.end


def next_working_moment(moment: datetime, week: WorkingWeek) -> datetime:
    """``moment`` itself if it is within working hours, else the next working start."""
    if in_working_hours(moment, week):
        return moment
    day = moment.date()
    if week.is_working_day(day) and moment.time() < week.start:
        return _day_start(day, week)
    return _day_start(working_day_on_or_after(day + timedelta(days=1), week), week)


def due_after(start: datetime, hours: float, week: WorkingWeek) -> datetime:
    """When a promise of ``hours`` made at ``start`` falls due (wall-clock, naive).

    The clock runs only on working days (a weekend or holiday adds nothing) and
    starts when work does (a message read at 20:00 is answered from 09:00 on). If
    the count ends outside working hours the deadline moves to the next start, so
    a promise is never due at night or on a day off.
    """
    start = start.replace(tzinfo=None)
    cursor = next_working_moment(start, week)
    remaining = timedelta(hours=hours)
    for _ in range(SEARCH_DAYS * 2):
        if remaining <= timedelta(0):
            break
        day = cursor.date()
        if not week.is_working_day(day):
            cursor = datetime.combine(working_day_on_or_after(day, week), time(0))
            continue
        midnight = datetime.combine(day + timedelta(days=1), time(0))
        if cursor + remaining <= midnight:
            cursor += remaining
            remaining = timedelta(0)
        else:
            remaining -= midnight - cursor
            cursor = midnight
    return next_working_moment(cursor, week)


def due_after_local(now: datetime, hours: float, week: WorkingWeek) -> datetime:
    """``due_after`` for a UTC-aware ``now``: counted in the machine's local time,
    returned UTC-aware for storage."""
    local = now.astimezone().replace(tzinfo=None)
    # A naive datetime's astimezone() reads it as local time, so a deadline across a
    # daylight-saving change keeps its wall-clock hour.
    return due_after(local, hours, week).astimezone(UTC)
