"""Every incident in the book, across clients: what is open, what is late.

The filters are the questions a consultant asks on a bad week ("which promises
have I broken?"), answered by list_incidents in SQL; the table model only holds
the rows it was given and the proxy sorts them.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QItemSelectionModel,
    QObject,
    QSortFilterProxyModel,
    Qt,
    Signal,
)
from PySide6.QtGui import QBrush, QColor, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from models.changes import BOOK, CLIENTS, DATES, DAY, INCIDENTS, REMINDERS
from models.enums import IncidentStatus, Severity
from models.incidents import ACTIVE_STATUSES
from models.text import fold
from ui.app import RapportApp
from ui.incident_words import (
    SEVERITY_RANK,
    STATUS_RANK,
    day_text,
    promise_short,
    promise_urgency,
    severity_text,
    status_label,
)
from ui.item_models import ROW_FLAGS, AnyIndex, header_text
from ui.keys import widget_shortcut
from ui.kit.subscribe import on_changes
from ui.theme import tone

if TYPE_CHECKING:
    from models.services.incidents import IncidentRow


COL_CLIENT, COL_TITLE, COL_SEVERITY, COL_STATUS, COL_OPENED, COL_PROMISE = range(6)
HEADERS = ("Client", "Title", "Severity", "Status", "Opened", "Promise")
SORT_ROLE = Qt.ItemDataRole.UserRole + 1
ID_ROLE = Qt.ItemDataRole.UserRole + 2

# (label, statuses asked for; None means all)
STATUS_FILTERS: tuple[tuple[str, tuple[IncidentStatus, ...] | None], ...] = (
    ("Active", tuple(s for s in IncidentStatus if s in ACTIVE_STATUSES)),
    ("All", None),
    ("Resolved", (IncidentStatus.RESOLVED,)),
    ("Lost", (IncidentStatus.LOST,)),
)
SEVERITY_FILTERS: tuple[tuple[str, tuple[Severity, ...] | None], ...] = (
    ("Any severity", None),
    ("High or critical", (Severity.HIGH, Severity.CRITICAL)),
    *((severity_text(s), (s,)) for s in Severity),
)
NONE_YET = "No incidents yet. When something goes wrong, report it here (Ctrl+I)."
NONE_MATCH = "No incidents match these filters."


class IncidentTableModel(QAbstractTableModel):
    """Rows from list_incidents, worded once when they arrive, not while painting."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: list[IncidentRow] = []
        self._cells: list[tuple[str, ...]] = []
        self._sort: list[tuple[Any, ...]] = []
        self._late: list[bool] = []
        self._late_brush = QBrush(QColor(tone("late")))
        self._serious_brush = QBrush(QColor(tone("warn")))

    def set_rows(self, rows: Sequence[IncidentRow], now: datetime) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self._cells, self._sort, self._late = [], [], []
        for r in self._rows:
            promise, broken = promise_short(r, now)
            self._cells.append(
                (
                    r.client_name,
                    r.title,
                    severity_text(r.severity),
                    status_label(r.status),
                    day_text(r.opened_at, now),
                    promise,
                )
            )
            self._sort.append(
                (
                    fold(r.client_name),
                    fold(r.title),
                    SEVERITY_RANK[r.severity],
                    STATUS_RANK[r.status],
                    r.opened_at.timestamp(),
                    promise_urgency(r, now),
                )
            )
            self._late.append(broken)
        self.endResetModel()

    @property
    def rows(self) -> list[IncidentRow]:
        return list(self._rows)

    def row_of(self, incident_id: int) -> int:
        for i, r in enumerate(self._rows):
            if r.id == incident_id:
                return i
        return -1

    def rowCount(self, parent: AnyIndex | None = None) -> int:  # noqa: N802 - Qt API
        if parent is not None and parent.isValid():
            return 0
        return len(self._rows)

    def columnCount(self, parent: AnyIndex | None = None) -> int:  # noqa: N802 - Qt API
        if parent is not None and parent.isValid():
            return 0
        return len(HEADERS)

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        i, column = index.row(), index.column()
        if not 0 <= column < len(HEADERS):
            return None
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            text = self._cells[i][column]
            return text if text or role == Qt.ItemDataRole.DisplayRole else None
        if role == SORT_ROLE:
            return self._sort[i][column]
        if role == ID_ROLE:
            return self._rows[i].id
        if role == Qt.ItemDataRole.ForegroundRole:
            if column == COL_PROMISE and self._late[i]:
                return self._late_brush
            if column == COL_SEVERITY and self._rows[i].severity in (
                Severity.HIGH,
                Severity.CRITICAL,
            ):
                return self._serious_brush
        return None

    def headerData(  # noqa: N802 - Qt API
        self,
        section: int,
        orientation: Qt.Orientation,
        role: int = Qt.ItemDataRole.DisplayRole,
    ) -> Any:
        return header_text(HEADERS, section, orientation, role)

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return ROW_FLAGS


class IncidentSortProxy(QSortFilterProxyModel):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.setSortRole(SORT_ROLE)
        self.setDynamicSortFilter(True)


class IncidentsView(QWidget):
    """The Incidents page. Enter or a double-click asks for the incident's window."""

    open_incident_requested = Signal(int)
    report_requested = Signal()

    def __init__(
        self, rapport: RapportApp, parent: QWidget | None = None, *, defer: bool = False
    ) -> None:
        """``defer`` leaves the page empty until the first ``refresh`` (ui/warmup.py)."""
        super().__init__(parent)
        self.rapport = rapport
        self.model = IncidentTableModel(self)
        self.proxy = IncidentSortProxy(self)
        self.proxy.setSourceModel(self.model)

        self.status_filter = QComboBox()
        self.status_filter.setAccessibleName("Show incidents")
        for label, _statuses in STATUS_FILTERS:
            self.status_filter.addItem(label)
        self.severity_filter = QComboBox()
        self.severity_filter.setAccessibleName("Severity")
        for label, _severities in SEVERITY_FILTERS:
            self.severity_filter.addItem(label)
        self.broken_only = QCheckBox("&Broken promises only")
        show_label = QLabel("&Show")
        show_label.setBuddy(self.status_filter)
        filters = QHBoxLayout()
        filters.setContentsMargins(12, 10, 12, 6)
        filters.addWidget(show_label)
        filters.addSpacing(4)
        filters.addWidget(self.status_filter)
        filters.addSpacing(8)
        filters.addWidget(self.severity_filter)
        filters.addSpacing(12)
        filters.addWidget(self.broken_only)
        filters.addStretch(1)
        self.count_label = QLabel()
        filters.addWidget(self.count_label)
        self.report_button = QPushButton("Report an incident…")
        self.report_button.setToolTip("Report an incident with any client (Ctrl+I)")
        self.report_button.clicked.connect(self.report_requested)
        # Its own row under the list, so the filters keep the page's width as it was.
        actions = QHBoxLayout()
        actions.setContentsMargins(12, 6, 12, 8)
        actions.addStretch(1)
        actions.addWidget(self.report_button)

        self.table = QTableView()
        self.table.setModel(self.proxy)
        self.table.setAccessibleName("Incidents")
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setShowGrid(False)
        self.table.setWordWrap(False)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(COL_OPENED, Qt.SortOrder.DescendingOrder)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(self.table.fontMetrics().height() + 12)
        header = self.table.horizontalHeader()
        header.setHighlightSections(False)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(COL_TITLE, QHeaderView.ResizeMode.Stretch)
        for column, width in (
            (COL_CLIENT, 170),
            (COL_SEVERITY, 85),
            (COL_STATUS, 110),
            (COL_OPENED, 80),
            (COL_PROMISE, 190),
        ):
            header.resizeSection(column, width)
        self.table.doubleClicked.connect(lambda _i: self.open_selected())
        for key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            widget_shortcut(QKeySequence(key), self.table, self.open_selected)

        self.empty_label = QLabel(NONE_YET)
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_label.setWordWrap(True)
        self.empty_label.setStyleSheet("color: palette(placeholder-text);")
        self.stack = QStackedWidget()
        self.stack.addWidget(self.table)
        self.stack.addWidget(self.empty_label)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addLayout(filters)
        layout.addWidget(self.stack, 1)
        layout.addLayout(actions)

        self.status_filter.currentIndexChanged.connect(lambda _i: self.refresh())
        self.severity_filter.currentIndexChanged.connect(lambda _i: self.refresh())
        self.broken_only.toggled.connect(lambda _on: self.refresh())
        # The list shows incidents with their clients' names and promises' dates.
        on_changes(
            self,
            rapport.changed,
            INCIDENTS | CLIENTS | REMINDERS | BOOK | DAY | DATES,
            lambda _c, _who: self.refresh(),
        )
        if not defer:
            self.refresh()

    def refresh(self) -> None:
        """Ask the book again with the filters as set, keeping the selected incident."""
        book = self.rapport.book
        keep = self.selected_incident_id()
        now = self.rapport.now()
        from models.services.incidents import list_incidents

        rows = (
            []
            if book is None
            else list_incidents(
                book,
                statuses=STATUS_FILTERS[max(0, self.status_filter.currentIndex())][1],
                severities=SEVERITY_FILTERS[max(0, self.severity_filter.currentIndex())][1],
                breached_only=self.broken_only.isChecked(),
                now=now,
            )
        )
        self.model.set_rows(rows, now)
        if keep is not None:
            self.select_incident(keep)
        filtered = (
            self.status_filter.currentIndex() != 1
            or self.severity_filter.currentIndex() != 0
            or self.broken_only.isChecked()
        )
        self.count_label.setText(f"{len(rows)} shown" if rows else "")
        if rows:
            self.stack.setCurrentWidget(self.table)
        else:
            any_at_all = book is not None and (not filtered or bool(list_incidents(book, now=now)))
            self.empty_label.setText(NONE_MATCH if any_at_all else NONE_YET)
            self.stack.setCurrentWidget(self.empty_label)

    def shown_ids(self) -> list[int]:
        """The incidents in the order on screen."""
        return [int(self.proxy.index(r, 0).data(ID_ROLE)) for r in range(self.proxy.rowCount())]

    def selected_incident_id(self) -> int | None:
        selection = self.table.selectionModel()
        rows = selection.selectedRows() if selection is not None else []
        if not rows:
            return None
        value = rows[0].data(ID_ROLE)
        return int(value) if value is not None else None

    def select_incident(self, incident_id: int) -> bool:
        row = self.model.row_of(incident_id)
        if row < 0:
            return False
        index = self.proxy.mapFromSource(self.model.index(row, 0))
        self.table.selectionModel().setCurrentIndex(
            index,
            QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows,
        )
        return True

    def open_selected(self) -> None:
        incident_id = self.selected_incident_id()
        if incident_id is not None:
            self.open_incident_requested.emit(incident_id)

    def focus_list(self) -> None:
        if self.proxy.rowCount():
            self.table.setFocus(Qt.FocusReason.OtherFocusReason)
            if self.selected_incident_id() is None:
                self.table.selectRow(0)
