"""The consultant's working week and date style travel in the JSON format
(version 6): exported, imported by the settings page's rules, byte-identical
export -> import -> export, and older files still import, leaving them alone."""

from __future__ import annotations

import copy
from datetime import UTC, datetime, time
from typing import Any

import pytest

from exports.book_json import FORMAT, BookFormatError, dumps, export_book, import_book
from models.db import Book
from models.services.work_settings import WorkSettings, get_work_settings, set_work_settings
from models.working_time import WorkingWeek

NOW = datetime(2026, 11, 22, 9, 30, tzinfo=UTC)
WEEK = WorkingWeek(
    days=frozenset({0, 1, 2, 3}),
    start=time(8, 30),
    end=time(16, 0),
    country="DE",
    subdivision="BY",
)


def test_work_settings_travel_and_round_trip(books: tuple[Book, Book]) -> None:
    source, target = books
    set_work_settings(source, WorkSettings(week=WEEK, locale="de_DE"))
    doc = export_book(source)
    assert doc["version"] == 6
    assert doc["consultant"]["work"] == {
        "days": ["monday", "tuesday", "wednesday", "thursday"],
        "starts": "08:30",
        "ends": "16:00",
        "holiday_country": "DE",
        "holiday_subdivision": "BY",
        "date_locale": "de_DE",
    }
    assert get_work_settings(target).week != WEEK
    import_book(target, copy.deepcopy(doc), now=NOW)
    assert get_work_settings(target) == WorkSettings(week=WEEK, locale="de_DE")
    assert dumps(export_book(target)) == dumps(doc)


def test_no_holidays_on_purpose_round_trips(books: tuple[Book, Book]) -> None:
    source, target = books
    set_work_settings(source, WorkSettings(week=WorkingWeek(country=""), locale=""))
    doc = export_book(source)
    assert doc["consultant"]["work"]["holiday_country"] == ""
    import_book(target, doc, now=NOW)
    assert get_work_settings(target).week.country == ""
    assert dumps(export_book(target)) == dumps(doc)


def _v(version: int, consultant: dict[str, Any]) -> dict[str, Any]:
    return {"format": FORMAT, "version": version, "consultant": consultant, "clients": []}


def test_a_version_5_file_keeps_the_books_work_settings(books: tuple[Book, Book]) -> None:
    _source, target = books
    set_work_settings(target, WorkSettings(week=WEEK, locale="de_DE"))
    import_book(target, _v(5, {"name": "Me"}), now=NOW)
    assert get_work_settings(target) == WorkSettings(week=WEEK, locale="de_DE")
    with pytest.raises(BookFormatError) as err:
        import_book(target, _v(5, {"name": "Me", "work": {}}), now=NOW)
    assert str(err.value) == (
        'consultant: unknown field "work" in a version 5 file (it is new in version 6; '
        'say "version": 6).'
    )


GOOD = {
    "days": ["monday"],
    "starts": "09:00",
    "ends": "17:00",
    "holiday_country": "",
    "holiday_subdivision": "",
    "date_locale": "",
}


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"days": []}, "consultant.work.days: Choose at least one working day."),
        (
            {"days": ["funday"]},
            'consultant.work.days[0]: "funday" is not a day of the week; use "monday", '
            '"tuesday", "wednesday", "thursday", "friday", "saturday" or "sunday".',
        ),
        ({"starts": "25:00"}, 'consultant.work.starts: "25:00" is not a time of day like "09:00".'),
        (
            {"ends": "08:00"},
            "consultant.work.ends: The working day has to end after it starts.",
        ),
        (
            {"holiday_country": "ZZ"},
            "consultant.work.holiday_country: Rapport does not know the public holidays "
            "for that country.",
        ),
        ({"date_locale": 5}, "consultant.work.date_locale: should be text, not a number."),
    ],
)
def test_work_settings_are_checked_like_the_settings_page(
    books: tuple[Book, Book], change: dict[str, Any], expected: str
) -> None:
    _source, target = books
    before = get_work_settings(target)
    with pytest.raises(BookFormatError) as err:
        import_book(target, _v(6, {"work": GOOD | change}), now=NOW)
    assert str(err.value) == expected
    assert get_work_settings(target) == before
