"""Settings › Promises and working hours: how soon a new incident promises a full
answer, and (issue 17) the working week those promises are counted in.

The promise is an app setting (QSettings), as it was in its old dialog: it is how
this consultant likes to work, not part of one book.
"""

from __future__ import annotations

from PySide6.QtWidgets import QFormLayout, QSpinBox, QWidget

from ui.app import RapportApp
from ui.incident_dialog import KEY_PROMISE_HOURS, PROMISE_HOURS_MAX, default_promise_hours
from ui.kit.forms import form_label
from ui.settings.page import SettingsPage


class PromisesPage(SettingsPage):
    """The default response promise; ``working_form`` is where the working week,
    hours and country go once their service exists (models/, issue 17 part B)."""

    key = "promises"
    title = "Promises and working hours"
    icon_name = "clock"
    saved_message = "Your default promise is saved."

    def __init__(self, rapport: RapportApp, parent: QWidget | None = None) -> None:
        super().__init__(rapport, parent)
        self.add_note(
            "When you report an incident, Rapport offers to promise the client a full "
            "answer within this many hours. You can change it for each incident."
        )
        form = self.add_form()
        self.form = form
        self.promise_hours = QSpinBox()
        self.promise_hours.setRange(1, PROMISE_HOURS_MAX)
        self.promise_hours.setSuffix(" hours")
        self.promise_hours.setValue(default_promise_hours(rapport.settings))
        self.promise_hours.setAccessibleName("Default response promise in hours")
        form.addRow(form_label("Default &promise", self.promise_hours), self.promise_hours)
        # Working week, hours and public holidays: their fields are added here.
        self.working_form: QFormLayout = self.add_form()
        self.finish()

    def values(self) -> int:
        return self.promise_hours.value()

    def save(self) -> bool:
        hours = self.values()
        self.rapport.settings.setValue(KEY_PROMISE_HOURS, hours)
        self.rapport.settings.sync()
        self.saved_message = f"New incidents will promise an answer within {hours} hours."
        self.initial = hours
        self.saved.emit()
        return True
