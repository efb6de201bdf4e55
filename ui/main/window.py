"""The main window: search, the client list, the selected client, and the menus.

The window never holds client data of its own beyond what the table model shows;
after any change it asks the book again (``refresh``), so every view agrees with
the file on disk.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLineEdit,
    QMainWindow,
    QSizePolicy,
    QStackedWidget,
    QWidget,
)

from models.changes import Changes
from ui.app import RapportApp
from ui.icons import app_icon
from ui.keys import widget_shortcut
from ui.kit.screen import fit_on_show
from ui.kit.subscribe import on_changes
from ui.today_view import TodayView

# The services (and SQLAlchemy under them) and the dialogs are imported where they are
# first used: the window is built and painted before they are loaded (ui/warmup.py).
# So are the Qt classes only they use: PySide builds a class's Python enums the first
# time its name is imported (tests/test_startup.py keeps them out of the first paint).
if TYPE_CHECKING:
    from PySide6.QtWidgets import QFileDialog, QMessageBox

    from ui.backup_dialog import DamagedBookDialog, RestoreDialog
    from ui.client_dialog import ClientDialog
    from ui.export_dialog import ExportDialog
    from ui.follow_up_dialog import FollowUpDialog
    from ui.import_dialog import ImportDialog
    from ui.incident_dialog import IncidentDialog
    from ui.settings.window import SettingsWindow
    from ui.touch_dialog import TouchDialog
    from ui.tray import RapportTray
from ui.main.actions import ActionsMixin
from ui.main.archive import ArchiveMixin
from ui.main.book_menu import BookMenuMixin
from ui.main.clients_page import ClientsPageMixin
from ui.main.common import (
    SEARCH_DELAY_MS,
    SEARCH_PLACEHOLDER,
    UndoEntry,
)
from ui.main.launchers import LaunchersMixin
from ui.main.records import RecordsMixin
from ui.main.shell import ShellMixin

# The parts of the pages the first window does not show (the client list, the pane
# beside it, the first-run page, the incidents page): a deferred start builds them
# after the first paint, or the first time anything asks for one (``__getattr__``).
PAGE_PARTS = frozenset(
    {
        "model", "proxy", "table", "detail", "splitter", "first_run", "stack",
        "incidents_view", "column_fitter",
    }
)


class MainWindow(
    ShellMixin,
    ActionsMixin,
    ClientsPageMixin,
    ArchiveMixin,
    RecordsMixin,
    LaunchersMixin,
    BookMenuMixin,
    QMainWindow,
):
    """The main window, put together from its parts (one module each in ui/main/)."""

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
        self.settings_window: SettingsWindow | None = None
        self.message_box: QMessageBox | None = None
        self.file_dialog: QFileDialog | None = None
        self.import_dialog: ImportDialog | None = None
        self.export_dialog: ExportDialog | None = None
        self.last_undo: UndoEntry | None = None
        self.tray: RapportTray | None = None
        self.restore_dialog: RestoreDialog | None = None
        self.damage_dialog: DamagedBookDialog | None = None
        self.network_dialog: QMessageBox | None = None
        self._refreshing = False
        self.setWindowIcon(app_icon())

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

        self.list_empty = None  # the list's empty state, made at its first fill
        # Until the pages are built: whether the book has no client (what the
        # Clients page would show), as _show_totals counted it.
        self._book_empty = False
        self._pages_built = False

        self.today_view = TodayView(rapport)
        self.pages = QStackedWidget()
        self.pages.addWidget(self.today_view)
        # Stand-ins for the Clients and Incidents pages until _build_pages.
        self.pages.addWidget(QWidget())
        self.pages.addWidget(QWidget())
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
        # A size restored from a bigger screen (or another scale) comes back on this one.
        fit_on_show(self)
        self._retitle()
        if defer_lists:
            self._show_totals()
            self._update_actions()
        else:
            self._build_pages()
            self.refresh()
        self._choose_start_page()

    def __getattr__(self, name: str) -> Any:
        """A part of a page not built yet is built when first asked for (Python asks
        here only for attributes the window does not have)."""
        if name in PAGE_PARTS and self.__dict__.get("_pages_built") is False:
            self._build_pages()
            return getattr(self, name)
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    def _build_pages(self) -> None:
        """The Clients and Incidents pages, in place of their stand-ins, wired and
        sized as they were saved. Left out of a deferred start: Today is what the
        first paint shows, and these are half of the window's widgets."""
        if self._pages_built:
            return
        self._pages_built = True
        # Imported here: the first paint needs none of them.
        from PySide6.QtWidgets import QSplitter

        from ui.client_detail import ClientDetailPane
        from ui.client_table import ClientSortProxy, ClientTableModel
        from ui.first_run import FirstRunPage
        from ui.incidents_view import IncidentsView

        # The list's model too: its module (health scores, incident words, the column
        # fitter) is loaded after the first paint.
        self.model = ClientTableModel(self)
        self.proxy = ClientSortProxy(self)
        self.proxy.setSourceModel(self.model)
        self.table = self._make_table()
        self.table.addAction(self.archive_action)
        self.detail = ClientDetailPane()
        # Never narrower than its widest row of buttons, whose words would be cut.
        self.detail.setMinimumWidth(max(260, self.detail.minimumSizeHint().width()))
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
        self.stack.setCurrentWidget(self.first_run if self._book_empty else self.splitter)
        self.incidents_view = IncidentsView(self.rapport, defer=self.lists_pending)

        current = self.pages.currentIndex()
        for stand_in in (self.pages.widget(2), self.pages.widget(1)):
            self.pages.removeWidget(stand_in)
            stand_in.deleteLater()
        self.pages.addWidget(self.stack)
        self.pages.addWidget(self.incidents_view)
        self.pages.setCurrentIndex(current)
        self._connect_pages()
        self._restore_page_settings()

    def finish_start(self) -> None:
        """Fill what a deferred start left out: the client list, the incidents page."""
        if not self.lists_pending:
            return
        self._build_pages()
        self.lists_pending = False
        try:
            self.refresh()
            self.incidents_view.refresh()
        except Exception:
            if not self.rapport.read_failed(self.rapport.book):
                raise

    def _connect(self) -> None:
        # The window is the whole book: every kind of change shows somewhere in it.
        on_changes(
            self, self.rapport.changed, Changes.EVERYTHING, self._on_changed, defer_hidden=False
        )
        self.rapport.activated.connect(self.bring_to_front)
        self.rapport.damaged.connect(self._on_damaged)
        self.sidebar.currentRowChanged.connect(self._on_page_chosen)
        self.today_view.log_touch_requested.connect(self.log_touch_dialog)
        self.today_view.follow_up_touch_requested.connect(
            lambda cid, fid, title: self.log_touch_dialog(cid, follow_up=(fid, title))
        )
        self.today_view.open_client_requested.connect(self.open_client)
        self.today_view.undoable.connect(self.offer_undo)
        self.today_view.count_changed.connect(self._on_due_count)
        self.today_view.message.connect(lambda text: self.statusBar().showMessage(text, 8000))
        self.search.textEdited.connect(lambda _t: self.show_clients(focus=False))
        self._on_due_count(self.today_view.count_due())
        # Esc clears the search from the search box or the list, wherever the eye is.
        widget_shortcut(QKeySequence(Qt.Key.Key_Escape), self.search, self.clear_search)
        # From the search box, Down or Return carries on into the results.
        for key in (Qt.Key.Key_Down, Qt.Key.Key_Return, Qt.Key.Key_Enter):
            widget_shortcut(QKeySequence(key), self.search, self._search_to_list)

    def _connect_pages(self) -> None:
        """The Clients and Incidents pages' own signals and keys (_build_pages)."""
        self.table.selectionModel().selectionChanged.connect(self._on_selection_changed)
        self.table.doubleClicked.connect(lambda _i: self.edit_selected())
        self.table.customContextMenuRequested.connect(self._show_context_menu)
        self.detail.edit_requested.connect(self.edit_selected)
        self.detail.log_touch_requested.connect(self.log_touch_for_current)
        self.detail.archive_requested.connect(self.archive_selected)
        self.detail.report_incident_requested.connect(self.report_incident_for_current)
        self.detail.start_repair_requested.connect(self.repair_for_current)
        self.detail.open_incident_requested.connect(self.open_incident_window)
        self.detail.new_agreement_requested.connect(self.new_agreement_for_current)
        self.detail.open_agreement_requested.connect(self.open_agreement_window)
        self.incidents_view.open_incident_requested.connect(self.open_incident_window)
        self.incidents_view.report_requested.connect(self.report_incident_for_current)
        self.detail.unarchive_requested.connect(self.unarchive_selected)
        self.first_run.add_button.clicked.connect(self.new_client_dialog)
        self.first_run.demo_button.clicked.connect(self.open_demo)
        for key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            widget_shortcut(QKeySequence(key), self.table, self.edit_selected)
        widget_shortcut(QKeySequence(Qt.Key.Key_Escape), self.table, self.clear_search)

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
        moved = what.reminders or what.day or what.incidents or what.dates
        if what.clients:
            self.refresh()
        elif moved:
            # Due dates, touches or incidents moved scores; the list itself did not.
            self._refresh_health()
        if moved or what.agreements:
            self._show_selected()
