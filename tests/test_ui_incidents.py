"""Incidents through the real UI: the report dialog, the incident window (status,
promise, timeline, evidence files, drops) and the Incidents page, on a real book
with real files."""

from __future__ import annotations

import hashlib
from datetime import UTC, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, QObject, QPointF, Qt, QTimer, QUrl, Slot
from PySide6.QtGui import QDesktopServices, QDragEnterEvent, QDragMoveEvent, QDropEvent
from PySide6.QtWidgets import QApplication, QMessageBox

from models.entities import (
    Channel,
    EntryKind,
    IncidentCategory,
    IncidentStatus,
    Severity,
)
from models.incidents import TRANSITIONS
from models.services.incident_evidence import list_evidence
from models.services.incident_timeline import add_entry, timeline
from models.services.incidents import IncidentInput, list_incidents, open_incident, set_status
from models.services.reminders import TouchInput, log_touch
from models.text import human_size
from tests.helpers import (
    CTRL,
    LEFT,
    NOW,
    add_client,
    fixed_clock,
    open_window,
    round_the_clock,
    shown,
)
from ui.app import CHANGED_CLIENTS, CHANGED_DAY
from ui.incident_dialog import KEY_PROMISE_HOURS
from ui.incident_window import IncidentWindow
from ui.incident_words import promise_text
from ui.incidents_view import (
    COL_CLIENT,
    COL_PROMISE,
    COL_SEVERITY,
    ID_ROLE,
    SORT_ROLE,
    IncidentSortProxy,
    IncidentTableModel,
)
from ui.main.common import PAGE_INCIDENTS
from ui.main.window import MainWindow
from ui.theme import tone


@pytest.fixture
def app_clock():
    return fixed_clock


@pytest.fixture
def ada(rapport) -> int:
    cid = add_client(rapport, "Ada Lovelace", None, 60)
    rapport.changed.emit(CHANGED_CLIENTS, None)
    return cid


@pytest.fixture
def window(qtbot, rapport, ada):
    w = open_window(qtbot, rapport)
    yield w
    for iw in list(w.incident_windows.values()):
        iw._discard = True
        iw.close()
    w.close()


def report(rapport, client_id: int, title: str = "Invoice 42 disputed", **kw) -> int:
    severity = kw.pop("severity", Severity.HIGH)
    opened = kw.pop("opened", NOW)
    return open_incident(
        rapport.book,
        client_id,
        IncidentInput(title, IncidentCategory.LATE_PAYMENT, severity),
        now=opened,
        **kw,
    )


def incident_window(qtbot, window: MainWindow, incident_id: int) -> IncidentWindow:
    iw = window.open_incident_window(incident_id)
    assert iw is not None
    qtbot.waitExposed(iw)
    return iw


def names_in(iw: IncidentWindow) -> list[str]:
    tree = iw.evidence_list
    return [tree.topLevelItem(i).text(0) for i in range(tree.topLevelItemCount())]


def sha256_of(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# -- reporting ----------------------------------------------------------------------------


def test_report_an_incident_from_the_client_page(qtbot, window, rapport, ada) -> None:
    window.show_clients()
    assert window.select_client(ada)
    qtbot.mouseClick(window.detail.incident_button, LEFT)
    dialog = shown(qtbot, window.incident_dialog)
    assert dialog.windowTitle() == "Report an incident with Ada Lovelace"
    assert QApplication.focusWidget() is dialog.title_edit
    qtbot.keyClicks(dialog.title_edit, "Report sent to the wrong person")
    dialog.category_combo.setCurrentIndex(dialog.category_combo.findText("Communication breakdown"))
    dialog.severity_combo.setCurrentIndex(dialog.severity_combo.findText("High"))
    qtbot.keyClicks(dialog.texts["client_view"], "Confidential figures went to a supplier.")
    qtbot.keyClicks(dialog.texts["our_view"], "An autocomplete slip in the address field.")
    assert dialog.promise_check.isChecked() and dialog.promise_hours.value() == 24
    qtbot.mouseClick(dialog.save_button, LEFT)
    qtbot.waitUntil(lambda: not dialog.isVisible())

    [row] = list_incidents(rapport.book, client_id=ada, now=NOW)
    assert (row.title, row.category, row.severity) == (
        "Report sent to the wrong person",
        IncidentCategory.COMMUNICATION,
        Severity.HIGH,
    )
    assert row.response_due_at == (NOW + timedelta(hours=24)).astimezone(UTC)
    # The new incident opens in its own window, ready for evidence.
    iw = window.incident_windows[row.id]
    assert iw.title_label.text() == "Report sent to the wrong person"
    assert iw.texts["client_view"].toPlainText() == "Confidential figures went to a supplier."


def test_ctrl_i_reports_for_the_selected_client(qtbot, window, ada) -> None:
    window.open_client(ada)
    qtbot.keyClick(window.table, Qt.Key.Key_I, CTRL)
    dialog = shown(qtbot, window.incident_dialog)
    assert dialog.client_id == ada
    dialog.reject()


def test_bad_input_is_explained_and_nothing_saved(qtbot, window, rapport, ada) -> None:
    dialog = shown(qtbot, window.report_incident_dialog(ada))
    qtbot.keyClicks(dialog.title_edit, "   ")
    qtbot.mouseClick(dialog.save_button, LEFT)
    assert dialog.isVisible()
    assert dialog.title_error.isVisibleTo(dialog)
    assert "short title" in dialog.title_error.text()
    assert list_incidents(rapport.book, now=NOW) == []
    # Typing a title clears the message at once.
    qtbot.keyClicks(dialog.title_edit, "Late payment")
    assert not dialog.title_error.isVisibleTo(dialog)
    dialog.reject()


def test_promise_follows_the_setting_and_can_be_left_out(qtbot, window, rapport, ada) -> None:
    rapport.settings.setValue(KEY_PROMISE_HOURS, 48)
    dialog = shown(qtbot, window.report_incident_dialog(ada))
    assert dialog.promise_hours.value() == 48
    qtbot.keyClicks(dialog.title_edit, "Budget ran out unannounced")
    dialog.promise_check.setChecked(False)
    assert not dialog.promise_hours.isEnabled()
    qtbot.keyClick(dialog.title_edit, Qt.Key.Key_Return, CTRL)
    qtbot.waitUntil(lambda: not dialog.isVisible())
    [row] = list_incidents(rapport.book, now=NOW)
    assert row.response_due_at is None


# -- the incident window -----------------------------------------------------------------


def test_opening_twice_brings_the_same_window(qtbot, window, rapport, ada) -> None:
    inc = report(rapport, ada)
    first = incident_window(qtbot, window, inc)
    second = window.open_incident_window(inc)
    assert second is first
    assert len(window.incident_windows) == 1
    first.close()
    assert inc not in window.incident_windows


def test_only_legal_status_moves_are_offered(qtbot, window, rapport, ada) -> None:
    inc = report(rapport, ada)
    iw = incident_window(qtbot, window, inc)

    def offered() -> set[IncidentStatus]:
        combo = iw.status_combo
        return {IncidentStatus(combo.itemData(i)) for i in range(combo.count())}

    assert offered() == {IncidentStatus.OPEN} | TRANSITIONS[IncidentStatus.OPEN]
    assert IncidentStatus.RESOLVED not in offered()
    # The user moves it on with the keyboard: Down picks the next offered status.
    iw.status_combo.setFocus()
    qtbot.keyClick(iw.status_combo, Qt.Key.Key_Down)
    qtbot.waitUntil(lambda: iw.status_combo.currentText() == "Acknowledged")
    [row] = list_incidents(rapport.book, now=NOW)
    assert row.status is IncidentStatus.ACKNOWLEDGED
    assert offered() == {IncidentStatus.ACKNOWLEDGED} | TRANSITIONS[IncidentStatus.ACKNOWLEDGED]
    assert IncidentStatus.OPEN not in offered()
    set_status(rapport.book, inc, IncidentStatus.LOST, now=NOW)
    rapport.changed.emit("incidents", None)
    assert offered() == {IncidentStatus.LOST}
    assert not iw.status_combo.isEnabled()


def test_promise_wording_in_time_broken_and_kept(qtbot, window, rapport, ada) -> None:
    # Opened yesterday evening with 24 hours: due today (a Tuesday) at 14:00.
    on_time = report(rapport, ada, "Slow replies", opened=NOW - timedelta(hours=19, minutes=30))
    iw = incident_window(qtbot, window, on_time)
    assert iw.promise_label.text() == "Full answer promised by Tue\u00a014:00"
    assert tone("late") not in iw.promise_label.styleSheet()

    # Later that day the clock passes the promise by six hours.
    rapport.clock = lambda: NOW + timedelta(hours=10, minutes=30)
    rapport.changed.emit(CHANGED_DAY, None)
    assert iw.promise_label.text() == "Promise broken: 6 hours late"
    assert tone("late") in iw.promise_label.styleSheet()

    rapport.clock = fixed_clock
    rapport.changed.emit(CHANGED_DAY, None)
    qtbot.mouseClick(iw.answer_button, LEFT)
    assert iw.promise_label.text() == "Answered on time"
    assert not iw.answer_button.isEnabled()


def test_broken_promise_in_words() -> None:
    from models.services.incidents import IncidentRow

    due = NOW - timedelta(hours=6)
    row = IncidentRow(
        1, "u", 1, "Ada", "t", IncidentCategory.OTHER, Severity.LOW, IncidentStatus.OPEN,
        NOW - timedelta(days=1), None, None, due, None, timedelta(hours=6),
    )  # fmt: skip
    assert promise_text(row, NOW) == ("Promise broken: 6 hours late", True)
    assert human_size(230 * 1024 * 1024) == "230 MB"
    assert human_size(512) == "512 bytes"


def test_add_edit_and_delete_timeline_entries(qtbot, window, rapport, ada) -> None:
    inc = report(rapport, ada)
    iw = incident_window(qtbot, window, inc)
    qtbot.mouseClick(iw.add_entry_button, LEFT)
    dialog = shown(qtbot, iw.entry_dialog)
    dialog.kind_combo.setCurrentIndex(dialog.kind_combo.findText("Decision"))
    qtbot.keyClicks(dialog.text_edit, "Refund the second invoice")
    qtbot.keyClick(dialog.text_edit, Qt.Key.Key_Return, CTRL)
    qtbot.waitUntil(lambda: not dialog.isVisible())

    tree = iw.timeline_tree
    assert tree.topLevelItemCount() == 1
    item = tree.topLevelItem(0)
    assert (item.text(1), item.text(2)) == ("Decision", "Refund the second invoice")
    [stored] = timeline(rapport.book, inc, now=NOW)
    assert (stored.kind, stored.text) == (EntryKind.DECISION.value, "Refund the second invoice")

    # Edit: the row says it was edited, and when.
    tree.setCurrentItem(item)
    qtbot.mouseClick(iw.edit_entry_button, LEFT)
    dialog = shown(qtbot, iw.entry_dialog)
    dialog.text_edit.selectAll()
    qtbot.keyClicks(dialog.text_edit, "Refund the second invoice in full")
    qtbot.mouseClick(dialog.save_button, LEFT)
    qtbot.waitUntil(lambda: not dialog.isVisible())
    item = tree.topLevelItem(0)
    assert item.text(2) == "Refund the second invoice in full\n(edited 10\u00a0Mar\u00a009:30)"

    # An empty entry is refused in place.
    qtbot.mouseClick(iw.add_entry_button, LEFT)
    dialog = shown(qtbot, iw.entry_dialog)
    qtbot.mouseClick(dialog.save_button, LEFT)
    assert dialog.isVisible() and dialog.text_error.text() == "Write what happened."
    dialog.reject()

    # Delete asks first.
    tree.setCurrentItem(tree.topLevelItem(0))
    qtbot.mouseClick(iw.delete_entry_button, LEFT)
    box = iw.message_box
    assert box is not None
    qtbot.waitExposed(box)
    qtbot.mouseClick(box.button(QMessageBox.StandardButton.Yes), LEFT)
    qtbot.waitUntil(lambda: tree.topLevelItemCount() == 0)
    assert timeline(rapport.book, inc, now=NOW) == []


def test_touches_show_in_the_timeline_but_cannot_be_edited(qtbot, window, rapport, ada) -> None:
    inc = report(rapport, ada, opened=NOW - timedelta(hours=3))
    add_entry(rapport.book, inc, EntryKind.NOTE, "Apology drafted", now=NOW - timedelta(hours=2))
    log_touch(
        rapport.book,
        ada,
        TouchInput(happened_at=NOW - timedelta(hours=1), channel=Channel.CALL, summary="Spoke"),
        now=NOW,
    )
    iw = incident_window(qtbot, window, inc)
    tree = iw.timeline_tree
    kinds = [tree.topLevelItem(i).text(1) for i in range(tree.topLevelItemCount())]
    assert kinds == ["Call (touch)", "Note"]  # newest first
    tree.setCurrentItem(tree.topLevelItem(0))
    assert not iw.edit_entry_button.isEnabled() and not iw.delete_entry_button.isEnabled()
    assert iw.edit_entry_dialog() is None
    tree.setCurrentItem(tree.topLevelItem(1))
    assert iw.edit_entry_button.isEnabled() and iw.delete_entry_button.isEnabled()


# -- evidence -----------------------------------------------------------------------------


def test_attached_file_is_an_exact_copy_and_stored_once(
    qtbot, window, rapport, ada, tmp_path
) -> None:
    inc = report(rapport, ada)
    iw = incident_window(qtbot, window, inc)
    source = tmp_path / "timesheet March.csv"
    source.write_bytes(b"date,hours\n2026-03-02,6.5\n" * 200)
    iw.attach_paths([source])
    assert names_in(iw) == ["timesheet March.csv"]
    assert iw.evidence_list.topLevelItem(0).text(1) == human_size(source.stat().st_size)
    [ev] = list_evidence(rapport.book, inc)
    assert ev.path != source and ev.path.is_file()
    assert sha256_of(ev.path) == sha256_of(source) == ev.sha256

    iw.attach_paths([source])
    assert names_in(iw) == ["timesheet March.csv"]
    assert len(list_evidence(rapport.book, inc)) == 1
    assert "Already attached" in iw.statusBar().currentMessage()


def drop(widget, paths: list[Path]) -> QDropEvent:
    """A real drop of files, as the desktop delivers it: enter, move, drop."""
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    pos = QPointF(widget.rect().center())
    action = Qt.DropAction.CopyAction
    buttons, mods = Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    enter = QDragEnterEvent(pos, action, mime, buttons, mods)
    QApplication.sendEvent(widget, enter)
    assert enter.isAccepted()
    QApplication.sendEvent(widget, QDragMoveEvent(pos, action, mime, buttons, mods))
    event = QDropEvent(pos, action, mime, buttons, mods)
    QApplication.sendEvent(widget, event)
    return event


def test_dropping_files_on_the_list_attaches_them(qtbot, window, rapport, ada, tmp_path) -> None:
    inc = report(rapport, ada)
    iw = incident_window(qtbot, window, inc)
    iw.tabs.setCurrentIndex(2)
    a = tmp_path / "contract.pdf"
    a.write_bytes(b"%PDF-1.4 contract" + bytes(range(256)) * 40)
    b = tmp_path / "email thread.eml"
    b.write_text("From: ada@example.com\n\nWhere is the report?\n", encoding="utf-8")
    event = drop(iw.evidence_list.viewport(), [a, b])
    assert event.isAccepted()
    qtbot.waitUntil(lambda: len(names_in(iw)) == 2)
    assert sorted(names_in(iw)) == ["contract.pdf", "email thread.eml"]
    stored = {e.name: e for e in list_evidence(rapport.book, inc)}
    assert sha256_of(stored["contract.pdf"].path) == sha256_of(a)
    assert sha256_of(stored["email thread.eml"].path) == sha256_of(b)
    assert iw.tabs.tabText(2) == "Evidence (2)"


def test_dropping_on_the_window_attaches_too(qtbot, window, rapport, ada, tmp_path) -> None:
    inc = report(rapport, ada)
    iw = incident_window(qtbot, window, inc)
    f = tmp_path / "screenshot.png"
    f.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 64)
    drop(iw.title_label, [f])
    qtbot.waitUntil(lambda: names_in(iw) == ["screenshot.png"])
    assert iw.tabs.currentIndex() == 2


def test_hostile_file_names_are_shown_readably(qtbot, window, rapport, ada, tmp_path) -> None:
    inc = report(rapport, ada)
    iw = incident_window(qtbot, window, inc)
    odd = tmp_path / "..\x1b[31mred\x07 report\n.txt"
    odd.write_bytes(b"odd")
    (tmp_path / "a" / "b").mkdir(parents=True)
    up = tmp_path / "x"
    up.write_bytes(b"up and out")
    drop(iw.evidence_list.viewport(), [odd, tmp_path / "a" / "b" / ".." / ".." / "x"])
    qtbot.waitUntil(lambda: len(names_in(iw)) == 2)
    shown_names = names_in(iw)
    assert sorted(shown_names) == ["[31mred report.txt", "x"]
    for name in shown_names:
        assert not any(ord(ch) < 32 or 0x7F <= ord(ch) <= 0x9F for ch in name)
        assert "/" not in name and not name.startswith(".")


def test_evidence_errors_are_shown_and_nothing_attached(
    qtbot, window, rapport, ada, tmp_path
) -> None:
    inc = report(rapport, ada)
    iw = incident_window(qtbot, window, inc)
    folder = tmp_path / "a folder"
    folder.mkdir()
    ok = tmp_path / "notes.txt"
    ok.write_text("kept", encoding="utf-8")
    iw.attach_paths([folder, tmp_path / "gone.txt", ok])
    message = iw.evidence_error.text()
    assert "“a folder” is a folder; attach files one by one." in message
    assert "“gone.txt” was not found; nothing was attached." in message
    assert iw.evidence_error.isVisibleTo(iw)
    assert names_in(iw) == ["notes.txt"]  # one bad file does not stop the others


def answer_next_box(qtbot, button_text: str, seen: list[str]) -> None:
    """Click ``button_text`` on the next modal question once it is up."""

    def poll() -> None:
        box = QApplication.activeModalWidget()
        if isinstance(box, QMessageBox) and box.isVisible():
            seen.append(box.text())
            for button in box.buttons():
                if button.text() == button_text:
                    button.click()
                    return
        QTimer.singleShot(20, poll)

    QTimer.singleShot(0, poll)


def test_a_large_file_asks_first(qtbot, window, rapport, ada, tmp_path) -> None:
    inc = report(rapport, ada)
    iw = incident_window(qtbot, window, inc)
    big = tmp_path / "screen recording.mp4"
    with open(big, "wb") as f:  # sparse: 230 MB on paper, nothing on disk
        f.truncate(230 * 1024 * 1024)
    seen: list[str] = []
    answer_next_box(qtbot, "Don't attach", seen)
    assert iw.attach_paths([big]) == []
    assert seen == ["This file is 230 MB. Attach it anyway?"]
    assert list_evidence(rapport.book, inc) == []
    assert names_in(iw) == []


def test_open_hands_a_named_read_only_copy_to_the_desktop(
    qtbot, window, rapport, ada, tmp_path
) -> None:
    class Handler(QObject):
        def __init__(self) -> None:
            super().__init__()
            self.urls: list[QUrl] = []

        @Slot(QUrl)
        def show(self, url: QUrl) -> None:
            self.urls.append(url)

    handler = Handler()
    QDesktopServices.setUrlHandler("file", handler, "show")
    try:
        inc = report(rapport, ada)
        iw = incident_window(qtbot, window, inc)
        f = tmp_path / "brief.txt"
        f.write_text("brief", encoding="utf-8")
        iw.attach_paths([f])
        iw.evidence_list.setCurrentItem(iw.evidence_list.topLevelItem(0))
        qtbot.mouseClick(iw.open_button, LEFT)
        [ev] = list_evidence(rapport.book, inc)
        [opened] = [Path(u.toLocalFile()) for u in handler.urls]
        # The desktop sees the real name (so it picks the right viewer), never the
        # evidence itself: a viewer that saves cannot change what was attached.
        assert opened.name == "brief.txt"
        assert opened != ev.path
        assert opened.read_bytes() == ev.path.read_bytes() == b"brief"
        assert (opened.stat().st_mode & 0o777) == 0o400
        qtbot.mouseClick(iw.unlink_button, LEFT)
        assert names_in(iw) == [] and list_evidence(rapport.book, inc) == []
        assert ev.path.is_file()  # the stored copy stays for backups
    finally:
        QDesktopServices.unsetUrlHandler("file")


def test_unsaved_details_are_kept_while_the_book_changes(qtbot, window, rapport, ada) -> None:
    inc = report(rapport, ada)
    iw = incident_window(qtbot, window, inc)
    iw.tabs.setCurrentIndex(1)
    qtbot.keyClicks(iw.texts["our_mistakes"], "We never confirmed the scope in writing.")
    add_entry(rapport.book, inc, EntryKind.NOTE, "Meanwhile", now=NOW)
    rapport.changed.emit("incidents", None)
    assert iw.texts["our_mistakes"].toPlainText() == "We never confirmed the scope in writing."
    qtbot.mouseClick(iw.save_button, LEFT)
    assert not iw.save_button.isEnabled()
    from models.services.incidents import get_incident

    assert get_incident(rapport.book, inc).our_mistakes == (
        "We never confirmed the scope in writing."
    )


# -- the Incidents page ----------------------------------------------------------------------


@pytest.fixture
def several(rapport, ada) -> dict[str, int]:
    ben = add_client(rapport, "Ben Okafor", None, 90)
    round_the_clock(rapport.book)  # "broken" is due at 03:30 and 6 hours late at 09:30
    ids = {
        "broken": report(rapport, ada, "Invoice disputed", opened=NOW - timedelta(hours=30)),
        "low": report(rapport, ben, "Typo in report", severity=Severity.LOW, promise_hours=None),
        "resolved": report(rapport, ben, "Deadline slipped", severity=Severity.MEDIUM),
        "lost": report(rapport, ada, "Claim threatened", severity=Severity.CRITICAL),
    }
    set_status(rapport.book, ids["low"], IncidentStatus.ACKNOWLEDGED, now=NOW)
    set_status(rapport.book, ids["resolved"], IncidentStatus.ACKNOWLEDGED, now=NOW)
    set_status(rapport.book, ids["resolved"], IncidentStatus.RESOLVED, now=NOW)
    set_status(rapport.book, ids["lost"], IncidentStatus.LOST, now=NOW)
    rapport.changed.emit("incidents", None)
    return ids


def test_incidents_page_filters(qtbot, window, rapport, several) -> None:
    qtbot.keyClick(window.table, Qt.Key.Key_3, CTRL)
    assert window.current_page() == PAGE_INCIDENTS
    view = window.incidents_view

    def shown_set() -> set[int]:
        return set(view.shown_ids())

    assert shown_set() == {several["broken"], several["low"]}  # active, the default
    view.status_filter.setCurrentIndex(view.status_filter.findText("All"))
    assert shown_set() == set(several.values())
    view.status_filter.setCurrentIndex(view.status_filter.findText("Resolved"))
    assert shown_set() == {several["resolved"]}
    view.status_filter.setCurrentIndex(view.status_filter.findText("Lost"))
    assert shown_set() == {several["lost"]}
    view.status_filter.setCurrentIndex(view.status_filter.findText("All"))
    view.severity_filter.setCurrentIndex(view.severity_filter.findText("High or critical"))
    assert shown_set() == {several["broken"], several["lost"]}
    view.severity_filter.setCurrentIndex(view.severity_filter.findText("Any severity"))
    view.broken_only.setChecked(True)
    assert view.shown_ids() == [several["broken"]]
    row = view.model.row_of(several["broken"])
    promise = view.model.index(row, COL_PROMISE)
    assert promise.data() == "Broken: 6 hours late"
    assert promise.data(Qt.ItemDataRole.ForegroundRole) is not None

    view.severity_filter.setCurrentIndex(view.severity_filter.findText("Low"))
    assert view.shown_ids() == []
    assert view.stack.currentWidget() is view.empty_label
    assert view.empty_label.text() == "No incidents match these filters."


def test_enter_opens_the_incident_window(qtbot, window, rapport, several) -> None:
    window.show_incidents()
    view = window.incidents_view
    assert view.select_incident(several["low"])
    view.table.setFocus()
    qtbot.keyClick(view.table, Qt.Key.Key_Return)
    iw = window.incident_windows[several["low"]]
    qtbot.waitExposed(iw)
    assert iw.title_label.text() == "Typo in report"


def test_incident_model_passes_the_qt_model_tester(qtmodeltester, rapport, several) -> None:
    model = IncidentTableModel()
    model.set_rows(list_incidents(rapport.book, now=NOW), NOW)
    assert model.rowCount() == 4
    qtmodeltester.check(model)
    proxy = IncidentSortProxy()
    proxy.setSourceModel(model)
    proxy.sort(COL_SEVERITY, Qt.SortOrder.DescendingOrder)
    qtmodeltester.check(proxy)
    top = proxy.index(0, COL_CLIENT)
    assert top.data(ID_ROLE) == several["lost"]  # critical first
    proxy.sort(COL_PROMISE, Qt.SortOrder.DescendingOrder)
    assert proxy.index(0, COL_CLIENT).data(ID_ROLE) == several["broken"]
    assert isinstance(proxy.index(0, COL_PROMISE).data(SORT_ROLE), float)
