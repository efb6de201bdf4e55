"""The base of a window that shows one record (an incident, an agreement).

Each such window brought itself to the front, asked about unsaved typing before
closing, and followed the book's changes in its own way. It inherits those here:
one way to come forward, one question about unsaved changes, one subscription.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMainWindow, QMessageBox, QWidget

from models.changes import Changes
from ui.kit import registry
from ui.kit.subscribe import ChangeSubscription, on_changes


class RecordWindow(QMainWindow):
    """A top-level window for one record, deleted when closed."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.message_box: QMessageBox | None = None
        self.subscription: ChangeSubscription | None = None

    def follow_changes(
        self,
        signal: object,
        mask: Changes,
        slot: Callable[[Changes, object], None],
        *,
        skip_own: bool = False,
    ) -> None:
        """Reload on the changes in ``mask``; stops when the window closes."""
        self.subscription = on_changes(self, signal, mask, slot, skip_own=skip_own)

    def stop_following(self) -> None:
        if self.subscription is not None:
            self.subscription.disconnect_now()

    def bring_to_front(self) -> None:
        registry.bring_to_front(self)

    def settle_unsaved(self, question: str, save: Callable[[], bool]) -> bool:
        """Ask Save / Discard / Cancel about unsaved typing; True when the window
        may close (saved, or the user let it go)."""
        box = QMessageBox(
            QMessageBox.Icon.Question,
            "Unsaved changes",
            question,
            QMessageBox.StandardButton.Save
            | QMessageBox.StandardButton.Discard
            | QMessageBox.StandardButton.Cancel,
            self,
        )
        box.setTextFormat(Qt.TextFormat.PlainText)
        box.setDefaultButton(QMessageBox.StandardButton.Save)
        self.message_box = box
        answer = box.exec()
        if answer == QMessageBox.StandardButton.Save:
            return save()
        return answer == QMessageBox.StandardButton.Discard
