"""Loading what the first window does not need, once it is on screen.

The main window opens on Today, which plain sqlite3 reads can fill (models/reads.py).
SQLAlchemy, the services and the dialogs take three times as long to import as
PySide6 itself, so they load after the first paint instead of before it:

1. on a worker thread (ui/kit/jobs.py), the ORM and the services (pure Python imports, no Qt: the
   event loop keeps running, and the GIL is let go every few milliseconds);
2. back on the GUI thread, the window fills what it left out (the client list with
   its health scores, the incidents page);
3. then the dialogs, one module per turn of the event loop, so the first click on
   "New client" or "Log a touch" does not wait for an import.

Anything the user does before this is over still works: it imports what it needs
where it is used (waiting for the worker's import of the same module, if need be).
bench/run.py times both moments: the first paint and ``done``.
"""

from __future__ import annotations

import importlib
import logging
import threading
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal

from ui.kit.jobs import BackgroundJob

if TYPE_CHECKING:
    from ui.app import RapportApp
    from ui.main.window import MainWindow

log = logging.getLogger(__name__)

# Imported on the GUI thread, one per turn. Not the PDF, import or export code: those
# load ReportLab, vobject and the like, which wait until they are asked for.
DIALOG_MODULES = (
    "ui.client_dialog",
    "ui.touch_dialog",
    "ui.follow_up_dialog",
    "ui.incident_dialog",
    "ui.incident_window",
)


class Warmup(QObject):
    """Runs the three stages above once for a window, and says when it is done."""

    done = Signal()
    # The first turn of the event loop after the first paint (or soon, when hidden).
    begun = Signal()

    def __init__(self, rapport: RapportApp, window: MainWindow) -> None:
        super().__init__(window)
        # Found by name by bench/startup_probe.py, which times ``done``.
        self.setObjectName("rapport-warmup")
        self.rapport = rapport
        self.window = window
        self.started = False
        self.finished = False
        self.job: BackgroundJob | None = None
        # Set once the worker's imports are over (closing waits on it).
        self._loaded = threading.Event()
        self._dialogs = list(DIALOG_MODULES)

    def start_after_paint(self) -> None:
        """Start once the window has been painted for the first time."""
        self.window.installEventFilter(self)

    def start_soon(self) -> None:
        """Start at the next turn of the event loop (a window that starts hidden)."""
        QTimer.singleShot(0, self.start)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt API
        if watched is self.window and event.type() == QEvent.Type.Paint:
            self.window.removeEventFilter(self)
            # After the paint has reached the screen, not in the middle of it.
            QTimer.singleShot(0, self.start)
        return False

    def start(self) -> None:
        if self.started:
            return
        self.started = True
        self.begun.emit()
        job = BackgroundJob(self._load, what="The warm-up")
        # Queued to this object, which lives on the GUI thread: stage 2 runs there.
        job.signals.done.connect(self._after_load, Qt.ConnectionType.QueuedConnection)
        self.job = job
        job.start()

    def _load(self) -> BaseException | None:
        """On a pool thread (the kit's BackgroundJob): imports only. The error, if
        any, is handed to the GUI thread to be raised there (the crash dialog)."""
        try:
            from models.services import load_app_services

            load_app_services()  # no Qt in it: models/ never imports PySide6
        except BaseException as exc:  # raised again on the GUI thread by _after_load
            return exc
        finally:
            self._loaded.set()
        return None

    def _after_load(self, error: object) -> None:
        self.job = None
        if isinstance(error, BaseException):
            raise error
        self.window.finish_start()
        # With this object as the timer's context: a window closed (and this deleted)
        # while the chain is pending drops the call instead of emitting from nothing.
        QTimer.singleShot(0, self, self._next_dialog)

    def _next_dialog(self) -> None:
        if self._dialogs:
            importlib.import_module(self._dialogs.pop(0))
            QTimer.singleShot(0, self, self._next_dialog)
            return
        self.finished = True
        self.rapport.warm = True
        self.rapport.warmed.emit()
        self.done.emit()

    def wait(self, timeout: float | None = None) -> None:
        """Let the worker's imports finish (closing the app must not cut one short)."""
        if self.started:
            self._loaded.wait(timeout)
