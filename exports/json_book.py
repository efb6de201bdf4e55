"""Whole-book JSON export and import (format "rapport-book"; see docs/json-format.md).

This file is the user's way out of Rapport and a script's way in, so it is
documented, versioned and strict. An import checks every field of every client
before it writes anything, then merges in one transaction: a bad file never leaves
a half-imported book. An export carries no export time and has a fixed order, so
exporting the same book twice gives the same bytes, and exports diff cleanly.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from models.db import Book
from models.entities import (
    Channel,
    Client,
    ClientStatus,
    ContactKind,
    FollowUp,
    FollowUpKind,
    Touch,
)
from models.errors import RapportError
from models.files import write_atomic
from models.reminders import later_touch
from models.services.clients import (
    ClientInput,
    Contact,
    apply_input,
    local_date,
    recompute_touch_due,
    validate_client,
)
from models.services.reminders import TITLE_MAX, TouchInput, validate_touch
from models.types import utcnow

FORMAT = "rapport-book"
VERSION = 2

UID_SHAPE = re.compile(r"[0-9a-f]{32}")
TOP_LEVEL_FIELDS = ("format", "version", "clients")
# Order matters: problems are reported in this order, and exports use it too.
CLIENT_FIELDS = (
    "id",
    "name",
    "organisation",
    "role",
    "status",
    "notes",
    "emails",
    "phones",
    "tags",
    "cadence_days",
    "priority_until",
    "created_at",
    "updated_at",
    "archived_at",
    "touches",
    "follow_ups",
)
REQUIRED_CLIENT_FIELDS = ("id", "name")
CONTACT_FIELDS = ("value", "label")
TOUCH_FIELDS = ("id", "happened_at", "channel", "summary", "next_step", "created_at")
REQUIRED_TOUCH_FIELDS = ("id", "happened_at", "channel")
FOLLOW_UP_FIELDS = (
    "id",
    "kind",
    "title",
    "note",
    "due_on",
    "original_due_on",
    "done_at",
    "touch",
    "created_at",
)
REQUIRED_FOLLOW_UP_FIELDS = ("id", "title", "due_on")
_STATUSES = tuple(s.value for s in ClientStatus)
_CHANNELS = tuple(c.value for c in Channel)
_FOLLOW_UP_KINDS = tuple(k.value for k in FollowUpKind)
# Dates are written one way only, so a file diffs cleanly and "2025-3-1" is caught.
DATE_SHAPE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_SQL_CHUNK = 500


class BookFormatError(RapportError, ValueError):
    """A file that cannot be imported; str() is one line for the user naming the spot.

    ``problems`` keeps every problem found, in file order, for a caller that wants
    to show them all; the message shows the first and how many more there are.
    """

    def __init__(self, problems: str | Iterable[str]) -> None:
        self.problems = [problems] if isinstance(problems, str) else list(problems)
        if not self.problems:
            self.problems = ["This file could not be imported."]
        first, more = self.problems[0], len(self.problems) - 1
        if more:
            first += f" ({more} more problem{'s' if more > 1 else ''} in this file.)"
        super().__init__(first)


@dataclass
class ImportResult:
    created: int
    updated: int
    unchanged: int


# --------------------------------------------------------------------------- export


def export_book(book: Book) -> dict[str, Any]:
    """Every client, archived ones included, in an order that depends only on the data."""
    with book.reader() as s:
        clients = s.scalars(
            select(Client)
            .order_by(Client.uid)
            .options(selectinload(Client.contacts), selectinload(Client.tags))
        ).all()
        touches: dict[int, list[Touch]] = {}
        touch_uids: dict[int, str] = {}
        for t in s.scalars(select(Touch)):
            touches.setdefault(t.client_id, []).append(t)
            touch_uids[t.id] = t.uid
        follow_ups: dict[int, list[FollowUp]] = {}
        for fu in s.scalars(select(FollowUp)):
            follow_ups.setdefault(fu.client_id, []).append(fu)
        docs = [
            _client_doc(c, touches.get(c.id, []), follow_ups.get(c.id, []), touch_uids)
            for c in sorted(clients, key=lambda c: c.uid)
        ]
    return {"format": FORMAT, "version": VERSION, "clients": docs}


def _client_doc(
    c: Client, touches: list[Touch], follow_ups: list[FollowUp], touch_uids: dict[int, str]
) -> dict[str, Any]:
    # last_touch_on and touch_due_on are left out on purpose: they follow from the
    # touches and the rules, and an import recomputes them rather than trusting a file.
    return {
        "id": c.uid,
        "name": c.name,
        "organisation": c.organisation,
        "role": c.role,
        "status": ClientStatus(c.status).value,
        "notes": c.notes,
        "emails": _contacts_doc(c, ContactKind.EMAIL),
        "phones": _contacts_doc(c, ContactKind.PHONE),
        "tags": sorted((t.name for t in c.tags), key=lambda n: (n.casefold(), n)),
        "cadence_days": c.cadence_days,
        "priority_until": c.priority_until.isoformat() if c.priority_until else None,
        "created_at": _iso(c.created_at),
        "updated_at": _iso(c.updated_at),
        "archived_at": _iso(c.archived_at) if c.archived_at is not None else None,
        "touches": [_touch_doc(t) for t in sorted(touches, key=lambda t: (t.happened_at, t.uid))],
        "follow_ups": [
            _follow_up_doc(fu, touch_uids)
            for fu in sorted(follow_ups, key=lambda fu: (fu.due_on, fu.uid))
        ],
    }


def _touch_doc(t: Touch) -> dict[str, Any]:
    return {
        "id": t.uid,
        "happened_at": _iso(t.happened_at),
        "channel": Channel(t.channel).value,
        "summary": t.summary,
        "next_step": t.next_step,
        "created_at": _iso(t.created_at),
    }


def _follow_up_doc(fu: FollowUp, touch_uids: dict[int, str]) -> dict[str, Any]:
    return {
        "id": fu.uid,
        "kind": FollowUpKind(fu.kind).value,
        "title": fu.title,
        "note": fu.note,
        "due_on": fu.due_on.isoformat(),
        "original_due_on": fu.original_due_on.isoformat(),
        "done_at": _iso(fu.done_at) if fu.done_at is not None else None,
        "touch": touch_uids.get(fu.touch_id) if fu.touch_id is not None else None,
        "created_at": _iso(fu.created_at),
    }


def _contacts_doc(c: Client, kind: ContactKind) -> list[dict[str, str]]:
    points = sorted((p for p in c.contacts if p.kind == kind), key=lambda p: p.position)
    return [{"value": p.value, "label": p.label} for p in points]


def _iso(moment: datetime) -> str:
    # Always microseconds and "+00:00", so the same moment is always the same text.
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def dumps(doc: dict[str, Any]) -> str:
    """The exact text write_json produces, for callers that print instead of saving."""
    return json.dumps(doc, ensure_ascii=False, indent=2, sort_keys=False) + "\n"


def write_json(book: Book, out: Path) -> int:
    """Export the book to ``out``, replacing it only once the new file is complete."""
    doc = export_book(book)
    write_atomic(Path(out), dumps(doc).encode("utf-8"))
    return len(doc["clients"])


# --------------------------------------------------------------------------- reading


def read_json(path: Path) -> dict[str, Any]:
    """The parsed file, or a BookFormatError that says plainly why it cannot be read."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise BookFormatError(f"There is no file at {path}.") from None
    except IsADirectoryError:
        raise BookFormatError(f"{path} is a folder, not a file.") from None
    except OSError as exc:
        raise BookFormatError(f"{path} could not be read: {exc.strerror or exc}.") from None
    if not raw.strip():
        raise BookFormatError(f"{path} is empty.")
    try:
        # utf-8-sig: some Windows editors put a byte-order mark in front of UTF-8.
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise BookFormatError(
            f"{path} is not UTF-8 text (byte {exc.start} is not valid UTF-8)."
        ) from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise BookFormatError(
            f"{path} is not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}."
        ) from None
    except RecursionError:
        raise BookFormatError(f"{path} is nested too deeply to be a Rapport export.") from None
    if not isinstance(data, dict):
        raise BookFormatError(
            f"This is not a Rapport book export (the file holds {_kind(data)}, not a JSON object)."
        )
    return data


# --------------------------------------------------------------------------- versions

_NEW_IN_2 = ("cadence_days", "priority_until", "touches", "follow_ups")


def _upgrade_1_to_2(data: dict[str, Any]) -> dict[str, Any]:
    """Version 1 knew nothing of keep-in-touch: no rhythm, no priority, no history.

    A version-1 client that already carries a version-2 key is refused rather than
    half-read: the file's writer meant version 2 and should say so.
    Only clients that are objects are given the new keys; anything else is left for
    the checks to report in the file's own terms.
    """
    clients = data.get("clients")
    if not isinstance(clients, list):
        return {**data, "version": 2}
    problems: list[str] = []
    upgraded: list[Any] = []
    for i, c in enumerate(clients):
        if not isinstance(c, dict):
            upgraded.append(c)
            continue
        for key in _NEW_IN_2:
            if key in c:
                problems.append(
                    f"clients[{i}]: unknown field {_q(key)} in a version 1 file "
                    '(it is new in version 2; say "version": 2).'
                )
        upgraded.append(
            {**c, "cadence_days": None, "priority_until": None, "touches": [], "follow_ups": []}
        )
    if problems:
        raise BookFormatError(problems)
    return {**data, "version": 2, "clients": upgraded}


# One step per old version: _UPGRADES[n] turns a version-n document into a
# version n+1 one.
_UPGRADES: dict[int, Callable[[dict[str, Any]], dict[str, Any]]] = {1: _upgrade_1_to_2}


def _upgrade_document(data: dict[str, Any]) -> dict[str, Any]:
    """Bring an older export to VERSION, so checking and merging know one shape only.

    When version 3 arrives, add ``_UPGRADES[2]`` (a function from a version-2
    document to a version-3 one) and bump VERSION; nothing else changes.
    """
    version: int = data["version"]
    while version < VERSION:
        data = _UPGRADES[version](data)
        version = data["version"]
    return data


def _check_header(data: Any) -> dict[str, Any]:
    """Is this a Rapport book export we can read? Fails fast: nothing else is
    worth checking in a file that is something else entirely."""
    if not isinstance(data, dict):
        raise BookFormatError(
            f"This is not a Rapport book export (expected a JSON object, found {_kind(data)})."
        )
    if "format" not in data:
        raise BookFormatError('This is not a Rapport book export (missing "format").')
    if data["format"] != FORMAT:
        raise BookFormatError(
            f'This is not a Rapport book export ("format" is {_q(data["format"])}, '
            f'expected "{FORMAT}").'
        )
    if "version" not in data:
        raise BookFormatError('This Rapport book export has no "version".')
    version = data["version"]
    if not isinstance(version, int) or isinstance(version, bool):
        raise BookFormatError(f'"version" should be a whole number, not {_kind(version)}.')
    if version > VERSION:
        raise BookFormatError(
            f"This export is version {version}; this Rapport reads version {VERSION} or older."
        )
    if version < 1:
        raise BookFormatError(f"This export says version {version}, but versions start at 1.")
    data = _upgrade_document(data)
    for key in data:
        if key not in TOP_LEVEL_FIELDS:
            raise BookFormatError(f"This export has an unknown top-level field {_q(key)}.")
    if "clients" not in data:
        raise BookFormatError('This export has no "clients" list.')
    if not isinstance(data["clients"], list):
        raise BookFormatError(f'"clients" should be a list, not {_kind(data["clients"])}.')
    return data


# --------------------------------------------------------------------------- checking


@dataclass
class _IncomingTouch:
    uid: str
    happened_at: datetime
    channel: Channel
    summary: str
    next_step: str
    created_at: datetime | None  # None: not in the file


@dataclass
class _IncomingFollowUp:
    uid: str
    kind: FollowUpKind
    title: str
    note: str
    due_on: date
    original_due_on: date
    done_at: datetime | None
    touch_uid: str | None
    created_at: datetime | None  # None: not in the file


@dataclass
class _Incoming:
    """One client of the file, checked and cleaned, ready to merge."""

    index: int
    uid: str
    data: ClientInput
    created_at: datetime | None  # None: not in the file
    updated_at: datetime | None  # None: not in the file
    archived_at: datetime | None
    priority_until: date | None = None
    touches: list[_IncomingTouch] = field(default_factory=list)
    follow_ups: list[_IncomingFollowUp] = field(default_factory=list)


def _check_document(data: Any, now: datetime) -> list[_Incoming]:
    """Every client of the file, or a BookFormatError listing every problem found."""
    doc = _check_header(data)
    problems: list[str] = []
    incoming: list[_Incoming] = []
    first_client: dict[str, str] = {}
    first_touch: dict[str, str] = {}
    first_follow_up: dict[str, str] = {}
    for i, raw in enumerate(doc["clients"]):
        inc = _check_client(i, raw, problems, now)
        if inc is not None:
            incoming.append(inc)
        if not isinstance(raw, dict):
            continue
        _note_duplicate(raw, f"clients[{i}]", first_client, problems)
        for key, seen in (("touches", first_touch), ("follow_ups", first_follow_up)):
            items = raw.get(key)
            if isinstance(items, list):
                for j, item in enumerate(items):
                    if isinstance(item, dict):
                        _note_duplicate(item, f"clients[{i}].{key}[{j}]", seen, problems)
    if problems:
        raise BookFormatError(problems)
    return incoming


def _note_duplicate(
    raw: dict[str, Any], path: str, seen: dict[str, str], problems: list[str]
) -> None:
    """Ids are unique across the whole file: two entries with one id cannot both be merged."""
    uid = raw.get("id")
    if not (isinstance(uid, str) and UID_SHAPE.fullmatch(uid)):
        return
    if uid in seen:
        problems.append(f"{path}.id: {_q(uid)} appears twice; {seen[uid]} has it too.")
    else:
        seen[uid] = path


def _check_client(i: int, raw: Any, problems: list[str], now: datetime) -> _Incoming | None:
    path = f"clients[{i}]"
    if not isinstance(raw, dict):
        problems.append(f"{path}: should be an object, not {_kind(raw)}.")
        return None
    before = len(problems)
    _check_keys(raw, CLIENT_FIELDS, REQUIRED_CLIENT_FIELDS, path, problems)

    uid = _uid(raw, path, problems)
    name = _text(raw.get("name", ""), f"{path}.name", problems)
    organisation = _text(raw.get("organisation", ""), f"{path}.organisation", problems)
    role = _text(raw.get("role", ""), f"{path}.role", problems)
    status = ClientStatus(
        _choice(
            raw.get("status", ClientStatus.ACTIVE.value),
            _STATUSES,
            "status",
            f"{path}.status",
            problems,
        )
        or ClientStatus.ACTIVE
    )
    notes = _text(raw.get("notes", ""), f"{path}.notes", problems)
    emails = _contacts(raw.get("emails", []), f"{path}.emails", problems)
    phones = _contacts(raw.get("phones", []), f"{path}.phones", problems)
    tags = _tags(raw.get("tags", []), f"{path}.tags", problems)
    cadence_days = _cadence(raw.get("cadence_days"), f"{path}.cadence_days", problems)
    priority_until = _day(raw, "priority_until", path, problems, nullable=True)
    created_at = _moment(raw, "created_at", path, problems, nullable=False)
    updated_at = _moment(raw, "updated_at", path, problems, nullable=False)
    archived_at = _moment(raw, "archived_at", path, problems, nullable=True)

    data = ClientInput(
        name=name,
        organisation=organisation,
        role=role,
        emails=emails,
        phones=phones,
        tags=tags,
        notes=notes,
        status=status,
        cadence_days=cadence_days,
    )
    if len(problems) == before:
        # The same rules as the edit dialog, so an import cannot sneak in a client the
        # user could not have typed.
        for key, message in validate_client(data).items():
            problems.append(f"{path}.{_field_path(key)}: {_straight_quotes(message)}")
    # The history is checked even when the client's own fields are wrong, so one
    # pass over a file reports everything.
    touches = _touches(raw.get("touches", []), f"{path}.touches", problems, now)
    raw_touches = raw.get("touches", [])
    touch_uids = {
        t["id"]
        for t in (raw_touches if isinstance(raw_touches, list) else [])
        if isinstance(t, dict) and isinstance(t.get("id"), str)
    }
    follow_ups = _follow_ups(raw.get("follow_ups", []), f"{path}.follow_ups", problems, touch_uids)
    if len(problems) > before:
        return None
    return _Incoming(
        i,
        uid,
        data.cleaned(),
        created_at,
        updated_at,
        archived_at,
        priority_until,
        touches,
        follow_ups,
    )


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
    if value is None:
        return None
    if not isinstance(value, str):
        problems.append(f"{path}: should be a touch id or null, not {_kind(value)}.")
        return None
    if value not in touch_uids:
        problems.append(f"{path}: {_q(value)} is not the id of one of this client's touches.")
        return None
    return value


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


def _text(value: Any, path: str, problems: list[str]) -> str:
    if not isinstance(value, str):
        problems.append(f"{path}: should be text, not {_kind(value)}.")
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


def _kind(value: Any) -> str:
    """A JSON value's type in plain words."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def _q(value: Any, limit: int = 40) -> str:
    """A value as it would appear in the file, cut short so the message stays one line."""
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return json.dumps(text, ensure_ascii=False) if isinstance(value, str) else text


# --------------------------------------------------------------------------- merging


def import_book(book: Book, data: dict[str, Any], *, now: datetime | None = None) -> ImportResult:
    """Merge a parsed export into ``book`` by client id, all or nothing.

    Clients already in the book (same id) take the file's fields, contacts, tags,
    timestamps, touches and follow-ups; new ids are added with the file's ids and
    timestamps; clients that only the book has are left alone. ``now`` stands in
    for timestamps a hand-written file leaves out, and is the "now" a touch may not
    be later than.
    """
    now = now or utcnow()
    incoming = _check_document(data, now)
    result = ImportResult(created=0, updated=0, unchanged=0)
    with book.session() as s:
        existing = _clients_by_uid(s, [inc.uid for inc in incoming])
        history = _history(s, [c.id for c in existing.values()])
        # Clients whose touches changed: their dates are recomputed once, at the end.
        changed: set[int] = set()
        for inc in incoming:
            client = existing.get(inc.uid)
            if client is not None and _unchanged(client, inc, history.get(client.id)):
                result.unchanged += 1
                continue
            try:
                if client is None:
                    client = Client(uid=inc.uid, created_at=inc.created_at or now)
                    s.add(client)
                    result.created += 1
                else:
                    result.updated += 1
                apply_input(s, client, inc.data, now)
                if inc.created_at is not None:
                    client.created_at = inc.created_at
                client.updated_at = inc.updated_at or now
                client.archived_at = inc.archived_at
                client.priority_until = inc.priority_until
                # Flush per client, so a refusal from the database names its client.
                s.flush()
                changed.add(client.id)
                changed |= _replace_history(s, client, inc, now)
                s.flush()
            except IntegrityError as exc:
                raise BookFormatError(
                    f"clients[{inc.index}]: the book refused this client ({exc.orig})."
                ) from exc
        _refresh_touch_dates(s, changed)
    return result


def _clients_by_uid(s: Session, uids: list[str]) -> dict[str, Client]:
    found: dict[str, Client] = {}
    for start in range(0, len(uids), _SQL_CHUNK):
        chunk = uids[start : start + _SQL_CHUNK]
        for c in s.scalars(
            select(Client)
            .where(Client.uid.in_(chunk))
            .options(selectinload(Client.contacts), selectinload(Client.tags))
        ):
            found[c.uid] = c
    return found


@dataclass
class _History:
    touches: list[Touch] = field(default_factory=list)
    follow_ups: list[FollowUp] = field(default_factory=list)
    touch_uids: dict[int, str] = field(default_factory=dict)


def _history(s: Session, client_ids: list[int]) -> dict[int, _History]:
    """The touches and follow-ups the book holds for these clients, for comparing."""
    found: dict[int, _History] = {}
    for start in range(0, len(client_ids), _SQL_CHUNK):
        chunk = client_ids[start : start + _SQL_CHUNK]
        for t in s.scalars(select(Touch).where(Touch.client_id.in_(chunk))):
            h = found.setdefault(t.client_id, _History())
            h.touches.append(t)
            h.touch_uids[t.id] = t.uid
        for fu in s.scalars(select(FollowUp).where(FollowUp.client_id.in_(chunk))):
            found.setdefault(fu.client_id, _History()).follow_ups.append(fu)
    return found


def _replace_history(s: Session, client: Client, inc: _Incoming, now: datetime) -> set[int]:
    """Make the client's touches and follow-ups exactly the file's, matched by id.

    A row the file lists under this client but the book keeps under another moves
    here; the ids of the clients it left are returned, as their dates change too.
    """
    touch_uids = [t.uid for t in inc.touches]
    fu_uids = [f.uid for f in inc.follow_ups]
    touches = {t.uid: t for t in _rows_for(s, Touch, client.id, touch_uids)}
    follow_ups = {f.uid: f for f in _rows_for(s, FollowUp, client.id, fu_uids)}
    # Follow-ups first, so none is left pointing at a touch about to go.
    keep_fu, keep_touch = set(fu_uids), set(touch_uids)
    for uid, fu in follow_ups.items():
        if uid not in keep_fu:
            s.delete(fu)
    for uid, t in touches.items():
        if uid not in keep_touch:
            s.delete(t)
    s.flush()

    left: set[int] = set()
    placed: dict[str, Touch] = {}
    for it in inc.touches:
        row = _place(s, Touch, touches, it.uid, it.created_at, client.id, now, left)
        row.happened_at = it.happened_at
        row.channel = it.channel
        row.summary = it.summary
        row.next_step = it.next_step
        placed[it.uid] = row
    s.flush()  # new touches get their row ids, which follow-ups point at

    for ifu in inc.follow_ups:
        fu = _place(s, FollowUp, follow_ups, ifu.uid, ifu.created_at, client.id, now, left)
        fu.kind = ifu.kind
        fu.title = ifu.title
        fu.note = ifu.note
        fu.due_on = ifu.due_on
        fu.original_due_on = ifu.original_due_on
        fu.done_at = ifu.done_at
        fu.touch_id = placed[ifu.touch_uid].id if ifu.touch_uid is not None else None
    return left


_Row = TypeVar("_Row", Touch, FollowUp)


def _place(
    s: Session,
    entity: type[_Row],
    rows: dict[str, _Row],
    uid: str,
    created_at: datetime | None,
    client_id: int,
    now: datetime,
    left: set[int],
) -> _Row:
    """The row with ``uid`` filed under ``client_id``: the book's own, moved here from
    another client if need be (that client's id goes into ``left``), or a new one.
    A file without ``created_at`` keeps the book's, or says "now" for a new row."""
    row = rows.get(uid)
    if row is None:
        row = entity(uid=uid, client_id=client_id, created_at=created_at or now)
        s.add(row)
        return row
    if row.client_id != client_id:
        left.add(row.client_id)
        row.client_id = client_id
    if created_at is not None:
        row.created_at = created_at
    return row


def _rows_for(s: Session, entity: type[_Row], client_id: int, uids: list[str]) -> list[_Row]:
    """The client's rows, and any row elsewhere in the book that has one of ``uids``."""
    rows = {r.uid: r for r in s.scalars(select(entity).where(entity.client_id == client_id))}
    for start in range(0, len(uids), _SQL_CHUNK):
        chunk = uids[start : start + _SQL_CHUNK]
        for r in s.scalars(select(entity).where(entity.uid.in_(chunk))):
            rows[r.uid] = r
    return list(rows.values())


def _refresh_touch_dates(s: Session, client_ids: set[int]) -> None:
    """Set each client's latest touch day and next due date as logging its touches
    one by one would have: the latest day any touch happened on, in the user's own
    time zone, then the due rule."""
    ids = sorted(client_ids)
    for start in range(0, len(ids), _SQL_CHUNK):
        chunk = ids[start : start + _SQL_CHUNK]
        latest: dict[int, date] = {}
        for cid, happened_at in s.execute(
            select(Touch.client_id, Touch.happened_at).where(Touch.client_id.in_(chunk))
        ):
            latest[cid] = later_touch(latest.get(cid), local_date(happened_at))
        for client in s.scalars(select(Client).where(Client.id.in_(chunk))):
            client.last_touch_on = latest.get(client.id)
            recompute_touch_due(client)


def _unchanged(c: Client, inc: _Incoming, history: _History | None) -> bool:
    """Would importing ``inc`` change nothing? Tag names compare without case, as
    tags are shared book-wide and an import reuses "VIP" for "vip"."""
    d = inc.data
    h = history or _History()

    def points(kind: ContactKind) -> list[tuple[str, str]]:
        ps = sorted((p for p in c.contacts if p.kind == kind), key=lambda p: p.position)
        return [(p.value, p.label) for p in ps]

    return (
        c.name == d.name
        and c.organisation == d.organisation
        and c.role == d.role
        and c.notes == d.notes
        and ClientStatus(c.status) == d.status
        and points(ContactKind.EMAIL) == [(e.value, e.label) for e in d.emails]
        and points(ContactKind.PHONE) == [(p.value, p.label) for p in d.phones]
        and sorted(t.name.casefold() for t in c.tags) == sorted(t.casefold() for t in d.tags)
        and c.cadence_days == d.cadence_days
        and c.priority_until == inc.priority_until
        and c.archived_at == inc.archived_at
        and (inc.created_at is None or c.created_at == inc.created_at)
        and (inc.updated_at is None or c.updated_at == inc.updated_at)
        and _same_touches(h.touches, inc.touches)
        and _same_follow_ups(h.follow_ups, inc.follow_ups, h.touch_uids)
    )


_In = TypeVar("_In", _IncomingTouch, _IncomingFollowUp)


def _same_rows(
    rows: list[_Row],
    incoming: list[_In],
    row_values: Callable[[_Row], tuple[Any, ...]],
    incoming_values: Callable[[_In], tuple[Any, ...]],
) -> bool:
    """Are ``rows`` exactly the file's entries, matched by id? A file without
    ``created_at`` accepts whatever the book has."""
    if len(rows) != len(incoming):
        return False
    by_uid = {r.uid: r for r in rows}
    for inc in incoming:
        row = by_uid.get(inc.uid)
        if row is None or row_values(row) != incoming_values(inc):
            return False
        if inc.created_at is not None and row.created_at != inc.created_at:
            return False
    return True


def _same_touches(rows: list[Touch], incoming: list[_IncomingTouch]) -> bool:
    return _same_rows(
        rows,
        incoming,
        lambda t: (t.happened_at, Channel(t.channel), t.summary, t.next_step),
        lambda it: (it.happened_at, it.channel, it.summary, it.next_step),
    )


def _same_follow_ups(
    rows: list[FollowUp], incoming: list[_IncomingFollowUp], touch_uids: dict[int, str]
) -> bool:
    return _same_rows(
        rows,
        incoming,
        lambda fu: (
            FollowUpKind(fu.kind),
            fu.title,
            fu.note,
            fu.due_on,
            fu.original_due_on,
            fu.done_at,
            touch_uids.get(fu.touch_id) if fu.touch_id is not None else None,
        ),
        lambda ifu: (
            ifu.kind,
            ifu.title,
            ifu.note,
            ifu.due_on,
            ifu.original_due_on,
            ifu.done_at,
            ifu.touch_uid,
        ),
    )
