"""The Today view against a real book and a fixed clock: the rows, acting on them
through the real dialog, buttons and keys, Undo, snoozing, the empty day and midnight."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import QApplication

from models.entities import Channel, Client
from models.reminders import DueKind
from models.services.clients import get_client
from models.services.reminders import (
    TouchInput,
    add_follow_up,
    list_touches,
    log_touch,
    open_follow_ups,
)
from tests.helpers import (
    CTRL,
    LEFT,
    NOW,
    TODAY,
    add_client,
    fixed_clock,
    open_window,
    press,
    shown,
)
from ui.app import CHANGED_CLIENTS
from ui.main.common import PAGE_CLIENTS, PAGE_TODAY
from ui.main.window import MainWindow
from ui.today_view import (
    ACTION_DONE,
    ACTION_LOG,
    ACTION_OPEN,
    COL_ACTIONS,
    EMPTY_TITLE,
    ITEM_ROLE,
    TodayView,
    row_key,
)
from ui.touch_dialog import TouchDialog


@pytest.fixture
def app_clock():
    """What is overdue, due or upcoming depends on the day: always TODAY here."""
    return fixed_clock


@pytest.fixture
def people(rapport) -> dict[str, int]:
    """Ada is 10 days late on a monthly rhythm; Ben owes a quote today; Chloé is
    due on Friday; Dan has no rhythm and nothing due."""
    ada = add_client(rapport, "Ada Lovelace", 30, 40)
    ben = add_client(rapport, "Ben Okafor", None, 100)
    chloe = add_client(rapport, "Chloé Martin", 14, 11)
    dan = add_client(rapport, "Dan Brown", None, 5)
    fu = add_follow_up(rapport.book, ben, "Send the revised quote", TODAY, now=NOW)
    rapport.changed.emit(CHANGED_CLIENTS, None)
    return {"ada": ada, "ben": ben, "chloe": chloe, "dan": dan, "quote": fu}


@pytest.fixture
def window(qtbot, rapport, people):
    """Opened on a book that already has the people, at a fixed size so where the
    row buttons land is the same on every machine."""
    w = open_window(qtbot, rapport, size=(1100, 640))
    yield w
    w.close()


def sections(view: TodayView) -> dict[str, list[str]]:
    """What the view shows: section title -> "name: what (when)" per row."""
    out: dict[str, list[str]] = {}
    for section in view.model.sections:
        out[section.title] = [f"{r.item.client_name}: {r.what} ({r.when})" for r in section.rows]
    return out


def due_names(view: TodayView) -> list[str]:
    s = sections(view)
    return s.get("Overdue", []) + s.get("Due today", [])


def select(view: TodayView, kind: DueKind, client_id: int, follow_up_id: int = 0) -> None:
    assert view.select_key((str(kind), client_id, follow_up_id))
    view.tree.setFocus()


def button_pos(view: TodayView, kind: DueKind, client_id: int, follow_up_id: int, name: str):
    index = view.model.index_of((str(kind), client_id, follow_up_id), COL_ACTIONS)
    cell = view.tree.visualRect(index)
    for button, _text, rect in view.delegate.button_rects(cell, kind):
        if button == name:
            return rect.center()
    raise AssertionError(f"no {name} button on that row")


def settled_as(view: TodayView, kind: DueKind, client_id: int, follow_up_id: int = 0):
    """What a settled row says it became (struck through, in place), or None."""
    return view.model.settled_label((str(kind), client_id, follow_up_id))


def move_on(qtbot, view: TodayView) -> None:
    """The user moves on with the keyboard: settled rows leave the list."""
    qtbot.keyClick(view.tree, Qt.Key.Key_Down)


def touch_dialog(qtbot, window: MainWindow) -> TouchDialog:
    return shown(qtbot, window.touch_dialog)


# -- what Today shows ---------------------------------------------------------------


def test_today_is_home_and_lists_the_sections(window) -> None:
    view = window.today_view
    assert window.current_page() == PAGE_TODAY
    assert window.pages.currentWidget() is view
    assert sections(view) == {
        "Overdue": ["Ada Lovelace: Keep in touch (10 days late)"],
        "Due today": ["Ben Okafor: Send the revised quote (Today)"],
        "Next 7 days": ["Chloé Martin: Keep in touch (Friday)"],
    }
    assert view.date_label.text() == "Tuesday\u00a010\u00a0March"
    assert view.summary_label.text() == "2 to do: 1 overdue, 1 today"  # issue 16: one count
    assert not view.empty_box.isVisible()
    assert window.sidebar.item(PAGE_TODAY).text() == "Today  (2)"


def test_ctrl_1_and_ctrl_2_switch_pages(qtbot, window) -> None:
    window.today_view.tree.setFocus()
    qtbot.keyClick(window.today_view.tree, Qt.Key.Key_2, CTRL)
    assert window.current_page() == PAGE_CLIENTS
    assert window.pages.currentWidget() is window.stack
    qtbot.keyClick(window.table, Qt.Key.Key_1, CTRL)
    assert window.current_page() == PAGE_TODAY


def test_an_empty_book_opens_on_clients(qtbot, rapport) -> None:
    w = MainWindow(rapport)
    qtbot.addWidget(w)
    assert w.current_page() == PAGE_CLIENTS
    assert w.stack.currentWidget() is w.first_run


def test_priority_clients_come_first_and_are_marked(qtbot, rapport, people, window) -> None:
    call_back = add_follow_up(
        rapport.book, people["ben"], "Call back about the invoice", TODAY - timedelta(days=1)
    )
    with rapport.book.session() as s:
        s.get(Client, people["ben"]).priority_until = TODAY + timedelta(days=5)
    rapport.changed.emit(CHANGED_CLIENTS, None)
    view = window.today_view
    # One day late but upset comes before ten days late and calm.
    assert sections(view)["Overdue"] == [
        "Ben Okafor: Call back about the invoice (1 day late)",
        "Ada Lovelace: Keep in touch (10 days late)",
    ]
    ben = view.model.index_of((str(DueKind.FOLLOW_UP), people["ben"], call_back))
    ada = view.model.index_of((str(DueKind.KEEP_IN_TOUCH), people["ada"], 0))
    assert ben.data(Qt.ItemDataRole.DecorationRole) is not None
    assert ada.data(Qt.ItemDataRole.DecorationRole) is None
    assert ben.data(Qt.ItemDataRole.AccessibleTextRole).startswith("Priority. Ben Okafor")


def test_today_model_passes_the_model_tester(qtmodeltester, window, rapport, people) -> None:
    view = window.today_view
    qtmodeltester.check(view.model)
    # Keep checking while the plan changes under the tester's eyes.
    log_touch(
        rapport.book,
        people["ada"],
        TouchInput(happened_at=NOW, channel=Channel.CALL, summary="Caught up"),
        now=NOW,
    )
    rapport.changed.emit(CHANGED_CLIENTS, None)
    assert "Overdue" not in sections(view)
    qtmodeltester.check(view.model)


# -- acting on rows ------------------------------------------------------------------


def test_enter_logs_a_touch_through_the_dialog_and_the_row_leaves(qtbot, window, rapport, people):
    view = window.today_view
    select(view, DueKind.KEEP_IN_TOUCH, people["ada"])
    qtbot.keyClick(view.tree, Qt.Key.Key_Return)
    dialog = touch_dialog(qtbot, window)
    assert dialog.client_picker.client_id() == people["ada"]
    assert QApplication.focusWidget() is dialog.summary_edit
    qtbot.keyClicks(dialog.summary_edit, "Talked about the spring workshop")
    press(qtbot, Qt.Key.Key_Return, CTRL)
    qtbot.waitUntil(lambda: not dialog.isVisible())

    [t] = list_touches(rapport.book, people["ada"])
    assert t.summary == "Talked about the spring workshop"
    assert get_client(rapport.book, people["ada"]).touch_due_on == TODAY + timedelta(days=30)
    assert window.statusBar().currentMessage() == "Logged a touch with Ada Lovelace."
    # Issue 16: Ada's row stays where it was, settled, until the user moves on.
    assert settled_as(view, DueKind.KEEP_IN_TOUCH, people["ada"]) == "Touch logged"
    assert due_names(view)[0] == "Ada Lovelace: Keep in touch (10 days late)"
    assert window.sidebar.item(PAGE_TODAY).text() == "Today  (1)"  # the count is current
    move_on(qtbot, view)
    assert due_names(view) == ["Ben Okafor: Send the revised quote (Today)"]
    # The keyboard is on the list, on the row the user moved to.
    assert view.selected_item() is not None
    assert view.selected_item().client_name == "Ben Okafor"


def test_log_touch_button_on_a_row(qtbot, window, people) -> None:
    view = window.today_view
    pos = button_pos(view, DueKind.FOLLOW_UP, people["ben"], people["quote"], ACTION_LOG)
    qtbot.mouseClick(view.tree.viewport(), LEFT, pos=pos)
    dialog = touch_dialog(qtbot, window)
    assert dialog.client_picker.client_id() == people["ben"]
    dialog.reject()


def test_a_touch_from_a_follow_up_row_settles_the_follow_up(qtbot, window, rapport, people):
    view = window.today_view
    select(view, DueKind.FOLLOW_UP, people["ben"], people["quote"])
    qtbot.keyClick(view.tree, Qt.Key.Key_Return)
    dialog = touch_dialog(qtbot, window)
    assert dialog.follow_up_check.isVisible()
    assert dialog.follow_up_check.isChecked()
    assert dialog.follow_up_check.text() == "Mark “Send the revised quote” done"
    qtbot.keyClicks(dialog.summary_edit, "Sent the quote, two options")
    press(qtbot, Qt.Key.Key_Return, CTRL)
    qtbot.waitUntil(lambda: not dialog.isVisible())
    assert open_follow_ups(rapport.book, people["ben"]) == []
    assert [t.summary for t in list_touches(rapport.book, people["ben"])] == [
        "Sent the quote, two options"
    ]
    assert settled_as(view, DueKind.FOLLOW_UP, people["ben"], people["quote"]) == "Touch logged"
    qtbot.keyClick(view.tree, Qt.Key.Key_Up)  # moving on, upwards
    assert due_names(view) == ["Ada Lovelace: Keep in touch (10 days late)"]


def test_unticking_keeps_the_follow_up_open(qtbot, window, rapport, people):
    view = window.today_view
    select(view, DueKind.FOLLOW_UP, people["ben"], people["quote"])
    qtbot.keyClick(view.tree, Qt.Key.Key_Return)
    dialog = touch_dialog(qtbot, window)
    dialog.follow_up_check.setChecked(False)
    qtbot.keyClicks(dialog.summary_edit, "Only a quick hello")
    press(qtbot, Qt.Key.Key_Return, CTRL)
    qtbot.waitUntil(lambda: not dialog.isVisible())
    assert [f.id for f in open_follow_ups(rapport.book, people["ben"])] == [people["quote"]]


def test_a_keep_in_touch_row_offers_no_follow_up_to_settle(qtbot, window, people):
    view = window.today_view
    select(view, DueKind.KEEP_IN_TOUCH, people["ada"])
    qtbot.keyClick(view.tree, Qt.Key.Key_Return)
    dialog = touch_dialog(qtbot, window)
    assert not dialog.follow_up_check.isVisible()
    assert not dialog.follow_up_check.isChecked()
    dialog.reject()


def test_ctrl_d_marks_done_and_undo_brings_it_back(qtbot, window, rapport, people) -> None:
    view = window.today_view
    select(view, DueKind.FOLLOW_UP, people["ben"], people["quote"])
    qtbot.keyClick(view.tree, Qt.Key.Key_D, CTRL)
    # Issue 16: the row stays in place, struck through, with Undo.
    assert "Ben Okafor: Send the revised quote (Today)" in due_names(view)
    assert settled_as(view, DueKind.FOLLOW_UP, people["ben"], people["quote"]) == "Done"
    assert open_follow_ups(rapport.book, people["ben"]) == []
    assert window.undo_bar.isVisible()
    assert window.undo_label.text() == "Done: Send the revised quote (Ben Okafor)."
    assert window.undo_action.text() == "Undo done"

    qtbot.mouseClick(window.undo_button, LEFT)
    assert "Ben Okafor: Send the revised quote (Today)" in due_names(view)
    assert [f.id for f in open_follow_ups(rapport.book, people["ben"])] == [people["quote"]]
    assert not window.undo_bar.isVisible()
    assert view.selected_item().follow_up_id == people["quote"]


def test_done_button_then_ctrl_z(qtbot, window, rapport, people) -> None:
    view = window.today_view
    pos = button_pos(view, DueKind.FOLLOW_UP, people["ben"], people["quote"], ACTION_DONE)
    qtbot.mouseClick(view.tree.viewport(), LEFT, pos=pos)
    assert open_follow_ups(rapport.book, people["ben"]) == []
    qtbot.keyClick(view.tree, Qt.Key.Key_Z, CTRL)
    assert len(open_follow_ups(rapport.book, people["ben"])) == 1


def test_keep_in_touch_rows_cannot_be_done_or_snoozed(qtbot, window, rapport, people) -> None:
    view = window.today_view
    select(view, DueKind.KEEP_IN_TOUCH, people["ada"])
    qtbot.keyClick(view.tree, Qt.Key.Key_D, CTRL)
    qtbot.keyClick(view.tree, Qt.Key.Key_S)
    assert view.snooze_menu is None
    assert "Ada Lovelace: Keep in touch (10 days late)" in due_names(view)
    cell = view.tree.visualRect(view.model.index_of(row_key(view.selected_item()), COL_ACTIONS))
    names = [n for n, _t, _r in view.delegate.button_rects(cell, DueKind.KEEP_IN_TOUCH)]
    assert names == [ACTION_LOG, ACTION_OPEN]


def test_s_snoozes_into_the_next_days(qtbot, window, rapport, people) -> None:
    view = window.today_view
    select(view, DueKind.FOLLOW_UP, people["ben"], people["quote"])
    qtbot.keyClick(view.tree, Qt.Key.Key_S)
    menu = view.snooze_menu
    assert menu is not None and menu.isVisible()
    texts = [a.text() for a in menu.actions() if not a.isSeparator()]
    assert texts == ["Tomorrow", "In 3 days", "Next week", "Pick a date…"]
    next(a for a in menu.actions() if a.text() == "In 3 days").trigger()
    menu.close()

    assert settled_as(view, DueKind.FOLLOW_UP, people["ben"], people["quote"]) == (
        "Snoozed until Friday"
    )
    move_on(qtbot, view)
    assert due_names(view) == ["Ada Lovelace: Keep in touch (10 days late)"]
    assert sections(view)["Next 7 days"] == [
        "Ben Okafor: Send the revised quote (Friday)",
        "Chloé Martin: Keep in touch (Friday)",
    ]
    [fu] = open_follow_ups(rapport.book, people["ben"])
    assert fu.due_on == date(2026, 3, 13)
    assert window.undo_label.text() == "Snoozed Send the revised quote (Ben Okafor) until Friday."
    window.undo()
    assert open_follow_ups(rapport.book, people["ben"])[0].due_on == TODAY


def test_snooze_to_a_picked_date(qtbot, window, rapport, people) -> None:
    view = window.today_view
    item = next(i for i in view.model.items() if i.kind is DueKind.FOLLOW_UP)
    menu = view.show_snooze_menu(item)
    next(a for a in menu.actions() if a.text() == "Pick a date…").trigger()
    menu.close()
    dialog = view.date_dialog
    assert dialog is not None and dialog.isVisible()
    # Today cannot be picked: a snooze moves things later.
    assert dialog.calendar.minimumDate() == QDate(2026, 3, 11)
    dialog.calendar.setSelectedDate(QDate(2026, 3, 30))
    dialog.accept()
    assert open_follow_ups(rapport.book, people["ben"])[0].due_on == date(2026, 3, 30)
    assert "Ben Okafor: Send the revised quote (Today)" in due_names(view)  # settled, in place
    view.reload()  # as when the user moves on
    assert "Ben Okafor: Send the revised quote (Today)" not in due_names(view)
    assert all("Ben" not in r for r in sections(view).get("Next 7 days", []))


def test_open_client_goes_to_the_client_page(qtbot, window, people) -> None:
    view = window.today_view
    pos = button_pos(view, DueKind.KEEP_IN_TOUCH, people["ada"], 0, ACTION_OPEN)
    qtbot.mouseClick(view.tree.viewport(), LEFT, pos=pos)
    assert window.current_page() == PAGE_CLIENTS
    assert window.selected_client_id() == people["ada"]
    assert "10 days late" in window.detail.browser.toPlainText()


def test_arrows_move_between_rows_and_skip_headings(qtbot, window, people) -> None:
    view = window.today_view
    view.focus_list()
    seen = [view.selected_item().client_name]
    for _ in range(3):
        qtbot.keyClick(view.tree, Qt.Key.Key_Down)
        seen.append(view.selected_item().client_name)
    assert seen == ["Ada Lovelace", "Ben Okafor", "Chloé Martin", "Chloé Martin"]
    qtbot.keyClick(view.tree, Qt.Key.Key_Up)
    assert view.selected_index().data(ITEM_ROLE).client_name == "Ben Okafor"


# -- quiet days and midnight ---------------------------------------------------------


def test_a_quiet_day_says_so_kindly_and_shows_what_is_next(qtbot, rapport) -> None:
    far = add_client(rapport, "Eve Adams", 30, 10)  # due in 20 days
    w = MainWindow(rapport)
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    view = w.today_view
    assert w.current_page() == PAGE_TODAY
    assert view.empty_box.isVisible()
    assert view.empty_title.text() == EMPTY_TITLE == "Nobody is waiting on you today."
    assert view.next_label.text() == "Next up: Eve Adams, keep in touch, on Mon\u00a030\u00a0Mar."
    assert not view.tree.isVisible()
    assert view.next_up is not None and view.next_up.client_id == far

    add_follow_up(rapport.book, far, "Book the venue", TODAY + timedelta(days=2), now=NOW)
    rapport.changed.emit(CHANGED_CLIENTS, None)
    assert view.next_label.text() == "Next up: Eve Adams, “Book the venue”, Thursday."
    assert view.tree.isVisible()
    assert sections(view) == {"Next 7 days": ["Eve Adams: Book the venue (Thursday)"]}
    w.close()


def test_the_view_moves_on_at_midnight(qtbot, window, rapport, people) -> None:
    view = window.today_view
    assert "Due today" in sections(view)
    rapport.clock = lambda: NOW + timedelta(days=3)  # Friday
    assert rapport.due_clock.resync()  # what the midnight timer runs
    assert view.date_label.text() == "Friday\u00a013\u00a0March"
    assert sections(view)["Due today"] == ["Chloé Martin: Keep in touch (Today)"]
    assert sections(view)["Overdue"] == [
        "Ada Lovelace: Keep in touch (13 days late)",
        "Ben Okafor: Send the revised quote (3 days late)",
    ]
