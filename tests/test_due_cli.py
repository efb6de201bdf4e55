"""`rapport due`: what needs the consultant on a day, as a real process prints it."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from models.db import open_book
from models.lock import BookLock
from models.reminders import DueItem, DueKind, next_touch_due, plan, under_priority
from models.services.client_search import list_clients
from models.services.clients import get_client, local_date
from models.services.reminders import list_touches, open_follow_ups
from tests.test_cli import assert_clean_error, rapport


def today() -> date:
    return datetime.now().astimezone().date()


def expected_due(path: Path, day: date) -> list[dict[str, Any]]:
    """What is due on ``day``, worked out here from the book's raw data and the pure
    rules, not from the stored due dates the command reads."""
    book = open_book(path)
    try:
        items: list[DueItem] = []
        for row in list_clients(book, include_archived=True):
            c = get_client(book, row.id)
            touches = list_touches(book, c.id, limit=10_000)
            due_on = next_touch_due(
                cadence_days=c.cadence_days,
                last_touch_on=max((local_date(t.happened_at) for t in touches), default=None),
                added_on=local_date(c.created_at),
                status=c.status,
                archived=c.archived_at is not None,
            )
            priority = under_priority(c.priority_until, day)
            if due_on is not None:
                items.append(
                    DueItem(
                        DueKind.KEEP_IN_TOUCH,
                        c.id,
                        c.name,
                        due_on,
                        "Get in touch",
                        cadence_days=c.cadence_days,
                        priority=priority,
                    )
                )
            if c.archived_at is None:
                for fu in open_follow_ups(book, c.id):
                    items.append(
                        DueItem(
                            DueKind.FOLLOW_UP,
                            c.id,
                            c.name,
                            fu.due_on,
                            fu.title,
                            follow_up_id=fu.id,
                            priority=priority,
                        )
                    )
        return [
            {
                "client_id": i.client_id,
                "client_name": i.client_name,
                "kind": i.kind.value,
                "title": i.title,
                "due_on": i.due_on.isoformat(),
                "days_overdue": (day - i.due_on).days,
                "follow_up_id": i.follow_up_id,
            }
            for i in plan(items, day).due
        ]
    finally:
        book.close()


@pytest.fixture(scope="module")
def demo_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One demo book for the whole module: every test here only reads it."""
    path = tmp_path_factory.mktemp("due") / "demo.db"
    rapport("--db", path, "demo", check=True)
    return path


def due_json(path: Path, *args: str) -> list[dict[str, Any]]:
    result = rapport("--db", path, "due", "--json", *args, check=True)
    data: list[dict[str, Any]] = json.loads(result.stdout)
    return data


KEYS = ("client_id", "client_name", "kind", "title", "due_on", "days_overdue", "follow_up_id")


@pytest.mark.parametrize("days_ahead", [0, 3, 10])
def test_due_json_matches_the_rules(demo_path: Path, days_ahead: int) -> None:
    day = today() + timedelta(days=days_ahead)
    got = due_json(demo_path, "--on", day.isoformat())
    assert [{k: g[k] for k in KEYS} for g in got] == expected_due(demo_path, day)
    assert len(got) >= 5
    kinds = {g["kind"] for g in got}
    assert kinds == {"keep-in-touch", "follow-up"}
    assert all(g["days_overdue"] >= 0 for g in got)
    assert got[0]["priority"] is True  # the client under priority comes first


def test_due_json_on_a_day_long_ago_is_empty(demo_path: Path) -> None:
    assert due_json(demo_path, "--on", "2000-01-01") == []


def test_due_text_is_one_readable_line_per_item(demo_path: Path) -> None:
    day = today() + timedelta(days=3)
    expected = expected_due(demo_path, day)
    result = rapport("--db", demo_path, "due", "--on", day.isoformat(), check=True)
    header, *lines = result.stdout.rstrip("\n").splitlines()
    assert header.startswith(f"Due on {day:%A} {day.day} {day:%B %Y}: {len(expected)} items")
    assert len(lines) == len(expected)
    for line, item in zip(lines, expected, strict=True):
        late = item["days_overdue"]
        when = "due today" if late == 0 else f"{late} day{'s' if late != 1 else ''} late"
        assert line.lstrip().startswith(when), line
        assert item["client_name"] in line
        if item["kind"] == "follow-up":
            assert f"Follow up      {item['title']} ({item['client_name']})" in line
        else:
            assert "Keep in touch  " in line and "(" in line  # the rhythm, in words
    assert "[priority]" in lines[0]


def test_due_defaults_to_today(demo_path: Path) -> None:
    result = rapport("--db", demo_path, "due", check=True)
    assert result.stdout.startswith("Due today: ")
    assert "days late  Keep in touch" in result.stdout


def test_empty_book_says_nothing_is_due(tmp_path: Path) -> None:
    path = tmp_path / "empty.db"
    open_book(path).close()
    result = rapport("--db", path, "due", check=True)
    assert result.stdout == "Nothing is due today. Enjoy the quiet.\n"
    assert rapport("--db", path, "due", "--json", check=True).stdout.strip() == "[]"


@pytest.mark.parametrize("bad", ["2026-02-30", "tomorrow", "2026-3-1", "20260301", ""])
def test_bad_date_is_one_clear_line(demo_path: Path, bad: str) -> None:
    assert_clean_error(rapport("--db", demo_path, "due", "--on", bad), "--on", "YYYY-MM-DD")


def test_missing_book(tmp_path: Path) -> None:
    assert_clean_error(rapport("--db", tmp_path / "none.db", "due"), "no book")
    assert not (tmp_path / "none.db").exists()


def test_due_reads_while_the_app_holds_the_book(demo_path: Path) -> None:
    """Reading only: it works while the app has the book open (and its lock)."""
    lock = BookLock(demo_path)
    assert lock.acquire()
    try:
        result = rapport("--db", demo_path, "due", "--json")
        assert result.returncode == 0, result.stderr
        assert json.loads(result.stdout)
    finally:
        lock.release()
