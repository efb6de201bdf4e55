"""Automatic backups: after start-up and every half hour, on the kit's background
job (ui/kit/jobs.py), the result told on the GUI thread.

Apart from the backup dialogs so that starting the app loads only this, not the
dialogs behind it; models.backups (no SQLAlchemy) loads with the first backup,
after the first paint.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, QTimer, Signal

from ui.app import RapportApp
from ui.kit.jobs import BackgroundJob

if TYPE_CHECKING:
    from models.backups import BackupInfo

log = logging.getLogger(__name__)

# Half an hour of work is the most a crash of the laptop's disk should cost.
BACKUP_INTERVAL_MS = 30 * 60 * 1000
# The start-up backup waits until the window is up and drawn.
START_DELAY_MS = 1500


class AutoBackup(QObject):
    """Backs the open book up after start-up and every half hour, when it changed.

    Only once the book has passed its health check: a copy of a damaged book would
    fail its own check anyway, and must not push a good backup out of the folder.
    """

    finished = Signal(object)  # BackupInfo | None
    failed = Signal(str)

    def __init__(self, rapport: RapportApp, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.rapport = rapport
        self.started = False
        # The pool thread the last backup ran on (the kit's BackgroundJob).
        self.worker: threading.Thread | None = None
        self.job: BackgroundJob | None = None
        # Set while no backup runs: closing and restoring wait on it.
        self._idle = threading.Event()
        self._idle.set()
        # Commits seen when the last backup began, per book: the in-process half of
        # "has anything changed" (the file fingerprint in models.backups is the other).
        self._commits: dict[Path, int] = {}
        self.timer = QTimer(self)
        self.timer.setInterval(BACKUP_INTERVAL_MS)
        self.timer.timeout.connect(self.maybe_back_up)
        rapport.book_checked.connect(self._on_checked)

    def start(self, delay_ms: int = START_DELAY_MS) -> None:
        self.started = True
        self.timer.start()
        book = self.rapport.book
        if book is not None and book.checked and not book.damaged:
            QTimer.singleShot(delay_ms, self.maybe_back_up)

    def stop(self) -> None:
        """Stop the timer and let a backup in progress finish (it takes seconds at most)."""
        self.timer.stop()
        self.wait()

    @property
    def busy(self) -> bool:
        return not self._idle.is_set()

    def wait(self, timeout: float | None = None) -> bool:
        return self._idle.wait(timeout)

    def _on_checked(self, book: object) -> None:
        if self.started and book is self.rapport.book and not self.rapport.book.damaged:
            QTimer.singleShot(START_DELAY_MS, self.maybe_back_up)

    def maybe_back_up(self) -> bool:
        """Start a backup on a worker thread if the book may have changed; True if started."""
        book = self.rapport.book
        if book is None or not book.checked or book.damaged or self.busy:
            return False
        changed = book.commits != self._commits.get(book.path, 0)
        self._commits[book.path] = book.commits
        path = book.path
        self._idle.clear()
        job = BackgroundJob(lambda: self._work(path, changed), what="The automatic backup")
        # Queued to this object, which lives on the GUI thread: the result lands there.
        job.signals.done.connect(self._landed, Qt.ConnectionType.QueuedConnection)
        self.job = job
        job.start()
        return True

    def _work(self, path: Path, changed: bool) -> tuple[BackupInfo | None, str | None]:
        """On a pool thread: no Qt here. (BackupInfo or None, None), or (None, what
        went wrong in the user's words)."""
        from models.backups import KIND_AUTO, BackupError, needs_backup, take_backup

        self.worker = threading.current_thread()
        try:
            if not changed and not needs_backup(path):
                return (None, None)
            return (take_backup(path, kind=KIND_AUTO), None)
        except BackupError as exc:
            return (None, str(exc))
        except Exception as exc:  # logged, and the user hears that backups fail
            log.exception("The automatic backup of %s failed", path)
            return (None, f"The automatic backup failed: {exc}")
        finally:
            self._idle.set()

    def _landed(self, result: object) -> None:
        self.job = None
        info, problem = result  # type: ignore[misc]
        if problem is not None:
            self.failed.emit(problem)
        else:
            self.finished.emit(info)
