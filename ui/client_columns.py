"""Which columns the client list shows, how wide, and how the user changes that.

By default the list shows a name over its organisation (one two-line cell, see
ui/client_cells.py), the email and a health badge: seven columns on a laptop cut
almost every cell ("Lindqvist Des…", "● 1…"), and even three text columns cut
organisations at 1024 pixels. Organisation (as a column of its own), phone, tags
and status can be turned on from the header's context menu. What is
kept between runs is which columns are shown, the sort, and the columns' shares of
the width, never their pixels (see ui/column_fitter.py).
"""

from __future__ import annotations

import json
from typing import Any

from PySide6.QtCore import QPoint, QSettings, Qt
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import QMenu, QStyle, QTableView

from ui.client_table import (
    COL_HEALTH,
    COL_NAME,
    COL_ORG,
    COL_PHONE,
    COL_STATUS,
    COL_TAGS,
    COLUMN_WEIGHTS,
    HEADERS,
)
from ui.column_fitter import ColumnFitter

KEY_COLUMNS = "main_window/columns"
HIDDEN_BY_DEFAULT = (COL_ORG, COL_PHONE, COL_TAGS, COL_STATUS)
# A name (and the organisation beneath it) of this many characters is shown whole
# whenever the table has room.
NAME_CHARS = 30


def _decoration(table: QTableView) -> int:
    """Room for a cell's icon (the priority flag, the health dot) and its margins."""
    style = table.style()
    icon = style.pixelMetric(QStyle.PixelMetric.PM_SmallIconSize, None, table)
    margin = style.pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, table) + 1
    return icon + 4 * margin + 8


def make_fitter(table: QTableView) -> ColumnFitter:
    """The fitter for the client list: health a fixed badge, names at least 30
    characters wide, both measured in the table's font."""
    extra = _decoration(table)

    def health(fm: QFontMetrics) -> int:
        indicator = table.style().pixelMetric(QStyle.PixelMetric.PM_HeaderMarkSize, None, table)
        header = fm.horizontalAdvance(HEADERS[COL_HEALTH]) + indicator + 24
        return max(header, fm.horizontalAdvance("100") + extra + 8)

    def name(fm: QFontMetrics) -> int:
        # Names run wider than the font's average character (capitals, "m", "w"):
        # 30 of a middling lower-case letter, or the average, whichever is wider.
        chars = max(fm.averageCharWidth() * NAME_CHARS, fm.horizontalAdvance("n" * NAME_CHARS))
        return chars + extra

    return ColumnFitter(table, COLUMN_WEIGHTS, fixed={COL_HEALTH: health}, least={COL_NAME: name})


def hide_defaults(table: QTableView) -> None:
    header = table.horizontalHeader()
    for c in range(len(HEADERS)):
        header.setSectionHidden(c, c in HIDDEN_BY_DEFAULT)


def show_column_menu(table: QTableView, fitter: ColumnFitter, at: QPoint) -> QMenu:
    """The header's context menu: a tick for each column (the name always shows)."""
    header = table.horizontalHeader()
    menu = QMenu(header)
    menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    for c, title in enumerate(HEADERS):
        action = menu.addAction(title)
        action.setCheckable(True)
        action.setChecked(not header.isSectionHidden(c))
        action.setEnabled(c != COL_NAME)
        action.toggled.connect(lambda on, col=c: _set_shown(table, fitter, col, on))
    menu.popup(header.mapToGlobal(at))
    return menu


def _set_shown(table: QTableView, fitter: ColumnFitter, column: int, on: bool) -> None:
    table.horizontalHeader().setSectionHidden(column, not on)
    fitter.fit()
    # The name cell shows the organisation beneath it only while its column is off.
    table.viewport().update()


def save_columns(settings: QSettings, table: QTableView, fitter: ColumnFitter) -> None:
    header = table.horizontalHeader()
    state = {
        "hidden": [c for c in range(len(HEADERS)) if header.isSectionHidden(c)],
        "shares": {str(c): share for c, share in fitter.proportions().items()},
        "sort": [header.sortIndicatorSection(), header.sortIndicatorOrder().value],
    }
    settings.setValue(KEY_COLUMNS, json.dumps(state))


def restore_columns(settings: QSettings, table: QTableView, fitter: ColumnFitter) -> None:
    """What was saved, where it still makes sense; anything odd is ignored."""
    try:
        state: Any = json.loads(str(settings.value(KEY_COLUMNS, "") or "{}"))
    except ValueError:
        state = {}
    if not isinstance(state, dict):
        return
    hidden = state.get("hidden")
    if isinstance(hidden, list):
        header = table.horizontalHeader()
        for c in range(len(HEADERS)):
            header.setSectionHidden(c, c in hidden and c != COL_NAME)
    shares = state.get("shares")
    if isinstance(shares, dict):
        for key, share in shares.items():
            usable = isinstance(share, int | float) and share > 0
            if usable and key.isdigit() and int(key) in fitter.weights:
                fitter.weights[int(key)] = float(share)
    sort = state.get("sort")
    if isinstance(sort, list) and len(sort) == 2 and all(isinstance(x, int) for x in sort):
        column, order = sort
        if 0 <= column < len(HEADERS) and order in (0, 1):
            table.sortByColumn(column, Qt.SortOrder(order))
    fitter.fit()

