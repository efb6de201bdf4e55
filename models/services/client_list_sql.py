"""The SQL behind the client list (services/client_list.py's ClientList): the
statements that read a page, the first page with its count, a client's position and
the count, built once per shape of search and compiled for the book's plain sqlite3
connection, and the row they return decoded into a ClientRow.

Kept apart from the paging because they change for different reasons: these change
with the schema, the list's columns and what SQLite's planner does with them
(indexes, CTEs, scans); the paging changes with how the window reads. A column
added here is one edit in ``row_columns`` and one in ``list_row``, which read
the same order.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime
from functools import cache
from typing import Any

from sqlalchemy import (
    Date,
    Select,
    String,
    and_,
    bindparam,
    case,
    func,
    select,
    tuple_,
    type_coerce,
)

from models.entities import ClientStatus, ContactKind, Tag, client_tag
from models.services.clients import ClientRow, _client, _contact

_STATUS = {s.value: s for s in ClientStatus}


def _list_key(table: Any) -> tuple[Any, Any, Any]:
    """The list order's key over ``table`` (the client table or an alias of it)."""
    prio = case((table.c.priority_until >= bindparam("today", type_=Date), 0), else_=1)
    return prio, table.c.search_text, table.c.id


def _word_tests(table: Any, words: int) -> list[Any]:
    """Every word of the search (bind parameters w0, w1, …) is in the search text."""
    return [
        func.instr(table.c.search_text, bindparam(f"w{i}", type_=String)) > 0 for i in range(words)
    ]


def _narrowed(
    stmt: Select[Any], table: Any, words: int, include_archived: bool, *, scan: bool = False
) -> Select[Any]:
    """``stmt`` over ``table`` narrowed like client_search._matching, with the words as bind
    parameters w0, w1, … so the statement can be built once and reused.

    ``scan`` keeps SQLite from walking ix_client_archived_name for "not archived" (it
    would then read every row by rowid in name order: ten times slower than reading
    the table straight through, on a big book); the test is the same."""
    if not include_archived:
        archived = func.coalesce(table.c.archived_at, None) if scan else table.c.archived_at
        stmt = stmt.where(archived.is_(None))
    for test in _word_tests(table, words):
        stmt = stmt.where(test)
    return stmt


def _first_contact(table: Any, kind: ContactKind) -> Any:
    return (
        select(_contact.c.value)
        .where(_contact.c.client_id == table.c.id, _contact.c.kind == kind.value)
        .order_by(_contact.c.position)
        .limit(1)
        .scalar_subquery()
    )


def row_columns(c: Any) -> list[Any]:
    """What a list row shows, for the client table ``c``, then its list key.

    Dates and times come as their stored text and are parsed with fromisoformat:
    SQLAlchemy's SQLite parsers cost more than the rest of the row."""
    return [
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
        *_list_key(c),
    ]


@cache
def page_statement(words: int, include_archived: bool, reverse: bool, after: bool) -> Select[Any]:
    """Rows of the client list: ``:limit`` clients in list order (descending when
    ``reverse``) after skipping ``:offset`` (and after the key k0, k1, k2 when
    ``after``), each with its list cells and its key.

    The rows' ids are picked by a subquery (one scan of the client table, a top-N
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
    picked = picked.order_by(*order).limit(bindparam("limit")).offset(bindparam("offset"))
    own_key = _list_key(_client)
    stmt = select(*row_columns(_client)).where(_client.c.id.in_(picked))
    return stmt.order_by(*[k.desc() for k in own_key] if reverse else own_key)


@cache
def first_statement(words: int, include_archived: bool, reverse: bool) -> Select[Any]:
    """The first ``:limit`` rows of the list like page_statement, with how many
    clients match and how many the list shows without the search on every row, in
    one pass over the table: the matching clients' keys are set aside (a CTE used
    twice, so SQLite materializes it), counted, and the first ones picked from them.
    Cheaper than a count and a page when few clients match; dearer when many do."""
    keyed = _client.alias("keyed")
    prio, text, ident = _list_key(keyed)
    matching = _narrowed(
        select(ident.label("id"), prio.label("k0"), text.label("k1")),
        keyed,
        words,
        include_archived,
        scan=True,
    ).cte("matching")
    order = [matching.c.k0, matching.c.k1, matching.c.id]
    picked = select(matching.c.id).order_by(*[k.desc() for k in order] if reverse else order)
    counted = select(func.count()).select_from(matching).scalar_subquery()
    everyone = _client.alias("everyone")
    shown = _narrowed(select(func.count()).select_from(everyone), everyone, 0, include_archived)
    stmt = select(*row_columns(_client), counted, shown.scalar_subquery())
    own_key = _list_key(_client)
    stmt = stmt.where(_client.c.id.in_(picked.limit(bindparam("limit"))))
    return stmt.order_by(*[k.desc() for k in own_key] if reverse else own_key)


@cache
def position_statements(words: int, include_archived: bool, reverse: bool) -> tuple[Any, Any]:
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
def count_statement(words: int, include_archived: bool) -> Select[Any]:
    """How many clients match, and how many the list shows without a search: one
    pass over the table either way. Without words the index counts them; with words
    every row's search text is read anyway, so straight through the table, counting
    both as it goes."""
    if words == 0:
        count = select(func.count(), func.count()).select_from(_client)
        return _narrowed(count, _client, 0, include_archived)
    matching = func.count(case((and_(*_word_tests(_client, words)), 1)))
    return _narrowed(
        select(matching, func.count()).select_from(_client), _client, 0, include_archived, scan=True
    )


# The tags of the clients of a page, in name order; {marks} is one "?" per client.
PAGE_TAGS = (
    f"SELECT ct.{client_tag.c.client_id.name}, t.{Tag.name.key}"
    f" FROM {client_tag.name} AS ct JOIN {Tag.__tablename__} AS t ON t.id = ct.tag_id"
    f" WHERE ct.client_id IN ({{marks}}) ORDER BY t.{Tag.name.key}"
)

Sql = tuple[str, dict[str, Any]]


@cache
def _compiled(statement: Any) -> Sql:
    """``statement`` as SQL text for the book's plain sqlite3 connection (named
    parameters) and the values of the literals it binds. ClientList's statements run
    there: going through SQLAlchemy's execution and result layers cost a third as
    much again as SQLite itself, on every search keystroke."""
    from sqlalchemy.dialects import sqlite

    compiled = statement.compile(dialect=sqlite.dialect(paramstyle="named"))
    return str(compiled), dict(compiled.params)


def statement_sql(statement: Any, *args: dict[str, Any], **more: Any) -> Sql:
    """``statement``'s SQL text and its parameters: its literals' values, then ``args``
    and ``more``."""
    sql, literals = _compiled(statement)
    params = dict(literals)
    for a in args:
        params.update(a)
    params.update(more)
    return sql, params


def _stored_time(text: str) -> datetime:
    """A UTCDateTime column's stored text (naive UTC) as the aware moment it means."""
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def list_row(cells: Sequence[Any], tags: dict[int, list[str]]) -> ClientRow:
    """A ClientRow from a row of row_columns (and the tags read for its page)."""
    (cid, uid, name, org, role, status, updated, archived, cadence, due, email, phone, until) = (
        cells[:13]
    )
    return ClientRow(
        id=cid,
        uid=uid,
        name=name,
        organisation=org,
        role=role,
        status=_STATUS[status],
        email=email or "",
        phone=phone or "",
        tags=", ".join(tags.get(cid, ())),
        updated_at=_stored_time(updated),
        archived=bool(archived),
        cadence_days=cadence,
        touch_due_on=date.fromisoformat(due) if due else None,
        priority_until=date.fromisoformat(until) if cells[13] == 0 and until else None,
    )
