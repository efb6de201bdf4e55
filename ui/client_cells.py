"""How the client list paints its cells: the name over the organisation in one
two-line cell, and an email shortened in its middle.

Two lines give the organisation the name's whole width instead of a column of its
own, so both read whole on a 1024-pixel screen where three text columns could not.
An email that still cannot fit keeps both ends (who, and where) and shows in full
in its tooltip. Painting is per visible cell and reads only the model's roles.
"""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect, QSize, Qt
from PySide6.QtGui import QPainter, QPalette
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem, QTableView

from ui.client_table import COL_ORG

AnyIndex = QModelIndex | QPersistentModelIndex
ORG_GAP = 1  # pixels between the name and the organisation beneath it


def org_index(index: AnyIndex) -> QModelIndex:
    return index.model().index(index.row(), COL_ORG, index.parent())


class NameOrgDelegate(QStyledItemDelegate):
    """The client's name, and beneath it their organisation in the muted colour.

    When the user turns the Organisation column on, the name cell shows the name
    alone (the organisation has its own column then)."""

    def __init__(self, table: QTableView) -> None:
        super().__init__(table)
        self.table = table

    def _org_shown_apart(self) -> bool:
        return not self.table.horizontalHeader().isSectionHidden(COL_ORG)

    def organisation(self, index: AnyIndex) -> str:
        if self._org_shown_apart():
            return ""
        return str(org_index(index).data() or "")

    def text_area(self, option: QStyleOptionViewItem, index: AnyIndex) -> QRect:
        """Where both lines are drawn: the cell less its icon and the margins the
        style gives a cell's text (so a one-line cell and this one align)."""
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        return self._area(opt)

    def _area(self, opt: QStyleOptionViewItem) -> QRect:
        style = self.table.style()
        area = style.subElementRect(QStyle.SubElement.SE_ItemViewItemText, opt, self.table)
        margin = style.pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, self.table) + 1
        return area.adjusted(margin, 0, -margin, 0)

    def sizeHint(self, option: QStyleOptionViewItem, index: AnyIndex) -> QSize:  # noqa: N802
        """Wide enough for the longer of the two lines, as painted."""
        size = super().sizeHint(option, index)
        org = self.organisation(index)
        if not org:
            return size
        org_width = option.fontMetrics.horizontalAdvance(org)
        name_width = option.fontMetrics.horizontalAdvance(str(index.data() or ""))
        extra = max(0, org_width - name_width)
        return QSize(size.width() + extra, size.height())

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: AnyIndex) -> None:
        org = self.organisation(index)
        if not org:
            super().paint(painter, option, index)
            return
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        name = opt.text
        opt.text = ""  # the style paints the row's background, focus and icon
        style = self.table.style()
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, self.table)
        area = self._area(opt)
        fm = opt.fontMetrics
        line = fm.height()
        top = area.top() + max(0, (area.height() - 2 * line - ORG_GAP) // 2)
        selected = bool(opt.state & QStyle.StateFlag.State_Selected)
        group = (
            QPalette.ColorGroup.Active
            if opt.state & QStyle.StateFlag.State_Active
            else QPalette.ColorGroup.Inactive
        )
        text_role = QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text
        painter.save()
        painter.setFont(opt.font)
        painter.setPen(opt.palette.color(group, text_role))
        if not selected and opt.backgroundBrush.style() == Qt.BrushStyle.NoBrush:
            foreground = index.data(Qt.ItemDataRole.ForegroundRole)
            if foreground is not None:
                painter.setPen(foreground.color())
        flags = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop
        width = area.width()
        painter.drawText(
            QRect(area.left(), top, width, line),
            flags,
            fm.elidedText(name, Qt.TextElideMode.ElideRight, width),
        )
        org_role = (
            QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.PlaceholderText
        )
        painter.setPen(opt.palette.color(group, org_role))
        painter.drawText(
            QRect(area.left(), top + line + ORG_GAP, width, line),
            flags,
            fm.elidedText(org, Qt.TextElideMode.ElideRight, width),
        )
        painter.restore()


class MiddleElideDelegate(QStyledItemDelegate):
    """An email shortened in its middle ("sara@lindq…design.example"): both ends
    say more than the start alone. Its tooltip has it in full (the model's)."""

    def initStyleOption(  # noqa: N802 - Qt API
        self, option: QStyleOptionViewItem, index: AnyIndex
    ) -> None:
        super().initStyleOption(option, index)
        option.textElideMode = Qt.TextElideMode.ElideMiddle
