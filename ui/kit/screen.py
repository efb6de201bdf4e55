"""Every window fits the screen it opens on.

Windows used to ask for a fixed size (1060×720, a 900×600 minimum) and came up
taller than a 1366×768 laptop, or at 1.5× scale with their buttons below the
screen's edge; a geometry saved on a big monitor came back bigger than a small one.
Each window now names the size it would like, and on its first show this module
bounds it by the available geometry of the screen it opens on (minus room for the
title bar the window manager adds), drops minimum sizes that cannot fit, and places
the whole frame on that screen. Content taller than that scrolls inside the window
(the window's own QScrollArea), it never grows the window.
"""

from __future__ import annotations

from PySide6.QtCore import QPoint, QRect, QSize, Qt
from PySide6.QtGui import QCursor, QGuiApplication, QScreen
from PySide6.QtWidgets import QFrame, QScrollArea, QWidget

# Room for the window manager's frame before it is known (it is only known once the
# window is mapped): a title bar and thin borders, in logical pixels.
FRAME_ALLOWANCE = QSize(8, 28)
_FITTED = "rapport_fitted"


def screen_of(window: QWidget) -> QScreen:
    """The screen ``window`` opens on: its parent's, where it was placed, or where
    the pointer is (the screen the user is looking at)."""
    parent = window.parentWidget()
    if parent is not None and parent.window().isVisible():
        return parent.window().screen()
    if window.testAttribute(Qt.WidgetAttribute.WA_Moved):
        placed = QGuiApplication.screenAt(window.geometry().center())
        if placed is not None:
            return placed
    pointer = QGuiApplication.screenAt(QCursor.pos())
    return pointer or window.screen() or QGuiApplication.primaryScreen()


def _frame_extra(window: QWidget) -> QSize:
    """How much bigger the frame is than the window's inside."""
    if window.isVisible():
        frame, inside = window.frameGeometry(), window.geometry()
        extra = QSize(frame.width() - inside.width(), frame.height() - inside.height())
        if extra.width() > 0 or extra.height() > 0:
            return extra
    return FRAME_ALLOWANCE


def room(window: QWidget) -> QSize:
    """The largest inside size ``window`` can have with its frame on its screen."""
    available = screen_of(window).availableGeometry()
    extra = _frame_extra(window)
    return QSize(
        max(1, available.width() - extra.width()), max(1, available.height() - extra.height())
    )


def _inside(frame: QRect, available: QRect) -> QPoint:
    """Where ``frame`` goes so that all of it (its title bar first) is on screen."""
    x = min(frame.x(), available.right() + 1 - frame.width())
    y = min(frame.y(), available.bottom() + 1 - frame.height())
    return QPoint(max(x, available.x()), max(y, available.y()))


def fit_to_screen(window: QWidget, preferred: QSize | None = None) -> None:
    """Size ``window`` to ``preferred`` (or its present size) as far as its screen
    allows, and put all of its frame on that screen.

    A minimum size larger than the screen is lowered to what fits. A window that was
    already placed (a restored geometry) stays where it was as far as it fits; a new
    one is centred over its parent window, or on the screen.
    """
    screen = screen_of(window)
    available = screen.availableGeometry()
    most = room(window)
    if window.isMaximized() or window.isFullScreen():
        return
    layout = window.layout()
    if layout is not None:
        layout.activate()  # the minimum the content needs, as the first show would set it
    minimum = window.minimumSize()
    if minimum.width() > most.width() or minimum.height() > most.height():
        window.setMinimumSize(minimum.boundedTo(most))
    want = preferred if preferred is not None and preferred.isValid() else window.size()
    # Never smaller than the layout needs, when what it needs fits.
    want = want.expandedTo(window.minimumSizeHint().boundedTo(most))
    size = want.boundedTo(most)
    if size != window.size():
        window.resize(size)
    extra = _frame_extra(window)
    frame = QRect(QPoint(0, 0), size + extra)
    parent = window.parentWidget()
    # Placed means moved by someone (restoreGeometry, the user, an earlier fit): then
    # only what is off screen moves.
    if window.testAttribute(Qt.WidgetAttribute.WA_Moved):
        frame.moveTopLeft(window.frameGeometry().topLeft())
    elif parent is not None and parent.window().isVisible():
        frame.moveCenter(parent.window().frameGeometry().center())
    else:
        frame.moveCenter(available.center())
    top_left = _inside(frame, available)
    window.move(top_left)


def fit_on_show(window: QWidget, preferred: QSize | None = None) -> None:
    """Fit ``window`` to the screen it is about to open on; called once its layout is
    built and before it is shown (see fit_to_screen).

    ``preferred`` is the size the window would like on a large screen, in logical
    pixels, so a scale factor shrinks the room, not the request. Without it, the
    size the layout asks for. (Not an event filter on the window: a Python filter
    that outlives its window's first show crashes PySide when the window is deleted.)
    """
    if preferred is None and not window.testAttribute(Qt.WidgetAttribute.WA_Resized):
        preferred = window.sizeHint()
    fit_to_screen(window, preferred)
    window.setProperty(_FITTED, True)


def was_fitted(window: QWidget) -> bool:
    """Whether ``window`` went through fit_on_show (tests check every window did)."""
    return bool(window.property(_FITTED))


def scrolling(page: QWidget) -> QScrollArea:
    """``page`` in a frameless scroll area: a long form scrolls on a small screen
    instead of making its window taller than the screen."""
    area = QScrollArea()
    area.setWidget(page)
    area.setWidgetResizable(True)
    area.setFrameShape(QFrame.Shape.NoFrame)
    area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    return area
