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
from collections.abc import Callable

from PySide6.QtCore import (
    QBuffer,
    QSize,
    Qt,
    Signal,
)
from PySide6.QtGui import QCloseEvent, QKeySequence, QShortcut
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPdfWidgets import QPdfView
from PySide6.QtWidgets import (
    QDateEdit,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from models.changes import AGREEMENTS, BOOK, DATES, Changes
from models.enums import AgreementStatus
from models.services.agreements import (
    AgreementDetail,
    new_version,
)
from ui.agreement_parts import (
    AGREEMENT_GONE,
    PREVIEW_HINT,
    CommitmentTable,
    PdfJob,
    load_pdf,
    log,
    print_document,
    status_text,
)
from ui.agreement_pdf import AgreementPdfMixin
from ui.agreement_state import AgreementStateMixin
from ui.app import RapportApp
from ui.date_edits import style_date_edit
from ui.kit.forms import error_label, form_label, form_style, show_error
from ui.kit.record_window import RecordWindow
from ui.kit.screen import fit_on_show, scrolling
from ui.ops import OpJob, run_op

__all__ = [
    "AgreementWindow",
    "CommitmentTable",
    "PdfJob",
    "load_pdf",
    "new_agreement_window",
    "open_agreement_window",
    "print_document",
    "status_text",
]


class AgreementWindow(AgreementStateMixin, AgreementPdfMixin, RecordWindow):
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
        self.last_print: object = None  # the last PrintResult: how the PDF went out
        self.pdf_is_final = False
        self.message_box: QMessageBox | None = None
        self.job: PdfJob | OpJob | None = None  # a preview's render, or a finalise
        self._then: Callable[[object], None] | None = None
        self._buffer: QBuffer | None = None
        self._dirty = False
        self._filling = False
        self.setStyleSheet(form_style())

        self.pdf_document = QPdfDocument(self)
        central = QWidget()
        outer = QVBoxLayout(central)
        outer.setContentsMargins(16, 12, 16, 8)
        outer.addLayout(self._make_header())
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(scrolling(self._make_form()))
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
        fit_on_show(self, QSize(1100, 760))
        self.follow_changes(
            rapport.changed, AGREEMENTS | BOOK | DATES, self._on_changed, skip_own=True
        )
        if agreement_id is None:
            self._start_new()
        else:
            self.reload()

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
        self.general_error = error_label(reserve=True)
        header.addWidget(self.general_error)
        return header

    def _make_form(self) -> QWidget:
        self.title_edit = QLineEdit()
        self.title_edit.setPlaceholderText("What this agreement is about")
        self.title_error = error_label(reserve=True)
        self.date_edit = QDateEdit()
        self.date_edit.setCalendarPopup(True)
        style_date_edit(self.date_edit)
        self.review_edit = QDateEdit()
        self.review_edit.setCalendarPopup(True)
        style_date_edit(self.review_edit)
        self.review_error = error_label(reserve=True)
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
        self.preview_button.setToolTip("Saves the draft first, then shows how it will print.")
        self.final_button = QPushButton("Make final…")
        self.version_button = QPushButton("New version")
        self.version_button.setToolTip("Start a draft that will replace this agreement.")
        self.print_button = QPushButton("Print…")
        self.save_as_button = QPushButton("Save as…")
        self.open_button = QPushButton("Open in viewer")
        self.email_button = QPushButton("Email…")
        self.email_button.setToolTip("Start an email with this PDF attached.")
        self.save_button.clicked.connect(self.save)
        self.preview_button.clicked.connect(self.preview)
        self.final_button.clicked.connect(self.confirm_final)
        self.version_button.clicked.connect(self.make_new_version)
        self.print_button.clicked.connect(self.print_dialog)
        self.save_as_button.clicked.connect(self.save_as_dialog)
        self.open_button.clicked.connect(self.open_in_viewer)
        self.email_button.clicked.connect(self.email_pdf)
        row = QHBoxLayout()
        row.setContentsMargins(0, 8, 0, 0)
        for b in (self.save_button, self.preview_button, self.final_button, self.version_button):
            row.addWidget(b)
        row.addStretch(1)
        for b in (self.print_button, self.save_as_button, self.open_button, self.email_button):
            row.addWidget(b)
        return row

    def make_new_version(self) -> AgreementWindow | None:
        book = self.rapport.book
        if book is None or self.agreement_id is None or self.status is not AgreementStatus.FINAL:
            return None
        new_id: int | None = None

        def write() -> None:
            nonlocal new_id
            new_id = new_version(book, self.agreement_id or 0, now=self.rapport.now())

        if not run_op(
            self.rapport,
            write,
            changes=AGREEMENTS,
            initiator=self,
            explain=lambda message: show_error(self.general_error, message),
            failed="A new version could not be started. Please try again.",
            logger=log,
            log_message="Starting a new agreement version failed",
            gone=AGREEMENT_GONE,
        ):
            return None
        assert new_id is not None
        self.opened_version.emit(new_id)
        return open_agreement_window(self.rapport, new_id, self.parentWidget())

    def _on_changed(self, what: Changes, _initiator: object) -> None:
        if what.book:
            self._dirty = False
            self.close()
        elif what.agreements and self.agreement_id is not None:
            self.reload()
        elif what.dates:
            for table in (self.ours, self.theirs):
                table.restyle_dates()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt API
        if self._dirty and self.status is AgreementStatus.DRAFT and self.rapport.book is not None:
            question = "Save your changes to this agreement before closing?"
            if not self.settle_unsaved(question, self.save):
                event.ignore()
                return
        self.stop_following()
        if isinstance(self.job, OpJob):
            # A finalise still running completes in the book and the other views
            # hear of it; this window just no longer does.
            self.job.forget_caller()
        elif self.job is not None:
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
