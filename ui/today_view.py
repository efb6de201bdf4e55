"""Today: who is waiting on you, most urgent first, and what you can do about it
without leaving the row.

The rows are a Qt item model over ``today_head`` (sections as parents, items as
children; each part's first rows and the counts, read with ordered, limited
queries, so a big book's first screen never waits for its whole plan), shown in
a QTreeView; the per-row buttons are painted by a delegate, not built as
widgets, so a long overdue list costs nothing to refresh. Every string a row
shows is worked out once when the plan arrives; data() only picks.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import TYPE_CHECKING

from PySide6.QtCore import (
    QEvent,
    QItemSelectionModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QRect,
    Qt,
    Signal,
)
from PySide6.QtGui import (
    QAction,
    QKeySequence,
    QResizeEvent,
    QShowEvent,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMenu,
    QPushButton,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from models.changes import Changes
from models.reads import next_due_after
from models.reminders import DueItem, DueKind, TodayHead
from ui.app import RapportApp
from ui.keys import widget_shortcut
from ui.kit.subscribe import on_changes
from ui.kit.viewport import viewport_of
from ui.today_acts import TodayActs
from ui.today_delegate import (
    ACTION_DONE,
    ACTION_LOG,
    ACTION_OPEN,
    ACTION_SNOOZE,
    ACTION_UNDO,
    TodayDelegate,
    fit_reason_column,
)
from ui.today_model import (
    COL_ACTIONS,
    COL_CLIENT,
    COL_WHAT,
    COL_WHEN,
    EMPTY_TITLE,
    ITEM_ROLE,
    MUTED_STYLE,
    NO_BOOK,
    NOTHING_AHEAD,
    REASON_SAMPLES,
    TODAY_SHOWS,
    RowKey,
    TodayModel,
    long_date,
    next_up_text,
    row_key,
)

if TYPE_CHECKING:
    from ui.date_pick import DatePickDialog

__all__ = [
    "ACTION_DONE",
    "ACTION_LOG",
    "ACTION_OPEN",
    "ACTION_SNOOZE",
    "COL_ACTIONS",
    "EMPTY_TITLE",
    "ITEM_ROLE",
    "TODAY_SHOWS",
    "TodayDelegate",
    "TodayModel",
    "row_key",
]


class TodayView(TodayActs, QWidget):
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
        # What the list shows: each part's first rows and the counts of all of it.
        self.plan: TodayHead | None = None
        self.next_up: DueItem | None = None
        self.snooze_menu: QMenu | None = None
        self.date_dialog: DatePickDialog | None = None
        # A touch asked for from a row: when the book changes and the row is no
        # longer due, it is shown settled ("Touch logged") rather than taken away.
        self._touching: RowKey | None = None
        self._undos: dict[RowKey, Callable[[], None]] = {}
        self._stale = False
        self._reloading = False
        self._reload_when_mouse_leaves = False

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
        self.tree.setMouseTracking(True)  # the row under the mouse shows its buttons
        self.tree.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.delegate = TodayDelegate(self.tree)
        self.tree.setItemDelegate(self.delegate)
        header = self.tree.header()
        header.setStretchLastSection(False)
        header.setSectionsMovable(False)
        header.setSectionResizeMode(COL_CLIENT, QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(COL_WHAT, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(COL_WHEN, QHeaderView.ResizeMode.Interactive)
        # In characters of the font in use, so a scale change never leaves them stale.
        chars = self.tree.fontMetrics().averageCharWidth()
        header.resizeSection(COL_CLIENT, 22 * chars)
        # The longest reasons the rules give, measured in the font in use.
        metrics = self.tree.fontMetrics()
        widest = max(metrics.horizontalAdvance(text) for text in REASON_SAMPLES)
        self._why_width = widest + 2 * chars
        header.resizeSection(COL_WHEN, self._why_width)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 8)
        layout.addLayout(heading)
        layout.addWidget(self.empty_box)
        layout.addWidget(self.tree, 1)
        self.more_label = QLabel()
        self.more_label.setStyleSheet(MUTED_STYLE)
        self.show_all_button = QPushButton("Show &all")
        self.show_all_button.clicked.connect(self.show_all)
        self.more_box = QWidget()
        more_layout = QHBoxLayout(self.more_box)
        more_layout.setContentsMargins(0, 4, 0, 0)
        more_layout.addWidget(self.more_label, 1)
        more_layout.addWidget(self.show_all_button)
        self.more_box.hide()
        layout.addWidget(self.more_box)
        self.spacer = QWidget()
        layout.addWidget(self.spacer, 1)

        self.log_action = self._action("&Log a touch…", self.log_touch_selected)
        self.done_action = self._action("Mark &done", self.done_selected, "Ctrl+D")
        self.snooze_action = self._action("&Snooze…", self.snooze_selected, "S")
        self.open_action = self._action("&Open client", self.open_selected)
        for key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            widget_shortcut(QKeySequence(key), self.tree, self.log_touch_selected)
        widget_shortcut(QKeySequence("Ctrl+D"), self.tree, self.done_selected)
        widget_shortcut(QKeySequence(Qt.Key.Key_D), self.tree, self.done_selected)
        widget_shortcut(QKeySequence(Qt.Key.Key_S), self.tree, self.snooze_selected)

        self.delegate.action.connect(self._on_button)
        self.tree.doubleClicked.connect(lambda _i: self.log_touch_selected())
        self.tree.customContextMenuRequested.connect(self._show_context_menu)
        self.tree.selectionModel().selectionChanged.connect(lambda *_a: self._update_actions())
        self.tree.selectionModel().currentChanged.connect(self._on_current_changed)
        viewport_of(self.tree).installEventFilter(self)
        # Not deferred while hidden: the sidebar's "Today (n)" count comes from here
        # and must be right on every page.
        on_changes(self, rapport.changed, TODAY_SHOWS, self._on_changed, defer_hidden=False)
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
        if _what.dates:
            self._fit_reason_column()

    def refresh(self, *, reload: bool = False) -> None:
        """Ask the book for today's plan again, keeping the keyboard on the same row
        (or, when that row is gone, on the one that took its place).

        While a row the user settled is on screen, the list is not reloaded (so
        nothing moves under the mouse): only the counts are. It reloads when the
        user moves on to another row, or Today is shown again (``reload``)."""
        book = self.rapport.book
        today = self.rapport.today()
        plan = self.rapport.today_head(self.model.limit)
        self.plan = plan
        self._notice_logged_touch(plan)
        count = plan.count
        self.summary_label.setText(count.headline() if count.total else "")
        if self.model.has_settled() and not reload and self.model.today == today:
            self._stale = True
            self._update_actions()
            self.count_changed.emit(count.total)
            return
        self._stale = False
        keep = self.selected_item()
        keep_pos = self._selected_position()
        self._reloading = True
        try:
            self._load(plan, today)
        finally:
            self._reloading = False
        self.date_label.setText(long_date(today))
        self.next_up = None
        if not count.total and book is not None:
            self.next_up = plan.first_upcoming
            if self.next_up is None:
                self.next_up = next_due_after(book, today + timedelta(days=7), today=today)
        self.empty_box.setVisible(not count.total)
        if book is None:
            self.next_label.setText(NO_BOOK)
        elif self.next_up is not None:
            self.next_label.setText(next_up_text(self.next_up, today))
        else:
            self.next_label.setText(NOTHING_AHEAD)
        has_rows = self.model.rowCount() > 0
        self.tree.setVisible(has_rows)
        self.spacer.setVisible(not has_rows)
        hidden = self.model.hidden_rows
        self.more_box.setVisible(hidden > 0)
        if hidden:
            self.more_label.setText(
                f"The first {self.model.limit} of each part are listed, most urgent first; "
                f"{hidden} more follow as you settle these."
            )

        self._reloading = True
        try:
            if keep is not None and self.select_key(row_key(keep)):
                pass
            elif keep_pos is not None:
                rows = self.model.item_indexes()
                if rows:
                    self._select_index(rows[min(keep_pos, len(rows) - 1)])
        finally:
            self._reloading = False
        self._update_actions()
        self.count_changed.emit(count.total)

    def _load(self, plan: TodayHead, today: date) -> None:
        self.model.set_head(plan, today)
        # Each section opened on its own: expandAll() also asks every item whether it
        # has children, a Python call per row.
        # Spans first, while the sections are closed: spanning a row makes the tree lay
        # out again, and an open section would be laid out row by row each time.
        sections = range(self.model.rowCount())
        for si in sections:
            self.tree.setFirstColumnSpanned(si, QModelIndex(), True)
        for si in sections:
            self.tree.expand(self.model.index(si, 0))

    def show_all(self) -> None:
        """List every row, not only the first ones of each part."""
        self.model.limit = None
        self.refresh(reload=True)
        self.focus_list()

    def reload(self) -> None:
        """The user moved on: settled rows leave, the list shows the book as it is."""
        self._reload_when_mouse_leaves = False
        if self.model.has_settled() or self._stale:
            self.refresh(reload=True)

    def _notice_logged_touch(self, plan: TodayHead) -> None:
        key = self._touching
        if key is None or self.model.settled_label(key) is not None:
            return
        before = self.model.item_at(self.model.index_of(key))
        if before is None:
            self._touching = None
            return
        now_due = {row_key(i): i.due_on for i in plan.due}
        if now_due.get(key) != before.due_on:
            self._touching = None
            self.model.settle(key, "Touch logged")

    def _on_current_changed(self, current: QModelIndex, previous: QModelIndex) -> None:
        if self._reloading:
            return
        item, before = self.model.item_at(current), self.model.item_at(previous)
        if item is None or (before is not None and row_key(item) == row_key(before)):
            return
        self._touching = None
        if not (self.model.has_settled() or self._stale):
            return
        if QApplication.mouseButtons() != Qt.MouseButton.NoButton:
            # Chosen with the mouse: reload once the mouse has left the list, so the
            # rows do not move under it.
            self._reload_when_mouse_leaves = True
        else:
            self.reload()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt API
        if watched is self.tree.viewport() and event.type() == QEvent.Type.Resize:
            # The list is hidden until Today has loaded, and a hidden list is sized
            # only when shown: fit the reason column to the list's own width then.
            self._fit_reason_column()
        if (
            watched is self.tree.viewport()
            and event.type() == QEvent.Type.Leave
            and self._reload_when_mouse_leaves
        ):
            self.reload()
        return super().eventFilter(watched, event)

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt API
        """On a narrow window (1024 px, or a 1.5 scale) the reason column gives way
        to what is to be done: at most half of the room, never a scrollbar."""
        super().resizeEvent(event)
        self._fit_reason_column()

    def _fit_reason_column(self) -> None:
        fit_reason_column(self.tree, self.rapport.today(), self._why_width)

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt API
        super().showEvent(event)
        if self.model.has_settled() or self._stale:
            self.refresh(reload=True)

    def count_due(self) -> int:
        if self.plan is None:
            return 0
        return self.plan.count.total

    # -- selection ------------------------------------------------------------

    def selected_index(self) -> QModelIndex:
        rows = self.tree.selectionModel().selectedRows()
        return rows[0] if rows else QModelIndex()

    def selected_item(self) -> DueItem | None:
        return self.model.item_at(self.selected_index())

    def selected_key(self) -> RowKey | None:
        item = self.selected_item()
        return row_key(item) if item is not None else None

    @staticmethod
    def key_of(item: DueItem) -> RowKey:
        return row_key(item)

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
        elif name == ACTION_UNDO:
            self.undo_row(row_key(item))

    def log_touch_selected(self) -> None:
        item = self.selected_item()
        if item is not None:
            self._request_touch(item)

    def _request_touch(self, item: DueItem) -> None:
        self._touching = row_key(item)
        if item.follow_up_id is not None:
            self.follow_up_touch_requested.emit(item.client_id, item.follow_up_id, item.title)
        else:
            self.log_touch_requested.emit(item.client_id)

    def open_selected(self) -> None:
        item = self.selected_item()
        if item is not None:
            self.open_client_requested.emit(item.client_id)
