"""The repair wizard's pages: one per playbook step, one per other ending.

Each page knows only its own fields (models.repair.FIELDS[step]): it fills them
from the plan's answers, hands back what they hold, and says when the user typed.
Saving, moving on and finishing belong to the wizard (ui/repair_wizard.py), so a
page never writes to the book except where it must act at once (attaching a file).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any, Protocol

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtWidgets import (
    QDateEdit,
    QDateTimeEdit,
    QFileDialog,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
    QWizard,
    QWizardPage,
)

from models.repair import (
    FIELDS,
    Step,
    default_review_on,
    draft_apology,
    draft_check_in,
    draft_reply,
    plain_day,
)
from models.services.clients import NotFoundError, local_date
from models.services.incidents import (
    LARGE_FILE_BYTES,
    EvidenceError,
    attach_file,
    display_name,
    list_evidence,
    timeline,
)
from models.services.reminders import list_touches
from models.services.repair import PlanView, get_insurer, preview_agreement
from models.text import human_size
from ui.app import RapportApp
from ui.incident_words import entry_kind_text
from ui.kit.forms import Place, error_label, form_label, show_error, show_errors
from ui.repair_widgets import (
    DEFAULT_DUE_DAYS,
    CheckList,
    CommitmentList,
    RankedList,
    chain_focus,
    copy_text,
    guarded,
    plain_text,
    pydate,
    qdate,
)
from ui.repair_words import (
    GUIDE,
    NO_MISTAKES_YET,
    agreement_html,
    page_title,
    part_ways_warning,
)
from ui.touch_dialog import DATE_FORMAT, DATE_TIME_FORMAT, from_qdatetime, to_qdatetime
from ui.wording import channel_text, short_date


class RepairWizard(Protocol):
    """What a page asks of the wizard that holds it (ui/repair_wizard.py): the
    plan as saved, who the consultant is, the other pages' values, and a way to
    say it changed the incident. A protocol, so pages never import the wizard."""

    rapport: RapportApp
    view: PlanView
    my_name: str
    responded_at: datetime | None

    def page_values(self, step: Step) -> dict[str, object]: ...

    def incident_changed(self) -> None: ...

log = logging.getLogger(__name__)

MUTED = "color: palette(placeholder-text);"
WARN_STYLE = "background:#fbe3d6; color:#8a2c0d; padding:6px 8px; border-radius:3px;"
SKIPPED_STYLE = "background:#eeeeee; color:#444444; padding:6px 8px; border-radius:3px;"

# --- the page every step is built on -------------------------------------------------


class RepairPage(QWizardPage):
    """A step's fields, its guiding words, its inline errors and its skipped note."""

    unskip_requested = Signal()

    def __init__(self, owner: RepairWizard, step: Step) -> None:
        super().__init__()
        self.owner = owner
        self.step = step
        # What the wizard wants told on every edit: a plain call, never a Qt signal
        # (see ui/repair_widgets.py on why nothing per keystroke may emit one).
        self.notify: Callable[[], None] = lambda: None
        self.read_only = False
        self._filling = False
        self.texts: dict[str, QPlainTextEdit | QLineEdit] = {}
        self.inputs: dict[str, QWidget] = {}
        self.errors: dict[str, QLabel] = {}
        self.controls: list[QWidget] = []  # disabled when the plan is finished
        self.order: list[QWidget] = []  # Tab order
        self.setTitle(page_title(step))
        self.setSubTitle(GUIDE[step])

        self.skipped_label = QLabel(
            "You skipped this step. What is here stays out of the agreement."
        )
        self.skipped_label.setWordWrap(True)
        self.unskip_button = QPushButton("Use this step after all")
        self.unskip_button.clicked.connect(self.unskip_requested)
        self.skipped_bar = QFrame()
        self.skipped_bar.setStyleSheet(f"QFrame {{ {SKIPPED_STYLE} }}")
        bar = QHBoxLayout(self.skipped_bar)
        bar.setContentsMargins(0, 0, 0, 0)
        bar.addWidget(self.skipped_label, 1)
        bar.addWidget(self.unskip_button)
        self.skipped_bar.hide()
        self.general_error = error_label()

        content = QWidget()
        self.body = QVBoxLayout(content)
        self.body.setContentsMargins(0, 0, 6, 0)
        self.body.setSpacing(8)
        scroll = QScrollArea()
        scroll.setWidget(content)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.scroll = scroll
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(6)
        outer.addWidget(self.skipped_bar)
        outer.addWidget(self.general_error)
        outer.addWidget(scroll, 1)
        self.build()
        chain_focus(self.order)

    # -- building blocks --------------------------------------------------------------

    def build(self) -> None:
        raise NotImplementedError

    def field(
        self, name: str, label: str, widget: QWidget, buddy: QWidget | None = None
    ) -> QWidget:
        """``widget`` under its label with its error line, registered under ``name``."""
        box = QWidget()
        v = QVBoxLayout(box)
        v.setContentsMargins(0, 0, 0, 0)
        v.setSpacing(3)
        v.addWidget(form_label(label, buddy or widget))
        v.addWidget(widget, 1)
        error = error_label()
        v.addWidget(error)
        self.inputs[name] = widget
        self.errors[name] = error
        if isinstance(widget, QPlainTextEdit | QLineEdit):
            self.texts[name] = widget
            widget.textChanged.connect(self._changed)
        if buddy is None:
            self.order.append(widget)
        return box

    def text_field(
        self, name: str, label: str, placeholder: str, height: int = 64, most: int = 0
    ) -> QWidget:
        """A text box at least ``height`` tall; at most ``most`` (when given), so the
        page's spare room goes to the box that needs it."""
        edit = plain_text(placeholder, height)
        if most:
            edit.setMaximumHeight(most)
        return self.field(name, label, edit)

    def line_field(self, name: str, label: str, placeholder: str = "") -> QWidget:
        edit = QLineEdit()
        edit.setPlaceholderText(placeholder)
        return self.field(name, label, edit)

    def row(self, *widgets: QWidget) -> QHBoxLayout:
        h = QHBoxLayout()
        h.setContentsMargins(0, 0, 0, 0)
        h.setSpacing(12)
        for w in widgets:
            h.addWidget(w, 1)
        return h

    def hint(self, text: str) -> QLabel:
        label = QLabel(text)
        label.setWordWrap(True)
        label.setStyleSheet(MUTED)
        return label

    def control(self, widget: QWidget) -> QWidget:
        self.controls.append(widget)
        return widget

    def _changed(self, *_args: object) -> None:
        if not self._filling and not self.read_only:
            self.notify()

    # -- what the wizard asks of a page --------------------------------------------------

    def values(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for name, w in self.texts.items():
            out[name] = w.toPlainText() if isinstance(w, QPlainTextEdit) else w.text()
        out.update(self.extra_values())
        assert set(out) <= set(FIELDS[self.step]), set(out) - set(FIELDS[self.step])
        return out

    def extra_values(self) -> dict[str, Any]:
        return {}

    def fill(self, answers: dict[str, Any]) -> None:
        self._filling = True
        try:
            for name, w in self.texts.items():
                value = answers.get(name, "")
                value = value if isinstance(value, str) else ""
                current = w.toPlainText() if isinstance(w, QPlainTextEdit) else w.text()
                if current != value:
                    if isinstance(w, QPlainTextEdit):
                        w.setPlainText(value)
                    else:
                        w.setText(value)
            self.fill_extra(answers)
        finally:
            self._filling = False

    def fill_extra(self, answers: dict[str, Any]) -> None:
        return None

    def after_save(self) -> None:
        """Called once what the page holds is in the book."""
        return None

    def set_read_only(self, on: bool) -> None:
        self.read_only = on
        for w in self.texts.values():
            w.setReadOnly(on)
        for w in self.controls:
            w.setEnabled(not on)
        self.unskip_button.setVisible(not on)

    def set_skipped(self, skipped: bool) -> None:
        self.skipped_bar.setVisible(skipped)

    def show_errors(self, errors: dict[str, str], *, focus: bool = False) -> None:
        """Problems next to their fields; anything else above the page. Nothing typed
        is touched."""
        # Fields in the page's input order, so the keyboard lands on the first one.
        places: list[Place] = [(k, self.errors.get(k), w) for k, w in self.inputs.items()]
        places += [(k, label, None) for k, label in self.errors.items() if k not in self.inputs]
        show_errors(
            errors, places, self.general_error, focus=focus, reveal=self.scroll.ensureWidgetVisible
        )

    def show_general(self, message: str) -> None:
        show_error(self.general_error, message)

    def focus_first(self) -> None:
        for w in self.order:
            if w.isEnabled() and w.isVisibleTo(self):
                w.setFocus(Qt.FocusReason.OtherFocusReason)
                if isinstance(w, QLineEdit):  # arriving must not put the text at risk
                    w.deselect()
                    w.end(False)
                return

    def cleanupPage(self) -> None:  # noqa: N802 - Qt API
        """Going Back keeps what the page holds (the wizard saved it)."""
        return None


# --- the playbook's pages ------------------------------------------------------------


class FactsPage(RepairPage):
    def build(self) -> None:
        self.body.addWidget(
            self.text_field(
                "facts", "&What happened", "Dates, what was delivered, what was said", 90, 150
            ),
            1,
        )
        client = self.text_field(
            "client_view", "The &client's view", "What happened, as they tell it", 70, 130
        )
        ours = self.text_field("our_view", "&Our view", "What happened, as you see it", 70, 130)
        self.body.addLayout(self.row(client, ours), 1)

        self.due_edit = QDateTimeEdit()
        self.due_edit.setCalendarPopup(True)
        self.due_edit.setDisplayFormat(DATE_TIME_FORMAT)
        self.due_edit.dateTimeChanged.connect(self._on_due_changed)
        self.due_note = QLabel()
        self.due_note.setStyleSheet(MUTED)
        self.due_note.setWordWrap(True)
        self.control(self.due_edit)
        due_row = QHBoxLayout()
        due_row.setContentsMargins(0, 6, 0, 0)
        due_label = form_label("Full answer &promised by", self.due_edit)
        due_row.addWidget(due_label)
        due_row.addWidget(self.due_edit)
        due_row.addWidget(self.due_note, 1)
        self.errors["reply_due_at"] = error_label()
        self.inputs["reply_due_at"] = self.due_edit
        self.order.append(self.due_edit)
        self.body.addLayout(due_row)
        self.body.addWidget(self.errors["reply_due_at"])

        self.body.addWidget(
            self.text_field("reply", "First &reply", "A short reply: heard, and when", 110), 2
        )
        self.redraft_button = self.control(QPushButton("&Use a fresh draft"))
        self.redraft_button.setToolTip("Replace the reply with a draft for the time above.")
        self.redraft_button.clicked.connect(self.redraft)
        self.copy_button = QPushButton("Cop&y reply")
        self.copy_button.clicked.connect(self.copy_reply)
        self.copied = QLabel()
        self.copied.setStyleSheet(MUTED)
        buttons = QHBoxLayout()
        buttons.setContentsMargins(0, 0, 0, 0)
        buttons.addWidget(self.redraft_button)
        buttons.addWidget(self.copy_button)
        buttons.addWidget(self.copied, 1)
        self.body.addLayout(buttons)
        self.order += [self.redraft_button, self.copy_button]
        self._due_text = ""
        self._due_shown = self.due_edit.dateTime()
        self._due_before = self._due_shown

    @property
    def reply_edit(self) -> QPlainTextEdit:
        w = self.texts["reply"]
        assert isinstance(w, QPlainTextEdit)
        return w

    def _due_local(self) -> datetime:
        return from_qdatetime(self.due_edit.dateTime()).astimezone()

    def _draft(self, when: datetime | None) -> str:
        return draft_reply(self.owner.view.client_name, self.owner.my_name, when)

    def fill_extra(self, answers: dict[str, Any]) -> None:
        text = answers.get("reply_due_at") or ""
        self._due_text = text
        if text:
            self.due_edit.setDateTime(to_qdatetime(datetime.fromisoformat(text)))
        self._due_shown = self.due_edit.dateTime()
        self._due_before = self._due_shown
        answered = self.owner.responded_at
        if answered is not None:
            self.due_edit.setEnabled(False)
            self.due_note.setText(
                f"Answered on {short_date(local_date(answered))}; that promise is settled."
            )

    def extra_values(self) -> dict[str, Any]:
        if self.due_edit.dateTime() == self._due_shown:
            return {"reply_due_at": self._due_text}
        return {"reply_due_at": from_qdatetime(self.due_edit.dateTime()).isoformat()}

    def after_save(self) -> None:
        self._due_text = self.owner.view.answers.get("reply_due_at") or self._due_text
        self._due_shown = self.due_edit.dateTime()

    def _on_due_changed(self, _value: object) -> None:
        """A reply still as drafted follows the new time; an edited one is the user's."""
        if self._filling:
            return
        before = from_qdatetime(self._due_before).astimezone()
        if self.reply_edit.toPlainText() == self._draft(before):
            self.reply_edit.setPlainText(self._draft(self._due_local()))
        self._due_before = self.due_edit.dateTime()
        self._changed()

    def redraft(self) -> None:
        self.reply_edit.setPlainText(self._draft(self._due_local()))

    def copy_reply(self) -> None:
        copy_text(self.reply_edit.toPlainText())
        self.copied.setText("Copied. Paste it into your email.")

    def set_read_only(self, on: bool) -> None:
        super().set_read_only(on)
        if not on and self.owner.responded_at is not None:
            self.due_edit.setEnabled(False)


class EvidencePage(RepairPage):
    def build(self) -> None:
        self.files = CheckList("Evidence files")
        self.entries = CheckList("Timeline entries")
        self.touches = CheckList("Calls and emails with them")
        for w in (self.files, self.entries, self.touches):
            w.setMinimumHeight(80)
            w.on_change = self._changed
            self.control(w)
        self.add_button = self.control(QPushButton("&Add files…"))
        self.add_button.setToolTip("Attach copies to the incident; the originals stay put.")
        self.add_button.clicked.connect(self.attach_files_dialog)
        files_box = self.field("evidence_ids", "Evidence f&iles", self.files)
        buttons = QHBoxLayout()
        buttons.setContentsMargins(0, 0, 0, 0)
        buttons.addWidget(self.add_button)
        buttons.addStretch(1)
        self.body.addWidget(files_box, 1)
        self.body.addLayout(buttons)
        self.order.append(self.add_button)
        self.body.addLayout(
            self.row(
                self.field("entry_ids", "&Timeline entries", self.entries),
                self.field("touch_ids", "Calls and &emails with them", self.touches),
            ),
            1,
        )
        self.body.addWidget(
            self.text_field(
                "figures", "Fi&gures", "Hours spent, tasks done, results in numbers", 70
            )
        )
        self._checked: dict[str, set[int]] = {"evidence_ids": set(), "entry_ids": set()}
        self._checked["touch_ids"] = set()

    def lists(self) -> dict[str, CheckList]:
        return {"evidence_ids": self.files, "entry_ids": self.entries, "touch_ids": self.touches}

    def fill_extra(self, answers: dict[str, Any]) -> None:
        for name in self.lists():
            value = answers.get(name, [])
            self._checked[name] = {int(v) for v in value} if isinstance(value, list) else set()
        self.reload_lists()

    def reload_lists(self) -> None:
        """Read the incident's files, entries and the client's touches again; ticks
        already made stay ticked."""
        book = self.owner.rapport.book
        if book is None:
            return
        view = self.owner.view
        now = self.owner.rapport.now()
        today = local_date(now)
        for name, widget in self.lists().items():
            if widget.count():
                shown = set(widget.all_ids())
                self._checked[name] = (self._checked[name] - shown) | set(widget.checked_ids())
        try:
            files = list_evidence(book, view.incident_id)
            rows = [r for r in timeline(book, view.incident_id, now=now) if r.entry_id]
        except NotFoundError:
            return
        touches = list_touches(book, view.client_id)
        self.files.set_rows(
            (
                (
                    f.id,
                    f"{display_name(f.name)}  ({human_size(f.size)}, "
                    f"{short_date(local_date(f.added_at), today)})",
                    f"{display_name(f.name)}\nSHA-256 {f.sha256}",
                )
                for f in files
            ),
            self._checked["evidence_ids"],
        )
        self.entries.set_rows(
            (
                (
                    int(r.entry_id or 0),
                    f"{short_date(local_date(r.happened_at), today)} · "
                    f"{entry_kind_text(r.kind)} · {_first_line(r.text)}",
                    r.text,
                )
                for r in rows
            ),
            self._checked["entry_ids"],
        )
        self.touches.set_rows(
            (
                (
                    t.id,
                    f"{short_date(local_date(t.happened_at), today)} · "
                    f"{channel_text(t.channel)} · {_first_line(t.summary) or '(no summary)'}",
                    t.summary,
                )
                for t in touches
            ),
            self._checked["touch_ids"],
        )

    def extra_values(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for name, widget in self.lists().items():
            hidden = self._checked[name] - set(widget.all_ids())
            out[name] = sorted(set(widget.checked_ids()) | hidden)
        return out

    def attach_files_dialog(self) -> None:
        names, _filter = QFileDialog.getOpenFileNames(self, "Add evidence files")
        if names:
            self.attach_paths([Path(n) for n in names])

    def _ask_large(self, path: Path, size: int) -> bool:
        box = QMessageBox(
            QMessageBox.Icon.Question,
            "Attach a large file",
            f"“{display_name(path.name)}” is {human_size(size)}. Attach it anyway?",
            parent=self,
        )
        attach = box.addButton("Attach", QMessageBox.ButtonRole.AcceptRole)
        box.setDefaultButton(box.addButton("Don't attach", QMessageBox.ButtonRole.RejectRole))
        box.exec()
        return box.clickedButton() is attach

    def attach_paths(self, paths: Sequence[Path]) -> list[int]:
        """Attach copies to the incident, as its own window does, and tick them."""
        book = self.owner.rapport.book
        if book is None or self.read_only:
            return []
        ids: list[int] = []
        problems: list[str] = []
        for path in paths:
            try:
                size = path.stat().st_size if path.is_file() else None
            except OSError:
                size = None
            if size is not None and size > LARGE_FILE_BYTES and not self._ask_large(path, size):
                continue
            try:
                ids.append(
                    attach_file(
                        book, self.owner.view.incident_id, path, now=self.owner.rapport.now()
                    )
                )
            except EvidenceError as exc:
                problems.append(str(exc))
            except NotFoundError:
                problems.append("This incident is no longer in the book.")
                break
            except Exception:  # the disk, the database: say so, keep the others
                log.exception("Attaching %s failed", path)
                problems.append(f"“{display_name(path.name)}” could not be attached.")
        self._checked["evidence_ids"] |= set(ids)
        self.reload_lists()
        show_error(self.errors["evidence_ids"], "\n".join(problems))
        if ids:
            self.owner.incident_changed()
            self._changed()
        return ids


def _first_line(text: str, limit: int = 90) -> str:
    line = next((ln.strip() for ln in text.splitlines() if ln.strip()), "")
    return line if len(line) <= limit else line[: limit - 1] + "…"


class BothSidesPage(RepairPage):
    def build(self) -> None:
        self.body.addWidget(
            self.text_field(
                "our_mistakes",
                "What &we got wrong",
                "One mistake per line, named plainly",
                110,
            ),
            1,
        )
        self.body.addWidget(
            self.text_field(
                "client_contribution",
                "What the &client contributed",
                "Late feedback, silence, a scope that kept moving…",
                110,
            ),
            1,
        )
        self.body.addWidget(
            self.hint("One mistake per line helps: the apology on the next step names each one.")
        )


class ApologyPage(RepairPage):
    def build(self) -> None:
        self.body.addWidget(
            self.text_field("apology", "&Apology", "Short, and about the mistake itself", 200), 1
        )
        self.note = self.hint(NO_MISTAKES_YET)
        self.note.hide()
        self.draft_button = self.control(QPushButton("Draft from step &3"))
        self.draft_button.setToolTip("Replace the text with a draft naming step 3's mistakes.")
        self.draft_button.clicked.connect(self.draft_from_step_3)
        self.copy_button = QPushButton("Cop&y")
        self.copy_button.clicked.connect(lambda: copy_text(self.texts["apology"].toPlainText()))
        buttons = QHBoxLayout()
        buttons.setContentsMargins(0, 0, 0, 0)
        buttons.addWidget(self.draft_button)
        buttons.addWidget(self.copy_button)
        buttons.addStretch(1)
        self.body.addLayout(buttons)
        self.body.addWidget(self.note)
        self.order += [self.draft_button, self.copy_button]

    def _draft(self) -> str:
        mistakes = str(self.owner.page_values(Step.BOTH_SIDES).get("our_mistakes", ""))
        return draft_apology(self.owner.view.client_name, mistakes, self.owner.my_name)

    def draft_from_step_3(self) -> bool:
        draft = self._draft()
        self.note.setVisible(not draft)
        if draft:
            edit = self.texts["apology"]
            assert isinstance(edit, QPlainTextEdit)
            edit.setPlainText(draft)
        return bool(draft)

    @guarded(None)
    def initializePage(self) -> None:  # noqa: N802 - Qt API
        """An empty apology starts as the draft; a written one is left alone."""
        if not self.read_only and not self.texts["apology"].toPlainText().strip():
            self.draft_from_step_3()


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
        self.commitments.default_due = self.owner.rapport.today() + timedelta(days=DEFAULT_DUE_DAYS)
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
        self.review_edit.setDisplayFormat(DATE_FORMAT)
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
        buttons.addWidget(self.redraft_button)
        buttons.addWidget(self.copy_button)
        buttons.addStretch(1)
        self.body.addLayout(buttons)
        self.body.addStretch(1)
        self.order += [self.redraft_button, self.copy_button]
        self._review = self.owner.rapport.today()

    def review_on(self) -> date:
        return pydate(self.review_edit.date())

    def _draft(self, day: date) -> str:
        return draft_check_in(self.owner.view.client_name, day)

    def fill_extra(self, answers: dict[str, Any]) -> None:
        text = answers.get("review_on") or ""
        day = date.fromisoformat(text) if text else default_review_on(self.owner.rapport.today())
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

    @guarded(None)
    def initializePage(self) -> None:  # noqa: N802 - Qt API
        self.refresh_preview()

    def after_save(self) -> None:
        self.refresh_preview()

    def refresh_preview(self) -> None:
        book = self.owner.rapport.book
        if book is None:
            return
        try:
            composed = preview_agreement(book, self.owner.view.id)
        except NotFoundError:
            return
        self.preview.setHtml(agreement_html(composed, self.owner.view.client_name))


# --- the other endings ------------------------------------------------------------------


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
        self.warning.setStyleSheet(WARN_STYLE)
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

    def fill_extra(self, answers: dict[str, Any]) -> None:
        self.warning.setText(part_ways_warning(self.owner.view.client_name))


PAGE_CLASSES: dict[Step, type[RepairPage]] = {
    Step.FACTS: FactsPage,
    Step.EVIDENCE: EvidencePage,
    Step.BOTH_SIDES: BothSidesPage,
    Step.APOLOGY: ApologyPage,
    Step.STATE: StatePage,
    Step.GOALS: GoalsPage,
    Step.OUR_CHANGE: CommitmentsPage,
    Step.OUR_REQUEST: CommitmentsPage,
    Step.TIMEFRAME: TimeframePage,
    Step.IN_WRITING: InWritingPage,
    Step.HAND_OVER: HandOverPage,
    Step.INSURER: InsurerPage,
    Step.PART_WAYS: PartWaysPage,
}

FINISH_TEXT: dict[Step, str] = {
    Step.IN_WRITING: "&Finish",
    Step.HAND_OVER: "&Finish hand-over",
    Step.INSURER: "&Finish notice",
    Step.PART_WAYS: "&Finish: part ways…",
}


def make_page(owner: RepairWizard, step: Step) -> RepairPage:
    page = PAGE_CLASSES[step](owner, step)
    if step in FINISH_TEXT:
        page.setButtonText(QWizard.WizardButton.FinishButton, FINISH_TEXT[step])
    return page
