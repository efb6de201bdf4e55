"""The real tray, from the real entry point: a child process per scenario, on a real
X server (Xvfb) with a real tray host (trayer), because the pytest process is
already bound to the offscreen platform. The tray's words and choices are tested
in-process in tests/test_tray.py."""

from __future__ import annotations

import json
import os
import select
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from ui.main.common import NO_TRAY

ROOT = Path(__file__).resolve().parents[1]
TRAYER = ("trayer", "--edge", "top", "--align", "right", "--widthtype", "request")

# -- child processes: the real entry point ----------------------------------------------------

SCENARIO = r"""
import json, sys, time
from datetime import timedelta
from pathlib import Path

from PySide6.QtCore import QPoint, QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QSystemTrayIcon

from models.db import open_book
from models.services.clients import ClientInput, create_client, local_date
from models.services.reminders import add_follow_up
from models.types import utcnow

book_path, config_dir, shot, mode = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3], sys.argv[4]
if mode != "again":
    book = open_book(book_path)
    now = utcnow()
    ago = lambda days: now - timedelta(days=days)  # noqa: E731
    create_client(book, ClientInput("Ada Lovelace", cadence_days=30), now=ago(40))
    create_client(book, ClientInput("Ben Okafor", cadence_days=7), now=ago(9))
    chloe = create_client(book, ClientInput("Chloé Martin"), now=now - timedelta(days=3))
    add_follow_up(book, chloe, "Send the revised quote", local_date(now))
    create_client(book, ClientInput("Dan Brown", cadence_days=30), now=now)
    book.close()

from ui.app import ensure_application
from ui.gui import run_gui
from ui.main.window import MainWindow

qapp = ensure_application()
facts = {"steps": []}
seen = {}


def wait(predicate, seconds=5.0):
    deadline = time.monotonic() + seconds
    while not predicate() and time.monotonic() < deadline:
        qapp.processEvents()
        time.sleep(0.01)
    return bool(predicate())


def settle(seconds):
    wait(lambda: False, seconds)


def action(menu, text):
    menu.aboutToShow.emit()
    return next(a for a in menu.actions() if a.text() == text)


def first():
    window = next(w for w in qapp.topLevelWidgets() if isinstance(w, MainWindow))
    seen["window"] = window
    tray = window.tray
    facts["available"] = QSystemTrayIcon.isSystemTrayAvailable()
    facts["tray_object"] = tray.available
    facts["window_visible"] = window.isVisible()
    facts["status"] = window.statusBar().currentMessage()
    facts["message"] = tray.last_message
    if not tray.available:
        facts["steps"].append("close")
        window.close()  # with no tray this must end the program
        return
    # Embedded first at (0, 0); the tray host then moves it into its panel.
    wait(lambda: tray.icon.geometry().topLeft() != QPoint(0, 0) and tray.icon.geometry().width())
    g = tray.icon.geometry()
    facts["visible"] = tray.icon.isVisible()
    facts["geometry"] = [g.x(), g.y(), g.width(), g.height()]
    facts["tooltip"] = tray.icon.toolTip()
    tray.menu.aboutToShow.emit()
    facts["menu"] = [a.text() for a in tray.menu.actions()]
    facts["badge"] = tray.badge_count
    facts["sidebar"] = window.sidebar.item(0).text()
    facts["header"] = window.today_view.summary_label.text()

    action(tray.menu, "&Log a touch…").trigger()
    wait(lambda: window.touch_dialog is not None and window.touch_dialog.isVisible())
    dialog = window.touch_dialog
    facts["dialog_visible"] = dialog is not None and dialog.isVisible()
    facts["dialog_title"] = dialog.windowTitle() if dialog else None
    facts["dialog_client"] = dialog.client_picker.client_id() if dialog else None
    dialog.reject()
    ada_text = next(t for t in facts["menu"] if t.startswith("Ada Lovelace"))
    action(tray.menu, ada_text).trigger()
    wait(lambda: window.touch_dialog is not dialog and window.touch_dialog.isVisible())
    facts["ada_dialog_title"] = window.touch_dialog.windowTitle()
    window.touch_dialog.reject()

    if not window.isVisible():
        action(tray.menu, "&Today…").trigger()
        wait(window.isVisible)
    window.move(40, 60)
    window.resize(1000, 600)
    settle(0.5)
    tray.menu.popup(QPoint(g.right() - 260, g.bottom() + 4))
    wait(tray.menu.isVisible)
    settle(0.6)
    facts["menu_open"] = tray.menu.isVisible()
    QGuiApplication.primaryScreen().grabWindow(0).save(shot)
    tray.menu.close()

    window.close()
    settle(0.3)
    facts["after_close_window_visible"] = window.isVisible()
    facts["after_close_book_open"] = window.rapport.book is not None
    facts["close_message"] = tray.last_message
    facts["steps"].append("closed")
    QTimer.singleShot(300, lambda: later(window, tray))


def later(window, tray):
    facts["steps"].append("still running")
    action(tray.menu, "&Quit").trigger()


QTimer.singleShot(0, first)
QTimer.singleShot(30000, lambda: (facts.__setitem__("timed_out", True), qapp.exit(3)))
code = run_gui(book_path, config_dir=config_dir, start_hidden=(mode == "hidden"))
facts["exit_code"] = code
import shiboken6

# Torn down by run_gui itself, not left to the interpreter's exit (a crash there).
facts["window_deleted"] = not shiboken6.isValid(seen["window"])
facts["top_levels_left"] = len(qapp.topLevelWidgets())
print("FACTS " + json.dumps(facts), flush=True)
"""


def run_scenario(tmp_path: Path, env: dict[str, str], mode: str, shot: Path) -> dict:
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            SCENARIO,
            str(tmp_path / "book" / "rapport.db"),
            str(tmp_path / "config"),
            str(shot),
            mode,
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=90,
    )
    lines = [ln for ln in result.stdout.splitlines() if ln.startswith("FACTS ")]
    assert result.returncode == 0 and lines, result.stdout + result.stderr
    return json.loads(lines[-1][len("FACTS ") :])


def child_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DBUS_SESSION_BUS_ADDRESS", "WAYLAND_DISPLAY", "DISPLAY")
    }
    env.update(
        XDG_DATA_HOME=str(tmp_path / "xdg-data"),
        XDG_CONFIG_HOME=str(tmp_path / "xdg-config"),
        XDG_RUNTIME_DIR=str(tmp_path / "xdg-runtime"),
        HOME=str(tmp_path / "home"),
    )
    (tmp_path / "xdg-runtime").mkdir(mode=0o700, exist_ok=True)
    env.update(extra)
    return env


def shot_path(tmp_path: Path, name: str) -> Path:
    folder = Path(os.environ.get("RAPPORT_SHOTS_DIR") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder / name


def test_without_a_tray_closing_the_window_quits(tmp_path: Path) -> None:
    env = child_env(tmp_path, QT_QPA_PLATFORM="offscreen")
    facts = run_scenario(tmp_path, env, "hidden", tmp_path / "none.png")
    assert facts["available"] is False and facts["tray_object"] is False
    # Asked to start hidden, but with no tray there would be no way back: shown.
    assert facts["window_visible"] is True
    assert facts["status"] == NO_TRAY
    assert facts["steps"] == ["close"]
    assert facts["exit_code"] == 0 and "timed_out" not in facts
    assert facts["window_deleted"] is True and facts["top_levels_left"] == 0
    again = run_scenario(tmp_path, env, "again", tmp_path / "none.png")
    assert again["status"] == ""  # said once, remembered


# -- a real X server with a real tray --------------------------------------------------------


def _stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)


def _start_xvfb(logs: Path) -> tuple[subprocess.Popen[bytes], int]:
    """Xvfb on a display number it picks itself (``-displayfd``), so two runs never race
    for one number and nothing depends on the socket folder's location."""
    read_end, write_end = os.pipe()
    try:
        xvfb = subprocess.Popen(
            ["Xvfb", "-displayfd", str(write_end), "-screen", "0", "1280x800x24"]
            + ["-nolisten", "tcp"],
            stdout=(logs / "xvfb.out").open("wb"),
            stderr=subprocess.STDOUT,
            pass_fds=(write_end,),
        )
    finally:
        os.close(write_end)
    # Xvfb writes the number once it accepts connections; EOF first means it died.
    with os.fdopen(read_end, "rb") as pipe:
        ready, _, _ = select.select([pipe], [], [], 15)
        number = pipe.readline().strip() if ready else b""
    if not number.isdigit():
        _stop(xvfb)
        said = (logs / "xvfb.out").read_text(errors="replace")
        raise AssertionError(f"Xvfb did not start: {said}")
    return xvfb, int(number)


@pytest.fixture
def tray_display(tmp_path: Path) -> Iterator[str]:
    """An Xvfb screen with trayer as its system tray; yields the DISPLAY value."""
    missing = [tool for tool in ("Xvfb", "trayer") if shutil.which(tool) is None]
    if missing:
        # A failure, not a skip: `./dev test` installs both, so a missing one is a
        # broken set-up, and a skipped tray test would pass a tray nobody tried.
        pytest.fail(
            f"Xvfb/trayer not installed: {', '.join(missing)} "
            "(`./dev test` installs them; or apt-get install xvfb trayer)"
        )
    logs = tmp_path / "x-logs"
    logs.mkdir()
    xvfb, n = _start_xvfb(logs)
    display = f":{n}"
    trayer: subprocess.Popen[bytes] | None = None
    try:
        trayer = subprocess.Popen(
            [*TRAYER, "--height", "24"],
            env={**os.environ, "DISPLAY": display},
            stdout=(logs / "trayer.out").open("wb"),
            stderr=subprocess.STDOUT,
        )
        time.sleep(1.0)
        if trayer.poll() is not None:
            raise AssertionError(
                "trayer did not start: " + (logs / "trayer.out").read_text(errors="replace")
            )
        yield display
    finally:
        if trayer is not None:
            _stop(trayer)
        _stop(xvfb)


def xcb_env(tmp_path: Path, display: str) -> dict[str, str]:
    return child_env(tmp_path, DISPLAY=display, QT_QPA_PLATFORM="xcb")


def test_tray_on_a_real_desktop(tmp_path: Path, tray_display: str) -> None:
    shot = shot_path(tmp_path, "tray_menu.png")
    facts = run_scenario(tmp_path, xcb_env(tmp_path, tray_display), "shown", shot)
    assert facts["available"] is True and facts["tray_object"] is True
    assert facts["visible"] is True
    x, y, w, h = facts["geometry"]
    assert w > 0 and h > 0
    assert x > 640 and y < 30  # in trayer's panel, top right of the 1280x800 screen
    assert facts["window_visible"] is True
    assert facts["message"] is None  # the window shows Today; no popup at start
    # One count everywhere (issue 16): three things to do, with a real tray host.
    assert facts["tooltip"] == (
        "Rapport — 3 to do: 2 overdue, 1 today. First: Ada Lovelace, Ben Okafor, Chloé Martin"
    )
    assert facts["badge"] == 3
    assert facts["sidebar"] == "Today  (3)"
    assert facts["header"] == "3 to do: 2 overdue, 1 today"
    menu = [t for t in facts["menu"] if t]
    assert menu[:3] == ["&Today…", "&Log a touch…", "3 to do: 2 overdue, 1 today"]
    assert menu[3].startswith("Ada Lovelace — 10 days late")
    names = {m.split(" — ")[0].split(":")[0] for m in menu[3:6]}
    assert names == {"Ada Lovelace", "Ben Okafor", "Chloé Martin"}
    assert "Chloé Martin: Send the revised quote — today" in menu  # a follow-up says what
    assert not any(m.startswith("Dan Brown") for m in menu)
    assert menu[-3:] == ["&Pause reminders until tomorrow", "&Open Rapport", "&Quit"]
    assert facts["dialog_visible"] is True
    assert facts["dialog_title"] == "Log a touch"
    assert facts["dialog_client"] is None
    assert facts["ada_dialog_title"] == "Log a touch with Ada Lovelace"
    assert facts["menu_open"] is True
    assert shot.stat().st_size > 10_000
    # Closing the window leaves Rapport running in the tray, book open, and says so once.
    assert facts["after_close_window_visible"] is False
    assert facts["after_close_book_open"] is True
    assert facts["close_message"][0] == "Rapport is still running"
    assert facts["steps"] == ["closed", "still running"]
    # Quit from the tray really quits.
    assert facts["exit_code"] == 0 and "timed_out" not in facts
    assert facts["window_deleted"] is True and facts["top_levels_left"] == 0


def test_start_hidden_in_the_tray_announces_who_is_due(tmp_path: Path, tray_display: str) -> None:
    facts = run_scenario(
        tmp_path, xcb_env(tmp_path, tray_display), "hidden", tmp_path / "hidden.png"
    )
    assert facts["available"] is True
    assert facts["window_visible"] is False
    assert facts["message"] == [
        "Rapport",
        "3 clients are due today: Ada Lovelace, Ben Okafor and Chloé Martin.",
    ]
    assert facts["dialog_visible"] is True  # a dialog opens even with no window shown
    assert facts["exit_code"] == 0
