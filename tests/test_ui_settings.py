"""The Settings window (issue 16, point 7): one window, a page each, opened from the
menu on the right page; it fits a small laptop screen at 1.5x; Back up now writes a
checked backup of the real book; each page saves through its service and reads
back when the window is opened again."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox, QListWidget

from models.backups import KIND_MANUAL, KeepPolicy, list_backups, verify_backup
from models.services.backups import get_keep_policy
from models.services.clients import ClientInput, create_client
from models.services.consultant import get_settings
from models.services.insurer import InsurerDetails, get_insurer
from tests.helpers import shown
from ui import autostart
from ui.app import RapportApp
from ui.incident_dialog import KEY_PROMISE_HOURS
from ui.main.common import KEY_KEEP_IN_TRAY
from ui.main.window import MainWindow
from ui.settings.window import SettingsWindow

ROOT = Path(__file__).resolve().parent.parent
PAGES = ["details", "reminders", "promises", "backups", "insurer", "login"]


def save(qtbot, settings: SettingsWindow) -> None:
    settings.buttons.button(QDialogButtonBox.StandardButton.Save).click()
    qtbot.waitUntil(lambda: not settings.isVisible())


@pytest.mark.parametrize(
    ("size", "scale"), [((1024, 640), "1"), ((1366, 768), "1"), ((1024, 640), "1.5")]
)
def test_the_window_fits_the_screen_with_every_page_reachable(
    tmp_path: Path, rapport: RapportApp, size: tuple[int, int], scale: str
) -> None:
    """A real screen of that size in a child process (Qt fixes the screen at start)."""
    assert rapport.book is not None
    book = rapport.book.path
    rapport.close()
    config = tmp_path / "screen.json"
    w, h = size
    config.write_text(
        json.dumps({"screens": [{"name": "laptop", "x": 0, "y": 0, "width": w, "height": h}]})
    )
    env = dict(os.environ, QT_QPA_PLATFORM=f"offscreen:configfile={config}")
    env["QT_SCALE_FACTOR"] = scale
    run = subprocess.run(
        [sys.executable, "-m", "tests.settings_probe", str(book), str(tmp_path / "cfg")],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    report = json.loads(run.stdout.strip().splitlines()[-1])
    logical = [round(w / float(scale)), round(h / float(scale))]
    assert [abs(a - b) <= 1 for a, b in zip(report["screen"], logical, strict=True)] == [True] * 2
    assert report["window_fits"] and report["buttons_on_screen"], report
    assert report["window"][2] <= report["screen"][0]
    assert list(report["pages"]) == PAGES
    for key, page in report["pages"].items():
        assert page["shown"] and page["title_fits"], (key, page)
        assert page["controls"] > 0 and page["all_reachable"], (key, page)
        assert page["no_sideways_scroll"], (key, page)
    assert "&Back up now" in report["pages"]["backups"]["buttons"]


def test_the_menu_opens_settings_on_the_right_page(qtbot, window: MainWindow) -> None:
    settings_menu = window.settings_menu
    assert window.settings_action in settings_menu.actions()
    assert window.settings_action.shortcut().toString() == "Ctrl+,"
    # The main actions carry their icons into the menus (and the toolbar's buttons).
    for action in (
        window.settings_action,
        window.new_action,
        window.log_touch_action,
        window.report_incident_action,
        window.backups_action,
    ):
        assert not action.icon().isNull(), action.text()
    assert window.export_selected_action.icon().isNull()  # only where an icon helps
    for action, key in (
        (window.your_details_action, "details"),
        (window.backups_action, "backups"),
        (window.promise_hours_action, "promises"),
    ):
        action.trigger()
        settings = shown(qtbot, window.settings_window)
        assert settings.current_page().key == key
        assert settings.stack.currentWidget().widget() is settings.page(key)
        first = settings
        window.settings_action.trigger()  # asked again: the same window, not a second
        assert window.settings_window is first
        settings.reject()
        qtbot.waitUntil(lambda s=settings: not s.isVisible())
    window.settings_action.trigger()
    settings = shown(qtbot, window.settings_window)
    assert [settings.nav.item(i).text() for i in range(settings.nav.count())] == [
        "Your details",
        "Reminders and rhythm",
        "Promises and working hours",
        "Backups",
        "Insurer",
        "Start at login",
    ]
    assert all(not settings.nav.item(i).icon().isNull() for i in range(settings.nav.count()))
    assert settings.windowTitle() == "Settings"


def test_back_up_now_writes_a_checked_backup_and_says_so(
    qtbot, window: MainWindow, rapport: RapportApp
) -> None:
    assert rapport.book is not None
    for name in ("Ada Byrne", "Ben Cole", "Cy Dunn"):
        create_client(rapport.book, ClientInput(name=name))
    assert list_backups(rapport.book.path) == []
    window.backups_action.trigger()
    settings = shown(qtbot, window.settings_window)
    page = settings.current_page()
    assert page.result.text() == "No backup yet."
    qtbot.mouseClick(page.back_up_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.result.text().startswith("Backed up:"), timeout=20000)
    [taken] = list_backups(rapport.book.path)
    assert taken.kind == KIND_MANUAL and taken.verified and taken.clients == 3
    assert taken.path.parent == rapport.book.backups_dir and taken.path.is_file()
    counts = verify_backup(rapport.book.path, taken)  # raises unless whole and readable
    assert counts == taken.counts and counts["client"] == 3
    assert "(3 clients)" in page.result.text() and "checked and complete" in page.result.text()
    assert page.back_up_button.isEnabled() and not page.general_error.isVisible()
    settings.reject()
    # Opened again, the page starts from the newest backup.
    window.backups_action.trigger()
    again = shown(qtbot, window.settings_window)
    assert again.current_page().result.text().startswith("Newest backup:")


def test_each_page_saves_through_its_service_and_reads_back(
    qtbot, window: MainWindow, rapport: RapportApp
) -> None:
    assert rapport.book is not None
    assert not autostart.is_enabled()
    window.settings_action.trigger()
    settings = shown(qtbot, window.settings_window)
    details = settings.show_page("details")
    details.fields["name"].setText("Sam Reed")
    details.fields["email"].setText("sam@example.com")
    settings.show_page("promises").promise_hours.setValue(48)
    settings.page("backups").spins["weekly"].setValue(9)
    insurer = settings.page("insurer")
    insurer.insurer_fields["insurer_name"].setText("Hiscox")
    insurer.insurer_fields["insurer_policy"].setText("PI-2291")
    login = settings.page("login")
    login.autostart_check.setChecked(True)
    login.keep_check.setChecked(False)
    save(qtbot, settings)
    assert window.statusBar().currentMessage() == "Your settings are saved."

    got = get_settings(rapport.book)
    assert (got.name, got.email) == ("Sam Reed", "sam@example.com")
    assert get_insurer(rapport.book) == InsurerDetails("Hiscox", "PI-2291", "")
    assert get_keep_policy(rapport.book) == KeepPolicy(daily=7, weekly=9, monthly=12)
    assert int(rapport.settings.value(KEY_PROMISE_HOURS)) == 48
    assert autostart.is_enabled() and window.autostart_action.isChecked()
    assert not rapport.settings.value(KEY_KEEP_IN_TRAY, True, type=bool)
    assert not window.keep_in_tray_action.isChecked()

    window.settings_action.trigger()
    again = shown(qtbot, window.settings_window)
    assert again is not settings
    assert again.page("details").fields["name"].text() == "Sam Reed"
    assert again.page("promises").promise_hours.value() == 48
    assert again.page("backups").spins["weekly"].value() == 9
    assert again.page("insurer").insurer_fields["insurer_policy"].text() == "PI-2291"
    assert again.page("login").autostart_check.isChecked()
    assert not again.page("login").keep_check.isChecked()
    assert not any(p.changed() for p in again.pages)
    # Turning autostart off from the page removes the login entry again.
    again.page("login").autostart_check.setChecked(False)
    save(qtbot, again)
    assert not autostart.is_enabled() and not window.autostart_action.isChecked()
    assert window.statusBar().currentMessage() == "Your start-up settings are saved."


def test_a_refused_page_keeps_the_window_open_and_saves_nothing(
    qtbot, window: MainWindow, rapport: RapportApp
) -> None:
    assert rapport.book is not None
    window.settings_action.trigger()
    settings = shown(qtbot, window.settings_window)
    settings.page("details").fields["email"].setText("sam at example")
    settings.show_page("backups").spins["daily"].setValue(3)
    settings.buttons.button(QDialogButtonBox.StandardButton.Save).click()
    assert settings.isVisible() and settings.current_page().key == "details"
    assert settings.page("details").errors["email"].isVisibleTo(settings)
    assert get_settings(rapport.book).email == ""
    assert get_keep_policy(rapport.book) == KeepPolicy(daily=7, weekly=5, monthly=12)


def test_cancel_keeps_what_was_stored(qtbot, window: MainWindow, rapport: RapportApp) -> None:
    assert rapport.book is not None
    window.promise_hours_action.trigger()
    settings = shown(qtbot, window.settings_window)
    settings.current_page().promise_hours.setValue(5)
    settings.page("insurer").insurer_fields["insurer_name"].setText("Hiscox")
    settings.buttons.button(QDialogButtonBox.StandardButton.Cancel).click()
    qtbot.waitUntil(lambda: not settings.isVisible())
    assert rapport.settings.value(KEY_PROMISE_HOURS) is None
    assert get_insurer(rapport.book).name == ""


def test_your_details_alone_for_a_window_that_asks(qtbot, rapport: RapportApp) -> None:
    """ui/settings_dialog.py: only the Your details page, Save stores it and closes."""
    from ui.settings_dialog import SettingsDialog

    dialog = SettingsDialog(rapport)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    assert dialog.findChild(QDialogButtonBox) is dialog.buttons
    assert not dialog.findChildren(QListWidget)  # no list of pages here
    qtbot.keyClicks(dialog.fields["name"], "Mia Consultant")
    dialog.fields["email"].setText("mia at example")
    dialog.buttons.accepted.emit()
    assert dialog.isVisible() and dialog.errors["email"].isVisible()
    dialog.fields["email"].setText("mia@example.com")
    with qtbot.waitSignal(dialog.saved):
        dialog.buttons.accepted.emit()
    assert not dialog.isVisible()
    assert rapport.book is not None
    assert (get_settings(rapport.book).name, get_settings(rapport.book).email) == (
        "Mia Consultant",
        "mia@example.com",
    )


def test_pausing_reminders_from_settings_is_the_trays_own_pause(
    qtbot, window: MainWindow, rapport: RapportApp
) -> None:
    from datetime import timedelta

    from ui.tray import KEY_PAUSED_UNTIL, RapportTray

    tray = RapportTray(rapport, window)
    window.set_tray(tray)
    assert not tray.paused()
    window.settings_action.trigger()
    settings = shown(qtbot, window.settings_window)
    page = settings.show_page("reminders")
    assert page.pause_check.isEnabled() and not page.pause_check.isChecked()
    page.pause_check.setChecked(True)
    save(qtbot, settings)
    tomorrow = (rapport.today() + timedelta(days=1)).isoformat()
    assert tray.paused() and tray.pause_action.isChecked()
    assert rapport.settings.value(KEY_PAUSED_UNTIL) == tomorrow
    assert window.statusBar().currentMessage() == "Your reminder settings are saved."

    tray.pause_action.setChecked(False)  # from the tray's menu: the page follows
    window.settings_action.trigger()
    again = shown(qtbot, window.settings_window)
    assert not again.page("reminders").pause_check.isChecked()
    assert not again.page("reminders").changed()
    tray.hide()


def test_ctrl_comma_opens_settings_and_the_keyboard_walks_its_pages(
    qtbot, window: MainWindow
) -> None:
    qtbot.keyClick(window, Qt.Key.Key_Comma, Qt.KeyboardModifier.ControlModifier)
    settings = shown(qtbot, window.settings_window)
    assert settings.nav.hasFocus() and settings.current_page().key == "details"
    for key in PAGES[1:]:
        qtbot.keyClick(settings.nav, Qt.Key.Key_Down)
        assert settings.current_page().key == key
        assert settings.stack.currentWidget().widget() is settings.page(key)
    qtbot.keyClick(settings.nav, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not settings.isVisible())


def test_the_working_week_saves_through_its_service_and_refuses_what_cannot_be(
    qtbot, window: MainWindow, rapport: RapportApp
) -> None:
    from datetime import time

    from PySide6.QtCore import QTime

    from models.services.work_settings import get_work_settings

    assert rapport.book is not None
    window.promise_hours_action.trigger()
    settings = shown(qtbot, window.settings_window)
    working = settings.current_page().working
    assert [c.isChecked() for c in working.day_checks] == [True] * 5 + [False] * 2
    working.country.setText("zz")
    settings.buttons.button(QDialogButtonBox.StandardButton.Save).click()
    assert settings.isVisible() and working.error.isVisibleTo(settings)
    assert "public holidays" in working.error.text()
    assert get_work_settings(rapport.book).week.country != "ZZ"

    working.country.setText("de")
    working.day_checks[5].setChecked(True)  # Saturday
    working.start.setTime(QTime(8, 0))
    save(qtbot, settings)
    week = get_work_settings(rapport.book).week
    assert week.days == frozenset({0, 1, 2, 3, 4, 5})
    assert (week.start, week.end, week.country) == (time(8, 0), time(17, 0), "DE")
    assert window.statusBar().currentMessage() == "Your promises and working hours are saved."

    window.promise_hours_action.trigger()
    again = shown(qtbot, window.settings_window)
    working = again.current_page().working
    assert working.day_checks[5].isChecked() and not working.day_checks[6].isChecked()
    assert working.start.time() == QTime(8, 0) and working.country.text() == "DE"
    assert not again.current_page().changed()


def test_the_default_rhythm_is_on_the_reminders_page(
    qtbot, window: MainWindow, rapport: RapportApp
) -> None:
    from ui.rhythm_setting import default_cadence

    assert default_cadence(rapport.settings) == 30
    window.settings_action.trigger()
    settings = shown(qtbot, window.settings_window)
    combo = settings.show_page("reminders").rhythm_combo
    assert combo.currentData() == 30
    combo.setCurrentIndex(combo.findData(None))  # No reminder
    save(qtbot, settings)
    assert default_cadence(rapport.settings) is None
    window.settings_action.trigger()
    again = shown(qtbot, window.settings_window)
    assert again.page("reminders").rhythm_combo.currentData() is None
    assert not again.page("reminders").changed()
