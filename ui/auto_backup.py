"""Automatic backups: after start-up and every half hour, on a worker thread.

Apart from the backup dialogs so that starting the app loads only this (and
models.backups, which needs no SQLAlchemy), not the dialogs behind it.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path

from PySide6.QtCore import QObject, QTimer, Signal

from models.backups import KIND_AUTO, BackupError, BackupInfo, needs_backup, take_backup
from ui.app import RapportApp

log = logging.getLogger(__name__)

# Half an hour of work is the most a crash of the laptop's disk should cost.
BACKUP_INTERVAL_MS = 30 * 60 * 1000
# The start-up backup waits until the window is up and drawn.
START_DELAY_MS = 1500
# How often the GUI thread looks whether a backup thread has finished.
COLLECT_MS = 100


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
        self.worker: threading.Thread | None = None
        # Commits seen when the last backup began, per book: the in-process half of
        # "has anything changed" (the file fingerprint in models.backups is the other).
        self._commits: dict[Path, int] = {}
        # What the worker left behind: (BackupInfo or None, None) or (None, message).
        self._result: tuple[BackupInfo | None, str | None] | None = None
        self._collect_timer = QTimer(self)
        self._collect_timer.setInterval(COLLECT_MS)
        self._collect_timer.timeout.connect(self._collect)
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
        self._collect_timer.stop()

    @property
    def busy(self) -> bool:
        return self.worker is not None and self.worker.is_alive()

    def wait(self, timeout: float | None = None) -> bool:
        if self.worker is not None:
            self.worker.join(timeout)
        return not self.busy

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
        self._result = None
        self.worker = threading.Thread(
            target=self._work, args=(path, changed), name="backup", daemon=False
        )
        self.worker.start()
        self._collect_timer.start()
        return True

    def _work(self, path: Path, changed: bool) -> None:
        """On the worker thread: no Qt here, only the result left for ``_collect``."""
        try:
            if not changed and not needs_backup(path):
                self._result = (None, None)
            else:
                self._result = (take_backup(path, kind=KIND_AUTO), None)
        except BackupError as exc:
            self._result = (None, str(exc))
        except Exception as exc:  # logged, and the user hears that backups fail
            log.exception("The automatic backup of %s failed", path)
            self._result = (None, f"The automatic backup failed: {exc}")

    def _collect(self) -> None:
        if self.busy:
            return
        self._collect_timer.stop()
        result, self._result = self._result, None
        if result is None:
            return
        info, problem = result
        if problem is not None:
            self.failed.emit(problem)
        else:
            self.finished.emit(info)
