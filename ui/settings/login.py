"""Settings › Start at login: start Rapport in the tray when you log in, and keep it
running there when its window is closed."""

from __future__ import annotations

import logging

from PySide6.QtWidgets import QCheckBox, QWidget

from ui import autostart
from ui.app import RapportApp
from ui.kit.forms import show_error
from ui.main.common import KEY_KEEP_IN_TRAY
from ui.settings.page import SettingsPage

log = logging.getLogger(__name__)


class StartAtLoginPage(SettingsPage):
    """Both switches; whether autostart is on is read from the login entry itself."""

    key = "login"
    title = "Start at login"
    icon_name = "log-in"
    saved_message = "Your start-up settings are saved."

    def __init__(
        self, rapport: RapportApp, parent: QWidget | None = None, *, tray_available: bool = True
    ) -> None:
        super().__init__(rapport, parent)
        self.add_note(
            "Reminders come from the tray, so they only reach you while Rapport runs. "
            "Starting it when you log in keeps them coming without a thought."
        )
        form = self.add_form()
        self.form = form
        self.autostart_check = QCheckBox("&Start Rapport in the tray when I log in")
        self.autostart_check.setChecked(autostart.is_enabled())
        form.addRow(self.autostart_check)
        self.keep_check = QCheckBox("&Keep running in the tray when the window is closed")
        self.keep_check.setChecked(bool(rapport.settings.value(KEY_KEEP_IN_TRAY, True, type=bool)))
        if not tray_available:
            self.keep_check.setEnabled(False)
            self.keep_check.setToolTip("This desktop shows no tray icons.")
        form.addRow(self.keep_check)
        self.finish()

    def values(self) -> tuple[bool, bool]:
        return (self.autostart_check.isChecked(), self.keep_check.isChecked())

    def save(self) -> bool:
        start, keep = self.values()
        try:
            if start and not autostart.is_enabled():
                rapport = self.rapport
                book = rapport.book_path if not rapport.is_default_book else None
                autostart.enable(autostart.launch_command(book))
            elif not start:
                autostart.disable()
        except OSError as exc:
            log.warning("The login entry could not be changed", exc_info=True)
            show_error(self.general_error, f"The login entry could not be changed: {exc}.")
            self.autostart_check.setChecked(autostart.is_enabled())
            return False
        show_error(self.general_error, None)
        self.rapport.settings.setValue(KEY_KEEP_IN_TRAY, keep)
        self.rapport.settings.sync()
        self.initial = self.values()
        self.saved.emit()
        return True
