"""Small editors the repair wizard's pages are built from: a list to tick, a
ranked list to reorder by drag or keyboard, and rows of commitments with optional
due dates. Each calls its ``on_change`` when the user alters it, never when it is
filled.

``on_change`` is a plain callback, not a Qt signal, on purpose: with PySide6 6.12 on
CPython 3.11 every signal emitted from Python drops a reference to True or False (and
every void call one to None), so anything done per keystroke would, over a long
session, free those singletons and abort the app. Keystrokes reach Python through
Qt's own signals (which are safe) and go no further than Python code.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Iterable, Sequence
from datetime import date
from typing import Any, TypeVar

from PySide6.QtCore import QAbstractItemModel, QDate, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QGuiApplication, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QStyledItemDelegate,
    QVBoxLayout,
    QWidget,
)

from ui.keys import widget_shortcut

log = logging.getLogger(__name__)

ID_ROLE = Qt.ItemDataRole.UserRole + 1
DEFAULT_DUE_DAYS = 14
T = TypeVar("T")


def guarded(default: T) -> Callable[[Callable[..., T]], Callable[..., T]]:
    """For Qt's virtual methods written in Python: an exception escaping one takes
    PySide down with it (a crash, not a traceback), so it is logged and ``default``
    returned instead. The page stays as it was; nothing typed is lost."""

    def wrap(method: Callable[..., T]) -> Callable[..., T]:
        @functools.wraps(method)
        def inner(*args: Any, **kwargs: Any) -> T:
            try:
                return method(*args, **kwargs)
            except Exception:
                log.exception("%s failed", method.__qualname__)
                return default

        return inner

    return wrap


def plain_text(placeholder: str, height: int = 64) -> QPlainTextEdit:
    edit = QPlainTextEdit()
    edit.setPlaceholderText(placeholder)
    edit.setTabChangesFocus(True)
    edit.setMinimumHeight(height)
    return edit


def copy_text(text: str) -> None:
    QGuiApplication.clipboard().setText(text)


def chain_focus(widgets: Sequence[QWidget]) -> None:
    """Tab walks the fields in reading order, whatever order they were made in."""
    for a, b in zip(widgets, widgets[1:], strict=False):
        QWidget.setTabOrder(a, b)


def qdate(day: date) -> QDate:
    return QDate(day.year, day.month, day.day)


def pydate(q: QDate) -> date:
    return date(q.year(), q.month(), q.day())


class EnterLineEdit(QLineEdit):
    """A one-line field where Return means "add this". (The wizard has no default
    button, so Return never also means Next.) Qt's own returnPressed, not a
    keyPressEvent override, which would call back into Qt on every keystroke."""

    entered = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.returnPressed.connect(self.entered)


# --- list widgets ------------------------------------------------------------------------


def do_nothing() -> None:
    return None


class CheckList(QListWidget):
    """Rows the user ticks (Space toggles the current one); each row carries an id."""

    def __init__(self, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.on_change: Callable[[], None] = do_nothing
        self.setAccessibleName(name)
        self.setAlternatingRowColors(True)
        self.setUniformItemSizes(True)
        self.itemChanged.connect(lambda _item: self.on_change())

    def set_rows(self, rows: Iterable[tuple[int, str, str]], checked: set[int]) -> None:
        """(id, text, tooltip) per row; ticked when the id is in ``checked``."""
        self.blockSignals(True)
        self.clear()
        for row_id, text, tip in rows:
            item = QListWidgetItem(text)
            item.setData(ID_ROLE, row_id)
            item.setToolTip(tip or text)
            item.setFlags(
                Qt.ItemFlag.ItemIsEnabled
                | Qt.ItemFlag.ItemIsSelectable
                | Qt.ItemFlag.ItemIsUserCheckable
            )
            item.setCheckState(
                Qt.CheckState.Checked if row_id in checked else Qt.CheckState.Unchecked
            )
            self.addItem(item)
        self.blockSignals(False)

    def checked_ids(self) -> list[int]:
        out = []
        for i in range(self.count()):
            item = self.item(i)
            if item.checkState() == Qt.CheckState.Checked:
                out.append(int(item.data(ID_ROLE)))
        return out

    def all_ids(self) -> list[int]:
        return [int(self.item(i).data(ID_ROLE)) for i in range(self.count())]

    def set_checked(self, row_id: int, on: bool = True) -> bool:
        for i in range(self.count()):
            item = self.item(i)
            if item.data(ID_ROLE) == row_id:
                item.setCheckState(Qt.CheckState.Checked if on else Qt.CheckState.Unchecked)
                return True
        return False


RAW_ROLE = Qt.ItemDataRole.UserRole + 2


def ranked_text(rank: int, text: str) -> str:
    return f"{rank}.  {text}"


class RankDelegate(QStyledItemDelegate):
    """Edits a row's bare text; the rank shown before it is not the user's to type.

    The rank is part of the shown text (kept up to date by RankedList) rather than
    painted per row, so nothing here runs while the list is merely painted."""

    def setEditorData(  # noqa: N802 - Qt API
        self, editor: QWidget, index: QModelIndex | QPersistentModelIndex
    ) -> None:
        if isinstance(editor, QLineEdit):
            editor.setText(str(index.data(RAW_ROLE) or ""))

    def setModelData(  # noqa: N802 - Qt API
        self,
        editor: QWidget,
        model: QAbstractItemModel,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        if isinstance(editor, QLineEdit):
            words = " ".join(editor.text().split())
            if words:
                model.setData(index, words, RAW_ROLE)


class RankedList(QWidget):
    """A ranked list: drag rows (or Ctrl+Up/Down) to reorder, add, edit, remove."""

    def __init__(self, name: str, placeholder: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.on_change: Callable[[], None] = do_nothing
        self.list = QListWidget()
        self.list.setAccessibleName(name)
        self.list.setItemDelegate(RankDelegate(self.list))
        self.list.setDragDropMode(QAbstractItemView.DragDropMode.InternalMove)
        self.list.setDefaultDropAction(Qt.DropAction.MoveAction)
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.list.setEditTriggers(
            QAbstractItemView.EditTrigger.DoubleClicked
            | QAbstractItemView.EditTrigger.EditKeyPressed
        )
        self.list.setMinimumHeight(130)
        model = self.list.model()
        model.rowsMoved.connect(lambda *_a: self._emit())
        model.rowsInserted.connect(lambda *_a: self._emit())
        model.rowsRemoved.connect(lambda *_a: self._emit())
        self.list.itemChanged.connect(lambda _i: self._emit())
        self.list.currentRowChanged.connect(lambda _r: self._update_buttons())
        self.new_edit = EnterLineEdit()
        self.new_edit.setPlaceholderText(placeholder)
        self.new_edit.setAccessibleName(f"New: {name}")
        self.new_edit.entered.connect(self.add_from_edit)
        self.add_button = QPushButton("Add")
        self.add_button.clicked.connect(self.add_from_edit)
        self.remove_button = QPushButton("&Remove")
        self.remove_button.clicked.connect(self.remove_current)
        self.up_button = QPushButton("Move &up")
        self.up_button.setToolTip("Ctrl+Up")
        self.up_button.clicked.connect(lambda: self.move_current(-1))
        self.down_button = QPushButton("Move d&own")
        self.down_button.setToolTip("Ctrl+Down")
        self.down_button.clicked.connect(lambda: self.move_current(1))
        widget_shortcut(QKeySequence("Ctrl+Up"), self.list, lambda: self.move_current(-1))
        widget_shortcut(QKeySequence("Ctrl+Down"), self.list, lambda: self.move_current(1))
        widget_shortcut(QKeySequence(Qt.Key.Key_Delete), self.list, self.remove_current)
        self._quiet = False

        add_row = QHBoxLayout()
        add_row.setContentsMargins(0, 0, 0, 0)
        add_row.addWidget(self.new_edit, 1)
        add_row.addWidget(self.add_button)
        side = QVBoxLayout()
        side.setContentsMargins(0, 0, 0, 0)
        for b in (self.up_button, self.down_button, self.remove_button):
            side.addWidget(b)
        side.addStretch(1)
        body = QHBoxLayout()
        body.setContentsMargins(0, 0, 0, 0)
        body.addWidget(self.list, 1)
        body.addLayout(side)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(body, 1)
        layout.addLayout(add_row)
        self._update_buttons()

    def focus_widgets(self) -> list[QWidget]:
        return [
            self.list,
            self.up_button,
            self.down_button,
            self.remove_button,
            self.new_edit,
            self.add_button,
        ]

    def _emit(self) -> None:
        """Rows came, went, moved or were edited: renumber them, then say so."""
        if self._quiet:
            return
        self._quiet = True
        try:
            for i in range(self.list.count()):
                item = self.list.item(i)
                shown = ranked_text(i + 1, str(item.data(RAW_ROLE) or ""))
                if item.text() != shown:
                    item.setText(shown)
        finally:
            self._quiet = False
        self._update_buttons()
        self.on_change()

    def _update_buttons(self) -> None:
        row = self.list.currentRow()
        editable = self.list.isEnabled() and self.new_edit.isEnabled()
        self.remove_button.setEnabled(editable and row >= 0)
        self.up_button.setEnabled(editable and row > 0)
        self.down_button.setEnabled(editable and 0 <= row < self.list.count() - 1)

    def _item(self, text: str) -> QListWidgetItem:
        item = QListWidgetItem(text)
        item.setData(RAW_ROLE, text)
        item.setFlags(
            Qt.ItemFlag.ItemIsEnabled
            | Qt.ItemFlag.ItemIsSelectable
            | Qt.ItemFlag.ItemIsEditable
            | Qt.ItemFlag.ItemIsDragEnabled
        )
        return item

    def set_items(self, texts: Sequence[str]) -> None:
        self._quiet = True
        try:
            self.list.clear()
            for i, text in enumerate(texts, 1):
                item = self._item(text)
                item.setText(ranked_text(i, text))
                self.list.addItem(item)
        finally:
            self._quiet = False
        self._update_buttons()

    def items(self) -> list[str]:
        return [str(self.list.item(i).data(RAW_ROLE) or "") for i in range(self.list.count())]

    def add(self, text: str) -> None:
        words = " ".join(text.split())
        if words:
            self.list.addItem(self._item(words))
            self.list.setCurrentRow(self.list.count() - 1)

    def add_from_edit(self) -> None:
        if self.new_edit.text().strip():
            self.add(self.new_edit.text())
            self.new_edit.clear()
        self.new_edit.setFocus(Qt.FocusReason.OtherFocusReason)

    def remove_current(self) -> None:
        row = self.list.currentRow()
        if row >= 0 and self.new_edit.isEnabled():
            self.list.takeItem(row)

    def move_current(self, step: int) -> None:
        row = self.list.currentRow()
        other = row + step
        if row < 0 or not 0 <= other < self.list.count() or not self.new_edit.isEnabled():
            return
        self._quiet = True
        try:
            item = self.list.takeItem(row)
            self.list.insertItem(other, item)
            self.list.setCurrentRow(other)
        finally:
            self._quiet = False
        self._emit()

    def set_read_only(self, on: bool) -> None:
        self.list.setDragDropMode(
            QAbstractItemView.DragDropMode.NoDragDrop
            if on
            else QAbstractItemView.DragDropMode.InternalMove
        )
        self.list.setEditTriggers(
            QAbstractItemView.EditTrigger.NoEditTriggers
            if on
            else QAbstractItemView.EditTrigger.DoubleClicked
            | QAbstractItemView.EditTrigger.EditKeyPressed
        )
        for w in (self.new_edit, self.add_button):
            w.setEnabled(not on)
        self._update_buttons()
