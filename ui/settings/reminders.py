"""Settings › Reminders and rhythm: how Rapport reminds you, and (issue 16 part B)
the rhythm new and imported clients start with."""

from __future__ import annotations

from PySide6.QtGui import QAction
from PySide6.QtWidgets import QCheckBox, QComboBox, QWidget

from models.reminders import cadence_label
from ui.app import RapportApp
from ui.kit.forms import form_label
from ui.rhythm_setting import (
    choices,
    default_cadence,
    rhythm_phrase_for_new,
    set_default_cadence,
)
from ui.settings.page import SettingsPage


class RemindersPage(SettingsPage):
    """Pausing the tray's reminders, and the rhythm new clients start with.

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
        # The rhythm new and imported clients start with (ui/rhythm_setting.py).
        self.rhythm_combo = QComboBox()
        current = default_cadence(rapport.settings)
        options = choices()
        if current is not None and current not in dict(options).values():
            options.append((cadence_label(current), current))
        for label, days in options:
            self.rhythm_combo.addItem(label, days)
        self.rhythm_combo.setCurrentIndex(max(0, self.rhythm_combo.findData(current)))
        self.form.addRow(form_label("New clients' &rhythm", self.rhythm_combo), self.rhythm_combo)
        self.finish()

    def values(self) -> tuple[bool, int | None]:
        return (self.pause_check.isChecked(), self.rhythm_combo.currentData())

    def save(self) -> bool:
        paused, rhythm = self.values()
        # Saved alone, a new rhythm is said in words ("…: every 2 weeks."), as the
        # import preview says it.
        self.saved_message = (
            rhythm_phrase_for_new(rhythm)
            if rhythm != self.initial[1]
            else RemindersPage.saved_message
        )
        if self.pause_action is not None:
            self.pause_action.setChecked(paused)
        set_default_cadence(self.rapport.settings, rhythm)
        self.initial = self.values()
        self.saved.emit()
        return True
