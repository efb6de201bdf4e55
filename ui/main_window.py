"""The main window: search, the client list, the selected client, and the menus.

The window never holds client data of its own beyond what the table model shows;
after any change it asks the book again (``refresh``), so every view agrees with
the file on disk.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QByteArray, QItemSelectionModel, QModelIndex, QPoint, Qt, QTimer
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMenu,
    QMessageBox,
    QPushButton,
    QSizePolicy,
    QSplitter,
    QStackedWidget,
    QTableView,
    QToolBar,
    QWidget,
)

from models.services.clients import (
    NotFoundError,
    archive_client,
    count_clients,
    get_client,
    list_clients,
    unarchive_client,
)
from ui.app import APP_NAME, CHANGED_BOOK, CHANGED_CLIENTS, OpenOutcome, OpenStatus, RapportApp
from ui.client_detail import HINT, ClientDetailPane
from ui.client_dialog import ClientDialog
from ui.client_table import (
    ARCHIVED_ROLE,
    COL_NAME,
    COLUMN_WEIGHTS,
    ID_ROLE,
    ClientSortProxy,
    ClientTableModel,
    ColumnFitter,
)
from ui.first_run import FirstRunPage
from ui.icons import app_icon

SEARCH_PLACEHOLDER = "Search name, organisation, email, phone, tag, notes…"
NO_MATCH = "No clients match “{query}”.\nPress Esc to see them all again."
SEARCH_DELAY_MS = 30
UNDO_SECONDS = 10

KEY_GEOMETRY = "main_window/geometry"
KEY_STATE = "main_window/state"
KEY_SPLITTER = "main_window/splitter"
KEY_HEADER = "main_window/header"
KEY_SHOW_ARCHIVED = "main_window/show_archived"


def plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def menu_text(name: str, limit: int = 40) -> str:
    """A client's name fit for a menu: short, and '&' not taken as a shortcut key."""
    short = name if len(name) <= limit else name[: limit - 1] + "…"
    return short.replace("&", "&&")


def widget_shortcut(keys: QKeySequence, widget: QWidget, slot: Callable[[], object]) -> QShortcut:
    """A shortcut that only works while ``widget`` has the keyboard.

    Set after construction on purpose: PySide6 quietly ignores ``context=`` passed
    to QShortcut's constructor, leaving a window-wide shortcut that clashes.
    """
    shortcut = QShortcut(keys, widget)
    shortcut.setContext(Qt.ShortcutContext.WidgetShortcut)
    shortcut.activated.connect(slot)
    return shortcut


class MainWindow(QMainWindow):
    def __init__(self, rapport: RapportApp, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.rapport = rapport
        self.dialog: ClientDialog | None = None
        self.message_box: QMessageBox | None = None
        self.last_archived: tuple[int, str] | None = None
        self._refreshing = False
        self.setWindowIcon(app_icon())

        self.model = ClientTableModel(self)
        self.proxy = ClientSortProxy(self)
        self.proxy.setSourceModel(self.model)

        self.search = QLineEdit()
        self.search.setPlaceholderText(SEARCH_PLACEHOLDER)
        self.search.setClearButtonEnabled(True)
        self.search.setMinimumWidth(320)
        self.search.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.search.setAccessibleName("Search clients")
        # Typing fast should run one query, not one per key.
        self.search_timer = QTimer(self)
        self.search_timer.setSingleShot(True)
        self.search_timer.setInterval(SEARCH_DELAY_MS)
        self.search_timer.timeout.connect(self.refresh)
        self.search.textChanged.connect(lambda _t: self.search_timer.start())

        self.table = self._make_table()
        self.detail = ClientDetailPane()
        self.detail.setMinimumWidth(260)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(self.table)
        self.splitter.addWidget(self.detail)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        self.splitter.setSizes([740, 360])

        self.first_run = FirstRunPage()
        self.stack = QStackedWidget()
        self.stack.addWidget(self.first_run)
        self.stack.addWidget(self.splitter)
        self.setCentralWidget(self.stack)

        self._make_actions()
        self._make_menus()
        self._make_toolbar()
        self._make_status_bar()
        self._connect()

        self.resize(1100, 700)
        self.restore_settings()
        self._retitle()
        self.refresh()

    # -- building -------------------------------------------------------------

    def _make_table(self) -> QTableView:
        table = QTableView()
        table.setModel(self.proxy)
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.setAlternatingRowColors(True)
        table.setShowGrid(False)
        table.setWordWrap(False)
        table.setTextElideMode(Qt.TextElideMode.ElideRight)
        table.setSortingEnabled(True)
        table.sortByColumn(COL_NAME, Qt.SortOrder.AscendingOrder)
        table.verticalHeader().hide()
        table.verticalHeader().setDefaultSectionSize(table.fontMetrics().height() + 12)
        header = table.horizontalHeader()
        header.setHighlightSections(False)
        header.setStretchLastSection(True)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        self.column_fitter = ColumnFitter(table, COLUMN_WEIGHTS)
        table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        table.setAccessibleName("Clients")
        return table

    def _action(
        self, text: str, slot: object, shortcut: QKeySequence | str | None = None
    ) -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        action.triggered.connect(slot)
        return action

    def _make_actions(self) -> None:
        self.new_action = self._action("&New client…", self.new_client_dialog, "Ctrl+N")
        self.open_demo_action = self._action("Open &demo book", self.open_demo)
        self.open_mine_action = self._action("Open &my book", self.open_my_book)
        self.quit_action = self._action("&Quit", self.close, "Ctrl+Q")
        self.quit_action.setMenuRole(QAction.MenuRole.QuitRole)

        self.undo_action = self._action(
            "&Undo archive", self.undo_archive, QKeySequence.StandardKey.Undo
        )
        self.undo_action.setEnabled(False)
        self.find_action = self._action("&Find", self.focus_search, QKeySequence.StandardKey.Find)

        self.edit_action = self._action("&Edit…", self.edit_selected)
        self.archive_action = self._action(
            "&Archive", self.archive_selected, QKeySequence.StandardKey.Delete
        )
        # Delete archives only from the list: in the search box it must delete text.
        self.archive_action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        self.table.addAction(self.archive_action)
        self.unarchive_action = self._action("&Unarchive", self.unarchive_selected)

        self.show_archived_action = QAction("Show &archived", self)
        self.show_archived_action.setCheckable(True)
        self.show_archived_action.toggled.connect(lambda _on: self.refresh())

        self.about_action = self._action("&About Rapport", self.show_about)
        self.about_action.setMenuRole(QAction.MenuRole.AboutRole)

    def _make_menus(self) -> None:
        bar = self.menuBar()
        file_menu = bar.addMenu("&File")
        file_menu.addAction(self.new_action)
        file_menu.addSeparator()
        file_menu.addAction(self.open_demo_action)
        file_menu.addAction(self.open_mine_action)
        file_menu.addSeparator()
        file_menu.addAction(self.quit_action)

        edit_menu = bar.addMenu("&Edit")
        edit_menu.addAction(self.undo_action)
        edit_menu.addSeparator()
        edit_menu.addAction(self.find_action)

        client_menu = bar.addMenu("&Client")
        client_menu.addAction(self.edit_action)
        client_menu.addAction(self.archive_action)
        client_menu.addAction(self.unarchive_action)

        view_menu = bar.addMenu("&View")
        view_menu.addAction(self.show_archived_action)

        help_menu = bar.addMenu("&Help")
        help_menu.addAction(self.about_action)

    def _make_toolbar(self) -> None:
        bar = QToolBar("Main")
        bar.setObjectName("main_toolbar")
        bar.setMovable(False)
        bar.setFloatable(False)
        bar.setContentsMargins(6, 4, 6, 4)
        self.new_button = QPushButton("New client")
        self.new_button.setToolTip("Add a client (Ctrl+N)")
        self.new_button.clicked.connect(self.new_action.trigger)
        bar.addWidget(self.new_button)
        spacer = QWidget()
        spacer.setFixedWidth(8)
        bar.addWidget(spacer)
        bar.addWidget(self.search)
        self.toolbar = bar
        self.addToolBar(Qt.ToolBarArea.TopToolBarArea, bar)

    def _make_status_bar(self) -> None:
        status = self.statusBar()
        self.undo_bar = QWidget()
        row = QHBoxLayout(self.undo_bar)
        row.setContentsMargins(0, 0, 0, 0)
        self.undo_label = QLabel()
        self.undo_label.setTextFormat(Qt.TextFormat.PlainText)
        self.undo_button = QPushButton("Undo")
        self.undo_button.setToolTip("Bring the client back (Ctrl+Z)")
        self.undo_button.clicked.connect(self.undo_archive)
        row.addWidget(self.undo_label)
        row.addWidget(self.undo_button)
        self.undo_bar.hide()
        status.addWidget(self.undo_bar)
        self.undo_timer = QTimer(self)
        self.undo_timer.setSingleShot(True)
        self.undo_timer.setInterval(UNDO_SECONDS * 1000)
        self.undo_timer.timeout.connect(self.undo_bar.hide)
        self.count_label = QLabel()
        status.addPermanentWidget(self.count_label)

    def _connect(self) -> None:
        self.rapport.changed.connect(self._on_changed)
        self.rapport.activated.connect(self.bring_to_front)
        self.table.selectionModel().selectionChanged.connect(self._on_selection_changed)
        self.table.doubleClicked.connect(lambda _i: self.edit_selected())
        self.table.customContextMenuRequested.connect(self._show_context_menu)
        self.detail.edit_requested.connect(self.edit_selected)
        self.detail.archive_requested.connect(self.archive_selected)
        self.detail.unarchive_requested.connect(self.unarchive_selected)
        self.first_run.add_button.clicked.connect(self.new_client_dialog)
        self.first_run.demo_button.clicked.connect(self.open_demo)

        for key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            widget_shortcut(QKeySequence(key), self.table, self.edit_selected)
        # Esc clears the search from the search box or the list, wherever the eye is.
        for widget in (self.search, self.table):
            widget_shortcut(QKeySequence(Qt.Key.Key_Escape), widget, self.clear_search)
        # From the search box, Down or Return carries on into the results.
        for key in (Qt.Key.Key_Down, Qt.Key.Key_Return, Qt.Key.Key_Enter):
            widget_shortcut(QKeySequence(key), self.search, self._search_to_list)

    # -- reading the book -----------------------------------------------------

    def refresh(self) -> None:
        """Ask the book again for the rows that match the search, keeping the selection."""
        book = self.rapport.book
        if book is None:
            return
        self.search_timer.stop()
        show_archived = self.show_archived_action.isChecked()
        query = self.search.text()
        keep = self.selected_client_id()
        rows = list_clients(book, query, include_archived=show_archived)
        total = count_clients(book, include_archived=show_archived)
        self._refreshing = True
        try:
            self.model.set_rows(rows)
            if keep is not None:
                self.select_client(keep)
        finally:
            self._refreshing = False
        is_empty = total == 0 and (show_archived or count_clients(book, include_archived=True) == 0)
        self.stack.setCurrentWidget(self.first_run if is_empty else self.splitter)
        self.search.setEnabled(not is_empty or bool(query))
        if query.strip():
            self.count_label.setText(f"{len(rows)} of {total} shown")
        else:
            self.count_label.setText(plural(total, "client"))
        if query.strip() and not rows:
            self.detail.set_hint(NO_MATCH.format(query=query.strip()))
        else:
            self.detail.set_hint(HINT)
        self._show_selected()

    def selected_client_id(self) -> int | None:
        selection = self.table.selectionModel()
        if selection is None:
            return None
        rows = selection.selectedRows()
        if not rows:
            return None
        value = rows[0].data(ID_ROLE)
        return int(value) if value is not None else None

    def _selected_is_archived(self) -> bool:
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

    def _show_selected(self) -> None:
        client_id = self.selected_client_id()
        detail = None
        if client_id is not None and self.rapport.book is not None:
            try:
                detail = get_client(self.rapport.book, client_id)
            except NotFoundError:
                detail = None
        self.detail.show_client(detail)
        self._update_actions()

    def _update_actions(self) -> None:
        has_book = self.rapport.book is not None
        selected = self.selected_client_id() is not None
        archived = selected and self._selected_is_archived()
        self.edit_action.setEnabled(selected)
        self.archive_action.setEnabled(selected and not archived)
        self.unarchive_action.setEnabled(bool(archived))
        self.new_action.setEnabled(has_book)
        self.open_demo_action.setEnabled(not self.rapport.is_demo)
        self.open_mine_action.setVisible(not self.rapport.is_default_book)
        if self.last_archived is None:
            self.undo_action.setText("&Undo archive")
            self.undo_action.setEnabled(False)
        else:
            self.undo_action.setText(f"&Undo archive {menu_text(self.last_archived[1])}")
            self.undo_action.setEnabled(True)

    def _retitle(self) -> None:
        self.setWindowTitle(f"{self.rapport.title} — {APP_NAME}")

    def _on_changed(self, what: str, _initiator: object) -> None:
        if what == CHANGED_BOOK:
            # A different book: nothing of the old one may linger on screen.
            self.last_archived = None
            self.undo_bar.hide()
            self.search.blockSignals(True)
            self.search.clear()
            self.search.blockSignals(False)
            self.model.set_rows([])
            self._retitle()
            self.refresh()
        elif what == CHANGED_CLIENTS:
            self.refresh()

    # -- search ---------------------------------------------------------------

    def focus_search(self) -> None:
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
        if not self.select_client(client_id) and self.search.text():
            self.search.clear()
            self.refresh()
            self.select_client(client_id)

    # -- dialogs --------------------------------------------------------------

    def _open_dialog(self, dialog: ClientDialog) -> ClientDialog:
        if self.dialog is not None:
            self.dialog.deleteLater()
        self.dialog = dialog
        dialog.saved.connect(self._on_saved)
        dialog.open()
        # Typing should go to the dialog at once, whatever the window manager does.
        dialog.raise_()
        dialog.activateWindow()
        return dialog

    def new_client_dialog(self) -> ClientDialog | None:
        """Open the new-client dialog without blocking and hand it back."""
        if self.rapport.book is None:
            return None
        return self._open_dialog(ClientDialog(self.rapport.book, None, self))

    def edit_client_dialog(self, client_id: int) -> ClientDialog | None:
        if self.rapport.book is None:
            return None
        try:
            dialog = ClientDialog(self.rapport.book, client_id, self)
        except NotFoundError:
            self.refresh()
            return None
        return self._open_dialog(dialog)

    def edit_selected(self) -> ClientDialog | None:
        client_id = self.selected_client_id()
        if client_id is None:
            return None
        return self.edit_client_dialog(client_id)

    def _on_saved(self, client_id: int) -> None:
        self.rapport.changed.emit(CHANGED_CLIENTS, self)
        self._show_in_list(client_id)
        self.table.setFocus(Qt.FocusReason.OtherFocusReason)
        if self.rapport.book is not None:
            try:
                name = get_client(self.rapport.book, client_id).name
            except NotFoundError:
                return
            self.statusBar().showMessage(f"Saved {name}.", 4000)

    def _show_message(self, title: str, text: str) -> QMessageBox:
        box = QMessageBox(QMessageBox.Icon.Information, title, text, parent=self)
        box.setTextFormat(Qt.TextFormat.PlainText)
        self.message_box = box
        box.open()
        return box

    def show_about(self) -> QMessageBox:
        box = QMessageBox(self)
        box.setWindowTitle("About Rapport")
        box.setIconPixmap(app_icon().pixmap(64, 64))
        box.setText("<b>Rapport</b>")
        box.setInformativeText(
            "A client book for solo consultants. Everything stays in one file on this "
            "computer; nothing is sent anywhere."
        )
        self.message_box = box
        box.open()
        return box

    # -- archive --------------------------------------------------------------

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

    def archive_selected(self) -> None:
        book = self.rapport.book
        client_id = self.selected_client_id()
        if book is None or client_id is None or self._selected_is_archived():
            return
        neighbour = None if self.show_archived_action.isChecked() else self._neighbour_id()
        row = self.model.row_at(self.model.row_of(client_id))
        name = row.name if row is not None else "client"
        try:
            archive_client(book, client_id)
        except NotFoundError:
            self.refresh()
            return
        self.last_archived = (client_id, name)
        self.undo_label.setText(f"Archived {name}.")
        self.statusBar().clearMessage()
        self.undo_bar.show()
        self.undo_timer.start()
        self.rapport.changed.emit(CHANGED_CLIENTS, self)
        if neighbour is not None:
            self.select_client(neighbour)
        self._update_actions()

    def undo_archive(self) -> None:
        book = self.rapport.book
        if book is None or self.last_archived is None:
            return
        client_id, name = self.last_archived
        self.last_archived = None
        self.undo_timer.stop()
        self.undo_bar.hide()
        try:
            unarchive_client(book, client_id)
        except NotFoundError:
            self.refresh()
            return
        self.rapport.changed.emit(CHANGED_CLIENTS, self)
        self._show_in_list(client_id)
        self.statusBar().showMessage(f"{name} is back in your book.", 4000)

    def unarchive_selected(self) -> None:
        book = self.rapport.book
        client_id = self.selected_client_id()
        if book is None or client_id is None or not self._selected_is_archived():
            return
        unarchive_client(book, client_id)
        if self.last_archived is not None and self.last_archived[0] == client_id:
            self.last_archived = None
            self.undo_bar.hide()
        self.rapport.changed.emit(CHANGED_CLIENTS, self)
        self.select_client(client_id)

    def _show_context_menu(self, pos: QPoint) -> None:
        index: QModelIndex = self.table.indexAt(pos)
        if not index.isValid():
            return
        self.table.selectRow(index.row())
        menu = QMenu(self)
        menu.addAction(self.edit_action)
        menu.addAction(
            self.unarchive_action if self._selected_is_archived() else self.archive_action
        )
        menu.popup(self.table.viewport().mapToGlobal(pos))

    # -- switching books ------------------------------------------------------

    def _after_open(self, outcome: OpenOutcome, what: str) -> None:
        if outcome.status is OpenStatus.HANDED_OVER:
            self.statusBar().showMessage(f"{what} is open in another window.", 6000)
        elif outcome.status is OpenStatus.FAILED:
            self._show_message(APP_NAME, outcome.message)
        self._retitle()
        self._update_actions()

    def open_demo(self) -> None:
        self._after_open(self.rapport.open_demo(), "The demo book")

    def open_my_book(self) -> None:
        self._after_open(self.rapport.open_default(), "Your book")

    # -- window ---------------------------------------------------------------

    def bring_to_front(self) -> None:
        """Another start asked for this book: show the window it is looking for."""
        if self.isMinimized():
            self.showNormal()
        else:
            self.show()
        self.raise_()
        self.activateWindow()

    def save_settings(self) -> None:
        s = self.rapport.settings
        s.setValue(KEY_GEOMETRY, self.saveGeometry())
        s.setValue(KEY_STATE, self.saveState())
        s.setValue(KEY_SPLITTER, self.splitter.saveState())
        s.setValue(KEY_HEADER, self.table.horizontalHeader().saveState())
        s.setValue(KEY_SHOW_ARCHIVED, self.show_archived_action.isChecked())
        s.sync()

    def restore_settings(self) -> None:
        s = self.rapport.settings
        geometry = s.value(KEY_GEOMETRY)
        if isinstance(geometry, QByteArray) and not geometry.isEmpty():
            self.restoreGeometry(geometry)
        state = s.value(KEY_STATE)
        if isinstance(state, QByteArray) and not state.isEmpty():
            self.restoreState(state)
        splitter = s.value(KEY_SPLITTER)
        if isinstance(splitter, QByteArray) and not splitter.isEmpty():
            self.splitter.restoreState(splitter)
        header_state = s.value(KEY_HEADER)
        header = self.table.horizontalHeader()
        if isinstance(header_state, QByteArray) and not header_state.isEmpty():
            header.restoreState(header_state)
            self.column_fitter.adopt_current_widths()
            self.table.sortByColumn(header.sortIndicatorSection(), header.sortIndicatorOrder())
        show_archived = s.value(KEY_SHOW_ARCHIVED, False, type=bool)
        self.show_archived_action.blockSignals(True)
        self.show_archived_action.setChecked(bool(show_archived))
        self.show_archived_action.blockSignals(False)

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt API
        self.save_settings()
        super().closeEvent(event)
