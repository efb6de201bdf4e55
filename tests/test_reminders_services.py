"""Keep-in-touch services on a real book: the stored due date follows the rules."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from models.db import Book
from models.entities import Channel, ClientStatus, FollowUpKind
from models.reminders import DueKind
from models.services.clients import (
    ClientInput,
    ValidationError,
    archive_client,
    create_client,
    get_client,
    local_date,
    unarchive_client,
    update_client,
)
from models.services.reminders import (
    TouchInput,
    add_follow_up,
    complete_follow_up,
    due_items,
    list_touches,
    log_touch,
    open_follow_ups,
    reopen_follow_up,
    set_cadence,
    snooze_follow_up,
    today_plan,
)

ADDED = datetime(2026, 1, 10, 12, 0, tzinfo=UTC)
NOW = datetime(2026, 6, 2, 12, 0, tzinfo=UTC)  # after local noon on June 1 anywhere


def at(day: str) -> datetime:
    """Noon on ``day`` on this machine's clock: the day a user means, in any time zone."""
    return datetime.fromisoformat(day + "T12:00:00").astimezone().astimezone(UTC)


def new_client(book: Book, name: str = "Ada", cadence: int | None = 30, **kw: object) -> int:
    return create_client(book, ClientInput(name=name, cadence_days=cadence, **kw), now=ADDED)  # type: ignore[arg-type]


def touch(book: Book, cid: int, day: str, **kw: object) -> int:
    return log_touch(
        book, cid, TouchInput(happened_at=at(day), channel=Channel.CALL, **kw), now=NOW
    )  # type: ignore[arg-type]


def test_never_touched_client_is_due_from_when_added(book: Book) -> None:
    cid = new_client(book)
    assert get_client(book, cid).touch_due_on == local_date(ADDED) + timedelta(days=30)


def test_touch_moves_due_date_from_when_it_happened(book: Book) -> None:
    cid = new_client(book)
    touch(book, cid, "2026-05-01")  # logged on NOW (June 1), happened May 1
    assert get_client(book, cid).touch_due_on == date(2026, 5, 31)


def test_older_back_dated_touch_does_not_move_due_date_back(book: Book) -> None:
    cid = new_client(book)
    touch(book, cid, "2026-05-01")
    touch(book, cid, "2026-04-01")
    detail = get_client(book, cid)
    assert detail.last_touch_on == date(2026, 5, 1)
    assert detail.touch_due_on == date(2026, 5, 31)
    assert [local_date(t.happened_at) for t in list_touches(book, cid)] == [
        date(2026, 5, 1),
        date(2026, 4, 1),
    ]


def test_cadence_change_and_status_recompute_due(book: Book) -> None:
    cid = new_client(book)
    touch(book, cid, "2026-05-01")
    set_cadence(book, cid, 7)
    assert get_client(book, cid).touch_due_on == date(2026, 5, 8)
    data = get_client(book, cid).as_input()
    data.status = ClientStatus.PAUSED
    update_client(book, cid, data)
    assert get_client(book, cid).touch_due_on is None
    data.status = ClientStatus.ACTIVE
    update_client(book, cid, data)
    assert get_client(book, cid).touch_due_on == date(2026, 5, 8)
    archive_client(book, cid)
    assert get_client(book, cid).touch_due_on is None
    unarchive_client(book, cid)
    assert get_client(book, cid).touch_due_on == date(2026, 5, 8)
    set_cadence(book, cid, None)
    assert get_client(book, cid).touch_due_on is None


def test_bad_cadence_and_future_touch_are_refused(book: Book) -> None:
    cid = new_client(book)
    with pytest.raises(ValidationError, match="between 1 and"):
        set_cadence(book, cid, 0)
    with pytest.raises(ValidationError, match="already happened"):
        log_touch(
            book,
            cid,
            TouchInput(happened_at=NOW + timedelta(days=2), channel=Channel.CALL),
            now=NOW,
        )
    assert list_touches(book, cid) == []


def test_next_step_becomes_a_follow_up(book: Book) -> None:
    cid = new_client(book)
    touch(
        book,
        cid,
        "2026-05-30",
        summary="Call about Q3",
        next_step="Send the proposal",
        next_step_on=date(2026, 6, 3),
    )
    [fu] = open_follow_ups(book, cid)
    assert (fu.title, fu.due_on, fu.kind) == (
        "Send the proposal",
        date(2026, 6, 3),
        FollowUpKind.NEXT_STEP,
    )


def test_today_plan_lists_due_clients_and_follow_ups(book: Book) -> None:
    today = date(2026, 6, 1)
    late = new_client(book, "Late Larry", 30)
    touch(book, late, "2026-04-01")  # due May 1: a month late
    fine = new_client(book, "Fine Fiona", 30)
    touch(book, fine, "2026-05-28")  # due June 27: not soon
    soon = new_client(book, "Soon Sam", 30)
    touch(book, soon, "2026-05-05")  # due June 4: upcoming
    paused = new_client(book, "Paused Pat", 7, status=ClientStatus.PAUSED)
    fu = add_follow_up(book, fine, "Invoice question", today)
    p = today_plan(book, today)
    due = [(i.kind, i.client_name) for i in p.due]
    assert due == [(DueKind.KEEP_IN_TOUCH, "Late Larry"), (DueKind.FOLLOW_UP, "Fine Fiona")]
    assert [i.client_name for i in p.upcoming] == ["Soon Sam"]
    assert paused not in {i.client_id for i in due_items(book, today)}

    touch(book, late, "2026-06-01")
    snooze_follow_up(book, fu, date(2026, 6, 2))
    assert today_plan(book, today).due == []
    complete_follow_up(book, fu)
    assert [i.follow_up_id for i in due_items(book, today)] == [None]  # only Soon Sam's touch
    reopen_follow_up(book, fu)
    assert fu in {i.follow_up_id for i in due_items(book, today)}


def test_follow_ups_of_archived_clients_are_hidden(book: Book) -> None:
    cid = new_client(book, cadence=None)
    add_follow_up(book, cid, "Check in", date(2026, 6, 1))
    assert len(due_items(book, date(2026, 6, 1))) == 1
    archive_client(book, cid)
    assert due_items(book, date(2026, 6, 1)) == []


def test_follow_up_needs_a_title(book: Book) -> None:
    cid = new_client(book)
    with pytest.raises(ValidationError, match="follow up on"):
        add_follow_up(book, cid, "   ", date(2026, 6, 1))


def test_touch_can_settle_a_follow_up_of_the_same_client_only(book: Book) -> None:
    ada, ben = new_client(book, "Ada"), new_client(book, "Ben")
    fu = add_follow_up(book, ada, "Send the quote", date(2026, 6, 1))
    with pytest.raises(ValidationError, match="another client"):
        log_touch(
            book,
            ben,
            TouchInput(at("2026-06-01"), Channel.CALL, "Hi"),
            now=NOW,
            completes_follow_up=fu,
        )
    assert list_touches(book, ben) == []  # refused as a whole
    assert [f.id for f in open_follow_ups(book, ada)] == [fu]
    log_touch(
        book,
        ada,
        TouchInput(at("2026-06-01"), Channel.EMAIL, "Sent it"),
        now=NOW,
        completes_follow_up=fu,
    )
    assert open_follow_ups(book, ada) == []
