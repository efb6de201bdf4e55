"""The client list as a Qt table model over the book's client list.

Searching happens in SQL, and so does the default order. The model has a row for
every match from the start and reads a page of rows where the view first looks
(the book's list reads any page, from either end or by keyset from rows already
read), and health is scored for the rows read. Apart from that first read of a
page, data() does no I/O and no formatting work beyond picking a field, so
scrolling a long list stays smooth.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import date
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QSortFilterProxyModel,
    Qt,
)
from PySide6.QtGui import QBrush, QFont, QGuiApplication, QPalette

from models.enums import ClientStatus
from models.health import Health
from models.incidents import PRIORITY_OPEN_ENDED
from models.text import fold
from ui.icons import dot_icon, flag_icon
from ui.incident_words import BAND_TEXT, factor_text
from ui.item_models import ROW_FLAGS, AnyIndex, header_text
from ui.theme import tone
from ui.wording import short_date

if TYPE_CHECKING:
    from models.services.clients import ClientRow

from ui.client_keys import (
    ARCHIVED_ROLE,
    COL_EMAIL,
    COL_HEALTH,
    COL_NAME,
    COL_ORG,
    COL_PHONE,
    COL_STATUS,
    COL_TAGS,
    ID_ROLE,
    SORT_ROLE,
)
from ui.column_fitter import (
    ColumnFitter,
)

__all__ = [
    "ARCHIVED_ROLE",
    "COL_EMAIL",
    "COL_HEALTH",
    "COL_NAME",
    "COL_ORG",
    "COL_PHONE",
    "COL_STATUS",
    "COL_TAGS",
    "ID_ROLE",
    "SORT_ROLE",
    "ColumnFitter",
]


def _is_lazy_list(rows: object) -> bool:
    """Whether ``rows`` is the book's lazy ClientList. Asked without importing it: the
    window is built before the services are loaded, and no ClientList exists until
    they are."""
    clients = sys.modules.get("models.services.client_list")
    return clients is not None and isinstance(rows, clients.ClientList)


HEADERS = ("Name", "Organisation", "Email", "Phone", "Tags", "Status", "Health")
NO_SCORE = -1  # archived clients have no score; they sort below every real one

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


# Rows one screen shows, until the window says (ClientTableModel.screen): a new list
# reads this many at once, and a screen's worth wherever the view looks after that.
# Health is scored per block of this many rows of a plain list.
PAGE = 48
# Health is scored for at most this many clients per read (SQL's IN list).
HEALTH_BATCH = 2000


class HealthScores(Mapping[int, Health]):
    """Health scores read on demand, in batches, and kept: the list asks for the
    clients it has rows for (``prefetch``), so a big book is never scored whole just
    to paint its first screen. Sorting by health needs everyone (``load_all``).

    ``score`` is the service call: ``score(ids)`` scores those clients, ``score(None)``
    every client (archived ones have no score and are simply absent).
    """

    def __init__(self, score: Callable[[Sequence[int] | None], Mapping[int, Health]]) -> None:
        self._score = score
        self._scores: dict[int, Health] = {}
        self._asked: set[int] = set()
        self._complete = False

    @classmethod
    def of(cls, scores: Mapping[int, Health]) -> HealthScores:
        """Scores already worked out, for everyone there is."""
        known = cls(lambda _ids: {})
        known._scores = dict(scores)
        known._complete = True
        return known

    def prefetch(self, ids: Iterable[int]) -> None:
        if self._complete:
            return
        missing = [i for i in ids if i not in self._asked]
        if len(missing) > HEALTH_BATCH:
            # A long way down a big list: one pass over everyone is cheaper than
            # batches, and every later read is then free.
            self.load_all()
            return
        for start in range(0, len(missing), HEALTH_BATCH):
            batch = missing[start : start + HEALTH_BATCH]
            self._scores.update(self._score(batch))
            self._asked.update(batch)

    def load_all(self) -> None:
        if not self._complete:
            self._scores = dict(self._score(None))
            self._complete = True

    def __getitem__(self, client_id: int) -> Health:
        if not self._complete and client_id not in self._asked:
            self.prefetch([client_id])
        return self._scores[client_id]

    def __iter__(self) -> Iterator[int]:
        self.load_all()
        return iter(self._scores)

    def __len__(self) -> int:
        self.load_all()
        return len(self._scores)


class ClientTableModel(QAbstractTableModel):
    """The rows of the client list, read where the view looks and sorted by the book.

    ``set_rows`` takes either a plain list or a ClientList (the book's lazy list for
    one search, in name order). For a ClientList the model has as many rows as the
    search matches from the start (one count) and reads the first page at once; any
    other row is read with its page when the view first asks for it (painting,
    scrolling, selecting), wherever it is: dragging to the bottom of a 100 000-client
    list reads the last page or two, not everything above them. Health is scored for
    each page as it is read. The model sorts itself (``sort``; the proxy hands header
    clicks down): by name the book reads in that order (reversed for descending), by
    any other column every matching row is read once and sorted here. Health comes as
    a HealthScores (scored per page) or a plain mapping.
    """

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        # What the window gave (a plain list, or the book's list in name order) ...
        self._given: Sequence[ClientRow] = []
        # ... and the same rows in the current sort order: a ClientList (``_list``,
        # read by pages as rows are asked for) or a plain list.
        self._supply: Sequence[ClientRow] = []
        self._list: Any = None  # the ClientList, or None (not imported here: see above)
        self._count = 0
        # For a plain list: client id -> row (made when first needed), and which
        # blocks of PAGE rows have had their health scored.
        self._ids: dict[int, int] | None = None
        self._scored: set[int] = set()
        # How many rows one screen of the view shows (the window keeps it up to date):
        # what a new list reads at once, and the least a later read brings.
        self.screen = PAGE
        self._sort_column = -1
        self._sort_order = Qt.SortOrder.AscendingOrder
        # Worked out once per refresh by the window, never while painting. Priority:
        # the window's map when it gave one, else what each row says (a ClientList
        # reads it with the row, for the list's day).
        self._health: Mapping[int, Health] = {}
        self._priority: Mapping[int, date] | None = None
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
        """Replace every row; views keep their own selection by client id. Without
        ``priority`` each row's own ``priority_until`` flags it."""
        self.beginResetModel()
        self._given = rows if _is_lazy_list(rows) else list(rows)
        if health is not None:
            self._health = health if isinstance(health, HealthScores) else dict(health)
        self._priority = dict(priority) if priority is not None else None
        self._supply_in_order()
        self.endResetModel()

    def _supply_in_order(self) -> None:
        """Make ``_supply`` the given rows in the current order, with the first page of
        a ClientList read (what the first screen shows)."""
        supply = self._sorted(self._given)
        self._supply = supply
        self._list = supply if _is_lazy_list(supply) else None
        self._ids = None
        self._scored = set()
        if self._list is not None:  # first the page: it may bring the count with it
            self._prefetch_health(self._list.read_around(0, rows=self.screen))
        self._count = len(supply)

    def _prefetch_health(self, rows: Iterable[ClientRow]) -> None:
        if isinstance(self._health, HealthScores):
            self._health.prefetch([r.id for r in rows if not r.archived])

    def _row(self, i: int) -> ClientRow | None:
        """Row ``i`` of the current order, read (and scored) with its page if need be;
        None when it is gone from the book since the list was counted."""
        listed = self._list
        if listed is None:
            block = i // PAGE
            if block not in self._scored:
                self._scored.add(block)
                self._prefetch_health(self._supply[block * PAGE : (block + 1) * PAGE])
            return self._supply[i]
        row = listed.cached(i)
        if row is None and not listed.is_read(i):
            # From the first row the view asks for, a screen on either way is read.
            self._prefetch_health(listed.read_around(i, rows=self.screen + listed.page_size))
            row = listed.cached(i)
        return row

    def _sorted(self, rows: Sequence[ClientRow]) -> Sequence[ClientRow]:
        """``rows`` in the current sort order: the book's own order for names, else
        every row read and sorted here (a stable sort, so ties stay by name)."""
        column, descending = self._sort_column, self._sort_order == Qt.SortOrder.DescendingOrder
        if column < 0:
            return rows
        if _is_lazy_list(rows):
            if column == COL_NAME:
                return rows.reversed_list() if descending else rows
            rows = rows.rows()
        if column == COL_HEALTH and isinstance(self._health, HealthScores):
            self._health.load_all()
        return sorted(rows, key=lambda r: self._sort_key(r, column), reverse=descending)

    def sort(  # noqa: D102 - Qt API
        self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder
    ) -> None:
        if not -1 <= column < len(HEADERS):
            return
        self._sort_column, self._sort_order = column, order
        self.layoutAboutToBeChanged.emit()
        old = self.persistentIndexList()
        old_rows = [self._row(i.row()) if 0 <= i.row() < self._count else None for i in old]
        # The same clients in the new order: the selection and current row follow them.
        self._supply_in_order()
        rows_now = {r.id: self.row_of(r.id) for r in old_rows if r is not None}
        new = []
        for index, row in zip(old, old_rows, strict=True):
            at = rows_now[row.id] if row is not None else -1
            new.append(self.index(at, index.column()) if at >= 0 else QModelIndex())
        self.changePersistentIndexList(old, new)
        self.layoutChanged.emit()

    def set_health(self, health: Mapping[int, Health], priority: Mapping[int, date]) -> None:
        """New scores and flags for the same rows (a touch, an incident): the cells
        change in place, so the selection and scroll position stay put."""
        self._health = health if isinstance(health, HealthScores) else dict(health)
        self._priority = dict(priority)  # fresher than what the rows were read with
        self._scored = set()
        if self._sort_column in (COL_NAME, COL_HEALTH):
            # The order itself may have moved (an upset client comes first): read the
            # same search again and re-sort, keeping the selection.
            if _is_lazy_list(self._given):
                fresh = self._given.again()
                if len(fresh) != len(self._given):  # not the same clients after all
                    self.set_rows(fresh, health, priority)
                    return
                self._given = fresh
            self.sort(self._sort_column, self._sort_order)
        elif self._list is not None:
            self._prefetch_health(self._list.kept_rows())
        if self._count:
            last = self._count - 1
            self.dataChanged.emit(self.index(0, COL_NAME), self.index(last, COL_NAME))
            self.dataChanged.emit(self.index(0, COL_HEALTH), self.index(last, COL_HEALTH))

    def priority_of(self, row: ClientRow) -> date | None:
        """Until when ``row``'s client comes first, or None."""
        if self._priority is not None:
            return self._priority.get(row.id)
        return row.priority_until

    def health_of(self, client_id: int) -> Health | None:
        return self._health.get(client_id)

    @property
    def rows(self) -> list[ClientRow]:
        """Every row, in the order shown (a ClientList is read whole for this)."""
        if self._list is not None:
            return self._list.rows()
        return list(self._supply)

    def row_at(self, row: int) -> ClientRow | None:
        return self._row(row) if 0 <= row < self._count else None

    def row_of(self, client_id: int) -> int:
        """The row showing ``client_id``, or -1 when it is not in the list. Reads no
        rows: a client further down than the rows read so far is found by a count."""
        if self._list is not None:
            position = self._list.position(client_id)
            return position if 0 <= position < self._count else -1
        if self._ids is None:
            self._ids = {r.id: i for i, r in enumerate(self._supply)}
        return self._ids.get(client_id, -1)

    def rowCount(self, parent: AnyIndex | None = None) -> int:  # noqa: N802 - Qt API
        if parent is not None and parent.isValid():
            return 0
        return self._count

    def columnCount(self, parent: AnyIndex | None = None) -> int:  # noqa: N802 - Qt API
        if parent is not None and parent.isValid():
            return 0
        return len(HEADERS)

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < self._count:
            return None
        row = self._row(index.row())
        if row is None:
            return None
        column = index.column()
        if column == COL_HEALTH:
            return self._health_data(row, role)
        until = self.priority_of(row) if column == COL_NAME else None
        if until is not None:
            if role == Qt.ItemDataRole.DecorationRole:
                return flag_icon(tone("flag"))
            if role == Qt.ItemDataRole.ToolTipRole:
                return f"{row.name}\n{priority_text(until)}"
        if role == Qt.ItemDataRole.ToolTipRole and column == COL_NAME and row.organisation:
            return f"{row.name}\n{row.organisation}"
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            text = _cell(row, column)
            if role == Qt.ItemDataRole.ToolTipRole and not text:
                return None
            return text
        if role == SORT_ROLE:
            return self._sort_key(row, column)
        if role == ID_ROLE:
            return row.id
        if role == ARCHIVED_ROLE:
            return row.archived
        if row.archived and role == Qt.ItemDataRole.ForegroundRole:
            return self._archived_brush
        if row.archived and role == Qt.ItemDataRole.FontRole:
            return self._archived_font
        return None

    def _sort_key(self, row: ClientRow, column: int) -> str | int:
        """What a column sorts by (also its SORT_ROLE)."""
        if column == COL_HEALTH:
            h = self._health.get(row.id) if not row.archived else None
            return h.score if h is not None else NO_SCORE
        if column == COL_STATUS:
            return f"{int(row.archived)}{list(ClientStatus).index(row.status)}"
        if column == COL_NAME:
            # An upset client comes first in the usual by-name order.
            return ("0" if self.priority_of(row) is not None else "1") + fold(row.name)
        return fold(_cell(row, column))

    def _health_data(self, row: ClientRow, role: int) -> Any:
        if role == SORT_ROLE:
            return self._sort_key(row, COL_HEALTH)
        if role == ID_ROLE:
            return row.id
        if role == ARCHIVED_ROLE:
            return row.archived
        h = self._health.get(row.id) if not row.archived else None
        if h is None:
            return "" if role == Qt.ItemDataRole.DisplayRole else None
        if role == Qt.ItemDataRole.DisplayRole:
            return str(h.score)
        if role == Qt.ItemDataRole.DecorationRole:
            # The band's own colour for the scheme in force (ui/theme.py).
            return dot_icon(tone(f"band_{h.band.value}"))
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
    """Header clicks sort the source model (which reads in order from the book, so a
    lazily read list is sorted as a whole, not just the rows read so far); the proxy
    itself neither sorts nor filters, the SQL already did that."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.setSortRole(SORT_ROLE)
        self.setSortCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.setSortLocaleAware(True)
        self.setDynamicSortFilter(False)

    def sort(  # noqa: D102 - Qt API
        self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder
    ) -> None:
        source = self.sourceModel()
        if isinstance(source, ClientTableModel):
            source.sort(column, order)
        else:
            super().sort(column, order)


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
