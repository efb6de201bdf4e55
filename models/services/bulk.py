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
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from models.entities import Base

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
    s.flush()
    table = entity.__table__  # type: ignore[attr-defined]
    first = (s.scalar(select(func.max(table.c.id))) or 0) + 1
    ids = list(range(first, first + len(rows)))
    values = [{"id": i, **row} for i, row in zip(ids, rows, strict=True)]
    try:
        s.execute(insert(table), values)
    except IntegrityError as exc:
        written = s.scalar(select(func.count()).where(table.c.id >= first)) or 0
        raise RowRefused(written, str(exc.orig)) from exc
    return ids
