"""Archiving from the main window, with a status-bar Undo for the last action."""

from __future__ import annotations

from collections.abc import Callable

from models.changes import CLIENTS
from ui.app import RapportApp
from ui.client_keys import (
    COL_NAME,
    ID_ROLE,
)
from ui.keys import menu_text
from ui.main.common import (
    UndoEntry,
)
from ui.ops import run_op


class ArchiveMixin:
    """Archive and unarchive, and take the last one back.

    A part of MainWindow (ui/main/window.py): it works on the widgets and
    attributes the window's __init__ makes."""

    # The window's own (QMainWindow and the attributes __init__ sets).
    rapport: RapportApp

    def _neighbour_id(self) -> int | None:
        """The client to select once the current one leaves the list."""
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return None
        row = rows[0].row()
        for candidate in (row + 1, row - 1):
            if 0 <= candidate < self.proxy.rowCount():
                value = self.proxy.index(candidate, COL_NAME).data(ID_ROLE)
                return int(value) if value is not None else None
        return None

    def _client_op(self, write: Callable[[], object], doing: str) -> bool:
        """Archive or unarchive through the one op path. A client deleted meanwhile
        just leaves the list (it is reloaded); any other refusal is said in the
        status bar."""
        return run_op(
            self.rapport,
            write,
            changes=CLIENTS,
            initiator=self,
            explain=lambda message: self.statusBar().showMessage(message, 6000),
            failed="That did not work, so nothing was changed. Please try again.",
            log_message=f"{doing} a client failed",
            gone=self.refresh,
        )

    def archive_selected(self) -> None:
        from models.services.clients import archive_client

        book = self.rapport.book
        client_id = self.selected_client_id()
        if book is None or client_id is None or self._selected_is_archived():
            return
        neighbour = None if self.show_archived_action.isChecked() else self._neighbour_id()
        row = self.model.row_at(self.model.row_of(client_id))
        name = row.name if row is not None else "client"
        if not self._client_op(lambda: archive_client(book, client_id), "Archiving"):
            return
        self.offer_undo(
            f"Archived {name}.",
            f"&Undo archive {menu_text(name)}",
            lambda: self._unarchive_again(client_id, name),
            archived_client=client_id,
        )
        if neighbour is not None:
            self.select_client(neighbour)
        self._update_actions()

    def offer_undo(
        self,
        label: str,
        action_text: str,
        undo: Callable[[], None],
        *,
        archived_client: int | None = None,
    ) -> None:
        """Say what just happened in the status bar, with Undo beside it for a while
        (and Ctrl+Z until the next undoable thing)."""
        self.last_undo = UndoEntry(label, action_text, undo, archived_client)
        self.undo_label.setText(label)
        self.statusBar().clearMessage()
        self.undo_bar.show()
        self.undo_timer.start()
        self._update_actions()

    def undo(self) -> None:
        entry = self.last_undo
        if entry is None:
            return
        self.last_undo = None
        self.undo_timer.stop()
        self.undo_bar.hide()
        entry.undo()
        self._update_actions()

    def undo_archive(self) -> None:
        """Kept for the archive button's callers; undo covers every kind now."""
        self.undo()

    def _unarchive_again(self, client_id: int, name: str) -> None:
        from models.services.clients import unarchive_client

        book = self.rapport.book
        if book is None:
            return
        if not self._client_op(lambda: unarchive_client(book, client_id), "Undoing an archive"):
            return
        self._show_in_list(client_id)
        self.statusBar().showMessage(f"{name} is back in your book.", 4000)

    def unarchive_selected(self) -> None:
        from models.services.clients import unarchive_client

        book = self.rapport.book
        client_id = self.selected_client_id()
        if book is None or client_id is None or not self._selected_is_archived():
            return
        if not self._client_op(lambda: unarchive_client(book, client_id), "Unarchiving"):
            return
        if self.last_undo is not None and self.last_undo.archived_client == client_id:
            self.last_undo = None
            self.undo_bar.hide()
        self.select_client(client_id)
