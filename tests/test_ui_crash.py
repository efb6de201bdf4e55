"""An error nobody planned for, raised inside a real slot: logged, shown once, app alive."""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication, QPushButton

from models.logs import LOG_FILENAME, setup_logging
from ui.crash import (
    SAFE_HEADLINE,
    UNSURE_HEADLINE,
    CrashReporter,
    install_crash_hook,
    uninstall_crash_hook,
)

pytestmark = pytest.mark.qt_no_exception_capture  # our hook, not pytest-qt's, sees them


@pytest.fixture
def opened_folders() -> list[bool]:
    return []


@pytest.fixture
def reporter(tmp_path: Path, opened_folders: list[bool]) -> Iterator[CrashReporter]:
    setup_logging()
    # The file manager is not started from a test; the button's wiring is what counts.
    hook = install_crash_hook(open_folder=lambda: opened_folders.append(True) or True)
    yield hook
    if hook.dialog is not None:
        hook.dialog.close()
    uninstall_crash_hook()


def log_text() -> str:
    folder = Path(os.environ["XDG_STATE_HOME"]) / "Rapport" / "log"
    return (folder / LOG_FILENAME).read_text(encoding="utf-8")


def failing_button(qtbot, error: Exception) -> QPushButton:  # noqa: ANN001
    button = QPushButton("Do it")
    qtbot.addWidget(button)

    def slot() -> None:
        raise error

    button.clicked.connect(slot)
    return button


def test_an_error_in_a_slot_shows_one_calm_dialog_and_is_logged(
    qtbot,
    reporter: CrashReporter,
    tmp_path: Path,
    opened_folders: list[bool],  # noqa: ANN001
) -> None:
    button = failing_button(qtbot, RuntimeError("the sprocket slipped"))
    button.click()
    qtbot.waitUntil(lambda: reporter.dialog is not None and reporter.dialog.isVisible())
    dialog = reporter.dialog
    assert dialog is not None
    assert dialog.headline.text() == SAFE_HEADLINE
    assert "keep working" in dialog.body.text()
    assert "RuntimeError: the sprocket slipped" in dialog.details.toPlainText()
    assert not dialog.details.isVisible()  # the traceback waits behind Show details
    assert "RuntimeError: the sprocket slipped" in log_text()
    assert "Unexpected error" in log_text()

    # The app keeps running: the same slot fails again into the same dialog.
    button.click()
    assert reporter.dialog is dialog
    assert dialog.count == 2 and dialog.repeats.text() == "This happened 2 times."
    assert [
        w
        for w in QApplication.topLevelWidgets()
        if type(w).__name__ == "CrashDialog" and w.isVisible()
    ] == [dialog]

    dialog.copy_button.click()
    copied = QApplication.clipboard().text()
    assert "the sprocket slipped" in copied and "Log file:" in copied
    dialog.folder_button.click()
    assert opened_folders == [True]
    dialog.close_button.click()
    assert reporter.dialog is None


def test_a_database_error_does_not_promise_the_book_is_safe(
    qtbot,
    reporter: CrashReporter,  # noqa: ANN001
) -> None:
    try:
        raise sqlite3.OperationalError("disk I/O error")
    except sqlite3.OperationalError as inner:
        try:
            raise ValueError("saving failed") from inner
        except ValueError as outer:
            error = outer
    failing_button(qtbot, error).click()
    qtbot.waitUntil(lambda: reporter.dialog is not None and reporter.dialog.isVisible())
    assert reporter.dialog.headline.text() == UNSURE_HEADLINE
    assert "may not have been saved" in reporter.dialog.body.text()


def test_an_error_on_a_worker_thread_reaches_the_dialog_on_the_gui_thread(
    qtbot,
    reporter: CrashReporter,
    tmp_path: Path,  # noqa: ANN001
) -> None:
    def work() -> None:
        raise KeyError("missing on a worker")

    worker = threading.Thread(target=work)
    worker.start()
    worker.join()
    qtbot.waitUntil(lambda: reporter.dialog is not None and reporter.dialog.isVisible())
    assert "KeyError: 'missing on a worker'" in reporter.dialog.details.toPlainText()
    assert "missing on a worker" in log_text()


def test_help_menu_offers_the_log_folder(window) -> None:  # noqa: ANN001
    help_menu = next(
        a.menu() for a in window.menuBar().actions() if a.text().replace("&", "") == "Help"
    )
    texts = [a.text().replace("&", "") for a in help_menu.actions() if not a.isSeparator()]
    assert texts[0] == "Open log folder"
