"""How and when the consultant works: working week, hours, holiday country, and the
locale dates are written in. Stored beside the consultant's details (the setting
table), read by every service that proposes a date, and by the settings page.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.db import Book
from models.entities import Setting
from models.errors import ValidationError
from models.reads import LOCALE_KEY
from models.working_time import WorkingWeek, country_from_locale, country_known, week_problem

_KEYS = {
    "days": "work.days",  # "0,1,2,3,4": Monday = 0
    "start": "work.start",  # "09:00"
    "end": "work.end",  # "17:00"
    "country": "work.holiday_country",  # ISO code; "-" means "no holidays, on purpose"
    "subdivision": "work.holiday_subdivision",
    "locale": LOCALE_KEY,  # "en_GB"; empty: the machine's locale
}
NO_COUNTRY = "-"


@dataclass(frozen=True)
class WorkSettings:
    """What a settings page edits: the working week and the date locale."""

    week: WorkingWeek
    locale: str = ""  # empty: follow the machine's locale


def _parse_time(text: str, fallback: time) -> time:
    try:
        return time.fromisoformat(text)
    except ValueError:
        return fallback


def _parse_days(text: str, fallback: frozenset[int]) -> frozenset[int]:
    try:
        days = frozenset(int(part) for part in text.split(",") if part.strip())
    except ValueError:
        return fallback
    return days if days and days <= set(range(7)) else fallback


def read_work_settings(s: Session) -> WorkSettings:
    """The stored settings inside a session the caller owns; defaults fill the gaps."""
    stored = dict(
        s.execute(select(Setting.key, Setting.value).where(Setting.key.in_(_KEYS.values()))).all()
    )

    def get(name: str) -> str:
        return stored.get(_KEYS[name], "").strip()

    base = WorkingWeek()
    country = get("country")
    if not country:
        country = _default_country()
    elif country == NO_COUNTRY:
        country = ""
    week = WorkingWeek(
        days=_parse_days(get("days"), base.days),
        start=_parse_time(get("start"), base.start),
        end=_parse_time(get("end"), base.end),
        country=country,
        subdivision=get("subdivision"),
    )
    if week.end <= week.start:
        week = WorkingWeek(days=week.days, country=country, subdivision=week.subdivision)
    return WorkSettings(week=week, locale=get("locale"))


def _default_country() -> str:
    country = country_from_locale()
    return country if country and country_known(country) else ""


def read_working_week(s: Session) -> WorkingWeek:
    return read_work_settings(s).week


def get_work_settings(book: Book) -> WorkSettings:
    with book.reader() as s:
        return read_work_settings(s)


def get_working_week(book: Book | None) -> WorkingWeek:
    """The consultant's week; the plain Monday–Friday default when no book is open."""
    if book is None:
        return WorkingWeek()
    return get_work_settings(book).week


def work_problems(data: WorkSettings) -> dict[str, str]:
    """Every problem with ``data``, keyed by field, in words for the user."""
    errors = week_problem(data.week)
    locale_name = data.locale.strip()
    if locale_name:
        from models.dates import compile_table, locale_problem

        problem = locale_problem(locale_name)
        if problem is None:
            try:
                compile_table(locale_name)
            except ValueError:
                problem = (
                    f"Rapport cannot yet write dates the way “{locale_name}” does; "
                    "try another locale, such as en_GB."
                )
        if problem:
            errors["locale"] = problem
    return errors


def work_values(data: WorkSettings) -> dict[str, str]:
    """The settings rows (key → stored text) for checked work settings."""
    week = data.week
    values = {
        "days": ",".join(str(d) for d in sorted(week.days)),
        "start": week.start.strftime("%H:%M"),
        "end": week.end.strftime("%H:%M"),
        "country": week.country.upper() or NO_COUNTRY,
        "subdivision": week.subdivision.strip(),
        "locale": data.locale.strip(),
    }
    return {_KEYS[name]: value for name, value in values.items()}


def set_work_settings(book: Book, data: WorkSettings) -> None:
    """Save the working week and date locale; refuses a week with no working time."""
    errors = work_problems(data)
    if errors:
        raise ValidationError(errors)
    locale_name = data.locale.strip()
    with book.session() as s:
        for key, value in work_values(data).items():
            s.merge(Setting(key=key, value=value))
    from models.dates import prepare_style, use_locale

    use_locale(locale_name)
    # The app writes dates from a compiled table (models/date_style.py): compile it
    # now, while Babel is loaded, and keep it for the next start.
    prepare_style(locale_name)
