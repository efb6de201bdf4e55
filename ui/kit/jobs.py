"""Work that must not freeze the window (rendering a PDF, finalising with its
hash) runs on Qt's thread pool; its result comes back on the GUI thread.

The agreement window and the repair wizard each had their own copy; they share
this one, so a failure is logged and told the same way from either.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import TypeVar

from PySide6.QtCore import (
    QCoreApplication,
    QEventLoop,
    QObject,
    QRunnable,
    QThreadPool,
    Signal,
)

log = logging.getLogger(__name__)

T = TypeVar("T")
# How often a wait on the pool lets the window paint (seconds).
WAIT_STEP_S = 0.02


class JobSignals(QObject):
    """A QRunnable is no QObject: its signals live here, made on the GUI thread."""

    done = Signal(object)
    failed = Signal(str)


class BackgroundJob(QRunnable):
    """Run ``work`` on the thread pool; ``done`` carries its result to the GUI thread,
    ``failed`` a message (the traceback goes to the log)."""

    def __init__(self, work: Callable[[], object], *, what: str = "Background work") -> None:
        super().__init__()
        self.work = work
        self.what = what
        self.signals = JobSignals()

    def run(self) -> None:
        try:
            result = self.work()
        except Exception as exc:  # told to the user in the window, logged here
            log.exception("%s failed", self.what)
            self.signals.failed.emit(str(exc) or exc.__class__.__name__)
            return
        self.signals.done.emit(result)

    def start(self, pool: QThreadPool | None = None) -> BackgroundJob:
        """Queue the job (on the global pool unless told otherwise)."""
        (pool or QThreadPool.globalInstance()).start(self)
        return self


def wait_off_gui_thread(work: Callable[[], T], *, what: str = "Background work") -> T:
    """Run ``work`` on the pool and wait for it, the window still drawn meanwhile.

    For a slow step whose callers need its answer at once (restoring a backup
    between closing the book and opening it again): the GUI thread keeps
    painting and running timers, but takes no clicks or keys until it is over, so
    nothing can be started against a book that is not there. ``work``'s exception
    is raised here, as if it had run in place.
    """
    if QCoreApplication.instance() is None:
        return work()
    over = threading.Event()
    outcome: list[tuple[bool, object]] = []

    def guarded() -> None:
        try:
            outcome.append((True, work()))
        except BaseException as exc:  # raised again below, on the caller's thread
            outcome.append((False, exc))
        finally:
            over.set()

    BackgroundJob(guarded, what=what).start()
    while not over.wait(WAIT_STEP_S):
        QCoreApplication.processEvents(QEventLoop.ProcessEventsFlag.ExcludeUserInputEvents)
    ok, value = outcome[0]
    if not ok:
        assert isinstance(value, BaseException)
        raise value
    return value  # type: ignore[return-value]
