"""Whole-book JSON export and import (format "rapport-book"; see docs/json-format.md).

This file is the user's way out of Rapport and a script's way in, so it is
documented, versioned and strict. An import checks every field of every client
before it writes anything, then merges in one transaction: a bad file never leaves
a half-imported book. An export carries no export time and has a fixed order, so
exporting the same book twice gives the same bytes, and exports diff cleanly.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from models.db import Book
from models.entities import Client, ClientStatus, ContactKind
from models.errors import RapportError
from models.services.clients import ClientInput, Contact, apply_input, validate_client
from models.types import utcnow

FORMAT = "rapport-book"
VERSION = 1

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
    "created_at",
    "updated_at",
    "archived_at",
)
REQUIRED_CLIENT_FIELDS = ("id", "name")
CONTACT_FIELDS = ("value", "label")
_STATUSES = tuple(s.value for s in ClientStatus)
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
        docs = [_client_doc(c) for c in sorted(clients, key=lambda c: c.uid)]
    return {"format": FORMAT, "version": VERSION, "clients": docs}


def _client_doc(c: Client) -> dict[str, Any]:
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
        "created_at": _iso(c.created_at),
        "updated_at": _iso(c.updated_at),
        "archived_at": _iso(c.archived_at) if c.archived_at is not None else None,
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
    _write_atomic(Path(out), dumps(doc).encode("utf-8"))
    return len(doc["clients"])


def _write_atomic(out: Path, payload: bytes) -> None:
    # A crash or a full disk must leave either the old file or the new one, never
    # a torn mix; the temp file shares the folder so os.replace is a plain rename.
    fd, tmp_name = tempfile.mkstemp(dir=out.parent, prefix=f".{out.name}.", suffix=".part")
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(payload)
            fh.flush()
            os.fsync(fh.fileno())
        if os.name == "posix":
            os.chmod(tmp, 0o600)  # client data: owner only, whatever the umask says
        os.replace(tmp, out)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    _fsync_dir(out.parent)


def _fsync_dir(folder: Path) -> None:
    """Make the rename itself durable; not possible (nor needed) everywhere."""
    if os.name != "posix":
        return
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


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

# One step per old version: _UPGRADES[n] turns a version-n document into a
# version n+1 one. Empty while version 1 is the only version there has been.
_UPGRADES: dict[int, Callable[[dict[str, Any]], dict[str, Any]]] = {}


def _upgrade_document(data: dict[str, Any]) -> dict[str, Any]:
    """Bring an older export to VERSION, so checking and merging know one shape only.

    When version 2 arrives, add ``_UPGRADES[1]`` (a function from a version-1
    document to a version-2 one) and bump VERSION; nothing else changes.
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
class _Incoming:
    """One client of the file, checked and cleaned, ready to merge."""

    index: int
    uid: str
    data: ClientInput
    created_at: datetime | None  # None: not in the file
    updated_at: datetime | None  # None: not in the file
    archived_at: datetime | None


def _check_document(data: Any) -> list[_Incoming]:
    """Every client of the file, or a BookFormatError listing every problem found."""
    doc = _check_header(data)
    problems: list[str] = []
    incoming: list[_Incoming] = []
    first_index: dict[str, int] = {}
    for i, raw in enumerate(doc["clients"]):
        inc = _check_client(i, raw, problems)
        if inc is not None:
            incoming.append(inc)
        uid = raw.get("id") if isinstance(raw, dict) else None
        if isinstance(uid, str) and UID_SHAPE.fullmatch(uid):
            if uid in first_index:
                problems.append(
                    f"clients[{i}].id: {_q(uid)} appears twice; "
                    f"clients[{first_index[uid]}] has it too."
                )
            else:
                first_index[uid] = i
    if problems:
        raise BookFormatError(problems)
    return incoming


def _check_client(i: int, raw: Any, problems: list[str]) -> _Incoming | None:
    path = f"clients[{i}]"
    if not isinstance(raw, dict):
        problems.append(f"{path}: should be an object, not {_kind(raw)}.")
        return None
    before = len(problems)
    for key in raw:
        if key not in CLIENT_FIELDS:
            problems.append(f"{path}: unknown field {_q(key)}.")
    for key in REQUIRED_CLIENT_FIELDS:
        if key not in raw:
            problems.append(f'{path}: missing "{key}".')

    uid = _text(raw.get("id", ""), f"{path}.id", problems)
    if "id" in raw and isinstance(raw["id"], str) and not UID_SHAPE.fullmatch(uid):
        problems.append(
            f"{path}.id: {_q(uid)} is not a Rapport id (32 characters, each 0-9 or a-f)."
        )
    name = _text(raw.get("name", ""), f"{path}.name", problems)
    organisation = _text(raw.get("organisation", ""), f"{path}.organisation", problems)
    role = _text(raw.get("role", ""), f"{path}.role", problems)
    status = _status(raw.get("status", ClientStatus.ACTIVE.value), f"{path}.status", problems)
    notes = _text(raw.get("notes", ""), f"{path}.notes", problems)
    emails = _contacts(raw.get("emails", []), f"{path}.emails", problems)
    phones = _contacts(raw.get("phones", []), f"{path}.phones", problems)
    tags = _tags(raw.get("tags", []), f"{path}.tags", problems)
    created_at = _moment(raw, "created_at", path, problems, nullable=False)
    updated_at = _moment(raw, "updated_at", path, problems, nullable=False)
    archived_at = _moment(raw, "archived_at", path, problems, nullable=True)
    if len(problems) > before:
        return None

    data = ClientInput(
        name=name,
        organisation=organisation,
        role=role,
        emails=emails,
        phones=phones,
        tags=tags,
        notes=notes,
        status=status,
    )
    # The same rules as the edit dialog, so an import cannot sneak in a client the
    # user could not have typed.
    for key, message in validate_client(data).items():
        problems.append(f"{path}.{_field_path(key)}: {_straight_quotes(message)}")
    if len(problems) > before:
        return None
    return _Incoming(i, uid, data.cleaned(), created_at, updated_at, archived_at)


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


def _status(value: Any, path: str, problems: list[str]) -> ClientStatus:
    if isinstance(value, str) and value in _STATUSES:
        return ClientStatus(value)
    if isinstance(value, str):
        problems.append(f'{path}: {_q(value)} is not a status; use "active", "paused" or "former".')
    else:
        problems.append(f"{path}: should be text, not {_kind(value)}.")
    return ClientStatus.ACTIVE


def _contacts(value: Any, path: str, problems: list[str]) -> list[Contact]:
    if not isinstance(value, list):
        problems.append(f"{path}: should be a list, not {_kind(value)}.")
        return []
    contacts: list[Contact] = []
    for j, item in enumerate(value):
        p = f"{path}[{j}]"
        if not isinstance(item, dict):
            problems.append(
                f'{p}: should be an object like {{"value": "…", "label": "work"}}, '
                f"not {_kind(item)}."
            )
            continue
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
    if not isinstance(value, list):
        problems.append(f"{path}: should be a list, not {_kind(value)}.")
        return []
    return [_text(t, f"{path}[{j}]", problems) for j, t in enumerate(value)]


def _moment(
    raw: dict[str, Any], key: str, path: str, problems: list[str], *, nullable: bool
) -> datetime | None:
    if key not in raw:
        return None
    value = raw[key]
    path = f"{path}.{key}"
    if value is None:
        if not nullable:
            problems.append(f"{path}: should be a date and time, not null.")
        return None
    if not isinstance(value, str):
        problems.append(f"{path}: should be a date and time as text, not {_kind(value)}.")
        return None
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

    Clients already in the book (same id) take the file's fields, contacts, tags
    and timestamps; new ids are added with the file's id and timestamps; clients
    that only the book has are left alone. ``now`` stands in for timestamps a
    hand-written file leaves out.
    """
    incoming = _check_document(data)
    now = now or utcnow()
    result = ImportResult(created=0, updated=0, unchanged=0)
    with book.session() as s:
        existing = _clients_by_uid(s, [inc.uid for inc in incoming])
        for inc in incoming:
            client = existing.get(inc.uid)
            if client is not None and _unchanged(client, inc):
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
                # Flush per client, so a refusal from the database names its client.
                s.flush()
            except IntegrityError as exc:
                raise BookFormatError(
                    f"clients[{inc.index}]: the book refused this client ({exc.orig})."
                ) from exc
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


def _unchanged(c: Client, inc: _Incoming) -> bool:
    """Would importing ``inc`` change nothing? Tag names compare without case, as
    tags are shared book-wide and an import reuses "VIP" for "vip"."""
    d = inc.data

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
        and c.archived_at == inc.archived_at
        and (inc.created_at is None or c.created_at == inc.created_at)
        and (inc.updated_at is None or c.updated_at == inc.updated_at)
    )
