"""Files dropped on a window: what counts as a file, and how a drop is taken.

The incident window and its evidence list each took drops the same way; they
share this now, so a drag of web links or text is refused alike everywhere.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QMimeData
from PySide6.QtGui import QDragMoveEvent, QDropEvent


def local_files(mime: QMimeData) -> list[Path]:
    """The local files a drag carries; web links and text are not evidence."""
    if not mime.hasUrls():
        return []
    return [Path(url.toLocalFile()) for url in mime.urls() if url.isLocalFile()]


def accept_file_drag(event: QDragMoveEvent) -> None:
    """Take a drag (enter or move) that carries files; anything else passes on by."""
    if local_files(event.mimeData()):
        event.acceptProposedAction()
    else:
        event.ignore()


def take_file_drop(event: QDropEvent) -> list[Path]:
    """The files of a drop, accepted; an empty list (the drop ignored) otherwise."""
    paths = local_files(event.mimeData())
    if paths:
        event.acceptProposedAction()
    else:
        event.ignore()
    return paths
