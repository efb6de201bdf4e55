"""Settings › Insurer: the professional indemnity insurer, so a notice from the
repair wizard is quick to write when a client heads for a claim."""

from __future__ import annotations

import logging

from PySide6.QtWidgets import QLabel, QLineEdit, QVBoxLayout, QWidget

from models.changes import AGREEMENTS
from models.services.insurer import InsurerDetails, get_insurer, set_insurer
from ui.app import RapportApp
from ui.kit.forms import error_label, form_label, set_invalid, show_error
from ui.ops import run_op
from ui.settings.page import SettingsPage

log = logging.getLogger(__name__)

# What the book keeps per field (the service stores text; a limit keeps it sane).
MAX_CHARS = 1000


class InsurerPage(SettingsPage):
    """Who to tell about a possible claim, kept in the book."""

    key = "insurer"
    title = "Insurer"
    icon_name = "shield-check"
    saved_message = "Your insurer's details are saved."

    def __init__(self, rapport: RapportApp, parent: QWidget | None = None) -> None:
        super().__init__(rapport, parent)
        book = rapport.book
        assert book is not None
        kept = get_insurer(book)
        self.add_note(
            "The repair wizard fills these in when a client may claim, so your "
            "notice to the insurer is quick to write."
        )
        form = self.add_form()
        self.form = form
        self.insurer_fields: dict[str, QLineEdit] = {}
        self.errors: dict[str, QLabel] = {}
        for key, label, hint, value in (
            ("insurer_name", "&Insurer", "Professional indemnity insurer", kept.name),
            ("insurer_policy", "Polic&y number", "As on your certificate", kept.policy),
            ("insurer_contact", "Claims &contact", "Email, phone or address", kept.contact),
        ):
            edit = QLineEdit(value)
            edit.setPlaceholderText(hint)
            self.insurer_fields[key] = edit
            box = QWidget()
            column = QVBoxLayout(box)
            column.setContentsMargins(0, 0, 0, 0)
            column.setSpacing(2)
            column.addWidget(edit)
            error = error_label()
            column.addWidget(error)
            self.errors[key] = error
            form.addRow(form_label(label, edit), box)
        self.finish()

    def values(self) -> InsurerDetails:
        f = self.insurer_fields
        return InsurerDetails(
            name=f["insurer_name"].text(),
            policy=f["insurer_policy"].text(),
            contact=f["insurer_contact"].text(),
        )

    def _refuse(self, errors: dict[str, str]) -> None:
        for key, label in self.errors.items():
            show_error(label, errors.get(key))
            set_invalid(self.insurer_fields[key], key in errors)
        others = " ".join(m for k, m in errors.items() if k not in self.errors)
        show_error(self.general_error, others)

    def save(self) -> bool:
        book = self.rapport.book
        if book is None:
            return False
        too_long = {
            key: f"Keep this under {MAX_CHARS} characters."
            for key, edit in self.insurer_fields.items()
            if len(edit.text().strip()) > MAX_CHARS
        }
        self._refuse(too_long)
        if too_long:
            return False
        insurer = self.values()

        def then() -> None:
            self.initial = self.values()
            self.saved.emit()

        return run_op(
            self.rapport,
            lambda: set_insurer(book, insurer),
            changes=AGREEMENTS,
            initiator=self,
            refuse=self._refuse,
            explain=lambda message: show_error(self.general_error, message),
            failed="The insurer's details could not be saved; nothing was changed.",
            logger=log,
            log_message="Saving the insurer's details failed",
            then=then,
        )
