"""The client table model and its sort proxy, over rows from a real book."""

from __future__ import annotations

from PySide6.QtCore import Qt

from models.entities import ClientStatus
from models.services.client_search import list_clients
from models.services.clients import ClientInput, Contact, create_client
from ui.client_table import (
    ARCHIVED_ROLE,
    COL_EMAIL,
    COL_NAME,
    COL_ORG,
    COL_STATUS,
    COL_TAGS,
    HEADERS,
    ID_ROLE,
    SORT_ROLE,
    ClientSortProxy,
    ClientTableModel,
)


def _fill(book) -> None:
    create_client(
        book,
        ClientInput(
            name="zoë Adams",
            organisation="Beta",
            emails=[Contact("zoe@beta.example", "Work")],
            tags=["vip", "design"],
        ),
    )
    create_client(book, ClientInput(name="Anna Berg", organisation="alpha", status="paused"))
    create_client(book, ClientInput(name="Émile Cole", organisation="Gamma", status="former"))


def test_model_passes_qt_model_tester(qtmodeltester, book) -> None:
    _fill(book)
    model = ClientTableModel()
    model.set_rows(list_clients(book))
    assert model.rowCount() == 3
    qtmodeltester.check(model)
    proxy = ClientSortProxy()
    proxy.setSourceModel(model)
    proxy.sort(COL_NAME)
    qtmodeltester.check(proxy)


def test_cells_headers_and_roles(qapp, book) -> None:
    _fill(book)
    model = ClientTableModel()
    model.set_rows(list_clients(book))
    headers = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(len(HEADERS))]
    assert headers == list(HEADERS)
    zoe_id = next(r.id for r in model.rows if r.name.startswith("zo"))
    row = model.row_of(zoe_id)
    zoe = model.index(row, COL_NAME)
    assert zoe.data() == "zoë Adams"
    assert model.index(row, COL_EMAIL).data() == "zoe@beta.example"
    assert model.index(row, COL_TAGS).data() == "design, vip"
    assert model.index(row, COL_STATUS).data() == "Active"
    assert zoe.data(ID_ROLE) == zoe_id
    assert zoe.data(ARCHIVED_ROLE) is False
    statuses = {model.index(r, COL_STATUS).data() for r in range(3)}
    assert statuses == {"Active", "Paused", "Former"}
    assert model.row_of(999_999) == -1


def test_proxy_sorts_case_insensitively(qapp, book) -> None:
    _fill(book)
    model = ClientTableModel()
    model.set_rows(list_clients(book))
    proxy = ClientSortProxy()
    proxy.setSourceModel(model)
    assert proxy.sortRole() == SORT_ROLE

    def column(c: int) -> list[str]:
        return [proxy.index(r, c).data() for r in range(proxy.rowCount())]

    proxy.sort(COL_ORG, Qt.SortOrder.AscendingOrder)
    assert column(COL_ORG) == ["alpha", "Beta", "Gamma"]
    proxy.sort(COL_NAME, Qt.SortOrder.DescendingOrder)
    assert column(COL_NAME) == ["zoë Adams", "Émile Cole", "Anna Berg"]


def test_archived_rows_are_marked(qapp, book) -> None:
    from models.services.clients import archive_client

    cid = create_client(book, ClientInput(name="Gone Away", status=ClientStatus.PAUSED))
    archive_client(book, cid)
    model = ClientTableModel()
    model.set_rows(list_clients(book, include_archived=True))
    index = model.index(0, COL_STATUS)
    assert index.data() == "Archived"
    assert index.data(ARCHIVED_ROLE) is True
    assert model.index(0, COL_NAME).data(Qt.ItemDataRole.ForegroundRole) is not None
