"""Checking a whole document: every client, the consultant, and what must be
unique across the file (ids, agreement numbers, one size per evidence hash).
Every problem is collected, with its path, before anything is written."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from exports.book_json.check_agreements import _agreements, _base64
from exports.book_json.check_history import _follow_ups, _touches
from exports.book_json.check_incidents import _incidents
from exports.book_json.fields import (
    _cadence,
    _check_keys,
    _choice,
    _contacts,
    _day,
    _field_path,
    _ids_in,
    _moment,
    _straight_quotes,
    _tags,
    _text,
    _uid,
)
from exports.book_json.format import (
    _STATUSES,
    CLIENT_FIELDS,
    CONSULTANT_FIELDS,
    REQUIRED_CLIENT_FIELDS,
    UID_SHAPE,
    BookFormatError,
    _kind,
    _q,
)
from exports.book_json.incoming import _Checked, _Incoming
from exports.book_json.versions import check_header
from models.documents import PageSize
from models.entities import (
    ClientStatus,
)
from models.services.agreements import (
    ConsultantSettings,
    validate_settings,
)
from models.services.clients import (
    ClientInput,
    validate_client,
)


def _check_document(data: Any, now: datetime) -> _Checked:
    """Every client of the file, or a BookFormatError listing every problem found."""
    doc = check_header(data)
    problems: list[str] = []
    consultant = (
        _consultant(doc["consultant"], "consultant", problems) if "consultant" in doc else None
    )
    incoming: list[_Incoming] = []
    first_client: dict[str, str] = {}
    seen: dict[str, dict[str, str]] = {
        key: {}
        for key in (
            "touches",
            "follow_ups",
            "incidents",
            "timeline",
            "evidence",
            "repair_plans",
            "agreements",
            "commitments",
        )
    }
    numbers: dict[tuple[str, int], str] = {}
    sizes: dict[str, tuple[int, str]] = {}
    for i, raw in enumerate(doc["clients"]):
        inc = _check_client(i, raw, problems, now)
        if inc is not None:
            incoming.append(inc)
        if not isinstance(raw, dict):
            continue
        _note_duplicate(raw, f"clients[{i}]", first_client, problems)
        for path, key, item in _nested_items(raw, f"clients[{i}]"):
            _note_duplicate(item, path, seen[key], problems)
            if key == "evidence":
                _note_size(item, path, sizes, problems)
            if key == "agreements":
                _note_number(item, path, numbers, problems)
    if problems:
        raise BookFormatError(problems)
    return _Checked(incoming, consultant)


def _note_number(
    raw: dict[str, Any], path: str, numbers: dict[tuple[str, int], str], problems: list[str]
) -> None:
    """An agreement's number and version name one document in the whole book."""
    number, version = raw.get("number"), raw.get("version", 1)
    if not (isinstance(number, str) and isinstance(version, int)):
        return
    key = (number, version)
    if key in numbers:
        problems.append(
            f"{path}.number: {_q(number)} version {version} appears twice; "
            f"{numbers[key]} has it too."
        )
    else:
        numbers[key] = path


def _nested_items(raw: dict[str, Any], path: str) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """(path, list name, object) of every touch, follow-up, incident, timeline entry,
    evidence file, repair plan, agreement and commitment of one client object,
    however malformed the rest is."""

    def objects(parent: dict[str, Any], key: str, at: str) -> Iterator[tuple[str, dict[str, Any]]]:
        items = parent.get(key)
        if isinstance(items, list):
            for j, item in enumerate(items):
                if isinstance(item, dict):
                    yield f"{at}.{key}[{j}]", item

    for key in ("touches", "follow_ups"):
        for p, item in objects(raw, key, path):
            yield p, key, item
    for p, incident in objects(raw, "incidents", path):
        yield p, "incidents", incident
        for key in ("timeline", "evidence", "repair_plans"):
            for q, item in objects(incident, key, p):
                yield q, key, item
    for p, agreement in objects(raw, "agreements", path):
        yield p, "agreements", agreement
        for q, item in objects(agreement, "commitments", p):
            yield q, "commitments", item


def _note_size(
    raw: dict[str, Any], path: str, sizes: dict[str, tuple[int, str]], problems: list[str]
) -> None:
    """One hash is one file: two evidence entries with one SHA-256 but different
    sizes cannot both be right."""
    sha, size = raw.get("sha256"), raw.get("size")
    if not (isinstance(sha, str) and isinstance(size, int)):
        return
    if sha in sizes and sizes[sha][0] != size:
        problems.append(
            f"{path}.size: {size} differs from {sizes[sha][1]}, which has the same sha256 "
            f"and says {sizes[sha][0]}."
        )
    else:
        sizes.setdefault(sha, (size, path))


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
    touch_uids = _ids_in(raw_touches)
    follow_ups = _follow_ups(raw.get("follow_ups", []), f"{path}.follow_ups", problems, touch_uids)
    incidents = _incidents(
        raw.get("incidents", []),
        f"{path}.incidents",
        problems,
        _ids_in(raw.get("follow_ups")),
        touch_uids,
        _ids_in(raw.get("agreements")),
    )
    agreements = (
        _agreements(
            raw["agreements"],
            f"{path}.agreements",
            problems,
            _ids_in(raw.get("follow_ups")),
            _ids_in(raw.get("incidents")),
        )
        if "agreements" in raw
        else None
    )
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
        incidents,
        agreements,
    )


def _consultant(value: Any, path: str, problems: list[str]) -> ConsultantSettings | None:
    """The consultant's details, by the rules of the settings dialog."""
    if not isinstance(value, dict):
        problems.append(f"{path}: should be an object, not {_kind(value)}.")
        return None
    before = len(problems)
    _check_keys(value, CONSULTANT_FIELDS, (), path, problems)
    texts = {
        key: _text(value.get(key, ""), f"{path}.{key}", problems)
        for key in ("name", "business", "address", "email", "phone")
    }
    logo: bytes | None = None
    raw_logo = value.get("logo_png")
    if raw_logo is not None:
        logo = _base64(raw_logo, f"{path}.logo_png", problems)
    page = _choice(
        value.get("page_size", PageSize.A4.value),
        tuple(p.value for p in PageSize),
        "page size",
        f"{path}.page_size",
        problems,
    )
    if len(problems) > before or page is None:
        return None
    data = ConsultantSettings(**texts, logo_png=logo, page_size=PageSize(page))
    for key, message in validate_settings(data).items():
        problems.append(f"{path}.{key}: {message}")
    return data if len(problems) == before else None


