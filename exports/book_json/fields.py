"""Reading single values of the file (text, dates, times, choices, ids, lists)
into the book's types, each problem reported with its path."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime
from typing import Any, TypeVar

from exports.book_json.format import CONTACT_FIELDS, DATE_SHAPE, UID_SHAPE, _kind, _q
from models.services.clients import (
    Contact,
)
from models.services.incidents import (
    display_name,
)


def _ids_in(items: Any) -> set[str]:
    """The ids of a list of objects, whatever else is wrong with it: what a link
    from another entry of the same client may point at."""
    return {
        item["id"]
        for item in (items if isinstance(items, list) else [])
        if isinstance(item, dict) and isinstance(item.get("id"), str)
    }


def _check_keys(
    raw: dict[str, Any],
    known: tuple[str, ...],
    required: tuple[str, ...],
    path: str,
    problems: list[str],
) -> None:
    # Unknown keys are refused, not ignored: a typo must not lose data quietly.
    for key in raw:
        if key not in known:
            problems.append(f"{path}: unknown field {_q(key)}.")
    for key in required:
        if key not in raw:
            problems.append(f'{path}: missing "{key}".')


def _uid(raw: dict[str, Any], path: str, problems: list[str]) -> str:
    uid = _text(raw.get("id", ""), f"{path}.id", problems)
    if "id" in raw and isinstance(raw["id"], str) and not UID_SHAPE.fullmatch(uid):
        problems.append(
            f"{path}.id: {_q(uid)} is not a Rapport id (32 characters, each 0-9 or a-f)."
        )
    return uid


def _list(value: Any, path: str, problems: list[str]) -> list[Any]:
    """``value`` if it is a list; otherwise reported, and read as an empty list."""
    if not isinstance(value, list):
        problems.append(f"{path}: should be a list, not {_kind(value)}.")
        return []
    return value


def _objects(
    value: Any, path: str, problems: list[str], shape: str = "an object"
) -> Iterator[tuple[str, dict[str, Any]]]:
    """Each object of the list ``value`` with its path; anything that is not a list,
    or an entry that is not an object, is reported (as ``shape``) and skipped."""
    for j, item in enumerate(_list(value, path, problems)):
        p = f"{path}[{j}]"
        if not isinstance(item, dict):
            problems.append(f"{p}: should be {shape}, not {_kind(item)}.")
            continue
        yield p, item


def _safe_name(name: str) -> str:
    """The name as written when it is one the app could have stored; otherwise tidied
    as attaching a file tidies it (no folders, no control characters, 255 at most),
    so a file cannot smuggle a path into the book."""
    if (
        len(name) <= 255
        and not re.search(r"[\\/\x00-\x1f\x7f-\x9f]", name)
        and name.strip() not in ("", ".", "..")
    ):
        return name
    return display_name(name)


def _cadence(value: Any, path: str, problems: list[str]) -> int | None:
    if value is None:
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, float):
        problems.append(f"{path}: {_q(value)} is not a whole number of days.")
    else:
        problems.append(f"{path}: should be a whole number of days or null, not {_kind(value)}.")
    return None


def _choice(
    value: Any, allowed: tuple[str, ...], what: str, path: str, problems: list[str]
) -> str | None:
    if isinstance(value, str) and value in allowed:
        return value
    if isinstance(value, str):
        options = ", ".join(f'"{a}"' for a in allowed[:-1]) + f' or "{allowed[-1]}"'
        problems.append(f"{path}: {_q(value)} is not a {what}; use {options}.")
    else:
        problems.append(f"{path}: should be text, not {_kind(value)}.")
    return None


_Parsed = TypeVar("_Parsed")


def _written(
    raw: dict[str, Any],
    key: str,
    path: str,
    problems: list[str],
    *,
    nullable: bool,
    what: str,
    parse: Callable[[str, str, list[str]], _Parsed | None],
) -> _Parsed | None:
    """``raw[key]``, a date or time written as text, read by ``parse``. None when the
    key is absent, null, or not text; the last two are reported (null only when it is
    not allowed), in words that say ``what`` was expected."""
    if key not in raw:
        return None
    value = raw[key]
    path = f"{path}.{key}"
    if value is None:
        if not nullable:
            problems.append(f"{path}: should be {what}, not null.")
        return None
    if not isinstance(value, str):
        problems.append(f"{path}: should be {what} as text, not {_kind(value)}.")
        return None
    return parse(value, path, problems)


def _day(
    raw: dict[str, Any], key: str, path: str, problems: list[str], *, nullable: bool
) -> date | None:
    return _written(raw, key, path, problems, nullable=nullable, what="a date", parse=_as_day)


def _as_day(value: str, path: str, problems: list[str]) -> date | None:
    if not DATE_SHAPE.fullmatch(value):
        problems.append(
            f'{path}: {_q(value)} is not a date in the form YYYY-MM-DD, like "2025-03-14".'
        )
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        problems.append(f"{path}: {_q(value)} is not a day of the calendar.")
        return None


# No field of a book holds more than this; a longer one is a damaged or hostile file,
# refused at the edge instead of carried into the book (a note this long would be
# some 500 pages).
TEXT_LIMIT = 1_000_000


def _text(value: Any, path: str, problems: list[str]) -> str:
    if not isinstance(value, str):
        problems.append(f"{path}: should be text, not {_kind(value)}.")
        return ""
    if len(value) > TEXT_LIMIT:
        problems.append(
            f"{path}: is {len(value)} characters long; a field holds at most {TEXT_LIMIT}."
        )
        return ""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        # JSON can spell half a UTF-16 pair ("\ud800"); no file or database can keep it.
        problems.append(f"{path}: contains a broken character (half of a UTF-16 pair).")
        return ""
    return value


def _contacts(value: Any, path: str, problems: list[str]) -> list[Contact]:
    contacts: list[Contact] = []
    shape = 'an object like {"value": "…", "label": "work"}'
    for p, item in _objects(value, path, problems, shape):
        for key in item:
            if key not in CONTACT_FIELDS:
                problems.append(f"{p}: unknown field {_q(key)}.")
        if "value" not in item:
            problems.append(f'{p}: missing "value".')
            continue
        before = len(problems)
        contact_value = _text(item["value"], f"{p}.value", problems)
        label = _text(item.get("label", ""), f"{p}.label", problems)
        if len(problems) > before:
            continue
        if not contact_value.strip():
            # Blank rows would shift the numbering validate_client reports against.
            problems.append(f"{p}.value: is empty; fill it in or remove this entry.")
            continue
        contacts.append(Contact(contact_value, label))
    return contacts


def _tags(value: Any, path: str, problems: list[str]) -> list[str]:
    return [_text(t, f"{path}[{j}]", problems) for j, t in enumerate(_list(value, path, problems))]


def _moment(
    raw: dict[str, Any], key: str, path: str, problems: list[str], *, nullable: bool
) -> datetime | None:
    return _written(
        raw, key, path, problems, nullable=nullable, what="a date and time", parse=_as_moment
    )


def _as_moment(value: str, path: str, problems: list[str]) -> datetime | None:
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        problems.append(
            f"{path}: {_q(value)} is not a date and time in ISO 8601 form, "
            'like "2025-03-14T09:30:00+00:00".'
        )
        return None
    if moment.utcoffset() is None:
        problems.append(f'{path}: {_q(value)} has no time zone; add one, like "+00:00" or "Z".')
        return None
    try:
        return moment.astimezone(UTC)
    except OverflowError:
        problems.append(f"{path}: {_q(value)} is too far in the past or future.")
        return None


def _field_path(key: str) -> str:
    """validate_client's "emails.2" as the file's "emails[2]"."""
    name, _, index = key.partition(".")
    return f"{name}[{index}]" if index else name


def _straight_quotes(message: str) -> str:
    # The dialog's “curly” quotes read oddly next to JSON paths; match the file.
    return message.replace("“", '"').replace("”", '"')


