"""Export contacts: all clients or the selected ones, as CSV or vCard, to a file.

Two questions, then the usual save dialog. The file is written whole or not at all
(models/files.py), and archived clients only leave when they are selected.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QGroupBox,
    QLabel,
    QMessageBox,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from exports.contacts_io import ExportFormat, export_contacts
from models.errors import RapportError
from models.services.clients import count_clients
from ui.app import RapportApp
from ui.import_dialog import start_folder
from ui.kit.screen import fit_on_show

log = logging.getLogger(__name__)

TITLE = "Export contacts"
SUFFIXES = {ExportFormat.CSV: ".csv", ExportFormat.VCARD: ".vcf"}
FILTERS = {ExportFormat.CSV: "CSV files (*.csv)", ExportFormat.VCARD: "vCard files (*.vcf)"}


class ExportDialog(QDialog):
    """Which clients and which format; ``exported`` carries (count, file)."""

    exported = Signal(int, str)

    def __init__(
        self,
        rapport: RapportApp,
        selected_ids: Sequence[int],
        parent: QWidget | None = None,
        *,
        selected_first: bool | None = None,
    ) -> None:
        super().__init__(parent)
        self.rapport = rapport
        self.selected_ids = list(selected_ids)
        self.file_dialog: QFileDialog | None = None
        self.message_box: QMessageBox | None = None
        self.setWindowTitle(TITLE)
        total = count_clients(rapport.book) if rapport.book is not None else 0

        who = QGroupBox("Which clients")
        self.all_radio = QRadioButton(f"&All clients ({total})")
        n = len(self.selected_ids)
        self.selected_radio = QRadioButton(
            f"The &selected client{'s' if n != 1 else ''} ({n})" if n else "The &selected clients"
        )
        self.selected_radio.setEnabled(n > 0)
        # A selection of several is deliberate; one selected row usually just is.
        use_selected = n > 1 if selected_first is None else selected_first and n > 0
        (self.selected_radio if use_selected else self.all_radio).setChecked(True)
        who_layout = QVBoxLayout(who)
        who_layout.addWidget(self.all_radio)
        who_layout.addWidget(self.selected_radio)
        group = QButtonGroup(self)
        group.addButton(self.all_radio)
        group.addButton(self.selected_radio)

        how = QGroupBox("Format")
        self.csv_radio = QRadioButton("&CSV: spreadsheets, Google Contacts, Outlook")
        self.vcard_radio = QRadioButton("&vCard: phones, Apple Contacts, Thunderbird")
        self.csv_radio.setChecked(True)
        how_layout = QVBoxLayout(how)
        how_layout.addWidget(self.csv_radio)
        how_layout.addWidget(self.vcard_radio)
        formats = QButtonGroup(self)
        formats.addButton(self.csv_radio)
        formats.addButton(self.vcard_radio)

        note = QLabel("Archived clients are only exported when you select them.")
        note.setWordWrap(True)

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.export_button = QPushButton("Export…")
        self.export_button.setDefault(True)
        buttons.addButton(self.export_button, QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.accepted.connect(self.choose_file)
        buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(who)
        layout.addWidget(how)
        layout.addWidget(note)
        layout.addWidget(buttons)
        fit_on_show(self)

    def format(self) -> ExportFormat:
        return ExportFormat.VCARD if self.vcard_radio.isChecked() else ExportFormat.CSV

    def client_ids(self) -> list[int] | None:
        """The chosen clients, or None for every client not archived."""
        return self.selected_ids if self.selected_radio.isChecked() else None

    def choose_file(self) -> QFileDialog:
        """The save dialog; the export happens when a file is chosen."""
        kind = self.format()
        dialog = QFileDialog(self, TITLE, str(start_folder() / f"contacts{SUFFIXES[kind]}"))
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.setOption(QFileDialog.Option.DontUseNativeDialog, True)
        dialog.setNameFilter(FILTERS[kind])
        dialog.setDefaultSuffix(SUFFIXES[kind].lstrip("."))
        dialog.fileSelected.connect(lambda name: self.export_to(Path(name)))
        self.file_dialog = dialog
        dialog.open()
        return dialog

    def export_to(self, path: Path) -> bool:
        book = self.rapport.book
        if book is None:
            return False
        try:
            n = export_contacts(book, path, self.format(), self.client_ids())
        except (RapportError, OSError) as exc:
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
            self._tell(f"{path.name} could not be written: {reason}")
            return False
        self.exported.emit(n, str(path))
        self.accept()
        return True

    def _tell(self, text: str) -> None:
        box = QMessageBox(QMessageBox.Icon.Information, TITLE, text, parent=self)
        box.setTextFormat(Qt.TextFormat.PlainText)
        self.message_box = box
        box.open()
