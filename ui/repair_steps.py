"""The playbook's first steps as pages: what happened and the first reply,
the evidence, both sides, and the apology."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import (
    QDateTimeEdit,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
)

from models.db import Book
from models.repair import (
    Step,
    draft_apology,
    draft_reply,
)
from models.services.clients import NotFoundError, local_date
from models.services.incident_evidence import (
    LARGE_FILE_BYTES,
    EvidenceError,
    attach_file,
    display_name,
    list_evidence,
)
from models.services.incident_timeline import timeline
from models.services.reminders import list_touches
from models.text import human_size
from ui.date_edits import style_date_edit
from ui.incident_words import entry_kind_text
from ui.kit.empty import EmptyState
from ui.kit.forms import error_label, form_label, show_error
from ui.repair_page_base import (
    MUTED,
    RepairPage,
    first_line,
    log,
)
from ui.repair_widgets import (
    CheckList,
    copy_text,
    guarded,
)
from ui.repair_words import (
    NO_MISTAKES_YET,
)
from ui.touch_dialog import from_qdatetime, to_qdatetime
from ui.wording import channel_text, short_date


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
        style_date_edit(self.due_edit, time=True)
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
        self.errors["reply_due_at"] = error_label(reserve=True)
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
        self.mail = self.mail_handoff("Thank you for telling me", "reply")
        buttons.addWidget(self.redraft_button)
        buttons.addWidget(self.copy_button)
        buttons.addWidget(self.mail)
        buttons.addWidget(self.copied, 1)
        self.body.addLayout(buttons)
        self.order += [self.redraft_button, self.copy_button, *self.mail.focus_widgets()]
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
        self.empty_states = [
            EmptyState(
                self.files,
                "No files yet. Add copies of emails, invoices or notes "
                "with Add files…; the originals stay where they are.",
            ),
            EmptyState(self.entries, "No timeline entries on this incident yet."),
            EmptyState(self.touches, "No calls or emails with them logged yet."),
        ]
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
                    f"{entry_kind_text(r.kind)} · {first_line(r.text)}",
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
                    f"{channel_text(t.channel)} · {first_line(t.summary) or '(no summary)'}",
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

        def write() -> None:
            """Each file stands alone: its refusal is said, the others still go."""
            self._attach_each(book, paths, ids, problems)

        self.owner.incident_op(write, touched=lambda: bool(ids))
        self._checked["evidence_ids"] |= set(ids)
        self.reload_lists()
        show_error(self.errors["evidence_ids"], "\n".join(problems))
        if ids:
            self._changed()
        return ids

    def _attach_each(
        self, book: Book, paths: Sequence[Path], ids: list[int], problems: list[str]
    ) -> None:
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
        self.mail = self.mail_handoff("I am sorry", "apology")
        buttons.addWidget(self.draft_button)
        buttons.addWidget(self.copy_button)
        buttons.addWidget(self.mail, 1)
        self.body.addLayout(buttons)
        self.body.addWidget(self.note)
        self.order += [self.draft_button, self.copy_button, *self.mail.focus_widgets()]

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
