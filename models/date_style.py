"""The date style in force, written without Babel.

models/dates.py writes dates with Babel, which takes longer to import than the first
window takes to paint. So Babel runs once per style instead of once per start: when
the consultant saves a style (or the app meets a style it has not compiled yet),
``models.dates.compile_table`` turns the locale's CLDR patterns and names into a
small table, kept as JSON in the user cache folder. This module reads that table and
fills the patterns in, giving exactly what models/dates gives for the same locale
(tests/test_date_style.py compares them for several locales).

Until a compiled table is at hand the app writes en_GB, whose table ships with the
app (models/date_builtin.py); the app then compiles the right one off the GUI thread
and every view rewrites its dates (the ``dates`` flag of Changes).
"""

from __future__ import annotations

import json
import logging
import os
import re
from datetime import date, datetime
from pathlib import Path
from typing import Any

from models.date_builtin import EN_GB

log = logging.getLogger(__name__)

NBSP = "\u00a0"
TABLE_FORMAT = 1
FALLBACK = "en_GB"
# What a compiled table holds: name -> what models/dates asks Babel for.
DATE_PATTERNS = (
    "full",  # "Monday, 7 December 2026": a date with its weekday
    "long",  # "7 December 2026": the date in documents and headings
    "medium",  # "7 Dec 2026": lists and tight columns
    "day_month",  # "7 Dec": a date this year, in a list
    "weekday_day_month",  # "Mon 7 Dec": a moment further off than a week
    "weekday_medium",  # "Mon, 7 Dec 2026": the same in another year
    "weekday_long",  # "Monday 7 December": Today's heading
    "weekday",  # "Monday": a day within the coming week
    "weekday_short",  # "Mon": a moment within the week around now
)
TIME_PATTERNS = ("time",)
MEMO_LIMIT = 4096  # "14:01" or "2:01 PM"

Token = list[Any]  # ["chars", text] or ["field", char, count]


class UnsupportedPattern(ValueError):
    """A pattern uses a field this formatter does not fill in (models/dates refuses
    such a locale when it is chosen, so the app never meets one)."""


def _number(value: int, count: int) -> str:
    return f"{value:0{count}d}"


class DateStyle:
    """One locale's compiled patterns and names; formats like Babel would."""

    def __init__(self, table: dict[str, Any]) -> None:
        self.table = table
        self.locale: str = table["locale"]
        self.patterns: dict[str, list[Token]] = table["patterns"]
        self.names: dict[str, list[str]] = table["names"]
        self.first_week_day: int = table["first_week_day"]
        # A list writes the same few dates over and over: each day once per pattern.
        self._memo: dict[tuple[str, date], str] = {}

    def field(self, char: str, count: int, value: date | datetime) -> str:
        key = char * count
        if char in "yu":
            text = _number(value.year, count)
            return text[-2:] if count == 2 else text
        if char in "ML":
            if count <= 2:
                return _number(value.month, count)
            return self.names[key][value.month - 1]
        if char == "d":
            return _number(value.day, count)
        if char in "Eec":
            if count < 3 and char != "E":
                return _number((7 - self.first_week_day + value.weekday()) % 7 + 1, count)
            return self.names[key if count >= 3 else "EEE"][value.weekday()]
        if char == "G":
            return self.names[key][int(value.year >= 0)]
        if not isinstance(value, datetime):
            raise UnsupportedPattern(f"a date has no {key!r}")
        hour = value.hour
        clock = {
            "H": hour,
            "h": hour % 12 or 12,
            "K": hour % 12,
            "k": hour or 24,
            "m": value.minute,
            "s": value.second,
        }
        if char in clock:
            return _number(clock[char], count)
        if char == "a":
            return self.names[key][int(hour >= 12)]
        raise UnsupportedPattern(f"the field {key!r} is not supported")

    def render(self, name: str, value: date | datetime) -> str:
        if type(value) is date:
            key = (name, value)
            text = self._memo.get(key)
            if text is None:
                if len(self._memo) > MEMO_LIMIT:
                    self._memo.clear()
                text = self._memo[key] = self._render(name, value)
            return text
        return self._render(name, value)

    def _render(self, name: str, value: date | datetime) -> str:
        parts = []
        for token in self.patterns[name]:
            if token[0] == "chars":
                parts.append(token[1])
            else:
                parts.append(self.field(token[1], token[2], value))
        return "".join(parts)


_style: list[DateStyle | None] = [None]  # None: the built-in en_GB, made when first asked


def current() -> DateStyle:
    style = _style[0]
    if style is None:
        style = _style[0] = builtin()
    return style


def install(style: DateStyle | dict[str, Any]) -> DateStyle:
    """Make ``style`` the one every date on screen is written in."""
    chosen = style if isinstance(style, DateStyle) else DateStyle(style)
    _style[0] = chosen
    return chosen


def reset() -> None:
    """Back to the built-in en_GB (a closed book, a test's end)."""
    _style[0] = None


def builtin() -> DateStyle:
    return DateStyle(EN_GB)


def keep_together(text: str, keep: bool = True) -> str:
    """Plain spaces made unbreakable (as models/dates does), or, for an email, all
    spaces made plain."""
    return text.replace(" ", NBSP) if keep else text.replace(NBSP, " ").replace("\u202f", " ")


def _style_for(style: DateStyle | None) -> DateStyle:
    return style or current()


# The same functions as models/dates, from the table.


def format_date(
    day: date, *, style: DateStyle | None = None, weekday: bool = False, keep: bool = True
) -> str:
    """ "6 December 2026" (or "Sunday, 6 December 2026")."""
    text = _style_for(style).render("full" if weekday else "long", day)
    return keep_together(text, keep)


def format_short_date(day: date, *, style: DateStyle | None = None) -> str:
    """ "6 Dec 2026"."""
    return keep_together(_style_for(style).render("medium", _as_date(day)))


def format_time(moment: datetime, *, style: DateStyle | None = None) -> str:
    """ "14:01" or "2:01 PM", on the moment's own clock."""
    return keep_together(_style_for(style).render("time", moment))


def format_datetime(
    moment: datetime, *, style: DateStyle | None = None, weekday: bool = False
) -> str:
    """ "6 December 2026 14:01", never split."""
    day = format_date(moment.date(), style=style, weekday=weekday)
    return f"{day}{NBSP}{format_time(moment, style=style)}"


def format_moment(moment: datetime, *, style: DateStyle | None = None) -> str:
    """ "Monday, 7 December 2026 at 16:00", inside a sentence."""
    day = format_date(moment.date(), style=style, weekday=True, keep=False)
    return f"{day} at {keep_together(format_time(moment, style=style), False)}"


def format_named(name: str, value: date | datetime, *, style: DateStyle | None = None) -> str:
    """One of the app's shorter forms (DATE_PATTERNS), kept together."""
    if name in DATE_PATTERNS:
        value = _as_date(value)
    return keep_together(_style_for(style).render(name, value))


def _as_date(value: date | datetime) -> date:
    return value.date() if isinstance(value, datetime) else value


# Where compiled tables are kept, and when one is still good.


def cache_key(setting: str, system: str) -> str:
    """The file a table is kept under: the setting, or the machine's locale when the
    setting says "follow the machine"."""
    raw = setting.strip() or f"machine-{system or 'none'}"
    return re.sub(r"[^A-Za-z0-9_-]", "_", raw)[:64]


def babel_stamp() -> str:
    """Which Babel (and so which CLDR data) a table was compiled with, found without
    importing it: a reinstalled or upgraded Babel makes every table stale."""
    import importlib.util

    try:
        spec = importlib.util.find_spec("babel")
    except (ImportError, ValueError):
        return ""
    if spec is None or not spec.origin:
        return ""
    try:
        st = os.stat(spec.origin)
    except OSError:
        return ""
    return f"{spec.origin}:{st.st_size}:{st.st_mtime_ns}"


def trivially(setting: str, system: str) -> str | None:
    """The locale a setting stands for when that is plain without Babel (the built-in
    en_GB), else None."""
    setting = setting.strip()
    if setting == FALLBACK:
        return FALLBACK
    if not setting and ("_" not in system or system == FALLBACK):
        return FALLBACK
    return None


def load(folder: Path, setting: str, system: str) -> DateStyle | None:
    """The compiled table for this setting on this machine, if there is a good one."""
    if trivially(setting, system) == FALLBACK:
        return builtin()
    path = folder / f"{cache_key(setting, system)}.json"
    try:
        table = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as exc:
        log.warning("The date style in %s could not be read (%s); compiling it again.", path, exc)
        return None
    wanted = {"setting": setting.strip(), "system": system}
    if (
        not isinstance(table, dict)
        or table.get("format") != TABLE_FORMAT
        or table.get("for") != wanted
        or table.get("stamp") != babel_stamp()
    ):
        return None
    try:
        return DateStyle(table)
    except (KeyError, TypeError) as exc:
        log.warning("The date style in %s is incomplete (%s); compiling it again.", path, exc)
        return None


def save(folder: Path, table: dict[str, Any]) -> Path:
    """Keep a compiled table (temp file, then replace: a reader never sees half)."""
    import tempfile

    folder.mkdir(parents=True, exist_ok=True)
    wanted = table["for"]
    path = folder / f"{cache_key(wanted['setting'], wanted['system'])}.json"
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".date-style-", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(table, f, ensure_ascii=False)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path
