"""An import takes a touch's moments from the file's own text (models.types
stored_from_iso) instead of parsing each one into a datetime and formatting it
back: the text it stores must be what the book's column type would store for the
same moment, for every way of writing it, and the rows a first import writes must
be the rows the row-by-row merge writes."""

from __future__ import annotations

import copy
import sqlite3
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy.dialects import sqlite

from exports.book_json import attachments_dir_for, import_book, read_json, write_json
from models.db import Book, open_book
from models.demo import fill_demo
from models.limits import MAX_YEAR, MIN_YEAR
from models.types import StoredMoment, UTCDateTime, stored_from_iso

NOW = datetime(2026, 11, 22, 9, 30, 0, 123456, tzinfo=UTC)
_DIALECT = sqlite.dialect()
# What the ORM writes for a moment: the column type, as SQLite stores it.
_COLUMN = UTCDateTime().dialect_impl(_DIALECT).bind_processor(_DIALECT)


def _checked(text: str) -> datetime:
    """``text`` as the format's models read a touch's time."""
    from exports.book_json.codecs import TouchCodec, checker

    record = checker(TouchCodec).validate_python(
        {"id": "a" * 32, "happened_at": text, "channel": "call"}
    )
    moment: datetime = record["happened_at"]
    return moment


def _written(moment: datetime, zone: timedelta, sep: str, fraction: str, utc_as: str) -> str:
    local = moment.astimezone(timezone(zone))
    text = local.strftime(f"%Y-%m-%d{sep}%H:%M:%S")
    if fraction == "micro":
        text += f".{local.microsecond:06d}"
    elif fraction == "milli" and local.microsecond % 1000 == 0:
        text += f".{local.microsecond // 1000:03d}"
    elif fraction == "nano":
        text += f".{local.microsecond:06d}789"
    offset = local.isoformat()[-6:]
    return text + (utc_as if offset in ("+00:00", "-00:00") else offset)


@settings(derandomize=True, database=None, deadline=None, max_examples=300)
@given(
    moment=st.datetimes(
        min_value=datetime(MIN_YEAR, 1, 2), max_value=datetime(MAX_YEAR, 12, 30)
    ).map(lambda d: d.replace(tzinfo=UTC)),
    zone=st.sampled_from([timedelta(0), timedelta(hours=2), timedelta(hours=-9, minutes=-30)]),
    sep=st.sampled_from(["T", " ", "t"]),
    fraction=st.sampled_from(["none", "micro", "milli", "nano"]),
    utc_as=st.sampled_from(["+00:00", "Z"]),
)
def test_the_stored_text_is_what_the_column_stores(
    moment: datetime, zone: timedelta, sep: str, fraction: str, utc_as: str
) -> None:
    text = _written(moment, zone, sep, fraction, utc_as)
    parsed = _checked(text)
    stored = stored_from_iso(text, parsed)
    assert type(stored) is StoredMoment
    assert stored == _COLUMN(parsed)
    # The cut must not lose what the long way keeps.
    assert datetime.fromisoformat(stored).replace(tzinfo=UTC) == parsed


def _rows(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every touch and client as stored, by uid (row ids may differ between books)."""
    conn = sqlite3.connect(path)
    try:
        return {
            "touch": conn.execute(
                "SELECT t.uid, c.uid, t.happened_at, t.channel, t.summary, t.next_step,"
                " t.created_at FROM touch t JOIN client c ON c.id = t.client_id ORDER BY t.uid"
            ).fetchall(),
            "client": conn.execute(
                "SELECT uid, last_touch_on, touch_due_on, created_at, updated_at"
                " FROM client ORDER BY uid"
            ).fetchall(),
        }
    finally:
        conn.close()


def _import(path: Path, doc: dict[str, Any], files: Path) -> None:
    book = open_book(path)
    try:
        import_book(book, copy.deepcopy(doc), attachments=files, now=NOW)
    finally:
        book.close()


def _rewritten(doc: dict[str, Any]) -> dict[str, Any]:
    """``doc`` with every touch's times written another way (an offset, "Z", a
    fraction cut short): the same moments, which must be stored the same."""
    out = copy.deepcopy(doc)
    forms = [
        lambda d: d.astimezone(timezone(timedelta(hours=5, minutes=30))).isoformat(),
        lambda d: d.isoformat().replace("+00:00", "Z"),
        lambda d: d.astimezone(timezone(timedelta(hours=-3))).isoformat(" ", "milliseconds"),
    ]
    n = 0
    for c in out["clients"]:
        for t in c["touches"]:
            for key in ("happened_at", "created_at"):
                if key not in t:
                    continue
                moment = datetime.fromisoformat(t[key])
                short = n % 3 == 2 and moment.microsecond % 1000 == 0
                t[key] = forms[2](moment) if short else forms[n % 2](moment)
                n += 1
    assert n > 20
    return out


def test_a_first_import_stores_the_rows_the_row_by_row_merge_stores(
    book: Book, tmp_path: Path
) -> None:
    fill_demo(book, now=NOW)
    write_json(book, tmp_path / "demo.json")
    doc, files = read_json(tmp_path / "demo.json"), attachments_dir_for(tmp_path / "demo.json")
    demo = _rows(book.path)

    # The export's own UTC text (the cut), the same moments written otherwise
    # (the long way): one set of rows, the demo's own.
    _import(tmp_path / "cut.db", doc, files)
    _import(tmp_path / "long.db", _rewritten(doc), files)
    assert _rows(tmp_path / "cut.db") == demo
    assert _rows(tmp_path / "long.db") == demo

    # A book that has these clients already takes the touches through the
    # row-by-row merge (changed summaries, and new touches among the old):
    # the same rows as a first import of the changed file.
    changed = copy.deepcopy(doc)
    for c in changed["clients"]:
        for t in c["touches"][::2]:
            t["summary"] += " (changed)"
            t["created_at"] = "2026-11-01T08:00:00+01:00"
        if c["touches"]:
            fresh = dict(c["touches"][0], id=f"{c['id'][:24]}ffffffff", summary="New")
            del fresh["created_at"]  # a hand-written touch: stamped with the import's now
            c["touches"].append(fresh)
    _import(tmp_path / "cut.db", _rewritten(changed), files)
    _import(tmp_path / "fresh.db", changed, files)
    merged, first = _rows(tmp_path / "cut.db"), _rows(tmp_path / "fresh.db")
    assert merged["touch"] == first["touch"]
    assert merged["touch"] != demo["touch"]
    assert ("2026-11-01 07:00:00.000000",) in {(r[6],) for r in first["touch"]}
    assert NOW.strftime("%Y-%m-%d %H:%M:%S.%f") in {r[6] for r in first["touch"]}
    assert [c[:3] for c in merged["client"]] == [c[:3] for c in first["client"]]
