"""The client book's use cases: create, edit, archive, search, read.

Every function takes the open Book and does one unit of work in one session, so a
failure anywhere leaves the book exactly as it was. Results are plain dataclasses,
never live ORM objects, so the UI cannot trigger lazy SQL by accident. The one
deliberate exception is ClientList (models/services/client_list.py), the client
list for a search, which reads its rows a page at a time when asked.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    insert,
    select,
)
from sqlalchemy.orm import Session, selectinload

from models.db import Book
from models.documents import Party
from models.entities import (
    Client,
    ClientStatus,
    ContactKind,
    ContactPoint,
    Tag,
    client_tag,
    new_uid,
)
from models.errors import (  # noqa: F401 - re-exported for the services' callers
    NotFoundError,
    RapportError,
    ValidationError,
)
from models.limits import TEXT_LIMIT, control_char, text_problem
from models.reads import count_clients, many_small_objects  # noqa: F401 - re-exported
from models.reminders import (
    CADENCE_MAX_DAYS,
    local_date,
    next_touch_due,
)
from models.services.bulk import insert_rows
from models.text import digits_only, fold
from models.types import utcnow

NAME_MAX = 300
FIELD_MAX = 300
TAG_MAX = 80
CONTACT_MAX = 320
LABEL_MAX = 60

# Shape only: something@something.tld with no spaces. Real deliverability is the
# mail server's business; we only catch typos like "anna.example.com".
EMAIL_SHAPE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]{2,}$")
PHONE_SHAPE = re.compile(r"^\+?[0-9 ()./\-]{3,}(?:\s*(?:x|ext\.?)\s*[0-9]+)?$", re.IGNORECASE)


@dataclass(frozen=True)
class Contact:
    value: str
    label: str = ""


@dataclass
class ClientInput:
    """What the edit dialog (or an import) wants a client to look like."""

    name: str
    organisation: str = ""
    role: str = ""
    emails: list[Contact] = field(default_factory=list)
    phones: list[Contact] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    notes: str = ""
    status: ClientStatus = ClientStatus.ACTIVE
    # Keep-in-touch rhythm in days; None means no reminders for this client.
    cadence_days: int | None = None

    def cleaned(self) -> ClientInput:
        """Trimmed copy: blank contact rows and tags dropped, tags de-duplicated."""
        seen: set[str] = set()
        tags: list[str] = []
        for t in self.tags:
            t = " ".join(t.split())
            if t and t.casefold() not in seen:
                seen.add(t.casefold())
                tags.append(t)
        return ClientInput(
            name=self.name.strip(),
            organisation=self.organisation.strip(),
            role=self.role.strip(),
            emails=_clean_contacts(self.emails),
            phones=_clean_contacts(self.phones),
            tags=tags,
            notes=self.notes,
            status=ClientStatus(self.status),
            cadence_days=self.cadence_days,
        )


def _clean_contacts(contacts: Iterable[Contact]) -> list[Contact]:
    return [Contact(c.value.strip(), c.label.strip()) for c in contacts if c.value.strip()]


@dataclass(frozen=True)
class ClientRow:
    """One line of the client list."""

    id: int
    uid: str
    name: str
    organisation: str
    role: str
    status: ClientStatus
    email: str
    phone: str
    tags: str
    updated_at: datetime
    archived: bool
    cadence_days: int | None = None
    touch_due_on: date | None = None
    # Until when the client comes first (an upset client), when the row was read by a
    # ClientList for a day inside that window; None otherwise (and from list_clients).
    priority_until: date | None = None


@dataclass(frozen=True)
class ClientDetail:
    id: int
    uid: str
    name: str
    organisation: str
    role: str
    emails: list[Contact]
    phones: list[Contact]
    tags: list[str]
    notes: str
    status: ClientStatus
    created_at: datetime
    updated_at: datetime
    archived_at: datetime | None
    cadence_days: int | None = None
    last_touch_on: date | None = None
    touch_due_on: date | None = None
    priority_until: date | None = None

    def as_input(self) -> ClientInput:
        return ClientInput(
            name=self.name,
            organisation=self.organisation,
            role=self.role,
            emails=list(self.emails),
            phones=list(self.phones),
            tags=list(self.tags),
            notes=self.notes,
            status=self.status,
            cadence_days=self.cadence_days,
        )


def validate_client(data: ClientInput) -> dict[str, str]:
    """Every problem with ``data`` at once, keyed by field, in words for the user.

    Contact fields are keyed ``emails.N`` / ``phones.N`` (N counts the rows the
    user filled in) so a dialog can point at the exact row.
    """
    return validate_cleaned(data.cleaned())


def validate_cleaned(d: ClientInput) -> dict[str, str]:
    """``validate_client`` of input already ``cleaned()``: an import of thousands
    of rows cleans each once and keeps the result."""
    if _plainly_valid(d):
        return {}
    errors: dict[str, str] = {}
    if not d.name:
        errors["name"] = "Please give the client a name."
    elif len(d.name) > NAME_MAX:
        errors["name"] = f"A name can be at most {NAME_MAX} characters."
    elif control_char(d.name) is not None:
        errors["name"] = "The name contains invisible control characters."
    for fname in ("organisation", "role"):
        value = getattr(d, fname)
        if len(value) > FIELD_MAX:
            errors[fname] = f"This can be at most {FIELD_MAX} characters."
        elif problem := text_problem(value, multiline=False):
            errors[fname] = problem
    for i, c in enumerate(d.emails):
        if problem := _contact_control(c):
            errors[f"emails.{i}"] = problem
        elif len(c.value) > CONTACT_MAX or not EMAIL_SHAPE.match(c.value):
            errors[f"emails.{i}"] = f"“{_short(c.value)}” does not look like an email address."
        elif len(c.label) > LABEL_MAX:
            errors[f"emails.{i}"] = f"A label can be at most {LABEL_MAX} characters."
    for i, c in enumerate(d.phones):
        if problem := _contact_control(c):
            errors[f"phones.{i}"] = problem
        elif len(c.value) > CONTACT_MAX or not PHONE_SHAPE.match(c.value):
            errors[f"phones.{i}"] = (
                f"“{_short(c.value)}” does not look like a phone number "
                "(digits, spaces, + ( ) - . / are fine)."
            )
        elif len(c.label) > LABEL_MAX:
            errors[f"phones.{i}"] = f"A label can be at most {LABEL_MAX} characters."
    if d.cadence_days is not None and not 1 <= d.cadence_days <= CADENCE_MAX_DAYS:
        errors["cadence_days"] = f"Choose a rhythm between 1 and {CADENCE_MAX_DAYS} days."
    # The one cap on any text of a book (models/limits.py), which the JSON format
    # keeps too: a book never holds notes its own export could not bring back.
    if problem := text_problem(d.notes):
        errors["notes"] = problem
    for t in d.tags:
        if len(t) > TAG_MAX:
            errors["tags"] = f"A tag can be at most {TAG_MAX} characters."
            break
        if problem := text_problem(t, multiline=False):
            errors["tags"] = problem
            break
    return errors


def _plainly_valid(d: ClientInput) -> bool:
    """Whether ``validate_cleaned`` would find nothing, by the same limits with one
    search for control characters over every one-line field at once: an import
    checks every row, and almost none has a problem (then the field-by-field
    checks below say which). Never true where they would find one."""
    if not d.name or len(d.name) > NAME_MAX:
        return False
    if len(d.organisation) > FIELD_MAX or len(d.role) > FIELD_MAX:
        return False
    if d.cadence_days is not None and not 1 <= d.cadence_days <= CADENCE_MAX_DAYS:
        return False
    if len(d.notes) > TEXT_LIMIT or control_char(d.notes, multiline=True) is not None:
        return False
    one_line = [d.name, d.organisation, d.role]
    for c in d.emails:
        if len(c.value) > CONTACT_MAX or len(c.label) > LABEL_MAX:
            return False
        if not EMAIL_SHAPE.match(c.value):
            return False
        one_line += (c.value, c.label)
    for c in d.phones:
        if len(c.value) > CONTACT_MAX or len(c.label) > LABEL_MAX:
            return False
        if not PHONE_SHAPE.match(c.value):
            return False
        one_line += (c.value, c.label)
    for t in d.tags:
        if len(t) > TAG_MAX:
            return False
        one_line.append(t)
    return control_char("".join(one_line)) is None


def _contact_control(c: Contact) -> str | None:
    """A control character in an address, a number or its label, said plainly (the
    shapes below would let some through, and would call the rest a bad address)."""
    return text_problem(c.value, multiline=False) or text_problem(c.label, multiline=False)


def _short(text: str, n: int = 40) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


def _search_text(d: ClientInput) -> str:
    """Everything a search looks through, folded. The folded name comes first and ends
    at the first newline (a name has no control characters), so ordering by this
    column orders by name with case and accents ignored: ClientList relies on it."""
    parts = [d.name, d.organisation, d.role, d.notes]
    parts += [c.value for c in d.emails]
    parts += [c.value for c in d.phones] + [digits_only(c.value) for c in d.phones]
    parts += d.tags
    return fold("\n".join(parts))


def _tags_by_name(s: Session, names: Iterable[str]) -> list[Tag]:
    """Reuse existing tags whatever their case; SQLite's NOCASE only folds ASCII,
    so matching happens here with casefold (the tag table is small)."""
    names = list(names)
    if not names:
        return []
    existing = {t.name.casefold(): t for t in s.scalars(select(Tag))}
    tags: list[Tag] = []
    for n in names:
        tag = existing.get(n.casefold())
        if tag is None:
            tag = Tag(name=n)
            s.add(tag)
            existing[n.casefold()] = tag
        tags.append(tag)
    return tags


def apply_input(s: Session, client: Client, d: ClientInput, now: datetime) -> None:
    """Write already-cleaned, already-validated input onto ``client``."""
    client.name = d.name
    client.organisation = d.organisation
    client.role = d.role
    client.notes = d.notes
    client.status = d.status
    client.contacts = [
        ContactPoint(kind=ContactKind.EMAIL, value=c.value, label=c.label, position=i)
        for i, c in enumerate(d.emails)
    ] + [
        ContactPoint(kind=ContactKind.PHONE, value=c.value, label=c.label, position=i)
        for i, c in enumerate(d.phones)
    ]
    client.tags = _tags_by_name(s, d.tags)
    client.search_text = _search_text(d)
    client.cadence_days = d.cadence_days
    client.updated_at = now
    recompute_touch_due(client)


def recompute_touch_due(client: Client) -> None:
    """Keep the denormalised due date in step with the rules after any change."""
    client.touch_due_on = next_touch_due(
        cadence_days=client.cadence_days,
        last_touch_on=client.last_touch_on,
        added_on=local_date(client.created_at or utcnow()),
        status=client.status,
        archived=client.archived_at is not None,
    )


def _checked(data: ClientInput) -> ClientInput:
    errors = validate_client(data)
    if errors:
        raise ValidationError(errors)
    return data.cleaned()


def create_client(book: Book, data: ClientInput, *, now: datetime | None = None) -> int:
    d = _checked(data)
    now = now or utcnow()
    with book.session() as s:
        client = add_client_in(s, d, now=now)
        s.flush()
        return client.id


def add_client_in(
    s: Session,
    data: ClientInput,
    *,
    now: datetime,
    uid: str | None = None,
    created_at: datetime | None = None,
) -> Client:
    """What adding a client writes, inside a session the caller owns: one row of
    ``add_clients_in``, the write path the dialog (through ``create_client``), the
    demo and the JSON import share. ``data`` is taken as checked and cleaned;
    ``uid`` and ``created_at`` (default ``now``) let a caller keep a client's
    identity and history."""
    row = NewClient(data, uid=uid, created_at=created_at or now, updated_at=now)
    (client_id,) = add_clients_in(s, [row])
    client = s.get(Client, client_id)
    assert client is not None
    return client


@dataclass(slots=True)
class NewClient:
    """One client for ``add_clients_in``: checked and cleaned input, and the
    identity and times a caller replaying history keeps (a new uid when None)."""

    data: ClientInput
    created_at: datetime
    updated_at: datetime
    uid: str | None = None
    archived_at: datetime | None = None


def add_clients_in(s: Session, rows: Sequence[NewClient]) -> list[int]:
    """Add many clients with their contact points and tags in three executemany
    calls, and return their ids in order. The columns are the ones ``apply_input``
    writes, computed by the same functions (search text, due date); tags are
    reused whatever their case. A refusal raises ``RowRefused`` naming the client."""
    if not rows:
        return []
    tag_ids: dict[str, int] = {}
    names = [t for r in rows for t in r.data.tags]
    if names:
        _tags_by_name(s, names)
        s.flush()
        tag_ids = {name.casefold(): tid for tid, name in s.execute(select(Tag.id, Tag.name))}
    values = []
    for r in rows:
        d = r.data
        due = next_touch_due(
            cadence_days=d.cadence_days,
            last_touch_on=None,
            added_on=local_date(r.created_at),
            status=d.status,
            archived=r.archived_at is not None,
        )
        values.append(
            {
                "uid": r.uid or new_uid(),
                "name": d.name,
                "organisation": d.organisation,
                "role": d.role,
                "notes": d.notes,
                "status": d.status,
                "created_at": r.created_at,
                "updated_at": r.updated_at,
                "archived_at": r.archived_at,
                "search_text": _search_text(d),
                "cadence_days": d.cadence_days,
                "touch_due_on": due,
            }
        )
    ids = insert_rows(s, Client, values)
    points: list[dict[str, Any]] = []
    links: list[dict[str, int]] = []
    for cid, r in zip(ids, rows, strict=True):
        for kind, contacts in (
            (ContactKind.EMAIL, r.data.emails),
            (ContactKind.PHONE, r.data.phones),
        ):
            points += [
                {"client_id": cid, "kind": kind, "label": c.label, "value": c.value, "position": i}
                for i, c in enumerate(contacts)
            ]
        links += [{"client_id": cid, "tag_id": tag_ids[t.casefold()]} for t in r.data.tags]
    insert_rows(s, ContactPoint, points)
    if links:
        s.execute(insert(client_tag), links)
    return ids


def update_client(
    book: Book, client_id: int, data: ClientInput, *, now: datetime | None = None
) -> None:
    d = _checked(data)
    with book.session() as s:
        client = client_or_error(s, client_id)
        apply_input(s, client, d, now or utcnow())


def archive_client(book: Book, client_id: int, *, now: datetime | None = None) -> None:
    """Hide a client from the book without losing anything; undone by unarchive."""
    with book.session() as s:
        client = client_or_error(s, client_id)
        if client.archived_at is None:
            client.archived_at = now or utcnow()
            recompute_touch_due(client)


def unarchive_client(book: Book, client_id: int) -> None:
    with book.session() as s:
        client = client_or_error(s, client_id)
        client.archived_at = None
        recompute_touch_due(client)


def client_or_error(s: Session, client_id: int) -> Client:
    """The client row, or a NotFoundError the user can read (every service uses this)."""
    client = s.get(Client, client_id)
    if client is None:
        raise NotFoundError(f"There is no client with id {client_id}.")
    return client


def client_party(client: Client) -> Party:
    """The client as a document names them: their first email and phone, if any
    (an agreement, a repair's written record)."""
    return Party(
        name=client.name,
        organisation=client.organisation,
        role=client.role,
        email=next((c.value for c in client.contacts if c.kind is ContactKind.EMAIL), ""),
        phone=next((c.value for c in client.contacts if c.kind is ContactKind.PHONE), ""),
    )


def get_client(book: Book, client_id: int) -> ClientDetail:
    with book.reader() as s:
        client = s.scalars(
            select(Client)
            .where(Client.id == client_id)
            .options(selectinload(Client.contacts), selectinload(Client.tags))
        ).one_or_none()
        if client is None:
            raise NotFoundError(f"There is no client with id {client_id}.")
        return _detail(client)


def _detail(c: Client) -> ClientDetail:
    return ClientDetail(
        id=c.id,
        uid=c.uid,
        name=c.name,
        organisation=c.organisation,
        role=c.role,
        emails=[Contact(p.value, p.label) for p in c.contacts if p.kind == ContactKind.EMAIL],
        phones=[Contact(p.value, p.label) for p in c.contacts if p.kind == ContactKind.PHONE],
        tags=[t.name for t in c.tags],
        notes=c.notes,
        status=c.status,
        created_at=c.created_at,
        updated_at=c.updated_at,
        archived_at=c.archived_at,
        cadence_days=c.cadence_days,
        last_touch_on=c.last_touch_on,
        touch_due_on=c.touch_due_on,
        priority_until=c.priority_until,
    )


# Where a client stands in the list: clients under priority first, then by name with
# case and accents folded (the search text starts with the folded name and a newline,
# see _search_text), then by id.
ListKey = tuple[int, str, int]

_client = Client.__table__
_contact = ContactPoint.__table__


def all_tags(book: Book) -> list[str]:
    """Tags in use, for completion in the edit dialog."""
    with book.reader() as s:
        return list(s.scalars(select(Tag.name).order_by(Tag.name.collate("NOCASE"))))
