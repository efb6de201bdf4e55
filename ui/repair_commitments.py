"""Commitments as the repair wizard edits them: one row per promise (ours or
theirs) with an optional due date, in a list that grows as the user types."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, timedelta
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QDateEdit,
    QHBoxLayout,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ui.date_edits import style_date_edit
from ui.repair_widgets import (
    DEFAULT_DUE_DAYS,
    EnterLineEdit,
    chain_focus,
    do_nothing,
    pydate,
    qdate,
)


class CommitmentRow(QWidget):
    """One commitment: what, and optionally by when."""

    remove_requested = Signal(object)
    add_requested = Signal()

    def __init__(self, placeholder: str, default_due: date, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.on_change: Callable[[], None] = do_nothing
        self.text_edit = EnterLineEdit()
        self.text_edit.setPlaceholderText(placeholder)
        self.text_edit.setAccessibleName("Commitment")
        self.text_edit.entered.connect(self.add_requested)
        self.due_check = QCheckBox("Due")
        self.due_check.setToolTip("Give this a date")
        self.due_edit = QDateEdit(qdate(default_due))
        self.due_edit.setCalendarPopup(True)
        style_date_edit(self.due_edit, weekday=True)
        self.due_edit.setAccessibleName("Due on")
        self.due_edit.setEnabled(False)
        self.remove_button = QToolButton()
        self.remove_button.setText("Remove")
        self.remove_button.setToolTip("Take this commitment out")
        self.remove_button.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.remove_button.clicked.connect(lambda: self.remove_requested.emit(self))
        self.text_edit.textChanged.connect(lambda _t: self.on_change())
        self.due_check.toggled.connect(self._on_check)
        self.due_edit.dateChanged.connect(lambda _d: self.on_change())
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.text_edit, 1)
        row.addWidget(self.due_check)
        row.addWidget(self.due_edit)
        row.addWidget(self.remove_button)

    def _on_check(self, on: bool) -> None:
        self.due_edit.setEnabled(on and self.due_check.isEnabled())
        self.on_change()

    def set_value(self, text: str, due_on: date | None) -> None:
        self.text_edit.setText(text)
        self.due_check.setChecked(due_on is not None)
        if due_on is not None:
            self.due_edit.setDate(qdate(due_on))

    def value(self) -> dict[str, Any]:
        due = pydate(self.due_edit.date()).isoformat() if self.due_check.isChecked() else None
        return {"text": self.text_edit.text(), "due_on": due}

    def focus_widgets(self) -> list[QWidget]:
        return [self.text_edit, self.due_check, self.due_edit, self.remove_button]

    def set_read_only(self, on: bool) -> None:
        self.text_edit.setReadOnly(on)
        self.due_check.setEnabled(not on)
        self.due_edit.setEnabled(not on and self.due_check.isChecked())
        self.remove_button.setVisible(not on)


class CommitmentList(QWidget):
    """Commitments, one row each, with a row to type the next one in."""

    def __init__(
        self, name: str, placeholder: str, add_text: str, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.on_change: Callable[[], None] = do_nothing
        self.setAccessibleName(name)
        # Focusable only so its label's Alt+letter works: focus goes on to the first
        # row (the focus proxy), and Tab passes over a widget with a proxy.
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.placeholder = placeholder
        self.default_due = date.today() + timedelta(days=DEFAULT_DUE_DAYS)
        self.rows: list[CommitmentRow] = []
        self.rows_layout = QVBoxLayout()
        self.rows_layout.setContentsMargins(0, 0, 0, 0)
        self.rows_layout.setSpacing(6)
        self.add_button = QPushButton(add_text)
        self.add_button.clicked.connect(self.add_and_focus)
        self.read_only = False
        buttons = QHBoxLayout()
        buttons.setContentsMargins(0, 0, 0, 0)
        buttons.addWidget(self.add_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(self.rows_layout)
        layout.addLayout(buttons)
        self.add_row()

    def add_row(self, text: str = "", due_on: date | None = None) -> CommitmentRow:
        row = CommitmentRow(self.placeholder, self.default_due)
        row.set_value(text, due_on)
        row.on_change = lambda: self.on_change()  # whatever on_change is by then
        row.remove_requested.connect(self.remove_row)
        row.add_requested.connect(self.add_and_focus)
        row.set_read_only(self.read_only)
        self.rows.append(row)
        self.rows_layout.addWidget(row)
        row.show()  # now, not on the next event loop turn: Tab and focus need it shown
        self._chain()
        return row

    def add_and_focus(self) -> None:
        if self.read_only:
            return
        empty = next((r for r in self.rows if not r.text_edit.text().strip()), None)
        row = empty or self.add_row()
        row.text_edit.setFocus(Qt.FocusReason.OtherFocusReason)

    def remove_row(self, row: CommitmentRow) -> None:
        if self.read_only or row not in self.rows:
            return
        index = self.rows.index(row)
        self.rows.remove(row)
        row.hide()
        row.deleteLater()
        if not self.rows:
            self.add_row()
        self._chain()
        self.rows[min(index, len(self.rows) - 1)].text_edit.setFocus(
            Qt.FocusReason.OtherFocusReason
        )
        self.on_change()

    def set_values(self, items: Sequence[dict[str, Any]]) -> None:
        for row in self.rows:
            row.hide()
            row.deleteLater()
        self.rows = []
        for item in items:
            due = item.get("due_on")
            self.add_row(str(item.get("text", "")), date.fromisoformat(due) if due else None)
        if not self.rows:
            self.add_row()

    def values(self) -> list[dict[str, Any]]:
        return [r.value() for r in self.rows if r.text_edit.text().strip()]

    def focus_widgets(self) -> list[QWidget]:
        out: list[QWidget] = []
        for row in self.rows:
            out.extend(row.focus_widgets())
        return [*out, self.add_button]

    def _chain(self) -> None:
        # The label's Alt+letter lands on the first row, whichever it is. Set before
        # the Tab order: Qt moves a new focus proxy within the chain.
        if self.rows and self.focusProxy() is not self.rows[0].text_edit:
            self.setFocusProxy(self.rows[0].text_edit)
        chain_focus(self.focus_widgets())

    def set_read_only(self, on: bool) -> None:
        self.read_only = on
        for row in self.rows:
            row.set_read_only(on)
        self.add_button.setEnabled(not on)
