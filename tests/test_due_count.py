"""One number for "due": the rule itself, and every place that shows it (the
sidebar, Today's header, the tray's badge, tooltip and menu) agreeing on the demo
book and on a book with 40 things due. The tray parts are read from the
RapportTray object, which works them out whether or not a tray host is there
(offscreen has none; tests/test_tray_desktop.py runs the real one under Xvfb)."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest

from models.demo import fill_demo
from models.reminders import DueCount, DueItem, DueKind, due_count
from models.services.reminders import add_follow_up
from tests.helpers import NOW, TODAY, due_client, fixed_clock, open_window
from ui.app import CHANGED_CLIENTS, RapportApp
from ui.main.common import PAGE_TODAY
from ui.main.window import MainWindow
from ui.tray import MENU_ITEMS, RapportTray


@pytest.fixture
def app_clock():
    return fixed_clock


def item(days_late: int, kind: DueKind = DueKind.KEEP_IN_TOUCH) -> DueItem:
    return DueItem(kind, 1, "Ada", TODAY - timedelta(days=days_late), "Get in touch", 30)


def test_due_count_is_a_pure_rule_of_today() -> None:
    items = [item(9), item(3), item(0), item(0, DueKind.FOLLOW_UP), item(-2)]
    assert due_count(items, TODAY) == DueCount(total=4, overdue=2, today=2)
    assert due_count(items, TODAY).headline() == "4 to do: 2 overdue, 2 today"
    # The same items a day later: what was today is now late, the future one is not due.
    assert due_count(items, TODAY + timedelta(days=1)) == DueCount(4, 4, 0)
    assert due_count(items, TODAY + timedelta(days=2)) == DueCount(5, 4, 1)
    assert due_count([], date(2026, 1, 1)).headline() == "Nothing to do today"
    assert DueCount(3, 0, 3).headline() == "3 to do today"
    assert DueCount(3, 3, 0).headline() == "3 to do: 3 overdue"


def shown_counts(window: MainWindow, tray: RapportTray) -> dict[str, int]:
    """The due count as each place shows it, read back from the words on screen."""
    sidebar = window.sidebar.item(PAGE_TODAY).text()
    header = window.today_view.summary_label.text()
    tooltip = tray.tooltip()
    tray.menu.aboutToShow.emit()
    texts = [a.text() for a in tray.menu.actions() if not a.isSeparator()]
    headline = next(i for i, t in enumerate(texts) if " to do" in t)
    listed = texts[headline + 1 : texts.index("&Pause reminders until tomorrow")]
    more = [t for t in listed if t.startswith("and ")]
    rows = [t for t in listed if not t.startswith("and ")]
    extra = int(re.match(r"and (\d+) more…", more[0]).group(1)) if more else 0
    assert len(rows) <= MENU_ITEMS
    return {
        "sidebar": int(re.fullmatch(r"Today\s+\((\d+)\)", sidebar).group(1)),
        "header": int(re.match(r"(\d+) to do", header).group(1)),
        "badge": tray.badge_count,
        "tooltip": int(re.match(r"Rapport — (\d+) to do", tooltip).group(1)),
        "menu headline": int(re.match(r"(\d+) to do", texts[headline]).group(1)),
        "menu": len(rows) + extra,
        "today rows": len(window.today_view.plan.due),
    }


def open_with_tray(qtbot, rapport: RapportApp) -> tuple[MainWindow, RapportTray]:
    window = open_window(qtbot, rapport, size=(1366, 768))
    tray = RapportTray(rapport, window)
    window.set_tray(tray)
    tray.sync(notify=False)
    return window, tray


def menu_names(tray: RapportTray) -> list[str]:
    tray.menu.aboutToShow.emit()
    texts = [a.text() for a in tray.menu.actions() if not a.isSeparator()]
    start = next(i for i, t in enumerate(texts) if " to do" in t) + 1
    return [t.split(" — ")[0].split(":")[0] for t in texts[start:] if " — " in t]


def test_every_place_agrees_on_the_demo_book(qtbot, rapport) -> None:
    fill_demo(rapport.book, now=NOW)
    rapport.changed.emit(CHANGED_CLIENTS, None)
    window, tray = open_with_tray(qtbot, rapport)
    counts = shown_counts(window, tray)
    expected = due_count(rapport.today_plan().due, TODAY).total
    assert expected > MENU_ITEMS  # the demo has more than the menu lists
    assert counts == dict.fromkeys(counts, expected), counts
    # The menu lists Today's first rows, in Today's order.
    firsts = [i.client_name for i in window.today_view.model.items()[:MENU_ITEMS]]
    assert menu_names(tray) == firsts
    tray.hide()
    window.close()


def test_every_place_agrees_with_forty_due(qtbot, rapport) -> None:
    ids = [due_client(rapport, f"Client {n:02d}", n % 12) for n in range(34)]
    for n, cid in enumerate(ids[:6]):
        add_follow_up(rapport.book, cid, f"Send note {n}", TODAY - timedelta(days=n), now=NOW)
    due_client(rapport, "Not yet", -3)  # due in three days: upcoming, not counted
    rapport.changed.emit(CHANGED_CLIENTS, None)
    window, tray = open_with_tray(qtbot, rapport)
    counts = shown_counts(window, tray)
    assert counts == dict.fromkeys(counts, 40), counts
    assert window.today_view.summary_label.text() == "40 to do: 36 overdue, 4 today"
    assert tray.tooltip().startswith("Rapport — 40 to do: 36 overdue, 4 today. First: ")
    assert "and 35 more…" in [a.text() for a in tray.menu.actions()]
    assert "Not yet" not in menu_names(tray)
    tray.hide()
    window.close()


def test_the_fast_order_is_the_rules_order_and_counts_are_kept() -> None:
    import random

    from models.reminders import order, plan, sort_key

    rng = random.Random(16)
    items = [
        DueItem(
            rng.choice(list(DueKind)),
            rng.randrange(40),
            rng.choice(["Ada", "ben", "Chloé", "Dan"]),
            TODAY - timedelta(days=rng.randrange(-5, 60)),
            "x",
            rng.choice([None, 7, 14, 30, 91]),
            rng.randrange(1, 10_000),
            rng.random() < 0.2,
        )
        for _ in range(500)
    ]
    assert order(items, TODAY) == sorted(items, key=lambda i: sort_key(i, TODAY))
    p = plan(items, TODAY)
    assert p.counts(TODAY) == due_count(p.due, TODAY)
    assert p.counts(TODAY) is p.counts(TODAY)  # worked out once
