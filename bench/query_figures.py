"""The figures that read the book: who is due, the Today view's plan and every
client's health, each through the app's service against the same answer from
hand-written SQL in raw sqlite3."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from datetime import time as clock

from bench.measure import TODAY, Pair, alternate
from models.db import Book
from models.health import FADE_DAYS
from models.services.clients import many_small_objects
from models.services.health import all_health
from models.services.reminders import due_items, today_plan

RAW_DUE_CLIENTS = """
SELECT id, name, touch_due_on, cadence_days, priority_until
FROM client WHERE touch_due_on <= ?
"""
RAW_DUE_FOLLOW_UPS = """
SELECT f.id, c.id, c.name, f.due_on, f.title, c.priority_until
FROM follow_up f JOIN client c ON c.id = f.client_id
WHERE f.done_at IS NULL AND f.due_on <= ? AND c.archived_at IS NULL
"""


def bench_due(book: Book, repeat: int) -> Pair:
    """ "Who is due today": the app's service (rows to typed items) against the same
    two indexed queries in raw sqlite3."""
    raw = sqlite3.connect(book.path)
    today = TODAY.isoformat()

    def floor() -> object:
        with many_small_objects():
            return (
                raw.execute(RAW_DUE_CLIENTS, (today,)).fetchall()
                + raw.execute(RAW_DUE_FOLLOW_UPS, (today,)).fetchall()
            )

    try:
        app_ms, floor_ms = alternate(lambda: due_items(book, TODAY, horizon_days=0), floor, repeat)
    finally:
        raw.close()
    return Pair("due", app_ms, floor_ms)


# The Today view's plan in one statement: keep-in-touch dates and open follow-ups up
# to a week ahead, each with the rules' order worked out in SQL (due or overdue
# first: priority, then lateness relative to the rhythm, date, name; then the coming
# week: priority, date, name).
RAW_TODAY = """
WITH item AS (
  SELECT 0 AS kind, id AS cid, name, touch_due_on AS due_on, 'Get in touch' AS title,
         cadence_days AS cadence, NULL AS fid, coalesce(priority_until >= :today, 0) AS prio
  FROM client WHERE touch_due_on <= :until
  UNION ALL
  SELECT 1, c.id, c.name, f.due_on, f.title, NULL, f.id, coalesce(c.priority_until >= :today, 0)
  FROM follow_up f JOIN client c ON c.id = f.client_id
  WHERE f.done_at IS NULL AND f.due_on <= :until AND c.archived_at IS NULL
)
SELECT *, due_on > :today AS ahead FROM item
ORDER BY ahead, prio DESC,
         CASE WHEN due_on <= :today
              THEN (julianday(due_on) - julianday(:today)) / max(coalesce(cadence, 7), 1)
              ELSE 0 END,
         due_on, lower(name), coalesce(fid, 0)
"""


def bench_today(book: Book, repeat: int) -> Pair:
    """The Today view's (and the tray's) question: ``today_plan`` (due and overdue in
    the rules' order, and the coming week) against one ordered SQL statement."""
    raw = sqlite3.connect(book.path)
    args = {"today": TODAY.isoformat(), "until": (TODAY + timedelta(days=7)).isoformat()}

    def floor() -> object:
        with many_small_objects():
            return raw.execute(RAW_TODAY, args).fetchall()

    try:
        app_ms, floor_ms = alternate(lambda: today_plan(book, TODAY), floor, repeat)
    finally:
        raw.close()
    return Pair("today", app_ms, floor_ms)


# Every visible client with what its score needs from its incidents and agreements,
# aggregated in SQL: how many incidents count, their severity points, how many
# promises are broken, and how many open commitments of final agreements are past
# due. The floor does no Python per client beyond fetching the row.
RAW_HEALTH = """
SELECT c.id, c.cadence_days, c.touch_due_on,
       count(i.id),
       coalesce(sum(CASE i.severity WHEN 'low' THEN 5 WHEN 'medium' THEN 10
                                    WHEN 'high' THEN 20 ELSE 35 END), 0),
       coalesce(sum(i.status != 'resolved'
                    AND i.response_due_at < coalesce(i.responded_at, :now)), 0),
       coalesce(max(o.owed), 0)
FROM client c
LEFT JOIN incident i ON i.client_id = c.id
     AND (i.status IN ('open', 'acknowledged', 'repairing')
          OR (i.status = 'resolved' AND i.closed_at >= :fade))
LEFT JOIN (SELECT a.client_id, count(*) AS owed
           FROM agreement a JOIN commitment m ON m.agreement_id = a.id
           WHERE a.status = 'final' AND m.state = 'open' AND m.due_on < :today
           GROUP BY a.client_id) o ON o.client_id = c.id
WHERE c.archived_at IS NULL
GROUP BY c.id
"""


def _stored(moment: datetime) -> str:
    return moment.astimezone(UTC).replace(tzinfo=None).isoformat(sep=" ", timespec="microseconds")


def bench_health(book: Book, repeat: int) -> Pair:
    """Every client's health score: the app's all_health (rows to explained scores)
    against one aggregating query over the same clients and counting incidents."""
    raw = sqlite3.connect(book.path)
    # The moments all_health uses, spelt as the book stores them (naive UTC text).
    now = _stored(datetime.combine(TODAY, clock.max, UTC))
    fade = _stored(datetime.combine(TODAY - timedelta(days=FADE_DAYS), clock.min, UTC))

    args = {"now": now, "fade": fade, "today": TODAY.isoformat()}

    def floor() -> object:
        with many_small_objects():
            return raw.execute(RAW_HEALTH, args).fetchall()

    try:
        app_ms, floor_ms = alternate(lambda: all_health(book, TODAY), floor, repeat)
    finally:
        raw.close()
    return Pair("health", app_ms, floor_ms)
