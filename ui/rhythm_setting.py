"""The keep-in-touch rhythm new clients start with, typed in or imported: a
setting kept with the app's other settings (QSettings), monthly unless the user
changes it, so a new client is never silently left without reminders."""

from __future__ import annotations

from PySide6.QtCore import QSettings

from models.reminders import CADENCE_MAX_DAYS, CADENCE_PRESETS, DEFAULT_CADENCE_DAYS, cadence_label

KEY_DEFAULT_CADENCE = "clients/default_cadence_days"
# Stored for "No reminder" (QSettings keeps no None).
NONE_STORED = 0


def default_cadence(settings: QSettings) -> int | None:
    """The rhythm a new client gets, in days; None for "No reminder"."""
    try:
        days = int(settings.value(KEY_DEFAULT_CADENCE, DEFAULT_CADENCE_DAYS))
    except (TypeError, ValueError):
        return DEFAULT_CADENCE_DAYS
    if days == NONE_STORED:
        return None
    return days if 0 < days <= CADENCE_MAX_DAYS else DEFAULT_CADENCE_DAYS


def set_default_cadence(settings: QSettings, days: int | None) -> None:
    settings.setValue(KEY_DEFAULT_CADENCE, NONE_STORED if days is None else int(days))
    settings.sync()


def rhythm_phrase_for_new(days: int | None) -> str:
    """What the import preview and the status bar say about new clients' rhythm."""
    if days is None:
        return "New clients get no keep-in-touch reminder."
    return f"New clients get a keep-in-touch rhythm: {cadence_label(days).lower()}."


def choices() -> list[tuple[str, int | None]]:
    return [("No reminder", None), *CADENCE_PRESETS.items()]
