"""Whole-book JSON: touches and follow-ups (keep in touch), merged by id."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from exports.book_json import (
    FORMAT,
    BookFormatError,
    ImportResult,
    export_book,
    import_book,
    read_json,
    versions,
    write_json,
)
from models.db import Book
from models.demo import fill_demo
from models.entities import (
    Channel,
    FollowUpKind,
    IncidentCategory,
    IncidentStatus,
    Severity,
)
from models.services.clients import (
    ClientInput,
    count_clients,
    create_client,
    get_client,
    local_date,
)
from models.services.incidents import (
    IncidentInput,
    open_incident,
    set_status,
)
from models.services.reminders import (
    TouchInput,
    add_follow_up,
    list_touches,
    log_touch,
    open_follow_ups,
    set_cadence,
    snooze_follow_up,
)
from tests.json_kit import (
    F1,
    F2,
    I1,
    NOW,
    T1,
    T2,
    T3,
    UID_A,
    UID_B,
    book_doc,
    client_doc,
    detail_by_uid,
    expected_due,
    export_text,
    follow_up_doc,
    incident_doc,
    iso_now,
    other_book,
    touch_doc,
)

# --------------------------------------------------------------------------- keep in touch


def test_history_round_trips_with_links_and_dates(book: Book, tmp_path: Path) -> None:
    cid = create_client(
        book,
        ClientInput(name="Ada Lovelace", cadence_days=30),
        now=datetime(2026, 1, 5, tzinfo=UTC),
    )
    log_touch(
        book,
        cid,
        TouchInput(
            datetime(2026, 3, 2, 15, 0, tzinfo=UTC),
            Channel.MEETING,
            "  Planning, budget; next quarter 📅\nSecond line ",
            "Send the plan",
            date(2026, 3, 9),
        ),
        now=NOW,
    )
    log_touch(book, cid, TouchInput(datetime(2026, 2, 1, tzinfo=UTC), Channel.EMAIL), now=NOW)
    manual = add_follow_up(book, cid, "Invoice question", date(2026, 4, 1), note="a, b; c", now=NOW)
    snooze_follow_up(book, manual, date(2026, 4, 8))
    iid = open_incident(
        book,
        cid,
        IncidentInput("Invoice lost", IncidentCategory.OTHER, Severity.HIGH),
        promise_hours=None,
        now=NOW,
    )
    set_status(book, iid, IncidentStatus.ACKNOWLEDGED, now=NOW)
    set_status(book, iid, IncidentStatus.RESOLVED, now=datetime(2026, 11, 24, 12, tzinfo=UTC))

    [c] = export_book(book)["clients"]
    assert c["cadence_days"] == 30 and c["priority_until"] == "2026-12-24"
    assert "last_touch_on" not in c and "touch_due_on" not in c  # derived, never exported
    assert [t["happened_at"][:10] for t in c["touches"]] == ["2026-02-01", "2026-03-02"]
    assert c["touches"][1]["summary"] == "Planning, budget; next quarter 📅\nSecond line"
    assert c["touches"][1]["channel"] == "meeting"
    step, invoice = c["follow_ups"]
    assert step["kind"] == "next_step" and step["touch"] == c["touches"][1]["id"]
    assert invoice["touch"] is None
    assert (invoice["due_on"], invoice["original_due_on"]) == ("2026-04-08", "2026-04-01")

    out = tmp_path / "book.json"
    write_json(book, out)
    target = other_book(tmp_path)
    try:
        import_book(target, read_json(out))
        assert export_text(target) == out.read_text(encoding="utf-8")
        ada = detail_by_uid(target, c["id"])
        assert ada.last_touch_on == local_date(datetime(2026, 3, 2, 15, 0, tzinfo=UTC))
        assert ada.touch_due_on == get_client(book, cid).touch_due_on
        assert ada.priority_until == date(2026, 12, 24)
        [fu_step, fu_invoice] = open_follow_ups(target, ada.id)
        assert fu_step.kind == FollowUpKind.NEXT_STEP and fu_invoice.note == "a, b; c"
    finally:
        target.close()


def test_import_recomputes_dates_from_the_file_not_from_the_book(book: Book) -> None:
    """The book's stored dates are never trusted over the file's touches."""
    doc = book_doc(
        client_doc(
            UID_A,
            "Anna",
            cadence_days=14,
            touches=[
                touch_doc(T2, "2025-05-01T10:00:00+00:00"),
                touch_doc(T1, "2025-06-01T10:00:00+00:00"),
            ],
        )
    )
    import_book(book, doc, now=NOW)
    anna = detail_by_uid(book, UID_A)
    june = datetime(2025, 6, 1, 10, tzinfo=UTC)
    assert anna.last_touch_on == local_date(june)
    assert anna.touch_due_on == expected_due(anna, [june]) == local_date(june) + timedelta(14)

    # The file drops the June touch: the file's set replaces the book's, so the due
    # date follows the May touch now (unlike logging a back-dated touch).
    doc["clients"][0]["touches"] = [touch_doc(T2, "2025-05-01T10:00:00+00:00")]
    assert import_book(book, doc, now=NOW) == ImportResult(0, 1, 0)
    anna = detail_by_uid(book, UID_A)
    may = datetime(2025, 5, 1, 10, tzinfo=UTC)
    assert [t.happened_at for t in list_touches(book, anna.id)] == [may]
    assert anna.touch_due_on == expected_due(anna, [may])

    # Paused in the file: no due date, whatever the touches say.
    doc["clients"][0]["status"] = "paused"
    import_book(book, doc, now=NOW)
    assert detail_by_uid(book, UID_A).touch_due_on is None


def test_history_merges_by_id(book: Book) -> None:
    bruno = client_doc(UID_B, "Bruno", cadence_days=7)  # the same in both files
    import_book(
        book,
        book_doc(
            client_doc(
                UID_A,
                "Anna",
                cadence_days=30,
                touches=[
                    touch_doc(T1, "2025-05-01T10:00:00+00:00", summary="first"),
                    touch_doc(T2, "2025-06-01T10:00:00+00:00", next_step="send it"),
                ],
                follow_ups=[
                    follow_up_doc(F1, "send it", "2025-06-08", kind="next_step", touch=T2),
                    follow_up_doc(F2, "old one", "2025-01-01"),
                ],
            ),
            bruno,
        ),
        now=NOW,
    )
    anna_id = detail_by_uid(book, UID_A).id
    touch_ids = {t.summary: t.id for t in list_touches(book, anna_id)}

    # Edit one touch, drop one, add one; move the edited touch's follow-up along.
    doc = book_doc(
        client_doc(
            UID_A,
            "Anna",
            cadence_days=30,
            touches=[
                touch_doc(T1, "2025-05-01T10:00:00+00:00", summary="first, edited"),
                touch_doc(T3, "2025-07-01T10:00:00+00:00", channel="visit"),
            ],
            follow_ups=[
                follow_up_doc(
                    F1, "send it", "2025-06-08", kind="next_step", touch=T1, done_at=iso_now()
                )
            ],
        ),
        bruno,
    )
    assert import_book(book, doc, now=NOW) == ImportResult(created=0, updated=1, unchanged=1)
    touches = list_touches(book, anna_id)
    assert [(t.summary, t.channel) for t in touches] == [
        ("", Channel.VISIT),
        ("first, edited", Channel.CALL),
    ]
    assert touches[1].id == touch_ids["first"]  # the same row, updated in place
    assert open_follow_ups(book, anna_id) == []  # F1 done, F2 gone
    exported = export_book(book)["clients"][0]
    assert [f["id"] for f in exported["follow_ups"]] == [F1]
    assert exported["follow_ups"][0]["touch"] == T1
    anna = detail_by_uid(book, UID_A)
    assert anna.touch_due_on == expected_due(anna, [datetime(2025, 7, 1, 10, tzinfo=UTC)])
    # Importing the same file again finds nothing to change.
    assert import_book(book, doc, now=NOW) == ImportResult(0, 0, 2)


def test_a_touch_can_move_to_another_client(book: Book) -> None:
    """Ids are book-wide: a file that files a touch under another client moves it,
    and the client it left gets its dates recomputed too, even though that client
    is not in the file."""
    moved = touch_doc(T1, "2025-06-01T10:00:00+00:00")
    import_book(
        book,
        book_doc(
            client_doc(UID_A, "Anna", cadence_days=30, touches=[moved]),
            client_doc(UID_B, "Bruno", cadence_days=30),
        ),
        now=NOW,
    )
    assert detail_by_uid(book, UID_A).last_touch_on is not None
    assert import_book(
        book, book_doc(client_doc(UID_B, "Bruno", cadence_days=30, touches=[moved])), now=NOW
    ) == ImportResult(0, 1, 0)
    anna, bruno = detail_by_uid(book, UID_A), detail_by_uid(book, UID_B)
    assert list_touches(book, anna.id) == []
    assert anna.last_touch_on is None
    assert anna.touch_due_on == expected_due(anna, [])
    assert bruno.last_touch_on == local_date(datetime(2025, 6, 1, 10, tzinfo=UTC))
    assert [t.client_id for t in list_touches(book, bruno.id)] == [bruno.id]


def test_any_change_in_history_counts_as_updated(book: Book) -> None:
    base = client_doc(
        UID_A,
        "Anna",
        touches=[touch_doc(T1, "2025-06-01T10:00:00+00:00")],
        follow_ups=[follow_up_doc(F1, "Check in", "2025-07-01")],
    )
    import_book(book, book_doc(base), now=NOW)
    assert import_book(book, book_doc(base), now=NOW) == ImportResult(0, 0, 1)
    changes: list[dict[str, Any]] = [
        {"cadence_days": 30},
        {"incidents": [incident_doc(I1, "Late invoice")]},
        {"touches": [touch_doc(T1, "2025-06-01T10:00:00+00:00", channel="email")]},
        {"touches": []},
        {"follow_ups": [follow_up_doc(F1, "Check in", "2025-07-02")]},
        {"follow_ups": [follow_up_doc(F1, "Check in", "2025-07-01", touch=T1)]},
    ]
    for change in changes:
        changed = dict(base, **change)
        assert import_book(book, book_doc(changed), now=NOW) == ImportResult(0, 1, 0), change
        assert import_book(book, book_doc(base), now=NOW) == ImportResult(0, 1, 0), change


def test_version_1_files_still_import(book: Book) -> None:
    v1 = {
        "format": FORMAT,
        "version": 1,
        "clients": [
            {
                "id": UID_A,
                "name": "Anna",
                "created_at": "2025-01-02T03:04:05+00:00",
                "updated_at": "2025-01-02T03:04:05+00:00",
            }
        ],
    }
    assert import_book(book, v1, now=NOW) == ImportResult(1, 0, 0)
    [c] = export_book(book)["clients"]
    assert c["cadence_days"] is None and c["priority_until"] is None
    assert c["touches"] == [] and c["follow_ups"] == []
    assert import_book(book, v1, now=NOW) == ImportResult(0, 0, 1)


def test_version_1_file_replaces_the_history_of_its_clients(book: Book) -> None:
    """A version-1 file says a client has no rhythm and no touches, so merging one
    clears them for that client (documented in docs/json-format.md)."""
    cid = create_client(book, ClientInput(name="Anna", cadence_days=30), now=NOW)
    log_touch(book, cid, TouchInput(NOW - timedelta(days=3), Channel.CALL), now=NOW)
    [c] = export_book(book)["clients"]
    v1_client = {
        k: v for k, v in c.items() if k not in (*versions.NEW_IN_2, "incidents", "agreements")
    }
    result = import_book(book, {"format": FORMAT, "version": 1, "clients": [v1_client]})
    assert result == ImportResult(0, 1, 0)
    assert list_touches(book, cid) == []
    assert get_client(book, cid).touch_due_on is None


def test_version_1_file_with_version_2_fields_is_refused(book: Book) -> None:
    doc = {"format": FORMAT, "version": 1, "clients": [client_doc(UID_A, "Anna")]}
    with pytest.raises(BookFormatError) as err:
        import_book(book, doc)
    assert str(err.value) == (
        'clients[0]: unknown field "cadence_days" in a version 1 file (it is new in version 2; '
        'say "version": 2). (3 more problems in this file.)'
    )


def test_a_bad_touch_leaves_the_book_unchanged(book: Book) -> None:
    fill_demo(book, now=NOW)
    before = export_text(book)
    clients = export_book(book)["clients"]
    edited = [dict(c, touches=[], follow_ups=[]) for c in clients[:5]]  # would wipe five
    bad = client_doc(UID_A, "New", touches=[touch_doc(T1, "2025-06-01T10:00:00+00:00")])
    bad["touches"][0]["channel"] = "pigeon"
    with pytest.raises(BookFormatError, match=r"clients\[5\]\.touches\[0\]\.channel"):
        import_book(book, book_doc(*edited, bad), now=NOW)
    assert export_text(book) == before


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"cadence_days": 0}, "clients[0].cadence_days: Choose a rhythm between 1 and 3660 days."),
        (
            {"cadence_days": "30"},
            "clients[0].cadence_days: should be a whole number of days or null, not text.",
        ),
        ({"cadence_days": 30.5}, "clients[0].cadence_days: 30.5 is not a whole number of days."),
        (
            {"cadence_days": True},
            "clients[0].cadence_days: should be a whole number of days or null, not true/false.",
        ),
        (
            {"priority_until": "2026-2-1"},
            'clients[0].priority_until: "2026-2-1" is not a date in the form YYYY-MM-DD, '
            'like "2025-03-14".',
        ),
        (
            {"priority_until": "2026-02-30"},
            'clients[0].priority_until: "2026-02-30" is not a day of the calendar.',
        ),
        (
            {"priority_until": 20260201},
            "clients[0].priority_until: should be a date as text, not a number.",
        ),
        ({"touches": {}}, "clients[0].touches: should be a list, not an object."),
        ({"touches": ["call"]}, "clients[0].touches[0]: should be an object, not text."),
        (
            {"touches": [{"id": T1, "channel": "call"}]},
            'clients[0].touches[0]: missing "happened_at".',
        ),
        (
            {"touches": [touch_doc(T1, None)]},  # type: ignore[arg-type]
            "clients[0].touches[0].happened_at: should be a date and time, not null.",
        ),
        (
            {"touches": [touch_doc(T1, "2025-06-01T10:00:00+00:00", channel="pigeon")]},
            'clients[0].touches[0].channel: "pigeon" is not a channel; use "call", "email", '
            '"meeting", "message", "visit" or "other".',
        ),
        (
            {"touches": [touch_doc(T1, "2025-06-01T10:00:00")]},
            'clients[0].touches[0].happened_at: "2025-06-01T10:00:00" has no time zone; '
            'add one, like "+00:00" or "Z".',
        ),
        (
            {"touches": [touch_doc(T1, "2027-06-01T10:00:00+00:00")]},
            "clients[0].touches[0].happened_at: A touch is something that already happened; "
            "pick a past time.",
        ),
        (
            {"touches": [touch_doc(T1, "2025-06-01T10:00:00+00:00", summary="x" * 5001)]},
            "clients[0].touches[0].summary: Keep the summary under 5000 characters.",
        ),
        (
            {"touches": [touch_doc("t1", "2025-06-01T10:00:00+00:00")]},
            'clients[0].touches[0].id: "t1" is not a Rapport id (32 characters, each 0-9 or a-f).',
        ),
        (
            {"touches": [touch_doc(T1, "2025-06-01T10:00:00+00:00", mood="good")]},
            'clients[0].touches[0]: unknown field "mood".',
        ),
        (
            {"follow_ups": [follow_up_doc(F1, "Call", "2025-07-01", kind="someday")]},
            'clients[0].follow_ups[0].kind: "someday" is not a kind of follow-up; use "manual", '
            '"next_step", "response_promise", "review" or "commitment".',
        ),
        (
            {"follow_ups": [follow_up_doc(F1, "  ", "2025-07-01")]},
            "clients[0].follow_ups[0].title: Say in a few words what to follow up on.",
        ),
        (
            {"follow_ups": [follow_up_doc(F1, "x" * 301, "2025-07-01")]},
            "clients[0].follow_ups[0].title: Keep the title under 300 characters.",
        ),
        (
            {"follow_ups": [follow_up_doc(F1, "Call", "2025-07-01", due_on="01/07/2025")]},
            'clients[0].follow_ups[0].due_on: "01/07/2025" is not a date in the form '
            'YYYY-MM-DD, like "2025-03-14".',
        ),
        (
            {"follow_ups": [follow_up_doc(F1, "Call", "2025-07-01", due_on=None)]},
            "clients[0].follow_ups[0].due_on: should be a date, not null.",
        ),
        (
            {"follow_ups": [{"id": F1, "title": "Call"}]},
            'clients[0].follow_ups[0]: missing "due_on".',
        ),
        ({"follow_ups": "soon"}, "clients[0].follow_ups: should be a list, not text."),
        ({"follow_ups": [None]}, "clients[0].follow_ups[0]: should be an object, not null."),
        (
            {"follow_ups": [follow_up_doc(F1, "Call", "2025-07-01", done_at="yesterday")]},
            'clients[0].follow_ups[0].done_at: "yesterday" is not a date and time in ISO 8601 '
            'form, like "2025-03-14T09:30:00+00:00".',
        ),
        (
            {"follow_ups": [follow_up_doc(F1, "Call", "2025-07-01", touch=T3)]},
            f'clients[0].follow_ups[0].touch: "{T3}" is not the id of one of this '
            "client's touches.",
        ),
        (
            {"follow_ups": [follow_up_doc(F1, "Call", "2025-07-01", touch=3)]},
            "clients[0].follow_ups[0].touch: should be a touch id or null, not a number.",
        ),
    ],
)
def test_history_errors(book: Book, fields: dict[str, Any], expected: str) -> None:
    doc = book_doc(client_doc(UID_A, "Anna", **fields))
    with pytest.raises(BookFormatError) as err:
        import_book(book, doc, now=NOW)
    assert str(err.value) == expected
    assert count_clients(book, include_archived=True) == 0


def test_touch_and_follow_up_ids_are_unique_in_the_whole_file(book: Book) -> None:
    doc = book_doc(
        client_doc(UID_A, "Anna", touches=[touch_doc(T1, "2025-06-01T10:00:00+00:00")]),
        client_doc(
            UID_B,
            "Bo",
            touches=[touch_doc(T1, "2025-06-02T10:00:00+00:00")],
            follow_ups=[follow_up_doc(F1, "a", "2025-07-01"), follow_up_doc(F1, "b", "2025-07-02")],
        ),
    )
    with pytest.raises(BookFormatError) as err:
        import_book(book, doc, now=NOW)
    assert err.value.problems == [
        f'clients[1].touches[0].id: "{T1}" appears twice; clients[0].touches[0] has it too.',
        f'clients[1].follow_ups[1].id: "{F1}" appears twice; clients[1].follow_ups[0] has it too.',
    ]


def test_hand_written_history_uses_defaults(book: Book) -> None:
    doc = book_doc(
        {
            "id": UID_A,
            "name": "Anna",
            "touches": [
                {
                    "id": T1,
                    "happened_at": "2025-06-01T10:00:00Z",
                    "channel": "email",
                    "summary": "  sent the plan  ",
                }
            ],
            "follow_ups": [{"id": F1, "title": "Call back", "due_on": "2025-06-10"}],
        }
    )
    import_book(book, doc, now=NOW)
    [c] = export_book(book)["clients"]
    assert c["touches"] == [
        {
            "id": T1,
            "happened_at": "2025-06-01T10:00:00.000000+00:00",
            "channel": "email",
            "summary": "sent the plan",
            "next_step": "",
            "created_at": "2026-11-22T09:30:00.123456+00:00",
        }
    ]
    assert c["follow_ups"] == [
        {
            "id": F1,
            "kind": "manual",
            "title": "Call back",
            "note": "",
            "due_on": "2025-06-10",
            "original_due_on": "2025-06-10",
            "done_at": None,
            "touch": None,
            "created_at": "2026-11-22T09:30:00.123456+00:00",
        }
    ]


def test_cadence_set_in_the_book_survives_a_round_trip(book: Book, tmp_path: Path) -> None:
    cid = create_client(book, ClientInput(name="Anna"), now=NOW)
    set_cadence(book, cid, 61)
    [c] = export_book(book)["clients"]
    assert c["cadence_days"] == 61
    target = other_book(tmp_path)
    try:
        import_book(target, export_book(book))
        assert detail_by_uid(target, c["id"]).cadence_days == 61
        assert detail_by_uid(target, c["id"]).touch_due_on == get_client(book, cid).touch_due_on
    finally:
        target.close()
