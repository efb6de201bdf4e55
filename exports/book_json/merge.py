"""Importing: check everything, verify and store the evidence files, then merge
by id in one transaction, all or nothing."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from exports.book_json.attachments import (
    _evidence_needed,
    _NeededFile,
    _store_evidence,
    attachments_dir_for,
    evidence_problems,
)
from exports.book_json.check_stream import FileCheck
from exports.book_json.format import BookFormatError, ImportResult
from exports.book_json.incoming import _Incoming
from exports.book_json.merge_agreements import _merge_agreements
from exports.book_json.merge_fresh import add_fresh, split_fresh
from exports.book_json.merge_history import (
    _clients_by_uid,
    _history,
    _replace_history,
    _unchanged,
)
from exports.book_json.merge_incidents import _replace_incidents
from exports.book_json.merge_plans import _merge_plans
from exports.book_json.versions import check_header
from models.db import Book
from models.entities import Commitment, Evidence, FollowUp, Incident, IncidentEntry, Touch
from models.reads import many_small_objects
from models.services.bulk import RowRefused
from models.services.clients import (
    add_client_in,
    apply_input,
)
from models.services.consultant import set_settings_in
from models.services.incident_writers import refresh_priority_in as _refresh_priority
from models.services.incident_writers import stored_files_in
from models.services.reminders import refresh_touch_dates_in
from models.types import utcnow

# --------------------------------------------------------------------------- merging
BATCH = 500  # clients checked and merged at a time


def import_json(book: Book, path: Path, *, now: datetime | None = None) -> ImportResult:
    """Import the export at ``path``, with the evidence files in the folder beside it.

    The file is read a batch of clients at a time (reader.py), so the memory it
    takes is bounded by the batch, not by the file. A file the streaming reader
    cannot read is read whole by read_json if it is small enough, which says
    exactly what is wrong, as it always has.
    """
    from exports.book_json.reader import Unreadable, after_clients, open_export, whole_or_reason

    path = Path(path)
    try:
        export = open_export(path)

        def batches() -> Iterator[list[tuple[int, Any]]]:
            return _batches(export.clients())

        def late(last: list[Any]) -> dict[str, Any]:
            return {} if export.complete else after_clients(export, last)

        return _import(book, export.top, batches, attachments_dir_for(path), now, late)
    except Unreadable as exc:
        data = whole_or_reason(path, exc)
    return import_book(book, data, attachments=attachments_dir_for(path), now=now)


def _batches(items: Iterable[Any]) -> Iterator[list[tuple[int, Any]]]:
    """(place, item) of ``items``, BATCH at a time."""
    size = BATCH  # read at each import, so a test can make batches small
    batch: list[tuple[int, Any]] = []
    for i, item in enumerate(items):
        batch.append((i, item))
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def import_book(
    book: Book,
    data: dict[str, Any],
    *,
    attachments: Path | None = None,
    now: datetime | None = None,
) -> ImportResult:
    """Merge a parsed export into ``book`` by client id, all or nothing.

    Clients already in the book (same id) take the file's fields, contacts, tags,
    timestamps, touches, follow-ups and incidents; new ids are added with the file's
    ids and timestamps; clients that only the book has are left alone. ``now``
    stands in for timestamps a hand-written file leaves out, and is the "now" a
    touch may not be later than.

    Evidence files are read from ``attachments`` (the folder beside the JSON file).
    Every one is checked against its SHA-256 before it is stored, and stored before
    the merge that needs it is committed, so no row ever points at a file that is
    not there. Should the import fail, the files it added are removed again.
    """
    if not isinstance(data, dict) or not isinstance(data.get("clients"), list):
        check_header(data)  # says what is wrong
    clients = data["clients"]
    top = {**data, "clients": []}
    return _import(book, top, lambda: _batches(clients), attachments, now, lambda _last: {})


def _import(
    book: Book,
    top: dict[str, Any],
    batches: Callable[[], Iterable[list[tuple[int, Any]]]],
    attachments: Path | None,
    now: datetime | None,
    late: Callable[[list[Any]], dict[str, Any]],
) -> ImportResult:
    """Check and merge batch by batch inside one transaction: a problem anywhere
    in the file rolls everything back. Once a batch has a problem nothing more is
    merged, but the rest is still checked, so one pass reports every problem (in
    the order the whole-file check gave them: the version steps', the checks',
    the evidence files', then what the book refused)."""
    now = now or utcnow()
    # A file is mostly a few hundred thousand small records, checked, then written:
    # none of them forms a cycle, and with the collector on it walked them again
    # and again (a third of a first import's time).
    with many_small_objects():
        checks = FileCheck(top, now)
        state = _State()
        try:
            with book.session() as s:
                state.empty = _empty_tables(s)
                last: list[Any] = []  # the last two clients read (reader.after_clients)
                for batch in batches():
                    last = [*last, *(raw for _i, raw in batch[-2:])][-2:]
                    incoming = checks.batch(batch)
                    del batch
                    if incoming:
                        _evidence(book, s, incoming, attachments, state, now)
                    if incoming and not state.evidence_problems and state.refused is None:
                        try:
                            _merge_batch(s, incoming, state, now)
                        except BookFormatError as exc:
                            state.refused = exc
                    del incoming
                checks.late_header(top, late(last))
                checks.finish(batches)
                if state.evidence_problems:
                    raise BookFormatError([m for _w, m in sorted(state.evidence_problems)])
                if state.refused is not None:
                    raise state.refused
                if checks.settings is not None:
                    set_settings_in(s, checks.settings)
                # A client whose only change was an agreement or a plan was counted unchanged.
                moved = len(state.later & state.still)
                state.result.unchanged -= moved
                state.result.updated += moved
        except BaseException:
            for path in state.added:
                path.unlink(missing_ok=True)
            raise
    return state.result


@dataclass
class _State:
    """What the merge keeps from batch to batch: counts, ids, never records."""

    result: ImportResult = field(default_factory=lambda: ImportResult(0, 0, 0))
    still: set[str] = field(default_factory=set)  # clients counted unchanged
    later: set[str] = field(default_factory=set)  # clients an agreement or plan changed
    dropped: set[str] = field(default_factory=set)  # agreements an earlier batch removed
    needed: dict[str, _NeededFile] = field(default_factory=dict)
    file_ids: dict[str, int] = field(default_factory=dict)
    added: list[Path] = field(default_factory=list)
    evidence_problems: list[tuple[str, str]] = field(default_factory=list)
    refused: BookFormatError | None = None
    empty: frozenset[type[Any]] = frozenset()  # tables empty before this import


def _empty_tables(s: Session) -> frozenset[type[Any]]:
    """Tables with no row yet: every row they get comes from this file, whose ids
    the checks found unique, so a later batch need not look its ids up there."""
    return frozenset(
        entity
        for entity in (Touch, FollowUp, Incident, IncidentEntry, Evidence, Commitment)
        if not s.scalar(select(func.count()).select_from(entity))
    )


def _evidence(
    book: Book,
    s: Session,
    incoming: list[_Incoming],
    attachments: Path | None,
    state: _State,
    now: datetime,
) -> None:
    """The batch's evidence files not seen before: checked (reads only), then, if
    nothing in the file has failed so far, stored."""
    new = {sha: f for sha, f in _evidence_needed(incoming).items() if sha not in state.needed}
    if not new:
        return
    state.needed.update(new)
    if attachments is None:
        if not state.evidence_problems:
            first = next(iter(new.values()))
            state.evidence_problems.append(
                (
                    "",
                    f"{first.where}: evidence files travel in the folder beside the JSON "
                    "file; import the file itself so Rapport can find them.",
                )
            )
        return
    state.evidence_problems += evidence_problems(new, attachments)
    if state.evidence_problems or state.refused is not None:
        return
    state.added += _store_evidence(book, new, attachments)
    state.file_ids.update(stored_files_in(s, {sha: f.size for sha, f in new.items()}, now))


def _merge_batch(s: Session, incoming: list[_Incoming], state: _State, now: datetime) -> None:
    result, file_ids = state.result, state.file_ids
    existing = _clients_by_uid(s, [inc.uid for inc in incoming])
    history = _history(s, [c.id for c in existing.values()])
    # New clients none of whose ids the book has go in a table at a time
    # (merge_fresh); the others are matched row by row, in file order.
    fresh, _matched = split_fresh(
        s, [inc for inc in incoming if inc.uid not in existing], state.empty
    )
    fresh_uids = {inc.uid for inc in fresh}
    # Clients whose touches changed: their dates are recomputed once, at the end.
    changed: set[int] = set()
    for inc in incoming:
        if inc.uid in fresh_uids:
            continue
        client = existing.get(inc.uid)
        if client is not None and _unchanged(client, inc, history.get(client.id)):
            result.unchanged += 1
            state.still.add(inc.uid)
            continue
        try:
            if client is None:
                client = add_client_in(
                    s, inc.data, now=now, uid=inc.uid, created_at=inc.created_at or now
                )
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
            changed.add(client.id)
            changed |= _replace_history(s, client, inc, now)
            s.flush()
            changed |= _replace_incidents(s, client, inc, file_ids, now)
            s.flush()
        except IntegrityError as exc:
            raise BookFormatError(
                f"clients[{inc.index}]: the book refused this client ({exc.orig})."
            ) from exc
        except RowRefused as exc:
            raise BookFormatError(
                f"clients[{inc.index}]: the book refused this client ({exc.reason})."
            ) from exc
    changed.update(add_fresh(s, fresh, file_ids, now))
    result.created += len(fresh)
    if any(inc.agreements is not None for inc in incoming):
        state.later |= _merge_agreements(s, incoming, now, state.dropped, state.empty)
    if any(ii.plans is not None for inc in incoming for ii in inc.incidents):
        # After the agreements: a finished plan may point at one of them.
        state.later |= _merge_plans(s, incoming, now)
    refresh_touch_dates_in(s, changed)
    _refresh_priority(s, changed)
