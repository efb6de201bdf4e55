"""Asking for the consultant's own details where a document needs them.

A final agreement names who it is from and can never be changed, so finalising is
refused until name, business and email exist (models/services/consultant.py
``details_problem``). These helpers open the existing Your details form (today
ui/settings_dialog.py) with the reason on top, for any window that has to ask.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QLabel, QMessageBox, QWidget

from models.services.consultant import details_problem, get_settings
from ui.app import RapportApp

FILL_IN = "Fill in my details\u2026"


def missing_details(rapport: RapportApp) -> str | None:
    """Why a final document cannot be made yet, or None when the details exist."""
    book = rapport.book
    return None if book is None else details_problem(get_settings(book))


def open_your_details(
    rapport: RapportApp,
    parent: QWidget | None,
    reason: str = "",
    then: Callable[[], None] | None = None,
) -> QDialog:
    """The Your details form, window-modal, with ``reason`` said above the fields;
    ``then`` runs once the details are saved."""
    from ui.settings_dialog import SettingsDialog

    dialog = SettingsDialog(rapport, parent)
    if reason:
        why = QLabel(reason)
        why.setWordWrap(True)
        why.setObjectName("detailsReason")
        why.setTextFormat(Qt.TextFormat.PlainText)
        layout = dialog.layout()
        if layout is not None:
            layout.insertWidget(0, why)  # type: ignore[attr-defined]
    if then is not None:
        dialog.saved.connect(then)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.open()
    return dialog


def refuse_without_details(
    rapport: RapportApp, parent: QWidget, reason: str, then: Callable[[], None]
) -> QMessageBox:
    """Say why a document cannot be made final yet and offer to fill the details in;
    ``then`` runs once they are saved (the caller asks again)."""
    box = QMessageBox(
        QMessageBox.Icon.Information,
        "Your details first",
        reason,
        QMessageBox.StandardButton.Cancel,
        parent,
    )
    box.setTextFormat(Qt.TextFormat.PlainText)
    fill = box.addButton(FILL_IN, QMessageBox.ButtonRole.AcceptRole)
    box.setDefaultButton(fill)

    def done(_result: int) -> None:
        if box.clickedButton() is fill:
            # Parented to the window, so Qt keeps it alive until it closes.
            open_your_details(rapport, parent, reason, then)

    box.finished.connect(done)
    box.open()
    return box
