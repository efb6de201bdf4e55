"""What the agreement window is made of besides itself: the commitments table,
the PDF job, loading and printing a PDF, and its words."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from PySide6.QtCore import (
    QAbstractItemModel,
    QBuffer,
    QByteArray,
    QDate,
    QIODevice,
    QModelIndex,
    QObject,
    QRectF,
    QSize,
    Qt,
    Signal,
)
from PySide6.QtGui import QPainter
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QPushButton,
    QStyledItemDelegate,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from models.enums import AgreementStatus, CommitmentState, Side
from models.services.agreements import (
    CommitmentInput,
)
from ui.kit.forms import error_label
from ui.kit.jobs import BackgroundJob
from ui.wording import short_date

log = logging.getLogger(__name__)


AGREEMENT_GONE = "This agreement is no longer in the book."


FINAL_WARNING = "A final agreement can't be changed; a new version can."


STATUS_TEXT = {
    AgreementStatus.DRAFT: "Draft",
    AgreementStatus.FINAL: "Final",
    AgreementStatus.SUPERSEDED: "Superseded",
}


STATE_TEXT = {
    CommitmentState.OPEN: "Open",
    CommitmentState.KEPT: "Kept",
    CommitmentState.BROKEN: "Broken",
}


PREVIEW_HINT = "Press Preview to see the document as it will print."


ID_ROLE = Qt.ItemDataRole.UserRole + 1
# A Due cell shows its date in the consultant's style and keeps it as ISO text (and
# the text it was shown as, to tell it from text typed over it).
DUE_ROLE = Qt.ItemDataRole.UserRole + 2
SHOWN_ROLE = Qt.ItemDataRole.UserRole + 3




def status_text(status: AgreementStatus, version: int) -> str:
    text = STATUS_TEXT.get(AgreementStatus(status), str(status))
    return f"{text} · v{version}" if version > 1 else text


def as_qdate(day: date) -> QDate:
    return QDate(day.year, day.month, day.day)


def as_date(q: QDate) -> date:
    return date(q.year(), q.month(), q.day())


class PdfJob(BackgroundJob):
    """A PDF rendered (or finalised) off the GUI thread (ui/kit/jobs.py)."""

    def __init__(self, work: Callable[[], object]) -> None:
        super().__init__(work, what="PDF work")


@dataclass(frozen=True)
class Finalised:
    sha256: str


def load_pdf(document: QPdfDocument, data: bytes, parent: QObject) -> QBuffer:
    """Load PDF bytes from memory: nothing of a client's agreement touches the disk
    just to be looked at. The buffer must outlive the document's use of it."""
    buffer = QBuffer(parent)
    buffer.setData(QByteArray(data))
    buffer.open(QIODevice.OpenModeFlag.ReadOnly)
    document.load(buffer)
    return buffer


def print_document(document: QPdfDocument, printer: QPrinter) -> int:
    """Paint each page at the printer's resolution; returns the pages printed.

    Pages are rasterised by QtPdf rather than sent as PDF because Qt's printer
    takes paint commands, not PDF; at printer resolution the text stays sharp.
    """
    count = document.pageCount()
    if count <= 0:
        return 0
    printer.setFullPage(True)
    dpi = printer.resolution()
    painter = QPainter()
    if not painter.begin(printer):
        return 0
    try:
        for i in range(count):
            if i:
                printer.newPage()
            points = document.pagePointSize(i)
            size = QSize(round(points.width() / 72 * dpi), round(points.height() / 72 * dpi))
            image = document.render(i, size)
            target = QRectF(printer.pageRect(QPrinter.Unit.DevicePixel))
            target.moveTo(0, 0)
            scaled = size.scaled(target.size().toSize(), Qt.AspectRatioMode.KeepAspectRatio)
            painter.drawImage(QRectF(0, 0, scaled.width(), scaled.height()), image)
    finally:
        painter.end()
    return count


def due_cell_text(day: date | None) -> str:
    return short_date(day) if day else ""


class DueDelegate(QStyledItemDelegate):
    """Edits a Due cell as ISO text ("2026-05-31"), however the cell shows it."""

    def setEditorData(self, editor: QWidget, index: QModelIndex) -> None:  # noqa: N802 - Qt API
        if isinstance(editor, QLineEdit):
            editor.setText(
                due_value(
                    index.data(Qt.ItemDataRole.DisplayRole),
                    index.data(DUE_ROLE),
                    index.data(SHOWN_ROLE),
                )
            )
        else:
            super().setEditorData(editor, index)

    def setModelData(  # noqa: N802 - Qt API
        self, editor: QWidget, model: QAbstractItemModel, index: QModelIndex
    ) -> None:
        if not isinstance(editor, QLineEdit):
            super().setModelData(editor, model, index)
            return
        text = editor.text().strip()
        day = parse_due(text)
        shown = due_cell_text(day) if day else text
        model.setData(index, day.isoformat() if day else "", DUE_ROLE)
        model.setData(index, shown, SHOWN_ROLE)
        model.setData(index, shown, Qt.ItemDataRole.DisplayRole)


def due_value(shown: object, kept: object, shown_as: object) -> str:
    """What a Due cell holds: its date as ISO text while it shows what it was given,
    else the text typed over it (which may not be a date)."""
    shown_text = str(shown or "").strip()
    if kept and shown_text == str(shown_as or "").strip():
        return str(kept)
    return shown_text


def set_due(item: QTableWidgetItem, day: date | None) -> None:
    shown = due_cell_text(day)
    item.setData(DUE_ROLE, day.isoformat() if day else "")
    item.setData(SHOWN_ROLE, shown)
    item.setText(shown)


def due_of(item: QTableWidgetItem) -> str:
    return due_value(item.text(), item.data(DUE_ROLE), item.data(SHOWN_ROLE))


class CommitmentTable(QWidget):
    """One side's commitments: text, optional due date, state, in order."""

    state_chosen = Signal(int, str)  # commitment id, new state
    edited = Signal()

    def __init__(self, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.table = QTableWidget(0, 3)
        self.table.setHorizontalHeaderLabels(["What", "Due (optional)", "State"])
        self.table.setAccessibleName(title)
        self.table.verticalHeader().hide()
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        # A due date is one unbroken line, never elided (the column fits it).
        self.table.setWordWrap(False)
        self.table.setItemDelegateForColumn(1, DueDelegate(self.table))
        self.table.itemChanged.connect(lambda _item: self.edited.emit())
        # Three rows always show whole (each holds a state menu): on a short screen
        # the form scrolls rather than cutting the second row in half.
        row = max(
            self.table.verticalHeader().defaultSectionSize(),
            QComboBox().sizeHint().height() + 2,
        )
        frame = 2 * self.table.frameWidth()
        self.table.setMinimumHeight(header.sizeHint().height() + 3 * row + frame)
        self.add_button = QPushButton("Add")
        self.remove_button = QPushButton("Remove")
        self.up_button = QPushButton("Up")
        self.down_button = QPushButton("Down")
        self.add_button.clicked.connect(lambda: self.add_row())
        self.remove_button.clicked.connect(self.remove_selected)
        self.up_button.clicked.connect(lambda: self.move_selected(-1))
        self.down_button.clicked.connect(lambda: self.move_selected(1))
        buttons = QHBoxLayout()
        buttons.setContentsMargins(0, 0, 0, 0)
        for b in (self.add_button, self.remove_button, self.up_button, self.down_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        self.error = error_label(reserve=True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        layout.addWidget(self.error)
        self.final = False

    def add_row(
        self,
        text: str = "",
        due_on: date | None = None,
        state: CommitmentState = CommitmentState.OPEN,
        commitment_id: int | None = None,
    ) -> int:
        row = self.table.rowCount()
        self.table.insertRow(row)
        self._fill(row, text, due_on, state, commitment_id)
        if not text and not self.final:
            self.table.setCurrentCell(row, 0)
            self.table.editItem(self.table.item(row, 0))
        self.edited.emit()
        return row

    def _fill(
        self,
        row: int,
        text: str,
        due_on: date | None,
        state: CommitmentState,
        commitment_id: int | None,
    ) -> None:
        self.table.blockSignals(True)
        item = QTableWidgetItem(text)
        item.setData(ID_ROLE, commitment_id)
        due = QTableWidgetItem()
        set_due(due, due_on)
        due.setToolTip("Type a date like 2026-05-31, or leave it empty")
        for it in (item, due):
            if self.final:
                it.setFlags(it.flags() & ~Qt.ItemFlag.ItemIsEditable)
        self.table.setItem(row, 0, item)
        self.table.setItem(row, 1, due)
        self.table.blockSignals(False)
        combo = QComboBox()
        for value, label in STATE_TEXT.items():
            combo.addItem(label, value.value)
        combo.setCurrentIndex(max(0, combo.findData(CommitmentState(state).value)))
        combo.setEnabled(self.final and commitment_id is not None)
        combo.setToolTip(
            "Kept or broken, once the agreement is final."
            if not self.final
            else "Did this happen as agreed?"
        )
        combo.activated.connect(lambda _i, c=combo, t=item: self._on_state(c, t))
        self.table.setCellWidget(row, 2, combo)

    def _on_state(self, combo: QComboBox, item: QTableWidgetItem) -> None:
        cid = item.data(ID_ROLE)
        if isinstance(cid, int):
            self.state_chosen.emit(cid, str(combo.currentData()))

    def _row_values(self, row: int) -> tuple[str, str, CommitmentState, int | None]:
        text_item = self.table.item(row, 0)
        due_item = self.table.item(row, 1)
        combo = self.table.cellWidget(row, 2)
        state = (
            CommitmentState(str(combo.currentData()))
            if isinstance(combo, QComboBox)
            else CommitmentState.OPEN
        )
        cid = text_item.data(ID_ROLE) if text_item else None
        return (
            text_item.text() if text_item else "",
            due_of(due_item) if due_item else "",
            state,
            cid if isinstance(cid, int) else None,
        )

    def remove_selected(self) -> None:
        row = self.table.currentRow()
        if row >= 0:
            self.table.removeRow(row)
            self.edited.emit()

    def move_selected(self, step: int) -> None:
        row = self.table.currentRow()
        other = row + step
        if row < 0 or not 0 <= other < self.table.rowCount():
            return
        a, b = self._row_values(row), self._row_values(other)
        for r, (text, due, state, cid) in ((row, b), (other, a)):
            self._fill(r, text, parse_due(due), state, cid)
        self.table.setCurrentCell(other, 0)
        self.edited.emit()

    def set_rows(self, rows: list[tuple[str, date | None, CommitmentState, int | None]]) -> None:
        self.table.blockSignals(True)
        self.table.setRowCount(0)
        self.table.blockSignals(False)
        for text, due_on, state, cid in rows:
            row = self.table.rowCount()
            self.table.insertRow(row)
            self._fill(row, text, due_on, state, cid)

    def restyle_dates(self) -> None:
        """Write the due dates again in the date style now in force (typed text that
        is not a date yet stays as typed)."""
        self.table.blockSignals(True)
        for row in range(self.table.rowCount()):
            item = self.table.item(row, 1)
            if item is not None and item.data(DUE_ROLE) and due_of(item) == item.data(DUE_ROLE):
                set_due(item, parse_due(str(item.data(DUE_ROLE))))
        self.table.blockSignals(False)

    def set_final(self, final: bool) -> None:
        self.final = final
        for b in (self.add_button, self.remove_button, self.up_button, self.down_button):
            b.setEnabled(not final)
        triggers = (
            QAbstractItemView.EditTrigger.NoEditTriggers
            if final
            else QAbstractItemView.EditTrigger.AllEditTriggers
            & ~QAbstractItemView.EditTrigger.CurrentChanged
        )
        self.table.setEditTriggers(triggers)

    def values(self, side: Side) -> tuple[list[CommitmentInput], str | None]:
        """The rows as inputs, or a message about the first due date that is not a date."""
        out: list[CommitmentInput] = []
        for row in range(self.table.rowCount()):
            text, due, _state, _cid = self._row_values(row)
            if not text.strip():
                continue
            due_on = parse_due(due)
            if due and due_on is None:
                return out, f"“{due}” is not a date; write it like 2026-05-31."
            out.append(CommitmentInput(side, text, due_on))
        return out, None


def parse_due(text: str) -> date | None:
    try:
        return date.fromisoformat(text.strip()) if text.strip() else None
    except ValueError:
        return None
