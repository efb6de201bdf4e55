"""Many rows of one table in one ``executemany``: what the session-level writers
use, so the dialog's one row, the demo's dozens and an import's half a million go
through the same code.

Row ids are handed out here (the table's highest id plus one, in order) instead of
read back one INSERT at a time, so the caller can point child rows at their
parents without a flush or a select per row. SQLite's executemany stops at the
first refused row with the rows before it written, so a refusal names the row
that caused it (``RowRefused.position``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from models.entities import Base
from models.types import StoredMoment, UTCDateTime

# Ids per ``IN (…)`` list: well under SQLite's limit on bound parameters.
SQL_CHUNK = 500


class RowRefused(Exception):
    """The database refused row ``position`` of a batch (a constraint or a trigger);
    ``reason`` is the database's own words."""

    def __init__(self, position: int, reason: str) -> None:
        super().__init__(reason)
        self.position = position
        self.reason = reason


def insert_rows(s: Session, entity: type[Base], rows: Sequence[Mapping[str, Any]]) -> list[int]:
    """Insert ``rows`` (each with the same keys, no ``id``) and return their new ids
    in order. Pending ORM objects are flushed first, so the ids never collide."""
    if not rows:
        return []
    return insert_values(s, entity, tuple(rows[0]), [tuple(r.values()) for r in rows])


def insert_values(
    s: Session, entity: type[Base], keys: Sequence[str], rows: Sequence[Sequence[Any]]
) -> list[int]:
    """``insert_rows`` for rows given as values in the order of ``keys``: what a
    writer of very many rows (an import's touches) builds, one tuple per row.

    The values go to the driver's own executemany, each turned into what its
    column stores by the column type's bind processor, taken once per column and
    run a column at a time: SQLAlchemy's per-row statement machinery cost more
    than the INSERT itself on a first import of half a million touches.
    """
    if not rows:
        return []
    s.flush()
    table = entity.__table__  # type: ignore[attr-defined]
    first = (s.scalar(select(func.max(table.c.id))) or 0) + 1
    ids = range(first, first + len(rows))
    conn = s.connection()
    columns: list[Sequence[Any]] = list(zip(*rows, strict=True))
    if len(columns) != len(keys):
        raise ValueError(f"{len(keys)} columns named, rows of {len(columns)} given")
    for n, key in enumerate(keys):
        process = _processor(table.c[key], conn)
        if process is not None:
            columns[n] = [v if v is None else process(v) for v in columns[n]]
    values = list(zip(ids, *columns, strict=True))
    names = ", ".join(f'"{k}"' for k in ["id", *keys])
    marks = ", ".join("?" * (len(keys) + 1))
    try:
        conn.exec_driver_sql(f'INSERT INTO "{table.name}" ({names}) VALUES ({marks})', values)
    except IntegrityError as exc:
        written = s.scalar(select(func.count()).where(table.c.id >= first)) or 0
        raise RowRefused(written, str(exc.orig)) from exc
    return list(ids)


def update_rows(
    s: Session, entity: type[Base], values: Sequence[tuple[int, Mapping[str, Any]]]
) -> None:
    """Set columns of many rows by id in one executemany (each mapping with the same
    keys), and expire those attributes on any copy the session holds, so nobody
    reads a stale value afterwards."""
    if not values:
        return
    table = entity.__table__  # type: ignore[attr-defined]
    keys = list(values[0][1])
    conn = s.connection()
    processors = [_processor(table.c[k], conn) for k in keys]
    params = []
    for row_id, row in values:
        cells = [
            p(v) if p is not None and v is not None else v
            for p, v in zip(processors, row.values(), strict=True)
        ]
        params.append((*cells, row_id))
    sets = ", ".join(f'"{k}" = ?' for k in keys)
    conn.exec_driver_sql(f'UPDATE "{table.name}" SET {sets} WHERE id = ?', params)
    touched = {row_id for row_id, _ in values}
    for obj in list(s.identity_map.values()):
        if isinstance(obj, entity) and obj.id in touched:  # type: ignore[attr-defined]
            s.expire(obj, keys)


def _processor(column: Any, conn: Any) -> Any:
    """What the column's type (as this dialect stores it) does to a value going in.
    A moment (UTCDateTime) is written straight as SQLAlchemy's SQLite text, naive
    UTC with microseconds: the same text at a third of the cost, which counts at
    a million timestamps; one already in that text (a StoredMoment) goes as it is."""
    general = column.type.dialect_impl(conn.dialect).bind_processor(conn.dialect)
    if general is None:
        return None
    members = getattr(column.type, "enum_class", None)
    if members is not None:
        # A member of the column's own enum is stored as its value; anything else
        # goes through the type's own check.
        stored = {member: member.value for member in members}
        return lambda value: stored[value] if type(value) is members else general(value)
    if not isinstance(column.type, UTCDateTime):
        return general

    def moment(value: datetime | StoredMoment) -> Any:
        if type(value) is StoredMoment:
            # As plain text: the driver binds a str subclass through its adapter
            # lookup, a third slower over a whole import.
            return str(value)
        if value.tzinfo is UTC:
            return value.isoformat(" ", "microseconds")[:26]
        if value.utcoffset() is None:
            return general(value)  # refuses a naive one
        return value.astimezone(UTC).isoformat(" ", "microseconds")[:26]

    return moment
