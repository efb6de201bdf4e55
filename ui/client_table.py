"""The client list as a Qt table model over ``list_clients`` rows.

The model only holds the rows it was given: searching happens in SQL, sorting in
the proxy. data() does no I/O and no formatting work beyond picking a field, so
scrolling a long list stays smooth.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QEvent,
    QObject,
    QSortFilterProxyModel,
    Qt,
)
from PySide6.QtGui import QBrush, QFont, QGuiApplication, QPalette
from PySide6.QtWidgets import QTableView

from models.entities import ClientStatus
from models.health import Health
from models.incidents import PRIORITY_OPEN_ENDED
from models.services.clients import ClientRow
from models.text import fold
from ui.icons import dot_icon, flag_icon
from ui.incident_words import BAND_COLOUR, BAND_TEXT, factor_text
from ui.item_models import ROW_FLAGS, AnyIndex, header_text
from ui.wording import short_date

# Health comes last so a header layout saved before it existed still fits.
COL_NAME, COL_ORG, COL_EMAIL, COL_PHONE, COL_TAGS, COL_STATUS, COL_HEALTH = range(7)
HEADERS = ("Name", "Organisation", "Email", "Phone", "Tags", "Status", "Health")
NO_SCORE = -1  # archived clients have no score; they sort below every real one

SORT_ROLE = Qt.ItemDataRole.UserRole + 1
ID_ROLE = Qt.ItemDataRole.UserRole + 2
ARCHIVED_ROLE = Qt.ItemDataRole.UserRole + 3

STATUS_TEXT = {
    ClientStatus.ACTIVE: "Active",
    ClientStatus.PAUSED: "Paused",
    ClientStatus.FORMER: "Former",
}


def status_text(status: ClientStatus) -> str:
    return STATUS_TEXT.get(ClientStatus(status), str(status).title())


def _cell(row: ClientRow, column: int) -> str:
    if column == COL_NAME:
        return row.name
    if column == COL_ORG:
        return row.organisation
    if column == COL_EMAIL:
        return row.email
    if column == COL_PHONE:
        return row.phone
    if column == COL_TAGS:
        return row.tags
    if column == COL_STATUS:
        # The detail pane still tells paused from former; here "archived" matters most.
        return "Archived" if row.archived else status_text(row.status)
    return ""


def priority_text(until: date, today: date | None = None) -> str:
    if until == PRIORITY_OPEN_ENDED:
        return "Priority client while a serious incident is open"
    return f"Priority client until {short_date(until, today)}"


def health_tooltip(h: Health) -> str:
    lines = [f"{h.score}: {BAND_TEXT[h.band].lower()}"]
    lines += [factor_text(f) for f in h.factors]
    return "\n".join(lines)


class ClientTableModel(QAbstractTableModel):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: list[ClientRow] = []
        self._ids: dict[int, int] = {}
        # Worked out once per refresh by the window, never while painting.
        self._health: Mapping[int, Health] = {}
        self._priority: Mapping[int, date] = {}
        palette = QGuiApplication.palette()
        self._archived_brush = QBrush(palette.color(QPalette.ColorRole.PlaceholderText))
        self._archived_font = QFont()
        self._archived_font.setItalic(True)

    def set_rows(
        self,
        rows: Sequence[ClientRow],
        health: Mapping[int, Health] | None = None,
        priority: Mapping[int, date] | None = None,
    ) -> None:
        """Replace every row; views keep their own selection by client id."""
        self.beginResetModel()
        self._rows = list(rows)
        self._ids = {r.id: i for i, r in enumerate(self._rows)}
        if health is not None:
            self._health = dict(health)
        if priority is not None:
            self._priority = dict(priority)
        self.endResetModel()

    def set_health(self, health: Mapping[int, Health], priority: Mapping[int, date]) -> None:
        """New scores and flags for the same rows (a touch, an incident): the cells
        change in place, so the selection and scroll position stay put."""
        self._health = dict(health)
        self._priority = dict(priority)
        if self._rows:
            last = len(self._rows) - 1
            self.dataChanged.emit(self.index(0, COL_NAME), self.index(last, COL_NAME))
            self.dataChanged.emit(self.index(0, COL_HEALTH), self.index(last, COL_HEALTH))

    def health_of(self, client_id: int) -> Health | None:
        return self._health.get(client_id)

    @property
    def rows(self) -> list[ClientRow]:
        return list(self._rows)

    def row_at(self, row: int) -> ClientRow | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def row_of(self, client_id: int) -> int:
        """The row showing ``client_id``, or -1 when it is not in the list."""
        return self._ids.get(client_id, -1)

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
        row = self._rows[index.row()]
        column = index.column()
        if column == COL_HEALTH:
            return self._health_data(row, role)
        if column == COL_NAME and row.id in self._priority:
            if role == Qt.ItemDataRole.DecorationRole:
                return flag_icon()
            if role == Qt.ItemDataRole.ToolTipRole:
                return f"{row.name}\n{priority_text(self._priority[row.id])}"
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            text = _cell(row, column)
            if role == Qt.ItemDataRole.ToolTipRole and not text:
                return None
            return text
        if role == SORT_ROLE:
            if column == COL_STATUS:
                return f"{int(row.archived)}{list(ClientStatus).index(row.status)}"
            if column == COL_NAME:
                # An upset client comes first in the usual by-name order.
                return ("0" if row.id in self._priority else "1") + fold(row.name)
            return fold(_cell(row, column))
        if role == ID_ROLE:
            return row.id
        if role == ARCHIVED_ROLE:
            return row.archived
        if row.archived and role == Qt.ItemDataRole.ForegroundRole:
            return self._archived_brush
        if row.archived and role == Qt.ItemDataRole.FontRole:
            return self._archived_font
        return None

    def _health_data(self, row: ClientRow, role: int) -> Any:
        h = self._health.get(row.id)
        if role == SORT_ROLE:
            return h.score if h is not None else NO_SCORE
        if role == ID_ROLE:
            return row.id
        if role == ARCHIVED_ROLE:
            return row.archived
        if h is None:
            return "" if role == Qt.ItemDataRole.DisplayRole else None
        if role == Qt.ItemDataRole.DisplayRole:
            return str(h.score)
        if role == Qt.ItemDataRole.DecorationRole:
            return dot_icon(BAND_COLOUR[h.band])
        if role == Qt.ItemDataRole.ToolTipRole:
            return health_tooltip(h)
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


class ClientSortProxy(QSortFilterProxyModel):
    """Header-click sorting on SORT_ROLE; no filtering, the SQL already did that."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.setSortRole(SORT_ROLE)
        self.setSortCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.setSortLocaleAware(True)
        self.setDynamicSortFilter(True)


# How the table's width is shared out at first; the user's own widths win later.
COLUMN_WEIGHTS = {
    COL_NAME: 1.3,
    COL_ORG: 1.15,
    COL_EMAIL: 1.5,
    COL_PHONE: 1.1,
    COL_TAGS: 0.95,
    COL_STATUS: 0.6,
    COL_HEALTH: 0.5,
}


class ColumnFitter(QObject):
    """Keeps every column on screen by sharing the table's width out by weight.

    A narrow window would otherwise push Tags and Status off to the right behind a
    scroll bar. When the user drags a column, its new proportions become the
    weights, so their choice survives the next resize.
    """

    def __init__(self, table: QTableView, weights: dict[int, float]) -> None:
        super().__init__(table)
        self.table = table
        self.weights = dict(weights)
        self._fitting = False
        self._last_width = -1
        header = table.horizontalHeader()
        header.sectionResized.connect(self._on_user_resize)
        table.viewport().installEventFilter(self)

    def adopt_current_widths(self) -> None:
        """Use the widths on screen (e.g. restored from settings) as the weights."""
        header = self.table.horizontalHeader()
        widths = {c: header.sectionSize(c) for c in self.weights if header.sectionSize(c) > 0}
        if widths and sum(widths.values()) > 0:
            self.weights = {c: float(w) for c, w in widths.items()}
        self.fit()

    def fit(self) -> None:
        header = self.table.horizontalHeader()
        available = self.table.viewport().width()
        columns = [c for c in sorted(self.weights) if not header.isSectionHidden(c)]
        total = sum(self.weights[c] for c in columns)
        if available <= 0 or total <= 0:
            return
        self._fitting = True
        try:
            used = 0
            for c in columns[:-1]:
                width = max(header.minimumSectionSize(), int(available * self.weights[c] / total))
                header.resizeSection(c, width)
                used += width
            header.resizeSection(columns[-1], max(header.minimumSectionSize(), available - used))
        finally:
            self._fitting = False

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt API
        # Only a change of width matters; a scroll bar coming and going changes height.
        if event.type() == QEvent.Type.Resize and self.table.viewport().width() != self._last_width:
            self._last_width = self.table.viewport().width()
            self.fit()
        return False

    def _on_user_resize(self, column: int, _old: int, new: int) -> None:
        if self._fitting or column not in self.weights:
            return
        header = self.table.horizontalHeader()
        self.weights = {c: float(max(1, header.sectionSize(c))) for c in self.weights}
