"""One window per record, whichever way the user comes in.

Incidents, agreements and repair wizards each kept their own "already open?"
dictionary in a different place. They share this one now, keyed by the app object
(so a second app in a test never sees the first one's windows) and by kind.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from typing import TypeVar

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QWidget

W = TypeVar("W", bound=QWidget)

_OPEN: weakref.WeakKeyDictionary[QObject, dict[str, dict[int, QWidget]]] = (
    weakref.WeakKeyDictionary()
)

INCIDENT = "incident"
AGREEMENT = "agreement"
WIZARD = "repair-wizard"


def open_windows(owner: QObject, kind: str) -> dict[int, QWidget]:
    """The live dictionary of ``kind`` windows open for ``owner``, by record id."""
    return _OPEN.setdefault(owner, {}).setdefault(kind, {})


def remember(owner: QObject, kind: str, key: int, window: QWidget) -> None:
    """Register ``window`` as the one for ``key``; it is forgotten when destroyed."""
    windows = open_windows(owner, kind)
    windows[key] = window

    def gone(*_args: object, was: QWidget = window) -> None:
        if windows.get(key) is was:
            windows.pop(key, None)

    window.destroyed.connect(gone)


def forget(owner: QObject, kind: str, key: int | None, window: QWidget) -> None:
    """Drop ``window`` if it is still the one registered for ``key``."""
    if key is None:
        return
    windows = open_windows(owner, kind)
    if windows.get(key) is window:
        windows.pop(key, None)


def bring_to_front(window: QWidget) -> None:
    """Show a window the way a second click on its record expects: restored if
    minimised, on top, with the keyboard."""
    if window.isMinimized():
        window.showNormal()
    else:
        window.show()
    window.raise_()
    window.activateWindow()


def open_or_raise(owner: QObject, kind: str, key: int, make: Callable[[], W]) -> W:
    """The window already open for ``key`` brought forward, or a new one from
    ``make`` registered and shown."""
    window = open_windows(owner, kind).get(key)
    if window is None:
        window = make()
        remember(owner, kind, key, window)
    bring_to_front(window)
    return window  # type: ignore[return-value]
