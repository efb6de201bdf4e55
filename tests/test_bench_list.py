"""The client list reads a big book a page at a time (what bench/run.py's list, search
and scroll figures rely on), and reads exactly what the eager services return."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from PySide6.QtCore import QModelIndex, Qt

from bench.make_book import build
from models.db import Book
from models.services.client_list import ClientList
from models.services.client_search import list_clients
from models.services.health import all_health, priority_clients
from models.text import fold
from ui.client_table import (
    COL_HEALTH,
    COL_NAME,
    COL_ORG,
    PAGE,
    ClientSortProxy,
    ClientTableModel,
    HealthScores,
)

TODAY = date(2026, 11, 22)  # build()'s default day


@pytest.fixture(scope="module")
def big(tmp_path_factory: pytest.TempPathFactory) -> Book:
    book = build(Path(tmp_path_factory.mktemp("bench")) / "list.db", 700, touches_per_client=2)
    yield book
    book.close()


def _names(rows: list) -> list[str]:
    return [r.name for r in rows]


@pytest.mark.parametrize("query", ["", "e", "ma rossi", "+44 20", "nobody-at-all"])
def test_pages_hold_what_list_clients_holds_in_list_order(big: Book, query: str) -> None:
    eager = {r.id: r for r in list_clients(big, query)}
    paged = ClientList(big, query, today=TODAY)
    assert len(paged) == len(eager)
    read = [paged[i] for i in range(len(paged))]
    assert {r.id: replace(r, priority_until=None) for r in read} == eager
    # Upset clients first, then by name with case and accents folded.
    flags = [r.priority_until is None for r in read]
    assert flags == sorted(flags)
    under = priority_clients(big, TODAY)
    assert {r.id: r.priority_until for r in read if r.priority_until} == {
        i: d for i, d in under.items() if i in eager
    }
    for group in (False, True):
        names = [fold(r.name) for r in read if (r.priority_until is None) == group]
        assert names == sorted(names)
    backwards = paged.reversed_list().rows()
    assert [r.id for r in backwards] == [r.id for r in read][::-1]
    for k in {0, len(read) // 2, len(read) - 1} if read else set():
        assert paged.position(read[k].id) == k
    assert paged.position(10**9) == -1


def test_model_reads_a_page_then_more_as_the_view_asks(qapp: object, big: Book) -> None:
    scored: list[int] = []

    def score(ids):  # noqa: ANN001, ANN202 - the service call, counted
        scored.append(len(ids) if ids is not None else -1)
        return all_health(big, TODAY, client_ids=ids)

    model = ClientTableModel()
    proxy = ClientSortProxy()
    proxy.setSourceModel(model)
    proxy.sort(COL_NAME)
    everyone = ClientList(big, today=TODAY)
    model.set_rows(everyone, HealthScores(score))
    # Every row is there at once; only the first page has been read (and scored).
    assert model.rowCount() == len(everyone) and everyone.rows_read == PAGE
    assert scored == [PAGE]  # health only for the rows read
    assert not proxy.canFetchMore(QModelIndex())
    # A client far down the list is found without reading up to it (select, open
    # client), and its row is read with its page when shown.
    last = ClientList(big, today=TODAY).rows()[-1]
    row = model.row_of(last.id)
    assert row == len(everyone) - 1 == model.rowCount() - 1
    assert everyone.rows_read == PAGE
    assert model.index(row, COL_NAME).data() == last.name
    assert everyone.rows_read <= 3 * PAGE and len(scored) == 2

    # Sorting by another column reads every match once and sorts it here; the rows
    # shown stay as many as before, and sorting by name reads from the book again.
    model.set_rows(ClientList(big, today=TODAY), HealthScores(score))
    proxy.sort(COL_ORG, Qt.SortOrder.DescendingOrder)
    orgs = [proxy.index(r, COL_ORG).data() for r in range(proxy.rowCount())]
    assert proxy.rowCount() == len(everyone) and [fold(o) for o in orgs] == sorted(
        (fold(o) for o in orgs), reverse=True
    )
    proxy.sort(COL_HEALTH)
    assert scored[-1] == -1  # everyone scored once, for the sort
    scores = [proxy.index(r, COL_HEALTH).data() for r in range(proxy.rowCount())]
    assert [int(s) for s in scores] == sorted(int(s) for s in scores)
    proxy.sort(COL_NAME, Qt.SortOrder.DescendingOrder)
    first = proxy.index(0, COL_NAME).data()
    assert first == ClientList(big, today=TODAY).reversed_list()[0].name


@pytest.fixture
def app_clock():  # noqa: ANN201 - the window's clock, fixed (see conftest.py)
    from tests.helpers import fixed_clock

    return fixed_clock


def test_a_serious_incident_moves_its_client_up_in_place(qtbot, rapport) -> None:  # noqa: ANN001
    """Scores and flags change in place (no new search), and the by-name order with
    upset clients first follows, as it did when the proxy sorted dynamically."""
    from models.entities import IncidentCategory, Severity
    from models.services.incidents import IncidentInput, open_incident
    from tests.helpers import NOW, add_client, open_window
    from ui.app import CHANGED_CLIENTS, CHANGED_INCIDENTS
    from ui.client_table import ID_ROLE

    ids = {name: add_client(rapport, name, None, 30) for name in ("Ada", "Ben", "Cleo")}
    rapport.changed.emit(CHANGED_CLIENTS, None)
    window = open_window(qtbot, rapport)
    window.table.sortByColumn(COL_NAME, Qt.SortOrder.AscendingOrder)
    window.select_client(ids["Ben"])

    def order() -> list[int]:
        proxy = window.proxy
        return [proxy.index(r, COL_NAME).data(ID_ROLE) for r in range(proxy.rowCount())]

    assert order() == [ids["Ada"], ids["Ben"], ids["Cleo"]]
    open_incident(
        rapport.book,
        ids["Cleo"],
        IncidentInput("Data leak", IncidentCategory.CLAIM_THREATENED, Severity.CRITICAL),
        now=NOW,
    )
    rapport.changed.emit(CHANGED_INCIDENTS, None)
    assert order() == [ids["Cleo"], ids["Ada"], ids["Ben"]]
    assert window.selected_client_id() == ids["Ben"]
    cleo = window.model.index(window.model.row_of(ids["Cleo"]), COL_NAME)
    assert cleo.data(Qt.ItemDataRole.DecorationRole) is not None
    window.close()
