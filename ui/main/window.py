"""The main window: search, the client list, the selected client, and the menus.

The window never holds client data of its own beyond what the table model shows;
after any change it asks the book again (``refresh``), so every view agrees with
the file on disk.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QByteArray, QItemSelectionModel, QModelIndex, QPoint, Qt, QTimer
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
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

from models.changes import CLIENTS, Changes
from models.errors import NotFoundError, RapportError, ValidationError
from models.reads import count_clients
from ui import autostart
from ui.app import APP_NAME, OpenOutcome, OpenStatus, RapportApp
from ui.client_detail import HINT, ClientDetailPane
from ui.client_table import (
    ARCHIVED_ROLE,
    COL_NAME,
    COLUMN_WEIGHTS,
    ID_ROLE,
    ClientSortProxy,
    ClientTableModel,
    ColumnFitter,
    HealthScores,
)
from ui.first_run import FirstRunPage
from ui.icons import app_icon
from ui.incidents_view import IncidentsView
from ui.keys import menu_text, widget_shortcut
from ui.kit.registry import INCIDENT, bring_to_front, forget, open_windows, remember
from ui.kit.subscribe import on_changes
from ui.ops import announce
from ui.today_view import TodayView

# The services (and SQLAlchemy under them) and the dialogs are imported where they are
# first used: the window is built and painted before they are loaded (ui/warmup.py).
if TYPE_CHECKING:
    from models.backups import DamageReport
    from models.services.agreements import AgreementRow
    from models.services.contacts import ImportPlan
    from ui.agreement_window import AgreementWindow
    from ui.backup_dialog import BackupSettingsDialog, DamagedBookDialog, RestoreDialog
    from ui.client_dialog import ClientDialog
    from ui.export_dialog import ExportDialog
    from ui.follow_up_dialog import FollowUpDialog
    from ui.import_dialog import ImportDialog
    from ui.incident_dialog import IncidentDialog
    from ui.incident_window import IncidentWindow
    from ui.settings_dialog import SettingsDialog
    from ui.touch_dialog import TouchDialog
    from ui.tray import RapportTray

SEARCH_PLACEHOLDER = "Search name, organisation, email, phone, tag, notes…"
NO_MATCH = "No clients match “{query}”.\nPress Esc to see them all again."
SEARCH_DELAY_MS = 30
UNDO_SECONDS = 10

KEY_GEOMETRY = "main_window/geometry"
KEY_STATE = "main_window/state"
KEY_SPLITTER = "main_window/splitter"
KEY_HEADER = "main_window/header"
KEY_SHOW_ARCHIVED = "main_window/show_archived"
KEY_KEEP_IN_TRAY = "tray/keep_running"
KEY_CLOSE_EXPLAINED = "tray/close_explained"
KEY_NO_TRAY_TOLD = "tray/unavailable_told"

PAGE_TODAY, PAGE_CLIENTS, PAGE_INCIDENTS = 0, 1, 2
PAGE_NAMES = ("Today", "Clients", "Incidents")
PICK_A_CLIENT = "Select a client first, then report the incident from their page."
LATEST_TOUCHES = 5
NO_TRAY = (
    "There is no system tray here, so reminders show only in this window, "
    "and closing it quits Rapport."
)
STILL_RUNNING = (
    "Rapport is still running in the tray and will remind you when someone is due. "
    "To quit, choose Quit from its menu. You can change this under Settings."
)


@dataclass(frozen=True)
class UndoEntry:
    """The last thing the status bar's Undo can take back."""

    label: str
    action_text: str
    undo: Callable[[], None]
    archived_client: int | None = None


def plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


class MainWindow(QMainWindow):
    def __init__(
        self, rapport: RapportApp, parent: QWidget | None = None, *, defer_lists: bool = False
    ) -> None:
        """``defer_lists`` leaves the client list and the incidents page empty until
        ``finish_start``: the app's start-up paints Today first (ui/warmup.py)."""
        super().__init__(parent)
        self.rapport = rapport
        self.lists_pending = defer_lists
        self.dialog: ClientDialog | None = None
        self.touch_dialog: TouchDialog | None = None
        self.follow_up_dialog: FollowUpDialog | None = None
        self.incident_dialog: IncidentDialog | None = None
        self.settings_dialog: SettingsDialog | None = None
        self.message_box: QMessageBox | None = None
        self.file_dialog: QFileDialog | None = None
        self.import_dialog: ImportDialog | None = None
        self.export_dialog: ExportDialog | None = None
        self.last_undo: UndoEntry | None = None
        self.tray: RapportTray | None = None
        self.restore_dialog: RestoreDialog | None = None
        self.backup_settings_dialog: BackupSettingsDialog | None = None
        self.damage_dialog: DamagedBookDialog | None = None
        self.network_dialog: QMessageBox | None = None
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

        self.today_view = TodayView(rapport)
        self.pages = QStackedWidget()
        self.incidents_view = IncidentsView(rapport, defer=defer_lists)
        self.pages.addWidget(self.today_view)
        self.pages.addWidget(self.stack)
        self.pages.addWidget(self.incidents_view)
        self.sidebar = self._make_sidebar()
        central = QWidget()
        row = QHBoxLayout(central)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(0)
        row.addWidget(self.sidebar)
        line = QFrame()
        line.setFrameShape(QFrame.Shape.VLine)
        line.setFrameShadow(QFrame.Shadow.Sunken)
        row.addWidget(line)
        row.addWidget(self.pages, 1)
        self.setCentralWidget(central)

        self._make_actions()
        self._make_menus()
        self._make_toolbar()
        self._make_status_bar()
        self._connect()

        self.resize(1100, 700)
        self.restore_settings()
        self._retitle()
        if defer_lists:
            self._show_totals()
            self._update_actions()
        else:
            self.refresh()
        self._choose_start_page()

    def finish_start(self) -> None:
        """Fill what a deferred start left out: the client list, the incidents page."""
        if not self.lists_pending:
            return
        self.lists_pending = False
        try:
            self.refresh()
            self.incidents_view.refresh()
        except Exception:
            if not self.rapport.read_failed(self.rapport.book):
                raise

    # -- building -------------------------------------------------------------

    def _make_table(self) -> QTableView:
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

    def _make_sidebar(self) -> QListWidget:
        sidebar = QListWidget()
        sidebar.setAccessibleName("Pages")
        sidebar.setFrameShape(QFrame.Shape.NoFrame)
        sidebar.setSpacing(2)
        for i, name in enumerate(PAGE_NAMES):
            item = QListWidgetItem(name)
            item.setToolTip(f"{name} (Ctrl+{i + 1})")
            sidebar.addItem(item)
        sidebar.setFixedWidth(150)
        sidebar.setStyleSheet(
            "QListWidget { padding-top: 8px; outline: 0; }"
            "QListWidget::item { padding: 7px 12px; border: none; }"
            "QListWidget::item:selected { background: palette(highlight);"
            " color: palette(highlighted-text); }"
        )
        sidebar.setCurrentRow(PAGE_TODAY)
        return sidebar

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
        self.import_contacts_action = self._action("&Import contacts…", self.import_contacts)
        self.export_contacts_action = self._action("E&xport contacts…", self.export_contacts)
        self.export_selected_action = self._action(
            "Export &selected…", lambda: self.export_contacts(selected_first=True)
        )
        self.close_action = self._action(
            "&Close window", self.close, QKeySequence.StandardKey.Close
        )
        self.quit_action = self._action("&Quit", self.quit_app, "Ctrl+Q")
        self.quit_action.setMenuRole(QAction.MenuRole.QuitRole)

        self.show_today_action = self._action("&Today", self.show_today, "Ctrl+1")
        self.show_clients_action = self._action("&Clients", self.show_clients, "Ctrl+2")
        self.show_incidents_action = self._action("&Incidents", self.show_incidents, "Ctrl+3")
        self.report_incident_action = self._action(
            "Report an &incident…", self.report_incident_for_current, "Ctrl+I"
        )
        self.start_repair_action = self._action(
            "Start a &repair…", self.repair_for_current, "Ctrl+Shift+R"
        )
        self.new_agreement_action = self._action(
            "New &agreement…", self.new_agreement_for_current, "Ctrl+Shift+A"
        )
        self.your_details_action = self._action("Your &details…", self.your_details_dialog)
        self.restore_action = self._action("&Restore from a backup…", self.restore_from_backup)
        self.backups_action = self._action("&Backups…", self.backup_settings)
        self.promise_hours_action = self._action(
            "Default response &promise…", self.promise_hours_dialog
        )
        self.log_touch_action = self._action("&Log a touch…", self.log_touch_for_current, "Ctrl+L")
        self.follow_up_action = self._action(
            "Add a &follow-up…", self.follow_up_for_current, "Ctrl+Shift+L"
        )

        self.keep_in_tray_action = QAction(
            "&Keep running in the tray when the window is closed", self
        )
        self.keep_in_tray_action.setCheckable(True)
        self.keep_in_tray_action.setChecked(
            bool(self.rapport.settings.value(KEY_KEEP_IN_TRAY, True, type=bool))
        )
        self.keep_in_tray_action.toggled.connect(self._on_keep_in_tray_toggled)
        self.autostart_action = QAction("&Start Rapport in the tray when I log in", self)
        self.autostart_action.setCheckable(True)
        self.autostart_action.setChecked(autostart.is_enabled())
        self.autostart_action.toggled.connect(self.set_autostart)

        self.undo_action = self._action("&Undo", self.undo, QKeySequence.StandardKey.Undo)
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
        file_menu.addAction(self.import_contacts_action)
        file_menu.addAction(self.export_contacts_action)
        file_menu.addSeparator()
        file_menu.addAction(self.open_demo_action)
        file_menu.addAction(self.open_mine_action)
        file_menu.addSeparator()
        file_menu.addAction(self.restore_action)
        file_menu.addSeparator()
        file_menu.addAction(self.close_action)
        file_menu.addAction(self.quit_action)

        edit_menu = bar.addMenu("&Edit")
        edit_menu.addAction(self.undo_action)
        edit_menu.addSeparator()
        edit_menu.addAction(self.find_action)

        client_menu = bar.addMenu("&Client")
        client_menu.addAction(self.log_touch_action)
        client_menu.addAction(self.follow_up_action)
        client_menu.addAction(self.report_incident_action)
        client_menu.addAction(self.start_repair_action)
        client_menu.addAction(self.new_agreement_action)
        client_menu.addSeparator()
        client_menu.addAction(self.edit_action)
        client_menu.addAction(self.archive_action)
        client_menu.addAction(self.unarchive_action)

        view_menu = bar.addMenu("&View")
        view_menu.addAction(self.show_today_action)
        view_menu.addAction(self.show_clients_action)
        view_menu.addAction(self.show_incidents_action)
        view_menu.addSeparator()
        view_menu.addAction(self.show_archived_action)

        self.settings_menu = bar.addMenu("&Settings")
        self.settings_menu.addAction(self.your_details_action)
        self.settings_menu.addAction(self.backups_action)
        self.settings_menu.addSeparator()
        self.settings_menu.addAction(self.keep_in_tray_action)
        self.settings_menu.addAction(self.autostart_action)
        self.settings_menu.addSeparator()
        self.settings_menu.addAction(self.promise_hours_action)

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
        gap = QWidget()
        gap.setFixedWidth(4)
        bar.addWidget(gap)
        self.log_touch_button = QPushButton("Log a touch")
        self.log_touch_button.setToolTip("Note a call, email or meeting (Ctrl+L)")
        self.log_touch_button.clicked.connect(self.log_touch_action.trigger)
        bar.addWidget(self.log_touch_button)
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
        self.undo_button.setToolTip("Take it back (Ctrl+Z)")
        self.undo_button.clicked.connect(self.undo)
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
        # The window is the whole book: every kind of change shows somewhere in it.
        on_changes(
            self, self.rapport.changed, Changes.EVERYTHING, self._on_changed, defer_hidden=False
        )
        self.rapport.activated.connect(self.bring_to_front)
        self.rapport.damaged.connect(self._on_damaged)
        self.table.selectionModel().selectionChanged.connect(self._on_selection_changed)
        self.table.doubleClicked.connect(lambda _i: self.edit_selected())
        self.table.customContextMenuRequested.connect(self._show_context_menu)
        self.detail.edit_requested.connect(self.edit_selected)
        self.detail.log_touch_requested.connect(self.log_touch_for_current)
        self.sidebar.currentRowChanged.connect(self._on_page_chosen)
        self.today_view.log_touch_requested.connect(self.log_touch_dialog)
        self.today_view.follow_up_touch_requested.connect(
            lambda cid, fid, title: self.log_touch_dialog(cid, follow_up=(fid, title))
        )
        self.today_view.open_client_requested.connect(self.open_client)
        self.today_view.undoable.connect(self.offer_undo)
        self.today_view.count_changed.connect(self._on_due_count)
        self.search.textEdited.connect(lambda _t: self.show_clients(focus=False))
        self._on_due_count(self.today_view.count_due())
        self.detail.archive_requested.connect(self.archive_selected)
        self.detail.report_incident_requested.connect(self.report_incident_for_current)
        self.detail.start_repair_requested.connect(self.repair_for_current)
        self.detail.open_incident_requested.connect(self.open_incident_window)
        self.detail.new_agreement_requested.connect(self.new_agreement_for_current)
        self.detail.open_agreement_requested.connect(self.open_agreement_window)
        self.incidents_view.open_incident_requested.connect(self.open_incident_window)
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
        from models.services.clients import ClientList

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
            self.detail.set_hint(HINT)
        self._show_selected()

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
        self.stack.setCurrentWidget(self.first_run if is_empty else self.splitter)
        self.search.setEnabled(not is_empty or bool(query))
        if query.strip():
            self.count_label.setText(f"{shown} of {total} shown")
        else:
            self.count_label.setText(plural(total, "client"))

    def selected_client_id(self) -> int | None:
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
        selection = self.table.selectionModel()
        if selection is None:
            return []
        rows = sorted(selection.selectedRows(), key=lambda i: i.row())
        return [int(v) for v in (r.data(ID_ROLE) for r in rows) if v is not None]

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

    def _scores_now(self) -> HealthScores:
        """Scores as of now, read for the rows the list reads, as it reads them, so the
        list never asks the book while it paints."""
        book = self.rapport.book
        if book is None:
            return HealthScores.of({})
        from models.services.incidents import all_health

        today, now = self.rapport.today(), self.rapport.now()
        return HealthScores(lambda ids: all_health(book, today, now=now, client_ids=ids))

    def _health_now(self) -> tuple[HealthScores, dict[int, date]]:
        """Scores and priority flags as of now, for rows already in the list."""
        book = self.rapport.book
        if book is None:
            return HealthScores.of({}), {}
        from models.services.incidents import priority_clients

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
            from models.services.incidents import client_health, list_incidents
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

    def _update_actions(self) -> None:
        has_book = self.rapport.book is not None
        selected = self.selected_client_id() is not None
        archived = selected and self._selected_is_archived()
        self.edit_action.setEnabled(selected)
        self.archive_action.setEnabled(selected and not archived)
        self.unarchive_action.setEnabled(bool(archived))
        self.new_action.setEnabled(has_book)
        self.import_contacts_action.setEnabled(has_book)
        self.export_contacts_action.setEnabled(has_book)
        self.export_selected_action.setEnabled(has_book and selected)
        self.open_demo_action.setEnabled(not self.rapport.is_demo)
        self.open_mine_action.setVisible(not self.rapport.is_default_book)
        has_clients = self.stack.currentWidget() is self.splitter
        self.log_touch_action.setEnabled(has_book and has_clients)
        self.log_touch_button.setEnabled(has_book and has_clients)
        self.report_incident_action.setEnabled(has_book and has_clients)
        self.start_repair_action.setEnabled(has_book and has_clients)
        self.new_agreement_action.setEnabled(has_book and has_clients)
        self.your_details_action.setEnabled(has_book)
        self.restore_action.setEnabled(has_book)
        self.backups_action.setEnabled(has_book)
        if self.last_undo is None:
            self.undo_action.setText("&Undo")
            self.undo_action.setEnabled(False)
        else:
            self.undo_action.setText(self.last_undo.action_text)
            self.undo_action.setEnabled(True)

    def _retitle(self) -> None:
        self.setWindowTitle(f"{self.rapport.title} — {APP_NAME}")

    def _on_changed(self, what: Changes, _initiator: object) -> None:
        if what.book:
            # A different book: nothing of the old one may linger on screen.
            self.last_undo = None
            self.undo_bar.hide()
            self.search.blockSignals(True)
            self.search.clear()
            self.search.blockSignals(False)
            self.model.set_rows([])
            self._retitle()
            self.refresh()
            self._choose_start_page()
            return
        moved = what.reminders or what.day or what.incidents
        if what.clients:
            self.refresh()
        elif moved:
            # Due dates, touches or incidents moved scores; the list itself did not.
            self._refresh_health()
        if moved or what.agreements:
            self._show_selected()

    # -- pages ----------------------------------------------------------------

    def _has_clients(self) -> bool:
        book = self.rapport.book
        return book is not None and count_clients(book) > 0

    def _choose_start_page(self) -> None:
        """Today is home once there is someone to keep in touch with."""
        if self._has_clients():
            self.show_today(focus=False)
        else:
            self.show_clients(focus=False)

    def current_page(self) -> int:
        return self.pages.currentIndex()

    def _on_page_chosen(self, row: int) -> None:
        if row in (PAGE_TODAY, PAGE_CLIENTS, PAGE_INCIDENTS):
            if row != PAGE_TODAY and self.isVisible():
                self.finish_start()  # asked for before the warm-up got there
            self.pages.setCurrentIndex(row)
            self._update_actions()

    def show_today(self, focus: bool = True) -> None:
        self.sidebar.setCurrentRow(PAGE_TODAY)
        if focus:
            self.today_view.focus_list()

    def show_clients(self, focus: bool = True) -> None:
        self.sidebar.setCurrentRow(PAGE_CLIENTS)
        if focus and self.stack.currentWidget() is self.splitter:
            self.table.setFocus(Qt.FocusReason.OtherFocusReason)

    def open_client(self, client_id: int) -> None:
        """Show one client on the Clients page, from Today or the tray."""
        self.show_clients(focus=False)
        self._show_in_list(client_id)
        self.table.setFocus(Qt.FocusReason.OtherFocusReason)

    def _on_due_count(self, n: int) -> None:
        item = self.sidebar.item(PAGE_TODAY)
        if item is not None:
            item.setText(f"Today  ({n})" if n else "Today")

    # -- search ---------------------------------------------------------------

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
        from ui.client_dialog import ClientDialog

        if self.rapport.book is None:
            return None
        return self._open_dialog(ClientDialog(self.rapport.book, None, self))

    def edit_client_dialog(self, client_id: int) -> ClientDialog | None:
        from ui.client_dialog import ClientDialog

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

    def log_touch_for_current(self) -> TouchDialog | None:
        """Log a touch for the client in front of the user: the selected Today row on
        Today, the selected client on Clients; otherwise ask who."""
        if self.current_page() == PAGE_TODAY:
            item = self.today_view.selected_item()
            return self.log_touch_dialog(item.client_id if item is not None else None)
        return self.log_touch_dialog(self.selected_client_id())

    def show_incidents(self, focus: bool = True) -> None:
        self.sidebar.setCurrentRow(PAGE_INCIDENTS)
        if focus:
            self.incidents_view.focus_list()

    # -- incidents --------------------------------------------------------------

    def report_incident_for_current(self) -> IncidentDialog | None:
        """Report an incident for the client in front of the user: the selected
        Today row on Today, the selected client otherwise."""
        client_id = self._client_for_incident()
        return self.report_incident_dialog(client_id) if client_id is not None else None

    def repair_for_current(self) -> IncidentDialog | None:
        """Start a repair from a client: what went wrong is recorded first, as an
        incident, and the repair wizard opens on it."""
        client_id = self._client_for_incident()
        if client_id is None:
            return None
        return self.report_incident_dialog(client_id, then_repair=True)

    def _client_for_incident(self) -> int | None:
        if self.rapport.book is None:
            return None
        client_id = self.selected_client_id()
        if self.current_page() == PAGE_TODAY:
            item = self.today_view.selected_item()
            client_id = item.client_id if item is not None else None
        elif self.current_page() == PAGE_INCIDENTS:
            client_id = None
        if client_id is None:
            self.statusBar().showMessage(PICK_A_CLIENT, 5000)
        return client_id

    def report_incident_dialog(
        self, client_id: int, *, then_repair: bool = False
    ) -> IncidentDialog | None:
        from models.services.clients import get_client
        from ui.incident_dialog import IncidentDialog

        book = self.rapport.book
        if book is None:
            return None
        try:
            name = get_client(book, client_id).name
        except NotFoundError:
            self.refresh()
            return None
        if self.incident_dialog is not None:
            self.incident_dialog.deleteLater()
        dialog = IncidentDialog(self.rapport, client_id, name, self)
        if then_repair:
            dialog.setWindowTitle(f"Start a repair with {name}: what went wrong?")
            dialog.saved.connect(self.open_repair_wizard)
        else:
            dialog.saved.connect(self._on_incident_saved)
        self.incident_dialog = dialog
        dialog.open()
        dialog.raise_()
        dialog.activateWindow()
        return dialog

    def _on_incident_saved(self, incident_id: int) -> None:
        self.statusBar().showMessage("Incident recorded.", 4000)
        self.open_incident_window(incident_id)

    def open_incident_window(self, incident_id: int) -> IncidentWindow | None:
        """The incident's window, opened or brought forward if it is already open."""
        from ui.incident_window import IncidentWindow

        if self.rapport.book is None:
            return None
        window = self.incident_windows.get(incident_id)
        if window is None:
            window = IncidentWindow(self.rapport, incident_id, self)
            if window.detail is None:  # deleted meanwhile; it closed itself
                return None
            window.closed.connect(
                lambda iid, gone=window: forget(self.rapport, INCIDENT, iid, gone)
            )
            remember(self.rapport, INCIDENT, incident_id, window)
        window.bring_to_front()
        return window

    @property
    def incident_windows(self) -> dict[int, QWidget]:
        """One window per incident (ui/kit/registry.py): opening it again brings
        that window forward."""
        return open_windows(self.rapport, INCIDENT)

    def open_repair_wizard(self, incident_id: int) -> QWidget | None:
        """The incident's repair wizard (imported here: only needed when opened)."""
        if self.rapport.book is None:
            return None
        from ui.repair_wizard import open_repair_wizard

        try:
            return open_repair_wizard(self.rapport, incident_id, self)
        except ValidationError as exc:
            self.statusBar().showMessage(" ".join(exc.errors.values()), 6000)
        except NotFoundError:
            self.refresh()
        return None

    # -- agreements ---------------------------------------------------------------

    def new_agreement_for_current(self) -> AgreementWindow | None:
        """A new agreement for the client in front of the user (Today row or list)."""
        client_id = self.selected_client_id()
        if self.current_page() == PAGE_TODAY:
            item = self.today_view.selected_item()
            client_id = item.client_id if item is not None else None
        elif self.current_page() == PAGE_INCIDENTS:
            client_id = None
        if client_id is None or self.rapport.book is None:
            self.statusBar().showMessage(PICK_A_CLIENT, 5000)
            return None
        # Imported here: QtPdf is not needed until an agreement is opened.
        from ui.agreement_window import new_agreement_window

        return new_agreement_window(self.rapport, client_id, parent=self)

    def open_agreement_window(self, agreement_id: int) -> AgreementWindow | None:
        from ui.agreement_window import open_agreement_window

        return open_agreement_window(self.rapport, agreement_id, self)

    def restore_from_backup(self) -> RestoreDialog | None:
        """File › Restore from a backup: the list of backups, newest first."""
        if self.rapport.book is None:
            return None
        from ui.backup_dialog import RestoreDialog

        dialog = RestoreDialog(self.rapport, self)
        dialog.restored.connect(lambda message: self.statusBar().showMessage(message, 10000))
        self.restore_dialog = dialog
        dialog.open()
        return dialog

    def backup_settings(self) -> BackupSettingsDialog | None:
        """Settings › Backups: how many daily, weekly and monthly copies to keep."""
        if self.rapport.book is None:
            return None
        from ui.backup_dialog import BackupSettingsDialog

        dialog = BackupSettingsDialog(self.rapport, self)
        dialog.saved.connect(lambda: self.statusBar().showMessage("Backup settings saved.", 4000))
        self.backup_settings_dialog = dialog
        dialog.open()
        return dialog

    def on_backup_finished(self, info: object) -> None:
        if info is not None:
            self.statusBar().showMessage("Your book was backed up.", 4000)

    def on_backup_failed(self, message: str) -> None:
        self.statusBar().showMessage(message, 30000)

    def _on_damaged(self, report: DamageReport) -> None:
        """The open book failed its check after the window came up: offer a backup."""
        from ui.backup_dialog import offer_backup

        if self.rapport.pending_damage is report:
            self.rapport.pending_damage = None
        self.bring_to_front()
        self.damage_dialog = offer_backup(self.rapport, report, self)
        self._retitle()
        self._update_actions()

    def your_details_dialog(self) -> SettingsDialog | None:
        """Settings › Your details: who "we" are on every agreement."""
        if self.rapport.book is None:
            return None
        from ui.settings_dialog import SettingsDialog

        dialog = SettingsDialog(self.rapport, self)
        dialog.saved.connect(lambda: self.statusBar().showMessage("Your details are saved.", 4000))
        self.settings_dialog = dialog
        dialog.open()
        return dialog

    def promise_hours_dialog(self) -> QInputDialog:
        """Settings › Default response promise: the hours a new incident offers."""
        from ui.incident_dialog import PROMISE_HOURS_MAX, default_promise_hours

        dialog = QInputDialog(self)
        dialog.setWindowTitle("Default response promise")
        dialog.setLabelText("Promise a full answer within (hours):")
        dialog.setInputMode(QInputDialog.InputMode.IntInput)
        dialog.setIntRange(1, PROMISE_HOURS_MAX)
        dialog.setIntValue(default_promise_hours(self.rapport.settings))
        dialog.intValueSelected.connect(self._set_promise_hours)
        dialog.open()
        return dialog

    def _set_promise_hours(self, hours: int) -> None:
        from ui.incident_dialog import KEY_PROMISE_HOURS

        self.rapport.settings.setValue(KEY_PROMISE_HOURS, hours)
        self.rapport.settings.sync()
        self.statusBar().showMessage(
            f"New incidents will promise an answer within {hours} hours.", 5000
        )

    def follow_up_for_current(self) -> FollowUpDialog | None:
        """Add a follow-up for the client in front of the user (or ask who)."""
        from ui.follow_up_dialog import FollowUpDialog

        if self.rapport.book is None:
            return None
        client_id = self.selected_client_id()
        if self.current_page() == PAGE_TODAY:
            item = self.today_view.selected_item()
            client_id = item.client_id if item is not None else None
        dialog = FollowUpDialog(self.rapport, client_id, self)
        dialog.saved.connect(lambda _fid: self.statusBar().showMessage("Follow-up added.", 4000))
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        self.follow_up_dialog = dialog
        return dialog

    def log_touch_dialog(
        self, client_id: int | None = None, *, follow_up: tuple[int, str] | None = None
    ) -> TouchDialog | None:
        """Open the touch dialog without blocking and hand it back.

        With the window hidden in the tray it opens on its own, not window-modal on
        a window nobody can see.
        """
        from ui.touch_dialog import TouchDialog

        if self.rapport.book is None:
            return None
        old = self.touch_dialog
        if old is not None and old.isVisible() and client_id is None:
            old.raise_()
            old.activateWindow()
            return old
        if old is not None:
            old.close()
            old.deleteLater()
        parent = self if self.isVisible() else None
        dialog = TouchDialog(self.rapport, client_id, parent, follow_up=follow_up)
        dialog.saved.connect(lambda _tid, d=dialog: self._on_touch_saved(d))
        self.touch_dialog = dialog
        if parent is not None:
            dialog.open()
        else:
            dialog.show()
        dialog.raise_()
        dialog.activateWindow()
        return dialog

    def _on_touch_saved(self, dialog: TouchDialog) -> None:
        client_id = dialog.client_picker.client_id()
        name = dialog.client_picker.currentText().strip() or "the client"
        self.statusBar().showMessage(f"Logged a touch with {name}.", 4000)
        if self.current_page() == PAGE_TODAY:
            self.today_view.tree.setFocus(Qt.FocusReason.OtherFocusReason)
        elif client_id is not None:
            self._show_in_list(client_id)

    def _on_saved(self, client_id: int) -> None:
        from models.services.clients import get_client

        announce(self.rapport, CLIENTS, self)
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

    # -- contacts in and out -------------------------------------------------------

    def import_contacts(self) -> QFileDialog:
        """File › Import contacts…: pick a file; the preview opens once it is read."""
        from ui.import_dialog import CHOOSE_FILE_FILTER, start_folder

        dialog = QFileDialog(self, "Import contacts", str(start_folder()))
        dialog.setFileMode(QFileDialog.FileMode.ExistingFile)
        dialog.setOption(QFileDialog.Option.DontUseNativeDialog, True)
        dialog.setNameFilter(CHOOSE_FILE_FILTER)
        dialog.fileSelected.connect(lambda name: self.import_contacts_from(Path(name)))
        self.file_dialog = dialog
        dialog.open()
        return dialog

    def import_contacts_from(self, path: Path) -> ImportDialog | None:
        """Read ``path`` and show what importing it would do; nothing is written yet."""
        if self.rapport.book is None:
            return None
        from ui.import_dialog import ImportDialog, read_contacts

        try:
            source = read_contacts(self, path)
        except RapportError as exc:
            self._show_message("Import contacts", str(exc))
            return None
        dialog = ImportDialog(self.rapport, source, self)
        dialog.imported.connect(self._on_contacts_imported)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.import_dialog = dialog
        dialog.open()
        return dialog

    def _on_contacts_imported(self, plan: ImportPlan) -> None:
        self.import_dialog = None
        self.show_clients(focus=False)
        if plan.created_ids:
            self._show_in_list(plan.created_ids[0])
        self.table.setFocus(Qt.FocusReason.OtherFocusReason)
        self.statusBar().showMessage(
            f"Imported: {plan.created} added, {plan.updated} updated, {plan.skipped} skipped.",
            8000,
        )

    def export_contacts(self, *, selected_first: bool | None = None) -> ExportDialog | None:
        """File › Export contacts…: every client, or those selected in the list."""
        if self.rapport.book is None:
            return None
        from ui.export_dialog import ExportDialog

        dialog = ExportDialog(
            self.rapport, self.selected_client_ids(), self, selected_first=selected_first
        )
        dialog.exported.connect(
            lambda n, name: self.statusBar().showMessage(
                f"Exported {plural(n, 'client')} to {Path(name).name}.", 6000
            )
        )
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.export_dialog = dialog
        dialog.open()
        return dialog

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
        from models.services.clients import archive_client

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
        announce(self.rapport, CLIENTS, self)
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
        try:
            unarchive_client(book, client_id)
        except NotFoundError:
            self.refresh()
            return
        announce(self.rapport, CLIENTS, self)
        self._show_in_list(client_id)
        self.statusBar().showMessage(f"{name} is back in your book.", 4000)

    def unarchive_selected(self) -> None:
        from models.services.clients import unarchive_client

        book = self.rapport.book
        client_id = self.selected_client_id()
        if book is None or client_id is None or not self._selected_is_archived():
            return
        unarchive_client(book, client_id)
        if self.last_undo is not None and self.last_undo.archived_client == client_id:
            self.last_undo = None
            self.undo_bar.hide()
        announce(self.rapport, CLIENTS, self)
        self.select_client(client_id)

    def _show_context_menu(self, pos: QPoint) -> None:
        index: QModelIndex = self.table.indexAt(pos)
        if not index.isValid():
            return
        if not self.table.selectionModel().isRowSelected(index.row(), index.parent()):
            self.table.selectRow(index.row())
        menu = QMenu(self)
        menu.addAction(self.log_touch_action)
        menu.addAction(self.edit_action)
        menu.addAction(
            self.unarchive_action if self._selected_is_archived() else self.archive_action
        )
        menu.addSeparator()
        menu.addAction(self.export_selected_action)
        menu.popup(self.table.viewport().mapToGlobal(pos))

    # -- switching books ------------------------------------------------------

    def _after_open(self, outcome: OpenOutcome, what: str) -> None:
        if outcome.status is OpenStatus.HANDED_OVER:
            self.statusBar().showMessage(f"{what} is open in another window.", 6000)
        elif outcome.status is OpenStatus.FAILED and outcome.damage is not None:
            from ui.backup_dialog import offer_backup

            self.damage_dialog = offer_backup(self.rapport, outcome.damage, self)
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
        bring_to_front(self)

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

    # -- the tray and closing ---------------------------------------------------

    def set_tray(self, tray: RapportTray) -> None:
        """Hook up the tray icon; without a system tray, say once what that means."""
        self.tray = tray
        self.settings_menu.addSeparator()
        self.settings_menu.addAction(tray.pause_action)
        self.keep_in_tray_action.setEnabled(tray.available)
        s = self.rapport.settings
        if not tray.available and not s.value(KEY_NO_TRAY_TOLD, False, type=bool):
            self.statusBar().showMessage(NO_TRAY, 20000)
            s.setValue(KEY_NO_TRAY_TOLD, True)
            s.sync()

    def keeps_running_in_tray(self) -> bool:
        return (
            not self.rapport.quitting
            and self.tray is not None
            and self.tray.available
            and self.keep_in_tray_action.isChecked()
        )

    def _on_keep_in_tray_toggled(self, on: bool) -> None:
        self.rapport.settings.setValue(KEY_KEEP_IN_TRAY, on)
        self.rapport.settings.sync()

    def set_autostart(self, on: bool) -> None:
        try:
            if on:
                book = self.rapport.book_path if not self.rapport.is_default_book else None
                autostart.enable(autostart.launch_command(book))
            else:
                autostart.disable()
        except OSError as exc:
            self._show_message(APP_NAME, f"The login entry could not be changed: {exc}.")
        self.autostart_action.blockSignals(True)
        self.autostart_action.setChecked(autostart.is_enabled())
        self.autostart_action.blockSignals(False)
        if on and autostart.is_enabled():
            self.statusBar().showMessage("Rapport will start in the tray when you log in.", 5000)

    def quit_app(self) -> None:
        """Quit for real, tray or not."""
        self.rapport.quit()
        self.close()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt API
        self.save_settings()
        if self.keeps_running_in_tray():
            event.ignore()
            self.hide()
            s = self.rapport.settings
            if self.tray is not None and not s.value(KEY_CLOSE_EXPLAINED, False, type=bool):
                self.tray.show_message("Rapport is still running", STILL_RUNNING)
                s.setValue(KEY_CLOSE_EXPLAINED, True)
                s.sync()
            return
        super().closeEvent(event)
