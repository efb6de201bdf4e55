"""A client's keep-in-touch history, checked by the models: the rules of the "log
a touch" dialog and of follow-ups, and links to this client's own touches."""

from __future__ import annotations

from datetime import UTC, datetime

from exports.book_json.format import _q
from exports.book_json.incoming import _IncomingFollowUp, _IncomingTouch
from exports.book_json.problems import Loc, Problem, Record
from models.services.reminders import SUMMARY_MAX, TITLE_MAX, TouchInput, validate_touch


def utc(moment: datetime | None) -> datetime | None:
    """A checked time as the book keeps it (the file may give any offset)."""
    return moment.astimezone(UTC) if moment is not None else None


def touches(
    at: Loc, items: list[Record], problems: list[Problem], now: datetime
) -> list[_IncomingTouch]:
    out: list[_IncomingTouch] = []
    for j, t in enumerate(items):
        happened = t["happened_at"].astimezone(UTC)
        if happened > now or len(t["summary"]) > SUMMARY_MAX:
            # Only such a touch can break a rule of the dialog (nothing in the
            # future, summaries that fit): the service words why, if it does.
            data = TouchInput(happened, t["channel"], t["summary"], t["next_step"])
            errors = validate_touch(data, now=now)
            if errors:
                problems.extend(((*at, j, key), message) for key, message in errors.items())
                continue
        out.append(
            _IncomingTouch(
                t["id"],
                happened,
                t["channel"],
                t["summary"].strip(),
                t["next_step"].strip(),
                t["created_at"].astimezone(UTC) if t["created_at"] is not None else None,
            )
        )
    return out


def follow_ups(
    at: Loc, items: list[Record], problems: list[Problem], touch_uids: set[str]
) -> list[_IncomingFollowUp]:
    """Titles are kept exactly as written: the app makes them in more than one way
    (typed, or cut from a touch's next step), and an export must come back unchanged."""
    out: list[_IncomingFollowUp] = []
    for j, f in enumerate(items):
        before = len(problems)
        p = (*at, j)
        if not f["title"].strip():
            problems.append(((*p, "title"), "Say in a few words what to follow up on."))
        elif len(f["title"]) > TITLE_MAX:
            problems.append(((*p, "title"), f"Keep the title under {TITLE_MAX} characters."))
        if f["touch"] is not None and f["touch"] not in touch_uids:
            problems.append(
                ((*p, "touch"), f"{_q(f['touch'])} is not the id of one of this client's touches.")
            )
        if len(problems) > before:
            continue
        out.append(
            _IncomingFollowUp(
                f["id"],
                f["kind"],
                f["title"],
                f["note"],
                f["due_on"],
                f["original_due_on"] or f["due_on"],
                utc(f["done_at"]),
                f["touch"],
                utc(f["created_at"]),
            )
        )
    return out
