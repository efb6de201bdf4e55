"""The client dialog's own fields: email and phone rows, the keep-in-touch
rhythm, and tags typed as one line."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QStringListModel, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QComboBox,
    QCompleter,
    QGridLayout,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from models.reminders import CADENCE_MAX_DAYS, CADENCE_PRESETS
from models.services.clients import (
    Contact,
)
from ui.kit.forms import error_label, set_invalid, show_error

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
        self.error_label = error_label(reserve=True)

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
