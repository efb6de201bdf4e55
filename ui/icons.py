"""Icons shipped in resources/icons, found next to the code so no .qrc build step is needed.

The line icons (sidebar, toolbar, menus, Settings) are Lucide's, bundled as SVG with
their ISC licence in resources/icons/lucide/: a well-kept set, no font files to load
at start-up and no extra package. They are drawn in the palette's text colour when
painted, so they follow a switch to dark mode without being rebuilt.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from PySide6.QtCore import QByteArray, QPointF, QRect, QRectF, QSize, Qt
from PySide6.QtGui import (
    QColor,
    QGuiApplication,
    QIcon,
    QIconEngine,
    QPainter,
    QPalette,
    QPen,
    QPixmap,
    QPolygonF,
)

ICONS_DIR = Path(__file__).resolve().parent.parent / "resources" / "icons"
LINE_ICONS_DIR = ICONS_DIR / "lucide"


@cache
def _svg_text(name: str) -> str:
    return (LINE_ICONS_DIR / f"{name}.svg").read_text(encoding="utf-8")


@cache
def _renderer(name: str, colour: str) -> object:
    """One QSvgRenderer per icon and colour (QtSvg is loaded on the first paint)."""
    from PySide6.QtSvg import QSvgRenderer

    data = _svg_text(name).replace("currentColor", colour)
    return QSvgRenderer(QByteArray(data.encode("utf-8")))


def line_colour(mode: QIcon.Mode, palette: QPalette | None = None) -> QColor:
    """The colour a line icon takes: the text beside it, dimmed when disabled."""
    palette = palette or QGuiApplication.palette()
    if mode == QIcon.Mode.Disabled:
        return palette.color(QPalette.ColorGroup.Disabled, QPalette.ColorRole.WindowText)
    if mode == QIcon.Mode.Selected:
        return palette.color(QPalette.ColorGroup.Active, QPalette.ColorRole.HighlightedText)
    return palette.color(QPalette.ColorGroup.Active, QPalette.ColorRole.WindowText)


class LineIconEngine(QIconEngine):
    """Paints one bundled SVG in the current palette's colour, at any size and scale."""

    def __init__(self, name: str) -> None:
        super().__init__()
        self.name = name

    def paint(self, painter: QPainter, rect: QRect, mode: QIcon.Mode, state: QIcon.State) -> None:
        renderer = _renderer(self.name, line_colour(mode).name())
        renderer.render(painter, QRectF(rect))  # type: ignore[attr-defined]

    def pixmap(self, size: QSize, mode: QIcon.Mode, state: QIcon.State) -> QPixmap:
        return self.scaledPixmap(size, mode, state, 1.0)

    def scaledPixmap(  # noqa: N802 - Qt API
        self, size: QSize, mode: QIcon.Mode, state: QIcon.State, scale: float
    ) -> QPixmap:
        pixmap = QPixmap(size * scale)
        pixmap.setDevicePixelRatio(scale)
        pixmap.fill(Qt.GlobalColor.transparent)
        painter = QPainter(pixmap)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.paint(painter, QRect(0, 0, size.width(), size.height()), mode, state)
        painter.end()
        return pixmap

    def clone(self) -> QIconEngine:
        return LineIconEngine(self.name)

    def iconName(self) -> str:  # noqa: N802 - Qt API
        return self.name


def icon(name: str) -> QIcon:
    """A line icon by its Lucide name (the files in resources/icons/lucide/)."""
    if not (LINE_ICONS_DIR / f"{name}.svg").is_file():
        raise KeyError(f"no bundled icon called {name!r}")
    return QIcon(LineIconEngine(name))


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


def flag_icon(colour: str, size: int = 14) -> QIcon:
    """A small pennant for clients under priority after an incident; its pole takes
    the text colour, so it shows on a dark list as on a light one. On a selected
    row it takes the selection's text colour: the red pennant read poorly on blue."""
    selected = line_colour(QIcon.Mode.Selected).name()
    return _flag_icon(colour, size, line_colour(QIcon.Mode.Normal).name(), selected)


@cache
def _flag_icon(colour: str, size: int, pole: str, selected: str) -> QIcon:
    flag = QIcon()
    flag.addPixmap(_flag_pixmap(colour, size, pole), QIcon.Mode.Normal)
    flag.addPixmap(_flag_pixmap(selected, size, selected), QIcon.Mode.Selected)
    return flag


def _flag_pixmap(colour: str, size: int, pole: str) -> QPixmap:
    pixmap = QPixmap(size * 2, size * 2)
    pixmap.setDevicePixelRatio(2.0)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    pen = QPen(QColor(pole))
    pen.setWidthF(1.4)
    painter.setPen(pen)
    painter.drawLine(QPointF(3.5, 1.5), QPointF(3.5, size - 1.0))
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QColor(colour))
    painter.drawPolygon(QPolygonF([QPointF(4.2, 1.8), QPointF(size - 1.5, 4.6), QPointF(4.2, 7.8)]))
    painter.end()
    return pixmap
