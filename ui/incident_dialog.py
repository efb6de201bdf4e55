"""Report an incident: what went wrong, both sides of it, and a promise to answer.

The playbook's first step is to write the facts down without blame and to reply
fast with a promised full answer; so the client's view and ours are separate
fields, and the promise is ticked by default with the hours the user usually
gives. Rules come from validate_incident; nothing is saved while any remain.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from PySide6.QtCore import QSettings, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from models.changes import INCIDENTS
from models.enums import IncidentCategory, Severity
from models.incidents import CATEGORY_LABELS, DEFAULT_PROMISE_HOURS
from models.services.incidents import IncidentInput, open_incident, validate_incident
from ui.app import RapportApp
from ui.forms import save_cancel_buttons
from ui.incident_words import severity_text
from ui.kit.forms import Place, error_label, form_label, form_style, show_error, show_errors
from ui.kit.screen import fit_on_show
from ui.ops import run_op

if TYPE_CHECKING:
    from ui.touch_dialog import ClientPicker

log = logging.getLogger(__name__)

KEY_PROMISE_HOURS = "incidents/promise_hours"
PROMISE_HOURS_MAX = 24 * 14
# (field, label, placeholder): the four texts, both sides kept apart on purpose.
TEXTS = (
    ("client_view", "The &client's view", "What happened, as the client tells it"),
    ("our_view", "&Our view", "What happened, as we see it: facts, no blame"),
    ("our_mistakes", "What we got &wrong", "Name our own mistakes plainly"),
    (
        "client_contribution",
        "What the client &contributed",
        "Late feedback, silence, changing scope…",
    ),
)


def default_promise_hours(settings: QSettings) -> int:
    """The user's usual promise (Settings › Default response promise), 24 at first."""
    try:
        hours = int(settings.value(KEY_PROMISE_HOURS, DEFAULT_PROMISE_HOURS))
    except (TypeError, ValueError):
        hours = DEFAULT_PROMISE_HOURS
    return min(PROMISE_HOURS_MAX, max(1, hours))


def category_combo() -> QComboBox:
    combo = QComboBox()
    for category, label in CATEGORY_LABELS.items():
        combo.addItem(label, category.value)
    return combo


def severity_combo() -> QComboBox:
    combo = QComboBox()
    for severity in Severity:
        combo.addItem(severity_text(severity), severity.value)
    return combo


def text_edit(placeholder: str) -> QPlainTextEdit:
    edit = QPlainTextEdit()
    edit.setPlaceholderText(placeholder)
    edit.setTabChangesFocus(True)
    edit.setMinimumHeight(70)
    return edit


def what_went_wrong_form(
    title_edit: QLineEdit,
    title_error: QLabel,
    category_combo: QComboBox,
    severity_combo: QComboBox,
    severity_label: str,
) -> QFormLayout:
    """Title (with its error under it), then category and severity on one row: the
    same head for reporting an incident and for its window."""
    form = QFormLayout()
    form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
    title_box = QWidget()
    title_layout = QVBoxLayout(title_box)
    title_layout.setContentsMargins(0, 0, 0, 0)
    title_layout.setSpacing(2)
    title_layout.addWidget(title_edit)
    title_layout.addWidget(title_error)
    form.addRow(form_label("&Title", title_edit), title_box)
    kind_row = QHBoxLayout()
    kind_row.setContentsMargins(0, 0, 0, 0)
    kind_row.addWidget(category_combo, 1)
    kind_row.addSpacing(12)
    kind_row.addWidget(form_label(severity_label, severity_combo))
    kind_row.addWidget(severity_combo)
    kind_box = QWidget()
    kind_box.setLayout(kind_row)
    form.addRow(form_label("C&ategory", category_combo), kind_box)
    return form


class IncidentDialog(QDialog):
    """Open an incident for one client. ``saved`` carries the new incident's id."""

    saved = Signal(int)

    def __init__(
        self,
        rapport: RapportApp,
        client_id: int | None,
        client_name: str,
        parent: QWidget | None = None,
    ) -> None:
        """With no ``client_id`` (reported from the Incidents page), the dialog
        starts with a client picker, as the touch dialog does."""
        super().__init__(parent)
        self.rapport = rapport
        self.client_id = client_id
        self.incident_id: int | None = None
        self._live = False
        self.setStyleSheet(form_style())
        self.setWindowTitle(
            f"Report an incident with {client_name}" if client_id else "Report an incident"
        )
        self.setMinimumWidth(620)
        self.client_picker: ClientPicker | None = None
        self.client_error = error_label(reserve=True)
        if client_id is None:
            from ui.touch_dialog import ClientPicker

            self.client_picker = ClientPicker(rapport)
            self.client_picker.setAccessibleName("Client")

        self.general_error = error_label(reserve=True)
        self.title_edit = QLineEdit()
        self.title_edit.setPlaceholderText("e.g. Invoice 42 disputed")
        self.title_error = error_label(reserve=True)
        self.category_combo = category_combo()
        self.severity_combo = severity_combo()
        self.severity_combo.setCurrentIndex(self.severity_combo.findData(Severity.MEDIUM.value))

        self.texts: dict[str, QPlainTextEdit] = {}
        self.text_errors: dict[str, QLabel] = {}
        grid = QGridLayout()
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setHorizontalSpacing(12)
        grid.setVerticalSpacing(2)
        for i, (name, label, placeholder) in enumerate(TEXTS):
            edit = text_edit(placeholder)
            error = error_label(reserve=True)
            self.texts[name] = edit
            self.text_errors[name] = error
            row, col = divmod(i, 2)
            grid.addWidget(form_label(label, edit), row * 3, col)
            grid.addWidget(edit, row * 3 + 1, col)
            grid.addWidget(error, row * 3 + 2, col)

        self.promise_check = QCheckBox("&Promise a full answer within")
        self.promise_check.setChecked(True)
        self.promise_hours = QSpinBox()
        self.promise_hours.setRange(1, PROMISE_HOURS_MAX)
        self.promise_hours.setValue(default_promise_hours(rapport.settings))
        self.promise_hours.setSuffix(" hours")
        self.promise_hours.setAccessibleName("Hours until the full answer")
        self.promise_check.toggled.connect(self.promise_hours.setEnabled)
        promise_row = QHBoxLayout()
        promise_row.setContentsMargins(0, 0, 0, 0)
        promise_row.addWidget(self.promise_check)
        promise_row.addWidget(self.promise_hours)
        promise_row.addStretch(1)
        promise_hint = QLabel("A quick first reply with a set time buys room to answer well.")
        promise_hint.setProperty("role", "hint")
        promise_hint.setWordWrap(True)

        form = what_went_wrong_form(
            self.title_edit, self.title_error, self.category_combo, self.severity_combo, "&Severity"
        )
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)

        self.buttons, self.save_button = save_cancel_buttons(self, "Report incident")

        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 16, 16, 12)
        layout.addWidget(self.general_error)
        if self.client_picker is not None:
            form.insertRow(0, form_label("C&lient", self.client_picker), self.client_picker)
            form.insertRow(1, "", self.client_error)
        layout.addLayout(form)
        layout.addSpacing(6)
        layout.addLayout(grid)
        layout.addSpacing(6)
        layout.addLayout(promise_row)
        layout.addWidget(promise_hint)
        layout.addWidget(self.buttons)

        for seq in ("Ctrl+Return", "Ctrl+Enter"):
            QShortcut(QKeySequence(seq), self, self.accept)
        self.title_edit.textChanged.connect(self._revalidate)
        for edit in self.texts.values():
            edit.textChanged.connect(self._revalidate)
        if self.client_picker is not None:
            QWidget.setTabOrder(self.client_picker, self.title_edit)
            self.client_picker.setFocus(Qt.FocusReason.OtherFocusReason)
        else:
            self.title_edit.setFocus(Qt.FocusReason.OtherFocusReason)
        fit_on_show(self)

    # -- reading the form ------------------------------------------------------

    def to_input(self) -> IncidentInput:
        return IncidentInput(
            title=self.title_edit.text(),
            category=IncidentCategory(str(self.category_combo.currentData())),
            severity=Severity(str(self.severity_combo.currentData())),
            **{name: edit.toPlainText() for name, edit in self.texts.items()},
        )

    def promise(self) -> int | None:
        return self.promise_hours.value() if self.promise_check.isChecked() else None

    def chosen_client(self) -> int | None:
        if self.client_picker is None:
            return self.client_id
        return self.client_picker.client_id()

    def validate(self) -> dict[str, str]:
        errors = validate_incident(self.to_input())
        if self.chosen_client() is None:
            errors = {"client": "Choose the client this is about.", **errors}
        return errors

    def show_errors(self, errors: dict[str, str], *, focus: bool = True) -> None:
        places: list[Place] = []
        if self.client_picker is not None:
            places.append(("client", self.client_error, self.client_picker))
        places.append(("title", self.title_error, self.title_edit))
        places += [(n, self.text_errors[n], self.texts[n]) for n, _l, _p in TEXTS]
        show_errors(errors, places, self.general_error, focus=focus)

    def _revalidate(self) -> None:
        if self._live:
            self.show_errors(self.validate(), focus=False)

    def _refuse(self, errors: dict[str, str]) -> None:
        self._live = True
        self.show_errors(errors)

    # -- saving ---------------------------------------------------------------

    def save(self) -> bool:
        book = self.rapport.book
        data = self.to_input()
        errors = self.validate()
        client_id = self.chosen_client()
        if errors or book is None or client_id is None:
            self._refuse(errors or {"book": "No book is open."})
            return False
        hours = self.promise()
        self.client_id = client_id

        def write() -> None:
            self.incident_id = open_incident(
                book, client_id, data, promise_hours=hours, now=self.rapport.now()
            )

        def then() -> None:
            assert self.incident_id is not None
            self.saved.emit(self.incident_id)

        if not run_op(
            self.rapport,
            write,
            changes=INCIDENTS,
            initiator=self,
            refuse=self._refuse,
            explain=lambda message: show_error(self.general_error, message),
            failed="The incident could not be saved; nothing was changed. Please try again.",
            logger=log,
            log_message="Opening an incident failed",
            then=then,
        ):
            return False
        super().accept()
        return True

    def accept(self) -> None:
        self.save()
