"""Reporting an incident from the Incidents page (issue 16): Ctrl+I there, or its
button, asks which client with the touch dialog's picker, instead of sending the
user away to a client's page."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from models.services.incidents import list_incidents
from tests.helpers import CTRL, LEFT, NOW, add_client, fixed_clock, open_window, shown
from ui.main.common import PAGE_INCIDENTS, PICK_A_CLIENT


@pytest.fixture
def app_clock():
    return fixed_clock


@pytest.fixture
def clients(rapport) -> dict[str, int]:
    ada = add_client(rapport, "Ada Lovelace", 30, 10)
    ben = add_client(rapport, "Ben Okafor", 30, 10)
    return {"ada": ada, "ben": ben}


def test_ctrl_i_on_the_incidents_page_asks_which_client(qtbot, rapport, clients) -> None:
    window = open_window(qtbot, rapport, size=(1366, 768))
    window.show_incidents()
    assert window.current_page() == PAGE_INCIDENTS
    assert "report it here (Ctrl+I)" in window.incidents_view.empty_label.text()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    table = window.incidents_view.table
    table.setFocus()
    qtbot.keyClick(table, Qt.Key.Key_I, CTRL)
    dialog = shown(qtbot, window.incident_dialog)
    assert window.statusBar().currentMessage() != PICK_A_CLIENT
    assert dialog.windowTitle() == "Report an incident"
    assert dialog.client_picker is not None
    assert QApplication.focusWidget() is dialog.client_picker

    # A title but no client: nothing is saved, and the dialog says what is missing.
    qtbot.keyClicks(dialog.title_edit, "Invoice 42 disputed")
    dialog.accept()
    assert dialog.isVisible()
    assert dialog.client_error.text() == "Choose the client this is about."
    assert list_incidents(rapport.book, now=NOW) == []

    qtbot.keyClicks(dialog.client_picker.lineEdit(), "Ben Okafor")
    dialog.accept()
    qtbot.waitUntil(lambda: not dialog.isVisible())
    [row] = list_incidents(rapport.book, now=NOW)
    assert (row.title, row.client_id) == ("Invoice 42 disputed", clients["ben"])
    assert list_incidents(rapport.book, client_id=clients["ada"], now=NOW) == []
    window.close()


def test_the_page_has_a_button_for_it(qtbot, rapport, clients) -> None:
    window = open_window(qtbot, rapport, size=(1366, 768))
    window.show_incidents()
    qtbot.mouseClick(window.incidents_view.report_button, LEFT)
    dialog = shown(qtbot, window.incident_dialog)
    assert dialog.client_picker is not None and dialog.client_picker.client_id() is None
    dialog.reject()
    qtbot.waitUntil(lambda: not dialog.isVisible())
    # From a client's page the dialog still knows the client and shows no picker.
    window.open_client(clients["ada"])
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    qtbot.keyClick(window.table, Qt.Key.Key_I, CTRL)
    dialog = shown(qtbot, window.incident_dialog)
    assert dialog.client_picker is None and dialog.client_id == clients["ada"]
    dialog.reject()
    window.close()
