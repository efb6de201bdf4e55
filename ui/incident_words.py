"""How incidents, promises, files and health are said on screen.

Kept free of Qt, like ui/wording.py, so the exact words ("Promise broken: 6 hours
late", "▲ 5 since last month") are tested without a display and are the same in
every view that shows them.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from models.date_style import NBSP, format_named, format_time
from models.enums import EntryKind, IncidentCategory, IncidentStatus, Severity
from models.health import Band, Factor
from models.incidents import ACTIVE_STATUSES, CATEGORY_LABELS, STATUS_LABELS, breach_words
from ui.wording import channel_text, short_date, weekday_date

if TYPE_CHECKING:
    from models.services.incidents import IncidentRow

SEVERITY_TEXT: dict[Severity, str] = {
    Severity.LOW: "Low",
    Severity.MEDIUM: "Medium",
    Severity.HIGH: "High",
    Severity.CRITICAL: "Critical",
}
SEVERITY_RANK: dict[Severity, int] = {s: i for i, s in enumerate(Severity)}
STATUS_RANK: dict[IncidentStatus, int] = {s: i for i, s in enumerate(IncidentStatus)}
ENTRY_KIND_TEXT: dict[EntryKind, str] = {
    EntryKind.NOTE: "Note",
    EntryKind.CALL: "Call",
    EntryKind.EMAIL: "Email",
    EntryKind.MEETING: "Meeting",
    EntryKind.DECISION: "Decision",
}
BAND_TEXT: dict[Band, str] = {Band.GREEN: "Healthy", Band.AMBER: "Needs care", Band.RED: "At risk"}
MINUS = "\u2212"


def severity_text(severity: Severity | str) -> str:
    return SEVERITY_TEXT.get(Severity(severity), str(severity).title())


def status_label(status: IncidentStatus | str) -> str:
    return STATUS_LABELS.get(IncidentStatus(status), str(status).title())


def category_label(category: IncidentCategory | str) -> str:
    return CATEGORY_LABELS.get(IncidentCategory(category), str(category).title())


def is_active(row: IncidentRow) -> bool:
    return row.status in ACTIVE_STATUSES


def moment_text(moment: datetime, now: datetime) -> str:
    """A moment on the user's clock: "Tue 14:00" within the week around now,
    "Tue 17 Mar 14:00" further off, with the year only when it differs (in the
    consultant's date style)."""
    local = moment.astimezone()
    here = now.astimezone()
    if abs((local.date() - here.date()).days) <= 6:
        day = format_named("weekday_short", local)
    else:
        day = weekday_date(local.date(), here.date())
    return f"{day}{NBSP}{format_time(local)}"


def day_text(moment: datetime, now: datetime) -> str:
    """ "10 Mar", or "10 Mar 2025" for another year, on the user's clock."""
    return short_date(moment.astimezone().date(), now.astimezone().date())


def stamp_text(moment: datetime, now: datetime) -> str:
    """ "10 Mar 14:02": a day and a time, for the timeline."""
    return f"{day_text(moment, now)}{NBSP}{format_time(moment.astimezone())}"


def promise_text(row: IncidentRow, now: datetime) -> tuple[str, bool]:
    """The promise of a full answer in one line, and whether it was broken (shown red).

    ``row.breach`` must have been computed against the same ``now``.
    """
    if row.responded_at is not None:
        if row.response_due_at is None:
            return f"Full answer given {moment_text(row.responded_at, now)}", False
        if row.breach is not None:
            return f"Answered {breach_words(row.breach)}", True
        return "Answered on time", False
    if row.response_due_at is None:
        return "No answer promised", False
    if row.breach is not None:
        return f"Promise broken: {breach_words(row.breach)}", True
    return f"Full answer promised by {moment_text(row.response_due_at, now)}", False


def promise_short(row: IncidentRow, now: datetime) -> tuple[str, bool]:
    """The same for a table cell."""
    if row.responded_at is None and row.response_due_at is not None and row.breach is None:
        return f"By {moment_text(row.response_due_at, now)}", False
    if row.responded_at is None and row.breach is not None:
        return f"Broken: {breach_words(row.breach)}", True
    if row.responded_at is not None and row.response_due_at is None:
        return "Answered", False
    if row.responded_at is None:
        return "", False
    return promise_text(row, now)


def promise_urgency(row: IncidentRow, now: datetime) -> float:
    """A number to sort the promise column by: broken promises first (the latest
    first), then promises still running (the soonest first), then the rest."""
    if row.responded_at is None and row.breach is not None:
        return 3e10 + row.breach.total_seconds()
    if row.responded_at is None and row.response_due_at is not None:
        return 2e10 - max(0.0, (row.response_due_at - now).total_seconds())
    if row.breach is not None:
        return 1e10
    return 0.0


def entry_kind_text(kind: str) -> str:
    """A timeline row's kind: "Decision", or "Call (touch)" for a logged touch."""
    if kind.startswith("touch:"):
        return f"{channel_text(kind.split(':', 1)[1])} (touch)"
    try:
        return ENTRY_KIND_TEXT[EntryKind(kind)]
    except ValueError:
        return kind.title()


def factor_text(factor: Factor) -> str:
    """ "−20: quarterly check-in 41 days late", with a real minus sign."""
    sign = MINUS if factor.points < 0 else "+"
    return f"{sign}{abs(factor.points)}: {factor.reason}"


def trend_text(delta: int) -> str:
    if delta > 0:
        return f"▲ {delta} since last month"
    if delta < 0:
        return f"▼ {-delta} since last month"
    return "No change since last month"
