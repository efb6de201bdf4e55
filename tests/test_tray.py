"""The tray icon: what it says and offers, notifications, and what closing the window does.

The tray logic runs here, in-process (offscreen, where there is no tray); the real
thing, from the real entry point on a real X server, is in tests/test_tray_desktop.py.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from PySide6.QtGui import QColor

from models.services.clients import ClientInput, create_client
from models.services.reminders import add_follow_up
from tests.helpers import NOW, TODAY, due_client, fixed_clock
from ui.app import CHANGED_CLIENTS
from ui.gui import make_gui
from ui.main.common import KEY_NO_TRAY_TOLD, NO_TRAY, PAGE_TODAY
from ui.main.window import MainWindow
from ui.tray import BADGE_COLOUR, RapportTray, tray_icon

ROOT = Path(__file__).resolve().parents[1]
TRAYER = ("trayer", "--edge", "top", "--align", "right", "--widthtype", "request")


# -- in-process: the tray's words and choices -----------------------------------------------


@pytest.fixture
def app_clock():
    """Who is due, and when a new day starts, follow the app's clock: NOW here."""
    return fixed_clock


@pytest.fixture
def hidden(qtbot, rapport) -> Iterator[tuple[MainWindow, RapportTray]]:
    """A window kept hidden, as when Rapport runs in the tray, and its tray."""
    window = MainWindow(rapport)
    qtbot.addWidget(window)
    tray = RapportTray(rapport, window)
    window.set_tray(tray)
    yield window, tray
    tray.hide()


def test_tooltip_and_menu_name_who_is_due(qtbot, rapport, hidden) -> None:
    window, tray = hidden
    ids = {}
    for i, name in enumerate(["Ada", "Ben", "Chloé", "Dan", "Eve", "Finn", "Gus"]):
        ids[name] = due_client(rapport, name, 10 - i)
    create_client(rapport.book, ClientInput("Hal"))  # no rhythm: never due
    rapport.changed.emit(CHANGED_CLIENTS, None)
    # Issue 16: the tooltip and the menu say the count in the header's words.
    assert tray.tooltip() == "Rapport — 7 to do: 7 overdue. First: Ada, Ben, Chloé and 4 more"
    assert tray.badge_count == 7

    tray.menu.aboutToShow.emit()
    texts = [a.text() for a in tray.menu.actions() if not a.isSeparator()]
    assert texts == [
        "&Today…",
        "&Log a touch…",
        "7 to do: 7 overdue",
        "Ada — 10 days late",
        "Ben — 9 days late",
        "Chloé — 8 days late",
        "Dan — 7 days late",
        "Eve — 6 days late",
        "and 2 more…",
        "&Pause reminders until tomorrow",
        "&Open Rapport",
        "&Quit",
    ]
    next(a for a in tray.menu.actions() if a.text().startswith("Chloé")).trigger()
    dialog = window.touch_dialog
    assert dialog is not None and dialog.isVisible()
    assert dialog.client_picker.client_id() == ids["Chloé"]
    dialog.reject()


def test_menu_is_rebuilt_each_time_it_opens(qtbot, rapport, hidden) -> None:
    _window, tray = hidden
    tray.menu.aboutToShow.emit()
    assert not any("Ada" in a.text() for a in tray.menu.actions())
    assert tray.tooltip() == "Rapport — nothing to do today"
    due_client(rapport, "Ada", 3)  # added behind the app's back: no changed signal
    tray.menu.aboutToShow.emit()
    assert "Ada — 3 days late" in [a.text() for a in tray.menu.actions()]
    assert tray.tooltip() == "Rapport — 1 to do: 1 overdue. First: Ada"


def test_today_and_log_a_touch_from_the_menu(qtbot, rapport, hidden) -> None:
    window, tray = hidden
    due_client(rapport, "Ada", 3)
    tray.menu.aboutToShow.emit()
    next(a for a in tray.menu.actions() if a.text() == "&Log a touch…").trigger()
    dialog = window.touch_dialog
    assert dialog is not None and dialog.isVisible()
    assert dialog.client_picker.client_id() is None
    assert dialog.windowTitle() == "Log a touch"
    dialog.reject()

    window.show_clients(focus=False)
    tray.menu.aboutToShow.emit()
    next(a for a in tray.menu.actions() if a.text() == "&Today…").trigger()
    assert window.isVisible()
    assert window.current_page() == PAGE_TODAY

    # The count heading the list is no grey, disabled label: it opens Today too.
    window.show_clients(focus=False)
    tray.menu.aboutToShow.emit()
    heading = next(a for a in tray.menu.actions() if a.text() == "1 to do: 1 overdue")
    assert heading.isEnabled() and heading.font().bold()
    heading.trigger()
    assert window.current_page() == PAGE_TODAY


def test_notifications_once_per_item_per_day_and_grouped(qtbot, rapport, hidden) -> None:
    _window, tray = hidden
    ada = due_client(rapport, "Ada Lovelace", 2)
    due_client(rapport, "Ben Okafor", 0, cadence=7)
    due_client(rapport, "Chloé Martin", 0, cadence=14)
    tray.sync()
    assert tray.last_message == (
        "Rapport",
        "3 clients are due today: Ada Lovelace, Ben Okafor and Chloé Martin.",
    )
    tray.last_message = None
    tray.sync()
    assert tray.notify_due() is None and tray.last_message is None

    # Something new the same day: only that is announced, in its own words.
    add_follow_up(rapport.book, ada, "Send the contract", TODAY)
    rapport.changed.emit(CHANGED_CLIENTS, None)
    assert tray.last_message == ("Rapport", "Ada Lovelace: Send the contract (due today).")

    # A restart the same day stays quiet: what was said is in the settings.
    rapport.settings.sync()
    again = RapportTray(rapport, _window)
    again.sync()
    assert again.last_message is None
    again.hide()

    # The next day everything still due is worth one more reminder.
    rapport.clock = lambda: NOW + timedelta(days=1)
    rapport.due_clock.resync()
    assert tray.last_message is not None
    assert tray.last_message[1].startswith("3 clients are due today: Ada Lovelace")


def test_one_item_is_named_and_several_for_one_client_counted(qtbot, rapport, hidden) -> None:
    _window, tray = hidden
    ada = due_client(rapport, "Ada Lovelace", 4)
    tray.sync()
    assert tray.last_message == ("Rapport", "Time to get in touch with Ada Lovelace (4 days late).")
    add_follow_up(rapport.book, ada, "Invoice", TODAY)
    add_follow_up(rapport.book, ada, "Contract", TODAY)
    tray.sync()
    assert tray.last_message == ("Rapport", "Ada Lovelace has 2 things due today.")


def test_pause_until_tomorrow_silences_and_calms(qtbot, rapport, hidden) -> None:
    window, tray = hidden
    due_client(rapport, "Ada", 1)
    tray.pause_action.trigger()
    assert tray.paused() and tray.pause_action.isChecked()
    assert tray.badge_count == 0
    assert tray.tooltip() == (
        "Rapport — 1 to do: 1 overdue. First: Ada (reminders paused until tomorrow)"
    )
    tray.sync()
    assert tray.last_message is None
    # The same setting is in the window's Settings menu.
    assert tray.pause_action in window.settings_menu.actions()

    rapport.clock = lambda: NOW + timedelta(days=1)
    rapport.due_clock.resync()
    assert not tray.paused() and not tray.pause_action.isChecked()
    assert tray.badge_count == 1
    assert tray.last_message == ("Rapport", "Time to get in touch with Ada (2 days late).")


def test_no_popup_while_the_window_is_in_front(qtbot, rapport) -> None:
    due_client(rapport, "Ada", 1)
    window, tray = make_gui(rapport)
    qtbot.addWidget(window)
    qtbot.waitExposed(window)
    assert window.isVisible()
    assert tray.last_message is None  # the window shows Today; no need to say it twice
    qtbot.waitUntil(window.isActiveWindow)
    rapport.clock = lambda: NOW + timedelta(days=1)
    rapport.due_clock.resync()
    assert tray.last_message is None
    # Its warm-up ends inside the test, not in the next one's event loop.
    qtbot.waitUntil(lambda: rapport.warmup.finished, timeout=20_000)
    rapport.due_clock.stop()
    tray.hide()


def test_clicking_a_notification_opens_today(qtbot, rapport, hidden) -> None:
    window, tray = hidden
    window.show_clients(focus=False)
    assert not window.isVisible()
    tray.icon.messageClicked.emit()
    assert window.isVisible()
    assert window.current_page() == PAGE_TODAY


def test_badge_shows_a_count_and_calm_when_nothing_is_due(qapp) -> None:
    def red_pixels(count: int) -> int:
        image = tray_icon(count).pixmap(22, 22).toImage()
        red = QColor(BADGE_COLOUR)
        hits = 0
        for x in range(22):
            for y in range(22):
                c = image.pixelColor(x, y)
                if abs(c.red() - red.red()) + abs(c.green() - red.green()) < 40 and c.alpha() > 200:
                    hits += 1
        return hits

    assert red_pixels(0) == 0
    assert red_pixels(3) > 40
    assert red_pixels(12) > red_pixels(3)  # two digits need a wider badge


def test_without_a_tray_the_window_says_so_once_and_close_really_closes(qtbot, rapport) -> None:
    first = MainWindow(rapport)
    qtbot.addWidget(first)
    tray = RapportTray(rapport, first)
    assert not tray.available  # offscreen has no tray
    first.set_tray(tray)
    first.show()
    assert first.statusBar().currentMessage() == NO_TRAY
    assert rapport.settings.value(KEY_NO_TRAY_TOLD, False, type=bool)
    assert not first.keep_in_tray_action.isEnabled()
    assert not first.keeps_running_in_tray()
    first.close()
    assert not first.isVisible()

    second = MainWindow(rapport)
    qtbot.addWidget(second)
    second.set_tray(RapportTray(rapport, second))
    assert second.statusBar().currentMessage() == ""


def test_keep_running_in_the_tray_is_on_by_default_and_remembered(qtbot, rapport) -> None:
    window = MainWindow(rapport)
    qtbot.addWidget(window)
    assert window.keep_in_tray_action.isChecked()  # on by default
    window.keep_in_tray_action.setChecked(False)
    assert rapport.settings.value("tray/keep_running", True, type=bool) is False
    again = MainWindow(rapport)
    qtbot.addWidget(again)
    assert not again.keep_in_tray_action.isChecked()


def test_what_is_due_is_marked_announced_after_the_first_paint(qtbot, rapport) -> None:
    """Issue 16: the quiet start-up bookkeeping waits for the paint, and still happens."""
    from ui.tray import KEY_NOTIFIED, KEY_NOTIFIED_ON

    ada = due_client(rapport, "Ada", 1)
    window, tray = make_gui(rapport)
    qtbot.addWidget(window)
    assert rapport.settings.value(KEY_NOTIFIED_ON) is None  # not before the paint
    assert tray.badge_count == 1  # the icon and tooltip are there already
    qtbot.waitExposed(window)
    qtbot.waitUntil(lambda: rapport.warmup.started)
    assert rapport.settings.value(KEY_NOTIFIED_ON) == TODAY.isoformat()
    assert str(rapport.settings.value(KEY_NOTIFIED)).split() == [f"k{ada}"]
    assert tray.last_message is None
    qtbot.waitUntil(lambda: rapport.warmup.finished, timeout=20_000)
    rapport.due_clock.stop()
    tray.hide()
