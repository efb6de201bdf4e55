"""Icons shipped in resources/icons, found next to the code so no .qrc build step is needed."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtGui import QIcon

ICONS_DIR = Path(__file__).resolve().parent.parent / "resources" / "icons"


def icon_path(name: str) -> Path:
    return ICONS_DIR / name


def app_icon() -> QIcon:
    return QIcon(str(icon_path("rapport.svg")))
