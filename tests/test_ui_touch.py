"""The log-a-touch dialog, typed into like a person would, against a real book.

The promise under test: a touch is its summary plus at most three keystrokes.
"""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime, timedelta

import pytest
from PySide6.QtCore import QDateTime, Qt
from PySide6.QtWidgets import QApplication

from models.entities import Channel, FollowUpKind
from models.errors import RapportError
from models.services.clients import ClientInput, NotFoundError, create_client, get_client
from models.services.reminders import list_touches, open_follow_ups
from tests.helpers import CTRL, NONE, NOW, TODAY, fixed_clock, open_window, shown, type_keys
from ui.app import CHANGED_CLIENTS
from ui.main.window import MainWindow
from ui.touch_dialog import KEY_LAST_CHANNEL, TouchDialog


@pytest.fixture
def app_clock():
    """The default time of a touch, and what counts as the future, follow NOW here."""
    return fixed_clock


@pytest.fixture
def people(rapport) -> dict[str, int]:
    then = NOW - timedelta(days=40)
    ids = {
        "ada": create_client(rapport.book, ClientInput("Ada Lovelace", cadence_days=30), now=then),
        "chloe": create_client(
            rapport.book, ClientInput("Chloé Martin", organisation="Brightwater"), now=then
        ),
        "chris": create_client(rapport.book, ClientInput("Chris Nolan"), now=then),
    }
    rapport.changed.emit(CHANGED_CLIENTS, None)
    return ids


@pytest.fixture
def window(qtbot, rapport, people):
    """Opened on a book that already has the people in it."""
    w = open_window(qtbot, rapport)
    yield w
    w.close()


def open_dialog(qtbot, window: MainWindow, client_id: int | None) -> TouchDialog:
    return shown(qtbot, window.log_touch_dialog(client_id))


# -- speed ------------------------------------------------------------------------------


def test_summary_then_one_keystroke_logs_the_touch(qtbot, window, rapport, people) -> None:
    dialog = open_dialog(qtbot, window, people["ada"])
    assert dialog.windowTitle() == "Log a touch with Ada Lovelace"
    assert QApplication.focusWidget() is dialog.summary_edit
    qtbot.keyClicks(QApplication.focusWidget(), "Quick call about the renewal")
    keys = [(Qt.Key.Key_Return, CTRL)]
    type_keys(qtbot, keys)
    assert len(keys) == 1
    qtbot.waitUntil(lambda: not dialog.isVisible())
    [t] = list_touches(rapport.book, people["ada"])
    assert (t.summary, t.channel) == ("Quick call about the renewal", Channel.CALL)
    assert t.happened_at == NOW.astimezone(UTC)


def test_another_channel_is_three_keystrokes(qtbot, window, rapport, people) -> None:
    dialog = open_dialog(qtbot, window, people["ada"])
    qtbot.keyClicks(QApplication.focusWidget(), "Sent the slides")
    keys = [(Qt.Key.Key_Tab, NONE), (Qt.Key.Key_E, NONE), (Qt.Key.Key_Return, CTRL)]
    type_keys(qtbot, keys)
    assert len(keys) <= 3
    qtbot.waitUntil(lambda: not dialog.isVisible())
    [t] = list_touches(rapport.book, people["ada"])
    assert (t.summary, t.channel) == ("Sent the slides", Channel.EMAIL)
    # The channel used last is the next default, so the habit costs one key.
    assert rapport.settings.value(KEY_LAST_CHANNEL) == "email"
    again = open_dialog(qtbot, window, people["ada"])
    assert again.channel() == Channel.EMAIL
    again.reject()


def test_every_channel_has_a_letter(qtbot, window, people) -> None:
    dialog = open_dialog(qtbot, window, people["ada"])
    combo = dialog.channel_combo
    combo.setFocus()
    chosen = []
    for key in (Qt.Key.Key_V, Qt.Key.Key_O, Qt.Key.Key_M, Qt.Key.Key_C, Qt.Key.Key_E):
        qtbot.keyClick(combo, key)
        chosen.append(dialog.channel())
    assert chosen == [Channel.VISIT, Channel.OTHER, Channel.MEETING, Channel.CALL, Channel.EMAIL]
    qtbot.keyClick(combo, Qt.Key.Key_M)
    assert dialog.channel() == Channel.MEETING
    qtbot.keyClick(combo, Qt.Key.Key_M)
    assert dialog.channel() == Channel.MESSAGE
    qtbot.keyClick(combo, Qt.Key.Key_M)
    assert dialog.channel() == Channel.MEETING
    dialog.reject()


# -- what gets saved ------------------------------------------------------------------


def test_back_dated_touch_with_a_next_step(qtbot, window, rapport, people) -> None:
    dialog = open_dialog(qtbot, window, people["ada"])
    qtbot.keyClicks(dialog.summary_edit, "Lunch, she wants a proposal")
    three_days_ago = QDateTime.fromSecsSinceEpoch(int((NOW - timedelta(days=3)).timestamp()))
    dialog.when_edit.setDateTime(three_days_ago)
    qtbot.keyClicks(dialog.next_step_edit, "Send the proposal")
    dialog.remind_check.setChecked(True)
    assert dialog.next_date_edit.isEnabled()
    qtbot.keyClick(dialog.next_step_edit, Qt.Key.Key_Return, CTRL)
    assert not dialog.isVisible()

    [t] = list_touches(rapport.book, people["ada"])
    assert t.happened_at.astimezone().date() == TODAY - timedelta(days=3)
    assert t.next_step == "Send the proposal"
    ada = get_client(rapport.book, people["ada"])
    assert ada.last_touch_on == TODAY - timedelta(days=3)
    assert ada.touch_due_on == TODAY + timedelta(days=27)
    [fu] = open_follow_ups(rapport.book, people["ada"])
    assert (fu.title, fu.due_on, fu.kind) == (
        "Send the proposal",
        TODAY + timedelta(days=7),
        FollowUpKind.NEXT_STEP,
    )


def test_the_future_cannot_be_picked(qtbot, window, people) -> None:
    dialog = open_dialog(qtbot, window, people["ada"])
    dialog.when_edit.setDateTime(
        QDateTime.fromSecsSinceEpoch(int((NOW + timedelta(days=2)).timestamp()))
    )
    picked = datetime.fromtimestamp(dialog.when_edit.dateTime().toSecsSinceEpoch(), tz=UTC)
    assert picked <= NOW
    dialog.reject()


def test_bad_input_is_explained_inline_and_nothing_is_saved(qtbot, window, rapport, people):
    dialog = open_dialog(qtbot, window, people["ada"])
    qtbot.keyClicks(dialog.summary_edit, "Call")
    dialog.remind_check.setChecked(True)  # a reminder date but no next step
    # The clock moves back under the open dialog: the chosen time is now "future".
    dialog.when_edit.setDateTime(dialog.when_edit.dateTime().addSecs(-60))
    rapport.clock = lambda: NOW - timedelta(hours=2)
    qtbot.keyClick(dialog.summary_edit, Qt.Key.Key_Return, CTRL)

    assert dialog.isVisible()
    assert dialog.next_step_error.isVisible()
    assert dialog.next_step_error.text() == "Say what the next step is, or clear its date."
    assert dialog.when_error.isVisible()
    assert "already happened" in dialog.when_error.text()
    assert list_touches(rapport.book, people["ada"]) == []

    # Fixing things clears the messages as you go, then saving works.
    rapport.clock = lambda: NOW
    qtbot.keyClicks(dialog.next_step_edit, "Send notes")
    assert not dialog.next_step_error.isVisible()
    assert not dialog.when_error.isVisible()
    qtbot.keyClick(dialog.next_step_edit, Qt.Key.Key_Return, CTRL)
    assert not dialog.isVisible()
    assert len(list_touches(rapport.book, people["ada"])) == 1


@pytest.mark.parametrize(
    ("error", "message"),
    [
        (NotFoundError("There is no client with id 1."), "This client is no longer in the book."),
        (RapportError("The book is read-only."), "The book is read-only."),
        (
            OSError(28, "No space left on device"),
            "The touch could not be saved; nothing was changed. Please try again.",
        ),
    ],
)
def test_a_failed_save_keeps_the_dialog_and_says_why(
    qtbot, window, rapport, people, monkeypatch, caplog, error, message
) -> None:
    def refuse(*_args, **_kwargs) -> None:
        raise error

    monkeypatch.setattr("ui.touch_dialog.log_touch", refuse)
    dialog = open_dialog(qtbot, window, people["ada"])
    qtbot.keyClicks(dialog.summary_edit, "Call")
    with caplog.at_level(logging.ERROR, logger="ui.touch_dialog"):
        qtbot.keyClick(dialog.summary_edit, Qt.Key.Key_Return, CTRL)
    assert dialog.isVisible()
    assert dialog.general_error.isVisible()
    assert dialog.general_error.text() == message
    assert dialog.summary_edit.toPlainText() == "Call"
    logged = [(r.name, r.getMessage()) for r in caplog.records]
    if isinstance(error, OSError):
        assert logged == [("ui.touch_dialog", "Logging a touch failed")]
    else:
        assert logged == []
    assert list_touches(rapport.book, people["ada"]) == []
    dialog.reject()


# -- without a client: from the tray or the toolbar --------------------------------------


def test_client_is_found_by_typing_accents_and_all(qtbot, window, rapport, people) -> None:
    dialog = open_dialog(qtbot, window, None)
    assert dialog.windowTitle() == "Log a touch"
    picker = dialog.client_picker
    assert QApplication.focusWidget() is picker
    qtbot.keyClicks(picker.lineEdit(), "chloe")
    assert picker.filter.rowCount() == 1
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Return, CTRL)
    assert not dialog.isVisible()
    assert len(list_touches(rapport.book, people["chloe"])) == 1


def test_organisation_finds_the_client_and_popup_choice_sticks(qtbot, window, people) -> None:
    dialog = open_dialog(qtbot, window, None)
    picker = dialog.client_picker
    qtbot.keyClicks(picker.lineEdit(), "bright")
    popup = picker.completer().popup()
    assert popup.isVisible()
    assert [popup.model().index(r, 0).data() for r in range(popup.model().rowCount())] == [
        "Chloé Martin"
    ]
    qtbot.keyClick(popup, Qt.Key.Key_Down)
    qtbot.keyClick(popup, Qt.Key.Key_Return)
    assert picker.currentText() == "Chloé Martin"
    assert picker.client_id() == people["chloe"]
    dialog.reject()


def test_an_unknown_or_ambiguous_client_is_refused(qtbot, window, rapport, people) -> None:
    dialog = open_dialog(qtbot, window, None)
    picker = dialog.client_picker
    dialog.save()
    assert dialog.client_error.text() == "Pick the client you were in touch with."
    qtbot.keyClicks(picker.lineEdit(), "ch")  # Chloé and Chris
    picker.completer().popup().hide()
    dialog.save()
    assert dialog.isVisible()
    assert dialog.client_error.text() == "No client by that name; pick one from the list."
    assert all(list_touches(rapport.book, cid) == [] for cid in people.values())
    dialog.reject()


def test_ctrl_l_on_the_client_list_logs_for_the_selected_client(qtbot, window, people) -> None:
    window.show_clients()
    window.select_client(people["chris"])
    window.table.setFocus()
    qtbot.keyClick(window.table, Qt.Key.Key_L, CTRL)
    dialog = window.touch_dialog
    assert dialog is not None and dialog.isVisible()
    assert dialog.client_picker.client_id() == people["chris"]
    dialog.reject()


def test_dialog_opens_on_its_own_while_the_window_is_hidden(qtbot, window, people) -> None:
    window.hide()
    dialog = window.log_touch_dialog(people["ada"])
    assert dialog is not None
    qtbot.waitExposed(dialog)
    assert dialog.parent() is None
    assert dialog.isVisible()
    dialog.reject()
    dialog.deleteLater()


def test_next_step_date_defaults_a_week_ahead_and_not_before_today(qtbot, window, people) -> None:
    dialog = open_dialog(qtbot, window, people["ada"])
    assert not dialog.next_date_edit.isEnabled()
    d = dialog.next_date_edit
    assert date(d.date().year(), d.date().month(), d.date().day()) == TODAY + timedelta(days=7)
    assert d.minimumDate().toString("yyyy-MM-dd") == TODAY.isoformat()
    dialog.reject()


def test_typing_a_next_step_ticks_remind_me(qtbot, window, rapport, people) -> None:
    """Issue 16: a typed next step is never dropped silently."""
    dialog = open_dialog(qtbot, window, people["ada"])
    assert not dialog.remind_check.isChecked()
    qtbot.keyClicks(dialog.next_step_edit, "Send the proposal")
    assert dialog.remind_check.isChecked() and dialog.next_date_edit.isEnabled()
    # Cleared again: no reminder without a step.
    dialog.next_step_edit.clear()
    assert not dialog.remind_check.isChecked()
    qtbot.keyClicks(dialog.next_step_edit, "Send the proposal")
    qtbot.keyClicks(dialog.summary_edit, "Lunch, she wants a proposal")
    qtbot.keyClick(dialog.next_step_edit, Qt.Key.Key_Return, CTRL)
    assert not dialog.isVisible()
    [fu] = open_follow_ups(rapport.book, people["ada"])
    assert (fu.title, fu.due_on) == ("Send the proposal", TODAY + timedelta(days=7))


def test_unticking_remind_me_is_the_users_choice(qtbot, window, rapport, people) -> None:
    dialog = open_dialog(qtbot, window, people["ada"])
    qtbot.keyClicks(dialog.next_step_edit, "Maybe a call")
    qtbot.mouseClick(dialog.remind_check, Qt.MouseButton.LeftButton)  # the user says no
    qtbot.keyClicks(dialog.next_step_edit, " in spring")
    assert not dialog.remind_check.isChecked()
    qtbot.keyClicks(dialog.summary_edit, "Quick hello")
    qtbot.keyClick(dialog.next_step_edit, Qt.Key.Key_Return, CTRL)
    assert not dialog.isVisible()
    assert open_follow_ups(rapport.book, people["ada"]) == []
    [t] = list_touches(rapport.book, people["ada"])
    assert t.next_step == "Maybe a call in spring"
