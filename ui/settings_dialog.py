"""Your details on their own, for a window that has to ask for them (finalising
an agreement without the consultant's name, issue 17).

The Settings window (ui/settings/) is where the user goes to change settings;
this small dialog holds only its Your details page, so a question from another
window is answered without the rest of the settings in the way.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QLineEdit, QVBoxLayout, QWidget

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
        layout.addWidget(self.page)
        layout.addWidget(self.buttons)

    def save(self) -> bool:
        if not self.page.save():
            return False
        super().accept()
        return True

    def accept(self) -> None:
        self.save()
