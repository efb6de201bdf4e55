"""The client pane's keep-in-touch part, the words used for dates, the login entry
and the clock that notices midnight, sleep and clock changes."""

from __future__ import annotations

import configparser
import os
import stat
import sys
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from models.entities import Channel
from models.services.clients import ClientInput, create_client, get_client
from models.services.reminders import (
    TouchInput,
    add_follow_up,
    list_touches,
    log_touch,
    open_follow_ups,
)
from tests.helpers import NOW, TODAY, fixed_clock
from ui import autostart
from ui.app import CHANGED_CLIENTS, RapportApp
from ui.client_detail import detail_html
from ui.due_clock import DueClock, ms_until_next_midnight
from ui.wording import due_phrase, name_list, when_text


@pytest.fixture
def app_clock():
    """Due dates and "late" are read against the app's day: TODAY here."""
    return fixed_clock


def touch(rapport: RapportApp, cid: int, days_ago: int, summary: str, channel: Channel) -> None:
    log_touch(
        rapport.book,
        cid,
        TouchInput(happened_at=NOW - timedelta(days=days_ago), channel=channel, summary=summary),
        now=NOW,
    )


# -- the detail pane ---------------------------------------------------------------------


def test_detail_pane_shows_rhythm_dates_follow_ups_and_touches(qtbot, window, rapport) -> None:
    cid = create_client(
        rapport.book, ClientInput("Ada Lovelace", cadence_days=30), now=NOW - timedelta(days=90)
    )
    touch(rapport, cid, 20, "Kick-off call <about> Q2", Channel.CALL)
    touch(rapport, cid, 10, "Sent the plan", Channel.EMAIL)
    add_follow_up(rapport.book, cid, "Send the invoice", TODAY - timedelta(days=2), now=NOW)
    rapport.changed.emit(CHANGED_CLIENTS, None)
    window.show_clients()
    assert window.select_client(cid)
    text = window.detail.browser.toPlainText()
    assert "KEEP IN TOUCH" in text
    assert "Monthly · last touch 28 Feb" in text
    assert "Next: 30 Mar · due in 20 days" in text
    assert "FOLLOW-UPS" in text and "Send the invoice" in text and "2 days late" in text
    assert "LATEST TOUCHES" in text
    # Newest first, each with its date and channel, the summary beneath (issue 16: the
    # pane is a column of lines, no table, so nothing is squeezed into a narrow cell).
    assert "28 Feb · Email\nSent the plan\n18 Feb · Call\nKick-off call <about> Q2" in text
    assert "<about>" not in window.detail.browser.toHtml()


def test_overdue_client_reads_late_in_plain_words() -> None:
    from models.entities import ClientStatus
    from models.services.clients import ClientDetail

    d = ClientDetail(
        id=1,
        uid="x",
        name="Ben",
        organisation="",
        role="",
        emails=[],
        phones=[],
        tags=[],
        notes="",
        status=ClientStatus.ACTIVE,
        created_at=NOW,
        updated_at=NOW,
        archived_at=None,
        cadence_days=7,
        last_touch_on=TODAY - timedelta(days=19),
        touch_due_on=TODAY - timedelta(days=12),
        priority_until=TODAY + timedelta(days=3),
    )
    markup = detail_html(d, today=TODAY)
    assert "12 days late" in markup
    assert "Weekly" in markup
    assert "Priority until 13\u00a0Mar" in markup
    paused = detail_html(
        ClientDetail(**{**d.__dict__, "status": ClientStatus.PAUSED, "touch_due_on": None}),
        today=TODAY,
    )
    assert "No reminders while paused." in paused
    assert "KEEP IN TOUCH" not in detail_html(d)  # no clock, no reminder part


def test_log_a_touch_button_in_the_pane(qtbot, window, rapport) -> None:
    cid = create_client(rapport.book, ClientInput("Chloé Martin", cadence_days=14))
    rapport.changed.emit(CHANGED_CLIENTS, None)
    window.show_clients()
    window.select_client(cid)
    qtbot.mouseClick(window.detail.log_touch_button, Qt.MouseButton.LeftButton)
    dialog = window.touch_dialog
    assert dialog is not None
    qtbot.waitUntil(dialog.isActiveWindow)
    assert dialog.client_picker.client_id() == cid
    qtbot.keyClicks(dialog.summary_edit, "Coffee in town")
    qtbot.keyClick(dialog.summary_edit, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert not dialog.isVisible()
    assert [t.summary for t in list_touches(rapport.book, cid)] == ["Coffee in town"]
    # The pane follows at once: the touch is listed and the due date moved.
    text = window.detail.browser.toPlainText()
    assert "Coffee in town" in text
    assert "due in 14 days" in text
    assert get_client(rapport.book, cid).touch_due_on == TODAY + timedelta(days=14)
    assert open_follow_ups(rapport.book, cid) == []


# -- plain words -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("offset", "when", "phrase"),
    [
        (-5, "5 days late", "5 days late"),
        (-1, "1 day late", "1 day late"),
        (0, "today", "due today"),
        (1, "tomorrow", "due tomorrow"),
        (2, "Thursday", "due in 2 days"),
        (6, "Monday", "due in 6 days"),
        (7, "Tue\u00a017\u00a0Mar", "due in 7 days"),
        (300, "Mon,\u00a04\u00a0Jan\u00a02027", "due in 300 days"),
    ],
)
def test_dates_in_plain_words(offset: int, when: str, phrase: str) -> None:
    day = date(2026, 3, 10) + timedelta(days=offset)
    assert when_text(day, date(2026, 3, 10)) == when
    assert due_phrase(day, date(2026, 3, 10)) == phrase


def test_name_lists() -> None:
    assert name_list(["Ada"]) == "Ada"
    assert name_list(["Ada", "Ben"]) == "Ada and Ben"
    assert name_list(["Ada", "Ben", "Chloé"]) == "Ada, Ben and Chloé"
    assert name_list(["Ada", "Ben", "Chloé", "Dan", "Eve"]) == "Ada, Ben, Chloé and 2 more"


# -- start at login -----------------------------------------------------------------------


def read_entry(path: Path) -> configparser.SectionProxy:
    parser = configparser.ConfigParser(interpolation=None)
    parser.optionxform = str  # keys are case-sensitive in desktop files
    assert parser.read(path, encoding="utf-8") == [str(path)]
    return parser["Desktop Entry"]


def test_enable_writes_a_valid_entry_and_disable_removes_it(tmp_path: Path) -> None:
    env = {"XDG_CONFIG_HOME": str(tmp_path / "cfg")}
    path = autostart.autostart_path(env)
    assert path == tmp_path / "cfg" / "autostart" / "rapport.desktop"
    assert not autostart.is_enabled(env)
    written = autostart.enable(env=env)
    assert written == path and autostart.is_enabled(env)
    entry = read_entry(path)
    assert entry["Type"] == "Application"
    assert entry["Name"] == "Rapport"
    assert entry["Exec"].split()[-1] == "--tray"
    assert sys.executable in entry["Exec"]
    assert entry["Exec"].split()[1].endswith("main.py")
    assert entry["Terminal"] == "false"
    assert Path(entry["Icon"]).is_file()
    # Written whole or not at all: no temp file is left beside it.
    assert [p.name for p in path.parent.iterdir()] == ["rapport.desktop"]
    assert stat.S_IMODE(path.stat().st_mode) == 0o644
    autostart.disable(env=env)
    assert not path.exists() and not autostart.is_enabled(env)
    autostart.disable(env=env)  # twice is fine


def test_awkward_paths_are_quoted_for_the_desktop(tmp_path: Path) -> None:
    env = {"XDG_CONFIG_HOME": str(tmp_path)}
    command = ["/opt/my apps/python", '/home/x/100% "real"/main.py', "--db", "/b/$HOME.db"]
    autostart.enable([*command, "--tray"], env=env)
    exec_line = read_entry(autostart.autostart_path(env))["Exec"]
    expected = '"/opt/my apps/python" "/home/x/100%% \\\\"real\\\\"/main.py" --db '
    assert exec_line == expected + '"/b/\\\\$HOME.db" --tray'


def test_a_relative_xdg_config_home_is_ignored(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    path = autostart.autostart_path({"XDG_CONFIG_HOME": "relative/dir"})
    assert path == tmp_path / "home" / ".config" / "autostart" / "rapport.desktop"


def test_the_settings_menu_switches_autostart(qtbot, window, rapport) -> None:
    path = autostart.autostart_path()
    assert str(path).startswith(os.environ["XDG_CONFIG_HOME"])
    assert not window.autostart_action.isChecked()
    window.autostart_action.trigger()
    assert path.is_file() and window.autostart_action.isChecked()
    exec_line = read_entry(path)["Exec"]
    assert exec_line.endswith("--tray")
    # This book is not the default one, so the entry names it.
    assert "--db" in exec_line and str(rapport.book_path) in exec_line
    window.autostart_action.trigger()
    assert not path.exists() and not window.autostart_action.isChecked()


# -- the due clock -----------------------------------------------------------------------


class Clocks:
    """A wall clock and a monotonic clock the test moves by hand."""

    def __init__(self, start: datetime) -> None:
        self.wall = start
        self.mono = 1000.0

    def now(self) -> datetime:
        return self.wall

    def monotonic(self) -> float:
        return self.mono

    def run(self, seconds: float) -> None:
        self.wall += timedelta(seconds=seconds)
        self.mono += seconds


def test_midnight_timer_is_armed_for_the_next_local_midnight(qapp) -> None:
    late = datetime(2026, 3, 10, 23, 59, 0).astimezone()
    assert 60_000 <= ms_until_next_midnight(late) <= 62_000
    clocks = Clocks(datetime(2026, 3, 10, 18, 0).astimezone())
    clock = DueClock(clocks.now, monotonic=clocks.monotonic)
    clock.start()
    assert clock.midnight_timer.isSingleShot()
    assert 6 * 3600_000 <= clock.midnight_timer.remainingTime() <= 6 * 3600_000 + 2000
    assert clock.resync_timer.interval() == 15 * 60 * 1000
    clock.stop()


def test_normal_ticks_do_nothing_but_a_day_change_is_announced(qapp, qtbot) -> None:
    clocks = Clocks(datetime(2026, 3, 10, 23, 58).astimezone())
    clock = DueClock(clocks.now, monotonic=clocks.monotonic)
    days: list[date] = []
    clock.day_changed.connect(days.append)
    clocks.run(60)
    assert not clock.tick()
    clocks.run(120)  # past midnight, no jump
    assert clock.tick()
    assert days == [date(2026, 3, 11)]
    assert clock.jumps == 0


def test_sleep_or_a_clock_change_is_noticed_on_the_next_tick(qapp) -> None:
    clocks = Clocks(datetime(2026, 3, 10, 14, 0).astimezone())
    clock = DueClock(clocks.now, monotonic=clocks.monotonic)
    resyncs: list[bool] = []
    clock.resynced.connect(lambda: resyncs.append(True))
    clocks.mono += 60
    clocks.wall += timedelta(hours=3)  # the lid was closed: wall time ran on, monotonic did not
    assert clock.tick()
    assert clock.jumps == 1 and resyncs == [True]
    # The midnight countdown was re-armed from the new time (10 hours left, not 13).
    assert clock.midnight_timer.remainingTime() <= 7 * 3600_000 + 2000
    clocks.run(60)
    assert not clock.tick()
    clock.stop()
