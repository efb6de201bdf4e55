"""What Today shows, as an item model: sections (overdue, today, the next 7
days) over rows read from the plan, never a widget per row."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, overload

from PySide6.QtCore import (
    QAbstractItemModel,
    QModelIndex,
    QObject,
    QRect,
    Qt,
)
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFont,
    QGuiApplication,
    QIcon,
    QPainter,
    QPalette,
    QPixmap,
)

from models.changes import AGREEMENTS, BOOK, CLIENTS, DATES, DAY, INCIDENTS, REMINDERS
from models.date_style import format_named
from models.reminders import FIRST_ROWS, DueItem, DueKind, TodayHead, TodayPlan, head_of
from ui.item_models import ROW_FLAGS, AnyIndex, header_text
from ui.theme import is_dark, tone
from ui.wording import reason_text, short_date, what_text, when_text

EMPTY_TITLE = "Nobody is waiting on you today."


NOTHING_AHEAD = "Nothing is planned yet. Give a client a keep-in-touch rhythm to see them here."


NO_BOOK = "No book is open."


OVERDUE, DUE_TODAY, UPCOMING = "overdue", "today", "upcoming"


SECTION_TITLES = {OVERDUE: "Overdue", DUE_TODAY: "Due today", UPCOMING: "Next 7 days"}


COL_CLIENT, COL_WHAT, COL_WHEN = range(3)
# The row's actions have no column of their own: a column reserved for buttons that
# only the selected (or hovered) row shows left a wide empty strip beside every
# other row. They are drawn over the right end of the last column instead
# (ui/today_delegate.py), so that column is where they are looked for.
COL_ACTIONS = COL_WHEN


HEADERS = ("Client", "What", "Why here")


ITEM_ROLE = Qt.ItemDataRole.UserRole + 1


SECTION_ROLE = Qt.ItemDataRole.UserRole + 2


KIND_ROLE = Qt.ItemDataRole.UserRole + 3


# What a settled row says it became ("Done", "Snoozed until Friday"), or None.
SETTLED_ROLE = Qt.ItemDataRole.UserRole + 4

# The roles data() answers, as plain ints: a cell's paint asks data() for a dozen
# roles, and comparing with an int is ten times quicker than looking up
# Qt.ItemDataRole.X each time (some 500 calls for Today's first paint).
_DISPLAY = int(Qt.ItemDataRole.DisplayRole)
_FONT = int(Qt.ItemDataRole.FontRole)
_FOREGROUND = int(Qt.ItemDataRole.ForegroundRole)
_ACCESSIBLE = int(Qt.ItemDataRole.AccessibleTextRole)
_TOOLTIP = int(Qt.ItemDataRole.ToolTipRole)
_DECORATION = int(Qt.ItemDataRole.DecorationRole)


# The longest reasons the rules give: the reason column is made this wide.
REASON_SAMPLES = (
    "flagged · 365 days late · two-monthly rhythm",
    "flagged · follow-up due Wednesday",
    "flagged · due Wed 18 Mar · half-yearly rhythm",
)


# More rows than anyone works through in a day: the first ones (the rules' most
# urgent) are listed, the rest follow as these are settled, or on "Show all".
SHOW_FIRST = FIRST_ROWS


# What Today's plan is read from: follow-ups come from touches, incidents'
# promises and agreements' commitments; a client's rhythm; the date itself.
TODAY_SHOWS = CLIENTS | REMINDERS | INCIDENTS | AGREEMENTS | BOOK | DAY | DATES


MUTED_STYLE = "color: palette(placeholder-text);"


# A row's identity across reloads: its kind, client and follow-up.
RowKey = tuple[str, int, int]


def row_key(item: DueItem) -> RowKey:
    return (str(item.kind), item.client_id, item.follow_up_id or 0)


def long_date(day: date) -> str:
    return format_named("weekday_long", day)


def next_up_text(item: DueItem, today: date) -> str:
    what = "keep in touch" if item.kind is DueKind.KEEP_IN_TOUCH else f"“{item.title}”"
    when = when_text(item.due_on, today)
    if (item.due_on - today).days > 6:
        when = f"on {when}"
    return f"Next up: {item.client_name}, {what}, {when}."


@dataclass(frozen=True)
class Row:
    item: DueItem
    what: str
    when: str
    late: bool
    tooltip: str
    why: str


class Rows(Sequence[Row]):
    """A section's rows, each worked out from its item the first time it is asked
    for and kept: a book with thousands due paints one screen of them, so only those
    get their strings made."""

    def __init__(self, items: list[DueItem], today: date) -> None:
        self.items = items
        self.today = today
        self._made: dict[int, Row] = {}

    def __len__(self) -> int:
        return len(self.items)

    @overload
    def __getitem__(self, index: int) -> Row: ...

    @overload
    def __getitem__(self, index: slice) -> list[Row]: ...

    def __getitem__(self, index: int | slice) -> Row | list[Row]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self.items)))]
        if index < 0:
            index += len(self.items)
        row = self._made.get(index)
        if row is None:
            row = self._made[index] = plan_row(self.items[index], self.today)
        return row


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    rows: Rows


def plan_row(item: DueItem, today: date) -> Row:
    when = when_text(item.due_on, today)
    what = what_text(item)
    if item.kind is DueKind.KEEP_IN_TOUCH:
        what = what.lower()
    tip = f"{item.client_name}: {what}, due {short_date(item.due_on, today)}"
    if item.priority:
        tip += ". Priority client: they come first for now."
    why = reason_text(item, today)
    return Row(item, what_text(item), when[:1].upper() + when[1:], item.due_on < today, tip, why)


def sections_for(head: TodayHead, today: date) -> list[Section]:
    """Overdue, due today and the next days, each in the rules' order (cut to the
    head's first rows), empty ones left out."""
    parts = ((OVERDUE, head.overdue), (DUE_TODAY, head.due_today), (UPCOMING, head.upcoming))
    return [Section(key, SECTION_TITLES[key], Rows(items, today)) for key, items in parts if items]


def priority_icon() -> QIcon:
    """A small filled flag for clients who come first; drawn once, not per paint.
    On the selected row it takes the selection's text colour (red on blue read
    poorly)."""
    selected = QGuiApplication.palette().color(
        QPalette.ColorGroup.Active, QPalette.ColorRole.HighlightedText
    )
    icon = QIcon()
    for size in (16, 24, 32):
        for colour, mode in (
            (QColor(tone("flag")), QIcon.Mode.Normal),
            (selected, QIcon.Mode.Selected),
        ):
            pm = QPixmap(size, size)
            pm.fill(Qt.GlobalColor.transparent)
            p = QPainter(pm)
            p.setRenderHint(QPainter.RenderHint.Antialiasing)
            p.setPen(Qt.PenStyle.NoPen)
            p.setBrush(colour)
            s = size / 16
            p.drawRect(QRect(round(3 * s), round(2 * s), max(1, round(1.6 * s)), round(12 * s)))
            p.drawRect(QRect(round(4.5 * s), round(2.5 * s), round(8 * s), round(5.5 * s)))
            p.end()
            icon.addPixmap(pm, mode)
    return icon


class TodayModel(QAbstractItemModel):
    """Sections are top-level rows (internal id 0); items are their children
    (internal id = section number + 1). Sections can be neither selected nor
    entered, so arrow keys move from item to item."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._sections: list[Section] = []
        self.today: date | None = None
        self.limit: int | None = SHOW_FIRST
        self.hidden_rows = 0
        # Rows the user settled since the last reload: what each became, latest last.
        self._settled: dict[RowKey, list[str]] = {}
        # Late and settled text in the scheme's colours (ui/theme.py), per scheme.
        self._brushes: dict[tuple[bool, str], QBrush] = {}
        self._bold = QFont()
        self._bold.setBold(True)
        self._struck = QFont()
        self._struck.setStrikeOut(True)
        self._flag = priority_icon()

    # -- content --------------------------------------------------------------

    def set_plan(self, plan: TodayPlan, today: date) -> None:
        self.set_head(head_of(plan, today, self.limit), today)

    def set_head(self, head: TodayHead, today: date) -> None:
        """Show the head's rows: all the list needs is each part's first rows and
        the counts (models.reads.today_head reads just those)."""
        self.beginResetModel()
        self.today = today
        self._settled.clear()
        self._sections = sections_for(head, today)
        self.hidden_rows = head.hidden
        self.endResetModel()

    # -- settled rows: struck through, kept in place until the user moves on ----------

    def settle(self, key: RowKey, label: str) -> None:
        self._settled.setdefault(key, []).append(label)
        self._row_changed(key)

    def unsettle(self, key: RowKey) -> None:
        labels = self._settled.get(key)
        if labels:
            labels.pop()
            if not labels:
                del self._settled[key]
            self._row_changed(key)

    def settled_label(self, key: RowKey) -> str | None:
        labels = self._settled.get(key)
        return labels[-1] if labels else None

    def has_settled(self) -> bool:
        return bool(self._settled)

    def _row_changed(self, key: RowKey) -> None:
        first = self.index_of(key, 0)
        if first.isValid():
            last = self.createIndex(first.row(), len(HEADERS) - 1, first.internalId())
            self.dataChanged.emit(first, last)

    @property
    def sections(self) -> list[Section]:
        return list(self._sections)

    def items(self) -> list[DueItem]:
        return [item for s in self._sections for item in s.rows.items]

    def index_of(self, key: RowKey, column: int = 0) -> QModelIndex:
        for si, section in enumerate(self._sections):
            for ri, item in enumerate(section.rows.items):
                if row_key(item) == key:
                    return self.createIndex(ri, column, si + 1)
        return QModelIndex()

    def item_indexes(self) -> list[QModelIndex]:
        """Every item row, top to bottom, as the eye reads them."""
        return [
            self.createIndex(ri, 0, si + 1)
            for si, section in enumerate(self._sections)
            for ri in range(len(section.rows))
        ]

    def row_at(self, index: AnyIndex) -> Row | None:
        if not index.isValid() or index.internalId() == 0:
            return None
        si = index.internalId() - 1
        if not 0 <= si < len(self._sections):
            return None
        rows = self._sections[si].rows
        return rows[index.row()] if 0 <= index.row() < len(rows) else None

    def item_at(self, index: AnyIndex) -> DueItem | None:
        if not index.isValid() or index.internalId() == 0:
            return None
        si = index.internalId() - 1
        if not 0 <= si < len(self._sections):
            return None
        items = self._sections[si].rows.items
        return items[index.row()] if 0 <= index.row() < len(items) else None

    # -- the model interface ---------------------------------------------------

    def index(self, row: int, column: int, parent: AnyIndex | None = None) -> QModelIndex:
        # Checked here rather than through hasIndex(), which calls back into
        # rowCount() and columnCount(): the tree asks once per row when it lays out.
        if not 0 <= column < len(HEADERS) or row < 0:
            return QModelIndex()
        if parent is None or not parent.isValid():
            return self.createIndex(row, column, 0) if row < len(self._sections) else QModelIndex()
        section = parent.row()
        if (
            parent.internalId() == 0
            and parent.column() == 0
            and section < len(self._sections)
            and row < len(self._sections[section].rows)
        ):
            return self.createIndex(row, column, section + 1)
        return QModelIndex()

    def parent(self, child: AnyIndex | None = None) -> QModelIndex:  # type: ignore[override]
        if child is None or not child.isValid() or child.internalId() == 0:
            return QModelIndex()
        return self.createIndex(child.internalId() - 1, 0, 0)

    def rowCount(self, parent: AnyIndex | None = None) -> int:  # noqa: N802 - Qt API
        parent = parent if parent is not None else QModelIndex()
        if not parent.isValid():
            return len(self._sections)
        if parent.internalId() == 0 and parent.column() == 0 and parent.row() < len(self._sections):
            return len(self._sections[parent.row()].rows)
        return 0

    def columnCount(self, parent: AnyIndex | None = None) -> int:  # noqa: N802 - Qt API
        return len(HEADERS)

    def _brush(self, name: str) -> QBrush:
        """``late`` or ``muted`` for the scheme in force, readable on the list's
        background in both (it follows a switch of scheme without a reload)."""
        key = (is_dark(), name)
        brush = self._brushes.get(key)
        if brush is None:
            brush = self._brushes[key] = QBrush(QColor(tone(name)))
        return brush

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        if index.internalId() == 0:
            return self._section_data(index, role)
        row = self.row_at(index)
        if row is None:
            return None
        column = index.column()
        settled = self.settled_label(row_key(row.item)) if self._settled else None
        if role == _DISPLAY:
            if column == COL_CLIENT:
                return row.item.client_name
            if column == COL_WHAT:
                return row.what
            if column == COL_WHEN:
                return settled if settled is not None else row.why
            return None
        if settled is not None:
            if role == _FONT and column in (COL_CLIENT, COL_WHAT):
                return self._struck
            if role == _FOREGROUND:
                return self._brush("muted")
            if role == SETTLED_ROLE:
                return settled
            if role == _ACCESSIBLE and column == COL_CLIENT:
                return f"{row.item.client_name}, {row.what}: {settled}"
        if role == _TOOLTIP:
            return row.tooltip
        if role == _FOREGROUND and column == COL_WHEN and row.late:
            return self._brush("late")
        if role == _DECORATION and column == COL_CLIENT and row.item.priority:
            return self._flag
        if role == _ACCESSIBLE and column == COL_CLIENT:
            prefix = "Priority. " if row.item.priority else ""
            return f"{prefix}{row.item.client_name}, {row.what}, {row.why}"
        if role == ITEM_ROLE:
            return row.item
        if role == KIND_ROLE:
            return str(row.item.kind)
        if role == SECTION_ROLE:
            return self._sections[index.internalId() - 1].key
        return None

    def _section_data(self, index: AnyIndex, role: int) -> Any:
        if not 0 <= index.row() < len(self._sections):
            return None
        section = self._sections[index.row()]
        if role == _DISPLAY and index.column() == 0:
            return f"{section.title}  ·  {len(section.rows)}"
        if role == _ACCESSIBLE and index.column() == 0:
            return f"{section.title}, {len(section.rows)}"
        if role == _FONT:
            return self._bold
        if role == SECTION_ROLE:
            return section.key
        return None

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        if not index.isValid() or index.internalId() == 0:
            return Qt.ItemFlag.NoItemFlags
        return ROW_FLAGS

    def headerData(  # noqa: N802 - Qt API
        self,
        section: int,
        orientation: Qt.Orientation,
        role: int = Qt.ItemDataRole.DisplayRole,
    ) -> Any:
        return header_text(HEADERS, section, orientation, role)
