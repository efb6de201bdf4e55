"""Column types shared by every table."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import DateTime
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator


class UTCDateTime(TypeDecorator[datetime]):
    """A moment in time, stored as naive UTC text and always returned UTC-aware.

    SQLite has no time zone type; storing naive UTC keeps values sortable as text,
    and refusing naive input on the way in stops local times sneaking in.
    """

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("Rapport stores aware datetimes only; got a naive one")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC)


def utcnow() -> datetime:
    return datetime.now(UTC)


class StoredMoment(str):
    """A moment already in the text the book stores it as: naive UTC with
    microseconds, "2026-03-14 09:30:00.000000" (what SQLAlchemy's SQLite DateTime
    writes for a UTCDateTime). The bulk writers (models/services/bulk.py) take it
    as it is, so an import of half a million touches can cut that text out of the
    file's own instead of parsing each time into a datetime and formatting it back,
    which cost more than the INSERT. Made only by the two functions below."""

    __slots__ = ()


def stored_moment(value: datetime) -> StoredMoment:
    """An aware ``value`` as the book stores it."""
    if value.utcoffset() is None:
        raise ValueError("Rapport stores aware datetimes only; got a naive one")
    return StoredMoment(value.astimezone(UTC).isoformat(" ", "microseconds")[:26])


_UTC_ENDS = frozenset(("+00:00", "Z"))


def stored_from_iso(text: str, parsed: datetime) -> StoredMoment:
    """``parsed``, the checked reading of the ISO 8601 ``text``, as the book stores
    it. Text already in UTC with whole seconds or microseconds (what every export
    writes) is cut into shape; anything else (another offset, a short fraction)
    goes the long way through ``parsed``. ``text`` must be what a checker read as
    ``parsed``: the day and the digits are not looked at again here."""
    if text[13:14] == ":" and text[16:17] == ":":
        tail = text[19:]
        if tail in _UTC_ENDS:
            return StoredMoment(f"{text[:10]} {text[11:19]}.000000")
        if tail[:1] == "." and tail[7:] in _UTC_ENDS and tail[1:7].isdigit():
            return StoredMoment(f"{text[:10]} {text[11:26]}")
    return stored_moment(parsed)


def moment_of(stored: str) -> datetime:
    """A stored moment as the aware datetime the book's columns give back."""
    return datetime.fromisoformat(stored).replace(tzinfo=UTC)
