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

from models.reminders import UPCOMING_DAYS, DueItem, DueKind, TodayPlan, plan

log = logging.getLogger(__name__)

if TYPE_CHECKING:
    from models.db import Book

# Keep-in-touch dates of clients: touch_due_on is NULL for archived, paused and
# former clients (models.reminders.next_touch_due), so the index range is the rule.
_DUE_CLIENTS = (
    "SELECT id, name, touch_due_on, cadence_days, priority_until FROM client"
    " WHERE touch_due_on <= :until"
)
_OPEN_FOLLOW_UPS = (
    "SELECT f.id, c.id, c.name, f.due_on, f.title, c.priority_until"
    " FROM follow_up AS f JOIN client AS c ON c.id = f.client_id"
    " WHERE f.done_at IS NULL AND c.archived_at IS NULL AND f.due_on <= :until"
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


def count_clients(book: Book, *, include_archived: bool = False) -> int:
    """How many clients the book has (archived ones only when asked)."""
    with book.read() as conn:
        row = conn.execute(_COUNT_ALL if include_archived else _COUNT_ACTIVE).fetchone()
    return int(row[0])
