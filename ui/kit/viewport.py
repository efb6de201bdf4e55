"""A scroll area's viewport, fetched without PySide's type search.

``QAbstractScrollArea.viewport()`` returns a QWidget that Qt made in C++. The first
time PySide 6.12 meets such a pointer it searches every QWidget subclass for the most
derived match, and to search them it loads them all and builds their Python enums:
70 enum classes, some 30 ms, on the first call in a process (before the first paint,
since Today's list needs its viewport). ``findChild`` with the class given takes that
class as the answer, so no search: once PySide knows the object this way,
``viewport()`` gives back the same Python object at no cost.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractScrollArea, QWidget

# The name Qt gives the viewport it makes (QAbstractScrollAreaPrivate::init).
QT_VIEWPORT_NAME = "qt_scrollarea_viewport"


def viewport_of(area: QAbstractScrollArea) -> QWidget:
    """``area.viewport()``, the same object, without the search described above."""
    area.findChild(QWidget, QT_VIEWPORT_NAME, Qt.FindChildOption.FindDirectChildrenOnly)
    return area.viewport()
