"""The health score in the client list and on the client page, and the page's
list of incidents, on a real book driven through the real window."""

from __future__ import annotations

from datetime import timedelta

import pytest
from PySide6.QtCore import Qt

from models.entities import IncidentCategory, Severity
from models.health import Band
from models.services.client_search import list_clients
from models.services.health import all_health, priority_clients
from models.services.incidents import IncidentInput, open_incident
from tests.helpers import (
    LEFT,
    NOW,
    TODAY,
    add_client,
    fixed_clock,
    open_window,
    round_the_clock,
    shown,
)
from ui.app import CHANGED_CLIENTS
from ui.client_table import (
    COL_HEALTH,
    COL_NAME,
    HEADERS,
    ID_ROLE,
    SORT_ROLE,
    ClientSortProxy,
    ClientTableModel,
)
from ui.icons import dot_icon
from ui.incident_words import trend_text
from ui.theme import tone


@pytest.fixture
def app_clock():
    return fixed_clock


@pytest.fixture
def people(rapport) -> dict[str, int]:
    ids = {
        "ada": add_client(rapport, "Ada Lovelace", None, 60),
        # Quarterly, and the check-in is 41 days overdue: 20 points off.
        "cleo": add_client(rapport, "Cleo Park", 91, 91 + 41),
        "dora": add_client(rapport, "Dora Wu", None, 60),
    }
    # A critical incident whose 24-hour promise ran out six hours ago: 100 - 35 - 15.
    round_the_clock(rapport.book)  # a promise due at 03:30, broken by 6 hours at 09:30
    open_incident(
        rapport.book,
        ids["dora"],
        IncidentInput("Data leak", IncidentCategory.CLAIM_THREATENED, Severity.CRITICAL),
        now=NOW - timedelta(hours=30),
    )
    rapport.changed.emit(CHANGED_CLIENTS, None)
    return ids


@pytest.fixture
def window(qtbot, rapport, people):
    w = open_window(qtbot, rapport)
    yield w
    for iw in list(w.incident_windows.values()):
        iw.close()
    w.close()


def health_cell(window, client_id: int) -> str:
    return window.model.index(window.model.row_of(client_id), COL_HEALTH).data()


def test_reporting_a_high_incident_lowers_the_score_in_list_and_page(
    qtbot, window, rapport, people
) -> None:
    window.open_client(people["ada"])
    assert health_cell(window, people["ada"]) == "100"
    page = window.detail.browser.toPlainText()
    assert "100" in page and "Nothing is pulling the score down." in page

    qtbot.mouseClick(window.detail.incident_button, LEFT)
    dialog = shown(qtbot, window.incident_dialog)
    qtbot.keyClicks(dialog.title_edit, "Launch date missed")
    dialog.severity_combo.setCurrentIndex(dialog.severity_combo.findText("High"))
    qtbot.mouseClick(dialog.save_button, LEFT)
    qtbot.waitUntil(lambda: not dialog.isVisible())

    assert health_cell(window, people["ada"]) == "80"
    assert window.selected_client_id() == people["ada"]
    page = window.detail.browser.toPlainText()
    assert "80" in page
    assert "−20: high incident open: “Launch date missed”" in page
    assert "▼ 20 since last month" in page
    # Under priority now: a flag beside the name.
    name = window.model.index(window.model.row_of(people["ada"]), COL_NAME)
    assert name.data(Qt.ItemDataRole.DecorationRole) is not None
    assert "Priority client" in name.data(Qt.ItemDataRole.ToolTipRole)


def test_factors_and_trend_in_plain_words(qtbot, window, people) -> None:
    window.open_client(people["cleo"])
    page = window.detail.browser.toPlainText()
    assert "−20: quarterly check-in 41 days late" in page
    # A month ago the check-in was 11 days late: 5 points off, so 95 then.
    assert "▼ 15 since last month" in page
    assert health_cell(window, people["cleo"]) == "80"
    assert trend_text(5) == "▲ 5 since last month"
    assert trend_text(0) == "No change since last month"


def test_health_sorts_by_number_with_band_dots(qtbot, window, people) -> None:
    assert health_cell(window, people["dora"]) == "50"
    window.table.sortByColumn(COL_HEALTH, Qt.SortOrder.AscendingOrder)
    order = [
        window.proxy.index(r, COL_HEALTH).data(ID_ROLE) for r in range(window.proxy.rowCount())
    ]
    # By number, not by text ("100" < "50" < "80" as strings).
    assert order == [people["dora"], people["cleo"], people["ada"]]
    dora = window.model.index(window.model.row_of(people["dora"]), COL_HEALTH)
    assert dora.data(SORT_ROLE) == 50
    assert dora.data(Qt.ItemDataRole.DecorationRole).cacheKey() == (
        dot_icon(tone(f"band_{Band.AMBER.value}")).cacheKey()
    )
    tip = dora.data(Qt.ItemDataRole.ToolTipRole)
    assert "−35: critical incident open: “Data leak”" in tip
    assert "−15: promised answer on “Data leak” 6 hours late" in tip


def test_page_lists_incidents_open_first_and_opens_them(qtbot, window, rapport, people) -> None:
    from models.entities import IncidentStatus
    from models.services.incidents import set_status

    old = open_incident(
        rapport.book,
        people["dora"],
        IncidentInput("Old invoice query", IncidentCategory.LATE_PAYMENT, Severity.LOW),
        now=NOW - timedelta(days=20),
        promise_hours=None,
    )
    set_status(rapport.book, old, IncidentStatus.LOST, now=NOW - timedelta(days=19))
    newer = open_incident(
        rapport.book,
        people["dora"],
        IncidentInput("Wrong figures", IncidentCategory.DELIVERABLE_QUALITY, Severity.LOW),
        now=NOW - timedelta(days=2),
        promise_hours=None,
    )
    set_status(rapport.book, newer, IncidentStatus.ACKNOWLEDGED, now=NOW)
    rapport.changed.emit("incidents", None)
    window.open_client(people["dora"])
    page = window.detail.browser.toPlainText()
    section = page[page.index("INCIDENTS") :]
    assert section.index("Data leak") < section.index("Wrong figures")
    assert section.index("Wrong figures") < section.index("Old invoice query")
    assert "Broken: 6 hours late" in section

    # The first link on the page is the first incident; Tab reaches it, Return opens it.
    browser = window.detail.browser
    browser.setFocus()
    qtbot.keyClick(browser, Qt.Key.Key_Tab)
    assert browser.textCursor().selectedText() == "Data leak"
    qtbot.keyClick(browser, Qt.Key.Key_Return)
    [iw] = window.incident_windows.values()
    assert iw.title_label.text() == "Data leak"


def test_client_table_with_health_passes_the_qt_model_tester(
    qtmodeltester, rapport, people
) -> None:
    model = ClientTableModel()
    book = rapport.book
    model.set_rows(
        list_clients(book),
        all_health(book, TODAY, now=NOW),
        priority_clients(book, TODAY),
    )
    assert model.columnCount() == len(HEADERS) and HEADERS[COL_HEALTH] == "Health"
    qtmodeltester.check(model)
    proxy = ClientSortProxy()
    proxy.setSourceModel(model)
    proxy.sort(COL_HEALTH)
    qtmodeltester.check(proxy)
    # New scores arrive in place, without a reset.
    model.set_health({}, {})
    assert model.index(0, COL_HEALTH).data() == ""
    qtmodeltester.check(model)


def names_in_view(window) -> list[str]:
    return [window.proxy.index(r, COL_NAME).data(ID_ROLE) for r in range(window.proxy.rowCount())]


def test_clients_under_priority_sort_first_by_name(qtbot, window, rapport, people) -> None:
    # Dora's critical incident puts her under priority: first, ahead of Ada and Cleo.
    window.table.sortByColumn(COL_NAME, Qt.SortOrder.AscendingOrder)
    assert names_in_view(window) == [people["dora"], people["ada"], people["cleo"]]
    open_incident(
        rapport.book,
        people["cleo"],
        IncidentInput("Wrong invoice", IncidentCategory.MONEY_SURPRISE, Severity.HIGH),
        now=NOW,
    )
    rapport.changed.emit(CHANGED_CLIENTS, None)
    qtbot.waitUntil(lambda: names_in_view(window)[0] == people["cleo"])
    assert names_in_view(window) == [people["cleo"], people["dora"], people["ada"]]
