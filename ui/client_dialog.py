"""Create or edit one client.

The rules live in models.services.clients.validate_client; this dialog only shows
their answers next to the right field. Saving is one service call, so the book
gets the whole client or nothing, and a dialog with errors never closes.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import replace

from PySide6.QtCore import QStringListModel, Qt, Signal
from PySide6.QtGui import QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractButton,
    QComboBox,
    QCompleter,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QFrame,
    QGridLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from models.db import Book
from models.enums import ClientStatus
from models.reminders import CADENCE_MAX_DAYS, CADENCE_PRESETS
from models.services.clients import (
    ClientInput,
    Contact,
    all_tags,
    create_client,
    get_client,
    update_client,
    validate_client,
)
from ui.client_table import STATUS_TEXT
from ui.forms import save_cancel_buttons, save_or_explain
from ui.kit.forms import STYLE, error_label, form_label, set_invalid, show_error

log = logging.getLogger(__name__)

# Stored as typed; lower case like the rest of the book's data, capitalised on display.
EMAIL_LABELS = ("work", "home", "other")
PHONE_LABELS = ("mobile", "work", "home", "other")
class ContactRow(QWidget):
    """One email address or phone number: a label, the value, a way to remove it."""

    edited = Signal()
    remove_requested = Signal(object)

    def __init__(
        self, labels: Sequence[str], placeholder: str, noun: str, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.label_combo = QComboBox()
        self.label_combo.setEditable(True)
        self.label_combo.addItems(list(labels))
        self.label_combo.setToolTip(f"What kind of {noun} this is; type your own if you like.")
        self.label_combo.setMinimumContentsLength(7)
        self.label_combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.value_edit = QLineEdit()
        self.value_edit.setPlaceholderText(placeholder)
        self.remove_button = QPushButton("Remove")
        self.remove_button.setToolTip(f"Remove this {noun}")
        self.remove_button.setAutoDefault(False)
        self.error_label = error_label()

        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setHorizontalSpacing(6)
        grid.setVerticalSpacing(2)
        grid.addWidget(self.label_combo, 0, 0)
        grid.addWidget(self.value_edit, 0, 1)
        grid.addWidget(self.remove_button, 0, 2)
        grid.addWidget(self.error_label, 1, 1, 1, 2)
        grid.setColumnStretch(1, 1)

        self.value_edit.textChanged.connect(self.edited)
        self.label_combo.currentTextChanged.connect(self.edited)
        self.remove_button.clicked.connect(lambda: self.remove_requested.emit(self))

    @property
    def value(self) -> str:
        return self.value_edit.text()

    @property
    def label(self) -> str:
        return self.label_combo.currentText()

    def contact(self) -> Contact:
        return Contact(self.value, self.label)

    def set_error(self, message: str | None) -> None:
        show_error(self.error_label, message)
        set_invalid(self.value_edit, bool(message))


class ContactList(QWidget):
    """Several contact rows and an "Add …" button below them."""

    edited = Signal()

    def __init__(
        self,
        labels: Sequence[str],
        placeholder: str,
        noun: str,
        add_text: str,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._labels = tuple(labels)
        self._placeholder = placeholder
        self._noun = noun
        self.rows: list[ContactRow] = []
        self._rows_layout = QVBoxLayout()
        self._rows_layout.setContentsMargins(0, 0, 0, 0)
        self._rows_layout.setSpacing(4)
        self.add_button = QPushButton(add_text)
        self.add_button.setAutoDefault(False)
        self.add_button.clicked.connect(self._add_and_focus)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addLayout(self._rows_layout)
        layout.addWidget(self.add_button, 0, Qt.AlignmentFlag.AlignLeft)

    def add_row(self, contact: Contact | None = None) -> ContactRow:
        row = ContactRow(self._labels, self._placeholder, self._noun, self)
        if contact is not None:
            row.value_edit.setText(contact.value)
            row.label_combo.setCurrentText(contact.label)
        row.edited.connect(self.edited)
        row.remove_requested.connect(self.remove_row)
        self.rows.append(row)
        self._rows_layout.addWidget(row)
        row.show()  # now, not on the layout's queued show: it may get an error at once
        self.edited.emit()
        return row

    def remove_row(self, row: ContactRow) -> None:
        if row not in self.rows:
            return
        index = self.rows.index(row)
        self.rows.remove(row)
        self._rows_layout.removeWidget(row)
        row.hide()
        row.deleteLater()
        # Keep the keyboard somewhere sensible instead of losing focus to nothing.
        if self.rows:
            self.rows[min(index, len(self.rows) - 1)].value_edit.setFocus()
        else:
            self.add_button.setFocus()
        self.edited.emit()

    def _add_and_focus(self) -> None:
        self.add_row().value_edit.setFocus()

    def contacts(self) -> list[Contact]:
        return [r.contact() for r in self.rows]

    def filled_rows(self) -> list[ContactRow]:
        """Rows that count for validation: the service numbers only non-blank ones."""
        return [r for r in self.rows if r.value.strip()]


NO_REMINDER = "No reminder"
CUSTOM = "Custom…"
CUSTOM_DEFAULT_DAYS = 45


class CadenceEdit(QWidget):
    """How often to stay in touch: no reminder, a preset, or any number of days.

    The spin box only shows for "Custom…", so the common choices stay one click.
    """

    edited = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.combo = QComboBox()
        self.combo.addItem(NO_REMINDER, None)
        for label, days in CADENCE_PRESETS.items():
            self.combo.addItem(label, days)
        self.combo.addItem(CUSTOM, -1)
        self.combo.setToolTip("Rapport reminds you when it is time to get in touch again.")
        self.spin = QSpinBox()
        self.spin.setRange(1, CADENCE_MAX_DAYS)
        self.spin.setValue(CUSTOM_DEFAULT_DAYS)
        self.spin.setPrefix("every ")
        self.spin.setSuffix(" days")
        self.spin.setAccessibleName("Days between touches")
        self.spin.hide()
        row = QGridLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.setHorizontalSpacing(6)
        row.addWidget(self.combo, 0, 0)
        row.addWidget(self.spin, 0, 1)
        row.setColumnStretch(2, 1)
        self.combo.currentIndexChanged.connect(self._on_choice)
        self.spin.valueChanged.connect(self.edited)
        self.setFocusProxy(self.combo)

    def is_custom(self) -> bool:
        return self.combo.currentData() == -1

    def _on_choice(self) -> None:
        custom = self.is_custom()
        self.spin.setVisible(custom)
        if custom:
            self.spin.setFocus(Qt.FocusReason.OtherFocusReason)
            self.spin.selectAll()
        self.edited.emit()

    def days(self) -> int | None:
        if self.is_custom():
            return self.spin.value()
        data = self.combo.currentData()
        return int(data) if data is not None else None

    def set_days(self, days: int | None) -> None:
        if days is None:
            self.combo.setCurrentIndex(0)
            return
        index = self.combo.findData(days)
        if index > 0 and index < self.combo.count() - 1:
            self.combo.setCurrentIndex(index)
            return
        self.spin.setValue(max(1, min(days, CADENCE_MAX_DAYS)))
        self.combo.setCurrentIndex(self.combo.count() - 1)


def split_tags(text: str) -> list[str]:
    return [t.strip() for t in text.split(",") if t.strip()]


class TagsEdit(QLineEdit):
    """Comma-separated tags, completing the tag being typed from the book's tags."""

    def __init__(self, tags: Sequence[str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.completer_model = QStringListModel(list(tags), self)
        self.tag_completer = QCompleter(self.completer_model, self)
        self.tag_completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.tag_completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        self.tag_completer.setWidget(self)
        self.tag_completer.activated[str].connect(self.insert_completion)
        self.textEdited.connect(self._update_completion)

    def _segment_bounds(self) -> tuple[int, int]:
        """Start and end of the tag under the cursor, between commas."""
        text = self.text()
        cursor = self.cursorPosition()
        start = text.rfind(",", 0, cursor) + 1
        end = text.find(",", cursor)
        return start, len(text) if end < 0 else end

    def current_prefix(self) -> str:
        start, _end = self._segment_bounds()
        return self.text()[start : self.cursorPosition()].strip()

    def _update_completion(self, _text: str) -> None:
        prefix = self.current_prefix()
        if not prefix:
            self.tag_completer.popup().hide()
            return
        self.tag_completer.setCompletionPrefix(prefix)
        if self.tag_completer.completionCount() == 0:
            self.tag_completer.popup().hide()
            return
        self.tag_completer.complete()

    def insert_completion(self, completion: str) -> None:
        text = self.text()
        start, end = self._segment_bounds()
        before = text[:start].rstrip()
        after = text[end:].lstrip(",").strip()
        head = (before + " " if before else "") + completion + ", "
        new = head + after
        self.setText(new)
        self.setCursorPosition(len(head))

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt API
        # While the popup is open these keys choose or dismiss a completion.
        if self.tag_completer.popup().isVisible() and event.key() in (
            Qt.Key.Key_Enter,
            Qt.Key.Key_Return,
            Qt.Key.Key_Escape,
            Qt.Key.Key_Tab,
            Qt.Key.Key_Backtab,
        ):
            event.ignore()
            return
        super().keyPressEvent(event)


class ClientDialog(QDialog):
    """New client when ``client_id`` is None, otherwise edit that client.

    ``saved`` carries the client's id once the book has it. Nothing is written
    before Save, and Save writes everything at once or nothing.
    """

    saved = Signal(int)

    def __init__(
        self, book: Book, client_id: int | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.book = book
        self.client_id = client_id
        self.discard_box: QMessageBox | None = None
        self.discard_button: QAbstractButton | None = None
        self._base = ClientInput(name="")
        self._live = False
        self._closing = False
        self.setStyleSheet(STYLE)
        self.setMinimumWidth(540)

        self.general_error = error_label()

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
            key: error_label() for key in ("name", "organisation", "role", "tags", "cadence_days")
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
        self.resize(600, 680)
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
        leftovers = [msg for key, msg in errors.items() if key not in known]
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

        if not save_or_explain(
            write,
            refuse=self._refuse,
            explain=lambda message: show_error(self.general_error, message),
            failed=(
                "The client could not be saved; nothing was changed. Please try again in a moment."
            ),
            log=log,
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
