"""Import contacts: a preview of every row (new, update, no change, skipped and why),
column choices for a CSV's unknown columns, then one all-or-nothing import.

Nothing is written until Import is pressed; the preview is the same plan the import
carries out (models/services/contacts.py), so what the user read is what happens.
"""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QAbstractTableModel, QObject, QSize, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHeaderView,
    QLabel,
    QMessageBox,
    QProgressDialog,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from exports.contacts_csv import CsvContacts
from exports.contacts_io import ContactFormat, ContactSource, load_contacts
from exports.csv_columns import FIELD_LABELS, Field
from models.changes import CLIENTS
from models.services.backups import backup_before_import
from models.services.contact_rows import Action, ImportCancelled, ImportPlan, PlannedRow
from models.services.contacts import apply_import, plan_import
from ui.app import RapportApp
from ui.item_models import ROW_FLAGS, AnyIndex, header_text
from ui.kit.jobs import wait_off_gui_thread
from ui.kit.screen import fit_on_show
from ui.ops import run_op
from ui.rhythm_setting import default_cadence, rhythm_phrase_for_new

log = logging.getLogger(__name__)

TITLE = "Import contacts"
# From this many rows (or cards) on, long steps show a progress dialog.
PROGRESS_FROM = 300
# Files this large are slow to read (vobject is about 1 ms a card).
LARGE_FILE_BYTES = 256 * 1024
ACTION_WORDS = {
    Action.CREATE: "Add",
    Action.UPDATE: "Update",
    Action.UNCHANGED: "No change",
    Action.SKIP: "Skip",
}
HEADERS = ("Where", "Name", "Email", "Action", "Why")
COL_PLACE, COL_NAME, COL_EMAIL, COL_ACTION, COL_REASON = range(5)
CHOOSE_FILE_FILTER = (
    "Contacts (*.csv *.vcf *.vcard);;CSV files (*.csv);;vCard files (*.vcf *.vcard)"
)


def start_folder() -> Path:
    """Where the file dialogs open: home, unless it is missing (Qt's own dialog takes a
    missing folder for a file name and then refuses every choice as not found)."""
    home = Path.home()
    return home if home.is_dir() else Path.cwd()


class Progress(QObject):
    """A progress dialog for long work, fed by the services' ``progress`` callback;
    Cancel raises ImportCancelled inside that work, which then rolls back."""

    def __init__(self, parent: QWidget, label: str, *, enabled: bool) -> None:
        super().__init__(parent)
        self.dialog: QProgressDialog | None = None
        if enabled:
            dialog = QProgressDialog(label, "Cancel", 0, 0, parent)
            dialog.setWindowTitle(TITLE)
            dialog.setWindowModality(Qt.WindowModality.WindowModal)
            dialog.setMinimumDuration(0)
            dialog.setAutoClose(False)
            dialog.setAutoReset(False)
            dialog.setValue(0)
            self.dialog = dialog

    def __call__(self, done: int, total: int) -> None:
        if self.dialog is None:
            return
        self.dialog.setMaximum(max(total, 1))
        self.dialog.setValue(min(done, max(total, 1)))
        QApplication.processEvents()
        if self.dialog.wasCanceled():
            raise ImportCancelled()

    def close(self) -> None:
        if self.dialog is not None:
            self.dialog.close()
            self.dialog.deleteLater()
            self.dialog = None


def read_contacts(parent: QWidget, path: Path) -> ContactSource:
    """Read a contacts file, with a progress dialog when it is a big one."""
    try:
        large = Path(path).stat().st_size >= LARGE_FILE_BYTES
    except OSError:
        large = False  # load_contacts says what is wrong, in words
    progress = Progress(parent, f"Reading {Path(path).name}…", enabled=large)
    try:
        return load_contacts(Path(path), progress=progress)
    finally:
        progress.close()


class PlanModel(QAbstractTableModel):
    """The preview's rows, one per row or card of the file."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.rows: list[PlannedRow] = []

    def set_rows(self, rows: list[PlannedRow]) -> None:
        self.beginResetModel()
        self.rows = list(rows)
        self.endResetModel()

    def rowCount(self, parent: AnyIndex | None = None) -> int:  # noqa: N802 - Qt API
        return 0 if parent is not None and parent.isValid() else len(self.rows)

    def columnCount(self, parent: AnyIndex | None = None) -> int:  # noqa: N802 - Qt API
        return 0 if parent is not None and parent.isValid() else len(HEADERS)

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        return ROW_FLAGS if index.isValid() else Qt.ItemFlag.NoItemFlags

    def headerData(  # noqa: N802 - Qt API
        self, section: int, orientation: Qt.Orientation, role: int = 0
    ) -> str | None:
        return header_text(HEADERS, section, orientation, role)

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> str | None:
        if not index.isValid() or not 0 <= index.row() < len(self.rows):
            return None
        row = self.rows[index.row()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            col = index.column()
            if col == COL_PLACE:
                return row.place
            if col == COL_NAME:
                return row.name
            if col == COL_EMAIL:
                return ", ".join(row.emails)
            if col == COL_ACTION:
                return ACTION_WORDS[row.action]
            if col == COL_REASON:
                return row.reason
        return None


def summary(plan: ImportPlan) -> str:
    parts = []
    if plan.created:
        parts.append(f"{plan.created} new client{'s' if plan.created != 1 else ''}")
    if plan.updated:
        parts.append(f"{plan.updated} update{'s' if plan.updated != 1 else ''}")
    if plan.unchanged:
        parts.append(f"{plan.unchanged} already up to date")
    skipped = plan.count(Action.SKIP)
    if skipped:
        parts.append(f"{skipped} skipped")
    return ", ".join(parts) + "." if parts else "Nothing to import."


class ImportDialog(QDialog):
    """Preview, choose columns, import. ``imported`` carries the plan carried out."""

    imported = Signal(object)

    def __init__(
        self, rapport: RapportApp, source: ContactSource, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.rapport = rapport
        self.source = source
        self.plan = ImportPlan([])
        self.message_box: QMessageBox | None = None
        self.column_combos: dict[int, QComboBox] = {}
        self.setWindowTitle(TITLE)
        fit_on_show(self, QSize(880, 560))

        name = source.path.name if source.path is not None else "The file"
        kind = "CSV" if source.format is ContactFormat.CSV else "vCard"
        self.file_label = QLabel(f"{name} ({kind}, {source.encoding})")
        self.file_label.setTextFormat(Qt.TextFormat.PlainText)
        self.summary_label = QLabel()
        self.summary_label.setTextFormat(Qt.TextFormat.PlainText)
        self.summary_label.setWordWrap(True)
        self.cadence_days = default_cadence(rapport.settings)
        self.rhythm_label = QLabel(
            rhythm_phrase_for_new(self.cadence_days)
            + " (Settings › Default rhythm for new clients)"
        )
        self.rhythm_label.setWordWrap(True)

        self.model = PlanModel(self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setAccessibleName("What the import will do")
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setShowGrid(False)
        self.table.setWordWrap(False)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setStretchLastSection(True)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        for col, width in ((COL_PLACE, 70), (COL_NAME, 180), (COL_EMAIL, 220), (COL_ACTION, 80)):
            self.table.setColumnWidth(col, width)

        layout = QVBoxLayout(self)
        layout.addWidget(self.file_label)
        # A per-file warning (a mixed encoding): said once, above every row.
        self.warning_label = QLabel("\n".join(source.warnings))
        self.warning_label.setTextFormat(Qt.TextFormat.PlainText)
        self.warning_label.setWordWrap(True)
        self.warning_label.setVisible(bool(source.warnings))
        layout.addWidget(self.warning_label)
        self.columns_box = self._make_columns_box()
        if self.columns_box is not None:
            layout.addWidget(self.columns_box)
        layout.addWidget(self.summary_label)
        layout.addWidget(self.rhythm_label)
        layout.addWidget(self.table, 1)

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.import_button = QPushButton("Import")
        self.import_button.setDefault(True)
        self.import_button.setToolTip("Add and update the clients listed; nothing else changes.")
        buttons.addButton(self.import_button, QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.accepted.connect(self.do_import)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

        self.replan()

    def _make_columns_box(self) -> QGroupBox | None:
        """One choice per column we could not place, so a spreadsheet's "Handy" or
        "Firma" can still come in as a phone or an organisation."""
        if not isinstance(self.source, CsvContacts):
            return None
        unknown = self.source.unknown_columns()
        if not unknown:
            return None
        box = QGroupBox("Columns Rapport doesn’t know: choose what they hold")
        form = QFormLayout(box)
        for col in unknown:
            combo = QComboBox()
            for fld, text in FIELD_LABELS.items():
                combo.addItem(text, fld.value)
            combo.setCurrentIndex(combo.findData(self.source.roles[col].field.value))
            sample = self.source.sample(col)
            header = self.source.header[col].strip() or f"Column {col + 1}"
            # A label with a buddy reads "&" as a shortcut marker: "Müller & Söhne" needs "&&".
            label = QLabel(f"“{header}” (e.g. “{sample[:40]}”)".replace("&", "&&"))
            label.setTextFormat(Qt.TextFormat.PlainText)
            label.setBuddy(combo)
            combo.setAccessibleName(f"What “{header}” holds")
            combo.currentIndexChanged.connect(lambda _i, c=col: self._on_column_chosen(c))
            self.column_combos[col] = combo
            form.addRow(label, combo)
        return box

    def _on_column_chosen(self, column: int) -> None:
        if not isinstance(self.source, CsvContacts):
            return
        combo = self.column_combos[column]
        self.source.set_field(column, Field(combo.currentData()))
        self.replan()

    def choose_column(self, header: str, fld: Field) -> None:
        """Set what the unknown column called ``header`` holds, as its combo would."""
        if not isinstance(self.source, CsvContacts):
            raise KeyError(header)
        for col, combo in self.column_combos.items():
            if self.source.header[col].strip() == header:
                combo.setCurrentIndex(combo.findData(fld.value))
                return
        raise KeyError(header)

    def replan(self) -> None:
        """Ask the book again what the file would do, with the columns as chosen now."""
        book = self.rapport.book
        if book is None:
            return
        # The file is read again as a stream; the preview keeps one line per row,
        # not each new client's data.
        records = self.source
        large = len(records) >= PROGRESS_FROM
        progress = Progress(self, "Comparing with your book…", enabled=large)
        try:
            self.plan = plan_import(book, records, progress=progress, keep_data=False)
        except ImportCancelled:
            self.plan = ImportPlan([])
        finally:
            progress.close()
        self.model.set_rows(self.plan.rows)
        self.summary_label.setText(summary(self.plan))
        self.import_button.setEnabled(bool(self.plan.created or self.plan.updated))

    def do_import(self) -> None:
        """Import everything in one transaction; on any failure the book is as it was."""
        book = self.rapport.book
        if book is None:
            return
        records = self.source
        progress = Progress(self, "Importing contacts…", enabled=len(records) >= PROGRESS_FROM)

        def write() -> None:
            # The pinned way back first, as the command line takes it; copying a big
            # book takes seconds, so off the GUI thread with the window still drawn.
            wait_off_gui_thread(
                lambda: backup_before_import(book), what="Backing up before an import"
            )
            # On the GUI thread: the progress dialog keeps the window drawn and can
            # cancel (ImportCancelled rolls the whole import back).
            try:
                self.plan = apply_import(
                    book,
                    records,
                    now=self.rapport.now(),
                    progress=progress,
                    cadence_days=self.cadence_days,
                )
            finally:
                progress.close()

        if not run_op(
            self.rapport,
            write,
            changes=CLIENTS,
            initiator=self,
            explain=self._tell,
            failed="The import failed, so nothing was changed. Please try again.",
            logger=log,
            log_message="Importing contacts failed",
        ):
            return
        self.imported.emit(self.plan)
        self.accept()

    def _tell(self, text: str) -> None:
        box = QMessageBox(QMessageBox.Icon.Information, TITLE, text, parent=self)
        box.setTextFormat(Qt.TextFormat.PlainText)
        self.message_box = box
        box.open()

    def actions_shown(self) -> list[tuple[str, str, str]]:
        """(where, action, why) of every row as the table shows them."""
        m = self.model
        return [
            (
                str(m.index(r, COL_PLACE).data()),
                str(m.index(r, COL_ACTION).data()),
                str(m.index(r, COL_REASON).data()),
            )
            for r in range(m.rowCount())
        ]
