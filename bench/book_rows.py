"""Rows written in bulk for the benchmark book: ids handed out in Python and batches
inserted parents first. Shared by the client and incident generators, which build
rows that point at rows not yet inserted."""

from __future__ import annotations

from typing import Any

from sqlalchemy import insert
from sqlalchemy.orm import Session

from models.entities import (
    Client,
    ContactPoint,
    FollowUp,
    Incident,
    IncidentEntry,
    Touch,
    client_tag,
)


def flush(s: Session, *batches: list[dict[str, Any]]) -> None:
    """Insert what is pending, parents before children, and empty the lists."""
    for table, rows in zip(
        (Client, ContactPoint, client_tag, Touch, FollowUp, Incident, IncidentEntry),
        batches,
        strict=True,
    ):
        if rows:
            s.execute(insert(table), rows)
            rows.clear()


class Ids:
    """Row ids handed out in Python, so a row can point at one not yet inserted."""

    def __init__(self) -> None:
        self._last: dict[str, int] = {}

    def next(self, table: str) -> int:
        self._last[table] = self._last.get(table, 0) + 1
        return self._last[table]
