"""The agreement window's PDF: the preview, finalising with its hash, and the
stored PDF out (print, save as, open in a viewer)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import (
    Qt,
    QThreadPool,
    QUrl,
)
from PySide6.QtGui import QDesktopServices
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import (
    QFileDialog,
    QMessageBox,
)

from models.agreements import display_number
from models.changes import AGREEMENTS, REMINDERS
from models.enums import AgreementStatus, Channel
from models.files import write_atomic
from models.services.agreement_documents import agreement_viewing_copy, pdf_renderer
from models.services.agreements import document_for, finalise
from ui.agreement_parts import (
    AGREEMENT_GONE,
    FINAL_WARNING,
    Finalised,
    PdfJob,
    load_pdf,
    log,
    print_document,
)
from ui.handoff import client_email, email_file
from ui.kit.forms import show_error
from ui.ops import run_op, start_op
from ui.print_pdf import PrintRoute, print_pdf
from ui.your_details import missing_details, refuse_without_details

SAVED_FOR_PREVIEW = "The draft was saved, then laid out for this preview."
MAKING_FINAL = "Making the final document…"


class AgreementPdfMixin:
    """Preview, finalise, print, save and view the PDF.

    A part of AgreementWindow (ui/agreement_window.py): it works on the widgets and
    attributes the window's __init__ makes."""

    def _run(self, work: Callable[[], object], done: Callable[[object], None], busy: str) -> None:
        job = PdfJob(work)
        # Bound methods of this window, queued: the result is handled on the GUI
        # thread, never on the worker that emitted it.
        self._then = done
        queued = Qt.ConnectionType.QueuedConnection
        job.signals.done.connect(self._job_done, queued)
        job.signals.failed.connect(self._job_failed, queued)
        self.job = job
        self._show_busy(busy)
        QThreadPool.globalInstance().start(job)

    def _show_busy(self, busy: str) -> None:
        self.busy.show()
        self.preview_hint.setText(busy)
        self.preview_hint.show()
        self._apply_mode()
        self.save_button.setEnabled(False)

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
        if unsaved and self.status is AgreementStatus.DRAFT:
            # Preview shows the draft as saved, so it saves first: said, not hidden.
            self.statusBar().showMessage(SAVED_FOR_PREVIEW, 6000)
        self.saved_for_preview = unsaved
        document = document_for(book, self.agreement_id)

        def work() -> bytes:
            return pdf_renderer(book)(document)

        self._run(work, lambda pdf: self.show_pdf(pdf, final=False), "Laying out the pages…")
        return True

    def confirm_final(self) -> QMessageBox | None:
        """Ask before making the draft final; without the consultant's details, say
        so and offer to fill them in instead (finalising would be refused)."""
        if self.agreement_id is None or self.status is not AgreementStatus.DRAFT:
            return None
        reason = missing_details(self.rapport)
        if reason:
            self.message_box = refuse_without_details(self.rapport, self, reason, self._asked)
            return self.message_box
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

    def _asked(self) -> None:
        """The details are saved: the preview hint forgets its warning and the
        question is asked again."""
        self._hint_missing_details()
        self.confirm_final()

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

        def work() -> Finalised:
            return Finalised(finalise(book, agreement_id, pdf_renderer(book), now=now))

        def refuse(errors: dict[str, str]) -> None:
            reason = errors.get("consultant")
            if reason is None:
                show_error(self.general_error, " ".join(errors.values()))
                return
            # The details went missing meanwhile (MissingDetailsError): ask for them.
            self._hint_missing_details()
            self.message_box = refuse_without_details(self.rapport, self, reason, self._asked)

        def then(_result: object) -> None:
            self.pdf_is_final = False
            self.reload()
            self.statusBar().showMessage("The agreement is final.", 4000)

        def settled(ok: bool) -> None:
            self.job = None
            self.busy.hide()
            if not ok and self.preview_hint.text() == MAKING_FINAL:
                self.preview_hint.hide()
            self._apply_mode()

        # A write that renders the PDF inside its transaction: off the GUI thread,
        # through the one op path, announced once when it lands.
        self.job = start_op(
            self.rapport,
            work,
            changes=AGREEMENTS | REMINDERS,
            initiator=self,
            explain=lambda message: show_error(self.general_error, message),
            failed="The document could not be made. Please try again.",
            logger=log,
            log_message="Making an agreement final failed",
            refuse=refuse,
            gone=AGREEMENT_GONE,
            then=then,
            settled=settled,
        )
        self._show_busy(MAKING_FINAL)
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
        if final:
            hint = "The final document, as stored."
        elif getattr(self, "saved_for_preview", False):
            hint = f"{SAVED_FOR_PREVIEW} Not a PDF file yet."
        else:
            hint = "Preview of the saved draft; not a PDF file yet."
        self.preview_hint.setText(hint)
        self.preview_hint.show()
        self._apply_mode()
        self.pdf_ready.emit()

    def print_to(self, printer: QPrinter) -> int:
        """Print the shown PDF on ``printer``; the dialog path and tests both use this.

        The PDF itself goes out (to the file, or to CUPS); pages are rasterised only
        where neither is possible (ui/print_pdf.py)."""
        if self.pdf_bytes is None:
            return 0
        title = self.suggested_name().removesuffix(".pdf")
        try:
            result = print_pdf(self.pdf_bytes, printer, self.pdf_document, title, print_document)
        except OSError as exc:
            show_error(self.general_error, f"The file could not be written ({exc.strerror}).")
            return 0
        self.last_print = result
        where = {
            PrintRoute.FILE: f"Saved {Path(printer.outputFileName()).name}.",
            PrintRoute.CUPS: f"Sent to {printer.printerName() or 'the printer'}.",
            PrintRoute.RENDERED: "Sent to the printer.",
        }[result.route]
        self.statusBar().showMessage(where, 4000)
        return result.pages

    def print_dialog(self) -> QPrintDialog | None:
        if self.pdf_bytes is None:
            return None
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        # The dialog's "print to file" name: AG-2026-0003.pdf, not print.pdf.
        printer.setDocName(self.suggested_name().removesuffix(".pdf"))
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

    def email_pdf(self) -> QMessageBox | None:
        """Start an email with the PDF attached, then offer to log it as a touch."""
        try:
            path = self.viewing_copy()
        except OSError as exc:
            show_error(self.general_error, f"The PDF could not be written ({exc.strerror}).")
            return None
        if path is None or self.detail is None:
            return None
        row = self.detail.row
        shown = display_number(row.number, row.version)
        said = email_file(path, client_email(self.rapport, row.client_id), f"Our agreement {shown}")
        self.statusBar().showMessage(said, 6000)
        box = QMessageBox(
            QMessageBox.Icon.Question,
            "Log the email?",
            f"{said}\n\nOnce you have sent it, log it as a touch with {row.client_name}?",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            self,
        )
        box.button(QMessageBox.StandardButton.Yes).setText("Log as sent")
        box.button(QMessageBox.StandardButton.No).setText("Not now")

        def answered(result: int) -> None:
            if result == QMessageBox.StandardButton.Yes:
                self.log_email_sent(shown)

        box.finished.connect(answered)
        box.open()
        return box

    def log_email_sent(self, shown: str) -> bool:
        from models.services.reminders import TouchInput, log_touch

        book = self.rapport.book
        if book is None or self.detail is None:
            return False
        cid, now = self.detail.row.client_id, self.rapport.now()
        touch = TouchInput(now, Channel.EMAIL, f"Sent the agreement {shown}")
        return run_op(
            self.rapport,
            lambda: log_touch(book, cid, touch),
            changes=REMINDERS,
            initiator=self,
            explain=lambda message: show_error(self.general_error, message),
            failed="The touch could not be logged. Please try again.",
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
