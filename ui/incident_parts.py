"""What the incident window is made of besides itself: its dialogs (an entry, a
promise), the evidence list that takes dropped files, and its constants."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import (
    QDragEnterEvent,
    QDragMoveEvent,
    QDropEvent,
    QKeySequence,
    QShortcut,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateTimeEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QTreeWidget,
    QVBoxLayout,
    QWidget,
)

from models.changes import INCIDENTS
from models.enums import EntryKind, Severity
from models.services.incident_timeline import TimelineRow, add_entry, edit_entry
from models.services.work_settings import get_working_week
from models.working_time import due_after_local
from ui.app import RapportApp
from ui.date_edits import style_date_edit
from ui.forms import save_cancel_buttons
from ui.incident_dialog import (
    default_promise_hours,
)
from ui.incident_words import (
    ENTRY_KIND_TEXT,
)
from ui.kit.drops import accept_file_drag, take_file_drop
from ui.kit.forms import error_label, form_label, form_style, set_invalid, show_error
from ui.ops import run_op
from ui.theme import tone
from ui.touch_dialog import from_qdatetime, to_qdatetime

log = logging.getLogger(__name__)


INCIDENT_GONE = "This incident is no longer in the book."


ENTRY_GONE = "This entry is no longer in the book."


DROP_HINT = (
    "Drop files here, or anywhere on this window, to attach copies. The originals stay as they are."
)


TOUCH_TIP = "A touch logged with the client while this incident was open."


MUTED = "color: palette(placeholder-text);"


def severity_colour(severity: Severity) -> str | None:
    """The colour a serious severity is written in, readable in the scheme in force."""
    tones = {Severity.HIGH: "warn", Severity.CRITICAL: "late"}
    return tone(tones[severity]) if severity in tones else None


ROW_ROLE = Qt.ItemDataRole.UserRole + 1


class EntryDialog(QDialog):
    """Add a timeline entry, or edit one (the book keeps when it was edited)."""

    saved = Signal(int)

    def __init__(
        self,
        rapport: RapportApp,
        incident_id: int,
        entry: TimelineRow | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.rapport = rapport
        self.incident_id = incident_id
        self.entry = entry
        self.entry_id: int | None = entry.entry_id if entry is not None else None
        self.setStyleSheet(form_style())
        self.setWindowTitle("Edit entry" if entry is not None else "Add an entry")
        self.setMinimumWidth(460)
        self.general_error = error_label(reserve=True)
        self.kind_combo = QComboBox()
        for kind, text in ENTRY_KIND_TEXT.items():
            self.kind_combo.addItem(text, kind.value)
        self.when_edit = QDateTimeEdit(to_qdatetime(entry.happened_at if entry else rapport.now()))
        self.when_edit.setCalendarPopup(True)
        style_date_edit(self.when_edit, time=True)
        self.text_edit = QPlainTextEdit()
        self.text_edit.setPlaceholderText("What happened, what was said or decided")
        self.text_edit.setTabChangesFocus(True)
        self.text_edit.setMinimumHeight(100)
        self.text_error = error_label(reserve=True)
        if entry is not None:
            self.kind_combo.setCurrentIndex(max(0, self.kind_combo.findData(entry.kind)))
            self.text_edit.setPlainText(entry.text)

        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.kind_combo)
        row.addSpacing(12)
        row.addWidget(form_label("&When", self.when_edit))
        row.addWidget(self.when_edit, 1)
        box = QWidget()
        box.setLayout(row)
        form.addRow(form_label("&Kind", self.kind_combo), box)
        text_box = QWidget()
        text_layout = QVBoxLayout(text_box)
        text_layout.setContentsMargins(0, 0, 0, 0)
        text_layout.setSpacing(2)
        text_layout.addWidget(self.text_edit)
        text_layout.addWidget(self.text_error)
        form.addRow(form_label("&Text", self.text_edit), text_box)

        self.buttons, self.save_button = save_cancel_buttons(self, default=False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 16, 16, 12)
        layout.addWidget(self.general_error)
        layout.addLayout(form)
        layout.addWidget(self.buttons)
        for seq in ("Ctrl+Return", "Ctrl+Enter"):
            QShortcut(QKeySequence(seq), self, self.accept)
        self.text_edit.setFocus(Qt.FocusReason.OtherFocusReason)

    def _refuse(self, errors: dict[str, str]) -> None:
        show_error(self.text_error, errors.get("text"))
        set_invalid(self.text_edit, "text" in errors)
        others = " ".join(m for k, m in errors.items() if k != "text")
        show_error(self.general_error, others)
        self.text_edit.setFocus(Qt.FocusReason.OtherFocusReason)

    def save(self) -> bool:
        book = self.rapport.book
        if book is None:
            return False
        kind = EntryKind(str(self.kind_combo.currentData()))
        when = from_qdatetime(self.when_edit.dateTime())
        text = self.text_edit.toPlainText()
        now = self.rapport.now()

        def write() -> None:
            if self.entry_id is None:
                self.entry_id = add_entry(
                    book, self.incident_id, kind, text, happened_at=when, now=now
                )
            else:
                edit_entry(book, self.entry_id, text, happened_at=when, kind=kind, now=now)

        def then() -> None:
            assert self.entry_id is not None
            self.saved.emit(self.entry_id)

        if not run_op(
            self.rapport,
            write,
            changes=INCIDENTS,
            initiator=self,
            refuse=self._refuse,
            explain=lambda message: show_error(self.general_error, message),
            failed="The entry could not be saved; nothing was changed. Please try again.",
            logger=log,
            log_message="Saving a timeline entry failed",
            gone=INCIDENT_GONE if self.entry is None else ENTRY_GONE,
            then=then,
        ):
            return False
        super().accept()
        return True

    def accept(self) -> None:
        self.save()


class PromiseDialog(QDialog):
    """When the full answer is promised by; or no promise at all.

    ``chosen`` carries the new moment, or None to withdraw the promise.
    """

    chosen = Signal(object)

    def __init__(
        self, rapport: RapportApp, due_at: datetime | None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Change the promise")
        now = rapport.now()
        if due_at is None:
            hours = default_promise_hours(rapport.settings)
            due_at = due_after_local(now, hours, get_working_week(rapport.book))
        self.when_edit = QDateTimeEdit(to_qdatetime(due_at))
        self.when_edit.setCalendarPopup(True)
        style_date_edit(self.when_edit, time=True)
        label = QLabel("Full answer promised &by")
        label.setBuddy(self.when_edit)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.withdraw_button = self.buttons.addButton(
            "No promise", QDialogButtonBox.ButtonRole.DestructiveRole
        )
        self.withdraw_button.setToolTip("Take the promise back; nothing will be due.")
        self.withdraw_button.clicked.connect(self._withdraw)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        row = QHBoxLayout()
        row.addWidget(label)
        row.addWidget(self.when_edit, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 16, 16, 12)
        layout.addLayout(row)
        layout.addWidget(self.buttons)

    def accept(self) -> None:
        self.chosen.emit(from_qdatetime(self.when_edit.dateTime()))
        super().accept()

    def _withdraw(self) -> None:
        self.chosen.emit(None)
        super().accept()


class EvidenceList(QTreeWidget):
    """The incident's files; files dropped on it are attached."""

    files_dropped = Signal(list)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAcceptDrops(True)
        self.setDragDropMode(QAbstractItemView.DragDropMode.DropOnly)

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802 - Qt API
        accept_file_drag(event)

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:  # noqa: N802 - Qt API
        accept_file_drag(event)

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802 - Qt API
        paths = take_file_drop(event)
        if paths:
            self.files_dropped.emit(paths)


def make_tree(headers: Iterable[str], name: str) -> QTreeWidget:
    tree = QTreeWidget()
    setup_tree(tree, headers, name)
    return tree


def setup_tree(tree: QTreeWidget, headers: Iterable[str], name: str) -> None:
    tree.setHeaderLabels(list(headers))
    tree.setRootIsDecorated(False)
    tree.setAlternatingRowColors(True)
    tree.setUniformRowHeights(False)
    tree.setWordWrap(True)
    tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    tree.setAccessibleName(name)
    tree.header().setStretchLastSection(True)
    tree.header().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)


def timeline_key(row: TimelineRow) -> tuple[str, int]:
    if row.entry_id is not None:
        return ("entry", row.entry_id)
    return ("touch", row.touch_id or 0)
