"""What every page of the Settings window is: a titled form that knows whether
the user changed it and saves itself through the services.

The window saves only the pages that changed, so a stored value that no longer
passes a newer rule never blocks saving an unrelated page.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFormLayout, QLabel, QVBoxLayout, QWidget

from ui.app import RapportApp
from ui.kit.forms import error_label, form_style


class SettingsPage(QWidget):
    """One page: ``key`` names it for the menus, ``title`` and ``icon_name`` show in
    the window's list; ``saved`` fires once its values are stored."""

    key = ""
    title = ""
    icon_name = "settings"
    # What the status bar says after this page alone was saved.
    saved_message = "Settings saved."

    saved = Signal()

    def __init__(self, rapport: RapportApp, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.rapport = rapport
        self.setStyleSheet(form_style())
        self.general_error = error_label()
        self.layout_ = QVBoxLayout(self)
        self.layout_.setContentsMargins(16, 12, 16, 12)
        self.layout_.setSpacing(10)
        heading = QLabel(self.title)
        heading.setProperty("role", "heading")
        font = heading.font()
        font.setPointSizeF(font.pointSizeF() * 1.25)
        font.setBold(True)
        heading.setFont(font)
        self.layout_.addWidget(heading)
        self.layout_.addWidget(self.general_error)

    def add_note(self, text: str) -> QLabel:
        """A plain sentence saying what the page is for; wraps, never truncates."""
        note = QLabel(text)
        note.setWordWrap(True)
        note.setProperty("role", "hint")
        self.layout_.addWidget(note)
        return note

    def add_form(self) -> QFormLayout:
        """A form whose fields grow with the window; fields others add go here too."""
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        self.layout_.addLayout(form)
        return form

    def finish(self) -> None:
        """Called once the page is built: what it shows now is what "unchanged" means."""
        self.layout_.addStretch(1)
        self.initial = self.values()

    def values(self) -> object:
        """What the page would save; compared with what it showed at first."""
        return None

    def changed(self) -> bool:
        return self.values() != getattr(self, "initial", None)

    def save(self) -> bool:
        """Store the page's values; False (and the reason shown) when refused."""
        self.saved.emit()
        return True
