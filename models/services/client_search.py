"""Searching the client book whole: list_clients gives every client a query matches,
as list rows read with plain Core queries (no ORM objects), for the command line,
pickers and tests.

Apart from the use cases in clients.py because it is a reader with its own SQL
and changes with what a list row shows; the paged list the main window shows is
ClientList (client_list.py)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, Row, Select, func, select

from models.db import Book
from models.entities import Client, ContactKind, ContactPoint, Tag, client_tag
from models.services.clients import ClientRow
from models.text import search_words


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
