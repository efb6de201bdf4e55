"""What happens to an error nobody planned for: it is logged, and the user is told once, calmly.

Without this, an exception in a slot reaches only Python's stderr, which nobody sees
when Rapport runs from the tray. Qt keeps its event loop going after a failed slot,
and every write is one transaction that either committed or rolled back, so in the
ordinary case the app can keep running and the book is as it was. When the failure
came from the database or the disk, we cannot promise that, and the dialog says so.
"""

from __future__ import annotations

import errno
import logging
import sqlite3
import sys
import threading
import traceback
from collections.abc import Callable
from types import TracebackType

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from models import __version__
from models.logs import log_file
from ui.kit.screen import fit_on_show

log = logging.getLogger("rapport.crash")

TITLE = "Something went wrong"
SAFE_HEADLINE = "Something went wrong; your book is safe."
SAFE_BODY = (
    "Rapport ran into a problem it did not expect, and what you were doing may not have "
    "finished. Everything you saved before is still in your book, and you can keep working."
)
UNSURE_HEADLINE = "Something went wrong while Rapport was reading or writing your book."
UNSURE_BODY = (
    "Your last change may not have been saved. Rapport checks the book the next time it "
    "opens, and your backups are kept."
)
FATAL_HEADLINE = "Rapport could not start."
FATAL_SAFE_BODY = "Your book was not changed. The details are in the log."
# Disk failures that can leave a write undone (as opposed to, say, a missing file the
# user picked in a dialog).
_DISK_ERRNOS = {errno.ENOSPC, errno.EIO, errno.EROFS, errno.EDQUOT}


def book_is_safe(exc: BaseException) -> bool:
    """True unless the failure came from the database or the disk under it.

    Each write is one transaction, so an error in our own code aborts the write as a
    whole; only an error inside SQLite or the disk can leave the outcome unknown.
    """
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, sqlite3.Error):
            return False
        # SQLAlchemy's errors, without importing it here (it loads after the first paint).
        if any(cls.__name__ in {"DBAPIError", "SQLAlchemyError"} for cls in type(current).__mro__):
            return False
        if isinstance(current, OSError) and current.errno in _DISK_ERRNOS:
            return False
        current = current.__cause__ or current.__context__
    return True


def open_log_folder() -> bool:
    """Show the log folder in the file manager; False if the desktop could not."""
    # Imported here: the hook is installed before the first paint, and PySide builds
    # each class's Python enums (QUrl has many) on the first import of the class.
    from PySide6.QtCore import QUrl
    from PySide6.QtGui import QDesktopServices

    from models.paths import log_dir

    where = log_file()
    folder = where.parent if where is not None else log_dir()
    return QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder)))


def describe(exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None) -> str:
    """The text behind Copy details: enough for someone to help, nothing from the book."""
    where = log_file()
    lines = [
        f"Rapport {__version__}, Python {sys.version.split()[0]}, {sys.platform}",
        f"Log file: {where}" if where is not None else "Log file: none",
        "",
        *traceback.format_exception(exc_type, exc, tb),
    ]
    return "\n".join(line.rstrip("\n") for line in lines)


class CrashDialog(QDialog):
    """One dialog for however many errors arrive while it is open: a storm of them (a
    failing paint, say) must not bury the user under windows."""

    def __init__(
        self,
        parent: QWidget | None = None,
        *,
        open_folder: Callable[[], bool] = open_log_folder,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(TITLE)
        self.setWindowModality(Qt.WindowModality.ApplicationModal)
        self.count = 0
        self._open_folder = open_folder
        self.headline = QLabel()
        self.headline.setWordWrap(True)
        font = self.headline.font()
        font.setBold(True)
        self.headline.setFont(font)
        self.body = QLabel()
        self.body.setWordWrap(True)
        self.repeats = QLabel()
        self.repeats.hide()
        self.details = QPlainTextEdit()
        self.details.setReadOnly(True)
        self.details.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.details.hide()
        self.show_button = QPushButton("Show details")
        self.show_button.setCheckable(True)
        self.show_button.toggled.connect(self._toggle_details)
        self.copy_button = QPushButton("Copy details")
        self.copy_button.clicked.connect(self.copy_details)
        self.folder_button = QPushButton("Open log folder")
        self.folder_button.clicked.connect(self._open_folder)
        self.close_button = QPushButton("Keep working")
        self.close_button.setDefault(True)
        self.close_button.clicked.connect(self.accept)
        buttons = QHBoxLayout()
        buttons.addWidget(self.show_button)
        buttons.addStretch(1)
        buttons.addWidget(self.copy_button)
        buttons.addWidget(self.folder_button)
        buttons.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.headline)
        layout.addWidget(self.body)
        layout.addWidget(self.repeats)
        layout.addWidget(self.details, 1)
        layout.addLayout(buttons)
        self.safe = True
        fit_on_show(self)

    def add(self, details: str, *, safe: bool) -> None:
        self.count += 1
        # Once one error was unsure about the book, the dialog stays unsure.
        self.safe = self.safe and safe
        self.headline.setText(SAFE_HEADLINE if self.safe else UNSURE_HEADLINE)
        self.body.setText(SAFE_BODY if self.safe else UNSURE_BODY)
        if self.count > 1:
            self.repeats.setText(f"This happened {self.count} times.")
            self.repeats.show()
            self.details.appendPlainText("\n" + "-" * 60 + "\n")
        self.details.appendPlainText(details)

    def copy_details(self) -> None:
        QGuiApplication.clipboard().setText(self.details.toPlainText())
        self.copy_button.setText("Copied")

    def _toggle_details(self, shown: bool) -> None:
        self.details.setVisible(shown)
        self.show_button.setText("Hide details" if shown else "Show details")
        self.adjustSize()


class CrashReporter(QObject):
    """Python's exception hooks, routed to one dialog on the GUI thread."""

    # details, whether the book is safe; queued when emitted from a worker thread
    reported = Signal(str, bool)

    def __init__(self, *, open_folder: Callable[[], bool] = open_log_folder) -> None:
        super().__init__()
        self.dialog: CrashDialog | None = None
        self._open_folder = open_folder
        self.reported.connect(self._show)

    def excepthook(
        self,
        exc_type: type[BaseException],
        exc: BaseException,
        tb: TracebackType | None,
    ) -> None:
        if issubclass(exc_type, KeyboardInterrupt):
            sys.__excepthook__(exc_type, exc, tb)
            return
        log.error("Unexpected error", exc_info=(exc_type, exc, tb))
        self.reported.emit(describe(exc_type, exc, tb), book_is_safe(exc))

    def threading_hook(self, args: threading.ExceptHookArgs) -> None:
        if args.exc_value is None:
            return
        self.excepthook(args.exc_type, args.exc_value, args.exc_traceback)

    def _show(self, details: str, safe: bool) -> None:
        from PySide6.QtCore import QThread

        app = QApplication.instance()
        if app is None or QThread.currentThread() is not app.thread():
            return  # no GUI to show it on; the log has it
        if self.dialog is None:
            self.dialog = CrashDialog(QApplication.activeWindow(), open_folder=self._open_folder)
            self.dialog.finished.connect(self._closed)
        self.dialog.add(details, safe=safe)
        self.dialog.show()
        self.dialog.raise_()
        self.dialog.activateWindow()

    def _closed(self) -> None:
        if self.dialog is not None:
            self.dialog.deleteLater()
        self.dialog = None


_reporter: CrashReporter | None = None


def install_crash_hook(*, open_folder: Callable[[], bool] = open_log_folder) -> CrashReporter:
    """Route uncaught exceptions (GUI thread and workers) to the log and the dialog."""
    global _reporter
    _reporter = CrashReporter(open_folder=open_folder)
    sys.excepthook = _reporter.excepthook
    threading.excepthook = _reporter.threading_hook
    return _reporter


def uninstall_crash_hook() -> None:
    global _reporter
    sys.excepthook = sys.__excepthook__
    threading.excepthook = threading.__excepthook__
    _reporter = None


def report_fatal(exc: BaseException) -> None:
    """Start-up failed before the event loop ran: log it and say so, modally."""
    log.error("Rapport could not start", exc_info=exc)
    if QApplication.instance() is None:
        return
    dialog = CrashDialog()
    safe = book_is_safe(exc)
    dialog.add(describe(type(exc), exc, exc.__traceback__), safe=safe)
    dialog.headline.setText(FATAL_HEADLINE)
    dialog.body.setText(FATAL_SAFE_BODY if safe else UNSURE_BODY)
    dialog.close_button.setText("Close")
    dialog.exec()
