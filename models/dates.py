"""One way of writing dates and times, in the app and in every PDF.

The style comes from a locale (Babel's CLDR data). The app speaks English, so the
default is English written the way the consultant's country writes dates: a German
machine (de_DE) gets "en_DE" — "6 December 2026", "14:01" — and an American one
"December 6, 2026", "2:01 PM". The consultant can choose any locale in the settings.

Spaces inside a formatted date or time are non-breaking: "18 October 2026 14:01"
never wraps in a table cell.

The locale in force is module state set once when a book opens (``use_locale``);
every function also takes an explicit ``locale`` so tests and renderers can pin it.
"""

from __future__ import annotations

import functools
import locale as c_locale
import os
from datetime import date, datetime

NBSP = "\u00a0"
FALLBACK = "en_GB"
_current: list[str] = [""]  # empty: not chosen yet, follow the machine


def system_locale_name() -> str:
    """The machine's locale for dates ("de_DE"), from the environment; "" for C/POSIX."""
    name = next((os.environ[v] for v in ("LC_ALL", "LC_TIME", "LANG") if os.environ.get(v)), "")
    if not name:
        name = c_locale.getlocale()[0] or ""
    base = name.split(".")[0].split("@")[0]
    return "" if base in ("C", "POSIX") else base


@functools.lru_cache(maxsize=16)
def default_locale(system: str | None = None) -> str:
    """English in the machine's country's date style, or plain en_GB if unknown."""
    from babel import Locale, UnknownLocaleError

    system = system_locale_name() if system is None else system
    if "_" not in system:
        return FALLBACK
    territory = system.split("_", 1)[1]
    for candidate in (f"en_{territory}", system):
        try:
            Locale.parse(candidate)
        except (UnknownLocaleError, ValueError):
            continue
        return candidate
    return FALLBACK


def locale_problem(name: str) -> str | None:
    """Why a locale name cannot be used, in words for the user; None if it can."""
    from babel import Locale, UnknownLocaleError

    try:
        Locale.parse(name)
    except (UnknownLocaleError, ValueError, TypeError):
        return f"Rapport does not know the locale “{name}”; try one like en_GB or de_DE."
    return None


def use_locale(name: str) -> None:
    """Set the style for the whole app (the book's setting; "" follows the machine).

    Checked when first used, not here: a book opens before Babel is loaded.
    """
    _current[0] = name.strip()


def current_locale() -> str:
    name = _current[0]
    if name and _usable(name):
        return name
    return default_locale()


@functools.lru_cache(maxsize=16)
def _usable(name: str) -> bool:
    # An old or hand-edited setting falls back to the default rather than failing.
    return locale_problem(name) is None


@functools.lru_cache(maxsize=16)
def _locale(name: str) -> object:
    from babel import Locale

    return Locale.parse(name)


def _keep_together(text: str, keep: bool = True) -> str:
    # CLDR uses U+202F before AM/PM; keep it, and make plain spaces unbreakable too.
    # Text meant for an email (keep=False) gets ordinary spaces back.
    return text.replace(" ", NBSP) if keep else text.replace(NBSP, " ").replace("\u202f", " ")


def format_date(
    day: date, *, locale: str | None = None, weekday: bool = False, keep_together: bool = True
) -> str:
    """ "6 December 2026" (or "Sunday, 6 December 2026" with the weekday).

    ``keep_together=False`` gives ordinary spaces, for text that goes into an email.
    """
    from babel.dates import format_date as babel_date

    style = "full" if weekday else "long"
    text = babel_date(day, style, locale=_locale(locale or current_locale()))
    return _keep_together(text, keep_together)


def format_short_date(day: date, *, locale: str | None = None) -> str:
    """ "6 Dec 2026": for tight columns and lists."""
    from babel.dates import format_date as babel_date

    return _keep_together(babel_date(day, "medium", locale=_locale(locale or current_locale())))


def format_time(moment: datetime, *, locale: str | None = None) -> str:
    """ "14:01" or "2:01 PM", as the locale writes it (local wall-clock time)."""
    from babel.dates import format_time as babel_time

    return _keep_together(babel_time(moment, "short", locale=_locale(locale or current_locale())))


def format_datetime(moment: datetime, *, locale: str | None = None, weekday: bool = False) -> str:
    """ "6 December 2026 14:01": the date and time styles joined, never split.

    The moment is written on its own clock; convert it (``astimezone()``) first.
    """
    day = format_date(moment.date(), locale=locale, weekday=weekday)
    return f"{day}{NBSP}{format_time(moment, locale=locale)}"


def format_moment(moment: datetime, *, locale: str | None = None) -> str:
    """ "Monday, 7 December 2026 at 16:00": a promised time inside a sentence, on the
    moment's own clock."""
    day = format_date(moment.date(), locale=locale, weekday=True, keep_together=False)
    return f"{day} at {_keep_together(format_time(moment, locale=locale), False)}"
