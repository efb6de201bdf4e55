"""The main window's shell: the sidebar and its pages, the status bar, the
window's geometry, and closing to the tray."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QByteArray, QSize, Qt, QTimer
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QWidget,
)

from models.reads import has_clients
from ui import autostart
from ui.app import APP_NAME, RapportApp
from ui.icons import app_icon, icon
from ui.kit.registry import bring_to_front

# The services (and SQLAlchemy under them) and the dialogs are imported where they are
# first used: the window is built and painted before they are loaded (ui/warmup.py).
if TYPE_CHECKING:
    from PySide6.QtWidgets import QMessageBox

    from ui.tray import RapportTray
from ui.main.common import (
    KEY_CLOSE_EXPLAINED,
    KEY_GEOMETRY,
    KEY_KEEP_IN_TRAY,
    KEY_NO_TRAY_TOLD,
    KEY_SHOW_ARCHIVED,
    KEY_SPLITTER,
    KEY_STATE,
    NO_TRAY,
    PAGE_CLIENTS,
    PAGE_ICONS,
    PAGE_INCIDENTS,
    PAGE_NAMES,
    PAGE_TODAY,
    STILL_RUNNING,
    UNDO_SECONDS,
)


class ShellMixin:
    """The frame around the pages, and how the window comes and goes.

    A part of MainWindow (ui/main/window.py): it works on the widgets and
    attributes the window's __init__ makes."""

    # The window's own (QMainWindow and the attributes __init__ sets).
    rapport: RapportApp
    _pages_built: bool

    def _make_sidebar(self) -> QListWidget:
        sidebar = QListWidget()
        sidebar.setAccessibleName("Pages")
        sidebar.setFrameShape(QFrame.Shape.NoFrame)
        sidebar.setSpacing(2)
        for i, name in enumerate(PAGE_NAMES):
            item = QListWidgetItem(icon(PAGE_ICONS[i]), name)
            item.setToolTip(f"{name} (Ctrl+{i + 1})")
            sidebar.addItem(item)
        sidebar.setIconSize(QSize(18, 18))
        sidebar.setFixedWidth(150)
        sidebar.setStyleSheet(
            "QListWidget { padding-top: 8px; outline: 0; }"
            "QListWidget::item { padding: 7px 12px; border: none; }"
            "QListWidget::item:selected { background: palette(highlight);"
            " color: palette(highlighted-text); }"
        )
        sidebar.setCurrentRow(PAGE_TODAY)
        return sidebar

    def _make_status_bar(self) -> None:
        status = self.statusBar()
        self.undo_bar = QWidget()
        row = QHBoxLayout(self.undo_bar)
        row.setContentsMargins(0, 0, 0, 0)
        self.undo_label = QLabel()
        self.undo_label.setTextFormat(Qt.TextFormat.PlainText)
        self.undo_button = QPushButton("Undo")
        self.undo_button.setToolTip("Take it back (Ctrl+Z)")
        self.undo_button.clicked.connect(self.undo)
        row.addWidget(self.undo_label)
        row.addWidget(self.undo_button)
        self.undo_bar.hide()
        status.addWidget(self.undo_bar)
        self.undo_timer = QTimer(self)
        self.undo_timer.setSingleShot(True)
        self.undo_timer.setInterval(UNDO_SECONDS * 1000)
        self.undo_timer.timeout.connect(self.undo_bar.hide)
        self.count_label = QLabel()
        status.addPermanentWidget(self.count_label)

    def _retitle(self) -> None:
        self.setWindowTitle(f"{self.rapport.title} — {APP_NAME}")

    def _has_clients(self) -> bool:
        book = self.rapport.book
        return book is not None and has_clients(book)

    def _choose_start_page(self) -> None:
        """Today is home once there is someone to keep in touch with, with the
        keyboard on its first row (not in the sidebar, where Down switches pages)."""
        if self._has_clients():
            self.show_today(focus=True)
        else:
            self.show_clients(focus=False)

    def current_page(self) -> int:
        return self.pages.currentIndex()

    def _on_page_chosen(self, row: int) -> None:
        if row in (PAGE_TODAY, PAGE_CLIENTS, PAGE_INCIDENTS):
            if row != PAGE_TODAY:
                self._build_pages()  # a page is never shown as its stand-in
                if self.isVisible():
                    self.finish_start()  # asked for before the warm-up got there
            self.pages.setCurrentIndex(row)
            self._update_actions()

    def show_today(self, focus: bool = True) -> None:
        self.sidebar.setCurrentRow(PAGE_TODAY)
        if focus:
            self.today_view.focus_list()

    def go_today(self) -> None:
        """Ctrl+1: Today with the keyboard on a row. (A slot of its own: triggered's
        ``checked`` argument, False, would otherwise arrive as ``focus``.)"""
        self.show_today(focus=True)

    def show_clients(self, focus: bool = True) -> None:
        self.sidebar.setCurrentRow(PAGE_CLIENTS)
        if focus and self.stack.currentWidget() is self.splitter:
            self.table.setFocus(Qt.FocusReason.OtherFocusReason)

    def show_incidents(self, focus: bool = True) -> None:
        self.sidebar.setCurrentRow(PAGE_INCIDENTS)
        if focus:
            self.incidents_view.focus_list()

    def open_client(self, client_id: int) -> None:
        """Show one client on the Clients page, from Today or the tray."""
        self.show_clients(focus=False)
        self._show_in_list(client_id)
        self.table.setFocus(Qt.FocusReason.OtherFocusReason)

    def _on_due_count(self, n: int) -> None:
        item = self.sidebar.item(PAGE_TODAY)
        if item is not None:
            item.setText(f"Today  ({n})" if n else "Today")

    def bring_to_front(self) -> None:
        """Another start asked for this book: show the window it is looking for."""
        bring_to_front(self)

    def save_settings(self) -> None:
        s = self.rapport.settings
        s.setValue(KEY_GEOMETRY, self.saveGeometry())
        s.setValue(KEY_STATE, self.saveState())
        if self._pages_built:  # else what was saved last time still holds
            from ui.client_columns import save_columns

            s.setValue(KEY_SPLITTER, self.splitter.saveState())
            save_columns(s, self.table, self.column_fitter)
        s.setValue(KEY_SHOW_ARCHIVED, self.show_archived_action.isChecked())
        s.sync()

    def restore_settings(self) -> None:
        s = self.rapport.settings
        geometry = s.value(KEY_GEOMETRY)
        if isinstance(geometry, QByteArray) and not geometry.isEmpty():
            self.restoreGeometry(geometry)
        state = s.value(KEY_STATE)
        if isinstance(state, QByteArray) and not state.isEmpty():
            self.restoreState(state)
        if self._pages_built:
            self._restore_page_settings()
        show_archived = s.value(KEY_SHOW_ARCHIVED, False, type=bool)
        self.show_archived_action.blockSignals(True)
        self.show_archived_action.setChecked(bool(show_archived))
        self.show_archived_action.blockSignals(False)

    def _restore_page_settings(self) -> None:
        """The splitter and the list's columns as saved (when the pages are built)."""
        from ui.client_columns import restore_columns

        s = self.rapport.settings
        splitter = s.value(KEY_SPLITTER)
        if isinstance(splitter, QByteArray) and not splitter.isEmpty():
            self.splitter.restoreState(splitter)
        # Columns by what is shown and their shares, never by pixels: a header state
        # saved at another scale (KEY_HEADER, from before) is left unread.
        restore_columns(s, self.table, self.column_fitter)

    def set_tray(self, tray: RapportTray) -> None:
        """Hook up the tray icon; without a system tray, say once what that means."""
        self.tray = tray
        self.settings_menu.addSeparator()
        self.settings_menu.addAction(tray.pause_action)
        self.keep_in_tray_action.setEnabled(tray.available)
        s = self.rapport.settings
        if not tray.available and not s.value(KEY_NO_TRAY_TOLD, False, type=bool):
            self.statusBar().showMessage(NO_TRAY, 20000)
            s.setValue(KEY_NO_TRAY_TOLD, True)
            s.sync()

    def keeps_running_in_tray(self) -> bool:
        return (
            not self.rapport.quitting
            and self.tray is not None
            and self.tray.available
            and self.keep_in_tray_action.isChecked()
        )

    def _on_keep_in_tray_toggled(self, on: bool) -> None:
        self.rapport.settings.setValue(KEY_KEEP_IN_TRAY, on)
        self.rapport.settings.sync()

    def set_autostart(self, on: bool) -> None:
        try:
            if on:
                book = self.rapport.book_path if not self.rapport.is_default_book else None
                autostart.enable(autostart.launch_command(book))
            else:
                autostart.disable()
        except OSError as exc:
            self._show_message(APP_NAME, f"The login entry could not be changed: {exc}.")
        self.autostart_action.blockSignals(True)
        self.autostart_action.setChecked(autostart.is_enabled())
        self.autostart_action.blockSignals(False)
        if on and autostart.is_enabled():
            self.statusBar().showMessage("Rapport will start in the tray when you log in.", 5000)

    def quit_app(self) -> None:
        """Quit for real, tray or not."""
        self.rapport.quit()
        self.close()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt API
        self.save_settings()
        if self.keeps_running_in_tray():
            event.ignore()
            self.hide()
            s = self.rapport.settings
            if self.tray is not None and not s.value(KEY_CLOSE_EXPLAINED, False, type=bool):
                self.tray.show_message("Rapport is still running", STILL_RUNNING)
                s.setValue(KEY_CLOSE_EXPLAINED, True)
                s.sync()
            return
        super().closeEvent(event)

    def _show_message(self, title: str, text: str) -> QMessageBox:
        from PySide6.QtWidgets import QMessageBox  # not needed for the first paint

        box = QMessageBox(QMessageBox.Icon.Information, title, text, parent=self)
        box.setTextFormat(Qt.TextFormat.PlainText)
        self.message_box = box
        box.open()
        return box

    def open_log_folder(self) -> None:
        """The log is where an error that was never shown can still be found."""
        from models.paths import log_dir
        from ui.crash import open_log_folder

        if not open_log_folder():
            self.statusBar().showMessage(f"The log folder is {log_dir()}", 10_000)

    def show_about(self) -> QMessageBox:
        from PySide6.QtWidgets import QMessageBox  # not needed for the first paint

        box = QMessageBox(self)
        box.setWindowTitle("About Rapport")
        box.setIconPixmap(app_icon().pixmap(64, 64))
        box.setText("<b>Rapport</b>")
        box.setInformativeText(
            "A client book for solo consultants. Everything stays in one file on this "
            "computer; nothing is sent anywhere."
        )
        self.message_box = box
        box.open()
        return box
