"""Your details on their own, for a window that has to ask for them (finalising
an agreement without the consultant's name, issue 17).

The Settings window (ui/settings/) is where the user goes to change settings;
this small dialog holds only its Your details page, so a question from another
window is answered without the rest of the settings in the way.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFrame,
    QLabel,
    QLineEdit,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from ui.app import RapportApp
from ui.settings.details import YourDetailsPage, locale_page_size

__all__ = ["SettingsDialog", "locale_page_size"]


class SettingsDialog(QDialog):
    """The Your details page with Save and Cancel; ``saved`` once they are stored."""

    saved = Signal()

    def __init__(self, rapport: RapportApp, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Your details")
        self.page = YourDetailsPage(rapport)
        self.fields: dict[str, QLineEdit] = self.page.fields
        self.errors: dict[str, QLabel] = self.page.errors
        self.page.saved.connect(self.saved)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        # On a small screen the fields scroll; the buttons stay in view.
        self.scroll = QScrollArea()
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.scroll.setWidget(self.page)
        layout.addWidget(self.scroll, 1)
        layout.addWidget(self.buttons)
        self._sized = False

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt API
        """Sized once shown, after a caller put its reason above the fields: room
        for an address line and an email, never more than the screen."""
        if not self._sized:
            self._sized = True
            room = self.screen().availableGeometry()
            hint = self.sizeHint()
            # The scroll area asks for less than the page needs; ask for all of it.
            hint.setHeight(
                hint.height()
                - self.scroll.sizeHint().height()
                + self.page.sizeHint().height()
                + 2 * self.fontMetrics().height()  # slack, so no scroll bar when it fits
            )
            self.resize(
                min(max(hint.width(), 520), room.width() - 40),
                min(hint.height(), room.height() - 60),
            )
        super().showEvent(event)

    def save(self) -> bool:
        if not self.page.save():
            return False
        super().accept()
        return True

    def accept(self) -> None:
        self.save()
