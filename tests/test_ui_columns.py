"""The client list's columns: fewer by default, back from the header's menu, and
kept between runs as shares of the width, never as pixels from another scale."""

from __future__ import annotations

from PySide6.QtCore import QByteArray, QPoint, Qt
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import QHeaderView, QStyleOptionViewItem, QTableView

from tests.helpers import add_client, open_window
from ui.client_columns import KEY_COLUMNS, show_column_menu
from ui.client_table import (
    COL_EMAIL,
    COL_HEALTH,
    COL_NAME,
    COL_ORG,
    COL_PHONE,
    COL_STATUS,
    COL_TAGS,
)
from ui.main.common import KEY_HEADER


def test_phone_tags_status_start_hidden_and_come_back_from_the_header(qtbot, rapport) -> None:  # noqa: ANN001
    add_client(rapport, "Ada Byrne", 30, 3)
    window = open_window(qtbot, rapport, size=(1100, 700))
    window.show_clients()
    header = window.table.horizontalHeader()
    assert [header.isSectionHidden(c) for c in (COL_PHONE, COL_TAGS, COL_STATUS)] == [True] * 3
    assert not header.isSectionHidden(COL_EMAIL)
    menu = show_column_menu(window.table, window.column_fitter, QPoint(5, 5))
    actions = {a.text(): a for a in menu.actions()}
    assert not actions["Name"].isEnabled()  # the name always shows
    assert not actions["Phone"].isChecked()
    actions["Phone"].setChecked(True)
    assert not header.isSectionHidden(COL_PHONE)
    assert header.sectionSize(COL_PHONE) > 0
    menu.close()
    # Every column on screen, none past the table's right edge.
    shown = [c for c in range(header.count()) if not header.isSectionHidden(c)]
    assert sum(header.sectionSize(c) for c in shown) <= window.table.viewport().width()
    window.save_settings()
    assert "3" not in str(rapport.settings.value(KEY_COLUMNS)).split('"hidden": [')[1].split("]")[0]


def test_health_is_a_fixed_badge_and_old_pixel_widths_do_not_stick(qtbot, rapport) -> None:  # noqa: ANN001
    add_client(rapport, "Ada Byrne", 30, 3)
    # A header saved in pixels at another scale: Health 290 px wide.
    first = open_window(qtbot, rapport, size=(1100, 700))
    first.show_clients()
    stale = first.table.horizontalHeader()
    stale.resizeSection(COL_HEALTH, 290)
    rapport.settings.setValue(KEY_HEADER, stale.saveState())
    first.close()
    window = open_window(qtbot, rapport, size=(1100, 700))
    window.show_clients()
    header = window.table.horizontalHeader()
    assert header.sectionResizeMode(COL_HEALTH) == QHeaderView.ResizeMode.Fixed
    assert 30 < header.sectionSize(COL_HEALTH) < 120
    assert isinstance(rapport.settings.value(KEY_HEADER), QByteArray)  # there, and unread
    # The user's drag survives a restart as a share, not as pixels.
    header.resizeSection(COL_NAME, 400)
    shared = (COL_NAME, COL_ORG, COL_EMAIL)
    share = 400 / sum(header.sectionSize(c) for c in shared)
    window.save_settings()
    window.close()
    again = open_window(qtbot, rapport, size=(1100, 700))
    again.show_clients()
    h2 = again.table.horizontalHeader()
    assert abs(h2.sectionSize(COL_NAME) / sum(h2.sectionSize(c) for c in shared) - share) < 0.02
    again.resize(800, 600)
    qtbot.waitUntil(lambda: h2.sectionSize(COL_NAME) < 380)


def test_the_organisation_sits_beneath_the_name_until_its_column_is_turned_on(
    qtbot,  # noqa: ANN001
    rapport,  # noqa: ANN001
) -> None:
    from models.services.clients import ClientInput, create_client

    create_client(
        rapport.book,
        ClientInput(name="Jonas Becker", organisation="Becker Haustechnik GmbH"),
    )
    window = open_window(qtbot, rapport, size=(1024, 640))
    window.show_clients()
    table = window.table
    header = table.horizontalHeader()
    index = table.model().index(0, COL_NAME)
    cells = table.itemDelegateForColumn(COL_NAME)
    assert header.isSectionHidden(COL_ORG)
    assert cells.organisation(index) == "Becker Haustechnik GmbH"
    assert index.data(Qt.ItemDataRole.ToolTipRole) == "Jonas Becker\nBecker Haustechnik GmbH"
    # Two lines a row, both whole in the table's font.
    fm = QFontMetrics(table.font())
    assert table.rowHeight(0) >= 2 * fm.height()
    option = QStyleOptionViewItem()
    QTableView.initViewItemOption(table, option)
    option.rect = table.visualRect(index)
    room = cells.text_area(option, index).width()
    assert fm.horizontalAdvance("Becker Haustechnik GmbH") <= room
    # Turned on from the header's menu, the organisation has its own column and the
    # name cell shows the name alone (never the same text twice).
    menu = show_column_menu(table, window.column_fitter, QPoint(5, 5))
    actions = {a.text(): a for a in menu.actions()}
    assert not actions["Organisation"].isChecked()
    actions["Organisation"].setChecked(True)
    menu.close()
    assert not header.isSectionHidden(COL_ORG)
    assert cells.organisation(index) == ""
    assert table.model().index(0, COL_ORG).data() == "Becker Haustechnik GmbH"
    # The email column keeps both ends of an address it has to shorten.
    email_cells = table.itemDelegateForColumn(COL_EMAIL)
    email_option = QStyleOptionViewItem()
    email_cells.initStyleOption(email_option, table.model().index(0, COL_EMAIL))
    assert email_option.textElideMode == Qt.TextElideMode.ElideMiddle
