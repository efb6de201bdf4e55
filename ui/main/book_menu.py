"""The book menu: the demo, your own book, restoring and backups, damage
offers, and the book-wide settings dialogs."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ui import autostart
from ui.app import APP_NAME, OpenOutcome, OpenStatus, RapportApp
from ui.main.common import KEY_KEEP_IN_TRAY

# The services (and SQLAlchemy under them) and the dialogs are imported where they are
# first used: the window is built and painted before they are loaded (ui/warmup.py).
if TYPE_CHECKING:
    from models.backups import DamageReport
    from ui.backup_dialog import RestoreDialog
    from ui.settings.window import SettingsWindow


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

    def open_settings(self, page: str | None = None) -> SettingsWindow | None:
        """The Settings window, on ``page`` (its key) or where the user left it.

        One window at a time: asked again, the open one comes forward on the page."""
        if self.rapport.book is None:
            return None
        window = self.settings_window
        if window is None or not window.isVisible():
            from ui.settings.window import SettingsWindow

            if window is not None:
                window.deleteLater()  # closed earlier: start from what is stored now
            tray = self.tray
            window = SettingsWindow(
                self.rapport,
                self,
                pause_action=tray.pause_action if tray is not None else None,
                tray_available=self.keep_in_tray_action.isEnabled(),
            )
            window.saved.connect(self._settings_saved)
            self.settings_window = window
            window.open()
        if page is not None:
            window.show_page(page)
        window.raise_()
        window.activateWindow()
        return window

    def _settings_saved(self, message: str) -> None:
        """The menu's switches follow what the Start at login page stored."""
        keep = self.rapport.settings.value(KEY_KEEP_IN_TRAY, True, type=bool)
        for action, on in (
            (self.keep_in_tray_action, keep),
            (self.autostart_action, autostart.is_enabled()),
        ):
            action.blockSignals(True)
            action.setChecked(bool(on))
            action.blockSignals(False)
        self.statusBar().showMessage(message, 5000)

    # The Settings menu's older entries open the window on their page.
    def show_settings(self) -> SettingsWindow | None:
        return self.open_settings()

    def your_details_dialog(self) -> SettingsWindow | None:
        return self.open_settings("details")

    def backup_settings(self) -> SettingsWindow | None:
        return self.open_settings("backups")

    def promise_hours_dialog(self) -> SettingsWindow | None:
        return self.open_settings("promises")

    def default_rhythm_dialog(self) -> SettingsWindow | None:
        """Settings › Default rhythm: the Reminders and rhythm page, not a dialog of
        its own (one Settings window, issue 16)."""
        return self.open_settings("reminders")
