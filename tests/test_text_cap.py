"""One cap on any text of a book (models/limits.TEXT_LIMIT), kept by the services
every form goes through and by the JSON format alike."""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import text

from exports.book_json import dumps, export_book, import_book
from models.db import Book, open_book

NOW = datetime(2026, 11, 22, 9, 30, tzinfo=UTC)


def test_a_note_at_the_cap_round_trips_and_one_over_is_refused(books: tuple[Book, Book]) -> None:
    """The services and the format keep one cap (models/limits.TEXT_LIMIT), so a book
    never holds a note its own export could not bring back."""
    from models.errors import ValidationError
    from models.limits import TEXT_LIMIT
    from models.services.clients import ClientInput, count_clients, create_client

    source, target = books
    create_client(source, ClientInput(name="Long", notes="n" * TEXT_LIMIT))
    doc = export_book(source)
    [c] = doc["clients"]
    assert len(c["notes"]) == TEXT_LIMIT
    import_book(target, copy.deepcopy(doc), now=NOW)
    assert dumps(export_book(target)) == dumps(doc)
    with pytest.raises(ValidationError) as err:
        create_client(source, ClientInput(name="Longer", notes="n" * (TEXT_LIMIT + 1)))
    assert err.value.errors == {
        "notes": f"This is {TEXT_LIMIT + 1} characters long; a field holds at most {TEXT_LIMIT}."
    }
    assert count_clients(source) == 1


def test_a_touch_next_step_and_a_follow_up_note_keep_the_same_cap(tmp_path: Path) -> None:
    """The touch and follow-up forms go through these services: a next step or a note
    over the cap is refused with the same plain words, and nothing is written."""
    from models.entities import Channel
    from models.errors import ValidationError
    from models.limits import TEXT_LIMIT
    from models.services.clients import ClientInput, create_client
    from models.services.reminders import (
        TouchInput,
        add_follow_up,
        log_touch,
        open_follow_ups,
    )

    book = open_book(tmp_path / "c.db")
    try:
        cid = create_client(book, ClientInput(name="Capped"))
        too_long = "s" * (TEXT_LIMIT + 1)
        words = f"This is {TEXT_LIMIT + 1} characters long; a field holds at most {TEXT_LIMIT}."
        with pytest.raises(ValidationError) as err:
            log_touch(
                book,
                cid,
                TouchInput(happened_at=NOW, channel=Channel.EMAIL, next_step=too_long),
                now=NOW,
            )
        assert err.value.errors == {"next_step": words}
        with pytest.raises(ValidationError) as err:
            add_follow_up(book, cid, "Call back", NOW.date(), note=too_long, now=NOW)
        assert err.value.errors == {"note": words}
        assert open_follow_ups(book, cid) == []
        with book.reader() as s:
            assert s.execute(text("SELECT count(*) FROM touch")).scalar() == 0
        # At the cap both are kept.
        add_follow_up(book, cid, "Call back", NOW.date(), note="s" * TEXT_LIMIT, now=NOW)
        [row] = open_follow_ups(book, cid)
        assert len(row.note) == TEXT_LIMIT
    finally:
        book.close()
