"""The Clients page: the searchable list, the selected client's pane and their
health scores, read again from the book after every change."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from PySide6.QtCore import QItemSelectionModel, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QTableView,
)

from models.errors import NotFoundError
from models.reads import count_clients
from ui.app import RapportApp
from ui.client_keys import (
    ARCHIVED_ROLE,
    COL_EMAIL,
    COL_NAME,
    ID_ROLE,
)

# The services (and SQLAlchemy under them) and the dialogs are imported where they are
# first used: the window is built and painted before they are loaded (ui/warmup.py).
if TYPE_CHECKING:
    from models.services.agreements import AgreementRow
    from ui.client_table import HealthScores
    from ui.kit.empty import EmptyState
from ui.main.common import (
    LATEST_TOUCHES,
    NO_MATCH,
    plural,
)


class ClientsPageMixin:
    """The client list and the pane beside it.

    A part of MainWindow (ui/main/window.py): it works on the widgets and
    attributes the window's __init__ makes."""

    # The window's own (QMainWindow and the attributes __init__ sets).
    rapport: RapportApp
    list_empty: EmptyState | None
    _book_empty: bool
    _pages_built: bool

    def _make_table(self) -> QTableView:
        # Built after the first paint (MainWindow._build_pages), so imported then.
        from ui.client_cells import MiddleElideDelegate, NameOrgDelegate
        from ui.client_columns import hide_defaults, make_fitter, show_column_menu

        table = QTableView()
        table.setModel(self.proxy)
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        # Several clients can be selected (Shift/Ctrl) to export just those; every
        # other action works on the current one.
        table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.setAlternatingRowColors(True)
        table.setShowGrid(False)
        table.setWordWrap(False)
        table.setTextElideMode(Qt.TextElideMode.ElideRight)
        table.setSortingEnabled(True)
        table.sortByColumn(COL_NAME, Qt.SortOrder.AscendingOrder)
        table.verticalHeader().hide()
        # Two lines a row: the name over the organisation (ui/client_cells.py).
        table.verticalHeader().setDefaultSectionSize(2 * table.fontMetrics().height() + 12)
        table.setItemDelegateForColumn(COL_NAME, NameOrgDelegate(table))
        table.setItemDelegateForColumn(COL_EMAIL, MiddleElideDelegate(table))
        header = table.horizontalHeader()
        header.setHighlightSections(False)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        self.column_fitter = make_fitter(table)
        hide_defaults(table)
        # Hidden columns come back from the header's own context menu.
        header.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        header.customContextMenuRequested.connect(
            lambda at: show_column_menu(table, self.column_fitter, at)
        )
        table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        table.setAccessibleName("Clients")
        return table

    def refresh(self) -> None:
        """Ask the book again for the rows that match the search, keeping the selection."""
        book = self.rapport.book
        if book is None:
            return
        self.search_timer.stop()
        show_archived = self.show_archived_action.isChecked()
        query = self.search.text()
        keep = self.selected_client_id()
        from models.services.client_list import ClientList

        # Rows are read a page at a time where the view looks (ClientTableModel); the
        # list's one count gives both the matches and the total for "N of M shown".
        rows = ClientList(book, query, include_archived=show_archived, today=self.rapport.today())
        if self.table.isVisible():  # read what one screen shows, not more
            row_height = self.table.verticalHeader().defaultSectionSize()
            self.model.screen = self.table.viewport().height() // row_height + 1
        self._refreshing = True
        try:
            # Priority flags come with the rows (read for today), not in a separate map.
            self.model.set_rows(rows, self._scores_now())
            # Lay the new number of rows out now: the list is then painted once, not
            # once before and once after Qt's delayed layout.
            self.table.executeDelayedItemsLayout()
            # The list starts at its top unless the selected client is still in it.
            if keep is None or not self.select_client(keep):
                self.table.scrollToTop()
        finally:
            self._refreshing = False
        self._show_totals(rows.total, len(rows))
        if query.strip() and not rows:
            self.detail.set_hint(NO_MATCH.format(query=query.strip()))
        else:
            from ui.client_detail import HINT

            self.detail.set_hint(HINT)
        self._show_selected()
        if self.list_empty is None:
            # Made at the first fill, not with the window: the deferred list is empty
            # until then and must not be described as empty.
            from ui.kit.empty import EmptyState

            self.list_empty = EmptyState(self.table, self._empty_list_text)
        self.list_empty.update()

    def _empty_list_text(self) -> str:
        """What the list says when it has no rows (an empty book has its own page)."""
        book = self.rapport.book
        query = self.search.text().strip()
        if book is None:
            return ""
        if query:
            return NO_MATCH.format(query=query)
        if not self.show_archived_action.isChecked() and count_clients(book) == 0:
            return (
                "Every client is archived. Turn on View › Show archived to see them, "
                "or add a new client (Ctrl+N)."
            )
        return ""

    def _show_totals(self, total: int | None = None, shown: int = 0) -> None:
        """The client count in the status bar, and the first-run page for an empty book."""
        book = self.rapport.book
        if book is None:
            return
        show_archived = self.show_archived_action.isChecked()
        query = self.search.text()
        if total is None:
            total = count_clients(book, include_archived=show_archived)
        is_empty = total == 0 and (show_archived or count_clients(book, include_archived=True) == 0)
        self._book_empty = is_empty
        if self._pages_built:  # else _build_pages shows the right one
            self.stack.setCurrentWidget(self.first_run if is_empty else self.splitter)
        self.search.setEnabled(not is_empty or bool(query))
        if query.strip():
            self.count_label.setText(f"{shown} of {total} shown")
        else:
            self.count_label.setText(plural(total, "client"))

    def selected_client_id(self) -> int | None:
        if not self._pages_built:  # nothing can be selected in a list not built
            return None
        selection = self.table.selectionModel()
        if selection is None:
            return None
        rows = selection.selectedRows()
        if not rows:
            return None
        value = rows[0].data(ID_ROLE)
        return int(value) if value is not None else None

    def selected_client_ids(self) -> list[int]:
        """Every selected client, in the order the list shows them."""
        if not self._pages_built:
            return []
        selection = self.table.selectionModel()
        if selection is None:
            return []
        rows = sorted(selection.selectedRows(), key=lambda i: i.row())
        return [int(v) for v in (r.data(ID_ROLE) for r in rows) if v is not None]

    def _selected_is_archived(self) -> bool:
        if not self._pages_built:
            return False
        rows = self.table.selectionModel().selectedRows()
        return bool(rows and rows[0].data(ARCHIVED_ROLE))

    def select_client(self, client_id: int) -> bool:
        row = self.model.row_of(client_id)
        if row < 0:
            return False
        index = self.proxy.mapFromSource(self.model.index(row, COL_NAME))
        self.table.selectionModel().setCurrentIndex(
            index,
            QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows,
        )
        self.table.scrollTo(index)
        return True

    def _on_selection_changed(self) -> None:
        if not self._refreshing:
            self._show_selected()

    def _scores_now(self) -> HealthScores:
        """Scores as of now, read for the rows the list reads, as it reads them, so the
        list never asks the book while it paints."""
        from ui.client_table import HealthScores

        book = self.rapport.book
        if book is None:
            return HealthScores.of({})
        from models.services.health import all_health

        today, now = self.rapport.today(), self.rapport.now()
        return HealthScores(lambda ids: all_health(book, today, now=now, client_ids=ids))

    def _health_now(self) -> tuple[HealthScores, dict[int, date]]:
        """Scores and priority flags as of now, for rows already in the list."""
        from ui.client_table import HealthScores

        book = self.rapport.book
        if book is None:
            return HealthScores.of({}), {}
        from models.services.health import priority_clients

        return self._scores_now(), priority_clients(book, self.rapport.today())

    def _refresh_health(self) -> None:
        self.model.set_health(*self._health_now())

    def _show_selected(self) -> None:
        from models.services.clients import get_client

        client_id = self.selected_client_id()
        book = self.rapport.book
        detail = None
        touches = []
        follow_ups = []
        health = None
        incidents = []
        agreements: list[AgreementRow] = []
        today, now = self.rapport.today(), self.rapport.now()
        if client_id is not None and book is not None:
            from models.services.agreements import list_agreements
            from models.services.clients import get_client
            from models.services.health import client_health
            from models.services.incidents import list_incidents
            from models.services.reminders import list_touches, open_follow_ups

            try:
                detail = get_client(book, client_id)
            except NotFoundError:
                detail = None
            else:
                touches = list_touches(book, client_id, limit=LATEST_TOUCHES)
                follow_ups = open_follow_ups(book, client_id)
                if detail.archived_at is None:
                    health = client_health(book, client_id, today, now=now)
                incidents = list_incidents(book, client_id=client_id, now=now)
                agreements = list_agreements(book, client_id)
        self.detail.show_client(
            detail,
            today=today,
            touches=touches,
            follow_ups=follow_ups,
            health=health,
            incidents=incidents,
            now=now,
            agreements=agreements,
        )
        self._update_actions()

    def focus_search(self) -> None:
        self.show_clients(focus=False)
        self.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search.selectAll()

    def clear_search(self) -> None:
        if self.search.text():
            self.search.clear()
            self.refresh()

    def _search_to_list(self) -> None:
        if self.proxy.rowCount() == 0:
            return
        self.table.setFocus(Qt.FocusReason.OtherFocusReason)
        if self.selected_client_id() is None:
            self.table.selectRow(0)

    def _show_in_list(self, client_id: int) -> None:
        """Select ``client_id``, clearing a search that would hide it."""
        self.finish_start()
        if not self.select_client(client_id) and self.search.text():
            self.search.clear()
            self.refresh()
            self.select_client(client_id)
