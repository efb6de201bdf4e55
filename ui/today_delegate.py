"""Today's row buttons, painted by a delegate (no widget per row) and only on the
row the user is on (selected or under the mouse). A settled row offers only Undo.
The date dialog behind Snooze is in ui/date_pick.py, off the first paint's path."""

from __future__ import annotations

import math
from datetime import date

from PySide6.QtCore import (
    QAbstractItemModel,
    QEvent,
    QPersistentModelIndex,
    QRect,
    QSize,
    Qt,
    Signal,
)
from PySide6.QtGui import (
    QFontMetricsF,
    QMouseEvent,
    QPainter,
    QPalette,
)
from PySide6.QtWidgets import (
    QStyle,
    QStyledItemDelegate,
    QStyleOptionButton,
    QStyleOptionViewItem,
    QTreeView,
)

from models.reminders import DueKind
from ui.item_models import AnyIndex
from ui.today_model import (
    COL_ACTIONS,
    COL_CLIENT,
    COL_WHAT,
    COL_WHEN,
    KIND_ROLE,
    SETTLED_ROLE,
)
from ui.wording import dated_reasons

# The row's buttons, in slots so "Open" lines up whether or not a row can snooze.
ACTION_LOG, ACTION_SNOOZE, ACTION_DONE, ACTION_OPEN = "log", "snooze", "done", "open"
ACTION_UNDO = "undo"


BUTTONS: tuple[tuple[str, str], ...] = (
    (ACTION_LOG, "Log touch"),
    (ACTION_SNOOZE, "Snooze ▾"),
    (ACTION_DONE, "Done"),
    (ACTION_OPEN, "Open"),
)


FOLLOW_UP_ONLY = {ACTION_SNOOZE, ACTION_DONE}


BUTTON_GAP = 6


BUTTON_PAD = 18

# On the row the user is on, what is to be done keeps at least this many characters
# when the reason takes room from it.
WHAT_KEEPS_CHARS = 12


SNOOZE_CHOICES = (("Tomorrow", "tomorrow"), ("In 3 days", "3 days"), ("Next week", "next week"))


def buttons_for(kind: DueKind | str, settled: bool = False) -> list[tuple[str, str]]:
    if settled:
        return [(ACTION_UNDO, "Undo")]
    follow_up = str(kind) == str(DueKind.FOLLOW_UP)
    return [(name, text) for name, text in BUTTONS if follow_up or name not in FOLLOW_UP_ONLY]


def row_is_active(option: QStyleOptionViewItem) -> bool:
    """The row the user is on: chosen with the keyboard or under the mouse."""
    state = option.state
    return bool(state & QStyle.StateFlag.State_Selected or state & QStyle.StateFlag.State_MouseOver)


class TodayDelegate(QStyledItemDelegate):
    """Paints section rows as headings and, on the row the user is on, real-looking
    buttons over the right end of the last column; turns a click on one into
    ``action`` (name, row index, button rectangle)."""

    action = Signal(str, QPersistentModelIndex, QRect)

    def __init__(self, view: QTreeView) -> None:
        super().__init__(view)
        self.view = view

    def _widths(self) -> dict[str, int]:
        fm = self.view.fontMetrics()
        return {name: fm.horizontalAdvance(text) + BUTTON_PAD for name, text in BUTTONS}

    def actions_width(self) -> int:
        """The widest set of buttons a row shows, with its gaps."""
        return sum(self._widths().values()) + BUTTON_GAP * (len(BUTTONS) + 1)

    def button_rects(
        self, cell: QRect, kind: DueKind | str, settled: bool = False
    ) -> list[tuple[str, str, QRect]]:
        """Where each button of a row sits: packed against the right end of the
        row's last cell (``cell``), over whatever text is there. Only one row shows
        them at a time, so the other rows give that room to their text."""
        widths = self._widths()
        height = min(cell.height() - 6, self.view.fontMetrics().height() + 10)
        top = cell.top() + (cell.height() - height) // 2
        chosen = buttons_for(kind, settled)
        sizes = [widths.get(name, widths[ACTION_LOG]) for name, _text in chosen]
        x = cell.right() + 1 - BUTTON_GAP - sum(sizes) - BUTTON_GAP * (len(sizes) - 1)
        rects = []
        for (name, text), width in zip(chosen, sizes, strict=True):
            rects.append((name, text, QRect(x, top, width, height)))
            x += width + BUTTON_GAP
        return rects

    def actions_cell(self, index: AnyIndex) -> QRect:
        """The cell whose right end holds ``index``'s row buttons, in the viewport."""
        return self.view.visualRect(index.siblingAtColumn(COL_ACTIONS))

    def reason_rect(self, index: AnyIndex, cell: QRect) -> QRect:
        """Where the reason is drawn on the row the user is on (``cell`` is the row's
        last cell): reaching far enough left to end, whole, before the row's buttons.
        It takes that room from what is to be done, whose tooltip has it whole, because
        the reason is what says why the row is here; a few characters of what is to
        be done always stay."""
        kind = index.data(KIND_ROLE) or ""
        settled = index.data(SETTLED_ROLE) is not None
        rects = self.button_rects(cell, kind, settled)
        strip_left = rects[0][2].left() - BUTTON_GAP
        fm = self.view.fontMetrics()
        # The fractional width, rounded up: the style elides text a fraction too wide.
        advance = math.ceil(QFontMetricsF(self.view.font()).horizontalAdvance(self.reason(index)))
        wanted = advance + 1 + 2 * self.text_margin()
        what = self.view.visualRect(index.siblingAtColumn(COL_WHAT))
        least = what.left() + WHAT_KEEPS_CHARS * fm.averageCharWidth()
        left = min(max(strip_left - wanted, least), cell.left())
        return QRect(left, cell.top(), max(0, strip_left - left), cell.height())

    @staticmethod
    def reason(index: AnyIndex) -> str:
        """The row's "why here" (or, once settled, what it became)."""
        return str(index.siblingAtColumn(COL_WHEN).data() or "")

    def text_margin(self) -> int:
        """The gap an item view leaves each side of a cell's text."""
        metric = QStyle.PixelMetric.PM_FocusFrameHMargin
        return self.view.style().pixelMetric(metric, None, self.view) + 1

    def initStyleOption(  # noqa: N802 - Qt API
        self, option: QStyleOptionViewItem, index: AnyIndex
    ) -> None:
        super().initStyleOption(option, index)
        if index.internalId() == 0:
            # Disabled so the keyboard skips them, but headings must not look greyed out.
            option.state |= QStyle.StateFlag.State_Enabled

    def sizeHint(self, option: QStyleOptionViewItem, index: AnyIndex) -> QSize:  # noqa: N802
        size = super().sizeHint(option, index)
        # Room for the buttons; every row the same so uniformRowHeights holds.
        return QSize(size.width(), max(size.height(), self.view.fontMetrics().height() + 18))

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: AnyIndex) -> None:
        if index.column() == COL_WHAT and index.internalId() != 0 and row_is_active(option):
            self._paint_what(painter, option, index)
            return
        if index.column() != COL_ACTIONS or index.internalId() == 0:
            super().paint(painter, option, index)
            return
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        if not row_is_active(opt):
            super().paint(painter, option, index)  # a calm list: buttons only where the user is
            return
        kind = index.data(KIND_ROLE) or ""
        settled = index.data(SETTLED_ROLE) is not None
        rects = self.button_rects(option.rect, kind, settled)
        style = self.view.style()
        # The buttons' strip: from just left of the first button to the row's end. The
        # reason ends before it, taking room from what is to be done (reason_rect).
        strip = QRect(option.rect)
        strip.setLeft(rects[0][2].left() - BUTTON_GAP)
        style.drawPrimitive(QStyle.PrimitiveElement.PE_PanelItemViewItem, opt, painter, self.view)
        reason = self.reason_rect(index, option.rect)
        if reason.width() > 0:
            text = QStyleOptionViewItem(option)
            text.rect = reason
            super().paint(painter, text, index)
        # Where the strip reaches into the column before (a narrow window), it covers
        # that text with the row's own background first.
        backing = QStyleOptionViewItem(opt)
        backing.rect = strip
        alternate = bool(opt.features & QStyleOptionViewItem.ViewItemFeature.Alternate)
        base = QPalette.ColorRole.AlternateBase if alternate else QPalette.ColorRole.Base
        painter.fillRect(strip, opt.palette.brush(base))
        style.drawPrimitive(
            QStyle.PrimitiveElement.PE_PanelItemViewItem, backing, painter, self.view
        )
        for _name, label, rect in rects:
            button = QStyleOptionButton()
            button.rect = rect
            button.text = label
            button.state = QStyle.StateFlag.State_Enabled | QStyle.StateFlag.State_Raised
            button.palette = option.palette
            button.fontMetrics = option.fontMetrics
            style.drawControl(QStyle.ControlElement.CE_PushButton, button, painter, self.view)

    def _paint_what(self, painter: QPainter, option: QStyleOptionViewItem, index: AnyIndex) -> None:
        """What is to be done, on the row the user is on: ended where the reason
        begins when the reason needs some of its room (see ``reason_rect``)."""
        end = self.reason_rect(index, self.actions_cell(index)).left()
        if end >= option.rect.right():
            super().paint(painter, option, index)
            return
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        self.view.style().drawPrimitive(
            QStyle.PrimitiveElement.PE_PanelItemViewItem, opt, painter, self.view
        )
        shortened = QStyleOptionViewItem(option)
        shortened.rect = QRect(option.rect)
        shortened.rect.setRight(end - 1)
        super().paint(painter, shortened, index)

    def editorEvent(  # noqa: N802 - Qt API
        self,
        event: QEvent,
        model: QAbstractItemModel,
        option: QStyleOptionViewItem,
        index: AnyIndex,
    ) -> bool:
        if index.internalId() == 0:
            return False
        if event.type() != QEvent.Type.MouseButtonRelease or not isinstance(event, QMouseEvent):
            return False
        if event.button() != Qt.MouseButton.LeftButton:
            return False
        view = self.view
        selected = view.selectionModel().isRowSelected(index.row(), index.parent())
        if not (selected or row_is_active(option)):
            return False
        pos = event.position().toPoint()
        settled = index.data(SETTLED_ROLE) is not None
        # The buttons may reach over the column before the last on a narrow window:
        # a click is matched against the row's buttons whichever cell it landed in.
        cell = self.actions_cell(index)
        for name, _text, rect in self.button_rects(cell, index.data(KIND_ROLE) or "", settled):
            if rect.contains(pos):
                actions_index = index.siblingAtColumn(COL_ACTIONS)
                self.action.emit(name, QPersistentModelIndex(actions_index), rect)
                return True
        return False


def fit_reason_column(tree: QTreeView, today: date, why_width: int) -> None:
    """What is to be done and why it is here share what the client's name leaves,
    the reason never wider than its longest text (``why_width``). No room is kept
    for the row buttons: they are drawn over the right end of the row the user is on."""
    header = tree.header()
    room = tree.viewport().width() - header.sectionSize(COL_CLIENT)
    metrics = tree.fontMetrics()
    # Never narrower than a reason up to its date: a date is never cut short.
    dated = max(metrics.horizontalAdvance(t) for t in dated_reasons(today))
    least = dated + 2 * metrics.averageCharWidth()
    header.resizeSection(COL_WHEN, max(least, min(why_width, room // 2)))
