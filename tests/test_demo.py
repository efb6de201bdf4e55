"""The demo book: big enough to feel real, varied, deterministic, and searchable."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from exports.json_book import dumps, export_book
from models.db import Book, open_book
from models.demo import DEMO_CLIENTS, DemoError, fill_demo
from models.entities import ClientStatus
from models.services.clients import ClientInput, count_clients, create_client, list_clients

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)


def _export_of_fresh_demo(path: Path, seed: int) -> str:
    book = open_book(path)
    try:
        fill_demo(book, seed=seed, now=NOW)
        return dumps(export_book(book))
    finally:
        book.close()


def test_fills_about_thirty_clients(book: Book) -> None:
    n = fill_demo(book, now=NOW)
    assert 25 <= n <= 40
    assert count_clients(book, include_archived=True) == n
    assert count_clients(book) < n  # one former client is archived


def test_same_seed_same_book(tmp_path: Path) -> None:
    first = _export_of_fresh_demo(tmp_path / "a" / "demo.db", seed=7)
    second = _export_of_fresh_demo(tmp_path / "b" / "demo.db", seed=7)
    other = _export_of_fresh_demo(tmp_path / "c" / "demo.db", seed=8)
    assert first == second
    assert other != first


def test_variety(book: Book) -> None:
    fill_demo(book, now=NOW)
    clients = export_book(book)["clients"]
    statuses = [c["status"] for c in clients]
    assert statuses.count(ClientStatus.ACTIVE.value) > len(clients) / 2
    assert ClientStatus.PAUSED.value in statuses
    assert ClientStatus.FORMER.value in statuses
    assert any(c["archived_at"] is not None for c in clients)

    names = [c["name"] for c in clients]
    assert sum(not n.isascii() for n in names) >= 5
    assert any("\u0370" <= ch <= "\u03ff" for n in names for ch in n)  # Greek
    assert any("\u0400" <= ch <= "\u04ff" for n in names for ch in n)  # Cyrillic

    assert any("\n" in c["notes"] for c in clients)
    assert all(len(c["emails"]) <= 3 and len(c["phones"]) <= 3 for c in clients)
    assert any(not c["phones"] for c in clients)
    labels = {p["label"] for c in clients for p in c["emails"] + c["phones"]}
    assert {"work", "mobile", "home"} <= labels
    tags = {t for c in clients for t in c["tags"]}
    assert {"retainer", "project", "vip", "small", "referral", "at-risk", "nonprofit"} <= tags


def test_timestamps_spread_over_three_years(book: Book) -> None:
    fill_demo(book, now=NOW)
    clients = export_book(book)["clients"]
    created = [datetime.fromisoformat(c["created_at"]) for c in clients]
    assert all(NOW - timedelta(days=3 * 365 + 1) <= t <= NOW for t in created)
    assert max(created) - min(created) > timedelta(days=365)
    for c in clients:
        made = datetime.fromisoformat(c["created_at"])
        changed = datetime.fromisoformat(c["updated_at"])
        assert made <= changed <= NOW
        if c["archived_at"] is not None:
            assert changed <= datetime.fromisoformat(c["archived_at"]) <= NOW


def test_search_finds_demo_clients(book: Book) -> None:
    fill_demo(book, now=NOW)
    assert "Kwame Mensah" in [r.name for r in list_clients(book, "nonprofit")]
    assert [r.name for r in list_clients(book, "amelie durand")] == ["Amélie Durand"]
    assert [r.name for r in list_clients(book, "ZOE hartley")] == ["Zoë Hartley"]
    assert [r.name for r in list_clients(book, "ελενη")] == ["Ελένη Παπαδοπούλου"]
    assert [r.name for r in list_clients(book, "at-risk yoga")] == ["Priya Raman"]
    assert list_clients(book, "roofing") == []  # archived: hidden unless asked for
    assert [r.name for r in list_clients(book, "roofing", include_archived=True)] == ["Ben Carter"]


def test_demo_keys_are_unique_handles() -> None:
    keys = [d.key for d in DEMO_CLIENTS]
    assert len(keys) == len(set(keys))


def test_refuses_a_book_with_clients(book: Book) -> None:
    create_client(book, ClientInput(name="A real client"), now=NOW)
    with pytest.raises(DemoError, match="only fill an empty book"):
        fill_demo(book, now=NOW)
    assert count_clients(book, include_archived=True) == 1


def test_needs_an_aware_now(book: Book) -> None:
    with pytest.raises(ValueError, match="aware"):
        fill_demo(book, now=datetime(2026, 1, 1))
    assert count_clients(book, include_archived=True) == 0
