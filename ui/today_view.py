"""Today: who is waiting on you, most urgent first, and what you can do about it
without leaving the row.

The rows are a Qt item model over ``today_plan`` (sections as parents, items as
children), shown in a QTreeView; the per-row buttons are painted by a delegate,
not built as widgets, so a long overdue list costs nothing to refresh. Every
string a row shows is worked out once when the plan arrives; data() only picks.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, overload

from PySide6.QtCore import (
    QAbstractItemModel,
    QDate,
    QEvent,
    QItemSelectionModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QPoint,
    QRect,
    QSize,
    Qt,
    Signal,
)
from PySide6.QtGui import (
    QAction,
    QBrush,
    QColor,
    QFont,
    QIcon,
    QKeySequence,
    QMouseEvent,
    QPainter,
    QPixmap,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCalendarWidget,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMenu,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionButton,
    QStyleOptionViewItem,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from models.changes import AGREEMENTS, BOOK, CLIENTS, DAY, INCIDENTS, REMINDERS, Changes
from models.errors import NotFoundError
from models.reads import next_due_after
from models.reminders import DueItem, DueKind, TodayPlan, snooze_date
from ui.app import RapportApp
from ui.item_models import ROW_FLAGS, AnyIndex, header_text
from ui.keys import widget_shortcut
from ui.kit.subscribe import on_changes
from ui.ops import announce
from ui.wording import MONTHS, WEEKDAYS, short_date, what_text, when_text

EMPTY_TITLE = "Nobody is waiting on you today."
NOTHING_AHEAD = "Nothing is planned yet. Give a client a keep-in-touch rhythm to see them here."
NO_BOOK = "No book is open."

OVERDUE, DUE_TODAY, UPCOMING = "overdue", "today", "upcoming"
SECTION_TITLES = {OVERDUE: "Overdue", DUE_TODAY: "Due today", UPCOMING: "Next 7 days"}

COL_CLIENT, COL_WHAT, COL_WHEN, COL_ACTIONS = range(4)
HEADERS = ("Client", "What", "When", "")

ITEM_ROLE = Qt.ItemDataRole.UserRole + 1
SECTION_ROLE = Qt.ItemDataRole.UserRole + 2
KIND_ROLE = Qt.ItemDataRole.UserRole + 3

# The row's buttons, in slots so "Open" lines up whether or not a row can snooze.
# What Today's plan is read from: follow-ups come from touches, incidents'
# promises and agreements' commitments; a client's rhythm; the date itself.
TODAY_SHOWS = CLIENTS | REMINDERS | INCIDENTS | AGREEMENTS | BOOK | DAY

ACTION_LOG, ACTION_SNOOZE, ACTION_DONE, ACTION_OPEN = "log", "snooze", "done", "open"
BUTTONS: tuple[tuple[str, str], ...] = (
    (ACTION_LOG, "Log touch"),
    (ACTION_SNOOZE, "Snooze ▾"),
    (ACTION_DONE, "Done"),
    (ACTION_OPEN, "Open"),
)
FOLLOW_UP_ONLY = {ACTION_SNOOZE, ACTION_DONE}
BUTTON_GAP = 6
BUTTON_PAD = 18

SNOOZE_CHOICES = (("Tomorrow", "tomorrow"), ("In 3 days", "3 days"), ("Next week", "next week"))

LATE_COLOUR = "#b3261e"
PRIORITY_COLOUR = "#d9480f"
MUTED_STYLE = "color: palette(placeholder-text);"

RowKey = tuple[str, int, int]


def row_key(item: DueItem) -> RowKey:
    return (str(item.kind), item.client_id, item.follow_up_id or 0)


def long_date(day: date) -> str:
    return f"{WEEKDAYS[day.weekday()]} {day.day} {MONTHS[day.month - 1]}"


def next_up_text(item: DueItem, today: date) -> str:
    what = "keep in touch" if item.kind is DueKind.KEEP_IN_TOUCH else f"“{item.title}”"
    when = when_text(item.due_on, today)
    if (item.due_on - today).days > 6:
        when = f"on {when}"
    return f"Next up: {item.client_name}, {what}, {when}."


@dataclass(frozen=True)
class Row:
    item: DueItem
    what: str
    when: str
    late: bool
    tooltip: str


class Rows(Sequence[Row]):
    """A section's rows, each worked out from its item the first time it is asked
    for and kept: a book with thousands due paints one screen of them, so only those
    get their strings made."""

    def __init__(self, items: list[DueItem], today: date) -> None:
        self.items = items
        self.today = today
        self._made: dict[int, Row] = {}

    def __len__(self) -> int:
        return len(self.items)

    @overload
    def __getitem__(self, index: int) -> Row: ...

    @overload
    def __getitem__(self, index: slice) -> list[Row]: ...

    def __getitem__(self, index: int | slice) -> Row | list[Row]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self.items)))]
        if index < 0:
            index += len(self.items)
        row = self._made.get(index)
        if row is None:
            row = self._made[index] = _row(self.items[index], self.today)
        return row


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    rows: Rows


def _row(item: DueItem, today: date) -> Row:
    when = when_text(item.due_on, today)
    what = what_text(item)
    if item.kind is DueKind.KEEP_IN_TOUCH:
        what = what.lower()
    tip = f"{item.client_name}: {what}, due {short_date(item.due_on, today)}"
    if item.priority:
        tip += ". Priority client: they come first for now."
    return Row(item, what_text(item), when[:1].upper() + when[1:], item.due_on < today, tip)


def sections_for(plan: TodayPlan, today: date) -> list[Section]:
    """Overdue, due today and the next days, each in the rules' order, empty ones left out."""
    overdue = [i for i in plan.due if i.due_on < today]
    due_today = [i for i in plan.due if i.due_on >= today]
    return [
        Section(key, SECTION_TITLES[key], Rows(items, today))
        for key, items in ((OVERDUE, overdue), (DUE_TODAY, due_today), (UPCOMING, plan.upcoming))
        if items
    ]


def priority_icon() -> QIcon:
    """A small filled flag for clients who come first; drawn once, not per paint."""
    icon = QIcon()
    for size in (16, 24, 32):
        pm = QPixmap(size, size)
        pm.fill(Qt.GlobalColor.transparent)
        p = QPainter(pm)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(QColor(PRIORITY_COLOUR))
        s = size / 16
        p.drawRect(QRect(round(3 * s), round(2 * s), max(1, round(1.6 * s)), round(12 * s)))
        p.drawRect(QRect(round(4.5 * s), round(2.5 * s), round(8 * s), round(5.5 * s)))
        p.end()
        icon.addPixmap(pm)
    return icon


class TodayModel(QAbstractItemModel):
    """Sections are top-level rows (internal id 0); items are their children
    (internal id = section number + 1). Sections can be neither selected nor
    entered, so arrow keys move from item to item."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._sections: list[Section] = []
        self.today: date | None = None
        self._late = QBrush(QColor(LATE_COLOUR))
        self._bold = QFont()
        self._bold.setBold(True)
        self._flag = priority_icon()

    # -- content --------------------------------------------------------------

    def set_plan(self, plan: TodayPlan, today: date) -> None:
        self.beginResetModel()
        self.today = today
        self._sections = sections_for(plan, today)
        self.endResetModel()

    @property
    def sections(self) -> list[Section]:
        return list(self._sections)

    def items(self) -> list[DueItem]:
        return [item for s in self._sections for item in s.rows.items]

    def index_of(self, key: RowKey, column: int = 0) -> QModelIndex:
        for si, section in enumerate(self._sections):
            for ri, item in enumerate(section.rows.items):
                if row_key(item) == key:
                    return self.createIndex(ri, column, si + 1)
        return QModelIndex()

    def item_indexes(self) -> list[QModelIndex]:
        """Every item row, top to bottom, as the eye reads them."""
        return [
            self.createIndex(ri, 0, si + 1)
            for si, section in enumerate(self._sections)
            for ri in range(len(section.rows))
        ]

    def row_at(self, index: AnyIndex) -> Row | None:
        if not index.isValid() or index.internalId() == 0:
            return None
        si = index.internalId() - 1
        if not 0 <= si < len(self._sections):
            return None
        rows = self._sections[si].rows
        return rows[index.row()] if 0 <= index.row() < len(rows) else None

    def item_at(self, index: AnyIndex) -> DueItem | None:
        if not index.isValid() or index.internalId() == 0:
            return None
        si = index.internalId() - 1
        if not 0 <= si < len(self._sections):
            return None
        items = self._sections[si].rows.items
        return items[index.row()] if 0 <= index.row() < len(items) else None

    # -- the model interface ---------------------------------------------------

    def index(self, row: int, column: int, parent: AnyIndex | None = None) -> QModelIndex:
        # Checked here rather than through hasIndex(), which calls back into
        # rowCount() and columnCount(): the tree asks once per row when it lays out.
        if not 0 <= column < len(HEADERS) or row < 0:
            return QModelIndex()
        if parent is None or not parent.isValid():
            return self.createIndex(row, column, 0) if row < len(self._sections) else QModelIndex()
        section = parent.row()
        if (
            parent.internalId() == 0
            and parent.column() == 0
            and section < len(self._sections)
            and row < len(self._sections[section].rows)
        ):
            return self.createIndex(row, column, section + 1)
        return QModelIndex()

    def parent(self, child: AnyIndex | None = None) -> QModelIndex:  # type: ignore[override]
        if child is None or not child.isValid() or child.internalId() == 0:
            return QModelIndex()
        return self.createIndex(child.internalId() - 1, 0, 0)

    def rowCount(self, parent: AnyIndex | None = None) -> int:  # noqa: N802 - Qt API
        parent = parent if parent is not None else QModelIndex()
        if not parent.isValid():
            return len(self._sections)
        if parent.internalId() == 0 and parent.column() == 0 and parent.row() < len(self._sections):
            return len(self._sections[parent.row()].rows)
        return 0

    def columnCount(self, parent: AnyIndex | None = None) -> int:  # noqa: N802 - Qt API
        return len(HEADERS)

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        if index.internalId() == 0:
            return self._section_data(index, role)
        row = self.row_at(index)
        if row is None:
            return None
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if column == COL_CLIENT:
                return row.item.client_name
            if column == COL_WHAT:
                return row.what
            if column == COL_WHEN:
                return row.when
            return None
        if role == Qt.ItemDataRole.ToolTipRole and column != COL_ACTIONS:
            return row.tooltip
        if role == Qt.ItemDataRole.ForegroundRole and column == COL_WHEN and row.late:
            return self._late
        if role == Qt.ItemDataRole.DecorationRole and column == COL_CLIENT and row.item.priority:
            return self._flag
        if role == Qt.ItemDataRole.AccessibleTextRole and column == COL_CLIENT:
            prefix = "Priority. " if row.item.priority else ""
            return f"{prefix}{row.item.client_name}, {row.what}, {row.when}"
        if role == ITEM_ROLE:
            return row.item
        if role == KIND_ROLE:
            return str(row.item.kind)
        if role == SECTION_ROLE:
            return self._sections[index.internalId() - 1].key
        return None

    def _section_data(self, index: AnyIndex, role: int) -> Any:
        if not 0 <= index.row() < len(self._sections):
            return None
        section = self._sections[index.row()]
        if role == Qt.ItemDataRole.DisplayRole and index.column() == 0:
            return f"{section.title}  ·  {len(section.rows)}"
        if role == Qt.ItemDataRole.AccessibleTextRole and index.column() == 0:
            return f"{section.title}, {len(section.rows)}"
        if role == Qt.ItemDataRole.FontRole:
            return self._bold
        if role == SECTION_ROLE:
            return section.key
        return None

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        if not index.isValid() or index.internalId() == 0:
            return Qt.ItemFlag.NoItemFlags
        return ROW_FLAGS

    def headerData(  # noqa: N802 - Qt API
        self,
        section: int,
        orientation: Qt.Orientation,
        role: int = Qt.ItemDataRole.DisplayRole,
    ) -> Any:
        return header_text(HEADERS, section, orientation, role)


def buttons_for(kind: DueKind | str) -> list[tuple[str, str]]:
    follow_up = str(kind) == str(DueKind.FOLLOW_UP)
    return [(name, text) for name, text in BUTTONS if follow_up or name not in FOLLOW_UP_ONLY]


class TodayDelegate(QStyledItemDelegate):
    """Paints section rows as headings and the last column as real-looking buttons,
    and turns a click on one into ``action`` (name, row index, button rectangle)."""

    action = Signal(str, QPersistentModelIndex, QRect)

    def __init__(self, view: QTreeView) -> None:
        super().__init__(view)
        self.view = view

    def _widths(self) -> dict[str, int]:
        fm = self.view.fontMetrics()
        return {name: fm.horizontalAdvance(text) + BUTTON_PAD for name, text in BUTTONS}

    def actions_width(self) -> int:
        return sum(self._widths().values()) + BUTTON_GAP * (len(BUTTONS) + 1)

    def button_rects(self, cell: QRect, kind: DueKind | str) -> list[tuple[str, str, QRect]]:
        """Where each button of a row sits; slots stay fixed so columns line up."""
        widths = self._widths()
        height = min(cell.height() - 6, self.view.fontMetrics().height() + 10)
        top = cell.top() + (cell.height() - height) // 2
        x = cell.left() + BUTTON_GAP
        wanted = {name for name, _t in buttons_for(kind)}
        rects = []
        for name, text in BUTTONS:
            if name in wanted:
                rects.append((name, text, QRect(x, top, widths[name], height)))
            x += widths[name] + BUTTON_GAP
        return rects

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
        if index.column() != COL_ACTIONS or index.internalId() == 0:
            super().paint(painter, option, index)
            return
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        style = self.view.style()
        style.drawPrimitive(QStyle.PrimitiveElement.PE_PanelItemViewItem, opt, painter, self.view)
        kind = index.data(KIND_ROLE) or ""
        for _name, text, rect in self.button_rects(option.rect, kind):
            button = QStyleOptionButton()
            button.rect = rect
            button.text = text
            button.state = QStyle.StateFlag.State_Enabled | QStyle.StateFlag.State_Raised
            button.palette = option.palette
            button.fontMetrics = option.fontMetrics
            style.drawControl(QStyle.ControlElement.CE_PushButton, button, painter, self.view)

    def editorEvent(  # noqa: N802 - Qt API
        self,
        event: QEvent,
        model: QAbstractItemModel,
        option: QStyleOptionViewItem,
        index: AnyIndex,
    ) -> bool:
        if index.column() != COL_ACTIONS or index.internalId() == 0:
            return False
        if event.type() != QEvent.Type.MouseButtonRelease or not isinstance(event, QMouseEvent):
            return False
        if event.button() != Qt.MouseButton.LeftButton:
            return False
        pos = event.position().toPoint()
        for name, _text, rect in self.button_rects(option.rect, index.data(KIND_ROLE) or ""):
            if rect.contains(pos):
                self.action.emit(name, QPersistentModelIndex(index), rect)
                return True
        return False


class DatePickDialog(QDialog):
    """A calendar for "Snooze until…": only days after today can be picked."""

    def __init__(self, today: date, current: date, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Snooze until")
        self.calendar = QCalendarWidget()
        tomorrow = today + timedelta(days=1)
        self.calendar.setMinimumDate(QDate(tomorrow.year, tomorrow.month, tomorrow.day))
        start = max(current, tomorrow)
        self.calendar.setSelectedDate(QDate(start.year, start.month, start.day))
        self.calendar.setGridVisible(False)
        self.calendar.activated.connect(self.accept)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Snooze")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.calendar)
        layout.addWidget(buttons)

    def chosen(self) -> date:
        d = self.calendar.selectedDate()
        return date(d.year(), d.month(), d.day())


class TodayView(QWidget):
    """The home page. It changes the book only through the services and then tells
    the app (``changed``); it asks its window for what belongs to the window: the
    touch dialog, the client page, the status bar's Undo."""

    log_touch_requested = Signal(int)
    # (client id, follow-up id, follow-up title): a touch that may settle the follow-up
    follow_up_touch_requested = Signal(int, int, str)
    open_client_requested = Signal(int)
    # (message, undo button text, callable that undoes): the window shows Undo.
    undoable = Signal(str, str, object)
    message = Signal(str)
    count_changed = Signal(int)

    def __init__(self, rapport: RapportApp, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.rapport = rapport
        self.plan: TodayPlan | None = None
        self.next_up: DueItem | None = None
        self.snooze_menu: QMenu | None = None
        self.date_dialog: DatePickDialog | None = None

        self.title = QLabel("Today")
        font = self.title.font()
        font.setPointSizeF(font.pointSizeF() * 1.6)
        font.setBold(True)
        self.title.setFont(font)
        self.date_label = QLabel()
        self.date_label.setStyleSheet(MUTED_STYLE)
        self.summary_label = QLabel()
        self.summary_label.setStyleSheet(MUTED_STYLE)
        heading = QHBoxLayout()
        heading.addWidget(self.title)
        heading.addSpacing(10)
        heading.addWidget(self.date_label, 0, Qt.AlignmentFlag.AlignBottom)
        heading.addStretch(1)
        heading.addWidget(self.summary_label, 0, Qt.AlignmentFlag.AlignBottom)

        self.empty_title = QLabel(EMPTY_TITLE)
        empty_font = self.empty_title.font()
        empty_font.setPointSizeF(empty_font.pointSizeF() * 1.25)
        self.empty_title.setFont(empty_font)
        self.empty_title.setWordWrap(True)
        self.next_label = QLabel()
        self.next_label.setWordWrap(True)
        self.next_label.setTextFormat(Qt.TextFormat.PlainText)
        self.next_label.setStyleSheet(MUTED_STYLE)
        self.empty_box = QWidget()
        empty_layout = QVBoxLayout(self.empty_box)
        empty_layout.setContentsMargins(0, 18, 0, 12)
        empty_layout.addWidget(self.empty_title)
        empty_layout.addWidget(self.next_label)

        self.model = TodayModel(self)
        self.tree = QTreeView()
        self.tree.setModel(self.model)
        self.tree.setRootIsDecorated(False)
        self.tree.setItemsExpandable(False)
        self.tree.setExpandsOnDoubleClick(False)
        self.tree.setUniformRowHeights(True)
        self.tree.setAllColumnsShowFocus(True)
        self.tree.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.tree.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.tree.setIndentation(0)
        self.tree.setAccessibleName("Today")
        self.tree.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.delegate = TodayDelegate(self.tree)
        self.tree.setItemDelegate(self.delegate)
        header = self.tree.header()
        header.setStretchLastSection(False)
        header.setSectionsMovable(False)
        header.setSectionResizeMode(COL_CLIENT, QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(COL_WHAT, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(COL_WHEN, QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(COL_ACTIONS, QHeaderView.ResizeMode.Fixed)
        header.resizeSection(COL_CLIENT, 220)
        header.resizeSection(COL_WHEN, 120)
        header.resizeSection(COL_ACTIONS, self.delegate.actions_width())
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 8)
        layout.addLayout(heading)
        layout.addWidget(self.empty_box)
        layout.addWidget(self.tree, 1)
        self.spacer = QWidget()
        layout.addWidget(self.spacer, 1)

        self.log_action = self._action("&Log a touch…", self.log_touch_selected)
        self.done_action = self._action("Mark &done", self.done_selected, "Ctrl+D")
        self.snooze_action = self._action("&Snooze…", self.snooze_selected, "S")
        self.open_action = self._action("&Open client", self.open_selected)
        for key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            widget_shortcut(QKeySequence(key), self.tree, self.log_touch_selected)
        widget_shortcut(QKeySequence("Ctrl+D"), self.tree, self.done_selected)
        widget_shortcut(QKeySequence(Qt.Key.Key_S), self.tree, self.snooze_selected)

        self.delegate.action.connect(self._on_button)
        self.tree.doubleClicked.connect(lambda _i: self.log_touch_selected())
        self.tree.customContextMenuRequested.connect(self._show_context_menu)
        self.tree.selectionModel().selectionChanged.connect(lambda *_a: self._update_actions())
        on_changes(self, rapport.changed, TODAY_SHOWS, self._on_changed)
        self.refresh()

    def _action(self, text: str, slot: Callable[[], object], keys: str | None = None) -> QAction:
        action = QAction(text, self)
        if keys:
            action.setShortcut(QKeySequence(keys))
            # Shown in menus as a hint; the tree's own shortcuts do the work.
            action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        action.triggered.connect(slot)
        return action

    # -- reading --------------------------------------------------------------

    def _on_changed(self, _what: Changes, _initiator: object) -> None:
        self.refresh()

    def refresh(self) -> None:
        """Ask the book for today's plan again, keeping the keyboard on the same row
        (or, when that row is gone, on the one that took its place)."""
        book = self.rapport.book
        today = self.rapport.today()
        keep = self.selected_item()
        keep_pos = self._selected_position()
        plan = self.rapport.today_plan()
        self.plan = plan
        self.model.set_plan(plan, today)
        # Each section opened on its own: expandAll() also asks every item whether it
        # has children, a Python call per row on a list thousands long.
        # Spans first, while the sections are closed: spanning a row makes the tree lay
        # out again, and an open section would be laid out row by row each time.
        sections = range(self.model.rowCount())
        for si in sections:
            self.tree.setFirstColumnSpanned(si, QModelIndex(), True)
        for si in sections:
            self.tree.expand(self.model.index(si, 0))

        self.date_label.setText(long_date(today))
        n_due = len(plan.due)
        late = sum(1 for i in plan.due if i.due_on < today)
        if late == n_due and n_due:
            self.summary_label.setText(f"{n_due} overdue")
        elif late:
            self.summary_label.setText(f"{n_due} due · {late} overdue")
        else:
            self.summary_label.setText(f"{n_due} due" if n_due else "")
        self.next_up = None
        if not plan.due and book is not None:
            if plan.upcoming:
                self.next_up = min(plan.upcoming, key=lambda i: (i.due_on, i.client_name))
            else:
                self.next_up = next_due_after(book, today + timedelta(days=7), today=today)
        self.empty_box.setVisible(not plan.due)
        if book is None:
            self.next_label.setText(NO_BOOK)
        elif self.next_up is not None:
            self.next_label.setText(next_up_text(self.next_up, today))
        else:
            self.next_label.setText(NOTHING_AHEAD)
        has_rows = self.model.rowCount() > 0
        self.tree.setVisible(has_rows)
        self.spacer.setVisible(not has_rows)

        if keep is not None and self.select_key(row_key(keep)):
            pass
        elif keep_pos is not None:
            rows = self.model.item_indexes()
            if rows:
                self._select_index(rows[min(keep_pos, len(rows) - 1)])
        self._update_actions()
        self.count_changed.emit(n_due)

    def count_due(self) -> int:
        return len(self.plan.due) if self.plan is not None else 0

    # -- selection ------------------------------------------------------------

    def selected_index(self) -> QModelIndex:
        rows = self.tree.selectionModel().selectedRows()
        return rows[0] if rows else QModelIndex()

    def selected_item(self) -> DueItem | None:
        return self.model.item_at(self.selected_index())

    def _selected_position(self) -> int | None:
        index = self.selected_index()
        if not index.isValid() or index.internalId() == 0:
            return None
        si = index.internalId() - 1
        sections = self.model.sections
        if not 0 <= si < len(sections) or not 0 <= index.row() < len(sections[si].rows):
            return None
        return sum(len(s.rows) for s in sections[:si]) + index.row()

    def _select_index(self, index: QModelIndex) -> None:
        self.tree.selectionModel().setCurrentIndex(
            index,
            QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows,
        )
        self.tree.scrollTo(index)

    def select_key(self, key: RowKey) -> bool:
        index = self.model.index_of(key)
        if not index.isValid():
            return False
        self._select_index(index)
        return True

    def select_first(self) -> bool:
        rows = self.model.item_indexes()
        if not rows:
            return False
        self._select_index(rows[0])
        return True

    def focus_list(self) -> None:
        """Give the list the keyboard with a row chosen, so Enter works at once."""
        if self.selected_item() is None:
            self.select_first()
        self.tree.setFocus(Qt.FocusReason.OtherFocusReason)

    def _update_actions(self) -> None:
        item = self.selected_item()
        follow_up = item is not None and item.kind is DueKind.FOLLOW_UP
        self.log_action.setEnabled(item is not None)
        self.open_action.setEnabled(item is not None)
        self.done_action.setEnabled(follow_up)
        self.snooze_action.setEnabled(follow_up)

    # -- acting on a row -------------------------------------------------------

    def _on_button(self, name: str, index: QPersistentModelIndex, rect: QRect) -> None:
        item = self.model.item_at(index)
        if item is None:
            return
        self.select_key(row_key(item))
        if name == ACTION_LOG:
            self._request_touch(item)
        elif name == ACTION_SNOOZE:
            self.show_snooze_menu(item, self.tree.viewport().mapToGlobal(rect.bottomLeft()))
        elif name == ACTION_DONE:
            self.mark_done(item)
        elif name == ACTION_OPEN:
            self.open_client_requested.emit(item.client_id)

    def log_touch_selected(self) -> None:
        item = self.selected_item()
        if item is not None:
            self._request_touch(item)

    def _request_touch(self, item: DueItem) -> None:
        if item.follow_up_id is not None:
            self.follow_up_touch_requested.emit(item.client_id, item.follow_up_id, item.title)
        else:
            self.log_touch_requested.emit(item.client_id)

    def open_selected(self) -> None:
        item = self.selected_item()
        if item is not None:
            self.open_client_requested.emit(item.client_id)

    def done_selected(self) -> None:
        item = self.selected_item()
        if item is not None:
            self.mark_done(item)

    def snooze_selected(self) -> None:
        item = self.selected_item()
        if item is None or item.kind is not DueKind.FOLLOW_UP:
            return
        index = self.model.index_of(row_key(item), COL_ACTIONS)
        rect = self.tree.visualRect(index)
        self.show_snooze_menu(item, self.tree.viewport().mapToGlobal(rect.bottomLeft()))

    def mark_done(self, item: DueItem) -> bool:
        book = self.rapport.book
        if book is None or item.follow_up_id is None:
            return False
        from models.services.reminders import complete_follow_up, reopen_follow_up

        fid = item.follow_up_id
        try:
            complete_follow_up(book, fid, now=self.rapport.now())
        except NotFoundError:
            self.refresh()
            return False
        announce(self.rapport, REMINDERS, self)

        def undo() -> None:
            if self.rapport.book is book:
                try:
                    reopen_follow_up(book, fid)
                except NotFoundError:
                    return
                announce(self.rapport, REMINDERS, self)
                self.select_key(row_key(item))

        self.undoable.emit(f"Done: {item.title} ({item.client_name}).", "Undo done", undo)
        return True

    def show_snooze_menu(self, item: DueItem, at: QPoint | None = None) -> QMenu:
        """The snooze choices for one follow-up, popped up without blocking."""
        if self.snooze_menu is not None:
            self.snooze_menu.deleteLater()
        menu = QMenu(self)
        for text, choice in SNOOZE_CHOICES:
            action = menu.addAction(text)
            action.triggered.connect(
                lambda _c=False, ch=choice: self.snooze(item, snooze_date(ch, self.rapport.today()))
            )
        menu.addSeparator()
        pick = menu.addAction("Pick a date…")
        pick.triggered.connect(lambda _c=False: self.pick_snooze_date(item))
        self.snooze_menu = menu
        if at is None:
            rect = self.tree.visualRect(self.model.index_of(row_key(item), COL_ACTIONS))
            at = self.tree.viewport().mapToGlobal(rect.bottomLeft())
        menu.popup(at)
        return menu

    def pick_snooze_date(self, item: DueItem) -> DatePickDialog:
        dialog = DatePickDialog(self.rapport.today(), item.due_on, self)
        dialog.accepted.connect(lambda: self.snooze(item, dialog.chosen()))
        if self.date_dialog is not None:
            self.date_dialog.deleteLater()
        self.date_dialog = dialog
        dialog.open()
        return dialog

    def snooze(self, item: DueItem, until: date) -> bool:
        book = self.rapport.book
        if book is None or item.follow_up_id is None:
            return False
        from models.services.reminders import snooze_follow_up

        fid, before = item.follow_up_id, item.due_on
        try:
            snooze_follow_up(book, fid, until)
        except NotFoundError:
            self.refresh()
            return False
        announce(self.rapport, REMINDERS, self)

        def undo() -> None:
            if self.rapport.book is book:
                try:
                    snooze_follow_up(book, fid, before)
                except NotFoundError:
                    return
                announce(self.rapport, REMINDERS, self)
                self.select_key(row_key(item))

        when = when_text(until, self.rapport.today())
        self.undoable.emit(
            f"Snoozed {item.title} ({item.client_name}) until {when}.", "Undo snooze", undo
        )
        return True

    def _show_context_menu(self, pos: QPoint) -> None:
        index = self.tree.indexAt(pos)
        item = self.model.item_at(index)
        if item is None:
            return
        self.select_key(row_key(item))
        menu = QMenu(self)
        menu.addAction(self.log_action)
        if item.kind is DueKind.FOLLOW_UP:
            menu.addAction(self.snooze_action)
            menu.addAction(self.done_action)
        menu.addSeparator()
        menu.addAction(self.open_action)
        menu.popup(self.tree.viewport().mapToGlobal(pos))
