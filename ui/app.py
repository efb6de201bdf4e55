"""The application object and the GUI entry point.

RapportApp owns what must outlive any one window and must change together when
the user switches books: the open Book, its lock and the single-instance server.
Views listen to ``changed`` and decide for themselves whether to refresh, so a
save in a dialog never has to know which views are open.
"""

from __future__ import annotations

import enum
import sys
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QSettings, Signal
from PySide6.QtWidgets import QApplication, QMessageBox

from models import paths
from models.db import Book, BookError, open_book
from models.lock import BookLock
from models.services.clients import count_clients, local_date
from ui.due_clock import DueClock
from ui.icons import app_icon
from ui.instance import SingleInstance

if TYPE_CHECKING:
    from ui.agreement_window import AgreementWindow
    from ui.main_window import MainWindow
    from ui.tray import RapportTray

APP_NAME = "Rapport"
SETTINGS_FILE = "rapport.ini"

# What ``changed`` reports; a view refreshes for the kinds it shows.
CHANGED_BOOK = "book"
CHANGED_CLIENTS = "clients"
# Touches logged, follow-ups done, snoozed or reopened: what is due has moved.
CHANGED_REMINDERS = "reminders"
# The local date moved on (midnight, a wake-up, a clock change).
CHANGED_DAY = "day"
# An incident was opened, moved, answered, or its timeline or evidence changed.
CHANGED_INCIDENTS = "incidents"
# An agreement was drafted, edited, made final, versioned, or a commitment settled.
CHANGED_AGREEMENTS = "agreements"


class OpenStatus(enum.Enum):
    OPENED = "opened"
    HANDED_OVER = "handed_over"
    FAILED = "failed"


@dataclass(frozen=True)
class OpenOutcome:
    status: OpenStatus
    message: str = ""

    @property
    def ok(self) -> bool:
        return self.status is OpenStatus.OPENED


def busy_message(pid: int | None) -> str:
    if pid:
        return f"This book is open in another program (process {pid})."
    return "This book is open in another program."


def local_now() -> datetime:
    return datetime.now().astimezone()


def book_title(path: Path) -> str:
    """The name the user sees for a book; the demo is never mistaken for theirs."""
    if path.name == paths.DEMO_FILENAME:
        return "Demo book"
    if path.name == paths.BOOK_FILENAME:
        return "My book"
    return path.stem


class RapportApp(QObject):
    """The open book and everything tied to it, shared by every window and view."""

    # (what changed, who changed it): views skip work they caused themselves if they like.
    changed = Signal(str, object)
    # Another start asked for this book: bring the window to the front.
    activated = Signal()
    # The user chose Quit (not just closing the window): the event loop should end.
    quit_requested = Signal()

    def __init__(self, *, config_dir: Path | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        folder = Path(config_dir) if config_dir is not None else paths.config_dir()
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        self.settings = QSettings(str(folder / SETTINGS_FILE), QSettings.Format.IniFormat)
        self.book: Book | None = None
        self.lock: BookLock | None = None
        self.instance: SingleInstance | None = None
        self.quitting = False
        # One window per agreement, shared by every way in (client page, incident).
        self.agreement_windows: dict[int, AgreementWindow] = {}
        # The one source of "now" for every view: tests set it to a fixed moment.
        self.clock: Callable[[], datetime] = local_now
        self.due_clock = DueClock(self.now, self)
        self.due_clock.day_changed.connect(self._on_day_changed)

    def now(self) -> datetime:
        """The current moment, time-zone aware, from the injectable clock."""
        return self.clock()

    def today(self) -> date:
        """The user's calendar day, the same way the services count a touch's day."""
        return local_date(self.now())

    def _on_day_changed(self, _day: date) -> None:
        self.changed.emit(CHANGED_DAY, self)

    def quit(self) -> None:
        """Really quit, even when closing the window would only hide it in the tray."""
        self.quitting = True
        self.quit_requested.emit()

    @property
    def book_path(self) -> Path | None:
        return self.book.path if self.book is not None else None

    @property
    def title(self) -> str:
        return book_title(self.book.path) if self.book is not None else APP_NAME

    @property
    def is_demo(self) -> bool:
        return self.book is not None and self.book.path.name == paths.DEMO_FILENAME

    @property
    def is_default_book(self) -> bool:
        return self.book is not None and _same_file(self.book.path, paths.default_book_path())

    def open(self, book_path: Path) -> OpenOutcome:
        """Make ``book_path`` the open book, or explain why not.

        The new book is locked and opened before the old one is let go, so a
        failure (the book is busy, damaged, too new) leaves the window on the book
        it had. When another Rapport owns the book it is asked to come forward.
        """
        path = Path(book_path).expanduser().resolve()
        if self.book is not None and _same_file(self.book.path, path):
            return OpenOutcome(OpenStatus.OPENED)
        try:
            path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            lock = BookLock(path)
            locked = lock.acquire()
        except OSError as exc:
            return OpenOutcome(
                OpenStatus.FAILED, f"{path} could not be opened: {exc.strerror or exc}."
            )
        if not locked:
            if SingleInstance.notify_running(path):
                return OpenOutcome(OpenStatus.HANDED_OVER)
            return OpenOutcome(OpenStatus.FAILED, busy_message(lock.holder_pid()))
        try:
            book = open_book(path)
        except BookError as exc:
            lock.release()
            return OpenOutcome(OpenStatus.FAILED, str(exc))
        except OSError as exc:
            lock.release()
            return OpenOutcome(
                OpenStatus.FAILED, f"{path} could not be opened: {exc.strerror or exc}."
            )

        old_book, old_lock, old_instance = self.book, self.lock, self.instance
        if old_instance is not None:
            old_instance.close()
            old_instance.deleteLater()
        if old_book is not None:
            old_book.close()
        if old_lock is not None:
            old_lock.release()

        self.book, self.lock = book, lock
        self.instance = SingleInstance(path, self)
        self.instance.activated.connect(self.activated)
        # Without the server a second start cannot hand over, but the lock still
        # keeps the book safe, so this is not worth refusing to start.
        self.instance.listen()
        if old_book is not None:
            self.changed.emit(CHANGED_BOOK, self)
        return OpenOutcome(OpenStatus.OPENED)

    def open_demo(self) -> OpenOutcome:
        """Switch to the demo book, filling it with sample clients the first time."""
        outcome = self.open(paths.demo_book_path())
        if (
            outcome.ok
            and self.book is not None
            and count_clients(self.book, include_archived=True) == 0
        ):
            from models.demo import fill_demo  # only needed once per demo book

            fill_demo(self.book)
            self.changed.emit(CHANGED_CLIENTS, self)
        return outcome

    def open_default(self) -> OpenOutcome:
        return self.open(paths.default_book_path())

    def close(self) -> None:
        """Let go of the book: connections first, then the lock that guards them."""
        self.due_clock.stop()
        if self.instance is not None:
            self.instance.close()
            self.instance = None
        if self.book is not None:
            self.book.close()
            self.book = None
        if self.lock is not None:
            self.lock.release()
            self.lock = None
        self.settings.sync()


def _same_file(a: Path, b: Path) -> bool:
    return Path(a).expanduser().resolve() == Path(b).expanduser().resolve()


def ensure_application() -> QApplication:
    """The one QApplication, named so QSettings and the desktop know who we are."""
    existing = QApplication.instance()
    qapp = existing if isinstance(existing, QApplication) else QApplication(sys.argv[:1])
    qapp.setApplicationName(APP_NAME)
    qapp.setOrganizationName(APP_NAME)
    qapp.setApplicationDisplayName(APP_NAME)
    qapp.setWindowIcon(app_icon())
    return qapp


def make_gui(rapport: RapportApp, *, start_hidden: bool = False) -> tuple[MainWindow, RapportTray]:
    """The window and the tray icon, wired together, as run_gui and the tray tests use them.

    The window is shown unless ``start_hidden`` asks for the tray only; without a
    system tray there would be no way back to a hidden window, so it is shown then too.
    """
    from ui.main_window import MainWindow
    from ui.tray import RapportTray

    window = MainWindow(rapport)
    tray = RapportTray(rapport, window)
    window.set_tray(tray)
    rapport.due_clock.start()
    shown = not start_hidden or not tray.available
    if shown:
        window.show()
    # The window opens on Today, which already says who is due: no popup for that.
    tray.sync(quietly=shown)
    return window, tray


def run_gui(book_path: Path, *, start_hidden: bool = False, config_dir: Path | None = None) -> int:
    """Open ``book_path`` in a window and run until the user quits; returns an exit code.

    A second start on the same book brings the first window forward and returns 0.
    """
    qapp = ensure_application()
    rapport = RapportApp(config_dir=config_dir)
    outcome = rapport.open(book_path)
    if outcome.status is OpenStatus.HANDED_OVER:
        rapport.close()
        return 0
    if outcome.status is OpenStatus.FAILED:
        rapport.close()
        QMessageBox.critical(None, APP_NAME, outcome.message)
        return 1

    window, tray = make_gui(rapport, start_hidden=start_hidden)
    rapport.quit_requested.connect(qapp.quit)
    # With a tray, closing the window only hides it, and a dialog opened from the
    # tray may be the last window for a while: only Quit ends the program.
    qapp.setQuitOnLastWindowClosed(not tray.available)
    try:
        return qapp.exec()
    finally:
        window.save_settings()
        tray.hide()
        window.deleteLater()
        rapport.close()
