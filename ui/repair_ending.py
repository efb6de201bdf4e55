"""The repair wizard's endings: finishing a plan, and what a finished repair
leaves (its agreement, its written record as PDF)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QThreadPool
from PySide6.QtWidgets import (
    QFileDialog,
    QMessageBox,
    QWizard,
)

from models.changes import AGREEMENTS, CLIENTS, INCIDENTS, REMINDERS
from models.enums import RepairEnding
from models.files import write_atomic
from models.repair import Step
from models.services.agreements import get_agreement
from models.services.clients import NotFoundError
from models.services.repair import (
    finish_other,
    finish_with_agreement,
    get_plan,
)
from ui.ops import run_op
from ui.repair_words import outcome_text, pdf_name, record_noun

if TYPE_CHECKING:
    from ui.agreement_window import AgreementWindow

from ui.repair_parts import (
    FINISH_FAILED,
    PLAN_GONE,
    READ_ONLY_BUTTONS,
    log,
    resume_route,
)


class RepairEndingMixin:
    """Finishes the plan and hands out what it left.

    A part of RepairWizard (ui/repair_wizard.py): it works on the widgets and
    attributes the window's __init__ makes."""

    def request_finish(self, step: Step) -> None:
        if step is Step.PART_WAYS:
            self._confirm_part_ways()
        else:
            self.finish(step)

    def _confirm_part_ways(self) -> QMessageBox:
        from ui.repair_words import part_ways_warning

        box = QMessageBox(
            QMessageBox.Icon.Warning,
            "Part ways",
            f"Part ways with {self.view.client_name}?",
            parent=self,
        )
        box.setTextFormat(Qt.TextFormat.PlainText)
        box.setInformativeText(part_ways_warning(self.view.client_name))
        yes = box.addButton("Part ways", QMessageBox.ButtonRole.DestructiveRole)
        box.setDefaultButton(box.addButton("Not yet", QMessageBox.ButtonRole.RejectRole))
        box.buttonClicked.connect(
            lambda clicked: self.finish(Step.PART_WAYS) if clicked is yes else None
        )
        self.message_box = box
        box.open()
        return box

    def finish(self, step: Step) -> bool:
        """End the plan at ``step``: an agreement, or one of the other endings."""
        book = self.rapport.book
        if book is None or self.read_only:
            return False
        page = self.pages[step]
        now = self.rapport.now()

        def write() -> None:
            if step is Step.IN_WRITING:
                finish_with_agreement(book, self.view.id, now=now)
            else:
                finish_other(book, self.view.id, step, now=now)

        def then() -> None:
            self.view = get_plan(book, self.view.id)
            self._enter_finished_mode()

        # One announcement for the whole ending: every view reloads once.
        if not run_op(
            self.rapport,
            write,
            changes=INCIDENTS | AGREEMENTS | REMINDERS | CLIENTS,
            initiator=self,
            refuse=lambda errors: page.show_errors(errors, focus=True),
            explain=page.show_general,
            failed=FINISH_FAILED,
            logger=log,
            log_message="Finishing a repair plan failed",
            gone=PLAN_GONE,
            then=then,
        ):
            return False
        self.plan_finished.emit(self.view.ending.value if self.view.ending else "")
        target = (
            self.side.open_button if self.side.open_button.isVisible() else self.side.pdf_button
        )
        target.setFocus(Qt.FocusReason.OtherFocusReason)
        return True

    def _enter_finished_mode(self) -> None:
        """A finished plan is a record: every field read-only, Close instead of Cancel,
        and the agreement or the written record one click away."""
        self.timer.stop()
        self._edited_at = None
        self.read_only = True
        self._route = resume_route(self.view)
        for page in self.pages.values():
            page.set_read_only(True)
        self.setButtonLayout(READ_ONLY_BUTTONS)
        self.setButtonText(QWizard.WizardButton.CancelButton, "Close")
        agreement = None
        book = self.rapport.book
        if self.view.agreement_id is not None and book is not None:
            try:
                agreement = get_agreement(book, self.view.agreement_id).row
            except NotFoundError:
                agreement = None
        self.side.outcome_label.setText(outcome_text(self.view, agreement))
        self.side.open_button.setVisible(agreement is not None)
        ending = self.view.ending
        self.side.pdf_button.setText(
            "Save as PDF…"
            if ending is RepairEnding.AGREEMENT
            else f"Save the {record_noun(ending)} as PDF…"
        )
        self.side.pdf_button.setVisible(
            ending is not None and (agreement is not None or ending is not RepairEnding.AGREEMENT)
        )
        self.side.outcome.show()
        self._retitle()
        self._update_chrome()

    def open_agreement(self) -> AgreementWindow | None:
        if self.view.agreement_id is None:
            return None
        from ui.agreement_window import open_agreement_window  # QtPdf only when needed

        return open_agreement_window(self.rapport, self.view.agreement_id, self.parentWidget())

    def suggested_pdf_name(self) -> str:
        book = self.rapport.book
        number = ""
        if self.view.agreement_id is not None and book is not None:
            number = get_agreement(book, self.view.agreement_id).row.display_number
        return pdf_name(self.view, number)

    def save_pdf_dialog(self) -> None:
        start = str(Path.home() / self.suggested_pdf_name())
        name, _ = QFileDialog.getSaveFileName(self, "Save as PDF", start, "PDF (*.pdf)")
        if name:
            self.save_pdf_to(Path(name))

    def save_pdf_to(self, path: Path) -> bool:
        """Lay the document out on a worker thread, then write it whole to ``path``."""
        book = self.rapport.book
        if book is None or self.job is not None or not self.view.finished:
            return False
        if path.suffix.lower() != ".pdf":
            path = path.with_name(path.name + ".pdf")
        from models.services.printing import repair_job
        from ui.agreement_window import PdfJob  # QtPdf and ReportLab only when needed

        job = PdfJob(repair_job(book, self.view.id))
        queued = Qt.ConnectionType.QueuedConnection
        job.signals.done.connect(self._pdf_done, queued)
        job.signals.failed.connect(self._pdf_failed, queued)
        self.job = job
        self._pdf_target = path
        self.side.busy.show()
        self.side.message.setText("Laying out the pages…")
        self.side.pdf_button.setEnabled(False)
        QThreadPool.globalInstance().start(job)
        return True

    def _pdf_done(self, pdf: object) -> None:
        self.job = None
        self.side.busy.hide()
        self.side.pdf_button.setEnabled(True)
        path = self._pdf_target
        if path is None or not isinstance(pdf, bytes):
            return
        try:
            write_atomic(path, pdf, mode=0o644)
        except OSError as exc:
            self.side.message.setText(f"The file could not be saved ({exc.strerror}).")
            return
        self.side.message.setText(f"Saved {path.name}.")
        self.pdf_saved.emit(path)

    def _pdf_failed(self, message: str) -> None:
        self.job = None
        self.side.busy.hide()
        self.side.pdf_button.setEnabled(True)
        self.side.message.setText(f"The document could not be made: {message}")
