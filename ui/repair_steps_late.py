"""The playbook's later steps as pages (where things stand, goals, our change,
the timeframe, the agreement in writing) and the three other endings."""

from __future__ import annotations

from datetime import date
from typing import Any

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import (
    QDateEdit,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QTextBrowser,
    QWidget,
)

from models.repair import Step, default_review_on, draft_check_in, plain_day
from models.repair_records import INSURER_NO_ADMISSIONS
from models.services.clients import NotFoundError
from models.services.insurer import get_insurer
from models.services.repair import agreement_candidates, preview_agreement
from models.services.work_settings import get_working_week
from models.working_time import default_day
from ui.date_edits import style_date_edit
from ui.kit.forms import form_label
from ui.repair_choices import ClientChoices, DetailsBar
from ui.repair_commitments import CommitmentList
from ui.repair_page_base import (
    RepairPage,
    warn_style,
)
from ui.repair_widgets import (
    DEFAULT_DUE_DAYS,
    RankedList,
    copy_text,
    guarded,
    pydate,
    qdate,
)
from ui.repair_words import (
    agreement_html,
    part_ways_warning,
)


class StatePage(RepairPage):
    def build(self) -> None:
        grid = QGridLayout()
        grid.setHorizontalSpacing(12)
        grid.setVerticalSpacing(6)
        fields = (
            ("project_state", "Where the &project stands", "Done, in progress, not started"),
            ("done_so_far", "What has been done &so far", "Deliveries, hours, milestones"),
            ("choices", "Choices &made, and why", "What was decided, by whom, for what reason"),
            ("client_choices", "How &their choices played in", "Their decisions and their effect"),
        )
        for i, (name, label, placeholder) in enumerate(fields):
            r, c = divmod(i, 2)
            grid.addWidget(self.text_field(name, label, placeholder, 100), r, c)
        self.body.addLayout(grid, 1)


class GoalsPage(RepairPage):
    def build(self) -> None:
        self.body.addWidget(
            self.text_field(
                "why_hired", "&Why they hired you", "The problem they came to you with", 60, 100
            )
        )
        self.ranked = RankedList("Their priorities", "Type a priority and press Enter")
        self.ranked.on_change = self._changed
        box = self.field(
            "priorities", "Their &priorities, most important first", self.ranked, self.ranked.list
        )
        self.order += self.ranked.focus_widgets()
        self.body.addWidget(box, 1)
        self.body.addWidget(self.hint("Drag a row, or use Ctrl+Up and Ctrl+Down, to reorder."))

    def fill_extra(self, answers: dict[str, Any]) -> None:
        value = answers.get("priorities", [])
        self.ranked.set_items([str(v) for v in value] if isinstance(value, list) else [])

    def extra_values(self) -> dict[str, Any]:
        return {"priorities": self.ranked.items()}

    def set_read_only(self, on: bool) -> None:
        super().set_read_only(on)
        self.ranked.set_read_only(on)


class CommitmentsPage(RepairPage):
    """Step 7 (ours) or 8 (theirs): one or more commitments, each optionally dated."""

    SPEC: dict[Step, tuple[str, str, str, str, str]] = {
        # field, label, placeholder, add button, hint
        Step.OUR_CHANGE: (
            "ours",
            "What &we will do",
            "e.g. A short written update every Friday",
            "Add a commitment",
            "Pick changes they will notice: a new rhythm, smaller steps, another person on "
            "the work, help for the part you cannot do well.",
        ),
        Step.OUR_REQUEST: (
            "theirs",
            "What we &ask of them",
            "e.g. Two weeks' notice of new deliverables",
            "Add a re&quest",
            "Ask for what makes the change work, such as feedback within a few days or one "
            "named contact.",
        ),
    }

    def build(self) -> None:
        name, label, placeholder, add_text, hint = self.SPEC[self.step]
        self.name = name
        self.commitments = CommitmentList(label.replace("&", ""), placeholder, add_text)
        week = get_working_week(self.owner.rapport.book)
        self.commitments.default_due = default_day(
            self.owner.rapport.today(), DEFAULT_DUE_DAYS, week
        )
        self.commitments.on_change = self._changed
        self.body.addWidget(self.field(name, label, self.commitments, self.commitments))
        self.body.addWidget(self.hint(hint))
        self.body.addStretch(1)
        self.order += self.commitments.focus_widgets()

    def fill_extra(self, answers: dict[str, Any]) -> None:
        value = answers.get(self.name, [])
        self.commitments.set_values(value if isinstance(value, list) else [])

    def extra_values(self) -> dict[str, Any]:
        return {self.name: self.commitments.values()}

    def focus_first(self) -> None:
        self.commitments.rows[0].text_edit.setFocus(Qt.FocusReason.OtherFocusReason)

    def set_read_only(self, on: bool) -> None:
        super().set_read_only(on)
        self.commitments.set_read_only(on)


class TimeframePage(RepairPage):
    def build(self) -> None:
        self.review_edit = QDateEdit()
        self.review_edit.setCalendarPopup(True)
        style_date_edit(self.review_edit, weekday=True)
        self.review_edit.dateChanged.connect(self._on_review_changed)
        self.control(self.review_edit)
        self.review_note = self.hint("")
        review_row = QHBoxLayout()
        review_row.setContentsMargins(0, 0, 0, 0)
        review_row.addWidget(self.review_edit)
        review_row.addWidget(self.review_note, 1)
        holder = QWidget()
        holder.setLayout(review_row)
        self.body.addWidget(self.field("review_on", "&Review on", holder, self.review_edit))
        self.order.append(self.review_edit)
        self.inputs["review_on"] = self.review_edit
        self.body.addWidget(
            self.text_field("check_in", "&Check-in message", "What you will send that day", 110),
            1,
        )
        self.redraft_button = self.control(QPushButton("&Use a fresh draft"))
        self.redraft_button.clicked.connect(self.redraft)
        self.copy_button = QPushButton("Cop&y")
        self.copy_button.clicked.connect(lambda: copy_text(self.texts["check_in"].toPlainText()))
        buttons = QHBoxLayout()
        buttons.setContentsMargins(0, 0, 0, 0)
        self.mail = self.mail_handoff("Checking in", "check_in")
        buttons.addWidget(self.redraft_button)
        buttons.addWidget(self.copy_button)
        buttons.addWidget(self.mail, 1)
        self.body.addLayout(buttons)
        self.body.addStretch(1)
        self.order += [self.redraft_button, self.copy_button, *self.mail.focus_widgets()]
        self._review = self.owner.rapport.today()

    def review_on(self) -> date:
        return pydate(self.review_edit.date())

    def _draft(self, day: date) -> str:
        return draft_check_in(self.owner.view.client_name, day)

    def fill_extra(self, answers: dict[str, Any]) -> None:
        text = answers.get("review_on") or ""
        day = (
            date.fromisoformat(text)
            if text
            else default_review_on(
                self.owner.rapport.today(), get_working_week(self.owner.rapport.book)
            )
        )
        self.review_edit.setDate(qdate(day))
        self._review = day
        self._note()

    def extra_values(self) -> dict[str, Any]:
        return {"review_on": self.review_on().isoformat()}

    def _note(self) -> None:
        self.review_note.setText(f"A reminder on {plain_day(self.review_on())}.")

    def _on_review_changed(self, _q: QDate) -> None:
        """A check-in still as drafted follows the new date; an edited one stays."""
        if self._filling:
            return
        edit = self.texts["check_in"]
        if edit.toPlainText() == self._draft(self._review):
            assert isinstance(edit, QPlainTextEdit)
            edit.setPlainText(self._draft(self.review_on()))
        self._review = self.review_on()
        self._note()
        self._changed()

    def redraft(self) -> None:
        edit = self.texts["check_in"]
        assert isinstance(edit, QPlainTextEdit)
        edit.setPlainText(self._draft(self.review_on()))


class InWritingPage(RepairPage):
    def build(self) -> None:
        self.details_bar = DetailsBar(self)
        self.body.addWidget(self.details_bar)
        self.body.addWidget(self.line_field("title", "&Title", "What this agreement is about"))
        points = self.text_field(
            "points", "E&xtra points, one per line", "Anything else you agreed", 60, 100
        )
        notes = self.text_field(
            "notes",
            "&Why things fell out of alignment",
            "Notes for both of you, so it does not happen again",
            60,
            100,
        )
        self.body.addLayout(self.row(points, notes))
        self.choices = self.control(ClientChoices())
        assert isinstance(self.choices, ClientChoices)
        self.choices.on_change = self._changed
        self.choices.setMinimumHeight(110)
        self.body.addWidget(
            self.field(
                "shown", "What the &client sees: tick what goes in the agreement", self.choices
            ),
            1,
        )
        self.body.addWidget(
            self.hint(
                "Private preparation (how you see it, the apology draft, the evidence you "
                "looked at, your figures, the check-in draft) stays out unless you tick it."
            )
        )
        self.preview = QTextBrowser()
        self.preview.setOpenLinks(False)
        self.preview.setTabChangesFocus(True)
        self.preview.setAccessibleName("Agreement preview")
        self.preview.setMinimumHeight(170)
        self.preview.document().setDocumentMargin(10)
        label = form_label("Pre&view of the agreement", self.preview)
        self.body.addWidget(label)
        self.body.addWidget(self.preview, 2)
        self.order.append(self.preview)

    def fill_extra(self, answers: dict[str, Any]) -> None:
        value = answers.get("points", [])
        edit = self.texts["points"]
        text = "\n".join(str(v) for v in value) if isinstance(value, list) else ""
        if edit.toPlainText() != text:
            assert isinstance(edit, QPlainTextEdit)
            edit.setPlainText(text)

    def values(self) -> dict[str, Any]:
        out = super().values()
        out["points"] = str(out.get("points", "")).splitlines()
        return out

    def extra_values(self) -> dict[str, Any]:
        # Before the list has been loaded it knows nothing: saving it then would
        # wipe the choices the book holds.
        return self.choices.choices() if self.choices.loaded else {}

    @guarded(None)
    def initializePage(self) -> None:  # noqa: N802 - Qt API
        self.refresh_preview()
        self.details_bar.refresh(self.owner.rapport)

    def after_save(self) -> None:
        self.refresh_preview()

    def refresh_preview(self) -> None:
        book = self.owner.rapport.book
        if book is None:
            return
        try:
            composed = preview_agreement(book, self.owner.view.id)
            offered = agreement_candidates(book, self.owner.view.id)
        except NotFoundError:
            return
        self.choices.set_candidates(offered)
        self.preview.setHtml(agreement_html(composed, self.owner.view.client_name))


class HandOverPage(RepairPage):
    def build(self) -> None:
        self.body.addLayout(
            self.row(
                self.line_field("successor", "&Who takes over", "Name"),
                self.line_field("successor_contact", "Their &contact", "Email or phone"),
            )
        )
        self.body.addWidget(
            self.text_field(
                "handover_state",
                "Where things &stand",
                "Left empty, the brief uses what step 5 says",
                100,
            ),
            1,
        )
        self.body.addWidget(
            self.text_field(
                "access_notes",
                "&Access and accounts",
                "Logins to hand over, where files live, who to ask",
                90,
            ),
            1,
        )
        self.body.addWidget(
            self.hint(
                "Finish writes a hand-over brief (the state, access, history) and notes the "
                "hand-over in the incident's timeline."
            )
        )


class InsurerPage(RepairPage):
    def build(self) -> None:
        self.body.addLayout(
            self.row(
                self.line_field("insurer_name", "&Insurer", "Name of the insurer"),
                self.line_field("insurer_policy", "&Policy number", "As on your certificate"),
            )
        )
        self.body.addWidget(
            self.line_field("insurer_contact", "&Contact", "Claims email, phone or address")
        )
        self.body.addWidget(
            self.text_field(
                "notice",
                "No&tice",
                "Left empty, a short notice says a dispute may lead to a claim",
                110,
            ),
            1,
        )
        self.body.addWidget(
            self.hint(
                "The insurer's details are kept in Settings for next time. Finish writes the "
                "notice with the list of evidence kept."
            )
        )
        self.body.addWidget(self.hint(INSURER_NO_ADMISSIONS))

    @guarded(None)
    def initializePage(self) -> None:  # noqa: N802 - Qt API
        """Empty insurer fields take what Settings holds."""
        book = self.owner.rapport.book
        names = ("insurer_name", "insurer_policy", "insurer_contact")
        if self.read_only or book is None or any(self.values()[n].strip() for n in names):
            return
        kept = get_insurer(book)
        for name, value in zip(names, (kept.name, kept.policy, kept.contact), strict=True):
            w = self.texts[name]
            if isinstance(w, QPlainTextEdit):
                w.setPlainText(value)
            else:
                w.setText(value)


class PartWaysPage(RepairPage):
    def build(self) -> None:
        self.warning = QLabel()
        self.warning.setWordWrap(True)
        self.warning.setStyleSheet(warn_style())
        self.body.addWidget(self.warning)
        self.body.addLayout(
            self.row(
                self.text_field("we_owe", "What &we still owe", "Work, files, a refund…", 80),
                self.text_field("they_owe", "What &they still owe", "Invoices, returns…", 80),
            )
        )
        self.body.addWidget(
            self.text_field(
                "closing_message",
                "&Closing message",
                "Thank them for the work together, say what happens next",
                120,
            ),
            1,
        )
        # The closing note is a drafted message like the others: Copy, "Open in
        # mail app", then one click to log it as sent (issue 17, Build 10).
        self.copy_button = QPushButton("Cop&y")
        self.copy_button.clicked.connect(
            lambda: copy_text(self.texts["closing_message"].toPlainText())
        )
        self.mail = self.mail_handoff("Thank you for working with me", "closing_message")
        buttons = QHBoxLayout()
        buttons.setContentsMargins(0, 0, 0, 0)
        buttons.addWidget(self.copy_button)
        buttons.addWidget(self.mail, 1)
        self.body.addLayout(buttons)
        self.order += [self.copy_button, *self.mail.focus_widgets()]

    def fill_extra(self, answers: dict[str, Any]) -> None:
        self.warning.setText(part_ways_warning(self.owner.view.client_name))
