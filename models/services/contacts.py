"""Contacts from other address books (CSV, vCard): what an import would do, and doing it.

The file formats live in exports/; they turn a file into ``ContactRecord``s. This
module decides, per record, whether it creates a client, updates one, or is
skipped, and why. The same rules serve the preview, the command line's dry run
and the import itself, so what the user was shown is what happens.

Update rules (docs/contacts.md):
- A record matches a client when one of its emails is one of the client's
  (case ignored). Clients are never matched by name alone.
- An update never overwrites anything: empty name, organisation, role and notes
  are filled in; emails, phone numbers and tags not yet there are added.
- Records in the same file that share an email are one person: they are merged
  into the first of them, and the others are listed as skipped, saying so.
- A record without an email is skipped when a client (or an earlier record) has
  exactly its name, so importing the same file twice never doubles anyone.
- The result must pass ``validate_client`` like a typed-in client; a record that
  would not is skipped with the reason, and the rest of the file still imports.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, selectinload

from models.db import Book
from models.entities import (
    Client,
    ClientStatus,
    ContactKind,
    ContactPoint,
)
from models.errors import RapportError
from models.services.bulk import RowRefused
from models.services.clients import (
    ClientDetail,
    ClientInput,
    Contact,
    NewClient,
    _detail,
    _tags_by_name,
    add_clients_in,
    apply_input,
    many_small_objects,
    validate_client,
)
from models.text import digits_only, fold
from models.types import utcnow

# (done, total): called now and then during long work. A caller that wants to stop
# raises ImportCancelled from it; an import then rolls back whole.
Progress = Callable[[int, int], None]

_CHUNK = 900  # SQLite's bound-parameter limit is 999 on older builds
# New clients go to SQLite this many at a time: the rows in flight, not the file,
# bound what a large import holds at once on its way into the book.
INSERT_BATCH = 2000


# Characters no field of a contact may hold: C0 controls, DEL and C1 controls. They
# are invisible in the app, break a CSV or vCard written back out, and (echoed to a
# terminal) can drive it. Notes keep tab and line breaks, which are text there.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_CONTROL_IN_NOTES = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_FIELD_WORDS = {
    "name": "the name",
    "given": "the first name",
    "middle": "the middle name",
    "family": "the last name",
    "organisation": "the organisation",
    "role": "the role",
}


def control_problem(rec: ContactRecord) -> str:
    """Why ``rec`` is refused for a control character in one of its fields, or "".

    Checked at the edge, before any rule of ours sees the record, so the preview
    names the row and the field instead of the book storing what no one can see."""
    found: tuple[str, str] | None = None
    for attr, word in _FIELD_WORDS.items():
        if m := _CONTROL.search(getattr(rec, attr)):
            found = (word, m.group())
            break
    else:
        if m := _CONTROL_IN_NOTES.search(rec.notes):
            found = ("the notes", m.group())
        else:
            for what, contacts in (("an email", rec.emails), ("a phone number", rec.phones)):
                for c in contacts:
                    if m := (_CONTROL.search(c.value) or _CONTROL.search(c.label)):
                        found = (what, m.group())
                        break
                if found:
                    break
            else:
                for tag in rec.tags:
                    if m := _CONTROL.search(tag):
                        found = ("a tag", m.group())
                        break
    if found is None:
        return ""
    where, char = found
    return (
        f"A control character (U+{ord(char):04X}) in {where}: Rapport does not store control "
        "characters; fix the file and import again."
    )


class ContactFileError(RapportError, ValueError):
    """A contacts file that cannot be read at all; the book is never touched."""


class ImportCancelled(RapportError):
    """The user stopped an import; nothing of it was saved."""

    def __init__(self) -> None:
        super().__init__("The import was cancelled. Nothing was changed.")


class ImportFailed(RapportError):
    """The book refused a write half-way; the whole import was rolled back."""


class Action(enum.StrEnum):
    CREATE = "create"
    UPDATE = "update"
    UNCHANGED = "unchanged"
    SKIP = "skip"


@dataclass
class ContactRecord:
    """One contact as a file had it, before any rule of ours is applied."""

    # Where it is in the file, in the user's words ("row 4", "card 2").
    place: str
    name: str = ""
    given: str = ""
    middle: str = ""
    family: str = ""
    organisation: str = ""
    role: str = ""
    notes: str = ""
    emails: list[Contact] = field(default_factory=list)
    phones: list[Contact] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    # Set when this entry of the file could not be read; it is skipped with this.
    problem: str = ""

    def full_name(self) -> str:
        """The name as written, else built from its parts, else the organisation
        (address books keep companies as contacts with only that filled in)."""
        name = " ".join(self.name.split())
        if not name:
            name = " ".join(p for p in (self.given, self.middle, self.family) if p.strip())
            name = " ".join(name.split())
        return name or " ".join(self.organisation.split())


@dataclass(frozen=True)
class PlannedRow:
    place: str
    name: str
    emails: tuple[str, ...]
    action: Action
    reason: str
    client_id: int | None = None
    data: ClientInput | None = None


@dataclass
class ImportPlan:
    rows: list[PlannedRow]
    created_ids: list[int] = field(default_factory=list)

    def count(self, *actions: Action) -> int:
        return sum(1 for r in self.rows if r.action in actions)

    @property
    def created(self) -> int:
        return self.count(Action.CREATE)

    @property
    def updated(self) -> int:
        return self.count(Action.UPDATE)

    @property
    def unchanged(self) -> int:
        return self.count(Action.UNCHANGED)

    @property
    def skipped(self) -> int:
        """Everything not written: already up to date, merged, or refused."""
        return self.count(Action.SKIP, Action.UNCHANGED)


def plan_import(
    book: Book, records: Sequence[ContactRecord], *, progress: Progress | None = None
) -> ImportPlan:
    """What importing ``records`` would do, row by row; the book is only read."""
    with book.reader() as s:
        return ImportPlan(_plan(s, records, progress))


def apply_import(
    book: Book,
    records: Sequence[ContactRecord],
    *,
    now: datetime | None = None,
    progress: Progress | None = None,
    cadence_days: int | None = None,
) -> ImportPlan:
    """Import ``records`` in one transaction and say what was done. New clients
    get ``cadence_days`` as their keep-in-touch rhythm (the app passes its
    default-rhythm setting); clients already in the book keep theirs.

    The plan is made again inside the write, so it is the truth of this moment
    even if the book changed since a preview. Any failure, or ImportCancelled
    raised from ``progress``, rolls the whole import back.
    """
    now = now or utcnow()
    try:
        with book.session() as s, many_small_objects():
            rows = _plan(s, records, None)
            creates = [r.data for r in rows if r.action is Action.CREATE and r.data is not None]
            if cadence_days is not None:
                creates = [
                    replace(d, cadence_days=cadence_days) if d.cadence_days is None else d
                    for d in creates
                ]
            updates = [r for r in rows if r.action is Action.UPDATE and r.data is not None]
            total = len(creates) + len(updates)
            # Every tag exists before the first client is written, so no query below
            # needs to flush.
            names = [t for d in creates for t in d.tags]
            names += [t for r in updates if r.data is not None for t in r.data.tags]
            _tags_by_name(s, names)
            s.flush()
            # Updates are few and touch existing rows: the ORM's rules apply as typed.
            with s.no_autoflush:
                for done, row in enumerate(updates):
                    if progress is not None and done % 50 == 0:
                        progress(done, total)
                    found = s.get(Client, row.client_id)
                    if found is not None and row.data is not None:
                        apply_input(s, found, row.data, now)
            s.flush()
            created = _insert_new(s, creates, now, progress, len(updates), total)
            if progress is not None:
                progress(total, total)
            return ImportPlan(rows, created)
    except RowRefused as exc:
        raise ImportFailed(
            f"The import stopped and your book was left as it was ({exc.reason})."
        ) from exc
    except SQLAlchemyError as exc:
        detail = getattr(exc, "orig", None) or exc
        raise ImportFailed(
            f"The import stopped and your book was left as it was ({detail})."
        ) from exc


def _insert_new(
    s: Session,
    creates: Sequence[ClientInput],
    now: datetime,
    progress: Progress | None,
    done: int,
    total: int,
) -> list[int]:
    """New clients through the clients' own bulk writer (``add_clients_in``), a
    batch at a time so the progress can move. An ORM object per client (with its
    contact and tag collections) cost 2 ms a row and 17 KB of memory."""
    ids: list[int] = []
    for start in range(0, len(creates), INSERT_BATCH):
        if progress is not None:
            progress(done + start, total)
        batch = creates[start : start + INSERT_BATCH]
        rows = [NewClient(replace(d, status=ClientStatus.ACTIVE), now, now) for d in batch]
        ids += add_clients_in(s, rows)
    return ids


def clients_for_export(book: Book, client_ids: Iterable[int] | None = None) -> list[ClientDetail]:
    """Clients to write out, sorted by name: the given ones, or every client not
    archived. Read in one go so a large export does not ask once per client."""
    with book.reader() as s:
        stmt = select(Client).options(selectinload(Client.contacts), selectinload(Client.tags))
        if client_ids is None:
            clients = list(s.scalars(stmt.where(Client.archived_at.is_(None))))
        else:
            ids = sorted(set(client_ids))
            clients = []
            for start in range(0, len(ids), _CHUNK):
                chunk = ids[start : start + _CHUNK]
                clients += s.scalars(stmt.where(Client.id.in_(chunk)))
        details = [_detail(c) for c in clients]
    details.sort(key=lambda d: (fold(d.name), d.id))
    return details


# -- planning ---------------------------------------------------------------------


def _email_key(value: str) -> str:
    return value.strip().casefold()


def _phone_key(value: str) -> str:
    return digits_only(value) or value.strip().casefold()


def _unique(contacts: Iterable[Contact], key: Callable[[str], str]) -> list[Contact]:
    seen: set[str] = set()
    out: list[Contact] = []
    for c in contacts:
        value = " ".join(c.value.split())
        k = key(value)
        if value and k not in seen:
            seen.add(k)
            out.append(Contact(value, " ".join(c.label.split())))
    return out


def _as_input(rec: ContactRecord) -> ClientInput:
    return ClientInput(
        name=rec.full_name(),
        organisation=" ".join(rec.organisation.split()),
        role=" ".join(rec.role.split()),
        emails=_unique(rec.emails, _email_key),
        phones=_unique(rec.phones, _phone_key),
        tags=[t for t in (" ".join(t.split()) for t in rec.tags) if t],
        notes=rec.notes.strip(),
    )


@dataclass
class _Merge:
    """``merged`` is ``base`` with another input's new bits added; ``added`` says which."""

    merged: ClientInput
    added: list[str]


def _merge(base: ClientInput, extra: ClientInput) -> _Merge:
    """Add what ``extra`` knows and ``base`` does not; never overwrite a value."""
    added: list[str] = []
    values = {}
    for name in ("name", "organisation", "role", "notes"):
        mine, theirs = getattr(base, name), getattr(extra, name)
        if not mine.strip() and theirs.strip():
            values[name] = theirs
            added.append(name)
    emails = _unique([*base.emails, *extra.emails], _email_key)
    phones = _unique([*base.phones, *extra.phones], _phone_key)
    known_tags = {t.casefold() for t in base.tags}
    new_tags = []
    for t in extra.tags:
        if t.casefold() not in known_tags:
            known_tags.add(t.casefold())
            new_tags.append(t)
    new_emails = len(emails) - len(_unique(base.emails, _email_key))
    new_phones = len(phones) - len(_unique(base.phones, _phone_key))
    if new_emails:
        added.append(_plural(new_emails, "email"))
    if new_phones:
        added.append(_plural(new_phones, "phone number"))
    if new_tags:
        added.append(_plural(len(new_tags), "tag"))
    if not added:
        return _Merge(base, [])
    merged = replace(
        base,
        emails=emails if new_emails else list(base.emails),
        phones=phones if new_phones else list(base.phones),
        tags=[*base.tags, *new_tags],
        **values,
    )
    return _Merge(merged, added)


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _what_is_added(added: list[str]) -> str:
    fields = [a for a in added if a in ("name", "organisation", "role", "notes")]
    counts = [a for a in added if a not in fields]
    parts = []
    if counts:
        parts.append("adds " + ", ".join(counts))
    if fields:
        parts.append("fills in " + ", ".join(fields))
    text = "; ".join(parts)
    return text[:1].upper() + text[1:] + "."


def _refusal(data: ClientInput) -> str | None:
    """Why ``data`` could not be saved, in one line, or None when it can."""
    errors = validate_client(data)
    if not errors:
        return None
    if "name" in errors and not data.name.strip():
        return "It has no name (nor an organisation) to file it under."
    return " ".join(dict.fromkeys(errors.values()))


class _Union:
    """Records that share an email, directly or through others, are one person."""

    def __init__(self, n: int) -> None:
        self.parent = list(range(n))

    def find(self, i: int) -> int:
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def join(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            # The earlier row leads, so the user reads "merged into row 2", not 9.
            self.parent[max(ra, rb)] = min(ra, rb)


@dataclass
class _Book:
    """The little of the book that planning needs, read once."""

    by_email: dict[str, set[int]]
    by_name: dict[str, int]
    names: dict[int, str]
    archived: set[int]


def _read_book(s: Session) -> _Book:
    by_email: dict[str, set[int]] = {}
    for cid, value in s.execute(
        select(ContactPoint.client_id, ContactPoint.value).where(
            ContactPoint.kind == ContactKind.EMAIL
        )
    ):
        by_email.setdefault(_email_key(value), set()).add(cid)
    names: dict[int, str] = {}
    by_name: dict[str, int] = {}
    archived: set[int] = set()
    for cid, name, archived_at in s.execute(select(Client.id, Client.name, Client.archived_at)):
        names[cid] = name
        by_name.setdefault(fold(" ".join(name.split())), cid)
        if archived_at is not None:
            archived.add(cid)
    return _Book(by_email, by_name, names, archived)


def _existing_inputs(s: Session, ids: set[int]) -> dict[int, ClientInput]:
    found: dict[int, ClientInput] = {}
    ordered = sorted(ids)
    for start in range(0, len(ordered), _CHUNK):
        chunk = ordered[start : start + _CHUNK]
        for c in s.scalars(
            select(Client)
            .where(Client.id.in_(chunk))
            .options(selectinload(Client.contacts), selectinload(Client.tags))
        ):
            found[c.id] = _detail(c).as_input()
    return found


def _plan(
    s: Session, records: Sequence[ContactRecord], progress: Progress | None
) -> list[PlannedRow]:
    records = [
        r if r.problem or not (why := control_problem(r)) else replace(r, problem=why)
        for r in records
    ]
    inputs = [_as_input(r) for r in records]
    rows: list[PlannedRow | None] = [None] * len(records)

    def skip(i: int, reason: str, name: str | None = None) -> None:
        rows[i] = PlannedRow(
            records[i].place,
            name if name is not None else inputs[i].name,
            tuple(c.value for c in inputs[i].emails),
            Action.SKIP,
            reason,
        )

    # 1. Same email in the file: one person, merged into the earliest row.
    union = _Union(len(records))
    first_with: dict[str, int] = {}
    for i, rec in enumerate(records):
        if rec.problem:
            continue
        for c in inputs[i].emails:
            j = first_with.setdefault(_email_key(c.value), i)
            union.join(i, j)
    groups: dict[int, list[int]] = {}
    for i, rec in enumerate(records):
        if rec.problem:
            skip(i, rec.problem, rec.full_name())
        else:
            groups.setdefault(union.find(i), []).append(i)
    for lead, members in groups.items():
        for i in members[1:]:
            inputs[lead] = _merge(inputs[lead], inputs[i]).merged
            skip(i, f"Same email as {records[lead].place}; merged into it.")

    # 2. Who in the book each remaining record is.
    known = _read_book(s)
    target: dict[int, int] = {}
    for n, lead in enumerate(sorted(groups)):
        if progress is not None and n % 200 == 0:
            progress(n, len(groups))
        data = inputs[lead]
        ids: set[int] = set()
        for c in data.emails:
            ids |= known.by_email.get(_email_key(c.value), set())
        if len(ids) > 1:
            who = " and ".join(f"“{known.names[i]}”" for i in sorted(ids)[:2])
            skip(lead, f"Its emails belong to {len(ids)} clients ({who}); update them by hand.")
        elif ids:
            cid = ids.pop()
            if cid in known.archived:
                skip(lead, f"It matches “{known.names[cid]}”, who is archived. Unarchive first.")
            else:
                target[lead] = cid

    # 3. Several records for one client: the earliest gathers the others.
    by_client: dict[int, int] = {}
    for lead in sorted(target):
        cid = target[lead]
        if cid in by_client:
            first = by_client[cid]
            inputs[first] = _merge(inputs[first], inputs[lead]).merged
            skip(lead, f"Same client as {records[first].place}; merged into it.")
        else:
            by_client[cid] = lead
    existing = _existing_inputs(s, set(by_client))
    for cid, lead in by_client.items():
        data = inputs[lead]
        m = _merge(existing[cid], data)
        emails = tuple(c.value for c in data.emails)
        name = known.names[cid]
        if not m.added:
            rows[lead] = PlannedRow(
                records[lead].place, name, emails, Action.UNCHANGED, "Already in your book.", cid
            )
        elif (why := _refusal(m.merged)) is not None:
            skip(lead, why, name)
        else:
            rows[lead] = PlannedRow(
                records[lead].place,
                name,
                emails,
                Action.UPDATE,
                _what_is_added(m.added),
                cid,
                m.merged.cleaned(),
            )

    # 4. Everyone else is new, unless they have no email and their name is taken.
    names_in_file: dict[str, int] = {}
    for lead in sorted(groups):
        if rows[lead] is not None or lead in target:
            continue
        data = inputs[lead]
        folded = fold(data.name)
        if not data.emails and folded:
            if folded in known.by_name:
                name = known.names[known.by_name[folded]]
                skip(lead, f"No email to match on, and “{name}” is already in your book.")
                continue
            if folded in names_in_file:
                place = records[names_in_file[folded]].place
                skip(lead, f"No email to tell it apart from {place}, which has the same name.")
                continue
        if (why := _refusal(data)) is not None:
            skip(lead, why)
            continue
        names_in_file.setdefault(folded, lead)
        rows[lead] = PlannedRow(
            records[lead].place,
            data.name,
            tuple(c.value for c in data.emails),
            Action.CREATE,
            "New client.",
            None,
            data.cleaned(),
        )
    if progress is not None:
        progress(len(groups), len(groups))
    return [r for r in rows if r is not None]
