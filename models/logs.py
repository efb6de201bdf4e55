"""The log file: where errors go when nobody is watching a terminal.

Rapport often runs hidden in the tray, started at login, so a traceback printed to
stderr is a traceback lost. Everything at warning level and above is kept in a
small rotating file in the user's log folder, private to the user like the book
(log lines can carry client names). ``--verbose`` adds the debug detail and a copy
on stderr.
"""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path

from models.limits import terminal_safe

LOG_FILENAME = "rapport.log"
# A few files of about a megabyte: enough for weeks of warnings, never a disk hog.
MAX_BYTES = 1_000_000
BACKUP_COUNT = 3
FORMAT = "%(asctime)s %(levelname)s %(name)s [%(process)d]: %(message)s"


class _SafeFormatter(logging.Formatter):
    """Log lines with control characters escaped (newline kept, for tracebacks).

    A line can carry a client's name, a file name the user attached or an error
    that quotes either; read back with ``cat`` or ``tail -f``, an ESC sequence in
    one would drive the reader's terminal."""

    def format(self, record: logging.LogRecord) -> str:
        return terminal_safe(super().format(record))


def _private_rotating_file(filename: str) -> logging.Handler:
    """A rotating file created 0600, whatever the umask, before anything is written.

    logging.handlers (with socket, pickle and queue behind it) is imported here, on the
    first line logged, not at start-up: most runs of the app never log a line."""
    import logging.handlers

    class PrivateRotatingFileHandler(logging.handlers.RotatingFileHandler):
        def _open(self) -> object:
            fd = os.open(self.baseFilename, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            if os.name == "posix":
                os.fchmod(fd, 0o600)
            return os.fdopen(fd, "a", encoding=self.encoding or "utf-8", errors=self.errors)

    return PrivateRotatingFileHandler(
        filename,
        maxBytes=MAX_BYTES,
        backupCount=BACKUP_COUNT,
        encoding="utf-8",
        delay=True,  # no empty file for a run that had nothing to say
    )


class LogFile(logging.Handler):
    """The rotating log file, made on the first record that reaches it."""

    def __init__(self, path: Path, level: int) -> None:
        super().__init__(level)
        self.baseFilename = str(path)
        self._file: logging.Handler | None = None

    def emit(self, record: logging.LogRecord) -> None:
        if self._file is None:
            self._file = _private_rotating_file(self.baseFilename)
            self._file.setFormatter(self.formatter)
        self._file.emit(record)

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
        super().close()


# The handlers set up by the last call, so a second call (tests, a re-exec) replaces
# them instead of writing every line twice.
_installed: list[logging.Handler] = []


def setup_logging(*, verbose: bool = False, folder: Path | None = None) -> Path | None:
    """Send warnings and errors (everything with ``verbose``) to the log file.

    Returns the log file's path, or None when the log folder cannot be written; then
    Python's last-resort handler still prints warnings to stderr, so nothing is
    silently dropped.
    """
    from models.paths import ensure_private_dir, log_dir

    root = logging.getLogger()
    for handler in _installed:
        root.removeHandler(handler)
        handler.close()
    _installed.clear()
    level = logging.DEBUG if verbose else logging.WARNING
    root.setLevel(level)
    logging.captureWarnings(True)
    if verbose:
        echo = logging.StreamHandler(sys.stderr)
        echo.setFormatter(_SafeFormatter(FORMAT))
        root.addHandler(echo)
        _installed.append(echo)
    try:
        where = ensure_private_dir(folder) if folder is not None else log_dir()
    except OSError as exc:
        logging.getLogger(__name__).warning("No log file (%s); warnings go to stderr.", exc)
        return None
    handler = LogFile((where / LOG_FILENAME).absolute(), level)
    handler.setFormatter(_SafeFormatter(FORMAT))
    root.addHandler(handler)
    _installed.append(handler)
    return Path(handler.baseFilename)


def log_file() -> Path | None:
    """The file the log is written to now, if any."""
    for handler in _installed:
        if isinstance(handler, LogFile):
            return Path(handler.baseFilename)
    return None
