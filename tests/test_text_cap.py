"""One cap on any text of a book (models/limits.TEXT_LIMIT), kept by the services
every form goes through and by the JSON format alike."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from exports.book_json import dumps, export_book, import_book
from models.db import Book, open_book

NOW = datetime(2026, 11, 22, 9, 30, tzinfo=UTC)


@pytest.fixture
def books(tmp_path: Path) -> Iterator[tuple[Book, Book]]:
    source, target = open_book(tmp_path / "a" / "a.db"), open_book(tmp_path / "b" / "b.db")
    try:
        yield source, target
    finally:
        source.close()
        target.close()


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
