"""Column widths for the client list: shared out by weight as the window
resizes, until the user drags one; then theirs are kept.

Widths are never stored in pixels: pixels saved at one scale factor were stale at
another (290 px empty beside Health). A fixed column (the health badge) and a
column's least width (a name of 30 characters) are measured in the table's own
font, so a scale change measures them again.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import QHeaderView, QTableView

from ui.kit.viewport import viewport_of

# A width measured in the table's font, e.g. lambda fm: fm.horizontalAdvance("100").
Measure = Callable[[QFontMetrics], int]


class ColumnFitter(QObject):
    """Keeps every column on screen by sharing the table's width out by weight.

    A narrow window would otherwise push columns off to the right behind a scroll
    bar. ``fixed`` columns take their measured width and never change; ``least``
    columns get at least their measured width while the table has room. When the
    user drags a column, its new proportions become the weights, so their choice
    survives the next resize (and, saved as proportions, the next scale factor).
    """

    def __init__(
        self,
        table: QTableView,
        weights: dict[int, float],
        *,
        fixed: dict[int, Measure] | None = None,
        least: dict[int, Measure] | None = None,
    ) -> None:
        super().__init__(table)
        self.table = table
        self.weights = dict(weights)
        self.fixed = dict(fixed or {})
        self.least = dict(least or {})
        self._fitting = False
        self._last_width = -1
        header = table.horizontalHeader()
        header.setStretchLastSection(False)  # the last shared column takes what is left
        for c in self.fixed:
            header.setSectionResizeMode(c, QHeaderView.ResizeMode.Fixed)
        header.sectionResized.connect(self._on_user_resize)
        viewport_of(table).installEventFilter(self)

    def width_of(self, measure: Measure) -> int:
        return measure(QFontMetrics(self.table.font()))

    def fit(self) -> None:
        header = self.table.horizontalHeader()
        available = self.table.viewport().width()
        shown = [c for c in range(header.count()) if not header.isSectionHidden(c)]
        fixed = {c: self.width_of(self.fixed[c]) for c in shown if c in self.fixed}
        shared = [c for c in shown if c not in fixed and c in self.weights]
        room = available - sum(fixed.values())
        if available <= 0 or not shared:
            return
        self._fitting = True
        try:
            for c, width in fixed.items():
                header.resizeSection(c, width)
            floor = header.minimumSectionSize()
            least = {c: self.width_of(self.least[c]) for c in shared if c in self.least}
            # The least widths first (when the table has room for them), the rest by weight.
            if sum(least.values()) + floor * (len(shared) - len(least)) > room:
                least = {}
            total = sum(self.weights[c] for c in shared)
            widths = {c: max(floor, int(room * self.weights[c] / total)) for c in shared}
            short = {c: w for c, w in least.items() if widths[c] < w}
            if short:
                rest = [c for c in shared if c not in short]
                left = room - sum(short.values())
                rest_total = sum(self.weights[c] for c in rest) or 1.0
                widths = dict(short)
                for c in rest:
                    widths[c] = max(floor, int(left * self.weights[c] / rest_total))
            used = 0
            for c in shared[:-1]:
                header.resizeSection(c, widths[c])
                used += widths[c]
            header.resizeSection(shared[-1], max(floor, room - used))
        finally:
            self._fitting = False

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt API
        # Only a change of width matters; a scroll bar coming and going changes height.
        if event.type() == QEvent.Type.Resize and self.table.viewport().width() != self._last_width:
            self._last_width = self.table.viewport().width()
            self.fit()
        return False

    def _on_user_resize(self, column: int, _old: int, new: int) -> None:
        if self._fitting or column not in self.weights or column in self.fixed:
            return
        header = self.table.horizontalHeader()
        self.weights.update(
            {
                c: float(max(1, header.sectionSize(c)))
                for c in self.weights
                if c not in self.fixed and not header.isSectionHidden(c)
            }
        )

    def proportions(self) -> dict[int, float]:
        """The weights as shares of one: what is saved, the same at any scale."""
        total = sum(self.weights.values()) or 1.0
        return {c: w / total for c, w in self.weights.items()}
