"""The iCalendar export: parses back, one event per due item, stable UIDs, text intact."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from icalendar import Calendar

from exports.ics import PRODID, build_calendar, write_ics
from models.db import Book, open_book
from models.demo import fill_demo
from models.entities import Channel
from models.reminders import DueKind
from models.services.clients import ClientInput, archive_client, create_client, local_date
from models.services.reminders import (
    TouchInput,
    add_follow_up,
    complete_follow_up,
    due_items,
    log_touch,
    snooze_follow_up,
)
from tests.test_cli import ROOT, assert_clean_error, rapport

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
TODAY = local_date(NOW)


def events(payload: bytes) -> list[Any]:
    return list(Calendar.from_ical(payload).walk("VEVENT"))


def by_uid(payload: bytes) -> dict[str, Any]:
    return {str(e["UID"]): e for e in events(payload)}


@pytest.mark.parametrize("days", [0, 7, 30, 90])
def test_one_event_per_due_item_within_the_horizon(book: Book, days: int) -> None:
    fill_demo(book, now=NOW)
    payload = build_calendar(book, TODAY, days, now=NOW)
    cal = Calendar.from_ical(payload)
    assert str(cal["PRODID"]) == PRODID
    assert str(cal["VERSION"]) == "2.0"
    evs = events(payload)
    items = due_items(book, TODAY, horizon_days=days)
    assert len(evs) == len(items) > 0
    assert len({str(e["UID"]) for e in evs}) == len(evs)  # unique
    for e in evs:
        for key in ("UID", "DTSTAMP", "DTSTART", "SUMMARY", "DESCRIPTION"):
            assert key in e
        start = e["DTSTART"].dt
        assert type(start) is date  # all-day, not a time of day
        assert TODAY <= start <= TODAY + timedelta(days=days)
        assert e["DTEND"].dt == start + timedelta(days=1)
        assert e["DTSTAMP"].dt == NOW
        assert str(e["UID"]).endswith("@rapport")
    # Everything overdue sits on today; nothing is lost for being late.
    late = [i for i in items if i.due_on < TODAY]
    assert late and sum(e["DTSTART"].dt == TODAY for e in evs) >= len(late)
    summaries = sorted(str(e["SUMMARY"]) for e in evs)
    expected = sorted(
        f"Get in touch: {i.client_name}"
        if i.kind is DueKind.KEEP_IN_TOUCH
        else f"Follow up: {i.title} ({i.client_name})"
        for i in items
    )
    assert summaries == expected


def test_uids_are_stable_across_exports(book: Book) -> None:
    fill_demo(book, now=NOW)
    first = build_calendar(book, TODAY, 30, now=NOW)
    again = build_calendar(book, TODAY, 30, now=NOW)
    assert again == first  # same book, same moment: same bytes
    later = build_calendar(book, TODAY + timedelta(days=1), 29, now=NOW + timedelta(days=1))
    assert set(by_uid(later)) == set(by_uid(first))


def test_snoozing_keeps_the_uid_and_logging_a_touch_replaces_the_event(book: Book) -> None:
    added = NOW - timedelta(days=5)
    cid = create_client(book, ClientInput(name="Ada Lovelace", cadence_days=7), now=added)
    fid = add_follow_up(book, cid, "Send the plan", TODAY + timedelta(days=2), now=NOW)
    first = by_uid(build_calendar(book, TODAY, 30, now=NOW))
    assert len(first) == 2

    snooze_follow_up(book, fid, TODAY + timedelta(days=5))
    log_touch(book, cid, TouchInput(NOW - timedelta(hours=1), Channel.CALL), now=NOW)
    second = by_uid(build_calendar(book, TODAY, 30, now=NOW))
    [fu_uid] = [u for u in first if "-touch-" not in u]
    assert fu_uid in second
    assert second[fu_uid]["DTSTART"].dt == TODAY + timedelta(days=5)
    [old_touch] = [u for u in first if "-touch-" in u]
    [new_touch] = [u for u in second if "-touch-" in u]
    assert old_touch != new_touch  # a new due date is a new reminder
    assert second[new_touch]["DTSTART"].dt == local_date(NOW - timedelta(hours=1)) + timedelta(7)


def test_done_follow_ups_and_archived_clients_are_left_out(book: Book) -> None:
    keep = create_client(book, ClientInput(name="Keep"), now=NOW)
    gone = create_client(book, ClientInput(name="Gone", cadence_days=7), now=NOW)
    done = add_follow_up(book, keep, "Done already", TODAY, now=NOW)
    add_follow_up(book, keep, "Still open", TODAY, now=NOW)
    add_follow_up(book, gone, "Hidden", TODAY, now=NOW)
    complete_follow_up(book, done, now=NOW)
    archive_client(book, gone, now=NOW)
    [e] = events(build_calendar(book, TODAY, 30, now=NOW))
    assert str(e["SUMMARY"]) == "Follow up: Still open (Keep)"


def test_user_text_survives_the_round_trip(book: Book) -> None:
    name = 'Zoë "Zed" Hartley, PhD; 🌱'
    org = "Ledgerly, Inc.; R&D \\ Labs 😀"
    title = "Send it, please; then call 📞 back \\ soon"
    note = "Line one, with comma;\nline two: 👩‍💻\r\nline three\\n (a literal backslash-n)"
    cid = create_client(book, ClientInput(name=name, organisation=org, cadence_days=30), now=NOW)
    add_follow_up(book, cid, title, TODAY - timedelta(days=3), note=note, now=NOW)
    found = {str(e["SUMMARY"]): e for e in events(build_calendar(book, TODAY, 60, now=NOW))}
    fu = found[f"Follow up: {title} ({name})"]
    assert fu["DTSTART"].dt == TODAY  # overdue: on today
    description = str(fu["DESCRIPTION"])
    assert f"Organisation: {org}" in description
    assert "3 days late" in description
    # iCalendar text has one kind of line break; Windows ones come back as "\n".
    assert description.endswith("\n\n" + note.replace("\r\n", "\n"))
    touch = found[f"Get in touch: {name}"]
    assert "Rhythm: Monthly" in str(touch["DESCRIPTION"])


def test_write_ics_is_atomic_and_private(book: Book, tmp_path: Path) -> None:
    fill_demo(book, now=NOW)
    out = tmp_path / "reminders.ics"
    out.write_text("old", encoding="utf-8")
    n = write_ics(book, out, TODAY, 14, now=NOW)
    assert out.read_bytes() == build_calendar(book, TODAY, 14, now=NOW)
    assert n == len(events(out.read_bytes()))
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []
    with pytest.raises(ValueError):
        build_calendar(book, TODAY, -1)


def test_icalendar_is_not_imported_until_needed() -> None:
    code = "import sys, exports.ics, main; print('icalendar' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert result.stdout.strip() == "False", result.stderr


def test_cli_export_ics(tmp_path: Path) -> None:
    path, out = tmp_path / "demo.db", tmp_path / "out" / "reminders.ics"
    out.parent.mkdir()
    rapport("--db", path, "demo", check=True)
    result = rapport("--db", path, "export", "ics", out, check=True)
    evs = events(out.read_bytes())
    assert f"Exported {len(evs)} reminders (today and the next 90 days)" in result.stdout
    # The demo always has overdue items, so the earliest event is the command's today.
    day = min(e["DTSTART"].dt for e in evs)
    book = open_book(path)
    try:
        assert len(evs) == len(due_items(book, day, horizon_days=90))
    finally:
        book.close()
    short = tmp_path / "out" / "week.ics"
    rapport("--db", path, "export", "ics", short, "--days", "7", check=True)
    assert 0 < len(events(short.read_bytes())) < len(evs)
    assert sorted(p.name for p in out.parent.iterdir()) == ["reminders.ics", "week.ics"]


@pytest.mark.parametrize("days", ["-1", "x", "4000", "1.5"])
def test_cli_bad_days(tmp_path: Path, days: str) -> None:
    path = tmp_path / "b.db"
    open_book(path).close()
    result = rapport("--db", path, "export", "ics", tmp_path / "r.ics", "--days", days)
    assert_clean_error(result, "--days", "whole number")
    assert not (tmp_path / "r.ics").exists()


def test_cli_missing_book(tmp_path: Path) -> None:
    assert_clean_error(
        rapport("--db", tmp_path / "none.db", "export", "ics", tmp_path / "r.ics"), "no book"
    )
    assert os.listdir(tmp_path) == []
