"""Backups in the app: File › Restore from a backup, Settings › Backups, the start-up
and half-hourly backups off the GUI thread, a damaged book found after the window
is up, and the network-drive warning, all on real books under pytest-qt."""

from __future__ import annotations

import hashlib
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

from PySide6.QtWidgets import QDialogButtonBox, QMessageBox

from models.backups import KeepPolicy, list_backups, take_backup
from models.entities import IncidentCategory, Severity
from models.services.backups import get_keep_policy
from models.services.clients import ClientInput, count_clients, create_client
from models.services.incident_evidence import attach_file, stored_path
from models.services.incidents import IncidentInput, open_incident
from tests.damage import fold_wal, index_root_flip, table_root_flip
from tests.helpers import shown
from ui.app import CHANGED_CLIENTS, RapportApp
from ui.backup_dialog import AutoBackup, RestoreDialog, network_warning_once
from ui.gui import make_gui
from ui.main.window import MainWindow


def add_clients(rapport: RapportApp, n: int, prefix: str = "Client") -> None:
    assert rapport.book is not None
    for i in range(n):
        create_client(rapport.book, ClientInput(name=f"{prefix} {i}"))
    rapport.changed.emit(CHANGED_CLIENTS, None)


def button(box: QMessageBox, text: str):
    [found] = [b for b in box.buttons() if b.text() == text]
    return found


def test_restore_from_the_file_menu(qtbot, window: MainWindow, rapport: RapportApp) -> None:
    add_clients(rapport, 3)
    assert rapport.book is not None
    backup = take_backup(rapport.book.path)
    add_clients(rapport, 2, prefix="Later")
    file_menu = window.menuBar().actions()[0].menu()
    assert "&Restore from a backup…" in [a.text() for a in file_menu.actions()]

    window.restore_action.trigger()
    dialog = shown(qtbot, window.restore_dialog)
    assert dialog.model.rowCount() == 1
    row = [dialog.model.index(0, c).data() for c in range(4)]
    assert row[1] == "3" and row[2].endswith("KB") and row[3] == "Automatic"
    assert row[0].endswith(backup.taken_at.astimezone().strftime("%H:%M"))
    assert dialog.restore_button.isEnabled()

    box = dialog.ask_to_restore()
    assert box is not None and "(3 clients)" in box.text()
    button(box, "Restore").click()

    qtbot.waitUntil(lambda: not dialog.isVisible())
    assert rapport.book is not None and count_clients(rapport.book) == 3
    assert "Restored the backup" in window.statusBar().currentMessage()
    kinds = sorted(b.kind for b in list_backups(rapport.book.path))
    assert kinds == ["auto", "before-restore"]
    assert window.model.rowCount() == 3  # the list shows the restored book


def test_a_restore_without_its_evidence_files_brings_the_clients_back_and_names_them(
    qtbot, window: MainWindow, rapport: RapportApp
) -> None:
    # Issue 18 changed this: missing evidence used to refuse the restore outright.
    assert rapport.book is not None
    client = create_client(rapport.book, ClientInput(name="Ana"))
    incident = open_incident(
        rapport.book, client, IncidentInput("Late", IncidentCategory.OTHER, Severity.LOW)
    )
    for name, text in [("proof.txt", "proof"), ("kept.txt", "kept")]:
        src = rapport.book.path.parent / name
        src.write_text(text)
        attach_file(rapport.book, incident, src)
    take_backup(rapport.book.path)
    add_clients(rapport, 2)
    stored_path(rapport.book, hashlib.sha256(b"proof").hexdigest()).unlink()
    kept = stored_path(rapport.book, hashlib.sha256(b"kept").hexdigest())

    window.restore_action.trigger()
    dialog = shown(qtbot, window.restore_dialog)
    assert dialog.restore(dialog.model.rows[0])
    notice = shown(qtbot, dialog.notice)
    assert notice.parent() is window  # outlives the restore list, which has closed
    assert "1 evidence file" in notice.text()
    assert "proof.txt" in notice.informativeText()
    assert "kept.txt" not in notice.informativeText()  # only what is missing is named
    assert rapport.book is not None and count_clients(rapport.book) == 1
    assert kept.read_text() == "kept"
    assert "1 evidence file was missing" in window.statusBar().currentMessage()
    assert "before-restore" in {b.kind for b in list_backups(rapport.book.path)}


def test_a_refused_restore_keeps_the_book_and_says_why(
    qtbot, window: MainWindow, rapport: RapportApp
) -> None:
    assert rapport.book is not None
    create_client(rapport.book, ClientInput(name="Ana"))
    backup = take_backup(rapport.book.path)
    add_clients(rapport, 2)
    data = bytearray(backup.path.read_bytes())
    data[-10] ^= 0x01  # the backup changed after it was taken: its hash says so
    backup.path.write_bytes(bytes(data))

    window.restore_action.trigger()
    dialog = shown(qtbot, window.restore_dialog)
    assert not dialog.restore(dialog.model.rows[0])
    assert dialog.error.isVisible() and "changed since it was taken" in dialog.error.text()
    assert dialog.notice is None
    assert rapport.book is not None and count_clients(rapport.book) == 3


def test_an_empty_backup_list_says_when_backups_happen(
    qtbot, window: MainWindow, rapport: RapportApp
) -> None:
    window.restore_action.trigger()
    dialog = shown(qtbot, window.restore_dialog)
    assert dialog.empty.isVisible() and "every half hour" in dialog.empty.text()
    assert not dialog.restore_button.isEnabled()


def test_how_many_to_keep_is_saved_in_the_book(qtbot, window: MainWindow, rapport) -> None:
    window.backups_action.trigger()
    settings = shown(qtbot, window.settings_window)
    dialog = settings.current_page()
    assert dialog.key == "backups" and dialog.isVisible()
    assert [s.value() for s in dialog.spins.values()] == [7, 5, 12]
    dialog.spins["daily"].setValue(3)
    dialog.spins["weekly"].setValue(2)
    dialog.spins["monthly"].setValue(24)
    settings.buttons.button(QDialogButtonBox.StandardButton.Save).click()
    qtbot.waitUntil(lambda: not settings.isVisible())
    assert get_keep_policy(rapport.book) == KeepPolicy(daily=3, weekly=2, monthly=24)
    assert window.statusBar().currentMessage() == "Backup settings saved."


def test_automatic_backups_run_off_the_gui_thread_and_only_after_a_change(
    qtbot, rapport: RapportApp
) -> None:
    add_clients(rapport, 2)
    auto = AutoBackup(rapport)
    try:
        with qtbot.waitSignal(auto.finished, timeout=10000) as first:
            auto.start(delay_ms=0)
        assert first.args[0] is not None and first.args[0].clients == 2
        assert auto.worker is not None and auto.worker.ident != threading.main_thread().ident

        with qtbot.waitSignal(auto.finished, timeout=10000) as unchanged:
            assert auto.maybe_back_up()
        assert unchanged.args == [None]  # nothing changed: no new copy

        add_clients(rapport, 1, prefix="New")
        with qtbot.waitSignal(auto.finished, timeout=10000) as changed:
            assert auto.maybe_back_up()
        assert changed.args[0].clients == 3
        assert auto.timer.interval() == 30 * 60 * 1000 and auto.timer.isActive()
    finally:
        auto.stop()
    assert rapport.book is not None
    # Both were taken today: thinning keeps the day's newest only.
    assert [b.clients for b in list_backups(rapport.book.path)] == [3]


def test_start_up_shows_the_window_first_and_backs_up_afterwards(qtbot, rapport) -> None:
    add_clients(rapport, 4)
    assert rapport.book is not None
    window, tray = make_gui(rapport)
    qtbot.addWidget(window)
    try:
        assert window.isVisible()
        assert list_backups(rapport.book.path) == []  # nothing copied before the window
        qtbot.waitUntil(lambda: len(list_backups(rapport.book.path)) == 1, timeout=15000)
        assert rapport.auto_backup is not None
        rapport.auto_backup.wait(10)
        qtbot.waitUntil(lambda: "backed up" in window.statusBar().currentMessage())
    finally:
        tray.hide()
        window.close()


def test_damage_found_after_the_window_is_up_offers_another_backup(
    qtbot, rapport: RapportApp, tmp_path: Path
) -> None:
    add_clients(rapport, 30)
    assert rapport.book is not None
    path = rapport.book.path
    older = take_backup(path, now=datetime.now(UTC) - timedelta(days=1))
    add_clients(rapport, 5, prefix="Later")
    take_backup(path)
    rapport.close()
    fold_wal(path)
    index_root_flip(path).apply(path)

    again = RapportApp(config_dir=tmp_path / "config2")
    window = None
    try:
        assert again.open(path).ok  # the check runs after the open, off the GUI thread
        window, _tray = make_gui(again)
        qtbot.addWidget(window)
        qtbot.waitUntil(lambda: window.damage_dialog is not None, timeout=15000)
        dialog = window.damage_dialog
        assert again.book is None
        assert "(35 clients)" in dialog.informativeText()  # the newest good one first
        dialog.another_button.click()
        chooser = dialog.chooser
        assert isinstance(chooser, RestoreDialog)
        assert [r.clients for r in chooser.model.rows] == [35, 30]
        assert chooser.restore(chooser.model.rows[1])
        assert again.book is not None and count_clients(again.book) == 30
        assert window.windowTitle().startswith("My book")
        [aside] = path.parent.glob("rapport-damaged-*.db")
        assert aside.stat().st_size > 0
        assert older.path.exists()
    finally:
        if window is not None:
            window.close()
        again.close()


def test_a_window_that_cannot_read_a_damaged_book_still_comes_up_and_offers_a_backup(
    qtbot, rapport: RapportApp, tmp_path: Path
) -> None:
    """The verdict is in, but the GUI thread has not looked yet when the window
    first reads the broken client table."""
    add_clients(rapport, 30)
    assert rapport.book is not None
    path = rapport.book.path
    take_backup(path)
    rapport.close()
    fold_wal(path)
    table_root_flip(path).apply(path)

    again = RapportApp(config_dir=tmp_path / "config2")
    window = None
    try:
        assert again.open(path).ok
        assert again.book is not None and again.book.wait_checked(15) and again.book.damaged
        window, _tray = make_gui(again)
        qtbot.addWidget(window)
        # The window's first reads (Today, the counts) miss this damage; filling the
        # client list, once the rest has loaded, is what hits the broken table.
        window.finish_start()
        assert again.book is None
        dialog = window.damage_dialog
        assert dialog is not None and "(30 clients)" in dialog.informativeText()
        dialog.restore_button.click()
        assert again.book is not None and count_clients(again.book) == 30
    finally:
        if window is not None:
            window.close()
        again.close()


def test_the_network_warning_is_shown_once_per_book(qtbot, window, rapport, tmp_path) -> None:
    rapport.network_warning = "Your book is on a network drive (nfs4)."
    box = network_warning_once(rapport, window)
    assert box is not None and box.informativeText() == rapport.network_warning
    box.close()
    assert network_warning_once(rapport, window) is None
    later = RapportApp(config_dir=tmp_path / "config")  # the same settings file
    later.book, later.network_warning = rapport.book, rapport.network_warning
    assert network_warning_once(later, window) is None
