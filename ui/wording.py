"""Dates said the way a person says them: "5 days late", "today", "Thursday".

Kept free of Qt and of the machine's locale (Qt sets the C library's locale at
start-up, which would turn strftime's day names into whatever the system speaks),
so the words are the same everywhere and can be tested without a display. The dates
themselves are written in the consultant's date style (models/date_style.py, the
same as in the PDFs), with no-break spaces so that a date never wraps.
"""

from __future__ import annotations

from datetime import date, timedelta

from models.date_style import format_named, format_short_date
from models.enums import Channel
from models.reminders import DueItem, DueKind

CHANNEL_TEXT: dict[Channel, str] = {
    Channel.CALL: "Call",
    Channel.EMAIL: "Email",
    Channel.MEETING: "Meeting",
    Channel.MESSAGE: "Message",
    Channel.VISIT: "Visit",
    Channel.OTHER: "Other",
}


def plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def short_date(day: date, today: date | None = None) -> str:
    """ "12 Mar", with the year ("12 Mar 2025") unless it is this year's."""
    if today is not None and day.year == today.year:
        return format_named("day_month", day)
    return format_short_date(day)


def weekday_date(day: date, today: date) -> str:
    """ "Tue 17 Mar", with the year unless it is this year's."""
    name = "weekday_day_month" if day.year == today.year else "weekday_medium"
    return format_named(name, day)


def when_text(due_on: date, today: date) -> str:
    """When something is due, for a list: late by how much, or which day."""
    late = (today - due_on).days
    if late > 0:
        return f"{plural(late, 'day')} late"
    if late == 0:
        return "today"
    if late == -1:
        return "tomorrow"
    if late >= -6:
        return format_named("weekday", due_on)
    return weekday_date(due_on, today)


def dated_reasons(today: date) -> list[str]:
    """The longest ways Today's reason column starts with a date, in the date style
    now in force: the column is never narrower than these, so a date is never cut.
    (A flagged reason is longer by "flagged · "; the half of the room the column may
    take holds that too from 1024 px up, and the flag icon beside the name says it.)"""
    days = [today + timedelta(days=n) for n in range(2, 9)]
    return [f"follow-up due {when_text(day, today)}" for day in days]


def due_phrase(due_on: date, today: date) -> str:
    """The same, as a phrase after a date: "due in 3 days", "12 days late"."""
    late = (today - due_on).days
    if late > 0:
        return f"{plural(late, 'day')} late"
    if late == 0:
        return "due today"
    if late == -1:
        return "due tomorrow"
    return f"due in {plural(-late, 'day')}"


def what_text(item: DueItem) -> str:
    if item.kind is DueKind.KEEP_IN_TOUCH:
        return "Keep in touch"
    return item.title


def channel_text(channel: Channel | str) -> str:
    try:
        return CHANNEL_TEXT[Channel(channel)]
    except ValueError:
        return str(channel).title()


def name_list(names: list[str], limit: int = 3) -> str:
    """ "Ada, Ben and Chloé", or "Ada, Ben, Chloé and 2 more" past ``limit``."""
    if not names:
        return ""
    if len(names) > limit:
        return ", ".join(names[:limit]) + f" and {len(names) - limit} more"
    if len(names) == 1:
        return names[0]
    return ", ".join(names[:-1]) + " and " + names[-1]


def unique_clients(items: list[DueItem], limit: int | None = None) -> list[tuple[int, str]]:
    """Each client once, in the order the items come (the most urgent first); the
    first ``limit`` only when given (a tooltip names three of thousands)."""
    seen: set[int] = set()
    out: list[tuple[int, str]] = []
    for item in items:
        if item.client_id not in seen:
            seen.add(item.client_id)
            out.append((item.client_id, item.client_name))
            if limit is not None and len(out) >= limit:
                break
    return out


RHYTHM_WORDS = {
    7: "weekly",
    14: "fortnightly",
    30: "monthly",
    61: "two-monthly",
    91: "quarterly",
    182: "half-yearly",
}


def rhythm_phrase(cadence_days: int | None) -> str:
    """ "monthly rhythm", "45-day rhythm": the rhythm a keep-in-touch row is
    measured against, short enough for Today's reason column."""
    if cadence_days is None:
        return "no rhythm"
    word = RHYTHM_WORDS.get(cadence_days, f"{cadence_days}-day")
    return f"{word} rhythm"


def reason_text(item: DueItem, today: date) -> str:
    """Why a row sits where it does on Today, in the order's own terms: flagged
    clients first, then how late it is against its rhythm (a follow-up counts a
    week as its rhythm). "38 days late · monthly rhythm", "follow-up due today"."""
    late = (today - item.due_on).days
    if late > 0:
        when = f"{plural(late, 'day')} late"
    elif late == 0:
        when = "due today"
    else:
        when = f"due {when_text(item.due_on, today)}"
    if item.kind is DueKind.KEEP_IN_TOUCH:
        text = f"{when} · {rhythm_phrase(item.cadence_days)}"
    else:
        text = f"follow-up {when}"
    return f"flagged · {text}" if item.priority else text
