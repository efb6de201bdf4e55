"""The client list reads any row where it is asked for: a page from the nearest rows
already read or from either end, the same rows in the same order as reading every
row front to back; and the table model over it has every row from the start."""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import replace
from datetime import date, datetime, timedelta

import pytest
from PySide6.QtCore import QModelIndex, Qt

from models.db import Book, open_book
from models.enums import ClientStatus, IncidentCategory, Severity
from models.services import client_list as clients_service
from models.services.client_list import ClientList
from models.services.client_search import list_clients
from models.services.clients import ClientInput, Contact, archive_client, create_client
from models.services.health import all_health, priority_clients
from models.services.incidents import IncidentInput, open_incident
from models.text import fold
from ui.client_table import (
    COL_EMAIL,
    COL_HEALTH,
    COL_NAME,
    COL_ORG,
    COL_TAGS,
    ID_ROLE,
    PAGE,
    ClientSortProxy,
    ClientTableModel,
    HealthScores,
)

NOW = datetime(2026, 3, 10, 9, 30).astimezone()
TODAY = NOW.date()
FIRSTS = ["Anna", "anna", "Ánna", "Émile", "emile", "Zoë", "zoe", "Björn", "Øystein", "Łukasz"]
LASTS = ["Berg", "Novák", "Rossi", "Rossini", "Okafor", "Eklund", "Søren", "Adams"]
QUERIES = ["", "an", "émile", "ross", "rossi", "zo berg", "+44", "nobody at all"]


@pytest.fixture(scope="module")
def book(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Book]:
    """About 300 clients made through the services: names that differ only in case or
    accents, equal names, several archived, a few under priority after an incident."""
    book = open_book(tmp_path_factory.mktemp("paging") / "rapport.db")
    rng = random.Random(8)
    ids: list[int] = []
    for i in range(300):
        name = f"{rng.choice(FIRSTS)} {rng.choice(LASTS)}"
        if i % 7 == 0:
            name = "Anna Rossi"  # many equal names: their order is by id
        ids.append(
            create_client(
                book,
                ClientInput(
                    name=name,
                    organisation=rng.choice(["Brightwater", "nordic paper", "Élan", ""]),
                    emails=[Contact(f"c{i}@example.org", "Work")] if i % 3 else [],
                    phones=[Contact(f"+44 20 7946 {i:04d}", "")] if i % 4 == 0 else [],
                    tags=rng.sample(["vip", "design", "Finance", "retainer"], k=i % 3),
                    status=rng.choice(list(ClientStatus)),
                ),
                now=NOW - timedelta(days=i),
            )
        )
    for cid in ids[5:40:6]:
        archive_client(book, cid, now=NOW)
    for cid in ids[3:300:37]:
        serious = IncidentInput("Data leak", IncidentCategory.CLAIM_THREATENED, Severity.CRITICAL)
        open_incident(book, cid, serious, now=NOW)
    yield book
    book.close()


def everything(book: Book, query: str = "", **kw: object) -> list:
    """The whole list read front to back in one go, as the reference."""
    return ClientList(book, query, today=TODAY, page_size=100_000, **kw).rows()


@pytest.mark.parametrize("query", QUERIES)
@pytest.mark.parametrize("include_archived", [False, True])
def test_random_access_reads_what_a_front_to_back_read_reads(
    book: Book, query: str, include_archived: bool
) -> None:
    full = everything(book, query, include_archived=include_archived)
    # The reference is the search itself: the clients list_clients finds, upset
    # clients first, then by name with case and accents folded, then by id.
    eager = {r.id: r for r in list_clients(book, query, include_archived=include_archived)}
    assert {r.id: replace(r, priority_until=None) for r in full} == eager
    under = priority_clients(book, TODAY)
    assert {r.id: r.priority_until for r in full if r.priority_until} == {
        i: d for i, d in under.items() if i in eager
    }
    flags = [r.priority_until is None for r in full]
    assert flags == sorted(flags)
    for group in (False, True):
        keys = [(fold(r.name), r.id) for r in full if (r.priority_until is None) == group]
        assert [k[0] for k in keys] == sorted(k[0] for k in keys)

    paged = ClientList(
        book, query, include_archived=include_archived, today=TODAY, page_size=7, max_kept=30
    )
    assert len(paged) == len(full)
    order = list(range(len(full)))
    random.Random(len(full)).shuffle(order)
    # Jumps anywhere, then a walk down and a walk up (reading on from the last read);
    # no more rows are kept than allowed, bar the ones the last read just brought.
    last_read = 0
    for i in order + list(range(len(full))) + list(range(len(full)))[::-1]:
        before = paged.rows_read
        assert paged[i] == full[i]
        last_read = paged.rows_read - before or last_read
        assert paged.kept <= max(30, last_read)
    for i in order[:25]:
        assert paged.position(full[i].id) == i
    assert paged.position(10**9) == -1
    assert list(paged) == full
    assert paged.rows(3, 40) == full[3:40]
    backwards = ClientList(
        book, query, include_archived=include_archived, today=TODAY, page_size=5
    ).reversed_list()
    for i in order:
        assert backwards[i] == full[len(full) - 1 - i]


def test_the_last_row_or_a_middle_one_costs_a_page_or_two(book: Book) -> None:
    full = everything(book)
    n = len(full)
    last = ClientList(book, today=TODAY, page_size=10)
    assert last[n - 1] == full[n - 1]
    assert last.reads == 1 and last.rows_read <= 2 * 10
    # The screen above the last row is there too, from the same read.
    assert all(last.cached(i) == full[i] for i in range(n - 10, n))
    assert last.reads == 1

    middle = ClientList(book, today=TODAY, page_size=10)
    assert middle[n // 2] == full[n // 2]
    assert middle.reads == 1 and middle.rows_read <= 2 * 10
    # A little further on: a keyset read from the rows already read, filling the gap;
    # carrying on from the last read, it reads twice as much (scrolling down).
    assert middle[n // 2 + 25] == full[n // 2 + 25]
    assert middle.reads == 2 and middle.rows_read <= 2 * 10 + 4 * 10


def test_a_search_narrowing_a_narrow_one_reads_its_first_page_with_the_count(
    book: Book,
) -> None:
    clients_service._recent.clear()
    wide = ClientList(book, "oka", today=TODAY)
    assert len(wide) * 4 <= wide.total  # few clients: the next search narrows them
    for reverse in (False, True):
        narrow = ClientList(book, "okafor", today=TODAY, page_size=4, reverse=reverse)
        new = narrow.read_around(0, rows=20)
        assert narrow.counts == 0 and narrow.reads == 1  # one statement for both
        full = everything(book, "okafor", reverse=reverse)
        assert len(full) > 20 and new == full[:20] and len(narrow) == len(full)
        assert narrow.total == wide.total
        assert [narrow[i] for i in range(len(full))] == full
    nothing = ClientList(book, "okafor zzz", today=TODAY)
    assert nothing.read_around(0) == [] and len(nothing) == 0
    assert nothing.counts == 0 and nothing.total == wide.total
    # A search that does not narrow the last one counts first, as usual.
    other = ClientList(book, "anna", today=TODAY)
    other.read_around(0)
    assert other.counts == 1 and other.total == wide.total


def cells(model, row: int) -> list[str]:  # noqa: ANN001
    return [model.index(row, c).data() for c in (COL_NAME, COL_ORG, COL_EMAIL, COL_TAGS)]


def expected(row) -> list[str]:  # noqa: ANN001
    return [row.name, row.organisation, row.email, row.tags]


def test_model_has_every_row_and_reads_only_where_asked(
    qapp, qtmodeltester, book: Book, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(clients_service, "LIST_PAGE", 8)
    scored: list[int] = []

    def score(ids):  # noqa: ANN001, ANN202 - the service call, counted
        scored.append(len(ids) if ids is not None else -1)
        return all_health(book, TODAY, now=NOW, client_ids=ids)

    full = everything(book, "a")
    listed = ClientList(book, "a", today=TODAY)
    model = ClientTableModel()
    assert model.screen == PAGE  # until a window says how many rows it shows
    model.screen = 12
    proxy = ClientSortProxy()
    proxy.setSourceModel(model)
    proxy.sort(COL_NAME)
    model.set_rows(listed, HealthScores(score))
    assert model.rowCount() == proxy.rowCount() == len(full) > 100
    assert not proxy.canFetchMore(QModelIndex())
    # The first screen is read, in whole pages, and scored.
    assert listed.rows_read == 16 and scored == [16]
    # A row far down is found by a count, not by reading up to it; showing it reads
    # a screen's worth of rows around it, and scores just those.
    last = full[-1]
    assert model.row_of(last.id) == len(full) - 1 and listed.rows_read == 16
    assert cells(model, len(full) - 1) == expected(last)
    assert listed.rows_read - 16 <= model.screen + 2 * 8 and len(scored) == 2
    assert model.index(len(full) - 1, COL_HEALTH).data() != ""
    # Any row, in any order, shows what the front-to-back read has there.
    order = list(range(len(full)))
    random.Random(1).shuffle(order)
    for i in order:
        assert cells(model, i) == expected(full[i])
        assert proxy.index(i, COL_NAME).data(ID_ROLE) == full[i].id
    qtmodeltester.check(model)
    qtmodeltester.check(proxy)

    # By name the other way: the book reads from the other end, still by pages.
    proxy.sort(COL_NAME, Qt.SortOrder.DescendingOrder)
    assert proxy.rowCount() == len(full)
    assert [proxy.index(i, COL_NAME).data(ID_ROLE) for i in range(len(full))] == [
        r.id for r in reversed(full)
    ]
    # By another column every row is read once and sorted here (as before).
    proxy.sort(COL_ORG)
    orgs = [fold(proxy.index(i, COL_ORG).data()) for i in range(proxy.rowCount())]
    assert orgs == sorted(orgs) and proxy.rowCount() == len(full)
    qtmodeltester.check(proxy)
    # New scores in place: same rows, same count.
    model.set_health(HealthScores(score), {})
    assert model.rowCount() == len(full)
    qtmodeltester.check(model)


@pytest.fixture
def app_clock():  # noqa: ANN201 - the window's clock, fixed (see conftest.py)
    from tests.helpers import fixed_clock

    return fixed_clock


def test_window_selects_scrolls_and_selects_all_over_a_paged_list(
    qtbot, rapport, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Select a client far down, drag to the bottom, Select All: the window works on
    the paged list as on a plain one, reading little."""
    from tests.helpers import open_window
    from ui.app import CHANGED_CLIENTS

    monkeypatch.setattr(clients_service, "LIST_PAGE", 10)
    book = rapport.book
    for i in range(120):
        create_client(book, ClientInput(name=f"{FIRSTS[i % 10]} {LASTS[i % 8]} {i:03d}"))
    rapport.changed.emit(CHANGED_CLIENTS, None)
    window = open_window(qtbot, rapport)
    window.show_clients()
    qtbot.wait(10)
    window.refresh()  # as a keystroke would: the window now knows its screen
    full = ClientList(book, today=TODAY).rows()
    listed = window.model._list
    table = window.table
    assert window.proxy.rowCount() == len(full) == 120
    on_screen = table.viewport().height() // table.verticalHeader().defaultSectionSize() + 1
    assert window.model.screen == on_screen < 50  # the bottom is not read yet
    reads, rows_read = listed.reads, listed.rows_read
    assert rows_read < on_screen + 10  # the first screen, in whole pages

    # Dragged to the bottom: the last screen is read, in a read or two.
    table.scrollToBottom()
    qtbot.wait(10)
    assert table.rowAt(table.viewport().height() - 2) == 119
    assert listed.reads - reads <= 2 and listed.rows_read - rows_read <= on_screen + 2 * 10
    assert [table.model().index(r, COL_NAME).data(ID_ROLE) for r in range(100, 120)] == [
        r.id for r in full[100:]
    ]
    # A client in the middle, selected (from Today, the tray, an undo): found by a
    # count, read with its page.
    reads = listed.reads
    assert window.select_client(full[70].id)
    qtbot.wait(10)
    assert window.selected_client_id() == full[70].id
    assert listed.reads - reads <= 2

    # A search keeps the selection when it still shows the client.
    window.search.setText(full[70].name)
    window.refresh()
    assert window.selected_client_id() == full[70].id
    assert window.count_label.text() == "1 of 120 shown"
    window.search.clear()
    window.refresh()
    assert window.selected_client_id() == full[70].id

    window.table.selectAll()
    assert window.selected_client_ids() == [r.id for r in full]
    window.close()


def test_a_list_outlived_by_a_change_stays_readable(book_path) -> None:  # noqa: ANN001
    """A client archived after the count (the window refreshes on every change): the
    old list still reads without failing, short where rows are missing; the same
    search asked again has the change."""
    book = open_book(book_path)
    try:
        ids = [create_client(book, ClientInput(name=f"Client {i:02d}")) for i in range(12)]
        listed = ClientList(book, today=date(2026, 3, 10), page_size=4)
        assert len(listed) == 12 and listed[0].name == "Client 00"
        archive_client(book, ids[10])
        assert len(listed) == 12  # as counted
        shown = [listed.cached(i) for i in range(12) if listed.is_read(i) or listed[i]]
        assert all(r is None or r.name != "Client 10" for r in shown)
        assert [r.name for r in listed.again()] == [f"Client {i:02d}" for i in (*range(10), 11)]
    finally:
        book.close()
