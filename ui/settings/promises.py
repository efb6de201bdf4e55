"""Settings › Promises and working hours: how soon a new incident promises a full
answer, and the working week those promises are counted in.

The promise is an app setting (QSettings), as it was in its old dialog: it is how
this consultant likes to work, not part of one book.
"""

from __future__ import annotations

from PySide6.QtWidgets import QFormLayout, QSpinBox, QWidget

from models.changes import DATES, INCIDENTS, REMINDERS, SETTINGS, Changes
from models.services.work_settings import WorkSettings, get_work_settings, set_work_settings
from ui.app import RapportApp
from ui.incident_dialog import KEY_PROMISE_HOURS, PROMISE_HOURS_MAX, default_promise_hours
from ui.kit.forms import form_label, show_error
from ui.ops import run_op
from ui.settings.page import SettingsPage
from ui.settings.working_hours import WorkingHoursFields


class PromisesPage(SettingsPage):
    """The default response promise (an app setting) and the working week (in the
    book, models/services/work_settings.py)."""

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
        self.add_note(
            "Promises and the dates Rapport suggests keep to your working week: a "
            "promise made on Friday evening starts counting on Monday morning."
        )
        self.working_form: QFormLayout = self.add_form()
        book = rapport.book
        assert book is not None
        self.working = WorkingHoursFields(self.working_form, get_work_settings(book))
        self.finish()

    def values(self) -> tuple[int, WorkSettings]:
        return (self.promise_hours.value(), self.working.values())

    def save(self) -> bool:
        hours, work = self.values()
        book = self.rapport.book
        kept_work = getattr(self, "initial", (None, None))[1]
        restyled = DATES if kept_work is None or kept_work.locale != work.locale else Changes()
        if (
            work != kept_work
            and book is not None
            and not run_op(
                self.rapport,
                lambda: set_work_settings(book, work),
                # Due dates count working time; a new date style rewrites every date.
                changes=SETTINGS | REMINDERS | INCIDENTS | restyled,
                initiator=self,
                refuse=self.working.refuse,
                explain=lambda message: show_error(self.general_error, message),
                failed="Your working hours could not be saved; nothing was changed.",
                log_message="Saving the working week failed",
            )
        ):
            return False
        self.working.refuse({})
        self.rapport.settings.setValue(KEY_PROMISE_HOURS, hours)
        self.rapport.settings.sync()
        self.saved_message = (
            f"New incidents will promise an answer within {hours} hours."
            if work == kept_work
            else "Your promises and working hours are saved."
        )
        self.initial = (hours, work)
        self.saved.emit()
        return True
