"""What the main window's parts share: settings keys, texts and small types."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

SEARCH_PLACEHOLDER = "Search name, organisation, email, phone, tag, notes…"
NO_MATCH = "No clients match “{query}”.\nPress Esc to see them all again."
SEARCH_DELAY_MS = 30
UNDO_SECONDS = 10

KEY_GEOMETRY = "main_window/geometry"
KEY_STATE = "main_window/state"
KEY_SPLITTER = "main_window/splitter"
KEY_HEADER = "main_window/header"
KEY_SHOW_ARCHIVED = "main_window/show_archived"
KEY_KEEP_IN_TRAY = "tray/keep_running"
KEY_CLOSE_EXPLAINED = "tray/close_explained"
KEY_NO_TRAY_TOLD = "tray/unavailable_told"

PAGE_TODAY, PAGE_CLIENTS, PAGE_INCIDENTS = 0, 1, 2
PAGE_NAMES = ("Today", "Clients", "Incidents")
# Their icons (ui/icons.py, Lucide names), in the same order.
PAGE_ICONS = ("calendar-check", "users", "triangle-alert")
PICK_A_CLIENT = "Select a client first, then report the incident from their page."
LATEST_TOUCHES = 5
NO_TRAY = (
    "There is no system tray here, so reminders show only in this window, "
    "and closing it quits Rapport."
)
STILL_RUNNING = (
    "Rapport is still running in the tray and will remind you when someone is due. "
    "To quit, choose Quit from its menu. You can change this under Settings."
)


@dataclass(frozen=True)
class UndoEntry:
    """The last thing the status bar's Undo can take back."""

    label: str
    action_text: str
    undo: Callable[[], None]
    archived_client: int | None = None


def plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"
