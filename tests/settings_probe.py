"""Run in a child process on a screen of a given size (the offscreen platform's
screen config, a scale factor): opens the main window, then Settings from its
menu, visits every page and prints what fits as JSON.

A child process because the screen is fixed when Qt starts: the test suite's own
QApplication cannot be given another one.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from PySide6.QtCore import QPoint, QRect
from PySide6.QtWidgets import QAbstractButton, QApplication, QScrollArea, QWidget


def on_screen(widget: QWidget, room: QRect) -> bool:
    """The widget's whole rectangle, in screen coordinates, lies in ``room``."""
    top_left = widget.mapToGlobal(QPoint(0, 0))
    return room.contains(QRect(top_left, widget.size()))


def reachable(scroll: QScrollArea, widget: QWidget) -> bool:
    """Scrolled to, the widget is inside the page's viewport (not clipped by it)."""
    scroll.ensureWidgetVisible(widget, 0, 0)
    QApplication.processEvents()
    viewport = scroll.viewport()
    top_left = widget.mapTo(viewport, QPoint(0, 0))
    return viewport.rect().contains(QRect(top_left, widget.size()))


def main(book: Path, config: Path) -> dict[str, object]:
    app = QApplication.instance() or QApplication(sys.argv[:1])
    from ui.app import RapportApp
    from ui.main.window import MainWindow

    rapport = RapportApp(config_dir=config)
    assert rapport.open(book).ok
    window = MainWindow(rapport)
    window.show()
    QApplication.processEvents()
    window.settings_action.trigger()
    settings = window.settings_window
    assert settings is not None
    for _ in range(5):
        QApplication.processEvents()
    room = settings.screen().availableGeometry()
    report: dict[str, object] = {
        "screen": [room.width(), room.height()],
        "window": [settings.x(), settings.y(), settings.width(), settings.height()],
        "frame": settings.frameGeometry().getRect(),
        "window_fits": room.contains(settings.frameGeometry()),
        "buttons_on_screen": all(
            on_screen(b, room) and b.isVisible() for b in settings.buttons.buttons()
        ),
        "pages": {},
    }
    pages: dict[str, object] = {}
    for row, page in enumerate(settings.pages):
        settings.nav.setCurrentRow(row)
        QApplication.processEvents()
        scroll = settings.stack.currentWidget()
        assert isinstance(scroll, QScrollArea)
        item = settings.nav.item(row)
        controls = [
            w
            for w in page.findChildren(QWidget)
            if w.isVisibleTo(page) and w.focusPolicy() != 0 and not w.isWindow()
        ]
        pages[page.key] = {
            "shown": page.isVisible(),
            "title_fits": settings.nav.visualItemRect(item).width()
            >= settings.nav.iconSize().width()
            + settings.nav.fontMetrics().horizontalAdvance(item.text()),
            "controls": len(controls),
            "all_reachable": all(reachable(scroll, w) for w in controls),
            "no_sideways_scroll": not scroll.horizontalScrollBar().isVisible(),
            "buttons": [
                b.text() for b in page.findChildren(QAbstractButton) if b.isVisibleTo(page)
            ],
        }
    report["pages"] = pages
    settings.reject()
    window.close()
    rapport.close()
    app.processEvents()
    return report


if __name__ == "__main__":
    print(json.dumps(main(Path(sys.argv[1]), Path(sys.argv[2]))))
