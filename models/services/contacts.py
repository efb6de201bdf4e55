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

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, selectinload

from models.db import Book
from models.entities import (
    Client,
    ContactKind,
    ContactPoint,
)
from models.services.clients import (
    ClientDetail,
    ClientInput,
    _detail,
    many_small_objects,
)
from models.services.contact_rows import (
    Action,
    ContactFileError,
    ContactRecord,
    ImportFailed,
    ImportPlan,
    PlannedRow,
    Progress,
    _as_input,
    _checked,
    _email_key,
    _email_keys,
    _merge,
    _what_is_added,
    control_problem,
)
from models.services.contact_writer import _Writer
from models.text import fold
from models.types import utcnow

_CHUNK = 900  # SQLite's bound-parameter limit is 999 on older builds
# New clients go to SQLite this many at a time: the rows in flight, not the file,
# bound what a large import holds at once on its way into the book.
INSERT_BATCH = 2000


def plan_import(
    book: Book,
    records: Iterable[ContactRecord],
    *,
    progress: Progress | None = None,
    keep_data: bool = True,
) -> ImportPlan:
    """What importing ``records`` would do, row by row; the book is only read.

    ``records`` may be a contacts source (exports/), read as a stream once or twice,
    a batch at a time. With ``keep_data`` false the rows say what would happen
    without carrying each new client's data, so a preview of 100 000 rows holds
    their names and emails, not their notes."""
    with book.reader() as s, many_small_objects():
        return _run(s, records, progress, None, keep_data)


def apply_import(
    book: Book,
    records: Iterable[ContactRecord],
    *,
    now: datetime | None = None,
    progress: Progress | None = None,
    cadence_days: int | None = None,
) -> ImportPlan:
    """Import ``records`` in one transaction and say what was done. New clients
    get ``cadence_days`` as their keep-in-touch rhythm (the app passes its
    default-rhythm setting); clients already in the book keep theirs.

    The plan is made again inside the write, so it is the truth of this moment
    even if the book changed since a preview. Records are read a batch at a time
    and each batch is written with executemany; all batches are one transaction,
    so any failure, or ImportCancelled raised from ``progress``, rolls the whole
    import back and the book is as it was.
    """
    now = now or utcnow()
    try:
        with book.session() as s, many_small_objects():
            return _run(s, records, progress, _Writer(s, now, cadence_days), False)
    except SQLAlchemyError as exc:
        detail = getattr(exc, "orig", None) or exc
        raise ImportFailed(
            f"The import stopped and your book was left as it was ({detail})."
        ) from exc



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



class _Union:
    """Records that share an email, directly or through others, are one person."""

    def __init__(self, n: int) -> None:
        self.parent = list(range(n))

    def add(self) -> None:
        self.parent.append(len(self.parent))

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


def _reiterable(records: Iterable[ContactRecord]) -> Iterable[ContactRecord]:
    """Planning reads the records twice (or three times); a one-shot iterator is
    kept as a list, a source or a list is simply read again."""
    return list(records) if iter(records) is records else records


def _total(records: Iterable[ContactRecord]) -> int:
    try:
        return len(records)  # type: ignore[arg-type]
    except TypeError:
        return 0


# Up to this many records are kept between the two passes, so a file of that
# size is parsed once; beyond it the file is read again, and memory stays that of
# the batch (tests/test_contacts_stream.py).
KEEP_RECORDS = 20_000
# Progress is said every this many records.
_STEP = 500


@dataclass
class Survey:
    """What the first pass learns: who shares an email with whom, and the few
    names that have no email to match on. Keys only, never a record's text.

    A source may build it while it first looks through its file (a vCard file's
    count pass, exports/vcard.py) and offer it as ``survey``: the import then
    reads the file once more, not twice (cutting 100 000 cards a third time was a
    second of the import's eleven)."""

    n: int = 0
    problems: set[int] = field(default_factory=set)
    union: _Union = field(default_factory=lambda: _Union(0))
    first_with: dict[str, int] = field(default_factory=dict)
    lonely: set[str] = field(default_factory=set)

    def add(self, rec: ContactRecord, *, plain: bool = False) -> None:
        """Learns the next record's keys (a record with only its identity, FN, N,
        ORG and emails, will do, unless it holds a control character). ``plain``:
        the source has seen that no field of it holds one (a plain card, a row
        without any), so it is not searched again."""
        i = self.n
        self.union.add()
        self.n += 1
        if rec.problem or (not plain and control_problem(rec)):
            self.problems.add(i)
            return
        keys = _email_keys(rec)
        if keys:
            self._join(i, keys)
        elif folded := fold(rec.full_name()):
            self.lonely.add(folded)

    def add_keys(self, keys: list[str]) -> None:
        """``add`` of a record the source has seen is plain and has these email keys
        (``_email_keys``, none empty): a vCard file's count pass gives them without
        making the record."""
        i = self.n
        self.union.add()
        self.n += 1
        self._join(i, keys)

    def _join(self, i: int, keys: list[str]) -> None:
        union, first_with = self.union, self.first_with
        for key in keys:
            first = first_with.setdefault(key, i)
            if first != i:  # (a key seen first here joins nothing)
                union.join(i, first)


def _survey(records: Iterable[ContactRecord], say: Callable[[int], None]) -> Survey:
    # A source may offer lighter records for this pass (a CSV: only the columns that
    # tell people apart, whole when a row holds a control character).
    identities = getattr(records, "identities", None)
    if callable(identities):
        records = identities()
    sv = Survey()
    add = sv.add
    for i, rec in enumerate(records):
        if i % _STEP == 0:
            say(i)
        add(rec)
    return sv


@dataclass
class _Known:
    """The little of the book this file touches: clients whose emails are in the
    file, and clients named like a record that has no email. Read by one pass
    over the book's emails and names, keeping only what matches."""

    by_lead: dict[int, set[int]]
    by_name: dict[str, int]
    names: dict[int, str]
    archived: set[int]


def _know(s: Session, sv: Survey) -> _Known:
    conn = s.connection()
    matches: dict[str, set[int]] = {}
    if sv.first_with:
        emails = select(ContactPoint.client_id, ContactPoint.value).where(
            ContactPoint.kind == ContactKind.EMAIL
        )
        for cid, value in conn.execute(emails):
            key = _email_key(value)
            if key in sv.first_with:
                matches.setdefault(key, set()).add(cid)
    by_lead: dict[int, set[int]] = {}
    for key, ids in matches.items():
        by_lead.setdefault(sv.union.find(sv.first_with[key]), set()).update(ids)
    names: dict[int, str] = {}
    by_name: dict[str, int] = {}
    if sv.lonely:
        for cid, name in conn.execute(select(Client.id, Client.name)):
            folded = fold(" ".join(name.split()))
            if folded in sv.lonely and folded not in by_name:
                by_name[folded] = cid
                names[cid] = name
    archived: set[int] = set()
    wanted = sorted({cid for ids in by_lead.values() for cid in ids})
    for start in range(0, len(wanted), _CHUNK):
        chunk = wanted[start : start + _CHUNK]
        for cid, name, archived_at in conn.execute(
            select(Client.id, Client.name, Client.archived_at).where(Client.id.in_(chunk))
        ):
            names[cid] = name
            if archived_at is not None:
                archived.add(cid)
    return _Known(by_lead, by_name, names, archived)


def _existing_inputs(s: Session, ids: Iterable[int]) -> dict[int, ClientInput]:
    found: dict[int, ClientInput] = {}
    ordered = sorted(set(ids))
    for start in range(0, len(ordered), _CHUNK):
        chunk = ordered[start : start + _CHUNK]
        for c in s.scalars(
            select(Client)
            .where(Client.id.in_(chunk))
            .options(selectinload(Client.contacts), selectinload(Client.tags))
        ):
            found[c.id] = _detail(c).as_input()
    s.expunge_all()
    return found


@dataclass
class _Decided:
    """Steps 2 and 3 of the rules, decided per group of records before the rows are
    read again: which book client a group is, or why it is skipped."""

    skip: dict[int, str]  # lead -> reason
    target: dict[int, int]  # lead -> client id
    gathered_by: dict[int, int]  # lead -> the earlier lead that gathers it (same client)
    multi: dict[int, list[int]]  # lead -> its records, when it has more than one
    units: dict[int, list[int]]  # first lead -> the leads it gathers, itself first


def _decide(sv: Survey, known: _Known) -> _Decided:
    multi: dict[int, list[int]] = {}
    find = sv.union.find
    for i in range(sv.n):
        if i not in sv.problems and (lead := find(i)) != i:
            multi.setdefault(lead, [lead]).append(i)
    skip: dict[int, str] = {}
    target: dict[int, int] = {}
    for lead in sorted(known.by_lead):
        ids = known.by_lead[lead]
        if len(ids) > 1:
            who = " and ".join(f"“{known.names[i]}”" for i in sorted(ids)[:2])
            skip[lead] = f"Its emails belong to {len(ids)} clients ({who}); update them by hand."
        else:
            (cid,) = ids
            if cid in known.archived:
                skip[lead] = f"It matches “{known.names[cid]}”, who is archived. Unarchive first."
            else:
                target[lead] = cid
    by_client: dict[int, int] = {}
    gathered_by: dict[int, int] = {}
    units: dict[int, list[int]] = {}
    for lead in sorted(target):
        cid = target[lead]
        if cid in by_client:
            first = by_client[cid]
            gathered_by[lead] = first
            units.setdefault(first, [first]).append(lead)
        else:
            by_client[cid] = lead
    return _Decided(skip, target, gathered_by, multi, units)


def _gather(
    records: Iterable[ContactRecord], d: _Decided
) -> tuple[dict[int, ClientInput], dict[int, str]]:
    """The merged input of every record that gathers others, and the places the
    skipped ones point to. Only duplicates are held, and only when there are any."""
    wanted = {i for members in d.multi.values() for i in members}
    wanted |= {lead for leads in d.units.values() for lead in leads}
    inputs: dict[int, ClientInput] = {}
    places: dict[int, str] = {}
    if not wanted:
        return inputs, places
    last = max(wanted)
    for i, rec in enumerate(records):
        if i in wanted:
            inputs[i] = _as_input(rec)
            places[i] = rec.place
        if i >= last:
            break
    for lead, members in d.multi.items():
        merged = inputs[lead]
        for i in members[1:]:
            merged = _merge(merged, inputs.pop(i)).merged
        inputs[lead] = merged
    for first, leads in d.units.items():
        merged = inputs[first]
        for lead in leads[1:]:
            merged = _merge(merged, inputs[lead]).merged
        inputs[first] = merged
    return inputs, places


def _run(
    s: Session,
    records: Iterable[ContactRecord],
    progress: Progress | None,
    writer: _Writer | None,
    keep_data: bool,
) -> ImportPlan:
    """The rules of the module docstring, over records read as a stream.

    Pass 1 keeps keys only (emails, the names of records without one); the book is
    then asked about just those; pass 2 reads the records again and decides and
    writes them a batch at a time, in file order, so what is held is one batch of
    records, the plan's one line per row, and the keys."""
    # A source that learnt the keys while it counted its records is read once more
    # only, as a stream, whatever its size.
    surveyed = getattr(records, "survey", None)
    records = _reiterable(records)
    total = _total(records)
    if (
        not isinstance(surveyed, Survey)
        and 0 < total <= KEEP_RECORDS
        and not isinstance(records, list)
    ):
        # A file this small is parsed once and its records kept for both passes (at
        # most a few tens of MB); a larger one is read as a stream, twice.
        records = list(records)

    def say(done: int) -> None:
        if progress is not None:
            progress(done, total)

    if isinstance(surveyed, Survey):
        sv = surveyed
        say(total // 2)
    else:
        sv = _survey(records, lambda i: say(i // 2))
    total = total or sv.n
    known = _know(s, sv)
    decided = _decide(sv, known)
    inputs, places = _gather(records, decided)
    find = sv.union.find
    rows: list[PlannedRow | None] = []
    names_in_file: dict[str, str] = {}
    # The batch: its creates, and the clients already in the book it merges into.
    creates: list[ClientInput] = []
    pending: list[tuple[int, str, int, ClientInput]] = []

    def flush() -> None:
        existing = _existing_inputs(s, [cid for _at, _place, cid, _data in pending])
        updates: list[tuple[int, ClientInput]] = []
        for at, place, cid, data in pending:
            m = _merge(existing[cid], data)
            emails = tuple(c.value for c in data.emails)
            name = known.names[cid]
            if not m.added:
                rows[at] = PlannedRow(
                    place, name, emails, Action.UNCHANGED, "Already in your book.", cid
                )
                continue
            cleaned, why = _checked(m.merged)
            if why is not None:
                rows[at] = PlannedRow(place, name, emails, Action.SKIP, why)
            else:
                updates.append((cid, cleaned))
                rows[at] = PlannedRow(
                    place,
                    name,
                    emails,
                    Action.UPDATE,
                    _what_is_added(m.added),
                    cid,
                    cleaned if keep_data else None,
                )
        if writer is not None:
            writer.write(creates, updates)
        creates.clear()
        pending.clear()

    def skip(place: str, reason: str, data: ClientInput, name: str | None = None) -> None:
        rows.append(
            PlannedRow(
                place,
                name if name is not None else data.name,
                tuple([c.value for c in data.emails]),
                Action.SKIP,
                reason,
            )
        )

    problems, parent = sv.problems, sv.union.parent
    skips, gathered_by, target = decided.skip, decided.gathered_by, decided.target
    lonely = sv.lonely
    for i, rec in enumerate(records):
        if i % _STEP == 0:
            say(total // 2 + i // 2)
        if i >= sv.n:
            raise ContactFileError("The file changed while it was being read.")
        own = _as_input(rec)
        if i in problems:
            skip(rec.place, rec.problem or control_problem(rec), own, rec.full_name())
            continue
        lead = find(i) if parent[i] != i else i
        if lead != i:
            skip(rec.place, f"Same email as {places[lead]}; merged into it.", own)
            continue
        data = inputs.get(i, own)
        if i in skips:
            skip(rec.place, skips[i], data)
        elif i in gathered_by:
            where = places[gathered_by[i]]
            skip(rec.place, f"Same client as {where}; merged into it.", data)
        elif i in target:
            pending.append((len(rows), rec.place, target[i], data))
            rows.append(None)
        else:
            # 4. New, unless it has no email and its name is taken.
            folded = fold(data.name) if lonely else ""
            if not data.emails and folded:
                if folded in known.by_name:
                    name = known.names[known.by_name[folded]]
                    why = f"No email to match on, and “{name}” is already in your book."
                    skip(rec.place, why, data)
                    continue
                if folded in names_in_file:
                    why = (
                        f"No email to tell it apart from {names_in_file[folded]}, "
                        "which has the same name."
                    )
                    skip(rec.place, why, data)
                    continue
            cleaned, why = _checked(data, clean=data is not own)
            if why is not None:
                skip(rec.place, why, data)
                continue
            if folded and folded in lonely:
                names_in_file.setdefault(folded, rec.place)
            creates.append(cleaned)
            rows.append(
                PlannedRow(
                    rec.place,
                    data.name,
                    tuple([c.value for c in data.emails]),
                    Action.CREATE,
                    "New client.",
                    None,
                    cleaned if keep_data else None,
                )
            )
        if len(creates) + len(pending) >= INSERT_BATCH:
            flush()
    if len(rows) != sv.n:
        raise ContactFileError("The file changed while it was being read.")
    flush()
    say(total)
    done = [r for r in rows if r is not None]
    return ImportPlan(done, writer.created if writer is not None else [])
