"""A client's keep-in-touch history: touches and follow-ups."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from exports.book_json.fields import _check_keys, _choice, _day, _moment, _objects, _text, _uid
from exports.book_json.format import (
    _CHANNELS,
    _FOLLOW_UP_KINDS,
    FOLLOW_UP_FIELDS,
    REQUIRED_FOLLOW_UP_FIELDS,
    REQUIRED_TOUCH_FIELDS,
    TOUCH_FIELDS,
    _kind,
    _q,
)
from exports.book_json.incoming import _IncomingFollowUp, _IncomingTouch
from models.entities import (
    Channel,
    FollowUpKind,
)
from models.services.reminders import TITLE_MAX, TouchInput, validate_touch


def _touches(value: Any, path: str, problems: list[str], now: datetime) -> list[_IncomingTouch]:
    touches: list[_IncomingTouch] = []
    for p, item in _objects(value, path, problems):
        before = len(problems)
        _check_keys(item, TOUCH_FIELDS, REQUIRED_TOUCH_FIELDS, p, problems)
        uid = _uid(item, p, problems)
        happened_at = _moment(item, "happened_at", p, problems, nullable=False)
        channel = (
            _choice(item["channel"], _CHANNELS, "channel", f"{p}.channel", problems)
            if "channel" in item
            else None
        )
        summary = _text(item.get("summary", ""), f"{p}.summary", problems)
        next_step = _text(item.get("next_step", ""), f"{p}.next_step", problems)
        created_at = _moment(item, "created_at", p, problems, nullable=False)
        if len(problems) > before or happened_at is None or channel is None:
            continue
        data = TouchInput(happened_at, Channel(channel), summary, next_step)
        # The rules of the "log a touch" dialog: nothing in the future, summaries that fit.
        for key, message in validate_touch(data, now=now).items():
            problems.append(f"{p}.{key}: {message}")
        if len(problems) > before:
            continue
        touches.append(
            _IncomingTouch(
                uid, happened_at, Channel(channel), summary.strip(), next_step.strip(), created_at
            )
        )
    return touches


def _follow_ups(
    value: Any, path: str, problems: list[str], touch_uids: set[str]
) -> list[_IncomingFollowUp]:
    follow_ups: list[_IncomingFollowUp] = []
    for p, item in _objects(value, path, problems):
        before = len(problems)
        _check_keys(item, FOLLOW_UP_FIELDS, REQUIRED_FOLLOW_UP_FIELDS, p, problems)
        uid = _uid(item, p, problems)
        kind = _choice(
            item.get("kind", FollowUpKind.MANUAL.value),
            _FOLLOW_UP_KINDS,
            "kind of follow-up",
            f"{p}.kind",
            problems,
        )
        title = _follow_up_title(item.get("title", ""), f"{p}.title", problems, "title" in item)
        note = _text(item.get("note", ""), f"{p}.note", problems)
        due_on = _day(item, "due_on", p, problems, nullable=False)
        original_due_on = _day(item, "original_due_on", p, problems, nullable=False)
        done_at = _moment(item, "done_at", p, problems, nullable=True)
        touch_uid = _touch_link(item.get("touch"), f"{p}.touch", problems, touch_uids)
        created_at = _moment(item, "created_at", p, problems, nullable=False)
        if len(problems) > before or due_on is None or kind is None:
            continue
        follow_ups.append(
            _IncomingFollowUp(
                uid,
                FollowUpKind(kind),
                title,
                note,
                due_on,
                original_due_on or due_on,
                done_at,
                touch_uid,
                created_at,
            )
        )
    return follow_ups


def _follow_up_title(value: Any, path: str, problems: list[str], present: bool) -> str:
    """Kept exactly as written: the app makes titles in more than one way (typed, or
    cut from a touch's next step), and an export must come back unchanged."""
    title = _text(value, path, problems)
    if present and isinstance(value, str) and not title.strip():
        problems.append(f"{path}: Say in a few words what to follow up on.")
    elif len(title) > TITLE_MAX:
        problems.append(f"{path}: Keep the title under {TITLE_MAX} characters.")
    return title


def _touch_link(value: Any, path: str, problems: list[str], touch_uids: set[str]) -> str | None:
    """A follow-up may point at the touch it came from, by that touch's id; only a
    touch of the same client, listed in the same file, can be meant."""
    return _link(value, path, problems, touch_uids, ("touch", "touches"))


def _link(
    value: Any, path: str, problems: list[str], uids: set[str], what: tuple[str, str]
) -> str | None:
    """An id or null that must name one of ``uids`` (``what``: singular, plural)."""
    if value is None:
        return None
    if not isinstance(value, str):
        problems.append(f"{path}: should be a {what[0]} id or null, not {_kind(value)}.")
        return None
    if value not in uids:
        problems.append(f"{path}: {_q(value)} is not the id of one of this client's {what[1]}.")
        return None
    return value


