"""Set-up shared by the UI tests: one fixed "now", clients added some days back,
and windows and dialogs brought up the way a user would meet them.

Kept out of conftest.py because it imports Qt: only the modules that drive
widgets import it, so the unit tests still run without Qt loaded. The
``rapport`` and ``window`` fixtures that use it live in conftest.py.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QWidget

from models.services.clients import ClientInput, create_client
from ui.app import RapportApp
from ui.main.window import MainWindow

# A Tuesday morning, in the machine's own time zone like the app's clock.
NOW = datetime(2026, 3, 10, 9, 30).astimezone()
TODAY = NOW.date()
LEFT = Qt.MouseButton.LeftButton
CTRL = Qt.KeyboardModifier.ControlModifier
NONE = Qt.KeyboardModifier.NoModifier

_Shown = TypeVar("_Shown", bound=QWidget)


def fixed_clock() -> datetime:
    """The app's clock for tests that need "today" to be TODAY (see ``app_clock``)."""
    return NOW


def add_client(rapport: RapportApp, name: str, cadence: int | None, added_days_ago: int) -> int:
    """A client added ``added_days_ago`` days before NOW, with no touches yet: with a
    rhythm, it falls due ``cadence`` days after it was added."""
    return create_client(
        rapport.book,
        ClientInput(name=name, cadence_days=cadence),
        now=NOW - timedelta(days=added_days_ago),
    )


def due_client(rapport: RapportApp, name: str, days_late: int, cadence: int = 30) -> int:
    """A client whose keep-in-touch date is ``days_late`` days behind today."""
    return add_client(rapport, name, cadence, cadence + days_late)


def open_window(
    qtbot: Any, rapport: RapportApp, *, size: tuple[int, int] | None = None
) -> MainWindow:
    """The main window shown, active and exposed, as a user sees it on start."""
    window = MainWindow(rapport)
    qtbot.addWidget(window)
    if size is not None:
        window.resize(*size)
    window.show()
    window.activateWindow()
    qtbot.waitExposed(window)
    return window


def shown(qtbot: Any, dialog: _Shown | None) -> _Shown:
    """A dialog the window just opened, once it is on screen and has the keyboard."""
    assert dialog is not None
    qtbot.waitExposed(dialog)
    qtbot.waitUntil(dialog.isActiveWindow)
    return dialog


def press(qtbot: Any, key: Qt.Key, modifier: Qt.KeyboardModifier = NONE) -> None:
    """A key goes where the keyboard is, as it would for a person."""
    widget = QApplication.focusWidget()
    assert widget is not None
    qtbot.keyClick(widget, key, modifier)


def type_keys(qtbot: Any, keys: list[tuple[Qt.Key, Qt.KeyboardModifier]]) -> None:
    """Each key goes to whatever has the keyboard at that moment."""
    for key, modifier in keys:
        press(qtbot, key, modifier)


def save_screenshot(widget: QWidget, folder: Path, name: str) -> Path:
    """Grab ``widget`` into ``folder/name`` and check the file is a real picture of it.

    A screenshot that only "saved" proves nothing: the file is read back, must have
    the widget's size in device pixels, and must hold more than one colour (a blank
    or unpainted grab is a single flat colour).
    """
    from PySide6.QtGui import QImage

    path = folder / name
    picture = widget.grab()
    assert picture.save(str(path), "PNG"), f"could not write {path}"
    image = QImage(str(path))
    assert not image.isNull(), f"{path} is not a readable PNG"
    ratio = picture.devicePixelRatio()
    assert (image.width(), image.height()) == (
        round(widget.width() * ratio),
        round(widget.height() * ratio),
    )
    step = max(1, min(image.width(), image.height()) // 40)
    colours = {
        image.pixel(x, y)
        for x in range(0, image.width(), step)
        for y in range(0, image.height(), step)
    }
    assert len(colours) > 2, f"{path} is blank ({len(colours)} colour(s))"
    return path


def round_the_clock(book) -> None:
    """Let promises fall due at any hour on any day, for tests about breaches rather
    than working time (a promise made at 03:30 is then due 03:30 the next day)."""
    from datetime import time

    from models.services.work_settings import WorkSettings, set_work_settings
    from models.working_time import WorkingWeek

    week = WorkingWeek(days=frozenset(range(7)), start=time(0), end=time(23, 59, 59))
    set_work_settings(book, WorkSettings(week=week))
