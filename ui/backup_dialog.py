"""Backups in the app: the automatic ones, the restore list, and
what the user is told when a book turns out to be damaged or on a network drive.

The copying runs on a plain worker thread (models.backups opens its own sqlite3
connections there). That thread never touches Qt: it leaves its result in a field,
and a timer on the GUI thread collects it once the thread has ended (emitting Qt
signals with Python objects from a foreign thread crashed PySide 6.12 at exit).
Nothing here touches SQL.
"""

from __future__ import annotations

import hashlib
import logging
from pathlib import Path

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    Qt,
    Signal,
)
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from models.backups import (
    KIND_AUTO,
    KIND_BEFORE_RESTORE,
    KIND_BEFORE_UPGRADE,
    KIND_MANUAL,
    BackupInfo,
    DamageReport,
    clients_phrase,
    describe_time,
    list_backups,
    size_text,
)
from ui.app import APP_NAME, RapportApp
from ui.auto_backup import AutoBackup  # noqa: F401 - re-exported
from ui.item_models import ROW_FLAGS, AnyIndex, header_text
from ui.kit.forms import error_label, form_style, show_error
from ui.kit.screen import fit_on_show

log = logging.getLogger(__name__)

KIND_WORDS = {
    KIND_AUTO: "Automatic",
    KIND_MANUAL: "Taken by hand",
    KIND_BEFORE_UPGRADE: "Before an upgrade",
    KIND_BEFORE_RESTORE: "Before a restore",
}
KEY_NETWORK_TOLD = "network_warning_told"


# --- the restore list ---------------------------------------------------------------

HEADERS = ["Taken", "Clients", "Size", "Why"]


class BackupListModel(QAbstractTableModel):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.rows: list[BackupInfo] = []

    def set_rows(self, rows: list[BackupInfo]) -> None:
        self.beginResetModel()
        self.rows = rows
        self.endResetModel()

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: N802, B008 - Qt API
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: N802, B008 - Qt API
        return 0 if parent.isValid() else len(HEADERS)

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        # The root is no row: the model tester (and drag and drop) ask it too.
        return ROW_FLAGS if index.isValid() else Qt.ItemFlag.NoItemFlags

    def headerData(  # noqa: N802 - Qt API
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> str | None:
        return header_text(HEADERS, section, orientation, role)

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid():
            return None
        info = self.rows[index.row()]
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if col == 0:
                return describe_time(info.taken_at)
            if col == 1:
                return "?" if info.clients is None else str(info.clients)
            if col == 2:
                return size_text(info.size)
            why = KIND_WORDS.get(info.kind, "Older copy")
            return why if info.verified else f"{why} (not verified)"
        if role == Qt.ItemDataRole.TextAlignmentRole and col in (1, 2):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ToolTipRole:
            return str(info.path)
        return None


class RestoreDialog(QDialog):
    """File › Restore from a backup: pick a copy, confirm, and the book is replaced."""

    restored = Signal(str)  # what to tell the user

    def __init__(
        self, rapport: RapportApp, parent: QWidget | None = None, *, book_path: Path | None = None
    ) -> None:
        super().__init__(parent)
        self.rapport = rapport
        # The open book, or one that was just set aside as damaged (no book is open then).
        self.book_path = book_path if book_path is not None else rapport.book_path
        self.confirm: QMessageBox | None = None
        self.notice: QMessageBox | None = None  # after a restore that lacked files
        self.setStyleSheet(form_style())
        self.setWindowTitle("Restore from a backup")
        self.setMinimumSize(560, 340)
        self.model = BackupListModel(self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.setShowGrid(False)
        self.table.setAccessibleName("Backups")
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for col in (1, 2, 3):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
        self.table.doubleClicked.connect(lambda _i: self.ask_to_restore())
        self.intro = QLabel(
            "Pick the copy to go back to. Your book as it is now is backed up first, "
            "so you can always come back to it."
        )
        self.intro.setWordWrap(True)
        self.empty = QLabel(
            "There are no backups of this book yet. Rapport makes one when you start it "
            "and every half hour while you work."
        )
        self.empty.setWordWrap(True)
        self.error = error_label(reserve=True)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.restore_button = QPushButton("Restore…")
        self.buttons.addButton(self.restore_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.restore_button.clicked.connect(self.ask_to_restore)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.empty)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._update())
        self.reload()
        fit_on_show(self)

    def reload(self) -> None:
        rows = list_backups(self.book_path) if self.book_path is not None else []
        self.model.set_rows(rows)
        self.empty.setVisible(not rows)
        self.table.setVisible(bool(rows))
        if rows:
            self.table.selectRow(0)
            self.table.setFocus()
        self._update()

    def _update(self) -> None:
        self.restore_button.setEnabled(self.selected() is not None)

    def selected(self) -> BackupInfo | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.rows[rows[0].row()] if rows else None

    def ask_to_restore(self) -> QMessageBox | None:
        info = self.selected()
        if info is None:
            return None
        box = QMessageBox(self)
        box.setIcon(QMessageBox.Icon.Question)
        box.setWindowTitle("Restore this backup?")
        box.setText(
            f"Replace your book with the backup from {describe_time(info.taken_at)}"
            f"{clients_phrase(info.clients)}?"
        )
        box.setInformativeText(
            "Anything you changed since then will no longer be in the book, but your book "
            "as it is now is saved as a backup first."
        )
        restore = box.addButton("Restore", QMessageBox.ButtonRole.AcceptRole)
        box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(restore)
        restore.clicked.connect(lambda: self.restore(info))
        self.confirm = box
        box.open()
        return box

    def restore(self, info: BackupInfo) -> bool:
        QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            outcome = self.rapport.restore(info.path, self.book_path)
        finally:
            QGuiApplication.restoreOverrideCursor()
        if not outcome.ok:
            show_error(self.error, outcome.message)
            self.reload()
            return False
        if outcome.missing_evidence:
            self.notice = missing_evidence_notice(outcome.missing_evidence, self.parentWidget())
            self.notice.open()
        self.restored.emit(outcome.message)
        self.accept()
        return True


LISTED_MISSING = 12  # names in the notice itself; all of them under "Show Details"


def missing_evidence_notice(names: tuple[str, ...], parent: QWidget | None) -> QMessageBox:
    """Says that a restore brought the data back without some evidence files, and
    which: the clients are there, and the user can look for the files by name."""
    n = len(names)
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Information)
    box.setWindowTitle("Backup restored")
    box.setText(
        f"Your clients and records are back, but {n} evidence "
        f"file{'s' if n != 1 else ''} the backup refers to {'are' if n != 1 else 'is'} "
        "not in the attachments folder (or no longer match what was attached)."
    )
    shown = "\n".join(f"• {name}" for name in names[:LISTED_MISSING])
    more = n - LISTED_MISSING
    if more > 0:
        shown += f"\n…and {more} more (Show Details lists them all)."
    box.setInformativeText(
        f"{shown}\n\nIf you have a copy of one, attach it again to its incident "
        "and it is whole again."
    )
    if more > 0:
        box.setDetailedText("\n".join(names))
    box.setStandardButtons(QMessageBox.StandardButton.Ok)
    return box


# --- a damaged book -----------------------------------------------------------------


class DamagedBookDialog(QMessageBox):
    """Says what happened to a damaged book and offers its newest good backup.

    ``choice`` is "restore", "another", "empty" or "quit" once a button is pressed.
    """

    def __init__(self, report: DamageReport, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.report = report
        self.choice: str | None = None
        # What the choice led to, kept so it is not garbage-collected (and for tests).
        self.failure: QMessageBox | None = None
        self.chooser: RestoreDialog | None = None
        self.notice: QMessageBox | None = None
        self.setIcon(QMessageBox.Icon.Warning)
        self.setWindowTitle(APP_NAME)
        self.setText("This book is damaged, so Rapport stopped before changing anything.")
        kept = (
            f"The damaged file was set aside, unchanged, as {report.kept_as.name} in "
            f"{report.kept_as.parent}."
            if report.kept_as is not None
            else "The damaged file was left where it is."
        )
        details = f"SQLite's check found: {report.reason}."
        if report.backup is not None:
            offer = (
                f"Your newest good backup is from {describe_time(report.backup.taken_at)}"
                f"{clients_phrase(report.backup.clients)}. Restore it now?"
            )
            self.restore_button = self.addButton(
                "Restore this backup", QMessageBox.ButtonRole.AcceptRole
            )
            self.another_button: QPushButton | None = self.addButton(
                "Choose another…", QMessageBox.ButtonRole.ActionRole
            )
            self.setDefaultButton(self.restore_button)
        else:
            offer = (
                "There is no backup of it to restore. You can start a new, empty book in "
                "its place; the damaged file stays where it was set aside."
            )
            self.restore_button = self.addButton(
                "Start an empty book", QMessageBox.ButtonRole.AcceptRole
            )
            self.another_button = None
        self.quit_button = self.addButton("Quit", QMessageBox.ButtonRole.RejectRole)
        self.setInformativeText(f"{kept}\n\n{offer}")
        self.setDetailedText(details)
        self.buttonClicked.connect(self._chosen)

    def _chosen(self, button: object) -> None:
        if button is self.restore_button:
            self.choice = "restore" if self.report.backup is not None else "empty"
        elif button is self.another_button:
            self.choice = "another"
        else:
            self.choice = "quit"


def _show(dialog: QDialog, *, modal: bool) -> None:
    if modal:
        dialog.exec()
    else:
        dialog.open()


def offer_backup(
    rapport: RapportApp, report: DamageReport, parent: QWidget | None
) -> DamagedBookDialog:
    """The damaged-book dialog, wired to act on the user's choice.

    With a parent (the window) it opens without blocking; without one (start-up,
    before any window) the caller runs it with ``exec()`` and every step it leads to
    is modal too.
    """
    dialog = DamagedBookDialog(report, parent)

    def act(_button: object) -> None:
        choice = dialog.choice
        if choice == "restore" and report.backup is not None:
            QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
            try:
                outcome = rapport.restore(report.backup.path, report.book)
            finally:
                QGuiApplication.restoreOverrideCursor()
            if not outcome.ok:
                dialog.failure = QMessageBox(QMessageBox.Icon.Warning, APP_NAME, outcome.message)
                _show(dialog.failure, modal=parent is None)
            elif outcome.missing_evidence:
                dialog.notice = missing_evidence_notice(outcome.missing_evidence, parent)
                _show(dialog.notice, modal=parent is None)
        elif choice == "another":
            dialog.chooser = RestoreDialog(rapport, parent, book_path=report.book)
            _show(dialog.chooser, modal=parent is None)
        elif choice == "empty":
            rapport.open_in_place(report.book)
        elif choice == "quit":
            rapport.quit()

    dialog.buttonClicked.connect(act)
    if parent is not None:
        dialog.open()
    return dialog


# --- a book on a network drive ------------------------------------------------------


def network_warning_once(rapport: RapportApp, parent: QWidget | None) -> QMessageBox | None:
    """Warn about a book on a network file system, once per book."""
    book = rapport.book
    warning = rapport.network_warning
    if book is None or not warning:
        return None
    key = f"{KEY_NETWORK_TOLD}/{hashlib.sha256(str(book.path).encode()).hexdigest()[:16]}"
    if rapport.settings.value(key, False, type=bool):
        return None
    rapport.settings.setValue(key, True)
    rapport.settings.sync()
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Warning)
    box.setWindowTitle(APP_NAME)
    box.setText("This book is on a network drive.")
    box.setInformativeText(warning)
    box.open()
    return box
