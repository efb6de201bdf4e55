"""Importing: check everything, verify and store the evidence files, then merge
by id in one transaction, all or nothing."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy.exc import IntegrityError

from exports.book_json.attachments import (
    _evidence_needed,
    _NeededFile,
    _store_evidence,
    _verify_evidence,
    attachments_dir_for,
)
from exports.book_json.check import _check_document
from exports.book_json.files import read_json
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
from models.db import Book
from models.reads import many_small_objects
from models.services.bulk import RowRefused
from models.services.clients import (
    add_client_in,
    apply_input,
)
from models.services.consultant import ConsultantSettings, set_settings_in
from models.services.incident_writers import refresh_priority_in as _refresh_priority
from models.services.incident_writers import stored_files_in
from models.services.reminders import refresh_touch_dates_in
from models.types import utcnow

# --------------------------------------------------------------------------- merging


def import_json(book: Book, path: Path, *, now: datetime | None = None) -> ImportResult:
    """Import the export at ``path``, with the evidence files in the folder beside it."""
    return import_book(book, read_json(path), attachments=attachments_dir_for(path), now=now)


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
    Every one is checked against its SHA-256 before anything is written; then they
    are copied into the book's attachments folder, and only then is the merge
    committed, so no row ever points at a file that is not there. Should the merge
    fail, the files this import added are removed again.
    """
    now = now or utcnow()
    # A file is mostly a few hundred thousand small records, checked, then written:
    # none of them forms a cycle, and with the collector on it walked the whole
    # parsed file again and again (a third of a first import's time).
    with many_small_objects():
        checked = _check_document(data, now)
        incoming = checked.clients
        needed = _evidence_needed(incoming)
        if needed:
            _verify_evidence(needed, attachments)
        assert attachments is not None or not needed
        added = _store_evidence(book, needed, attachments) if attachments is not None else []
        try:
            return _merge(book, incoming, needed, now, checked.consultant)
        except BaseException:
            for path in added:
                path.unlink(missing_ok=True)
            raise


def _merge(
    book: Book,
    incoming: list[_Incoming],
    needed: dict[str, _NeededFile],
    now: datetime,
    consultant: ConsultantSettings | None = None,
) -> ImportResult:
    result = ImportResult(created=0, updated=0, unchanged=0)
    with book.session() as s:
        existing = _clients_by_uid(s, [inc.uid for inc in incoming])
        history = _history(s, [c.id for c in existing.values()])
        file_ids = stored_files_in(s, {sha: f.size for sha, f in needed.items()}, now)
        # New clients none of whose ids the book has go in a table at a time
        # (merge_fresh); the others are matched row by row, in file order.
        fresh, _matched = split_fresh(s, [inc for inc in incoming if inc.uid not in existing])
        fresh_uids = {inc.uid for inc in fresh}
        # Clients whose touches changed: their dates are recomputed once, at the end.
        changed: set[int] = set()
        still: set[str] = set()  # counted unchanged so far
        for inc in incoming:
            if inc.uid in fresh_uids:
                continue
            client = existing.get(inc.uid)
            if client is not None and _unchanged(client, inc, history.get(client.id)):
                result.unchanged += 1
                still.add(inc.uid)
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
        later: set[str] = set()
        if any(inc.agreements is not None for inc in incoming):
            later |= _merge_agreements(s, incoming, now)
        if any(ii.plans is not None for inc in incoming for ii in inc.incidents):
            # After the agreements: a finished plan may point at one of them.
            later |= _merge_plans(s, incoming, now)
        # A client whose only change is an agreement or a plan was counted unchanged above.
        moved = len(later & still)
        result.unchanged -= moved
        result.updated += moved
        if consultant is not None:
            set_settings_in(s, consultant)
        refresh_touch_dates_in(s, changed)
        _refresh_priority(s, changed)
    return result
