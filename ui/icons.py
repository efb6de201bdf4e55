"""Icons shipped in resources/icons, found next to the code so no .qrc build step is needed."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QIcon, QPainter, QPen, QPixmap, QPolygonF

ICONS_DIR = Path(__file__).resolve().parent.parent / "resources" / "icons"


def icon_path(name: str) -> Path:
    return ICONS_DIR / name


def app_icon() -> QIcon:
    return QIcon(str(icon_path("rapport.svg")))


@cache
def dot_icon(colour: str, size: int = 12) -> QIcon:
    """A filled circle, for a health band: drawn once per colour and reused, so
    the list's paint never builds pixmaps."""
    pixmap = QPixmap(size * 2, size * 2)
    pixmap.setDevicePixelRatio(2.0)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QColor(colour))
    painter.drawEllipse(QRectF(1.5, 1.5, size - 3, size - 3))
    painter.end()
    return QIcon(pixmap)


@cache
def flag_icon(colour: str = "#c2410c", size: int = 14) -> QIcon:
    """A small pennant for clients under priority after an incident."""
    pixmap = QPixmap(size * 2, size * 2)
    pixmap.setDevicePixelRatio(2.0)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    pen = QPen(QColor("#555555"))
    pen.setWidthF(1.4)
    painter.setPen(pen)
    painter.drawLine(QPointF(3.5, 1.5), QPointF(3.5, size - 1.0))
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QColor(colour))
    painter.drawPolygon(QPolygonF([QPointF(4.2, 1.8), QPointF(size - 1.5, 4.6), QPointF(4.2, 7.8)]))
    painter.end()
    return QIcon(pixmap)
