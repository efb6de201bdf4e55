"""The client book's use cases: create, edit, archive, search, read.

Every function takes the open Book and does one unit of work in one session, so a
failure anywhere leaves the book exactly as it was. Results are plain dataclasses,
never live ORM objects, so the UI cannot trigger lazy SQL by accident. The one
deliberate exception is ClientList, the client list for a search, which reads its
rows a page at a time when asked (a 100 000-client book is never read whole to show
one screen).
"""

from __future__ import annotations

import gc
import re
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from functools import cache
from typing import Any, overload

from sqlalchemy import (
    Connection,
    Date,
    Row,
    Select,
    String,
    bindparam,
    case,
    func,
    select,
    tuple_,
    type_coerce,
)
from sqlalchemy.orm import Session, selectinload

from models.db import Book
from models.entities import Client, ClientStatus, ContactKind, ContactPoint, Tag, client_tag
from models.errors import RapportError
from models.reminders import CADENCE_MAX_DAYS, next_touch_due
from models.text import digits_only, fold, search_words
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


class ValidationError(RapportError, ValueError):
    """Input that cannot be saved; ``errors`` maps a field to a message for the user."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


class NotFoundError(RapportError, LookupError):
    pass


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
    d = data.cleaned()
    errors: dict[str, str] = {}
    if not d.name:
        errors["name"] = "Please give the client a name."
    elif len(d.name) > NAME_MAX:
        errors["name"] = f"A name can be at most {NAME_MAX} characters."
    elif _has_control(d.name):
        errors["name"] = "The name contains invisible control characters."
    for fname in ("organisation", "role"):
        value = getattr(d, fname)
        if len(value) > FIELD_MAX:
            errors[fname] = f"This can be at most {FIELD_MAX} characters."
    for i, c in enumerate(d.emails):
        if len(c.value) > CONTACT_MAX or not EMAIL_SHAPE.match(c.value):
            errors[f"emails.{i}"] = f"“{_short(c.value)}” does not look like an email address."
        elif len(c.label) > LABEL_MAX:
            errors[f"emails.{i}"] = f"A label can be at most {LABEL_MAX} characters."
    for i, c in enumerate(d.phones):
        if len(c.value) > CONTACT_MAX or not PHONE_SHAPE.match(c.value):
            errors[f"phones.{i}"] = (
                f"“{_short(c.value)}” does not look like a phone number "
                "(digits, spaces, + ( ) - . / are fine)."
            )
        elif len(c.label) > LABEL_MAX:
            errors[f"phones.{i}"] = f"A label can be at most {LABEL_MAX} characters."
    if d.cadence_days is not None and not 1 <= d.cadence_days <= CADENCE_MAX_DAYS:
        errors["cadence_days"] = f"Choose a rhythm between 1 and {CADENCE_MAX_DAYS} days."
    for t in d.tags:
        if len(t) > TAG_MAX:
            errors["tags"] = f"A tag can be at most {TAG_MAX} characters."
            break
    return errors


def _has_control(text: str) -> bool:
    return any(ord(c) < 32 or 0x7F <= ord(c) < 0xA0 for c in text)


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


@contextmanager
def many_small_objects() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while a read builds thousands of small
    objects that form no reference cycles (rows, scores, due items). On a 100 000-client
    book the collector otherwise walks them over and over: a third of ``all_health``
    and ``due_items`` (bench/run.py). Reference counting still frees everything as
    usual, and collection resumes when the block ends (unless it was off already)."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def local_date(moment: datetime) -> date:
    """The calendar day a moment falls on for the user (their machine's time zone)."""
    return moment.astimezone().date()


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
        client = Client(created_at=now)
        s.add(client)
        apply_input(s, client, d, now)
        s.flush()
        return client.id


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


def list_clients(book: Book, query: str = "", *, include_archived: bool = False) -> list[ClientRow]:
    """Clients whose name, organisation, role, notes, emails, phones or tags contain
    every word of ``query`` (any order, case and accents ignored), sorted by name."""
    stmt = _matching(select(Client.id), query, include_archived=include_archived)
    stmt = stmt.order_by(Client.name.collate("NOCASE"), Client.id)
    with book.engine.connect() as conn:
        ids = list(conn.scalars(stmt))
        return _rows(conn, ids)


def _matching(stmt: Select[Any], query: str, *, include_archived: bool) -> Select[Any]:
    """``stmt`` narrowed to the clients a list shows for ``query``."""
    if not include_archived:
        stmt = stmt.where(Client.archived_at.is_(None))
    for word in search_words(query):
        # instr() is a plain substring test: no LIKE wildcards to escape.
        stmt = stmt.where(func.instr(Client.search_text, word) > 0)
    return stmt


# What a list row shows from the client table itself, in ClientRow's field order.
_ROW_COLUMNS = (
    Client.id,
    Client.uid,
    Client.name,
    Client.organisation,
    Client.role,
    Client.status,
    Client.updated_at,
    Client.archived_at,
    Client.cadence_days,
    Client.touch_due_on,
)


def _rows(conn: Connection, ids: Sequence[int]) -> list[ClientRow]:
    """The list rows of ``ids``, in that order: plain Core reads (no ORM objects),
    three small queries per 900 ids."""
    if not ids:
        return []
    first_contact: dict[tuple[int, ContactKind], str] = {}
    tags: dict[int, list[str]] = {}
    clients: dict[int, Row[Any]] = {}
    for chunk_start in range(0, len(ids), 900):
        chunk = ids[chunk_start : chunk_start + 900]
        for row in conn.execute(select(*_ROW_COLUMNS).where(Client.id.in_(chunk))):
            clients[row[0]] = row
        for cid, kind, value in conn.execute(
            select(ContactPoint.client_id, ContactPoint.kind, ContactPoint.value)
            .where(ContactPoint.client_id.in_(chunk))
            .order_by(ContactPoint.position.desc())
        ):
            first_contact[(cid, kind)] = value
        for cid, name in conn.execute(
            select(client_tag.c.client_id, Tag.name)
            .join(Tag, Tag.id == client_tag.c.tag_id)
            .where(client_tag.c.client_id.in_(chunk))
            .order_by(Tag.name)
        ):
            tags.setdefault(cid, []).append(name)
    rows: list[ClientRow] = []
    for i in ids:
        row = clients.get(i)
        if row is None:  # gone between the two reads
            continue
        _id, uid, name, org, role, status, updated, archived, cadence, due = row
        rows.append(
            ClientRow(
                id=i,
                uid=uid,
                name=name,
                organisation=org,
                role=role,
                status=status,
                email=first_contact.get((i, ContactKind.EMAIL), ""),
                phone=first_contact.get((i, ContactKind.PHONE), ""),
                tags=", ".join(tags.get(i, [])),
                updated_at=updated,
                archived=archived is not None,
                cadence_days=cadence,
                touch_due_on=due,
            )
        )
    return rows


# Where a client stands in the list: clients under priority first, then by name with
# case and accents folded (the search text starts with the folded name and a newline,
# see _search_text), then by id.
ListKey = tuple[int, str, int]

_client = Client.__table__
_contact = ContactPoint.__table__


def _list_key(table: Any) -> tuple[Any, Any, Any]:
    """The list order's key over ``table`` (the client table or an alias of it)."""
    prio = case((table.c.priority_until >= bindparam("today", type_=Date), 0), else_=1)
    return prio, table.c.search_text, table.c.id


def _narrowed(
    stmt: Select[Any], table: Any, words: int, include_archived: bool, *, scan: bool = False
) -> Select[Any]:
    """``stmt`` over ``table`` narrowed like _matching, with the words as bind
    parameters w0, w1, … so the statement can be built once and reused.

    ``scan`` keeps SQLite from walking ix_client_archived_name for "not archived" (it
    would then read every row by rowid in name order: ten times slower than reading
    the table straight through, on a big book); the test is the same."""
    if not include_archived:
        archived = func.coalesce(table.c.archived_at, None) if scan else table.c.archived_at
        stmt = stmt.where(archived.is_(None))
    for i in range(words):
        stmt = stmt.where(func.instr(table.c.search_text, bindparam(f"w{i}", type_=String)) > 0)
    return stmt


def _first_contact(table: Any, kind: ContactKind) -> Any:
    return (
        select(_contact.c.value)
        .where(_contact.c.client_id == table.c.id, _contact.c.kind == kind.value)
        .order_by(_contact.c.position)
        .limit(1)
        .scalar_subquery()
    )


@cache
def _page_statement(words: int, include_archived: bool, reverse: bool, after: bool) -> Select[Any]:
    """One page of the client list: the next ``:limit`` clients in list order (after
    the key k0, k1, k2 when ``after``), each with its list cells and its key. Built
    once per shape: building a statement costs about as much as running it.

    The page's ids are picked by a subquery (one scan of the client table, a top-N
    sort, no joins) and only those rows are read and get their first email and phone
    looked up. (Joining the picked rows back instead made SQLite 3.40 take twice as
    long.)"""
    keyed = _client.alias("keyed")
    key = _list_key(keyed)
    picked = _narrowed(select(keyed.c.id), keyed, words, include_archived, scan=True)
    if after:
        last = tuple_(bindparam("k0"), bindparam("k1"), bindparam("k2"))
        picked = picked.where(tuple_(*key) < last if reverse else tuple_(*key) > last)
    order = [k.desc() for k in key] if reverse else list(key)
    picked = picked.order_by(*order).limit(bindparam("limit"))
    c = _client
    own_key = _list_key(c)
    # Dates and times come as their stored text and are parsed by ClientList with
    # fromisoformat: SQLAlchemy's SQLite parsers cost more than the rest of the row.
    stmt = select(
        c.c.id,
        c.c.uid,
        c.c.name,
        c.c.organisation,
        c.c.role,
        c.c.status,
        type_coerce(c.c.updated_at, String),
        c.c.archived_at.is_not(None),
        c.c.cadence_days,
        type_coerce(c.c.touch_due_on, String),
        _first_contact(c, ContactKind.EMAIL),
        _first_contact(c, ContactKind.PHONE),
        type_coerce(c.c.priority_until, String),
        *own_key,
    ).where(c.c.id.in_(picked))
    return stmt.order_by(*[k.desc() for k in own_key] if reverse else own_key)


@cache
def _position_statements(words: int, include_archived: bool, reverse: bool) -> tuple[Any, Any]:
    """(the key of client :id if the search shows it, how many come before a key)."""
    key = _list_key(_client)
    mine = _narrowed(select(*key), _client, words, include_archived).where(
        _client.c.id == bindparam("id")
    )
    last = tuple_(bindparam("k0"), bindparam("k1"), bindparam("k2"))
    ahead = _narrowed(select(func.count()), _client, words, include_archived, scan=True).where(
        tuple_(*key) > last if reverse else tuple_(*key) < last
    )
    return mine, ahead


@cache
def _count_statement(words: int, include_archived: bool) -> Select[Any]:
    """How many clients match: without words the index counts them; with words every
    row's search text is read anyway, so straight through the table."""
    stmt = select(func.count()).select_from(_client)
    return _narrowed(stmt, _client, words, include_archived, scan=words > 0)


_PAGE_TAGS = (
    select(client_tag.c.client_id, Tag.name)
    .join(Tag, Tag.id == client_tag.c.tag_id)
    .where(client_tag.c.client_id.in_(bindparam("ids", expanding=True)))
    .order_by(Tag.name)
)


def _stored_time(text: str) -> datetime:
    """A UTCDateTime column's stored text (naive UTC) as the aware moment it means."""
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


class ClientList(Sequence[ClientRow]):
    """The client list for one search, read a page at a time, in list order.

    ``len()`` is the number of matching clients, known at once (one count); rows are
    read from the book only as far as someone asks (``load``, or indexing), each page
    continuing after the last row read (keyset paging), so a 100 000-client book shows
    its first screen after reading one page, not every client. Iterating reads
    everything. Pages are read through a plain Core connection, never ORM objects.

    The order is the one the client list shows by default (see ListKey); ``reverse``
    reads the same clients the other way round. A list reflects the book as it was
    when each page was read: after a change, ask for a new one.
    """

    def __init__(
        self,
        book: Book,
        query: str = "",
        *,
        include_archived: bool = False,
        today: date,
        reverse: bool = False,
    ) -> None:
        self.book = book
        self.query = query
        self.include_archived = include_archived
        self.today = today
        self.reverse = reverse
        words = search_words(query)
        self._shape = (len(words), include_archived)
        self._args: dict[str, Any] = {f"w{i}": w for i, w in enumerate(words)}
        self._args["today"] = today
        self._loaded: list[ClientRow] = []
        self._last: ListKey | None = None
        with book.engine.connect() as conn:
            self._count = int(conn.scalar(_count_statement(*self._shape), self._args) or 0)

    def reversed_list(self) -> ClientList:
        """The same clients in the opposite order (a new list, nothing read yet)."""
        return ClientList(
            self.book,
            self.query,
            include_archived=self.include_archived,
            today=self.today,
            reverse=not self.reverse,
        )

    def again(self) -> ClientList:
        """The same search read afresh (after a change that may move clients)."""
        return ClientList(
            self.book,
            self.query,
            include_archived=self.include_archived,
            today=self.today,
            reverse=self.reverse,
        )

    def __len__(self) -> int:
        return self._count

    @property
    def loaded(self) -> int:
        """How many rows have been read so far (from the top)."""
        return len(self._loaded)

    def rows(self, start: int = 0, stop: int | None = None) -> list[ClientRow]:
        """Rows ``start``..``stop`` (read first if need be)."""
        stop = self._count if stop is None else min(stop, self._count)
        self.load(stop)
        return self._loaded[start:stop]

    @overload
    def __getitem__(self, index: int) -> ClientRow: ...

    @overload
    def __getitem__(self, index: slice) -> list[ClientRow]: ...

    def __getitem__(self, index: int | slice) -> ClientRow | list[ClientRow]:
        if isinstance(index, slice):
            start, stop, step = index.indices(self._count)
            if step == 1:
                return self.rows(start, stop)
            return [self[i] for i in range(start, stop, step)]
        if index < 0:
            index += self._count
        if not 0 <= index < self._count:
            raise IndexError(index)
        self.load(index + 1)
        if index >= len(self._loaded):  # clients deleted since the count
            raise IndexError(index)
        return self._loaded[index]

    def load(self, n: int) -> list[ClientRow]:
        """Read on until the first ``n`` rows are in; returns the rows newly read."""
        n = min(n, self._count)
        wanted = n - len(self._loaded)
        if wanted <= 0:
            return []
        with many_small_objects():
            return self._read(wanted)

    def _read(self, wanted: int) -> list[ClientRow]:
        """The next ``wanted`` rows after the last one read, kept and returned."""
        args = dict(self._args, limit=wanted)
        if self._last is not None:
            args.update(k0=self._last[0], k1=self._last[1], k2=self._last[2])
        stmt = _page_statement(*self._shape, self.reverse, self._last is not None)
        with self.book.engine.connect() as conn:
            page = conn.execute(stmt, args).all()
            tags: dict[int, list[str]] = {}
            if page:
                for cid, name in conn.execute(_PAGE_TAGS, {"ids": [r[0] for r in page]}):
                    tags.setdefault(cid, []).append(name)
        new = [
            ClientRow(
                id=cid,
                uid=uid,
                name=name,
                organisation=org,
                role=role,
                status=status,
                email=email or "",
                phone=phone or "",
                tags=", ".join(tags.get(cid, ())),
                updated_at=_stored_time(updated),
                archived=bool(archived),
                cadence_days=cadence,
                touch_due_on=date.fromisoformat(due) if due else None,
                priority_until=date.fromisoformat(until) if first == 0 and until else None,
            )
            for (
                cid,
                uid,
                name,
                org,
                role,
                status,
                updated,
                archived,
                cadence,
                due,
                email,
                phone,
                until,
                first,
                *_,
            ) in page
        ]
        if page:
            self._last = (page[-1][-3], page[-1][-2], page[-1][-1])  # its ListKey
        if len(page) < wanted:
            self._count = len(self._loaded) + len(page)  # fewer than counted: deleted since
        self._loaded.extend(new)
        return new

    def position(self, client_id: int) -> int:
        """Where ``client_id`` stands in this list (rows before it), or -1 when the
        search does not show it. Reads no rows."""
        mine, ahead = _position_statements(*self._shape, self.reverse)
        with self.book.engine.connect() as conn:
            key = conn.execute(mine, dict(self._args, id=client_id)).first()
            if key is None:
                return -1
            args = dict(self._args, k0=key[0], k1=key[1], k2=key[2])
            return int(conn.scalar(ahead, args) or 0)


def count_clients(book: Book, *, include_archived: bool = False) -> int:
    """How many clients the book has (archived ones only when asked): a plain Core
    read, as the list asks on every search keystroke."""
    with book.engine.connect() as conn:
        return int(conn.scalar(_count_statement(0, include_archived)) or 0)


def all_tags(book: Book) -> list[str]:
    """Tags in use, for completion in the edit dialog."""
    with book.reader() as s:
        return list(s.scalars(select(Tag.name).order_by(Tag.name.collate("NOCASE"))))
