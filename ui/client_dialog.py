"""Create or edit one client.

The rules live in models.services.clients.validate_client; this dialog only shows
their answers next to the right field. Saving is one service call, so the book
gets the whole client or nothing, and a dialog with errors never closes.
"""

from __future__ import annotations

import logging
from dataclasses import replace

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractButton,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QFrame,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from models.changes import CLIENTS
from models.db import Book
from models.enums import ClientStatus
from models.services.clients import (
    ClientInput,
    all_tags,
    create_client,
    get_client,
    update_client,
    validate_client,
)
from ui.client_fields import (
    EMAIL_LABELS,
    PHONE_LABELS,
    CadenceEdit,
    ContactList,
    TagsEdit,
    split_tags,
)
from ui.client_table import STATUS_TEXT
from ui.forms import save_cancel_buttons
from ui.kit.forms import error_label, form_label, form_style, set_invalid, show_error
from ui.kit.screen import fit_on_show
from ui.ops import HasChanged, run_op

log = logging.getLogger(__name__)


class ClientDialog(QDialog):
    """New client when ``client_id`` is None, otherwise edit that client.

    ``saved`` carries the client's id once the book has it. Nothing is written
    before Save, and Save writes everything at once or nothing.
    """

    saved = Signal(int)

    def __init__(
        self,
        book: Book,
        client_id: int | None = None,
        parent: QWidget | None = None,
        *,
        rapport: HasChanged,
        default_cadence: int | None = None,
    ) -> None:
        """``default_cadence``: the rhythm a new client starts with (the setting)."""
        super().__init__(parent)
        self.book = book
        # Saves go through ui/ops.run_op, which tells the views (once) what changed.
        self.rapport = rapport
        self.client_id = client_id
        self.default_cadence = default_cadence
        self.discard_box: QMessageBox | None = None
        self.discard_button: QAbstractButton | None = None
        self._base = ClientInput(name="", cadence_days=default_cadence)
        self._live = False
        self._closing = False
        self.setStyleSheet(form_style())
        self.setMinimumWidth(540)

        self.general_error = error_label(reserve=True)

        self.name_edit = QLineEdit()
        self.name_edit.setPlaceholderText("Full name")
        self.organisation_edit = QLineEdit()
        self.organisation_edit.setPlaceholderText("Company or team")
        self.role_edit = QLineEdit()
        self.role_edit.setPlaceholderText("Their job, e.g. Head of Marketing")
        self.status_combo = QComboBox()
        for status in ClientStatus:
            self.status_combo.addItem(STATUS_TEXT[status], status)
        self.cadence_edit = CadenceEdit()
        self.emails = ContactList(EMAIL_LABELS, "name@example.com", "email", "Add email")
        self.phones = ContactList(PHONE_LABELS, "+44 20 7946 0000", "phone number", "Add phone")
        self.tags_edit = TagsEdit(all_tags(book))
        self.tags_edit.setPlaceholderText("e.g. retainer, design, London")
        self.notes_edit = QPlainTextEdit()
        self.notes_edit.setPlaceholderText("Anything worth remembering about this client")
        self.notes_edit.setTabChangesFocus(True)
        self.notes_edit.setMinimumHeight(90)

        self.error_labels: dict[str, QLabel] = {
            key: error_label(reserve=True)
            for key in ("name", "organisation", "role", "tags", "cadence_days")
        }
        self.fields: dict[str, QWidget] = {
            "name": self.name_edit,
            "organisation": self.organisation_edit,
            "role": self.role_edit,
            "tags": self.tags_edit,
            "cadence_days": self.cadence_edit.spin,
        }

        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.DontWrapRows)
        form.addRow(
            form_label("&Name", self.name_edit),
            self._with_error(self.name_edit, self.error_labels["name"]),
        )
        form.addRow(
            form_label("&Organisation", self.organisation_edit),
            self._with_error(self.organisation_edit, self.error_labels["organisation"]),
        )
        form.addRow(
            form_label("&Role", self.role_edit),
            self._with_error(self.role_edit, self.error_labels["role"]),
        )
        form.addRow(form_label("&Status", self.status_combo), self.status_combo)
        form.addRow(
            form_label("&Keep in touch", self.cadence_edit.combo),
            self._with_error(self.cadence_edit, self.error_labels["cadence_days"]),
        )
        form.addRow(self._separator())
        form.addRow(form_label("Email"), self.emails)
        form.addRow(form_label("Phone"), self.phones)
        form.addRow(self._separator())
        tags_hint = QLabel("Separate tags with commas.")
        tags_hint.setProperty("role", "hint")
        form.addRow(
            form_label("&Tags", self.tags_edit),
            self._with_error(self.tags_edit, self.error_labels["tags"], tags_hint),
        )
        form.addRow(form_label("N&otes", self.notes_edit), self.notes_edit)

        body = QWidget()
        body_layout = QVBoxLayout(body)
        body_layout.setContentsMargins(16, 16, 16, 8)
        body_layout.addWidget(self.general_error)
        body_layout.addLayout(form)
        body_layout.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(body)
        self.scroll = scroll

        self.buttons, self.save_button = save_cancel_buttons(self)
        self.cancel_button = self.buttons.button(QDialogButtonBox.StandardButton.Cancel)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 12)
        layout.addWidget(scroll, 1)
        button_row = QVBoxLayout()
        button_row.setContentsMargins(16, 0, 16, 0)
        button_row.addWidget(self.buttons)
        layout.addLayout(button_row)

        for seq in ("Ctrl+Return", "Ctrl+Enter"):
            QShortcut(QKeySequence(seq), self, self.accept)

        self._load()
        self._initial = self.to_input().cleaned()

        for edit in (self.name_edit, self.organisation_edit, self.role_edit, self.tags_edit):
            edit.textChanged.connect(self._revalidate)
        self.emails.edited.connect(self._revalidate)
        self.phones.edited.connect(self._revalidate)
        self.cadence_edit.edited.connect(self._revalidate)
        fit_on_show(self, QSize(600, 680))
        self.name_edit.setFocus(Qt.FocusReason.OtherFocusReason)

    @staticmethod
    def _with_error(field: QWidget, error: QLabel, hint: QLabel | None = None) -> QWidget:
        box = QWidget()
        v = QVBoxLayout(box)
        v.setContentsMargins(0, 0, 0, 0)
        v.setSpacing(2)
        v.addWidget(field)
        if hint is not None:
            v.addWidget(hint)
        v.addWidget(error)
        return box

    @staticmethod
    def _separator() -> QFrame:
        line = QFrame()
        line.setFrameShape(QFrame.Shape.HLine)
        line.setFrameShadow(QFrame.Shadow.Sunken)
        line.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        return line

    def _load(self) -> None:
        if self.client_id is None:
            self.setWindowTitle("New client")
            self.cadence_edit.set_days(self.default_cadence)
            self.emails.add_row()
            self.phones.add_row()
            return
        d = get_client(self.book, self.client_id)
        self._base = d.as_input()
        self.setWindowTitle(f"Edit {d.name}")
        self.name_edit.setText(d.name)
        self.organisation_edit.setText(d.organisation)
        self.role_edit.setText(d.role)
        self.status_combo.setCurrentIndex(max(0, self.status_combo.findData(d.status)))
        self.cadence_edit.set_days(d.cadence_days)
        for c in d.emails or [None]:
            self.emails.add_row(c)
        for c in d.phones or [None]:
            self.phones.add_row(c)
        self.tags_edit.setText(", ".join(d.tags))
        self.notes_edit.setPlainText(d.notes)

    def to_input(self) -> ClientInput:
        """The client as the form shows it.

        Built on top of the stored client, so fields this dialog does not show
        (added later, edited elsewhere) are carried through a save unchanged.
        """
        status = self.status_combo.currentData()
        return replace(
            self._base,
            name=self.name_edit.text(),
            organisation=self.organisation_edit.text(),
            role=self.role_edit.text(),
            emails=self.emails.contacts(),
            phones=self.phones.contacts(),
            tags=split_tags(self.tags_edit.text()),
            notes=self.notes_edit.toPlainText(),
            status=ClientStatus(status) if status is not None else ClientStatus.ACTIVE,
            cadence_days=self.cadence_edit.days(),
        )

    def has_changes(self) -> bool:
        return self.to_input().cleaned() != self._initial

    # -- errors ---------------------------------------------------------------

    def _ordered_targets(self) -> list[tuple[str, QWidget]]:
        """Every field that can carry an error, in the order the eye meets them."""
        targets: list[tuple[str, QWidget]] = [
            ("name", self.name_edit),
            ("organisation", self.organisation_edit),
            ("role", self.role_edit),
            ("cadence_days", self.cadence_edit.spin),
        ]
        targets += [(f"emails.{i}", r.value_edit) for i, r in enumerate(self.emails.filled_rows())]
        targets += [(f"phones.{i}", r.value_edit) for i, r in enumerate(self.phones.filled_rows())]
        targets.append(("tags", self.tags_edit))
        return targets

    def show_errors(self, errors: dict[str, str], *, focus: bool = True) -> None:
        """Put each message beside its field and, if asked, move to the first one."""
        for key, label in self.error_labels.items():
            show_error(label, errors.get(key))
            set_invalid(self.fields[key], key in errors)
        for prefix, contacts in (("emails", self.emails), ("phones", self.phones)):
            for row in contacts.rows:
                row.set_error(None)
            for i, row in enumerate(contacts.filled_rows()):
                row.set_error(errors.get(f"{prefix}.{i}"))
        known = {key for key, _w in self._ordered_targets()}
        # The notes have no line of their own: their message says whose it is.
        leftovers = [
            f"Notes: {msg}" if key == "notes" else msg
            for key, msg in errors.items()
            if key not in known
        ]
        show_error(self.general_error, " ".join(leftovers) or None)
        if not focus:
            return
        for key, widget in self._ordered_targets():
            if key in errors:
                widget.setFocus(Qt.FocusReason.OtherFocusReason)
                if isinstance(widget, QLineEdit):
                    widget.selectAll()
                self.scroll.ensureWidgetVisible(widget)
                break

    def _revalidate(self) -> None:
        """After a refused save, keep the messages true while the user fixes things."""
        if self._live:
            self.show_errors(validate_client(self.to_input()), focus=False)

    # -- save and close -------------------------------------------------------

    def _refuse(self, errors: dict[str, str]) -> None:
        """Show why Save was refused, and keep the messages true from now on."""
        self._live = True
        self.show_errors(errors)

    def save(self) -> bool:
        data = self.to_input()
        errors = validate_client(data)
        if errors:
            self._refuse(errors)
            return False

        def write() -> None:
            if self.client_id is None:
                self.client_id = create_client(self.book, data)
            else:
                update_client(self.book, self.client_id, data)

        if not run_op(
            self.rapport,
            write,
            changes=CLIENTS,
            initiator=self.parent(),
            refuse=self._refuse,
            explain=lambda message: show_error(self.general_error, message),
            failed=(
                "The client could not be saved; nothing was changed. Please try again in a moment."
            ),
            logger=log,
            log_message="Saving a client failed",
        ):
            return False
        self._closing = True
        self.saved.emit(self.client_id)
        super().accept()
        return True

    def accept(self) -> None:
        self.save()

    def reject(self) -> None:
        if self._closing or not self.has_changes():
            self._closing = True
            super().reject()
            return
        self._ask_discard()

    def _ask_discard(self) -> None:
        if self.discard_box is not None and self.discard_box.isVisible():
            return
        box = QMessageBox(self)
        box.setIcon(QMessageBox.Icon.Question)
        box.setWindowTitle("Discard changes?")
        box.setText("Discard changes?")
        box.setInformativeText("What you typed for this client will not be saved.")
        discard = box.addButton("Discard", QMessageBox.ButtonRole.DestructiveRole)
        keep = box.addButton("Keep editing", QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(keep)
        box.setEscapeButton(keep)
        self.discard_button = discard
        box.finished.connect(lambda _r: self._on_discard_answer(box))
        self.discard_box = box
        box.open()

    def _on_discard_answer(self, box: QMessageBox) -> None:
        if box.clickedButton() == self.discard_button:
            self._closing = True
            super().reject()
