"""The client list's figures, measured in the real main window on a real book.

Each figure times what a person waits for (a keystroke until the narrowed list is
painted, the list until its first screen is painted, a drag to the bottom until the
last rows are painted) against the least raw sqlite3 work that gives what the
screen then shows, on the same file, in the same run, alternating.

Imported by bench/run.py only when a book is measured: it brings in Qt.
"""

from __future__ import annotations

import os
import sqlite3
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from datetime import time as clock
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QModelIndex  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402

from models.text import search_words  # noqa: E402

# Typed one key at a time: a first name's first letter, then its first two letters,
# then a surname's first five. The 1-letter pattern matches most of the book.
SEARCHES = {1: "e", 2: "ma", 5: "rossi"}
WINDOW_SIZE = (1100, 700)


@dataclass
class Timing:
    name: str
    app_ms: float
    floor_ms: float
    paint_ms: float = 0.0
    note: str = ""

    @property
    def ratio(self) -> float:
        return self.app_ms / self.floor_ms if self.floor_ms else float("inf")


def alternate_with_setup(
    setup: Callable[[], object],
    app: Callable[[], object],
    floor: Callable[[], object],
    repeat: int,
    after: Callable[[], object] | None = None,
) -> tuple[float, float, float]:
    """Median ms of ``app`` (each run after an untimed ``setup``), of ``floor``, in turn,
    after one warm-up of each; and of ``after`` (run right after each ``app``, timed on
    its own: the repaint that follows a model change)."""
    setup()
    app()
    if after is not None:
        after()
    floor()
    a: list[float] = []
    f: list[float] = []
    p: list[float] = []
    for _ in range(repeat):
        setup()
        t0 = time.perf_counter()
        app()
        a.append(time.perf_counter() - t0)
        if after is not None:
            t0 = time.perf_counter()
            after()
            p.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        floor()
        f.append(time.perf_counter() - t0)
    paint = statistics.median(p) * 1000 if p else 0.0
    return statistics.median(a) * 1000, statistics.median(f) * 1000, paint


# What one list row shows beyond the client table: the first email and phone, and
# the tags in name order, for the rows of one screen (picked by id).
RAW_SCREEN = """
SELECT c.id, c.name, c.organisation, c.status, c.archived_at,
       (SELECT value FROM contact_point p WHERE p.client_id = c.id AND p.kind = 'email'
        ORDER BY p.position LIMIT 1),
       (SELECT value FROM contact_point p WHERE p.client_id = c.id AND p.kind = 'phone'
        ORDER BY p.position LIMIT 1),
       (SELECT group_concat(name, ', ') FROM
           (SELECT t.name FROM client_tag ct JOIN tag t ON t.id = ct.tag_id
            WHERE ct.client_id = c.id ORDER BY t.name))
FROM client c WHERE c.id IN ({marks})
"""
# The list's order: clients under priority first, then by name with case and accents
# folded (the stored search text starts with the folded name and a newline).
RAW_ORDER = "ORDER BY coalesce(c.priority_until >= :today, 0) DESC, c.search_text, c.id"
RAW_ORDER_LAST = "ORDER BY coalesce(c.priority_until >= :today, 0), c.search_text DESC, c.id DESC"
RAW_SCREEN_HEALTH = """
SELECT c.id, count(i.id),
       coalesce(sum(CASE i.severity WHEN 'low' THEN 5 WHEN 'medium' THEN 10
                                    WHEN 'high' THEN 20 ELSE 35 END), 0)
FROM client c LEFT JOIN incident i ON i.client_id = c.id
     AND i.status IN ('open', 'acknowledged', 'repairing')
WHERE c.id IN ({marks}) GROUP BY c.id
"""


class RawList:
    """The floor for the list figures: hand-written sqlite3 on the same file, doing
    only what the screen then shows: how many clients match (and how many there are,
    for "N of M shown"), and the cells of the one screen of rows in view."""

    def __init__(self, path: Path, today: date) -> None:
        self.conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        self.today = today.isoformat()

    def close(self) -> None:
        self.conn.close()

    def _where(self, pattern: str) -> tuple[str, dict[str, str]]:
        where = "c.archived_at IS NULL"
        args: dict[str, str] = {"today": self.today}
        for i, word in enumerate(search_words(pattern)):
            where += f" AND c.search_text LIKE :w{i}"
            args[f"w{i}"] = f"%{word}%"
        return where, args

    def count(self, pattern: str = "") -> int:
        where, args = self._where(pattern)
        return int(
            self.conn.execute(f"SELECT count(*) FROM client c WHERE {where}", args).fetchone()[0]
        )

    def top(self, pattern: str, rows: int, *, last: bool = False) -> list[int]:
        """The first (or last) ``rows`` matching clients in the list's order."""
        where, args = self._where(pattern)
        order = RAW_ORDER_LAST if last else RAW_ORDER
        sql = f"SELECT c.id FROM client c WHERE {where} {order} LIMIT {rows}"
        return [r[0] for r in self.conn.execute(sql, args)]

    def screen(self, ids: list[int]) -> list[tuple[object, ...]]:
        """The cells (and health inputs) of the rows on one screen."""
        if not ids:
            return []
        marks = ",".join("?" * len(ids))
        rows = self.conn.execute(RAW_SCREEN.format(marks=marks), ids).fetchall()
        self.conn.execute(RAW_SCREEN_HEALTH.format(marks=marks), ids).fetchall()
        return rows

    def search(self, pattern: str, rows: int) -> list[tuple[object, ...]]:
        """A search's answer: N of M, and the first screen of matches."""
        self.count(pattern)
        self.count()
        return self.screen(self.top(pattern, rows))

    def first_screen(self, rows: int) -> list[tuple[object, ...]]:
        self.count()
        return self.screen(self.top("", rows))

    def last_screen(self, rows: int) -> list[tuple[object, ...]]:
        self.count()
        return self.screen(self.top("", rows, last=True)[::-1])


class WindowBench:
    """Rapport's main window on a book, on the Clients page, at a fixed size and day."""

    def __init__(self, book_path: Path, config_dir: Path, today: date) -> None:
        from ui.app import RapportApp, ensure_application
        from ui.main.window import MainWindow

        self.qapp = ensure_application()
        self.rapport = RapportApp(config_dir=config_dir)
        noon = datetime.combine(today, clock(12)).astimezone()
        self.rapport.clock = lambda: noon
        outcome = self.rapport.open(book_path)
        if not outcome.ok:
            raise RuntimeError(f"could not open {book_path}: {outcome.message}")
        self.window = MainWindow(self.rapport)
        self.window.resize(*WINDOW_SIZE)
        self.window.show()
        self.window.show_clients()
        self.settle()

    @property
    def book(self):  # noqa: ANN201 - models.db.Book, kept out of the signature
        return self.rapport.book

    def settle(self) -> None:
        """Let Qt lay out and paint what is pending."""
        for _ in range(2):
            self.qapp.processEvents()

    def screen_rows(self) -> int:
        """How many list rows one screen shows at this window size."""
        table = self.window.table
        return table.viewport().height() // table.verticalHeader().defaultSectionSize() + 1

    def close(self) -> None:
        self.window.close()
        self.window.deleteLater()
        self.rapport.close()
        self.qapp.processEvents()

    # -- the figures -------------------------------------------------------------

    def search(self, raw: RawList, pattern: str, repeat: int) -> Timing:
        """One keystroke that makes the search box read ``pattern``, until the list's
        model holds the narrowed rows (their count, the first screen, its health
        scores) and the count and detail pane say so: what the next paint shows.

        The search box waits SEARCH_DELAY_MS for another key before it asks the book;
        that idle wait is not work and is not counted (the timer is fired at once).
        The repaint that follows is timed on its own (``paint_ms``): it is Qt drawing
        text, the same for any source of rows."""
        w = self.window
        box = w.search
        key = pattern[-1]

        def setup() -> None:
            box.setText(pattern[:-1])
            w.refresh()
            self.settle()
            box.setFocus()
            box.end(False)

        def app() -> None:
            QTest.keyClick(box, key)
            if w.search_timer.isActive():
                w.search_timer.stop()
                w.search_timer.timeout.emit()

        rows = self.screen_rows()
        app_ms, floor_ms, paint_ms = alternate_with_setup(
            setup, app, lambda: raw.search(pattern, rows), repeat, after=self.settle
        )
        matches = raw.count(pattern)
        assert box.text() == pattern, box.text()
        shown = w.model.rowCount()
        assert shown == min(matches, shown) and (shown > 0 or matches == 0), (shown, matches)
        box.setText("")
        w.refresh()
        self.settle()
        return Timing(f"search{len(pattern)}", app_ms, floor_ms, paint_ms, f"{matches} matches")

    def first_screen(self, raw: RawList, repeat: int) -> Timing:
        """The whole list asked for again (a cleared search, a saved client, the
        window opening) until the model holds its first screen (and the count)."""
        w = self.window
        rows = self.screen_rows()
        app_ms, floor_ms, paint_ms = alternate_with_setup(
            self.settle, w.refresh, lambda: raw.first_screen(rows), repeat, after=self.settle
        )
        assert w.model.rowCount() >= min(rows, raw.count())
        return Timing("list", app_ms, floor_ms, paint_ms)

    def scroll_to_end(self, raw: RawList, repeat: int) -> Timing:
        """From the first screen, the scroll bar dragged to the bottom again and again
        until the last client is in view: every read on the way counts, the repaint
        after each drag is timed on its own. A model that appends rows reads in
        fetchMore, which the view calls from the drag; a model that reads a row where
        the view first asks for it would read while painting, so each drag here also
        asks for the rows then in view (what the paint asks first), and the paint that
        follows only draws. The floor is the least work that shows the last screen: the
        count and the last screen's rows (read from the end) with their cells."""
        w = self.window
        table = w.table
        rows = self.screen_rows()
        steps: list[int] = []
        worked: list[float] = []
        painted: list[float] = []

        def setup() -> None:
            w.refresh()
            self.settle()

        def drag() -> float:
            t0 = time.perf_counter()
            table.scrollToBottom()  # a view calls fetchMore right here
            top = table.rowAt(0)
            bottom = table.rowAt(table.viewport().height() - 1)
            if top >= 0:
                last = bottom if bottom >= 0 else w.proxy.rowCount() - 1
                for row in range(top, last + 1):
                    w.proxy.index(row, 0).data()
            return time.perf_counter() - t0

        def app() -> None:
            n, work, paint = 0, 0.0, 0.0
            while True:
                n += 1
                work += drag()
                t0 = time.perf_counter()
                self.settle()
                paint += time.perf_counter() - t0
                if not w.model.canFetchMore(QModelIndex()):
                    break
            # The last read added rows below the bottom just reached: one more drag.
            work += drag()
            steps.append(n)
            worked.append(work)
            painted.append(paint)

        def floor() -> None:
            raw.last_screen(rows)

        # app() times its own reads; the repaints between drags are counted apart.
        _total, floor_ms, last_paint = alternate_with_setup(
            setup, app, floor, repeat, after=self.settle
        )
        app_ms = statistics.median(worked[1:]) * 1000
        paint_ms = statistics.median(painted[1:]) * 1000 + last_paint
        bottom = table.rowAt(table.viewport().height() - 2)
        shown = w.proxy.rowCount()
        assert bottom == shown - 1 or shown <= rows, (bottom, shown)
        assert shown == raw.count(), (shown, raw.count())
        return Timing("scroll", app_ms, floor_ms, paint_ms, f"{max(steps)} drags to the end")
