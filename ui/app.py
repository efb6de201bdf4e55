"""The application object (the GUI is put together in ui/gui.py).

RapportApp owns what must outlive any one window and must change together when
the user switches books: the open Book, its lock and the single-instance server.
Each user action announces once what it changed (``changed(Changes, initiator)``,
only through ui/ops.py); views subscribe by flags (ui/kit/subscribe.py), so a save
in a dialog never has to know which views are open. This module imports no window.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from PySide6.QtCore import QObject, QSettings, QTimer, Signal
from PySide6.QtWidgets import QApplication, QWidget

from models import paths

# Only the two parts every open needs: taking, restoring and damage reports load
# when they are used, after the first paint (models/backups/__init__.py).
from models.backups.leftovers import clear_leftovers
from models.backups.mounts import network_warning
from models.changes import AGREEMENTS, BOOK, CLIENTS, DATES, DAY, INCIDENTS, REMINDERS, Changes
from models.dates import open_style, use_locale
from models.db import CHECK_BACKGROUND, Book, BookDamagedError, BookError, open_book
from models.errors import RapportError
from models.lock import BookLock
from models.reads import count_clients, date_locale, today_head, today_plan
from models.reminders import FIRST_ROWS, TodayHead, TodayPlan, head_of, local_date
from ui.due_clock import DueClock
from ui.icons import app_icon
from ui.instance import SingleInstance, owner_may_be_opening
from ui.kit.jobs import wait_off_gui_thread
from ui.kit.registry import AGREEMENT as AGREEMENT_WINDOW
from ui.kit.registry import open_windows
from ui.open_outcome import OpenOutcome, OpenStatus, busy_message
from ui.ops import announce as announce_change

if TYPE_CHECKING:
    from models.backups import DamageReport, RestoreResult


class Waitable(Protocol):
    """What the app needs of a worker it owns (the warm-up): to wait for it.
    Structural, so this module imports no window or worker."""

    def wait(self) -> object: ...


class Background(Waitable, Protocol):
    """A worker the app also stops when it closes (the auto-backup)."""

    def stop(self) -> object: ...


APP_NAME = "Rapport"
SETTINGS_FILE = "rapport.ini"


@dataclass(frozen=True, eq=False)
class ChangeKind(Changes):
    """One kind of change under its old name (``CHANGED_INCIDENTS``…), for scripts
    and tests that announce or wait for a change by hand. Since one action now
    announces all it touched at once, ``what == CHANGED_INCIDENTS`` asks "did this
    touch incidents?" rather than "was it only incidents?"."""

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Changes):
            return other.anything(self)
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self.names())


CHANGED_BOOK = ChangeKind(**vars(BOOK))
CHANGED_CLIENTS = ChangeKind(**vars(CLIENTS))
CHANGED_REMINDERS = ChangeKind(**vars(REMINDERS))
CHANGED_DAY = ChangeKind(**vars(DAY))
CHANGED_INCIDENTS = ChangeKind(**vars(INCIDENTS))
CHANGED_AGREEMENTS = ChangeKind(**vars(AGREEMENTS))


# How often the GUI thread looks for the verdict of a book's health check.
CHECK_POLL_MS = 20


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

    # (Changes, who changed it): views subscribe by flags (ui/kit/subscribe.py) and
    # skip work they caused themselves if they like. Emitted only by ui/ops.py.
    changed = Signal(object, object)
    # Another start asked for this book: bring the window to the front.
    activated = Signal()
    # The user chose Quit (not just closing the window): the event loop should end.
    quit_requested = Signal()
    # The open book's health check has run (the Book, passed or not), on the GUI thread.
    book_checked = Signal(object)
    # The open book failed its check and was set aside (a DamageReport).
    damaged = Signal(object)
    # What the first window did not need (the ORM, the services, the dialogs) is
    # loaded now (ui/warmup.py): emitted once, after the first paint.
    warmed = Signal()
    # A book opened after the warm-up wants a date style not compiled yet.
    date_style_missing = Signal()

    def __init__(self, *, config_dir: Path | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        folder = Path(config_dir) if config_dir is not None else paths.config_dir()
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        self.settings = QSettings(str(folder / SETTINGS_FILE), QSettings.Format.IniFormat)
        self.book: Book | None = None
        self.lock: BookLock | None = None
        self.instance: SingleInstance | None = None
        # Set by run_gui: the single-instance server starts after the first paint.
        self.listen_later = False
        self.quitting = False
        # The one source of "now" for every view: tests set it to a fixed moment.
        self.clock: Callable[[], datetime] = local_now
        self.due_clock = DueClock(self.now, self)
        self.due_clock.day_changed.connect(self._on_day_changed)
        # Why the open book's folder is unsafe for SQLite, if it is (a network drive).
        self.network_warning: str | None = None
        # A damage report no window has shown yet (the window may not exist yet).
        self.pending_damage: DamageReport | None = None
        self.auto_backup: Background | None = None
        # The check runs on a plain Python thread, which never touches Qt: the GUI
        # thread looks for its verdict instead (a few polls, then the timer stops).
        self._check_poll = QTimer(self)
        self._check_poll.setInterval(CHECK_POLL_MS)
        self._check_poll.timeout.connect(self._poll_check)
        # Today's plan, shared by the Today view and the tray: (book, day, commits, plan).
        self._plan: tuple[Book, date, int, TodayPlan] | None = None
        # Its first rows and counts, as Today and the tray show them:
        # (book, day, commits, limit, head).
        self._head: tuple[Book, date, int, int | None, TodayHead] | None = None
        # Connected before any view is, so every view reads a fresh plan after a change.
        self.changed.connect(self._forget_plan)
        self.warm = False
        self.warmup: Waitable | None = None
        # A date style still to compile (ui/date_refresh.py), and the job doing it.
        self.date_style_wanted: str | None = None
        self.date_style_job: object | None = None

    def now(self) -> datetime:
        """The current moment, time-zone aware, from the injectable clock."""
        return self.clock()

    def today(self) -> date:
        """The user's calendar day, the same way the services count a touch's day."""
        return local_date(self.now())

    def today_plan(self) -> TodayPlan:
        """What is due today and this week, read once per change however many views
        ask: the book's commit count and the day are part of the key, so a save made
        without a ``changed`` signal is still seen."""
        book = self.book
        if book is None:
            return TodayPlan(due=[], upcoming=[])
        day = self.today()
        cached = self._plan
        if cached is not None and cached[0] is book and cached[1:3] == (day, book.commits):
            return cached[3]
        plan = today_plan(book, day)
        self._plan = (book, day, book.commits, plan)
        return plan

    def today_head(self, limit: int | None = FIRST_ROWS) -> TodayHead:
        """The first ``limit`` rows of each part of today's plan and the counts of all
        of it: what Today and the tray show. Until the app is warm it is read straight
        from the book (ordered, limited queries), so the first window never waits for
        every due item of a big book to be ordered; after that the tray reads the whole
        plan on every change anyway (its notifications), and the head is cut from it."""
        book = self.book
        day = self.today()
        if book is None:
            return head_of(TodayPlan(due=[], upcoming=[]), day, limit)
        cached = self._head
        if cached is not None and cached[0] is book and cached[1:4] == (day, book.commits, limit):
            return cached[4]
        whole = self._plan
        if whole is not None and whole[0] is book and whole[1:3] == (day, book.commits):
            head = head_of(whole[3], day, limit)
        elif self.warm:
            head = head_of(self.today_plan(), day, limit)
        else:
            head = today_head(book, day, limit)
        self._head = (book, day, book.commits, limit, head)
        return head

    def _forget_plan(self, _what: object = None, _initiator: object = None) -> None:
        self._plan = None
        self._head = None

    def _on_day_changed(self, _day: date) -> None:
        announce_change(self, DAY, self)

    def date_style_ready(self) -> None:
        """A style compiled late (ui/date_refresh.py): every view writes its dates again."""
        announce_change(self, DATES, self)

    def quit(self) -> None:
        """Really quit, even when closing the window would only hide it in the tray."""
        self.quitting = True
        self.quit_requested.emit()

    @property
    def agreement_windows(self) -> dict[int, QWidget]:
        """One window per agreement, shared by every way in (client page, incident)."""
        return open_windows(self, AGREEMENT_WINDOW)

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
            if SingleInstance.notify_running(path, owner_opening=owner_may_be_opening(lock)):
                return OpenOutcome(OpenStatus.HANDED_OVER)
            return OpenOutcome(OpenStatus.FAILED, busy_message(lock.holder_pid()))
        # Ours alone now: what a killed backup, restore or import left beside it goes.
        clear_leftovers(path, locked=True)
        try:
            book = open_book(path, check=CHECK_BACKGROUND)
        except BookDamagedError as exc:
            report = self._set_aside(path, exc.problems)
            lock.release()
            return OpenOutcome(OpenStatus.FAILED, str(exc), damage=report)
        except BookError as exc:
            lock.release()
            return OpenOutcome(OpenStatus.FAILED, str(exc))
        except OSError as exc:
            lock.release()
            return OpenOutcome(
                OpenStatus.FAILED, f"{path} could not be opened: {exc.strerror or exc}."
            )

        setting = date_locale(book)
        use_locale(setting)
        # In force now if compiled before; else compiled off the GUI thread once warm.
        self.date_style_wanted = None if open_style(setting) else setting
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
        if not self.listen_later:
            self.instance.listen()
        self.network_warning = network_warning(path)
        # Writes wait for the health check (models.db); its verdict is picked up here.
        self._check_poll.start()
        if old_book is not None:
            announce_change(self, BOOK, self)
        if self.date_style_wanted is not None and self.warm:
            self.date_style_missing.emit()
        return OpenOutcome(OpenStatus.OPENED)

    def listen_now(self) -> None:
        """Start answering later starts on the open book (after the first paint)."""
        self.listen_later = False
        if self.instance is not None:
            self.instance.listen()

    def open_in_place(self, book_path: Path) -> OpenOutcome:
        """Open ``book_path`` where a damaged or restored book was, and say so:
        ``open`` announces only a switch from one open book to another, while here
        the views (a window showing no book) must hear of it either way."""
        had_book = self.book is not None
        outcome = self.open(book_path)
        if not had_book and outcome.ok:
            announce_change(self, BOOK, self)
        return outcome

    def _poll_check(self) -> None:
        book = self.book
        if book is None:
            self._check_poll.stop()
        elif book.checked:
            self._check_poll.stop()
            self._on_book_checked(book)

    def _on_book_checked(self, book: Book) -> None:
        self.book_checked.emit(book)
        if book.damaged:
            self._book_damaged(book)

    def read_failed(self, book: Book | None, *, announce: bool = True) -> bool:
        """A read of ``book`` just failed. A damaged book can fail a read before its
        check (on a worker thread) has spoken: wait for the verdict, and if the check
        found damage, handle it like any other and return True. False: not damage
        (the caller re-raises)."""
        if book is None or book is not self.book or not book.wait_checked(60):
            return False
        if not book.damaged:
            return False
        self._check_poll.stop()
        self._book_damaged(book, announce=announce)
        return True

    def _book_damaged(self, book: Book, *, announce: bool = True) -> None:
        """The open book failed its check: close it without a checkpoint, set it aside
        under the lock, and let the window offer the newest good backup (``damaged``,
        or ``pending_damage`` for a window that does not exist yet)."""
        book.close()
        report = self._set_aside(book.path, book.problems or [])
        self.book = None
        self._let_go()
        self.pending_damage = report
        announce_change(self, BOOK, self)
        if announce:
            self.damaged.emit(report)

    def _set_aside(self, path: Path, problems: list[str]) -> DamageReport:
        from models.backups import report_damage

        try:
            return report_damage(path, problems, may_move=True)
        except OSError:  # could not rename it: leave it in place, untouched
            return report_damage(path, problems, may_move=False)

    def _let_go(self) -> None:
        """Close the book, its single-instance server and its lock, in that order."""
        if self.instance is not None:
            self.instance.close()
            self.instance.deleteLater()
            self.instance = None
        if self.book is not None:
            self.book.close()
            self.book = None
        if self.lock is not None:
            self.lock.release()
            self.lock = None

    def restore(self, backup: Path, book_path: Path | None = None) -> OpenOutcome:
        """Replace a book (the open one unless ``book_path``) with ``backup``, then open it.

        The book is closed and its lock taken for the restore, which backs the current
        book up first and verifies the copy before it replaces anything
        (models.backups.restore_backup). If the restore fails, the book is opened again
        as it was.
        """
        if book_path is None and self.book is None:
            return OpenOutcome(OpenStatus.FAILED, "No book is open.")
        from models.backups import clients_phrase, describe_time, restore_backup

        target = Path(book_path if book_path is not None else self.book_path or "")
        target = target.expanduser().resolve()
        if self.auto_backup is not None:
            self.auto_backup.wait()
        if self.book is not None and _same_file(self.book.path, target):
            self._let_go()
        lock = BookLock(target)
        try:
            target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            locked = lock.acquire()
        except OSError as exc:
            return OpenOutcome(
                OpenStatus.FAILED, f"{target} could not be opened: {exc.strerror or exc}."
            )
        if not locked:
            return OpenOutcome(OpenStatus.FAILED, busy_message(lock.holder_pid()))
        error: str | None = None
        result: RestoreResult | None = None
        try:
            # Copying and checking a big book takes seconds: off the GUI thread,
            # the window still drawn (ui/kit/jobs.py).
            result = wait_off_gui_thread(
                lambda: restore_backup(target, backup), what="Restoring a backup"
            )
        except RapportError as exc:
            error = str(exc)
        except OSError as exc:
            error = f"The backup could not be restored: {exc.strerror or exc}."
        finally:
            lock.release()
        outcome = self.open_in_place(target)
        if error is not None or result is None:
            return OpenOutcome(OpenStatus.FAILED, error or "The backup was not restored.")
        if not outcome.ok:
            return outcome
        message = (
            f"Restored the backup from {describe_time(result.backup.taken_at)}"
            f"{clients_phrase(result.counts.get('client'))}."
        )
        if result.before_restore is not None:
            message += " Your book as it was is saved as a backup."
        missing = tuple(result.missing_evidence)
        if missing:
            n = len(missing)
            message += f" {n} evidence file{'s were' if n != 1 else ' was'} missing."
        return OpenOutcome(OpenStatus.OPENED, message, missing_evidence=missing)

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
            announce_change(self, CLIENTS, self)
        return outcome

    def open_default(self) -> OpenOutcome:
        return self.open(paths.default_book_path())

    def close(self) -> None:
        """Let go of the book: connections first, then the lock that guards them."""
        self.due_clock.stop()
        self._check_poll.stop()
        if self.warmup is not None:
            self.warmup.wait()
        if self.auto_backup is not None:
            self.auto_backup.stop()
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
