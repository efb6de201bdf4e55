"""Empty states: a quiet sentence over an item view while it has no rows, so an
empty list says what it is for and how to fill it instead of showing blank space.

The label lives on the view's viewport (no extra page in a stack) and follows the
model's row signals, so any view gets one with a single line."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import QAbstractItemView, QLabel
from shiboken6 import isValid

from ui.kit.viewport import viewport_of

EMPTY_STYLE = "color: palette(placeholder-text); padding: 12px;"


class EmptyState(QObject):
    """Shows ``text`` (or what ``text()`` says now) centred in ``view`` while its
    model has no rows; an empty string shows nothing."""

    def __init__(self, view: QAbstractItemView, text: str | Callable[[], str]) -> None:
        super().__init__(view)
        self.view = view
        self._text = text
        self.label = QLabel(viewport_of(view))
        self.label.setObjectName("emptyState")
        self.label.setWordWrap(True)
        self.label.setTextFormat(Qt.TextFormat.PlainText)
        self.label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.label.setStyleSheet(EMPTY_STYLE)
        self.label.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        view.viewport().installEventFilter(self)
        model = view.model()
        if model is not None:
            for signal in (
                model.rowsInserted,
                model.rowsRemoved,
                model.modelReset,
                model.layoutChanged,
            ):
                signal.connect(self.update)
        self.update()

    def text(self) -> str:
        return self._text() if callable(self._text) else self._text

    def is_shown(self) -> bool:
        return not self.label.isHidden()

    def update(self, *_args: object) -> None:
        # A model outlives its view by a moment when both are destroyed, and says
        # its rows are gone: nothing is left to describe then.
        if not (isValid(self) and isValid(self.view) and isValid(self.label)):
            return
        model = self.view.model()
        empty = model is None or model.rowCount() == 0
        text = self.text() if empty else ""
        self.label.setText(text)
        self.label.setVisible(bool(text))
        self.label.setGeometry(self.view.viewport().rect())
        # Read by screen readers as the list's description while it is empty.
        self.view.setAccessibleDescription(text)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt API
        if event.type() == QEvent.Type.Resize:
            self.label.setGeometry(self.view.viewport().rect())
        return False
