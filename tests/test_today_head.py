"""One definition of "due": the first screen read straight from the book
(models.reads.today_head, an ordered and limited query with counts) is exactly the
head of the whole plan the pure rules make (models.reminders.plan, head_of), on the
demo book, on a book with 40 due, and on random books full of edge cases: snoozed
and done follow-ups, archived, paused and former clients, no reminder, priority
ending yesterday, today or later, names that tie only when casefolded, due today
against overdue, and "today" taken at midnight in far-apart time zones."""

from __future__ import annotations

import random
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from models.db import Book
from models.demo import fill_demo
from models.entities import Client, FollowUp
from models.enums import Channel, ClientStatus
from models.reads import today_head, today_plan
from models.reminders import (
    UPCOMING_DAYS,
    DueCount,
    DueItem,
    DueKind,
    TodayHead,
    head_of,
    local_date,
    plan,
    under_priority,
)
from models.services.clients import ClientInput, archive_client, create_client
from models.services.reminders import (
    TouchInput,
    add_follow_up,
    complete_follow_up,
    log_touch,
    snooze_follow_up,
)
from tests.helpers import NOW, TODAY

LIMITS = (150, 5, 1, None)


def pure_head(book: Book, today: date, limit: int | None) -> TodayHead:
    """The head the rules make, every filter written in Python over whole tables:
    no WHERE clause, no ORDER BY, nothing of the SQL under test."""
    horizon = today + timedelta(days=UPCOMING_DAYS)
    items: list[DueItem] = []
    with book.session() as s:
        clients = {c.id: c for c in s.scalars(select(Client))}
        for c in clients.values():
            if c.touch_due_on is not None and c.touch_due_on <= horizon:
                items.append(
                    DueItem(
                        DueKind.KEEP_IN_TOUCH,
                        c.id,
                        c.name,
                        c.touch_due_on,
                        "Get in touch",
                        c.cadence_days,
                        None,
                        under_priority(c.priority_until, today),
                    )
                )
        for f in s.scalars(select(FollowUp)):
            c = clients[f.client_id]
            if f.done_at is None and c.archived_at is None and f.due_on <= horizon:
                items.append(
                    DueItem(
                        DueKind.FOLLOW_UP,
                        c.id,
                        c.name,
                        f.due_on,
                        f.title,
                        None,
                        f.id,
                        under_priority(c.priority_until, today),
                    )
                )
    return head_of(plan(items, today), today, limit)


def assert_one_definition(book: Book, today: date) -> TodayHead:
    """The SQL head equals the pure one and the whole plan's, at every limit."""
    whole = today_plan(book, today)
    for limit in LIMITS:
        read = today_head(book, today, limit)
        assert read == pure_head(book, today, limit), (today, limit)
        assert read == head_of(whole, today, limit), (today, limit)
    full = today_head(book, today, None)
    assert full.count == whole.counts(today)
    assert full.due == [i for i in whole.due if i.due_on < today] + [
        i for i in whole.due if i.due_on == today
    ]
    assert full.hidden == 0
    return today_head(book, today)


def test_demo_book(book: Book) -> None:
    fill_demo(book, now=NOW)
    head = assert_one_definition(book, TODAY)
    assert head.count.total > 5 and head.count.overdue and head.overdue[0].priority
    # Days later more is late, and what was due today is overdue.
    for days in (1, 3, 10, 40):
        later = assert_one_definition(book, TODAY + timedelta(days=days))
        assert later.count.total >= head.count.total
    assert_one_definition(book, TODAY - timedelta(days=30))


def test_forty_due(book: Book) -> None:
    for n in range(34):
        days_late = n % 12
        create_client(
            book,
            ClientInput(name=f"Client {n:02d}", cadence_days=30),
            now=NOW - timedelta(days=30 + days_late),
        )
    for n in range(6):
        add_follow_up(book, n + 1, f"Send note {n}", TODAY - timedelta(days=n), now=NOW)
    create_client(book, ClientInput(name="Not yet", cadence_days=30), now=NOW - timedelta(days=27))
    head = assert_one_definition(book, TODAY)
    assert head.count == DueCount(total=40, overdue=36, today=4)
    assert head.upcoming_total == 1 and head.upcoming[0].client_name == "Not yet"
    small = today_head(book, TODAY, 5)
    assert len(small.overdue) == 5 and small.hidden == 41 - 5 - 4 - 1
    # The due rows left out are the least urgent: none listed ranks below one left out.
    assert small.overdue == head.overdue[:5]


NAMES = (
    "Ada", "ada", "ADA", "Émile", "émile", "Strauß", "STRAUSS", "strauss", "Ben", "ben ",
    "Zoë", "zoe", "Ørsted", "Ωmega", "ωmega", "Ada",
)  # fmt: skip
CADENCES = (None, None, 1, 7, 14, 30, 30, 30, 61, 91, 182, 3660)


def random_book(book: Book, rng: random.Random, today: date, clients: int = 70) -> None:
    """Clients and follow-ups made by the services, the way the app makes them."""
    now = datetime.combine(today, datetime.min.time(), UTC) + timedelta(hours=12)
    ids: list[int] = []
    for _ in range(clients):
        status = rng.choice([ClientStatus.ACTIVE] * 6 + [ClientStatus.PAUSED, ClientStatus.FORMER])
        data = ClientInput(name=rng.choice(NAMES), cadence_days=rng.choice(CADENCES), status=status)
        cid = create_client(book, data, now=now - timedelta(days=rng.randrange(0, 400)))
        ids.append(cid)
        if rng.random() < 0.6:
            ago = timedelta(days=rng.randrange(0, 200), hours=rng.randrange(0, 24))
            log_touch(book, cid, TouchInput(happened_at=now - ago, channel=Channel.CALL))
    follow_ups: list[int] = []
    for _ in range(clients):
        due = today + timedelta(days=rng.randrange(-40, 12))
        fid = add_follow_up(book, rng.choice(ids), f"Note {rng.randrange(5)}", due, now=now)
        follow_ups.append(fid)
    for fid in rng.sample(follow_ups, len(follow_ups) // 5):
        snooze_follow_up(book, fid, today + timedelta(days=rng.choice([1, 3, 7, 8, -1, 0])))
    for fid in rng.sample(follow_ups, len(follow_ups) // 6):
        complete_follow_up(book, fid, now=now)
    for cid in rng.sample(ids, len(ids) // 8):
        archive_client(book, cid, now=now)
    # Priority, as an incident of high severity leaves it, ending around today.
    with book.session() as s:
        for cid in rng.sample(ids, len(ids) // 5):
            end = today + timedelta(days=rng.choice([-1, 0, 1, 30]))
            s.get(Client, cid).priority_until = end


@pytest.mark.parametrize("seed", range(6))
def test_random_books(book: Book, seed: int) -> None:
    rng = random.Random(seed)
    today = date(2026, 3, 10) + timedelta(days=rng.randrange(0, 300))
    random_book(book, rng, today)
    heads = [assert_one_definition(book, today + timedelta(days=d)) for d in (-1, 0, 1, 8)]
    head = heads[1]
    # The random book really has the edge cases the test is about.
    assert head.count.overdue and head.count.today and head.upcoming_total
    assert any(i.priority for i in head.due) and any(not i.priority for i in head.due)
    kinds = {i.kind for i in head.due}
    assert kinds == {DueKind.KEEP_IN_TOUCH, DueKind.FOLLOW_UP}
    names = [i.client_name for i in today_head(book, today, None).due]
    assert len({n.casefold() for n in names}) < len(set(names))  # ties only casefolded


@pytest.fixture
def far_time_zone(request: pytest.FixtureRequest) -> Iterator[str]:
    import os

    before = os.environ.get("TZ")
    os.environ["TZ"] = request.param
    time.tzset()
    try:
        yield request.param
    finally:
        if before is None:
            os.environ.pop("TZ", None)
        else:
            os.environ["TZ"] = before
        time.tzset()


@pytest.mark.parametrize(
    "far_time_zone", ["Pacific/Auckland", "America/Los_Angeles"], indirect=True
)
def test_today_is_the_local_day_at_midnight(book: Book, far_time_zone: str) -> None:
    """Just before and just after local midnight, the head follows the local day it
    is given (never SQLite's own idea of "now", which is UTC): a follow-up due on
    the local date is "today" before midnight and overdue after it."""
    rng = random.Random(far_time_zone)
    local_today = date(2026, 6, 30)
    random_book(book, rng, local_today, clients=40)
    cid = create_client(book, ClientInput(name="Midnight", cadence_days=None))
    fid = add_follow_up(book, cid, "Call back", local_today)
    before = datetime(2026, 6, 30, 23, 59, 30).astimezone()
    after = before + timedelta(minutes=1)
    # Far from UTC, so the UTC date differs from the local one at one of these moments.
    assert {before.astimezone(UTC).date(), after.astimezone(UTC).date()} != {
        local_date(before),
        local_date(after),
    }
    day_before, day_after = local_date(before), local_date(after)
    assert (day_before, day_after) == (local_today, local_today + timedelta(days=1))
    ahead = assert_one_definition(book, day_before)
    late = assert_one_definition(book, day_after)
    key = (DueKind.FOLLOW_UP, fid)
    assert key in {(i.kind, i.follow_up_id) for i in today_head(book, day_before, None).due_today}
    assert key in {(i.kind, i.follow_up_id) for i in today_head(book, day_after, None).overdue}
    assert late.count.overdue >= ahead.count.total


def test_has_clients_answers_what_a_count_would(book: Book) -> None:
    """The first window picks its page by whether any client is not archived."""
    from models.reads import count_clients, has_clients

    assert not has_clients(book)
    cid = create_client(book, ClientInput(name="Ada"))
    assert has_clients(book) and count_clients(book) == 1
    archive_client(book, cid)
    assert not has_clients(book) and count_clients(book, include_archived=True) == 1


def test_the_app_cuts_the_same_head_before_and_after_it_is_warm(rapport) -> None:
    """Before the warm-up Today reads the head from the book; after it, from the
    whole plan the tray reads anyway. Either way the same rows and counts."""
    from tests.helpers import fixed_clock

    rapport.clock = fixed_clock
    fill_demo(rapport.book, now=NOW)
    assert not rapport.warm
    cold = rapport.today_head()
    assert rapport._plan is None  # nothing but the head was read
    rapport._forget_plan()
    rapport.warm = True
    warm = rapport.today_head()
    assert rapport._plan is not None
    assert warm == cold and warm.count.total > 5


PARTS = ("overdue", "today", "upcoming")


def _plans(book: Book, today: date) -> dict[str, list[str]]:
    """EXPLAIN QUERY PLAN of every query today_head runs, by name, as SQLite words it."""
    from models.reads import (
        _DUE_HEAD,
        _FIRST_UPCOMING,
        _FOLLOW_UP_COUNTS,
        _KEEP_COUNTS,
        _RHYTHMS,
        _UPCOMING_HEAD,
        head_part_queries,
    )

    args = {"today": today.isoformat(), "until": (today + timedelta(days=7)).isoformat()}
    queries = {
        "keep counts": _KEEP_COUNTS,
        "follow-up counts": _FOLLOW_UP_COUNTS,
        "overdue": _DUE_HEAD.format(cmp="<"),
        "today": _DUE_HEAD.format(cmp="="),
        "upcoming": _UPCOMING_HEAD,
        "first upcoming": _FIRST_UPCOMING,
        "overdue rhythms": _RHYTHMS,
    }
    for part, name in (("<", "overdue"), ("=", "today"), (">", "upcoming")):
        keep, keep_priority, follow = head_part_queries(part)
        queries |= {
            f"{name} by date": keep,
            f"{name} under priority": keep_priority,
            f"{name} follow-ups": follow,
        }
    args |= {"cadence": 30, "priority": 0}
    with book.read() as conn:
        conn.create_collation("rapport_casefold", lambda a, b: (a > b) - (a < b))
        return {
            name: [
                row[3] for row in conn.execute(f"EXPLAIN QUERY PLAN {sql}", args | {"limit": 50})
            ]
            for name, sql in queries.items()
        }


def test_the_head_reads_indexes_not_client_rows(book: Book) -> None:
    """Ranking who is due reads ix_client_due_rank alone, however many are due: no
    scan of the client table and no lookup of a client's row for its keep-in-touch
    date (that was half a second before the first paint of a 100 000-client book).
    The counts read no row at all."""
    fill_demo(book, now=NOW)
    plans = _plans(book, TODAY)
    for name in (
        "overdue",
        "today",
        "upcoming",
        "first upcoming",
        "overdue rhythms",
        *(f"{part} {group}" for part in PARTS for group in ("by date", "under priority")),
    ):
        client_leg = [
            step for step in plans[name] if step.startswith(("SCAN client", "SEARCH client"))
        ]
        assert client_leg, (name, plans[name])
        for step in client_leg:
            assert step.startswith("SEARCH client USING COVERING INDEX ix_client_due_rank"), (
                name,
                plans[name],
            )
    # Each count a range of an index (changed from one pass with a sum over the range:
    # the same index, read three times as fast).
    keep_counts = [step for step in plans["keep counts"] if step.startswith(("SCAN", "SEARCH"))]
    assert keep_counts == ["SCAN CONSTANT ROW"] + [
        f"SEARCH client USING COVERING INDEX ix_client_due_rank (touch_due_on{cmp})"
        for cmp in ("<?", "=?", ">? AND touch_due_on<?")
    ]
    follow = plans["follow-up counts"]
    assert (
        "SEARCH follow_up USING COVERING INDEX ix_follow_up_due_client (done_at=? AND due_on<?)"
        in follow
    )
    assert not any("SCAN" in step for step in follow if step != "SCAN CONSTANT ROW"), follow

    # Each part's groups walk their index in date order (stopping at the limit); only
    # the clients under priority (few) are sorted whole, and follow-ups never.
    for part in PARTS:
        assert plans[f"{part} by date"][-1] == "USE TEMP B-TREE FOR RIGHT PART OF ORDER BY"
        assert plans[f"{part} follow-ups"] == [
            plans[f"{part} follow-ups"][0],
            "SEARCH c USING INTEGER PRIMARY KEY (rowid=?)",
            "USE TEMP B-TREE FOR RIGHT PART OF ORDER BY",
        ]
        assert plans[f"{part} follow-ups"][0].startswith(
            "SEARCH f USING INDEX ix_follow_up_due_client (done_at=? AND due_on"
        )


def test_a_book_of_many_rhythms_ranks_its_overdue_rows_the_same(book: Book) -> None:
    """The overdue head is read per rhythm; with more rhythms than MAX_RHYTHM_GROUPS
    it is read in one sort again. Both give the rules' head, with priority, ties of
    date and urgency (2 days late every 1 day = 4 days late every 2) and follow-ups."""
    from models.reads import MAX_RHYTHM_GROUPS

    for rhythms in (3, MAX_RHYTHM_GROUPS, MAX_RHYTHM_GROUPS + 1):
        with book.session() as s:
            for c in s.scalars(select(Client)):
                s.delete(c)
        for n in range(3 * rhythms):
            cadence = 1 + n % rhythms
            late = 1 + (n * 7) % 23
            create_client(
                book,
                ClientInput(name=NAMES[n % len(NAMES)], cadence_days=cadence),
                now=NOW - timedelta(days=cadence + late),
            )
        with book.session() as s:
            ids = sorted(s.scalars(select(Client.id)))
            for cid in ids[::4]:
                s.get(Client, cid).priority_until = TODAY + timedelta(days=3)
        for n, cid in enumerate(ids[::3]):
            add_follow_up(book, cid, f"Note {n}", TODAY - timedelta(days=1 + n % 9), now=NOW)
        with book.read() as conn:
            found = conn.execute("SELECT count(DISTINCT cadence_days) FROM client").fetchone()
        assert found == (rhythms,)
        head = assert_one_definition(book, TODAY)
        assert head.count.overdue == 3 * rhythms + len(ids[::3])
