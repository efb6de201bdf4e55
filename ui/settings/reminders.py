"""Settings › Reminders and rhythm: how Rapport reminds you, and (issue 16 part B)
the rhythm new and imported clients start with."""

from __future__ import annotations

from PySide6.QtGui import QAction
from PySide6.QtWidgets import QCheckBox, QWidget

from ui.app import RapportApp
from ui.settings.page import SettingsPage


class RemindersPage(SettingsPage):
    """Pausing the tray's reminders; ``form`` is where the default rhythm goes once
    its setting exists in models/.

    The pause belongs to the tray (ui/tray.py keeps it): the page works its action,
    so the tray's menu and this page can never disagree."""

    key = "reminders"
    title = "Reminders and rhythm"
    icon_name = "bell"
    saved_message = "Your reminder settings are saved."

    def __init__(
        self,
        rapport: RapportApp,
        parent: QWidget | None = None,
        *,
        pause_action: QAction | None = None,
    ) -> None:
        super().__init__(rapport, parent)
        self.pause_action = pause_action
        self.add_note(
            "Rapport reminds you from the tray when a client is due a touch, once a day "
            "for each client. The Today page always lists everyone who is due."
        )
        self.form = self.add_form()
        self.pause_check = QCheckBox("&Pause reminders until tomorrow")
        if pause_action is None:
            self.pause_check.setEnabled(False)
            self.pause_check.setToolTip("Reminders come from the tray, which is not running.")
        else:
            self.pause_check.setChecked(pause_action.isChecked())
        self.form.addRow(self.pause_check)
        self.finish()

    def values(self) -> bool:
        return self.pause_check.isChecked()

    def save(self) -> bool:
        if self.pause_action is not None:
            self.pause_action.setChecked(self.values())
        self.initial = self.values()
        self.saved.emit()
        return True
