"""One agreement in its own window: write the draft, preview it, make it final,
then print, save or open the stored PDF and track what each side committed to.

A window, not a dialog, for the same reason as an incident: an agreement is
written next to notes and mail, over more than one sitting. One window per
agreement, so two copies can never disagree. PDF work (ReportLab rendering,
finalising) runs on a worker thread so the window never freezes while a page
is laid out.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from PySide6.QtCore import (
    QBuffer,
    QByteArray,
    QDate,
    QIODevice,
    QObject,
    QRectF,
    QRunnable,
    QSize,
    Qt,
    QThreadPool,
    QUrl,
    Signal,
)
from PySide6.QtGui import QCloseEvent, QDesktopServices, QKeySequence, QPainter, QShortcut
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPdfWidgets import QPdfView
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateEdit,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from models.agreements import display_number
from models.changes import AGREEMENTS, BOOK, REMINDERS, Changes
from models.enums import AgreementStatus, CommitmentState, Side
from models.files import write_atomic
from models.repair import default_review_on
from models.services.agreements import (
    AgreementDetail,
    AgreementInput,
    CommitmentInput,
    agreement_pdf,
    agreement_viewing_copy,
    create_agreement,
    document_for,
    finalise,
    get_agreement,
    get_settings,
    new_version,
    pdf_renderer,
    set_commitment_state,
    update_draft,
)
from models.services.clients import get_client
from ui.app import RapportApp
from ui.forms import save_or_explain
from ui.kit.forms import STYLE, error_label, form_label, set_invalid, show_error
from ui.kit.record_window import RecordWindow
from ui.ops import announce

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
NO_DETAILS = "Your own name is not filled in yet; add it under Settings › Your details."
ID_ROLE = Qt.ItemDataRole.UserRole + 1
DUE_FORMAT = "yyyy-MM-dd"


def status_text(status: AgreementStatus, version: int) -> str:
    text = STATUS_TEXT.get(AgreementStatus(status), str(status))
    return f"{text} · v{version}" if version > 1 else text


def _qdate(day: date) -> QDate:
    return QDate(day.year, day.month, day.day)


def _pydate(q: QDate) -> date:
    return date(q.year(), q.month(), q.day())


# --- PDF work off the GUI thread -------------------------------------------------------


class _Signals(QObject):
    done = Signal(object)
    failed = Signal(str)


class PdfJob(QRunnable):
    """Run ``work`` on the thread pool; ``done`` carries its result to the GUI thread."""

    def __init__(self, work: Callable[[], object]) -> None:
        super().__init__()
        self.work = work
        self.signals = _Signals()

    def run(self) -> None:
        try:
            result = self.work()
        except Exception as exc:  # told to the user in the window, logged here
            log.exception("PDF work failed")
            self.signals.failed.emit(str(exc) or exc.__class__.__name__)
            return
        self.signals.done.emit(result)


@dataclass(frozen=True)
class _Finalised:
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


# --- commitments ---------------------------------------------------------------------


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
        self.table.itemChanged.connect(lambda _item: self.edited.emit())
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
        self.error = error_label()
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
        due = QTableWidgetItem(due_on.isoformat() if due_on else "")
        due.setToolTip("A date like 2026-05-31, or leave empty")
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
            due_item.text().strip() if due_item else "",
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
            self._fill(r, text, _parse_due(due), state, cid)
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
            due_on = _parse_due(due)
            if due and due_on is None:
                return out, f"“{due}” is not a date; write it like 2026-05-31."
            out.append(CommitmentInput(side, text, due_on))
        return out, None


def _parse_due(text: str) -> date | None:
    try:
        return date.fromisoformat(text.strip()) if text.strip() else None
    except ValueError:
        return None


# --- the window ------------------------------------------------------------------------


class AgreementWindow(RecordWindow):
    """Everything about one agreement. ``closed`` carries its id (0 if never saved)."""

    closed = Signal(int)
    pdf_ready = Signal()
    opened_version = Signal(int)

    def __init__(
        self,
        rapport: RapportApp,
        agreement_id: int | None = None,
        *,
        client_id: int | None = None,
        incident_id: int | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.rapport = rapport
        self.agreement_id = agreement_id
        self.client_id = client_id
        self.incident_id = incident_id
        self.detail: AgreementDetail | None = None
        self.pdf_bytes: bytes | None = None
        self.pdf_is_final = False
        self.message_box: QMessageBox | None = None
        self.job: PdfJob | None = None
        self._then: Callable[[object], None] | None = None
        self._buffer: QBuffer | None = None
        self._dirty = False
        self._filling = False
        self.setStyleSheet(STYLE)

        self.pdf_document = QPdfDocument(self)
        central = QWidget()
        outer = QVBoxLayout(central)
        outer.setContentsMargins(16, 12, 16, 8)
        outer.addLayout(self._make_header())
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(self._make_form())
        self.splitter.addWidget(self._make_preview())
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        outer.addWidget(self.splitter, 1)
        outer.addLayout(self._make_buttons())
        self.setCentralWidget(central)
        self.statusBar()

        QShortcut(QKeySequence(QKeySequence.StandardKey.Close), self, self.close)
        QShortcut(QKeySequence(QKeySequence.StandardKey.Save), self, self.save)
        QShortcut(QKeySequence(QKeySequence.StandardKey.Print), self, self.print_dialog)
        self.resize(1100, 760)
        self.follow_changes(rapport.changed, AGREEMENTS | BOOK, self._on_changed, skip_own=True)
        if agreement_id is None:
            self._start_new()
        else:
            self.reload()

    # -- building -------------------------------------------------------------------

    def _make_header(self) -> QVBoxLayout:
        self.client_label = QLabel()
        self.client_label.setTextFormat(Qt.TextFormat.PlainText)
        self.client_label.setStyleSheet("color: palette(placeholder-text);")
        self.number_label = QLabel()
        self.number_label.setTextFormat(Qt.TextFormat.PlainText)
        font = self.number_label.font()
        font.setPointSizeF(font.pointSizeF() * 1.35)
        font.setWeight(font.Weight.DemiBold)
        self.number_label.setFont(font)
        self.status_label = QLabel()
        self.status_label.setTextFormat(Qt.TextFormat.PlainText)
        self.status_label.setAccessibleName("Status")
        row = QHBoxLayout()
        row.addWidget(self.number_label)
        row.addSpacing(12)
        row.addWidget(self.status_label)
        row.addStretch(1)
        header = QVBoxLayout()
        header.setSpacing(2)
        header.addWidget(self.client_label)
        header.addLayout(row)
        self.general_error = error_label()
        header.addWidget(self.general_error)
        return header

    def _make_form(self) -> QWidget:
        self.title_edit = QLineEdit()
        self.title_edit.setPlaceholderText("What this agreement is about")
        self.title_error = error_label()
        self.date_edit = QDateEdit()
        self.date_edit.setCalendarPopup(True)
        self.date_edit.setDisplayFormat(DUE_FORMAT)
        self.review_edit = QDateEdit()
        self.review_edit.setCalendarPopup(True)
        self.review_edit.setDisplayFormat(DUE_FORMAT)
        self.review_error = error_label()
        self.date_edit.dateChanged.connect(self._on_date_changed)
        self.context_edit = QPlainTextEdit()
        self.context_edit.setPlaceholderText("Why you met, and what led here")
        self.context_edit.setTabChangesFocus(True)
        self.context_edit.setMaximumHeight(90)
        self.points_edit = QPlainTextEdit()
        self.points_edit.setPlaceholderText("One point per line")
        self.points_edit.setTabChangesFocus(True)
        self.points_edit.setMaximumHeight(110)
        self.ours = CommitmentTable("We commit to")
        self.theirs = CommitmentTable("The client commits to")
        self.ours.state_chosen.connect(self._on_state_chosen)
        self.theirs.state_chosen.connect(self._on_state_chosen)

        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        title_box = QWidget()
        tl = QVBoxLayout(title_box)
        tl.setContentsMargins(0, 0, 0, 0)
        tl.setSpacing(2)
        tl.addWidget(self.title_edit)
        tl.addWidget(self.title_error)
        form.addRow(form_label("&Title", self.title_edit), title_box)
        dates = QHBoxLayout()
        dates.setContentsMargins(0, 0, 0, 0)
        dates.addWidget(self.date_edit)
        dates.addSpacing(16)
        dates.addWidget(form_label("&Review on", self.review_edit))
        dates.addWidget(self.review_edit)
        dates.addStretch(1)
        dates_box = QWidget()
        dl = QVBoxLayout(dates_box)
        dl.setContentsMargins(0, 0, 0, 0)
        dl.setSpacing(2)
        dl.addLayout(dates)
        dl.addWidget(self.review_error)
        form.addRow(form_label("&Date", self.date_edit), dates_box)
        form.addRow(form_label("&Context", self.context_edit), self.context_edit)
        form.addRow(form_label("&Points", self.points_edit), self.points_edit)

        ours_box = QGroupBox("We commit to")
        QVBoxLayout(ours_box).addWidget(self.ours)
        theirs_box = QGroupBox("The client commits to")
        QVBoxLayout(theirs_box).addWidget(self.theirs)

        page = QWidget()
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 0, 8, 0)
        layout.addLayout(form)
        layout.addWidget(ours_box, 1)
        layout.addWidget(theirs_box, 1)
        for w in (self.title_edit,):
            w.textEdited.connect(self._mark_dirty)
        for pw in (self.context_edit, self.points_edit):
            pw.textChanged.connect(self._mark_dirty)
        self.date_edit.dateChanged.connect(self._mark_dirty)
        self.review_edit.dateChanged.connect(self._mark_dirty)
        self.ours.edited.connect(self._mark_dirty)
        self.theirs.edited.connect(self._mark_dirty)
        return page

    def _make_preview(self) -> QWidget:
        self.pdf_view = QPdfView()
        self.pdf_view.setDocument(self.pdf_document)
        self.pdf_view.setPageMode(QPdfView.PageMode.MultiPage)
        self.pdf_view.setZoomMode(QPdfView.ZoomMode.FitToWidth)
        self.pdf_view.setAccessibleName("Preview")
        self.preview_hint = QLabel(PREVIEW_HINT)
        self.preview_hint.setWordWrap(True)
        self.preview_hint.setStyleSheet("color: palette(placeholder-text);")
        self.busy = QProgressBar()
        self.busy.setRange(0, 0)  # no percentage: rendering reports none
        self.busy.setMaximumHeight(8)
        self.busy.setTextVisible(False)
        self.busy.hide()
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.setContentsMargins(8, 0, 0, 0)
        layout.addWidget(self.preview_hint)
        layout.addWidget(self.busy)
        layout.addWidget(self.pdf_view, 1)
        return page

    def _make_buttons(self) -> QHBoxLayout:
        self.save_button = QPushButton("Save")
        self.save_button.setToolTip("Save the draft (Ctrl+S)")
        self.preview_button = QPushButton("Preview")
        self.final_button = QPushButton("Make final…")
        self.version_button = QPushButton("New version")
        self.version_button.setToolTip("Start a draft that will replace this agreement.")
        self.print_button = QPushButton("Print…")
        self.save_as_button = QPushButton("Save as…")
        self.open_button = QPushButton("Open in viewer")
        self.save_button.clicked.connect(self.save)
        self.preview_button.clicked.connect(self.preview)
        self.final_button.clicked.connect(self.confirm_final)
        self.version_button.clicked.connect(self.make_new_version)
        self.print_button.clicked.connect(self.print_dialog)
        self.save_as_button.clicked.connect(self.save_as_dialog)
        self.open_button.clicked.connect(self.open_in_viewer)
        row = QHBoxLayout()
        row.setContentsMargins(0, 8, 0, 0)
        for b in (self.save_button, self.preview_button, self.final_button, self.version_button):
            row.addWidget(b)
        row.addStretch(1)
        for b in (self.print_button, self.save_as_button, self.open_button):
            row.addWidget(b)
        return row

    # -- state ----------------------------------------------------------------------

    @property
    def status(self) -> AgreementStatus:
        return self.detail.row.status if self.detail else AgreementStatus.DRAFT

    def _start_new(self) -> None:
        book = self.rapport.book
        name = ""
        if book is not None and self.client_id is not None:
            name = get_client(book, self.client_id).name
        today = self.rapport.today()
        self._filling = True
        self.client_label.setText(name)
        self.number_label.setText("New agreement")
        self.status_label.setText("Draft · not saved yet")
        self.date_edit.setDate(_qdate(today))
        self.review_edit.setDate(_qdate(default_review_on(today)))
        self._filling = False
        self.setWindowTitle(f"New agreement — {name}" if name else "New agreement")
        self._hint_missing_details()
        self._apply_mode()

    def reload(self) -> None:
        """Read the agreement again; typing in a draft is kept while it is dirty."""
        book = self.rapport.book
        if book is None or self.agreement_id is None:
            return
        try:
            detail = get_agreement(book, self.agreement_id)
        except Exception:
            self.detail = None
            show_error(self.general_error, AGREEMENT_GONE)
            return
        self.detail = detail
        self.client_id = detail.row.client_id
        if detail.row.status is AgreementStatus.DRAFT and self.pdf_bytes is None:
            self._hint_missing_details()
        shown = detail.row.display_number
        self.client_label.setText(detail.row.client_name)
        self.number_label.setText(shown)
        self.status_label.setText(status_text(detail.row.status, detail.row.version))
        self.setWindowTitle(f"{shown} — {detail.row.client_name}")
        if not self._dirty or detail.row.status is not AgreementStatus.DRAFT:
            self._fill_form(detail)
        self._apply_mode()
        if detail.row.status is not AgreementStatus.DRAFT and not self.pdf_is_final:
            pdf = agreement_pdf(book, self.agreement_id)
            if pdf:
                self.show_pdf(pdf, final=True)

    def _hint_missing_details(self) -> None:
        """A document that names the client but not the consultant looks unfinished;
        say where to fix it before it is made final."""
        book = self.rapport.book
        missing = book is not None and not get_settings(book).name
        self.preview_hint.setText(f"{NO_DETAILS}\n{PREVIEW_HINT}" if missing else PREVIEW_HINT)

    def _fill_form(self, d: AgreementDetail) -> None:
        self._filling = True
        self.title_edit.setText(d.row.title)
        self.date_edit.setDate(_qdate(d.row.dated))
        self.review_edit.setDate(
            _qdate(d.row.review_on or default_review_on(d.row.dated))
        )
        self.context_edit.setPlainText(d.context)
        self.points_edit.setPlainText("\n".join(d.points))
        final = d.row.status is not AgreementStatus.DRAFT
        self.ours.set_final(final)
        self.theirs.set_final(final)
        for table, side in ((self.ours, Side.OURS), (self.theirs, Side.THEIRS)):
            table.set_rows(
                [
                    (c.text, c.due_on, c.state, c.id)
                    for c in sorted(d.commitments, key=lambda c: c.position)
                    if c.side is side
                ]
            )
        self._filling = False
        self._dirty = False

    def _apply_mode(self) -> None:
        draft = self.status is AgreementStatus.DRAFT
        if not draft and self.focusWidget() is not None and not self.focusWidget().isEnabled():
            self.version_button.setFocus(Qt.FocusReason.OtherFocusReason)
        saved = self.agreement_id is not None
        for w in (self.title_edit, self.date_edit, self.review_edit):
            w.setEnabled(draft)
        for pw in (self.context_edit, self.points_edit):
            pw.setReadOnly(not draft)
            pw.setEnabled(draft)
        self.ours.set_final(not draft)
        self.theirs.set_final(not draft)
        if not draft:  # the state column is what may still change
            for table in (self.ours, self.theirs):
                for row in range(table.table.rowCount()):
                    combo = table.table.cellWidget(row, 2)
                    if combo is not None:
                        combo.setEnabled(self.status is AgreementStatus.FINAL)
        self.save_button.setEnabled(draft)
        self.preview_button.setEnabled(draft and self.job is None)
        self.final_button.setEnabled(draft and saved and self.job is None)
        self.version_button.setEnabled(self.status is AgreementStatus.FINAL)
        has_pdf = self.pdf_bytes is not None
        for b in (self.print_button, self.save_as_button, self.open_button):
            b.setEnabled(has_pdf)
        self.final_button.setToolTip(FINAL_WARNING)

    def _mark_dirty(self, *_args: object) -> None:
        if not self._filling:
            self._dirty = True

    def _on_date_changed(self, q: QDate) -> None:
        """Keep the review three months on while the user has not picked one."""
        if self._filling or self.status is not AgreementStatus.DRAFT:
            return
        self.review_edit.setDate(_qdate(default_review_on(_pydate(q))))

    def form_input(self) -> tuple[AgreementInput | None, dict[str, str]]:
        """What the form says, or the problems the form itself can see."""
        errors: dict[str, str] = {}
        ours, ours_problem = self.ours.values(Side.OURS)
        theirs, theirs_problem = self.theirs.values(Side.THEIRS)
        if ours_problem:
            errors["ours"] = ours_problem
        if theirs_problem:
            errors["theirs"] = theirs_problem
        if errors:
            return None, errors
        data = AgreementInput(
            title=self.title_edit.text(),
            dated=_pydate(self.date_edit.date()),
            context=self.context_edit.toPlainText(),
            points=self.points_edit.toPlainText().splitlines(),
            commitments=ours + theirs,
            review_on=_pydate(self.review_edit.date()),
        )
        return data, {}

    def _show_errors(self, errors: dict[str, str]) -> None:
        show_error(self.title_error, errors.get("title"))
        set_invalid(self.title_edit, "title" in errors)
        show_error(self.review_error, errors.get("review_on"))
        show_error(self.ours.error, errors.get("ours"))
        show_error(self.theirs.error, errors.get("theirs"))
        known = {"title", "review_on", "ours", "theirs"}
        show_error(self.general_error, " ".join(m for k, m in errors.items() if k not in known))

    # -- saving ---------------------------------------------------------------------

    def save(self) -> bool:
        """Save the draft; a new one is created in the book on its first save."""
        book = self.rapport.book
        if book is None or self.status is not AgreementStatus.DRAFT:
            return False
        data, problems = self.form_input()
        if data is None:
            self._show_errors(problems)
            return False
        now = self.rapport.now()
        created = False

        def write() -> None:
            nonlocal created
            if self.agreement_id is None:
                assert self.client_id is not None
                self.agreement_id = create_agreement(
                    book, self.client_id, data, incident_id=self.incident_id, now=now
                )
                created = True
            else:
                update_draft(book, self.agreement_id, data, now=now)

        if not save_or_explain(
            write,
            refuse=self._show_errors,
            explain=lambda message: show_error(self.general_error, message),
            failed="The agreement could not be saved; nothing was changed. Please try again.",
            log=log,
            log_message="Saving an agreement failed",
            gone=AGREEMENT_GONE,
        ):
            return False
        self._show_errors({})
        self._dirty = False
        if created:
            self.rapport.agreement_windows[self.agreement_id] = self
        self.reload()
        self.statusBar().showMessage("Saved.", 3000)
        announce(self.rapport, AGREEMENTS, self)
        return True

    def _on_state_chosen(self, commitment_id: int, state: str) -> None:
        book = self.rapport.book
        if book is None:
            return
        if save_or_explain(
            lambda: set_commitment_state(
                book, commitment_id, CommitmentState(state), now=self.rapport.now()
            ),
            refuse=lambda errors: show_error(self.general_error, " ".join(errors.values())),
            explain=lambda message: show_error(self.general_error, message),
            failed="That could not be saved. Please try again.",
            log=log,
            log_message="Setting a commitment state failed",
            gone=AGREEMENT_GONE,
        ):
            self.statusBar().showMessage(f"Marked {STATE_TEXT[CommitmentState(state)]}.", 3000)
            announce(self.rapport, AGREEMENTS | REMINDERS, self)
        else:
            self.reload()

    # -- PDF: preview, final ----------------------------------------------------------

    def _run(self, work: Callable[[], object], done: Callable[[object], None], busy: str) -> None:
        job = PdfJob(work)
        # Bound methods of this window, queued: the result is handled on the GUI
        # thread, never on the worker that emitted it.
        self._then = done
        queued = Qt.ConnectionType.QueuedConnection
        job.signals.done.connect(self._job_done, queued)
        job.signals.failed.connect(self._job_failed, queued)
        self.job = job
        self.busy.show()
        self.preview_hint.setText(busy)
        self.preview_hint.show()
        self._apply_mode()
        self.save_button.setEnabled(False)
        QThreadPool.globalInstance().start(job)

    def _job_done(self, result: object) -> None:
        self.job = None
        self.busy.hide()
        done, self._then = self._then, None
        if done is not None:
            done(result)
        self._apply_mode()

    def _job_failed(self, message: str) -> None:
        self.job = None
        self.busy.hide()
        self.preview_hint.hide()
        show_error(self.general_error, f"The document could not be made: {message}")
        self._apply_mode()

    def preview(self) -> bool:
        """Save the draft, then lay it out on a worker thread and show it."""
        book = self.rapport.book
        if book is None or self.job is not None:
            return False
        unsaved = self._dirty or self.agreement_id is None
        if self.status is AgreementStatus.DRAFT and unsaved and not self.save():
            return False
        if self.agreement_id is None:
            return False
        document = document_for(book, self.agreement_id)

        def work() -> bytes:
            return pdf_renderer(book)(document)

        self._run(work, lambda pdf: self.show_pdf(pdf, final=False), "Laying out the pages…")
        return True

    def confirm_final(self) -> QMessageBox | None:
        if self.agreement_id is None or self.status is not AgreementStatus.DRAFT:
            return None
        box = QMessageBox(
            QMessageBox.Icon.Question,
            "Make final",
            FINAL_WARNING,
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            self,
        )
        box.setTextFormat(Qt.TextFormat.PlainText)
        box.setInformativeText("Its PDF will be kept exactly as it is now.")
        box.button(QMessageBox.StandardButton.Yes).setText("Make final")
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)

        def done(result: int) -> None:
            if result == QMessageBox.StandardButton.Yes:
                self.make_final()

        box.finished.connect(done)
        self.message_box = box
        box.open()
        return box

    def make_final(self) -> bool:
        """Save what is typed, then finalise on a worker thread (the PDF is rendered
        inside that one transaction) and show the stored PDF."""
        book = self.rapport.book
        if book is None or self.agreement_id is None or self.job is not None:
            return False
        if self._dirty and not self.save():
            return False
        agreement_id = self.agreement_id
        now = self.rapport.now()

        def work() -> _Finalised:
            return _Finalised(finalise(book, agreement_id, pdf_renderer(book), now=now))

        def done(_result: object) -> None:
            self.pdf_is_final = False
            self.reload()
            self.statusBar().showMessage("The agreement is final.", 4000)
            announce(self.rapport, AGREEMENTS | REMINDERS, self)

        self._run(work, done, "Making the final document…")
        return True

    def show_pdf(self, pdf: object, *, final: bool) -> None:
        if not isinstance(pdf, bytes):
            return
        self.pdf_bytes = pdf
        self.pdf_is_final = final
        self.pdf_document.close()
        old = self._buffer
        self._buffer = load_pdf(self.pdf_document, pdf, self)
        if old is not None:
            old.deleteLater()
        self.preview_hint.setText(
            "The final document, as stored."
            if final
            else "Preview of the draft; not saved as a PDF."
        )
        self.preview_hint.show()
        self._apply_mode()
        self.pdf_ready.emit()

    # -- the stored PDF out: print, save, view ---------------------------------------

    def print_to(self, printer: QPrinter) -> int:
        """Print the shown PDF on ``printer``; the dialog path and tests both use this."""
        if self.pdf_bytes is None:
            return 0
        return print_document(self.pdf_document, printer)

    def print_dialog(self) -> QPrintDialog | None:
        if self.pdf_bytes is None:
            return None
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        dialog = QPrintDialog(printer, self)
        dialog.setWindowTitle("Print agreement")
        if dialog.exec() == QPrintDialog.DialogCode.Accepted:
            self.print_to(printer)
        return dialog

    def suggested_name(self) -> str:
        if self.detail is None:
            return "agreement.pdf"
        shown = display_number(self.detail.row.number, self.detail.row.version)
        return f"{shown.replace(' ', '-')}.pdf"

    def save_as_dialog(self) -> Path | None:
        if self.pdf_bytes is None:
            return None
        start = str(Path.home() / self.suggested_name())
        name, _ = QFileDialog.getSaveFileName(self, "Save agreement as", start, "PDF (*.pdf)")
        if not name:
            return None
        return self.save_as(Path(name))

    def save_as(self, path: Path) -> Path | None:
        """Write the shown PDF whole, or leave any older file as it was."""
        if self.pdf_bytes is None:
            return None
        if path.suffix.lower() != ".pdf":
            path = path.with_name(path.name + ".pdf")
        try:
            write_atomic(path, self.pdf_bytes, mode=0o644)
        except OSError as exc:
            show_error(self.general_error, f"The file could not be saved ({exc.strerror}).")
            return None
        self.statusBar().showMessage(f"Saved {path.name}.", 4000)
        return path

    def viewing_copy(self) -> Path | None:
        if self.pdf_bytes is None or self.detail is None:
            return None
        return agreement_viewing_copy(
            self.detail.row.number, self.detail.row.version, self.pdf_bytes
        )

    def open_in_viewer(self) -> bool:
        try:
            path = self.viewing_copy()
        except OSError as exc:
            show_error(self.general_error, f"The PDF could not be opened ({exc.strerror}).")
            return False
        if path is None:
            return False
        return QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))

    def make_new_version(self) -> AgreementWindow | None:
        book = self.rapport.book
        if book is None or self.agreement_id is None or self.status is not AgreementStatus.FINAL:
            return None
        new_id: int | None = None

        def write() -> None:
            nonlocal new_id
            new_id = new_version(book, self.agreement_id or 0, now=self.rapport.now())

        if not save_or_explain(
            write,
            refuse=lambda errors: show_error(self.general_error, " ".join(errors.values())),
            explain=lambda message: show_error(self.general_error, message),
            failed="A new version could not be started. Please try again.",
            log=log,
            log_message="Starting a new agreement version failed",
            gone=AGREEMENT_GONE,
        ):
            return None
        assert new_id is not None
        announce(self.rapport, AGREEMENTS, self)
        self.opened_version.emit(new_id)
        return open_agreement_window(self.rapport, new_id, self.parentWidget())

    # -- the window -----------------------------------------------------------------

    def _on_changed(self, what: Changes, _initiator: object) -> None:
        if what.book:
            self._dirty = False
            self.close()
        elif what.agreements and self.agreement_id is not None:
            self.reload()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt API
        if self._dirty and self.status is AgreementStatus.DRAFT and self.rapport.book is not None:
            question = "Save your changes to this agreement before closing?"
            if not self.settle_unsaved(question, self.save):
                event.ignore()
                return
        self.stop_following()
        if self.job is not None:
            # A finalise still running completes in the book; this window just
            # no longer hears about it.
            with contextlib.suppress(RuntimeError, TypeError):
                self.job.signals.done.disconnect(self._job_done)
                self.job.signals.failed.disconnect(self._job_failed)
        aid = self.agreement_id
        if aid is not None and self.rapport.agreement_windows.get(aid) is self:
            self.rapport.agreement_windows.pop(aid, None)
        self.closed.emit(self.agreement_id or 0)
        super().closeEvent(event)


def open_agreement_window(
    rapport: RapportApp, agreement_id: int, parent: QWidget | None = None
) -> AgreementWindow | None:
    """The agreement's window, opened or brought forward if it is already open."""
    if rapport.book is None:
        return None
    window = rapport.agreement_windows.get(agreement_id)
    if window is None:
        window = AgreementWindow(rapport, agreement_id, parent=parent)
        if window.detail is None:
            window.deleteLater()
            return None
        rapport.agreement_windows[agreement_id] = window
    window.bring_to_front()
    return window


def new_agreement_window(
    rapport: RapportApp,
    client_id: int,
    *,
    incident_id: int | None = None,
    parent: QWidget | None = None,
) -> AgreementWindow | None:
    """An unsaved draft for ``client_id``; it joins the book on its first Save."""
    if rapport.book is None:
        return None
    window = AgreementWindow(
        rapport, None, client_id=client_id, incident_id=incident_id, parent=parent
    )
    window.bring_to_front()
    window.title_edit.setFocus(Qt.FocusReason.OtherFocusReason)
    return window
