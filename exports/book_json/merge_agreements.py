"""Merging agreements and their commitments."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload, undefer

from exports.book_json.format import _SQL_CHUNK, BookFormatError
from exports.book_json.incoming import _Incoming, _IncomingAgreement
from exports.book_json.merge_fresh import _taken
from models.entities import (
    Agreement,
    AgreementStatus,
    Client,
    Commitment,
    CommitmentState,
    FollowUp,
    Incident,
    Side,
)
from models.services.agreements import NewAgreement, NewCommitment, add_agreements_in
from models.services.bulk import RowRefused, update_rows


def _merge_agreements(
    s: Session,
    incoming: list[_Incoming],
    now: datetime,
    dropped: set[str] | None = None,
    empty: frozenset[type[Any]] = frozenset(),
) -> set[str]:
    """Make each listed client's agreements exactly the file's, matched by id, with
    their commitments, stored PDFs and links; returns the uids of clients whose
    agreements changed. Runs after every client, touch, follow-up and incident of
    ``incoming`` is in place, so links by id resolve.

    A file is merged a batch at a time: ``dropped`` carries the agreements earlier
    batches removed, so a later client that lists one is refused as it would have
    been had the whole file been one batch (the id was another client's).
    """
    dropped = set() if dropped is None else dropped
    wanted = [inc for inc in incoming if inc.agreements is not None]
    clients = _client_ids(s, [inc.uid for inc in wanted])
    agreements = [a for inc in wanted for a in inc.agreements or []]
    fu_ids = _ids_of(
        s,
        FollowUp,
        [a.review_follow_up_uid for a in agreements if a.review_follow_up_uid]
        + [c.follow_up_uid for a in agreements for c in a.commitments if c.follow_up_uid],
    )
    inc_ids = _ids_of(s, Incident, [a.incident_uid for a in agreements if a.incident_uid])
    all_uids = [a.uid for a in agreements]
    rows: dict[str, Agreement] = {}
    for start in range(0, len(all_uids), _SQL_CHUNK):
        chunk = all_uids[start : start + _SQL_CHUNK]
        for r in s.scalars(
            select(Agreement)
            .where(Agreement.uid.in_(chunk))
            .options(undefer(Agreement.pdf), selectinload(Agreement.commitments))
        ):
            rows[r.uid] = r
    changed: set[str] = set()
    keep = set(all_uids)
    owner = {clients[inc.uid]: inc.uid for inc in wanted}
    client_ids = sorted(owner)
    for start in range(0, len(client_ids), _SQL_CHUNK):
        chunk = client_ids[start : start + _SQL_CHUNK]
        for r in s.scalars(select(Agreement).where(Agreement.client_id.in_(chunk))):
            # A final agreement is part of the record: a file that leaves it out
            # leaves it alone, it never removes it.
            if r.uid not in keep and AgreementStatus(r.status) != AgreementStatus.FINAL:
                s.delete(r)
                dropped.add(r.uid)
                changed.add(owner[r.client_id])
    s.flush()
    ids_to_uid = {
        v: k
        for k, v in _ids_of(
            s, Agreement, [], [r.supersedes_id for r in rows.values() if r.supersedes_id]
        ).items()
    }
    # Commitment ids the book already has: an agreement with none of them is new
    # through and through and goes in through the services' writer.
    taken = _taken(
        s,
        Commitment,
        [c.uid for inc in wanted for a in inc.agreements or [] for c in a.commitments],
        empty,
    )
    placed: list[tuple[Agreement, _IncomingAgreement]] = []
    fresh: list[tuple[NewAgreement, _IncomingAgreement]] = []
    for inc in wanted:
        client_id = clients[inc.uid]
        for j, ia in enumerate(inc.agreements or []):
            row = rows.get(ia.uid)
            where = f"clients[{inc.index}].agreements[{j}]"
            if (row is not None and row.client_id != client_id) or (
                row is None and ia.uid in dropped
            ):
                raise BookFormatError(
                    f"{where}: the id {ia.uid} belongs to an agreement of another client "
                    "in this book; nothing was imported."
                )
            values = _agreement_values(ia, fu_ids, inc_ids)
            if row is not None and AgreementStatus(row.status) == AgreementStatus.FINAL:
                if _final_part(_row_values(row, ids_to_uid)) != _final_part(values):
                    raise BookFormatError(
                        f"{where}: the agreement {row.number} v{row.version} is final in this "
                        "book and the file changes it; a final agreement cannot be changed, "
                        "so nothing was imported."
                    )
                placed.append((row, ia))
                continue
            if (
                row is not None
                and row.client_id == client_id
                and _row_values(row, ids_to_uid) == values
                and (ia.created_at is None or row.created_at == ia.created_at)
            ):
                placed.append((row, ia))
                continue
            changed.add(inc.uid)
            if row is None and not any(c.uid in taken for c in ia.commitments):
                fresh.append((_new_agreement(client_id, ia, values, now), ia))
                continue
            if row is None:
                row = Agreement(uid=ia.uid, client_id=client_id, created_at=ia.created_at or now)
                s.add(row)
            row.client_id = client_id
            if ia.created_at is not None:
                row.created_at = ia.created_at
            (
                row.number,
                row.version,
                row.title,
                row.dated,
                row.status,
                row.incident_id,
                row.context,
                row.points,
                row.review_on,
                row.review_follow_up_id,
                row.finalised_at,
                row.pdf,
                row.pdf_sha256,
            ) = values[:13]
            row.updated_at = ia.updated_at or now
            _replace_commitments(s, row, ia, fu_ids)
            placed.append((row, ia))
    try:
        s.flush()
        fresh_ids = add_agreements_in(s, [new for new, _ia in fresh])
    except IntegrityError as exc:
        raise BookFormatError(f"The book refused an agreement of this file ({exc.orig}).") from exc
    except RowRefused as exc:
        raise BookFormatError(
            f"The book refused an agreement of this file ({exc.reason})."
        ) from exc
    ids = {row.uid: row.id for row, _ in placed}
    ids.update((ia.uid, i) for i, (_new, ia) in zip(fresh_ids, fresh, strict=True))
    for row, ia in placed:
        target = ids[ia.supersedes_uid] if ia.supersedes_uid else None
        if row.supersedes_id != target:
            row.supersedes_id = target
    links = [
        (i, {"supersedes_id": ids[ia.supersedes_uid]})
        for i, (_new, ia) in zip(fresh_ids, fresh, strict=True)
        if ia.supersedes_uid
    ]
    update_rows(s, Agreement, links)
    return changed


def _new_agreement(
    client_id: int, ia: _IncomingAgreement, values: tuple[Any, ...], now: datetime
) -> NewAgreement:
    """An agreement of the file, with its commitments, as the services' writer takes it
    (``values``: from _agreement_values, the ids already the book's)."""
    commitments = tuple(
        NewCommitment(c[1], c[2], c[3], c[4], c[5], c[6], uid=c[0]) for c in values[15]
    )
    return NewAgreement(
        client_id,
        ia.number,
        ia.title,
        ia.dated,
        created_at=ia.created_at or now,
        updated_at=ia.updated_at or now,
        version=ia.version,
        status=ia.status,
        incident_id=values[5],
        context=ia.context,
        points=ia.points,
        review_on=ia.review_on,
        review_follow_up_id=values[9],
        finalised_at=ia.finalised_at,
        pdf=ia.pdf,
        pdf_sha256=ia.pdf_sha256,
        commitments=commitments,
        uid=ia.uid,
    )


def _ids_of(
    s: Session, entity: type[Any], uids: list[str], row_ids: list[int] | None = None
) -> dict[str, int]:
    """{uid: row id} of the rows of ``entity`` with one of ``uids`` (or of ``row_ids``)."""
    found: dict[str, int] = {}
    column = entity.id if row_ids else entity.uid
    wanted = sorted(set(row_ids or uids))
    for start in range(0, len(wanted), _SQL_CHUNK):
        chunk = wanted[start : start + _SQL_CHUNK]
        found.update(s.execute(select(entity.uid, entity.id).where(column.in_(chunk))).all())
    return found


def _client_ids(s: Session, uids: list[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for start in range(0, len(uids), _SQL_CHUNK):
        chunk = uids[start : start + _SQL_CHUNK]
        found.update(
            (u, i) for u, i in s.execute(select(Client.uid, Client.id).where(Client.uid.in_(chunk)))
        )
    return found


def _final_part(values: tuple[Any, ...]) -> tuple[Any, ...]:
    """What a final agreement fixed for good: everything it printed (number, version,
    title, date, status, context, points, PDF bytes and hash, its commitments' words);
    a commitment's state and follow-up keep moving after it is signed."""
    return (*values[:5], values[6], values[7], values[10], values[11], values[12]) + (
        [(c[0], c[1], c[2], c[3], c[4]) for c in values[15]],
    )


def _agreement_values(
    ia: _IncomingAgreement, fu_ids: dict[str, int], inc_ids: dict[str, int]
) -> tuple[Any, ...]:
    return (
        ia.number,
        ia.version,
        ia.title,
        ia.dated,
        ia.status,
        inc_ids[ia.incident_uid] if ia.incident_uid else None,
        ia.context,
        ia.points,
        ia.review_on,
        fu_ids[ia.review_follow_up_uid] if ia.review_follow_up_uid else None,
        ia.finalised_at,
        ia.pdf,
        ia.pdf_sha256,
        ia.supersedes_uid,
        ia.updated_at,
        [
            (c.uid, c.side, c.position, c.text, c.due_on, c.state)
            + (fu_ids[c.follow_up_uid] if c.follow_up_uid else None,)
            for c in ia.commitments
        ],
    )


def _row_values(row: Agreement, ids_to_uid: dict[int, str]) -> tuple[Any, ...]:
    side_order = {Side.OURS: 0, Side.THEIRS: 1}
    return (
        row.number,
        row.version,
        row.title,
        row.dated,
        AgreementStatus(row.status),
        row.incident_id,
        row.context,
        row.points,
        row.review_on,
        row.review_follow_up_id,
        row.finalised_at,
        row.pdf,
        row.pdf_sha256,
        ids_to_uid.get(row.supersedes_id) if row.supersedes_id is not None else None,
        row.updated_at,
        [
            (c.uid, Side(c.side), c.position, c.text, c.due_on, CommitmentState(c.state))
            + (c.follow_up_id,)
            for c in sorted(
                row.commitments, key=lambda c: (side_order[Side(c.side)], c.position, c.uid)
            )
        ],
    )


def _replace_commitments(
    s: Session, row: Agreement, ia: _IncomingAgreement, fu_ids: dict[str, int]
) -> None:
    """The agreement's commitments exactly the file's, matched by id."""
    uids = [c.uid for c in ia.commitments]
    existing = {c.uid: c for c in row.commitments}
    for start in range(0, len(uids), _SQL_CHUNK):
        chunk = uids[start : start + _SQL_CHUNK]
        for c in s.scalars(select(Commitment).where(Commitment.uid.in_(chunk))):
            existing[c.uid] = c
    keep = set(uids)
    for uid, c in list(existing.items()):
        if uid not in keep:
            if c in row.commitments:
                row.commitments.remove(c)
            else:
                s.delete(c)
            del existing[uid]
    for ic in ia.commitments:
        c = existing.get(ic.uid)
        if c is None:
            c = Commitment(uid=ic.uid)
        if c not in row.commitments:
            row.commitments.append(c)
        c.side, c.position, c.text, c.due_on, c.state = (
            ic.side,
            ic.position,
            ic.text,
            ic.due_on,
            ic.state,
        )
        c.follow_up_id = fu_ids[ic.follow_up_uid] if ic.follow_up_uid else None
