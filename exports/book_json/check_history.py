"""A client's keep-in-touch history, checked by the models: the rules of the "log
a touch" dialog and of follow-ups, and links to this client's own touches."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from exports.book_json.format import _q
from exports.book_json.incoming import _IncomingFollowUp, _IncomingTouch
from exports.book_json.problems import Loc, Problem, Record
from models.services.reminders import SUMMARY_MAX, TITLE_MAX, TouchInput, validate_touch
from models.types import stored_from_iso, stored_moment


def utc(moment: datetime | None) -> datetime | None:
    """A checked time as the book keeps it (the file may give any offset)."""
    return moment.astimezone(UTC) if moment is not None else None


def touches(
    at: Loc,
    items: list[Record],
    raw: Sequence[Record],
    problems: list[Problem],
    now: datetime,
) -> list[_IncomingTouch]:
    """``items`` as the models checked them, ``raw`` the same touches as the file
    wrote them: a touch's moments are taken from the file's text (stored_from_iso),
    which for an export's UTC text is a cut, not a parse and a format, and the
    rule "not in the future" compares that text with ``now``'s, as both are UTC
    written alike. Most of a file is touches; this is its one pass over them."""
    out: list[_IncomingTouch] = []
    append = out.append
    late = stored_moment(now)
    for j, (t, r) in enumerate(zip(items, raw, strict=True)):
        happened = stored_from_iso(r["happened_at"], t["happened_at"])
        summary = t["summary"]
        if happened > late or len(summary) > SUMMARY_MAX:
            # Only such a touch can break a rule of the dialog (nothing in the
            # future, summaries that fit): the service words why, if it does.
            data = TouchInput(
                t["happened_at"].astimezone(UTC), t["channel"], summary, t["next_step"]
            )
            errors = validate_touch(data, now=now)
            if errors:
                problems.extend(((*at, j, key), message) for key, message in errors.items())
                continue
        created = t["created_at"]
        append(
            _IncomingTouch(
                t["id"],
                happened,
                t["channel"],
                summary.strip(),
                t["next_step"].strip(),
                stored_from_iso(r["created_at"], created) if created is not None else None,
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
