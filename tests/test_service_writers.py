"""The session-level writers (issue 15, Build 2): one executemany for many rows,
the same stored rows as the dialogs' one-row path, and a refusal that names its row."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from models.db import Book, open_book
from models.entities import Channel, FollowUpKind
from models.services.bulk import RowRefused
from models.services.clients import ClientInput, Contact, NewClient, add_clients_in, create_client
from models.services.reminders import (
    NewFollowUp,
    NewTouch,
    TouchInput,
    add_follow_ups_in,
    add_touches_in,
    log_touch,
    refresh_touch_dates_in,
)

NOW = datetime(2026, 11, 20, 15, 30, 0, tzinfo=UTC)  # microseconds 0: the tricky text
PEOPLE = [
    ClientInput(
        name=f"Person {n}",
        organisation="Firm",
        emails=[Contact(f"p{n}@firm.example", "work")],
        phones=[Contact("+44 20 7946 0000", "mobile")],
        tags=["vip", "Retainer"] if n % 2 else ["VIP"],
        cadence_days=30,
    )
    for n in range(3)
]


def _dump(
    book: Book, table: str, skip: tuple[str, ...] = ("id", "uid")
) -> list[tuple[object, ...]]:
    with book.engine.connect() as conn:
        cursor = conn.exec_driver_sql(f'SELECT * FROM "{table}" ORDER BY rowid')
        names = [d[0] for d in cursor.cursor.description]
        keep = [i for i, n in enumerate(names) if n not in skip]
        return [tuple(row[i] for i in keep) for row in cursor.fetchall()]


def test_many_clients_at_once_store_what_one_at_a_time_stores(tmp_path: Path) -> None:
    one = open_book(tmp_path / "one" / "rapport.db")
    many = open_book(tmp_path / "many" / "rapport.db")
    try:
        for data in PEOPLE:
            create_client(one, data, now=NOW)
        with many.session() as s:
            ids = add_clients_in(s, [NewClient(d.cleaned(), NOW, NOW) for d in PEOPLE])
        assert ids == [1, 2, 3]
        for table in ("client", "contact_point", "client_tag", "tag"):
            assert _dump(many, table) == _dump(one, table), table
        # The raw text of a moment, as the ORM path writes it (microseconds and all).
        with many.engine.connect() as conn:
            [text] = conn.exec_driver_sql("SELECT created_at FROM client WHERE id = 1").one()
        assert text == "2026-11-20 15:30:00.000000"
        # Tags are shared whatever their case: two, not three.
        assert len(_dump(many, "tag")) == 2
    finally:
        one.close()
        many.close()


def test_touches_in_bulk_give_the_dates_logging_one_by_one_gives(tmp_path: Path) -> None:
    one = open_book(tmp_path / "one" / "rapport.db")
    many = open_book(tmp_path / "many" / "rapport.db")
    days = [NOW - timedelta(days=d) for d in (40, 3, 12)]
    try:
        cid = create_client(one, PEOPLE[0], now=NOW - timedelta(days=60))
        for at in days:
            log_touch(one, cid, TouchInput(at, Channel.CALL, "Talked"), now=at)
        create_client(many, PEOPLE[0], now=NOW - timedelta(days=60))
        with many.session() as s:
            rows = [NewTouch(cid, at, Channel.CALL, "Talked", "", at) for at in days]
            touch_ids = add_touches_in(s, rows)
            step = NewFollowUp(cid, FollowUpKind.NEXT_STEP, "Call back", date(2026, 12, 1), NOW)
            add_follow_ups_in(s, [step])
            refresh_touch_dates_in(s, [cid])
        assert touch_ids == [1, 2, 3]
        assert _dump(many, "touch") == _dump(one, "touch")
        assert _dump(many, "client") == _dump(one, "client")
        [follow_up] = _dump(many, "follow_up")
        assert "Call back" in follow_up and date(2026, 12, 1).isoformat() in follow_up
    finally:
        one.close()
        many.close()


def test_a_refused_row_is_named_and_nothing_after_it_is_kept(book: Book) -> None:
    with book.engine.begin() as conn:
        conn.exec_driver_sql(
            "CREATE TRIGGER refuse_boom BEFORE INSERT ON client WHEN NEW.name = 'Boom' "
            "BEGIN SELECT RAISE(ABORT, 'no clients called Boom'); END"
        )
    rows = [
        NewClient(ClientInput(name=n), NOW, NOW) for n in ("Fine", "Also fine", "Boom", "Never")
    ]
    with pytest.raises(RowRefused) as err, book.session() as s:
        add_clients_in(s, rows)
    assert err.value.position == 2
    assert "no clients called Boom" in err.value.reason
    assert _dump(book, "client") == []  # the unit of work rolled back whole
