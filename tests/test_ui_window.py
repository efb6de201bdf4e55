"""The main window against a real book: search, the list, the detail pane, archive and undo,
first run, the demo book and remembered geometry."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from models import paths
from models.lock import BookLock
from models.services.client_search import list_clients
from models.services.clients import ClientInput, Contact, count_clients, create_client, get_client
from tests.helpers import open_window
from ui.app import CHANGED_CLIENTS, RapportApp
from ui.client_detail import HINT
from ui.main.window import MainWindow

ROOT = Path(__file__).resolve().parents[1]


def add(rapport: RapportApp, name: str, **fields) -> int:
    assert rapport.book is not None
    cid = create_client(rapport.book, ClientInput(name=name, **fields))
    rapport.changed.emit(CHANGED_CLIENTS, None)
    return cid


@pytest.fixture
def people(rapport) -> dict[str, int]:
    return {
        "anna": add(
            rapport,
            "Anna Novák",
            organisation="Brightwater Ltd",
            role="Head of Marketing",
            emails=[Contact("anna@brightwater.example", "Work")],
            phones=[Contact("+44 20 7946 0012", "Mobile")],
            tags=["retainer"],
            notes="Prefers calls on Tuesday mornings.",
        ),
        "bjorn": add(
            rapport,
            "Björn Eklund",
            organisation="Nordic Paper",
            emails=[Contact("bjorn@nordicpaper.example", "Work")],
            tags=["finance"],
            notes="Budget review in spring.",
        ),
        "chidi": add(
            rapport,
            "Chidi Okafor",
            organisation="Lagos Design Studio",
            phones=[Contact("(01) 555-0199", "Work")],
            tags=["design"],
        ),
    }


def names(window: MainWindow) -> list[str]:
    proxy = window.proxy
    return [proxy.index(r, 0).data() for r in range(proxy.rowCount())]


def search(qtbot, window: MainWindow, text: str) -> list[str]:
    window.search.clear()
    qtbot.keyClicks(window.search, text)
    qtbot.waitUntil(lambda: not window.search_timer.isActive(), timeout=2000)
    return names(window)


# -- the list and the detail pane ------------------------------------------------


def test_title_list_and_count(window, people) -> None:
    assert window.windowTitle() == "My book — Rapport"
    assert window.stack.currentWidget() is window.splitter
    assert names(window) == ["Anna Novák", "Björn Eklund", "Chidi Okafor"]
    assert window.count_label.text() == "3 clients"


def test_detail_pane_shows_the_selected_client_escaped(qtbot, window, rapport) -> None:
    cid = add(
        rapport,
        "Dana <script>",
        emails=[Contact("dana@example.org", "Home")],
        phones=[Contact("+1 (555) 010-0000", "Mobile")],
        notes="Likes <b>bold</b> claims & long lunches.\nSecond line.",
    )
    assert window.detail.stack.currentWidget() is window.detail.hint
    assert window.detail.hint.text() == HINT
    assert window.select_client(cid)
    browser = window.detail.browser
    assert window.detail.stack.currentWidget() is window.detail.detail_page
    text = browser.toPlainText()
    assert "Dana <script>" in text
    assert "Likes <b>bold</b> claims & long lunches." in text
    assert "Second line." in text
    markup = browser.toHtml()
    assert 'href="mailto:dana@example.org"' in markup
    assert 'href="tel:+15550100000"' in markup
    assert "<b>bold</b>" not in markup


def test_selection_survives_a_refresh(window, people) -> None:
    window.select_client(people["bjorn"])
    window.refresh()
    assert window.selected_client_id() == people["bjorn"]
    assert "Björn Eklund" in window.detail.browser.toPlainText()


def test_search_narrows_as_you_type(qtbot, window, people) -> None:
    assert search(qtbot, window, "anna") == ["Anna Novák"]
    assert window.count_label.text() == "1 of 3 shown"
    assert search(qtbot, window, "NORDIC") == ["Björn Eklund"]  # organisation
    assert search(qtbot, window, "bjorn@nordic") == ["Björn Eklund"]  # email
    assert search(qtbot, window, "5550199") == ["Chidi Okafor"]  # phone digits
    assert search(qtbot, window, "design") == ["Chidi Okafor"]  # tag and organisation
    assert search(qtbot, window, "retainer") == ["Anna Novák"]  # tag
    assert search(qtbot, window, "tuesday") == ["Anna Novák"]  # note word
    assert search(qtbot, window, "novak") == ["Anna Novák"]  # accents ignored
    assert search(qtbot, window, "spring budget") == ["Björn Eklund"]  # any order
    assert search(qtbot, window, "anna nordic") == []
    assert window.count_label.text() == "0 of 3 shown"
    assert window.detail.hint.text().startswith("No clients match “anna nordic”.")
    assert search(qtbot, window, "") == ["Anna Novák", "Björn Eklund", "Chidi Okafor"]
    assert window.detail.hint.text() == HINT


def test_escape_clears_the_search_from_box_and_list(qtbot, window, people) -> None:
    search(qtbot, window, "chidi")
    window.search.setFocus()
    qtbot.keyClick(window.search, Qt.Key.Key_Escape)
    assert window.search.text() == ""
    assert len(names(window)) == 3

    search(qtbot, window, "chidi")
    window.table.setFocus()
    qtbot.keyClick(window.table, Qt.Key.Key_Escape)
    assert window.search.text() == ""
    assert len(names(window)) == 3


def test_ctrl_f_focuses_and_selects_search(qtbot, window, people) -> None:
    window.search.setText("anna")
    window.table.setFocus()
    qtbot.keyClick(window.table, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert window.focusWidget() is window.search
    assert window.search.selectedText() == "anna"


def test_return_in_search_moves_to_the_results(qtbot, window, people) -> None:
    search(qtbot, window, "okafor")
    window.search.setFocus()
    qtbot.keyClick(window.search, Qt.Key.Key_Return)
    assert window.focusWidget() is window.table
    assert window.selected_client_id() == people["chidi"]
    assert window.dialog is None  # Return in the box does not open anything yet


def test_return_in_the_list_opens_the_edit_dialog(qtbot, window, people) -> None:
    window.select_client(people["chidi"])
    window.table.setFocus()
    qtbot.keyClick(window.table, Qt.Key.Key_Return)
    dialog = window.dialog
    assert dialog is not None and dialog.isVisible()
    assert dialog.client_id == people["chidi"]
    assert dialog.name_edit.text() == "Chidi Okafor"
    dialog.reject()


def test_double_click_opens_the_edit_dialog(qtbot, window, people) -> None:
    row = window.proxy.mapFromSource(window.model.index(window.model.row_of(people["anna"]), 0))
    rect = window.table.visualRect(row)
    # A real double-click starts with a click; QTest's mouseDClick alone does not.
    qtbot.mouseClick(window.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseDClick(window.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert window.dialog is not None and window.dialog.isVisible()
    assert window.dialog.client_id == people["anna"]
    window.dialog.reject()


# -- archive and undo ----------------------------------------------------------


def test_archive_then_undo_from_the_status_bar(qtbot, window, rapport, people) -> None:
    window.select_client(people["bjorn"])
    window.table.setFocus()
    qtbot.keyClick(window.table, Qt.Key.Key_Delete)
    assert names(window) == ["Anna Novák", "Chidi Okafor"]
    assert get_client(rapport.book, people["bjorn"]).archived_at is not None
    assert window.undo_bar.isVisible()
    assert window.undo_label.text() == "Archived Björn Eklund."
    assert window.undo_action.isEnabled()
    assert window.undo_action.text() == "&Undo archive Björn Eklund"
    assert window.count_label.text() == "2 clients"
    # The neighbour is selected so the keyboard can carry on.
    assert window.selected_client_id() == people["chidi"]

    qtbot.mouseClick(window.undo_button, Qt.MouseButton.LeftButton)
    assert names(window) == ["Anna Novák", "Björn Eklund", "Chidi Okafor"]
    assert get_client(rapport.book, people["bjorn"]).archived_at is None
    assert window.selected_client_id() == people["bjorn"]
    assert not window.undo_bar.isVisible()
    assert not window.undo_action.isEnabled()


def test_undo_button_goes_after_a_while_but_ctrl_z_stays(qtbot, window, people) -> None:
    window.undo_timer.setInterval(50)
    window.select_client(people["anna"])
    window.archive_selected()
    assert window.undo_bar.isVisible()
    qtbot.waitUntil(lambda: not window.undo_bar.isVisible(), timeout=2000)
    assert window.undo_action.isEnabled()
    window.undo_action.trigger()
    assert "Anna Novák" in names(window)


def test_archive_button_then_ctrl_z(qtbot, window, rapport, people) -> None:
    window.select_client(people["anna"])
    qtbot.mouseClick(window.detail.archive_button, Qt.MouseButton.LeftButton)
    assert "Anna Novák" not in names(window)
    assert count_clients(rapport.book) == 2
    window.table.setFocus()
    qtbot.keyClick(window.table, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert "Anna Novák" in names(window)
    assert window.selected_client_id() == people["anna"]
    assert count_clients(rapport.book) == 3


def test_undo_brings_back_a_client_hidden_by_the_search(qtbot, window, people) -> None:
    search(qtbot, window, "anna")
    window.select_client(people["anna"])
    window.archive_selected()
    assert names(window) == []
    assert search(qtbot, window, "bjorn") == ["Björn Eklund"]
    window.undo_action.trigger()
    assert window.search.text() == ""
    assert window.selected_client_id() == people["anna"]


def test_delete_in_the_search_box_does_not_archive(qtbot, window, rapport, people) -> None:
    window.select_client(people["anna"])
    window.search.setFocus()
    qtbot.keyClicks(window.search, "ab")
    qtbot.keyClick(window.search, Qt.Key.Key_Home)
    qtbot.keyClick(window.search, Qt.Key.Key_Delete)
    assert window.search.text() == "b"
    assert count_clients(rapport.book) == 3


def test_show_archived_lists_them_and_unarchive_works(qtbot, window, rapport, people) -> None:
    window.select_client(people["chidi"])
    window.archive_selected()
    assert "Chidi Okafor" not in names(window)
    window.show_archived_action.setChecked(True)
    assert "Chidi Okafor" in names(window)
    assert window.count_label.text() == "3 clients"
    window.select_client(people["chidi"])
    assert window.unarchive_action.isEnabled()
    assert not window.archive_action.isEnabled()
    assert window.detail.archive_button.text() == "Unarchive"
    window.unarchive_action.trigger()
    assert get_client(rapport.book, people["chidi"]).archived_at is None
    window.show_archived_action.setChecked(False)
    assert "Chidi Okafor" in names(window)


# -- first run and the demo book ---------------------------------------------------


def test_empty_book_shows_the_first_run_page(qtbot, window) -> None:
    assert window.stack.currentWidget() is window.first_run
    assert window.first_run.title.text() == "Your client book is empty."
    qtbot.mouseClick(window.first_run.add_button, Qt.MouseButton.LeftButton)
    dialog = window.dialog
    assert dialog is not None and dialog.isVisible()
    assert dialog.client_id is None
    qtbot.keyClicks(dialog.name_edit, "First Client")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert window.stack.currentWidget() is window.splitter
    assert names(window) == ["First Client"]


def test_open_demo_book_and_back(qtbot, window, rapport, book_path) -> None:
    qtbot.mouseClick(window.first_run.demo_button, Qt.MouseButton.LeftButton)
    assert rapport.book is not None
    assert rapport.book.path == paths.demo_book_path().resolve()
    assert window.windowTitle() == "Demo book — Rapport"
    assert window.stack.currentWidget() is window.splitter
    assert len(names(window)) == count_clients(rapport.book) > 0
    assert window.open_mine_action.isVisible()
    # The first book's lock was let go; the demo's is held.
    other = BookLock(book_path)
    assert other.acquire()
    other.release()
    assert not BookLock(paths.demo_book_path().resolve()).acquire()

    # Opening the demo again neither duplicates its clients nor switches anything.
    before = count_clients(rapport.book, include_archived=True)
    window.open_demo()
    assert count_clients(rapport.book, include_archived=True) == before

    window.open_mine_action.trigger()
    assert rapport.book.path == paths.default_book_path().resolve()
    assert window.windowTitle() == "My book — Rapport"
    assert window.stack.currentWidget() is window.first_run
    assert not window.open_mine_action.isVisible()
    assert BookLock(paths.demo_book_path().resolve()).acquire()


def test_demo_busy_elsewhere_keeps_the_current_book(qtbot, window, rapport, people) -> None:
    """A demo book held by a program that cannot hand over: say so, stay where we are."""
    demo = paths.demo_book_path()
    child = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time; from pathlib import Path; from models.lock import BookLock; "
            "lock = BookLock(Path(sys.argv[1])); print(lock.acquire(), flush=True); "
            "time.sleep(60)",
            str(demo.resolve()),
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
        env=dict(os.environ),
    )
    try:
        assert child.stdout is not None
        assert child.stdout.readline().strip() == "True"
        window.open_demo()
        box = window.message_box
        assert box is not None and box.isVisible()
        assert box.text() == f"This book is open in another program (process {child.pid})."
        assert rapport.book is not None
        assert rapport.book.path == rapport.lock.path.with_suffix("")
        assert window.windowTitle() == "My book — Rapport"
        assert len(names(window)) == 3
        box.close()
    finally:
        child.kill()
        child.wait()


# -- remembered layout -------------------------------------------------------------


def test_geometry_and_splitter_are_restored(qtbot, rapport, people) -> None:
    first = open_window(qtbot, rapport)
    # Smaller than the offscreen screen (800x600), which restoreGeometry clamps to.
    first.resize(730, 520)
    first.splitter.setSizes([450, 280])
    qtbot.wait(10)
    sizes = first.splitter.sizes()
    first.close()

    second = open_window(qtbot, rapport)
    qtbot.wait(10)
    assert (second.width(), second.height()) == (730, 520)
    assert second.splitter.sizes() == sizes
    second.close()


def test_list_clients_is_the_source_of_the_rows(window, rapport, people) -> None:
    """The table shows exactly what the service returns, in the same ids."""
    assert rapport.book is not None
    expected = {r.id for r in list_clients(rapport.book)}
    assert {r.id for r in window.model.rows} == expected


def test_the_detail_pane_never_cuts_its_buttons(qtbot, window, people) -> None:
    """Squeezed as far as the splitter lets it, the pane still shows every button's
    words whole: at 1.5x a row of three was cut to "og a touch..". Checked with the
    Archive button's longer "Unarchive" too."""
    window.resize(900, 600)
    window.select_client(people["chidi"])
    window.splitter.setSizes([10_000, 1])  # the pane at its narrowest
    qtbot.waitUntil(lambda: window.detail.width() < 400)
    pane = window.detail
    buttons = [
        pane.log_touch_button,
        pane.edit_button,
        pane.incident_button,
        pane.repair_button,
        pane.agreement_button,
        pane.archive_button,
    ]

    def cut() -> list[str]:
        return [b.text() for b in buttons if b.width() < b.sizeHint().width()]

    assert cut() == []
    window.archive_selected()
    window.show_archived_action.setChecked(True)
    window.select_client(people["chidi"])
    window.splitter.setSizes([10_000, 1])
    assert pane.archive_button.text() == "Unarchive"
    qtbot.waitUntil(lambda: cut() == [], timeout=2000)
