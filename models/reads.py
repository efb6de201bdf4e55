"""The reads the first window needs, in plain SQL over ``Book.read()``.

Who is due (the Today view and the tray) and how many clients there are: these run
before SQLAlchemy is loaded, so the window can be painted with the book open while
the ORM loads behind it, and on every Today refresh and tray tick after that. They
hand plain values to the pure rules in models.reminders, as the services do, and
models.services re-exports them, so there is one implementation of each.

Dates are read as their stored ISO text: ``date.fromisoformat`` is several times
cheaper than a converter, and a priority date compares with today as text (ISO
dates sort as text).
"""

from __future__ import annotations

import gc
import logging
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from typing import TYPE_CHECKING

from models.reminders import (
    FIRST_ROWS,
    FOLLOW_UP_SCALE_DAYS,
    UPCOMING_DAYS,
    DueCount,
    DueItem,
    DueKind,
    TodayHead,
    TodayPlan,
    plan,
)

log = logging.getLogger(__name__)

if TYPE_CHECKING:
    from models.db import Book

# Keep-in-touch dates of clients: touch_due_on is NULL for archived, paused and
# former clients (models.reminders.next_touch_due), so the index range is the rule.
# Which rows are due by :until, written once for the whole plan and for its head.
_CLIENT_DUE = "FROM client WHERE touch_due_on <= :until"
_FOLLOW_UP_OPEN = (
    "FROM follow_up AS f JOIN client AS c ON c.id = f.client_id"
    " WHERE f.done_at IS NULL AND c.archived_at IS NULL AND f.due_on <= :until"
)
_DUE_CLIENTS = f"SELECT id, name, touch_due_on, cadence_days, priority_until {_CLIENT_DUE}"
_OPEN_FOLLOW_UPS = (
    f"SELECT f.id, c.id, c.name, f.due_on, f.title, c.priority_until {_FOLLOW_UP_OPEN}"
)
_NEXT_CLIENT = (
    "SELECT id, name, touch_due_on, cadence_days, priority_until FROM client"
    " WHERE touch_due_on > :day ORDER BY touch_due_on, name, id LIMIT 1"
)
_NEXT_FOLLOW_UP = (
    "SELECT f.id, c.id, c.name, f.due_on, f.title, c.priority_until"
    " FROM follow_up AS f JOIN client AS c ON c.id = f.client_id"
    " WHERE f.done_at IS NULL AND c.archived_at IS NULL AND f.due_on > :day"
    " ORDER BY f.due_on, f.id LIMIT 1"
)
# Today's head (models.reminders.TodayHead) straight from the book: the rows of
# _DUE_CLIENTS and _OPEN_FOLLOW_UPS as one relation, the rules' order (sort_key,
# upcoming_key) as ORDER BY, so the first screen is an ordered, limited read.
# Each term mirrors the rule it stands for:
# - priority: ``today <= (priority_until or "")``, compared as ISO text;
# - urgency: days late over the rhythm (a follow-up's is a week; no or a zero rhythm
#   counts as a week; at least 1), in double precision like Python's ``/``;
# - the name compared casefolded (the collation below), then follow-up id (0 for a
#   keep-in-touch row) and client id.
_DUE_ROWS = (
    "SELECT 0 AS k, id AS cid, name, touch_due_on AS due_on, 'Get in touch' AS title,"
    f" cadence_days AS cad, NULL AS fid, coalesce(priority_until, '') >= :today AS prio"
    f" {_CLIENT_DUE}"
    " UNION ALL"
    " SELECT 1, c.id, c.name, f.due_on, f.title, NULL, f.id,"
    f" coalesce(c.priority_until, '') >= :today {_FOLLOW_UP_OPEN}"
)
_URGENCY = (
    "(julianday(:today) - julianday(due_on))"
    f" / max(CASE WHEN k = 0 AND coalesce(cad, 0) <> 0 THEN cad ELSE {FOLLOW_UP_SCALE_DAYS} END,"
    " 1)"
)
_CASEFOLD = "rapport_casefold"
_TIES = f"name COLLATE {_CASEFOLD}, coalesce(fid, 0), cid"
_HEAD_COLUMNS = "SELECT k, cid, name, due_on, title, cad, fid, prio FROM"
_DUE_HEAD = (
    f"{_HEAD_COLUMNS} ({_DUE_ROWS}) WHERE due_on {{cmp}} :today"
    f" ORDER BY prio DESC, {_URGENCY} DESC, due_on, {_TIES} LIMIT :limit"
)
_UPCOMING_HEAD = (
    f"{_HEAD_COLUMNS} ({_DUE_ROWS}) WHERE due_on > :today"
    f" ORDER BY prio DESC, due_on, {_TIES} LIMIT :limit"
)
# min(upcoming, key=(due_on, name)): the first of the soonest, in the week's order.
_FIRST_UPCOMING = (
    f"{_HEAD_COLUMNS} ({_DUE_ROWS}) WHERE due_on > :today"
    f" ORDER BY due_on, name, prio DESC, {_TIES} LIMIT 1"
)
# Each part of the head (overdue, due today, the coming week) as one query sorts every
# row of the part (40 000 overdue, 4 000 in the week, a tenth of a second before the
# first paint of a 100 000-client book) for the first fifty, most of it in the Python
# collation of names. But the part's order, within rows of the same priority and (for
# the overdue, ranked by urgency) the same rhythm, is the date's, then the name's: so
# the first :limit rows of each such group in date order, an index walk that stops
# there, hold every row of it that can make the head. _head_part reads those groups and
# ranks what they give as the part's query would (_head_rank): the few clients under
# priority in one ranked query, the others per rhythm when overdue (else at once), and
# follow-ups (all weighed by the same week) with priority and without.
_RHYTHMS = "SELECT DISTINCT cadence_days FROM client WHERE touch_due_on < :today"
# More rhythms than this (a book of custom ones) and the one sort is cheaper again:
# each group's walk may cross the whole overdue range before it has :limit rows.
MAX_RHYTHM_GROUPS = 16
_PART_DATES = {
    "<": ("touch_due_on < :today", "f.due_on < :today"),
    "=": ("touch_due_on = :today", "f.due_on = :today"),
    ">": (
        "touch_due_on > :today AND touch_due_on <= :until",
        "f.due_on > :today AND f.due_on <= :until",
    ),
}
_KEEP_COLUMNS = "SELECT 0, id, name, touch_due_on, 'Get in touch', cadence_days, NULL"
_KEEP_URGENCY = (
    "(julianday(:today) - julianday(touch_due_on))"
    " / max(CASE WHEN coalesce(cadence_days, 0) <> 0 THEN cadence_days"
    f" ELSE {FOLLOW_UP_SCALE_DAYS} END, 1) DESC,"
)


def head_part_queries(part: str) -> tuple[str, str, str]:
    """The group queries of one part of the head (``part``: "<" overdue, "=" due
    today, ">" the coming week): clients without priority (per :cadence when
    overdue), clients under priority, and follow-ups with :priority 1 or 0."""
    keep_on, follow_on = _PART_DATES[part]
    rhythm = " AND cadence_days IS :cadence" if part == "<" else ""
    keep = (
        f"{_KEEP_COLUMNS}, 0 FROM client WHERE {keep_on}{rhythm}"
        " AND coalesce(priority_until, '') < :today"
        f" ORDER BY touch_due_on, name COLLATE {_CASEFOLD}, id LIMIT :limit"
    )
    urgency = _KEEP_URGENCY if part == "<" else ""
    keep_priority = (
        f"{_KEEP_COLUMNS}, 1 FROM client WHERE {keep_on}"
        " AND coalesce(priority_until, '') >= :today"
        f" ORDER BY {urgency} touch_due_on, name COLLATE {_CASEFOLD}, id LIMIT :limit"
    )
    follow = (
        "SELECT 1, c.id, c.name, f.due_on, f.title, NULL, f.id, :priority"
        " FROM follow_up AS f JOIN client AS c ON c.id = f.client_id"
        f" WHERE f.done_at IS NULL AND c.archived_at IS NULL AND {follow_on}"
        " AND (coalesce(c.priority_until, '') >= :today) = :priority"
        f" ORDER BY f.due_on, c.name COLLATE {_CASEFOLD}, f.id LIMIT :limit"
    )
    return keep, keep_priority, follow


# The client leg of every head query reads ix_client_due_rank alone (the date, the
# rhythm, the priority and the name are all in it: no client row is fetched, however
# many are due). The counts read only indexes too: keep-in-touch dates from
# ix_client_due_rank, open follow-ups with their client from ix_follow_up_due_client,
# less those of archived clients (few, from ix_client_archived_name).
# Each count a range of its index, counted without looking at the entries (a sum of
# comparisons over the whole range took 4 times as long: 10 ms at 100 000 clients).
# Both give (overdue, due today, upcoming), as today_head adds them up.
_KEEP_COUNT = "(SELECT count(*) FROM client WHERE {when})"
_KEEP_COUNTS = "SELECT {}, {}, {}".format(
    _KEEP_COUNT.format(when="touch_due_on < :today"),
    _KEEP_COUNT.format(when="touch_due_on = :today"),
    _KEEP_COUNT.format(when="touch_due_on > :today AND touch_due_on <= :until"),
)
_FOLLOW_UP_COUNT = (
    "(SELECT count(*) FROM follow_up WHERE done_at IS NULL AND {when}"
    " AND client_id NOT IN (SELECT id FROM client WHERE archived_at IS NOT NULL))"
)
_FOLLOW_UP_COUNTS = "SELECT {}, {}, {}".format(
    _FOLLOW_UP_COUNT.format(when="due_on < :today"),
    _FOLLOW_UP_COUNT.format(when="due_on = :today"),
    _FOLLOW_UP_COUNT.format(when="due_on > :today AND due_on <= :until"),
)
# coalesce() keeps SQLite off ix_client_archived_name for "not archived": counting
# through that index is slower than reading the table's own b-tree.
_COUNT_ACTIVE = "SELECT count(*) FROM client WHERE coalesce(archived_at, NULL) IS NULL"
_COUNT_ALL = "SELECT count(*) FROM client"


@contextmanager
def many_small_objects() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while a read builds thousands of small
    objects that form no reference cycles (rows, scores, due items). On a 100 000-client
    book the collector otherwise walks them over and over: a third of ``all_health``
    and ``due_items`` (bench/run.py). Reference counting still frees everything as
    usual, and collection resumes when the block ends (unless it was off already)."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def due_items(book: Book, today: date, *, horizon_days: int = UPCOMING_DAYS) -> list[DueItem]:
    """Everything due up to ``today + horizon_days``: keep-in-touch dates of active
    clients and open follow-ups of clients that are not archived.

    This runs on every Today refresh and tray tick, over thousands of rows on a big
    book; bench/run.py keeps it within 2x of the same two queries by hand.
    """
    until = {"until": (today + timedelta(days=horizon_days)).isoformat()}
    with many_small_objects(), book.read() as conn:
        clients = conn.execute(_DUE_CLIENTS, until).fetchall()
        follow_ups = conn.execute(_OPEN_FOLLOW_UPS, until).fetchall()
        # DueItems made straight from tuples (what DueItem(...) does, without its
        # per-call argument handling): a big book has tens of thousands of them.
        new, day, text = tuple.__new__, date.fromisoformat, today.isoformat()
        keep, follow = DueKind.KEEP_IN_TOUCH, DueKind.FOLLOW_UP
        items = [
            new(DueItem, (keep, cid, name, day(due), "Get in touch", cad, None, text <= (p or "")))
            for cid, name, due, cad, p in clients
        ]
        items += [
            new(DueItem, (follow, cid, name, day(due), title, None, fid, text <= (p or "")))
            for fid, cid, name, due, title, p in follow_ups
        ]
    return items


def today_plan(book: Book, today: date) -> TodayPlan:
    """What the Today view and the tray show: due and overdue in the rules' order,
    and the coming week."""
    items = due_items(book, today)
    with many_small_objects():  # ordering makes a key tuple per item
        return plan(items, today)


def _casefold_order(a: str, b: str) -> int:
    """Names compared as ``str.casefold`` compares them (the rules' sort key)."""
    a, b = a.casefold(), b.casefold()
    return (a > b) - (a < b)


def _head_items(rows: list[tuple]) -> list[DueItem]:
    keep, follow, day = DueKind.KEEP_IN_TOUCH, DueKind.FOLLOW_UP, date.fromisoformat
    return [
        DueItem(
            follow if k else keep,
            cid,
            name,
            day(due),
            title,
            cad,
            fid,
            bool(prio),
        )
        for k, cid, name, due, title, cad, fid, prio in rows
    ]


def today_head(book: Book, today: date, limit: int | None = FIRST_ROWS) -> TodayHead:
    """``head_of(today_plan(book, today), today, limit)``, read with a count and an
    ordered, limited query per part instead of ordering every due item: the first
    window of a 100 000-client book needs its first screen and its counts, not the
    order of the thirty-thousandth row."""
    text = today.isoformat()
    until = (today + timedelta(days=UPCOMING_DAYS)).isoformat()
    args = {"today": text, "until": until, "limit": -1 if limit is None else limit}
    with many_small_objects(), book.read() as conn:
        conn.create_collation(_CASEFOLD, _casefold_order)
        keep = conn.execute(_KEEP_COUNTS, args).fetchone()
        follow = conn.execute(_FOLLOW_UP_COUNTS, args).fetchone()
        late, due_today, upcoming = (a + b for a, b in zip(keep, follow, strict=True))
        total = late + due_today

        def rows(query: str, wanted: int) -> list[tuple]:
            return conn.execute(query, args).fetchall() if wanted else []

        overdue = _head_part(conn, args, limit, "<") if late else []
        on_the_day = _head_part(conn, args, limit, "=") if total - late else []
        week = _head_part(conn, args, limit, ">") if upcoming else []
        first = rows(_FIRST_UPCOMING, upcoming if not total else 0)
    return TodayHead(
        overdue=_head_items(overdue),
        due_today=_head_items(on_the_day),
        upcoming=_head_items(week),
        count=DueCount(total=total, overdue=late, today=total - late),
        upcoming_total=upcoming,
        first_upcoming=_head_items(first)[0] if first else None,
        limit=limit,
    )


def _head_part(
    conn: sqlite3.Connection, args: dict[str, object], limit: int | None, part: str
) -> list:
    """The first ``limit`` rows of one part of the head ("<", "=" or ">" today), in
    the order of its one query, from the groups above (each read to at most ``limit``
    rows) instead of a sort of every row of the part."""
    whole = _UPCOMING_HEAD if part == ">" else _DUE_HEAD.format(cmp=part)
    if limit is None:
        return conn.execute(whole, args).fetchall()
    rhythms: list[tuple] = [(None,)]
    if part == "<":
        rhythms = conn.execute(_RHYTHMS, args).fetchall()
        if len(rhythms) > MAX_RHYTHM_GROUPS:
            return conn.execute(whole, args).fetchall()
    keep, keep_priority, follow = head_part_queries(part)
    rows = conn.execute(keep_priority, args).fetchall()
    for (cadence,) in rhythms:
        rows += conn.execute(keep, args | {"cadence": cadence}).fetchall()
    for priority in (1, 0):
        rows += conn.execute(follow, args | {"priority": priority}).fetchall()
    today = date.fromisoformat(str(args["today"]))
    rows.sort(key=lambda row: _head_rank(row, today, by_urgency=part != ">"))
    return rows[:limit]


def _head_rank(row: tuple, today: date, *, by_urgency: bool) -> tuple:
    """The part's ORDER BY (_DUE_HEAD, or _UPCOMING_HEAD without urgency) for one of
    its rows, term by term: priority first, then urgency (days late over the rhythm,
    a week for a follow-up or no rhythm, at least 1; true division in double precision,
    as SQLite divides), the date, the name casefolded (the collation), the follow-up
    (0 for none) and the client."""
    k, cid, name, due, _title, cadence, fid, priority = row
    urgency = 0.0
    if by_urgency:
        scale = cadence if k == 0 and cadence else FOLLOW_UP_SCALE_DAYS
        urgency = (today - date.fromisoformat(due)).days / max(scale, 1)
    return (-priority, -urgency, due, name.casefold(), fid or 0, cid)


def next_due_after(book: Book, day: date, *, today: date) -> DueItem | None:
    """The first thing due after ``day``: what an empty Today offers as "next up",
    however far ahead it is, without reading every future date in the book."""
    args = {"day": day.isoformat()}
    with book.read() as conn:
        client = conn.execute(_NEXT_CLIENT, args).fetchone()
        follow_up = conn.execute(_NEXT_FOLLOW_UP, args).fetchone()
    text = today.isoformat()
    candidates: list[DueItem] = []
    if client is not None:
        cid, name, due, cad, p = client
        candidates.append(
            DueItem(
                DueKind.KEEP_IN_TOUCH,
                cid,
                name,
                date.fromisoformat(due),
                "Get in touch",
                cad,
                None,
                text <= (p or ""),
            )
        )
    if follow_up is not None:
        fid, cid, name, due, title, p = follow_up
        candidates.append(
            DueItem(
                DueKind.FOLLOW_UP,
                cid,
                name,
                date.fromisoformat(due),
                title,
                None,
                fid,
                text <= (p or ""),
            )
        )
    return min(candidates, key=lambda i: i.due_on) if candidates else None


LOCALE_KEY = "format.locale"


def date_locale(book: Book) -> str:
    """The book's chosen date locale ("" follows the machine), read before the ORM
    loads so the first window already writes dates the consultant's way.

    It is read before the book's health check has spoken (the app checks on a
    worker thread), so a damaged page must not turn a preference into a crash:
    the machine's style is used, and the check reports the damage as it always does.
    """
    try:
        with book.read() as conn:
            row = conn.execute("SELECT value FROM setting WHERE key = ?", (LOCALE_KEY,)).fetchone()
    except sqlite3.DatabaseError as exc:
        log.warning(
            "The date style could not be read from %s (%s); using the machine's.", book.path, exc
        )
        return ""
    return str(row[0]).strip() if row else ""


def has_clients(book: Book) -> bool:
    """Whether the book has a client that is not archived: what the first window asks
    to choose its page, answered from the first index entry rather than a count of
    every row (a whole pass over the client table of a big book)."""
    with book.read() as conn:
        row = conn.execute("SELECT 1 FROM client WHERE archived_at IS NULL LIMIT 1").fetchone()
    return row is not None


def count_clients(book: Book, *, include_archived: bool = False) -> int:
    """How many clients the book has (archived ones only when asked)."""
    with book.read() as conn:
        row = conn.execute(_COUNT_ALL if include_archived else _COUNT_ACTIVE).fetchone()
    return int(row[0])
