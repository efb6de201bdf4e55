"""The main window's actions as one table: menus, toolbar and shortcuts are
fed from it, so a command is named, bound and placed once."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QModelIndex, QPoint, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QLineEdit,
    QMenu,
    QPushButton,
    QToolBar,
    QWidget,
)

from ui import autostart
from ui.app import RapportApp
from ui.icons import icon
from ui.main.common import (
    KEY_KEEP_IN_TRAY,
)


@dataclass(frozen=True)
class ActionSpec:
    """One command: the attribute it is kept under, its words, the window method
    it calls, its shortcut; a checkable one calls the method with its new state."""

    name: str
    text: str
    slot: str
    shortcut: QKeySequence.StandardKey | str | None = None
    checkable: bool = False
    role: QAction.MenuRole | None = None
    # A Lucide icon name (resources/icons/lucide/), shown in menus and toolbars.
    icon: str | None = None


ACTIONS: tuple[ActionSpec, ...] = (
    ActionSpec("new_action", "&New client…", "new_client_dialog", "Ctrl+N", icon="user-plus"),
    ActionSpec("open_demo_action", "Open &demo book", "open_demo", icon="book-open"),
    ActionSpec("open_mine_action", "Open &my book", "open_my_book", icon="book-user"),
    ActionSpec("import_contacts_action", "&Import contacts…", "import_contacts", icon="import"),
    ActionSpec("export_contacts_action", "E&xport contacts…", "export_contacts", icon="upload"),
    ActionSpec("export_selected_action", "Export &selected…", "export_selected_contacts"),
    ActionSpec("close_action", "&Close window", "close", QKeySequence.StandardKey.Close, icon="x"),
    ActionSpec(
        "quit_action", "&Quit", "quit_app", "Ctrl+Q", role=QAction.MenuRole.QuitRole, icon="power"
    ),
    ActionSpec("show_today_action", "&Today", "go_today", "Ctrl+1", icon="calendar-check"),
    ActionSpec("show_clients_action", "&Clients", "show_clients", "Ctrl+2", icon="users"),
    ActionSpec(
        "show_incidents_action", "&Incidents", "show_incidents", "Ctrl+3", icon="triangle-alert"
    ),
    ActionSpec(
        "report_incident_action",
        "Report an &incident…",
        "report_incident_for_current",
        "Ctrl+I",
        icon="triangle-alert",
    ),
    ActionSpec(
        "start_repair_action",
        "Start a &repair…",
        "repair_for_current",
        "Ctrl+Shift+R",
        icon="handshake",
    ),
    ActionSpec(
        "new_agreement_action",
        "New &agreement…",
        "new_agreement_for_current",
        "Ctrl+Shift+A",
        icon="file-signature",
    ),
    ActionSpec("settings_action", "&Settings…", "show_settings", "Ctrl+,", icon="settings"),
    ActionSpec("your_details_action", "Your &details…", "your_details_dialog", icon="user"),
    ActionSpec(
        "restore_action", "&Restore from a backup…", "restore_from_backup", icon="archive-restore"
    ),
    ActionSpec("backups_action", "&Backups…", "backup_settings", icon="hard-drive"),
    ActionSpec(
        "promise_hours_action", "Default response &promise…", "promise_hours_dialog", icon="clock"
    ),
    ActionSpec(
        "log_touch_action",
        "&Log a touch…",
        "log_touch_for_current",
        "Ctrl+L",
        icon="message-square-plus",
    ),
    ActionSpec(
        "follow_up_action",
        "Add a &follow-up…",
        "follow_up_for_current",
        "Ctrl+Shift+L",
        icon="calendar-plus",
    ),
    ActionSpec(
        "default_rhythm_action",
        "Default &rhythm for new clients…",
        "default_rhythm_dialog",
        icon="bell",
    ),
    ActionSpec(
        "keep_in_tray_action",
        "&Keep running in the tray when the window is closed",
        "_on_keep_in_tray_toggled",
        checkable=True,
    ),
    ActionSpec(
        "autostart_action",
        "&Start Rapport in the tray when I log in",
        "set_autostart",
        checkable=True,
    ),
    ActionSpec("undo_action", "&Undo", "undo", QKeySequence.StandardKey.Undo, icon="undo-2"),
    ActionSpec(
        "find_action", "&Find", "focus_search", QKeySequence.StandardKey.Find, icon="search"
    ),
    ActionSpec("edit_action", "&Edit…", "edit_selected", icon="pencil"),
    ActionSpec(
        "archive_action",
        "&Archive",
        "archive_selected",
        QKeySequence.StandardKey.Delete,
        icon="archive",
    ),
    ActionSpec("unarchive_action", "&Unarchive", "unarchive_selected", icon="archive-restore"),
    ActionSpec(
        "show_archived_action", "Show &archived", "_on_show_archived_toggled", checkable=True
    ),
    ActionSpec("open_log_action", "Open &log folder", "open_log_folder", icon="folder-open"),
    ActionSpec(
        "about_action", "&About Rapport", "show_about", role=QAction.MenuRole.AboutRole, icon="info"
    ),
)

# The menu bar, in order; None is a separator.
MENUS: tuple[tuple[str, tuple[str | None, ...]], ...] = (
    (
        "&File",
        (
            "new_action",
            None,
            "import_contacts_action",
            "export_contacts_action",
            None,
            "open_demo_action",
            "open_mine_action",
            None,
            "restore_action",
            None,
            "close_action",
            "quit_action",
        ),
    ),
    ("&Edit", ("undo_action", None, "find_action")),
    (
        "&Client",
        (
            "log_touch_action",
            "follow_up_action",
            "report_incident_action",
            "start_repair_action",
            "new_agreement_action",
            None,
            "edit_action",
            "archive_action",
            "unarchive_action",
        ),
    ),
    (
        "&View",
        (
            "show_today_action",
            "show_clients_action",
            "show_incidents_action",
            None,
            "show_archived_action",
        ),
    ),
    (
        "&Settings",
        (
            "settings_action",
            None,
            "your_details_action",
            "backups_action",
            None,
            "keep_in_tray_action",
            "autostart_action",
            None,
            "promise_hours_action",
            "default_rhythm_action",
        ),
    ),
    ("&Help", ("open_log_action", None, "about_action")),
)


class ActionsMixin:
    """Builds the actions from the table and keeps their enabled state honest.

    A part of MainWindow (ui/main/window.py): it works on the widgets and
    attributes the window's __init__ makes."""

    # The window's own (QMainWindow and the attributes __init__ sets).
    rapport: RapportApp

    def _make_actions(self) -> None:
        """Every action in ACTIONS becomes ``self.<name>``: triggered (or, when
        checkable, toggled) calls the window's method of the same row."""
        for spec in ACTIONS:
            action = QAction(spec.text, self)
            if spec.icon is not None:
                action.setIcon(icon(spec.icon))
            if spec.shortcut is not None:
                action.setShortcut(QKeySequence(spec.shortcut))
            if spec.role is not None:
                action.setMenuRole(spec.role)
            slot = getattr(self, spec.slot)
            if spec.checkable:
                action.setCheckable(True)
                action.toggled.connect(slot)
            else:
                action.triggered.connect(slot)
            setattr(self, spec.name, action)
        self.keep_in_tray_action.blockSignals(True)
        self.keep_in_tray_action.setChecked(
            bool(self.rapport.settings.value(KEY_KEEP_IN_TRAY, True, type=bool))
        )
        self.keep_in_tray_action.blockSignals(False)
        self.autostart_action.blockSignals(True)
        self.autostart_action.setChecked(autostart.is_enabled())
        self.autostart_action.blockSignals(False)
        self.undo_action.setEnabled(False)
        # Delete archives only from the list: in the search box it must delete text.
        # (The list takes it when it is built: MainWindow._build_pages.)
        self.archive_action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)

    def _make_menus(self) -> None:
        bar = self.menuBar()
        self.menus: dict[str, QMenu] = {}
        for title, names in MENUS:
            menu = bar.addMenu(title)
            self.menus[title] = menu
            for name in names:
                if name is None:
                    menu.addSeparator()
                else:
                    menu.addAction(getattr(self, name))
        # Others add to these two later: the tray's pause, Help's extra entries.
        self.settings_menu = self.menus["&Settings"]
        self.help_menu = self.menus["&Help"]

    def _on_show_archived_toggled(self, _on: bool) -> None:
        self.refresh()

    def export_selected_contacts(self) -> None:
        self.export_contacts(selected_first=True)

    def _make_toolbar(self) -> None:
        bar = QToolBar("Main")
        bar.setObjectName("main_toolbar")
        bar.setMovable(False)
        bar.setFloatable(False)
        bar.setContentsMargins(6, 4, 6, 4)
        self.new_button = QPushButton(icon("user-plus"), "New client")
        self.new_button.setToolTip("Add a client (Ctrl+N)")
        self.new_button.clicked.connect(self.new_action.trigger)
        bar.addWidget(self.new_button)
        gap = QWidget()
        gap.setFixedWidth(4)
        bar.addWidget(gap)
        self.log_touch_button = QPushButton(icon("message-square-plus"), "Log a touch")
        self.log_touch_button.setToolTip("Note a call, email or meeting (Ctrl+L)")
        self.log_touch_button.clicked.connect(self.log_touch_action.trigger)
        bar.addWidget(self.log_touch_button)
        spacer = QWidget()
        spacer.setFixedWidth(8)
        bar.addWidget(spacer)
        self.search.addAction(icon("search"), QLineEdit.ActionPosition.LeadingPosition)
        bar.addWidget(self.search)
        self.toolbar = bar
        self.addToolBar(Qt.ToolBarArea.TopToolBarArea, bar)

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
        has_clients = not self._book_empty
        self.log_touch_action.setEnabled(has_book and has_clients)
        self.log_touch_button.setEnabled(has_book and has_clients)
        self.report_incident_action.setEnabled(has_book and has_clients)
        self.start_repair_action.setEnabled(has_book and has_clients)
        self.new_agreement_action.setEnabled(has_book and has_clients)
        self.settings_action.setEnabled(has_book)
        self.your_details_action.setEnabled(has_book)
        self.restore_action.setEnabled(has_book)
        self.backups_action.setEnabled(has_book)
        self.promise_hours_action.setEnabled(has_book)
        self.default_rhythm_action.setEnabled(has_book)
        if self.last_undo is None:
            self.undo_action.setText("&Undo")
            self.undo_action.setEnabled(False)
        else:
            self.undo_action.setText(self.last_undo.action_text)
            self.undo_action.setEnabled(True)

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
