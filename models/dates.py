"""One way of writing dates and times, in the app and in every PDF.

The style comes from a locale (Babel's CLDR data). The app speaks English, so the
default is English written the way the consultant's country writes dates: a German
machine (de_DE) gets "en_DE" — "6 December 2026", "14:01" — and an American one
"December 6, 2026", "2:01 PM". The consultant can choose any locale in the settings.

Spaces inside a formatted date or time are non-breaking: "18 October 2026 14:01"
never wraps in a table cell.

The locale in force is module state set once when a book opens (``use_locale``);
every function also takes an explicit ``locale`` so tests and renderers can pin it.

The app's windows write dates through models/date_style.py instead, from a table
that ``compile_table`` makes here once per style, so Babel never loads at start-up;
tests/test_date_style.py holds the two to the same text.
"""

from __future__ import annotations

import functools
import locale as c_locale
import logging
import os
from datetime import date, datetime
from pathlib import Path

log = logging.getLogger(__name__)

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


# The app writes dates from a compiled table (models/date_style.py) so that Babel is
# not imported at start-up; these build that table and are its reference.

SKELETONS = {
    "day_month": "MMMd",
    "weekday_day_month": "MMMEd",
    "weekday_medium": "yMMMEd",
    "weekday_long": "MMMMEEEEd",
}
PLAIN_PATTERNS = {"weekday": "cccc", "weekday_short": "ccc"}
_NUMERIC = set("yudHhKkms")


def pattern_for(name: str, locale: str | None = None) -> str:
    """The CLDR pattern behind one of models/date_style's names, for a locale."""
    loc = _locale(locale or current_locale())
    if name in ("full", "long", "medium"):
        return loc.date_formats[name].pattern  # type: ignore[attr-defined]
    if name == "time":
        return loc.time_formats["short"].pattern  # type: ignore[attr-defined]
    if name in PLAIN_PATTERNS:
        return PLAIN_PATTERNS[name]
    from babel.dates import match_skeleton

    skeletons = loc.datetime_skeletons  # type: ignore[attr-defined]
    skeleton = SKELETONS[name]
    if skeleton not in skeletons:
        skeleton = match_skeleton(skeleton, skeletons)
    found = skeletons[skeleton]
    return str(getattr(found, "pattern", found))


def format_pattern(name: str, value: date | datetime, *, locale: str | None = None) -> str:
    """Babel's own rendering of a named pattern, kept together: what the compiled
    table must equal."""
    from babel.dates import format_date as babel_date
    from babel.dates import format_time as babel_time

    loc = _locale(locale or current_locale())
    pattern = pattern_for(name, locale)
    if name == "time":
        assert isinstance(value, datetime)
        return _keep_together(babel_time(value, pattern, locale=loc))
    day = value.date() if isinstance(value, datetime) else value
    return _keep_together(babel_date(day, pattern, locale=loc))


def compile_table(setting: str, system: str | None = None) -> dict[str, object]:
    """The date style for a setting ("" follows the machine) as plain data: each
    pattern as tokens, and every name those tokens need. Raises ValueError for a
    locale whose patterns use a field models/date_style cannot fill in."""
    from babel.dates import DateTimeFormat, get_era_names, tokenize_pattern

    from models.date_style import DATE_PATTERNS, TABLE_FORMAT, TIME_PATTERNS, babel_stamp

    system = system_locale_name() if system is None else system
    setting = setting.strip()
    name = setting if setting and _usable(setting) else default_locale(system)
    loc = _locale(name)
    patterns: dict[str, list[list[object]]] = {}
    names: dict[str, list[str]] = {}
    monday = date(2001, 1, 1)
    for key in DATE_PATTERNS + TIME_PATTERNS:
        tokens: list[list[object]] = []
        for kind, body in tokenize_pattern(pattern_for(key, name)):
            if kind == "chars":
                tokens.append(["chars", body])
                continue
            char, count = body
            tokens.append(["field", char, count])
            field = char * count
            if char in "ML" and count >= 3:
                names[field] = [DateTimeFormat(date(2001, m, 1), loc)[field] for m in range(1, 13)]
            elif char in "Eec" and (count >= 3 or char == "E"):
                field = field if count >= 3 else "EEE"
                names[field] = [
                    DateTimeFormat(monday.replace(day=1 + i), loc)[field] for i in range(7)
                ]
            elif char == "a":
                names[field] = [
                    DateTimeFormat(datetime(2001, 1, 1, h), loc)[field] for h in (0, 12)
                ]
            elif char == "G":
                width = {3: "abbreviated", 4: "wide", 5: "narrow"}[max(3, count)]
                eras = get_era_names(width, locale=loc)
                names[field] = [eras[0], eras[1]]
            elif not (char in _NUMERIC or (char in "MLec" and count <= 2)):
                raise ValueError(f"{name}: the date field {field!r} is not supported")
        patterns[key] = tokens
    return {
        "format": TABLE_FORMAT,
        "for": {"setting": setting, "system": system},
        "stamp": babel_stamp(),
        "locale": name,
        "first_week_day": loc.first_week_day,  # type: ignore[attr-defined]
        "patterns": patterns,
        "names": names,
    }


def style_folder() -> Path:
    """Where compiled date styles are kept (the user cache folder)."""
    from models.paths import cache_dir

    return cache_dir() / "date-styles"


def prepare_style(setting: str, folder: Path | None = None) -> dict[str, object] | None:
    """Compile the date style for a setting, keep it for the next start and make it
    the app's. Imports Babel: run it when saving the setting or off the GUI thread.
    None (and en_GB in force) for a style the app cannot write."""
    from models import date_style

    try:
        table = compile_table(setting)
    except ValueError as exc:
        log.warning("Dates stay in en_GB's style: %s", exc)
        date_style.install(date_style.builtin())
        return None
    try:
        date_style.save(folder or style_folder(), table)
    except OSError as exc:  # a read-only cache: the next start compiles again
        log.warning("The date style could not be kept for the next start: %s", exc)
    date_style.install(table)
    return table


def open_style(setting: str, folder: Path | None = None) -> bool:
    """Write dates in the book's style from now on, if it is compiled (no Babel);
    else in the built-in en_GB until ``prepare_style`` has run. True when in force."""
    from models import date_style

    style = date_style.load(folder or style_folder(), setting, system_locale_name())
    date_style.install(style or date_style.builtin())
    return style is not None
