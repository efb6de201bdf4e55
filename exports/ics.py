"""Upcoming keep-in-touch dates and follow-ups as an iCalendar file (RFC 5545).

For the consultant's own calendar app, which they look at anyway: one all-day
event per item. Each event's UID depends only on what it is about (the client and
its due date, or the follow-up), so importing a newer export updates events rather
than doubling them. Events are marked free time: a reminder is not a meeting.

icalendar is imported inside the function that needs it, never at start-up.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from models import __version__
from models.db import Book
from models.files import write_atomic
from models.reminders import DueKind, cadence_label, days_overdue
from models.services.reminders import DueDetail, due_details
from models.types import utcnow

PRODID = f"-//Rapport//Rapport {__version__}//EN"
CALENDAR_NAME = "Rapport: keep in touch"
DEFAULT_DAYS = 90
MAX_DAYS = 3660
UID_DOMAIN = "rapport"


def event_uid(detail: DueDetail) -> str:
    """Stable across exports: a keep-in-touch event is the client's due date, so a
    logged touch (a new due date) makes a new event; a follow-up keeps its UID when
    snoozed, so the calendar moves it."""
    if detail.follow_up_uid is not None:
        return f"{detail.follow_up_uid}@{UID_DOMAIN}"
    return f"{detail.client_uid}-touch-{detail.item.due_on.isoformat()}@{UID_DOMAIN}"


def event_day(detail: DueDetail, today: date) -> date:
    """Overdue items sit on today: a calendar entry in the past is never seen."""
    return max(detail.item.due_on, today)


def summary(detail: DueDetail) -> str:
    item = detail.item
    if item.kind is DueKind.FOLLOW_UP:
        return f"Follow up: {item.title} ({item.client_name})"
    return f"Get in touch: {item.client_name}"


def description(detail: DueDetail, today: date) -> str:
    item = detail.item
    lines: list[str] = []
    if detail.organisation:
        lines.append(f"Organisation: {detail.organisation}")
    if item.kind is DueKind.KEEP_IN_TOUCH:
        lines.append(f"Rhythm: {cadence_label(item.cadence_days)}")
    late = days_overdue(item.due_on, today)
    if late > 0:
        lines.append(f"Was due {item.due_on.isoformat()} ({_days(late)} late)")
    else:
        lines.append(f"Due {item.due_on.isoformat()}")
    if item.priority:
        lines.append("Priority client: this one comes first for now.")
    if detail.note.strip():
        lines += ["", detail.note]
    return "\n".join(lines)


def _days(n: int) -> str:
    return f"{n} day{'s' if n != 1 else ''}"


def _calendar(book: Book, today: date, days: int, now: datetime | None) -> tuple[bytes, int]:
    from icalendar import Calendar, Event

    if not 0 <= days <= MAX_DAYS:
        raise ValueError(f"days must be between 0 and {MAX_DAYS}, not {days}")
    stamp = (now or utcnow()).astimezone(UTC)
    details = sorted(
        due_details(book, today, horizon_days=days),
        key=lambda d: (
            event_day(d, today),
            d.item.kind is DueKind.FOLLOW_UP,
            d.item.client_name.casefold(),
            event_uid(d),
        ),
    )
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", CALENDAR_NAME)
    for d in details:
        day = event_day(d, today)
        ev = Event()
        ev.add("uid", event_uid(d))
        ev.add("dtstamp", stamp)
        ev.add("dtstart", day)  # a date, not a time: an all-day event
        ev.add("dtend", day + timedelta(days=1))
        ev.add("summary", summary(d))
        ev.add("description", description(d, today))
        ev.add("transp", "TRANSPARENT")
        cal.add_component(ev)
    return cal.to_ical(), len(details)


def build_calendar(book: Book, today: date, days: int, *, now: datetime | None = None) -> bytes:
    """The calendar of everything due up to ``today + days`` (overdue items on today).

    ``now`` is the DTSTAMP every event carries (when this file was made).
    """
    payload, _count = _calendar(book, today, days, now)
    return payload


def write_ics(book: Book, out: Path, today: date, days: int, *, now: datetime | None = None) -> int:
    """Write the calendar to ``out`` whole or not at all; returns the number of events."""
    payload, count = _calendar(book, today, days, now)
    write_atomic(Path(out), payload)
    return count
