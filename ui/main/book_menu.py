"""The book menu: the demo, your own book, restoring and backups, damage
offers, and the book-wide settings dialogs."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import (
    QInputDialog,
)

from ui.app import APP_NAME, OpenOutcome, OpenStatus, RapportApp
from ui.kit.screen import fit_on_show

# The services (and SQLAlchemy under them) and the dialogs are imported where they are
# first used: the window is built and painted before they are loaded (ui/warmup.py).
if TYPE_CHECKING:
    from models.backups import DamageReport
    from ui.backup_dialog import BackupSettingsDialog, RestoreDialog
    from ui.settings_dialog import SettingsDialog


class BookMenuMixin:
    """What acts on the whole book rather than one client.

    A part of MainWindow (ui/main/window.py): it works on the widgets and
    attributes the window's __init__ makes."""

    # The window's own (QMainWindow and the attributes __init__ sets).
    rapport: RapportApp

    def restore_from_backup(self) -> RestoreDialog | None:
        """File › Restore from a backup: the list of backups, newest first."""
        if self.rapport.book is None:
            return None
        from ui.backup_dialog import RestoreDialog

        dialog = RestoreDialog(self.rapport, self)
        dialog.restored.connect(lambda message: self.statusBar().showMessage(message, 10000))
        self.restore_dialog = dialog
        dialog.open()
        return dialog

    def backup_settings(self) -> BackupSettingsDialog | None:
        """Settings › Backups: how many daily, weekly and monthly copies to keep."""
        if self.rapport.book is None:
            return None
        from ui.backup_dialog import BackupSettingsDialog

        dialog = BackupSettingsDialog(self.rapport, self)
        dialog.saved.connect(lambda: self.statusBar().showMessage("Backup settings saved.", 4000))
        self.backup_settings_dialog = dialog
        dialog.open()
        return dialog

    def on_backup_finished(self, info: object) -> None:
        if info is not None:
            self.statusBar().showMessage("Your book was backed up.", 4000)

    def on_backup_failed(self, message: str) -> None:
        self.statusBar().showMessage(message, 30000)

    def _on_damaged(self, report: DamageReport) -> None:
        """The open book failed its check after the window came up: offer a backup."""
        from ui.backup_dialog import offer_backup

        if self.rapport.pending_damage is report:
            self.rapport.pending_damage = None
        self.bring_to_front()
        self.damage_dialog = offer_backup(self.rapport, report, self)
        self._retitle()
        self._update_actions()

    def _after_open(self, outcome: OpenOutcome, what: str) -> None:
        if outcome.status is OpenStatus.HANDED_OVER:
            self.statusBar().showMessage(f"{what} is open in another window.", 6000)
        elif outcome.status is OpenStatus.FAILED and outcome.damage is not None:
            from ui.backup_dialog import offer_backup

            self.damage_dialog = offer_backup(self.rapport, outcome.damage, self)
        elif outcome.status is OpenStatus.FAILED:
            self._show_message(APP_NAME, outcome.message)
        self._retitle()
        self._update_actions()

    def open_demo(self) -> None:
        self._after_open(self.rapport.open_demo(), "The demo book")

    def open_my_book(self) -> None:
        self._after_open(self.rapport.open_default(), "Your book")

    def promise_hours_dialog(self) -> QInputDialog:
        """Settings › Default response promise: the hours a new incident offers."""
        from ui.incident_dialog import PROMISE_HOURS_MAX, default_promise_hours

        dialog = QInputDialog(self)
        dialog.setWindowTitle("Default response promise")
        dialog.setLabelText("Promise a full answer within (hours):")
        dialog.setInputMode(QInputDialog.InputMode.IntInput)
        dialog.setIntRange(1, PROMISE_HOURS_MAX)
        dialog.setIntValue(default_promise_hours(self.rapport.settings))
        dialog.intValueSelected.connect(self._set_promise_hours)
        fit_on_show(dialog)
        dialog.open()
        return dialog

    def _set_promise_hours(self, hours: int) -> None:
        from ui.incident_dialog import KEY_PROMISE_HOURS

        self.rapport.settings.setValue(KEY_PROMISE_HOURS, hours)
        self.rapport.settings.sync()
        self.statusBar().showMessage(
            f"New incidents will promise an answer within {hours} hours.", 5000
        )

    def your_details_dialog(self) -> SettingsDialog | None:
        """Settings › Your details: who "we" are on every agreement."""
        if self.rapport.book is None:
            return None
        from ui.settings_dialog import SettingsDialog

        dialog = SettingsDialog(self.rapport, self)
        dialog.saved.connect(lambda: self.statusBar().showMessage("Your details are saved.", 4000))
        self.settings_dialog = dialog
        fit_on_show(dialog)
        dialog.open()
        return dialog
