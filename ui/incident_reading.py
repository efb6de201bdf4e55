"""The incident window reading its incident: header, status and promise, and
what happened, saved back when edited."""

from __future__ import annotations

import html
from collections.abc import Callable
from datetime import datetime

from PySide6.QtCore import Qt
from PySide6.QtGui import (
    QBrush,
    QColor,
)
from PySide6.QtWidgets import (
    QTreeWidgetItem,
)

from models.changes import INCIDENTS, Changes
from models.enums import IncidentCategory, IncidentStatus, Severity
from models.incidents import TRANSITIONS
from models.services.clients import NotFoundError
from models.services.incident_evidence import EvidenceRow, display_name, list_evidence
from models.services.incident_timeline import TimelineRow, timeline
from models.services.incidents import (
    IncidentDetail,
    IncidentInput,
    get_incident,
    record_response,
    set_promise,
    set_status,
    update_incident,
    validate_incident,
)
from models.text import human_size
from ui.incident_parts import (
    INCIDENT_GONE,
    ROW_ROLE,
    TOUCH_TIP,
    PromiseDialog,
    log,
    severity_colour,
    timeline_key,
)
from ui.incident_words import (
    category_label,
    day_text,
    entry_kind_text,
    promise_text,
    severity_text,
    stamp_text,
    status_label,
)
from ui.kit.forms import set_invalid, show_error
from ui.ops import run_op
from ui.theme import tone


class IncidentReadingMixin:
    """Reads the incident into the window and saves what happened.

    A part of IncidentWindow (ui/incident_window.py): it works on the widgets and
    attributes the window's __init__ makes."""

    def _on_changed(self, what: Changes, _initiator: object) -> None:
        if what.book:
            self._gone()  # the incident belongs to the book that was left
            return
        self.reload()

    def _gone(self) -> None:
        self._discard = True
        self.close()

    def reload(self) -> None:
        """Read the incident, its timeline and its files again; a form with unsaved
        typing is left alone."""
        book = self.rapport.book
        if book is None:
            self._gone()
            return
        now = self.rapport.now()
        try:
            detail = get_incident(book, self.incident_id, now=now)
            rows = timeline(book, self.incident_id, now=now)
            files = list_evidence(book, self.incident_id)
        except NotFoundError:
            self._gone()
            return
        self.detail, self.timeline_rows, self.evidence_rows = detail, rows, files
        self._fill_header(detail, now)
        self._fill_repair_button(book, detail)
        self._fill_timeline(rows, now)
        self._fill_evidence(files, now)
        if not self._dirty:
            self._fill_details(detail)
        self._update_buttons()

    def _fill_header(self, detail: IncidentDetail, now: datetime) -> None:
        r = detail.row
        self.setWindowTitle(f"{r.title} — {r.client_name}")
        self.client_label.setText(r.client_name)
        self.title_label.setText(r.title)
        severity = severity_text(r.severity)
        colour = severity_colour(r.severity)
        sev_html = (
            f'<span style="color:{colour}; font-weight:600;">{severity}</span>'
            if colour
            else severity
        )
        self.meta_label.setText(
            f"{html.escape(category_label(r.category))} · {sev_html} severity · "
            f"opened {html.escape(day_text(r.opened_at, now))}"
        )
        self.status_combo.blockSignals(True)
        self.status_combo.clear()
        for status in IncidentStatus:
            if status == r.status or status in TRANSITIONS[r.status]:
                self.status_combo.addItem(status_label(status), status.value)
        self.status_combo.setCurrentIndex(self.status_combo.findData(r.status.value))
        self.status_combo.setEnabled(self.status_combo.count() > 1)
        self.status_combo.blockSignals(False)
        text, broken = promise_text(r, now)
        self.promise_label.setText(text)
        late = f"color:{tone('late')}; font-weight:600;"
        self.promise_label.setStyleSheet(late if broken else "")
        self.answer_button.setEnabled(r.responded_at is None)
        self.promise_button.setEnabled(r.responded_at is None)

    def _fill_timeline(self, rows: list[TimelineRow], now: datetime) -> None:
        keep = self._selected_timeline_key()
        tree = self.timeline_tree
        tree.clear()
        muted = QBrush(QColor(tone("muted")))
        for i, row in enumerate(rows):
            text = row.text
            if row.edited_at is not None:
                text += f"\n(edited {stamp_text(row.edited_at, now)})"
            item = QTreeWidgetItem(
                [stamp_text(row.happened_at, now), entry_kind_text(row.kind), text]
            )
            item.setData(0, ROW_ROLE, i)
            if row.touch_id is not None:
                for c in range(3):
                    item.setForeground(c, muted)
                    item.setToolTip(c, TOUCH_TIP)
            tree.addTopLevelItem(item)
            if keep is not None and timeline_key(row) == keep:
                tree.setCurrentItem(item)
        self.tabs.setTabText(0, f"Timeline ({len(rows)})" if rows else "Timeline")

    def _fill_evidence(self, files: list[EvidenceRow], now: datetime) -> None:
        keep = self.selected_evidence()
        keep_id = keep.id if keep is not None else None
        tree = self.evidence_list
        tree.clear()
        for i, f in enumerate(files):
            name = display_name(f.name)
            item = QTreeWidgetItem([name, human_size(f.size), stamp_text(f.added_at, now)])
            item.setData(0, ROW_ROLE, i)
            item.setToolTip(0, f"{name}\nSHA-256 {f.sha256}")
            item.setTextAlignment(1, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            tree.addTopLevelItem(item)
            if f.id == keep_id:
                tree.setCurrentItem(item)
        self.tabs.setTabText(2, f"Evidence ({len(files)})" if files else "Evidence")

    def _fill_details(self, detail: IncidentDetail) -> None:
        self._filling = True
        try:
            r = detail.row
            self.title_edit.setText(r.title)
            self.category_combo.setCurrentIndex(self.category_combo.findData(r.category.value))
            self.severity_combo.setCurrentIndex(self.severity_combo.findData(r.severity.value))
            for name, edit in self.texts.items():
                value = getattr(detail, name)
                if edit.toPlainText() != value:
                    edit.setPlainText(value)
        finally:
            self._filling = False
        self._dirty = False
        self.save_button.setEnabled(False)

    def _update_buttons(self) -> None:
        entry = self.selected_timeline_row()
        editable = entry is not None and entry.entry_id is not None
        self.edit_entry_button.setEnabled(editable)
        self.delete_entry_button.setEnabled(editable)
        has_file = self.selected_evidence() is not None
        self.open_button.setEnabled(has_file)
        self.unlink_button.setEnabled(has_file)

    def _on_status_chosen(self, index: int) -> None:
        book = self.rapport.book
        if book is None or self.detail is None:
            return
        new = IncidentStatus(str(self.status_combo.itemData(index)))
        if new == self.detail.row.status:
            return

        def refuse(errors: dict[str, str]) -> None:
            self.statusBar().showMessage(" ".join(errors.values()), 6000)
            self.reload()

        self._incident_op(
            lambda: set_status(book, self.incident_id, new, now=self.rapport.now()),
            "Moving an incident's status",
            refuse=refuse,
            then=lambda: self.statusBar().showMessage(f"Now {status_label(new).lower()}.", 4000),
        )

    def _incident_op(
        self,
        write: Callable[[], object],
        doing: str,
        *,
        refuse: Callable[[dict[str, str]], None] | None = None,
        then: Callable[[], object] | None = None,
    ) -> bool:
        """A quick write to this incident through the one op path: the window closes
        if the incident was deleted meanwhile; other refusals go in the status bar."""
        return run_op(
            self.rapport,
            write,
            changes=INCIDENTS,
            initiator=self,
            explain=lambda message: self.statusBar().showMessage(message, 6000),
            refuse=refuse,
            failed="That could not be saved. Please try again.",
            logger=log,
            log_message=f"{doing} failed",
            gone=self.close,
            then=then,
        )

    def record_answer(self) -> None:
        book = self.rapport.book
        if book is None:
            return
        self._incident_op(
            lambda: record_response(book, self.incident_id, now=self.rapport.now()),
            "Recording an answer",
        )

    def change_promise_dialog(self) -> PromiseDialog | None:
        if self.detail is None:
            return None
        dialog = PromiseDialog(self.rapport, self.detail.row.response_due_at, self)
        dialog.chosen.connect(self._set_promise)
        self.promise_dialog = dialog
        dialog.open()
        return dialog

    def _set_promise(self, due_at: datetime | None) -> None:
        book = self.rapport.book
        if book is None:
            return
        self._incident_op(
            lambda: set_promise(book, self.incident_id, due_at, now=self.rapport.now()),
            "Changing the promise",
        )

    def _on_edited(self) -> None:
        if not self._filling:
            self._dirty = True
            self.save_button.setEnabled(True)

    def details_input(self) -> IncidentInput:
        return IncidentInput(
            title=self.title_edit.text(),
            category=IncidentCategory(str(self.category_combo.currentData())),
            severity=Severity(str(self.severity_combo.currentData())),
            **{name: edit.toPlainText() for name, edit in self.texts.items()},
        )

    def _show_detail_errors(self, errors: dict[str, str]) -> None:
        show_error(self.title_error, errors.get("title"))
        set_invalid(self.title_edit, "title" in errors)
        for name, edit in self.texts.items():
            show_error(self.text_errors[name], errors.get(name))
            set_invalid(edit, name in errors)
        known = {"title", *self.texts}
        show_error(self.details_error, " ".join(m for k, m in errors.items() if k not in known))
        if errors:
            self.tabs.setCurrentIndex(1)

    def save_details(self) -> bool:
        book = self.rapport.book
        if book is None:
            return False
        data = self.details_input()
        errors = validate_incident(data)
        if errors:
            self._show_detail_errors(errors)
            return False

        def write() -> None:
            update_incident(book, self.incident_id, data, now=self.rapport.now())

        def then() -> None:
            self._show_detail_errors({})
            self._dirty = False
            self.statusBar().showMessage("Saved.", 3000)

        return run_op(
            self.rapport,
            write,
            changes=INCIDENTS,
            initiator=self,
            refuse=self._show_detail_errors,
            explain=lambda message: show_error(self.details_error, message),
            failed="The changes could not be saved; nothing was changed. Please try again.",
            logger=log,
            log_message="Updating an incident failed",
            gone=INCIDENT_GONE,
            then=then,
        )
