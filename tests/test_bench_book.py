"""The benchmark book is written in bulk; it must hold exactly what the services would."""

from __future__ import annotations

from pathlib import Path

from bench.make_book import build
from models.db import integrity_problems
from models.reminders import next_touch_due
from models.services.clients import get_client, list_clients, local_date
from models.services.reminders import list_touches


def test_bulk_book_matches_the_rules(tmp_path: Path) -> None:
    book = build(tmp_path / "bench.db", 60, touches_per_client=6, seed=3)
    try:
        assert integrity_problems(book) == []
        rows = list_clients(book)
        assert len(rows) == 60
        with_due = 0
        for row in rows:
            c = get_client(book, row.id)
            touches = list_touches(book, c.id)
            assert c.last_touch_on == max(local_date(t.happened_at) for t in touches)
            expected = next_touch_due(
                cadence_days=c.cadence_days,
                last_touch_on=c.last_touch_on,
                added_on=local_date(c.created_at),
                status=c.status,
            )
            assert c.touch_due_on == expected
            with_due += expected is not None
            assert list_clients(book, c.emails[0].value) == [row]
        assert 0 < with_due < 60
        first = get_client(book, rows[0].id)
        typed = first.phones[0].value.replace(" ", "")  # "+44 20 …" typed without spaces
        assert first.id in [r.id for r in list_clients(book, typed)]
    finally:
        book.close()
