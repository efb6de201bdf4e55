"""Acting on Today's rows: done, snooze (a menu or a picked date), and the undo
of each, which also takes the row back out of its settled state.

A mixin of TodayView, kept apart so the view stays small: it needs the view's
model, its signals and its ``rapport``; it changes the book only through the
services through the one op path (``run_op``), which tells the app once."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING, cast

from PySide6.QtCore import QPoint
from PySide6.QtWidgets import QMenu, QWidget

from models.changes import REMINDERS
from models.reminders import DueItem, DueKind, snooze_date
from ui.ops import run_op
from ui.today_delegate import SNOOZE_CHOICES
from ui.today_model import COL_ACTIONS, RowKey, row_key
from ui.wording import when_text

if TYPE_CHECKING:
    from PySide6.QtCore import SignalInstance
    from PySide6.QtGui import QAction
    from PySide6.QtWidgets import QTreeView

    from models.db import Book
    from ui.app import RapportApp
    from ui.date_pick import DatePickDialog
    from ui.today_model import TodayModel

DONE_LABEL = "Done"


class TodayActs:
    """Done, snooze and undo for TodayView (see the module's docstring)."""

    rapport: RapportApp
    model: TodayModel
    tree: QTreeView
    snooze_menu: QMenu | None
    date_dialog: DatePickDialog | None
    _undos: dict[RowKey, Callable[[], None]]
    message: SignalInstance
    log_action: QAction
    snooze_action: QAction
    done_action: QAction
    open_action: QAction
    undoable: SignalInstance

    def selected_item(self) -> DueItem | None:
        raise NotImplementedError

    def refresh(self, *, reload: bool = False) -> None:
        raise NotImplementedError

    def select_key(self, key: RowKey) -> bool:
        raise NotImplementedError

    def undo_row(self, key: RowKey) -> bool:
        """Undo what settled this row (the row's own Undo button)."""
        undo = self._undos.get(key)
        if undo is None:
            return False
        undo()
        return True

    def done_selected(self) -> None:
        item = self.selected_item()
        if item is None:
            return
        if item.kind is DueKind.KEEP_IN_TOUCH:
            self.message.emit(
                f"Keeping in touch with {item.client_name} is done by logging a touch: press Enter."
            )
            return
        self.mark_done(item)

    def snooze_selected(self) -> None:
        item = self.selected_item()
        if item is None:
            return
        if item.kind is not DueKind.FOLLOW_UP:
            self.message.emit(
                "A keep-in-touch date follows the client's rhythm, so it cannot be snoozed: "
                "log a touch (Enter) or change the rhythm on the client's page."
            )
            return
        if self.model.settled_label(row_key(item)) == DONE_LABEL:
            self.message.emit("That one is done already. Ctrl+Z brings it back.")
            return
        index = self.model.index_of(row_key(item), COL_ACTIONS)
        rect = self.tree.visualRect(index)
        self.show_snooze_menu(item, self.tree.viewport().mapToGlobal(rect.bottomLeft()))

    def mark_done(self, item: DueItem) -> bool:
        book = self.rapport.book
        if book is None or item.follow_up_id is None:
            return False
        from models.services.reminders import complete_follow_up, reopen_follow_up

        key = row_key(item)
        if self.model.settled_label(key) == DONE_LABEL:
            self.message.emit("That one is done already. Ctrl+Z brings it back.")
            return False
        fid = item.follow_up_id
        if not self._write(
            lambda: complete_follow_up(book, fid, now=self.rapport.now()),
            gone=self.refresh,
            then=lambda: self.model.settle(key, DONE_LABEL),
        ):
            return False
        undo = self._offer_undo(book, key, lambda: reopen_follow_up(book, fid))

        self.undoable.emit(f"Done: {item.title} ({item.client_name}).", "Undo done", undo)
        return True

    def _offer_undo(
        self, book: Book, key: RowKey, revert: Callable[[], object]
    ) -> Callable[[], None]:
        """The undo of a settled row, for the row's button and Ctrl+Z alike: it runs
        once, only on the book it was made for, and puts back the undo it replaced."""
        used: list[bool] = []

        def undone() -> None:
            used.append(True)
            self._pop_undo(key, previous)

        def undo() -> None:
            if self.rapport.book is book and not used and self._write(revert, then=undone):
                self.select_key(key)

        previous = self._undos.get(key)
        self._undos[key] = undo
        return undo

    def _write(
        self,
        write: Callable[[], object],
        *,
        then: Callable[[], object],
        gone: Callable[[], object] = lambda: None,
    ) -> bool:
        """A Today write through the one op path: settled in the row (``then``) before
        the views hear of it, once; a follow-up deleted meanwhile only ``gone``s."""
        return run_op(
            self.rapport,
            write,
            changes=REMINDERS,
            initiator=cast(QWidget, self),
            explain=self.message.emit,
            gone=gone,
            then=then,
        )

    def _pop_undo(self, key: RowKey, previous: Callable[[], None] | None) -> None:
        """An undo ran: the row goes back to what it was before that step."""
        self.model.unsettle(key)
        if previous is not None:
            self._undos[key] = previous
        else:
            self._undos.pop(key, None)

    def show_snooze_menu(self, item: DueItem, at: QPoint | None = None) -> QMenu:
        """The snooze choices for one follow-up, popped up without blocking."""
        if self.snooze_menu is not None:
            self.snooze_menu.deleteLater()
        menu = QMenu(cast(QWidget, self))
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
        from ui.date_pick import DatePickDialog  # off the first paint's path

        dialog = DatePickDialog(self.rapport.today(), item.due_on, cast(QWidget, self))
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

        fid, before, key = item.follow_up_id, item.due_on, row_key(item)
        when = when_text(until, self.rapport.today())
        if not self._write(
            lambda: snooze_follow_up(book, fid, until),
            gone=self.refresh,
            then=lambda: self.model.settle(key, f"Snoozed until {when}"),
        ):
            return False
        undo = self._offer_undo(book, key, lambda: snooze_follow_up(book, fid, before))

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
        menu = QMenu(cast(QWidget, self))
        menu.addAction(self.log_action)
        if item.kind is DueKind.FOLLOW_UP:
            menu.addAction(self.snooze_action)
            menu.addAction(self.done_action)
        menu.addSeparator()
        menu.addAction(self.open_action)
        menu.popup(self.tree.viewport().mapToGlobal(pos))
