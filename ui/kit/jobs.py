"""Work that must not freeze the window (rendering a PDF, finalising with its
hash) runs on Qt's thread pool; its result comes back on the GUI thread.

The agreement window and the repair wizard each had their own copy; they share
this one, so a failure is logged and told the same way from either.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

log = logging.getLogger(__name__)


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
