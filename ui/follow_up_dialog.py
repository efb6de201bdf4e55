"""Add a follow-up: a dated promise to come back to a client about something.

Kept to three fields so it is as quick as jotting it on paper: what, when, and an
optional note. Snooze and done live on the Today row, where the follow-up shows up.
"""

from __future__ import annotations

import logging
from datetime import date

from PySide6.QtCore import Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from models.changes import REMINDERS
from models.services.reminders import add_follow_up
from models.services.work_settings import get_working_week
from models.working_time import default_day
from ui.app import RapportApp
from ui.date_edits import style_date_edit
from ui.kit.forms import error_label, form_label, form_style, set_invalid, show_error
from ui.kit.screen import fit_on_show
from ui.ops import run_op
from ui.touch_dialog import ClientPicker, from_qdate, to_qdate

log = logging.getLogger(__name__)

DEFAULT_DAYS_AHEAD = 7


class FollowUpDialog(QDialog):
    saved = Signal(int)

    def __init__(
        self, rapport: RapportApp, client_id: int | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.rapport = rapport
        self.follow_up_id: int | None = None
        self.setWindowTitle("Add a follow-up")
        self.setStyleSheet(form_style())

        self.client_picker = ClientPicker(rapport, self)
        if client_id is not None:
            self.client_picker.select_client(client_id)
        self.client_error = error_label(reserve=True)
        self.title_edit = QLineEdit()
        self.title_edit.setPlaceholderText("e.g. Send the revised quote")
        self.title_error = error_label(reserve=True)
        self.due_edit = QDateEdit(
            to_qdate(
                default_day(rapport.today(), DEFAULT_DAYS_AHEAD, get_working_week(rapport.book))
            )
        )
        self.due_edit.setCalendarPopup(True)
        style_date_edit(self.due_edit, weekday=True)
        self.note_edit = QPlainTextEdit()
        self.note_edit.setPlaceholderText("Optional: anything you want to remember then")
        self.note_edit.setTabChangesFocus(True)
        self.note_edit.setFixedHeight(80)
        self.general_error = error_label(reserve=True)

        form = QFormLayout()
        form.addRow(form_label("&Client", self.client_picker), self.client_picker)
        form.addRow("", self.client_error)
        form.addRow(form_label("&What", self.title_edit), self.title_edit)
        form.addRow("", self.title_error)
        form.addRow(form_label("&When", self.due_edit), self.due_edit)
        form.addRow(form_label("&Note", self.note_edit), self.note_edit)

        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.save_button = buttons.button(QDialogButtonBox.StandardButton.Save)
        QShortcut(QKeySequence("Ctrl+Return"), self, activated=self.accept)

        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.general_error)
        layout.addWidget(buttons)
        (self.title_edit if client_id is not None else self.client_picker).setFocus()
        fit_on_show(self)

    def due_on(self) -> date:
        return from_qdate(self.due_edit.date())

    def show_errors(self, errors: dict[str, str]) -> None:
        show_error(self.client_error, errors.get("client"))
        show_error(self.title_error, errors.get("title"))
        set_invalid(self.title_edit, "title" in errors)
        other = [v for k, v in errors.items() if k not in ("client", "title")]
        show_error(self.general_error, " ".join(other) or None)
        if "client" in errors:
            self.client_picker.setFocus()
        elif "title" in errors:
            self.title_edit.setFocus()

    def accept(self) -> None:
        """Save, or stay open with the reason next to the field; nothing half-saved."""
        book = self.rapport.book
        client_id = self.client_picker.client_id()
        if book is None or client_id is None:
            self.show_errors({"client": "Choose the client this follow-up is about."})
            return
        title, note, due = (
            self.title_edit.text(),
            self.note_edit.toPlainText().strip(),
            self.due_on(),
        )

        def write() -> None:
            self.follow_up_id = add_follow_up(
                book, client_id, title, due, note=note, now=self.rapport.now()
            )

        def then() -> None:
            assert self.follow_up_id is not None
            self.saved.emit(self.follow_up_id)

        if not run_op(
            self.rapport,
            write,
            changes=REMINDERS,
            initiator=self,
            refuse=self.show_errors,
            explain=lambda message: show_error(self.general_error, message),
            failed="The follow-up could not be saved; nothing was changed. Please try again.",
            logger=log,
            log_message="Adding a follow-up failed",
            then=then,
        ):
            return
        super().accept()
