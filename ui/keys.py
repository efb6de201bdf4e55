"""Keyboard helpers shared by the window and its views."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QWidget


def widget_shortcut(keys: QKeySequence, widget: QWidget, slot: Callable[[], object]) -> QShortcut:
    """A shortcut that only works while ``widget`` has the keyboard.

    Set after construction on purpose: PySide6 quietly ignores ``context=`` passed
    to QShortcut's constructor, leaving a window-wide shortcut that clashes.
    """
    shortcut = QShortcut(keys, widget)
    shortcut.setContext(Qt.ShortcutContext.WidgetShortcut)
    shortcut.activated.connect(slot)
    return shortcut


def menu_text(name: str, limit: int = 40) -> str:
    """A client's name fit for a menu: short, and '&' not taken as a shortcut key."""
    short = name if len(name) <= limit else name[: limit - 1] + "…"
    return short.replace("&", "&&")
