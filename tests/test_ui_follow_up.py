"""Adding a follow-up by hand, through the real dialog, lands in Today."""

from __future__ import annotations

from datetime import timedelta

import pytest
from PySide6.QtCore import Qt

from models.entities import FollowUpKind
from models.reminders import DueKind
from models.services.reminders import due_items, open_follow_ups
from tests.helpers import CTRL, TODAY, add_client, fixed_clock, open_window, press, shown
from ui.touch_dialog import to_qdate


@pytest.fixture
def app_clock():
    return fixed_clock


def test_add_follow_up_for_the_selected_client(qtbot, rapport) -> None:
    cid = add_client(rapport, "Ada Lovelace", None, 5)
    window = open_window(qtbot, rapport)
    window.show_clients()
    assert window.select_client(cid)
    dialog = shown(qtbot, window.follow_up_for_current())
    assert dialog.client_picker.client_id() == cid
    assert dialog.due_on() == TODAY + timedelta(days=7)
    assert dialog.title_edit.hasFocus()
    qtbot.keyClicks(dialog.title_edit, "Send the revised quote")
    dialog.due_edit.setDate(to_qdate(TODAY))
    qtbot.keyClicks(dialog.note_edit, "They asked for two options")
    dialog.title_edit.setFocus()
    press(qtbot, Qt.Key.Key_Return, CTRL)
    qtbot.waitUntil(lambda: not dialog.isVisible())

    [fu] = open_follow_ups(rapport.book, cid)
    assert (fu.title, fu.due_on, fu.note, fu.kind) == (
        "Send the revised quote", TODAY, "They asked for two options", FollowUpKind.MANUAL,
    )
    items = due_items(rapport.book, TODAY, horizon_days=0)
    assert [(i.kind, i.title) for i in items] == [(DueKind.FOLLOW_UP, "Send the revised quote")]
    window.show_today()
    qtbot.waitUntil(lambda: window.today_view.model.rowCount() > 0)


def test_follow_up_needs_a_title_and_a_client(qtbot, rapport) -> None:
    add_client(rapport, "Ada Lovelace", None, 5)
    window = open_window(qtbot, rapport)
    window.show_clients()
    window.table.clearSelection()
    dialog = shown(qtbot, window.follow_up_for_current())
    dialog.accept()
    assert dialog.isVisible()
    assert dialog.client_error.isVisible()
    assert "Choose the client" in dialog.client_error.text()

    qtbot.keyClicks(dialog.client_picker.lineEdit(), "Ada Lovelace")
    dialog.accept()
    assert dialog.isVisible()
    assert dialog.title_error.text() == "Say in a few words what to follow up on."
    assert open_follow_ups(rapport.book, dialog.client_picker.client_id()) == []
