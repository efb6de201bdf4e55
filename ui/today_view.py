"""Today: who is waiting on you, most urgent first, and what you can do about it
without leaving the row.

The rows are a Qt item model over ``today_plan`` (sections as parents, items as
children), shown in a QTreeView; the per-row buttons are painted by a delegate,
not built as widgets, so a long overdue list costs nothing to refresh. Every
string a row shows is worked out once when the plan arrives; data() only picks.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

from PySide6.QtCore import (
    QItemSelectionModel,
    QModelIndex,
    QPersistentModelIndex,
    QPoint,
    QRect,
    Qt,
    Signal,
)
from PySide6.QtGui import (
    QAction,
    QKeySequence,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMenu,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from models.changes import REMINDERS, Changes
from models.errors import NotFoundError
from models.reads import next_due_after
from models.reminders import DueItem, DueKind, TodayPlan, snooze_date
from ui.app import RapportApp
from ui.keys import widget_shortcut
from ui.kit.subscribe import on_changes
from ui.ops import announce
from ui.today_delegate import (
    ACTION_DONE,
    ACTION_LOG,
    ACTION_OPEN,
    ACTION_SNOOZE,
    SNOOZE_CHOICES,
    DatePickDialog,
    TodayDelegate,
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
    TODAY_SHOWS,
    RowKey,
    TodayModel,
    long_date,
    next_up_text,
    row_key,
)
from ui.wording import when_text

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
