"""Column widths for the client list: shared out by weight as the window
resizes, until the user drags one; then theirs are kept."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import (
    QEvent,
    QObject,
)
from PySide6.QtWidgets import QTableView

if TYPE_CHECKING:
    pass


class ColumnFitter(QObject):
    """Keeps every column on screen by sharing the table's width out by weight.

    A narrow window would otherwise push Tags and Status off to the right behind a
    scroll bar. When the user drags a column, its new proportions become the
    weights, so their choice survives the next resize.
    """

    def __init__(self, table: QTableView, weights: dict[int, float]) -> None:
        super().__init__(table)
        self.table = table
        self.weights = dict(weights)
        self._fitting = False
        self._last_width = -1
        header = table.horizontalHeader()
        header.sectionResized.connect(self._on_user_resize)
        table.viewport().installEventFilter(self)

    def adopt_current_widths(self) -> None:
        """Use the widths on screen (e.g. restored from settings) as the weights."""
        header = self.table.horizontalHeader()
        widths = {c: header.sectionSize(c) for c in self.weights if header.sectionSize(c) > 0}
        if widths and sum(widths.values()) > 0:
            self.weights = {c: float(w) for c, w in widths.items()}
        self.fit()

    def fit(self) -> None:
        header = self.table.horizontalHeader()
        available = self.table.viewport().width()
        columns = [c for c in sorted(self.weights) if not header.isSectionHidden(c)]
        total = sum(self.weights[c] for c in columns)
        if available <= 0 or total <= 0:
            return
        self._fitting = True
        try:
            used = 0
            for c in columns[:-1]:
                width = max(header.minimumSectionSize(), int(available * self.weights[c] / total))
                header.resizeSection(c, width)
                used += width
            header.resizeSection(columns[-1], max(header.minimumSectionSize(), available - used))
        finally:
            self._fitting = False

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt API
        # Only a change of width matters; a scroll bar coming and going changes height.
        if event.type() == QEvent.Type.Resize and self.table.viewport().width() != self._last_width:
            self._last_width = self.table.viewport().width()
            self.fit()
        return False

    def _on_user_resize(self, column: int, _old: int, new: int) -> None:
        if self._fitting or column not in self.weights:
            return
        header = self.table.horizontalHeader()
        self.weights = {c: float(max(1, header.sectionSize(c))) for c in self.weights}
