"""The agreement window's state: filling the form from the book, what may be
edited, and saving a draft."""

from __future__ import annotations

from PySide6.QtCore import (
    QDate,
    Qt,
)

from models.changes import AGREEMENTS, REMINDERS
from models.enums import AgreementStatus, CommitmentState, Side
from models.repair import default_review_on
from models.services.agreement_documents import agreement_pdf
from models.services.agreements import (
    AgreementDetail,
    AgreementInput,
    create_agreement,
    get_agreement,
    set_commitment_state,
    update_draft,
)
from models.services.clients import get_client
from models.services.work_settings import get_working_week
from models.working_time import WorkingWeek
from ui.agreement_parts import (
    AGREEMENT_GONE,
    FINAL_WARNING,
    PREVIEW_HINT,
    STATE_TEXT,
    as_date,
    as_qdate,
    log,
    status_text,
)
from ui.kit.forms import set_invalid, show_error
from ui.ops import run_op
from ui.your_details import missing_details


class AgreementStateMixin:
    """Reads the agreement into the form and saves a draft.

    A part of AgreementWindow (ui/agreement_window.py): it works on the widgets and
    attributes the window's __init__ makes."""

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
        self.date_edit.setDate(as_qdate(today))
        self.review_edit.setDate(as_qdate(default_review_on(today, self._week())))
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
        missing = missing_details(self.rapport)
        self.preview_hint.setText(f"{missing}\n{PREVIEW_HINT}" if missing else PREVIEW_HINT)

    def _fill_form(self, d: AgreementDetail) -> None:
        self._filling = True
        self.title_edit.setText(d.row.title)
        self.date_edit.setDate(as_qdate(d.row.dated))
        self.review_edit.setDate(
            as_qdate(d.row.review_on or default_review_on(d.row.dated, self._week()))
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
        for b in (self.print_button, self.save_as_button, self.open_button, self.email_button):
            b.setEnabled(has_pdf)
        self.final_button.setToolTip(FINAL_WARNING)

    def _week(self) -> WorkingWeek:
        return get_working_week(self.rapport.book)

    def _mark_dirty(self, *_args: object) -> None:
        if not self._filling:
            self._dirty = True

    def _on_date_changed(self, q: QDate) -> None:
        """Keep the review three months on while the user has not picked one."""
        if self._filling or self.status is not AgreementStatus.DRAFT:
            return
        self.review_edit.setDate(as_qdate(default_review_on(as_date(q), self._week())))

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
            dated=as_date(self.date_edit.date()),
            context=self.context_edit.toPlainText(),
            points=self.points_edit.toPlainText().splitlines(),
            commitments=ours + theirs,
            review_on=as_date(self.review_edit.date()),
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

        def then() -> None:
            self._show_errors({})
            self._dirty = False
            if created:
                self.rapport.agreement_windows[self.agreement_id] = self
            self.reload()
            self.statusBar().showMessage("Saved.", 3000)

        return run_op(
            self.rapport,
            write,
            changes=AGREEMENTS,
            initiator=self,
            refuse=self._show_errors,
            explain=lambda message: show_error(self.general_error, message),
            failed="The agreement could not be saved; nothing was changed. Please try again.",
            logger=log,
            log_message="Saving an agreement failed",
            gone=AGREEMENT_GONE,
            then=then,
        )

    def _on_state_chosen(self, commitment_id: int, state: str) -> None:
        book = self.rapport.book
        if book is None:
            return
        if not run_op(
            self.rapport,
            lambda: set_commitment_state(
                book, commitment_id, CommitmentState(state), now=self.rapport.now()
            ),
            changes=AGREEMENTS | REMINDERS,
            initiator=self,
            explain=lambda message: show_error(self.general_error, message),
            failed="That could not be saved. Please try again.",
            logger=log,
            log_message="Setting a commitment state failed",
            gone=AGREEMENT_GONE,
            then=lambda: self.statusBar().showMessage(
                f"Marked {STATE_TEXT[CommitmentState(state)]}.", 3000
            ),
        ):
            self.reload()
