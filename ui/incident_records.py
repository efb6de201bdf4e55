"""The incident window's records: the timeline, evidence files, the agreement
and the repair it leads to."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt, QTimer, QUrl
from PySide6.QtGui import (
    QDesktopServices,
)
from PySide6.QtWidgets import (
    QFileDialog,
    QMessageBox,
    QWidget,
)

from models.changes import INCIDENTS, Changes
from models.db import Book
from models.enums import IncidentStatus
from models.services.clients import NotFoundError, ValidationError
from models.services.incident_evidence import (
    LARGE_FILE_BYTES,
    EvidenceError,
    EvidenceRow,
    attach_file,
    display_name,
    unlink_evidence,
    viewing_copy,
)
from models.services.incident_timeline import TimelineRow, delete_entry
from models.services.incidents import IncidentDetail
from models.services.repair import latest_plan
from models.text import human_size
from ui.incident_parts import (
    INCIDENT_GONE,
    ROW_ROLE,
    EntryDialog,
    log,
    timeline_key,
)
from ui.kit.forms import show_error
from ui.ops import run_op


class IncidentRecordsMixin:
    """Timeline entries, evidence, the agreement and the repair.

    A part of IncidentWindow (ui/incident_window.py): it works on the widgets and
    attributes the window's __init__ makes."""

    # From IncidentReadingMixin (ui/incident_reading.py): the window's one way to write.
    _incident_op: Callable[..., bool]

    def selected_timeline_row(self) -> TimelineRow | None:
        item = self.timeline_tree.currentItem()
        if item is None or not item.isSelected():
            return None
        i = item.data(0, ROW_ROLE)
        return self.timeline_rows[i] if isinstance(i, int) and i < len(self.timeline_rows) else None

    def _selected_timeline_key(self) -> tuple[str, int] | None:
        row = self.selected_timeline_row()
        return timeline_key(row) if row is not None else None

    def add_entry_dialog(self) -> EntryDialog:
        return self._open_entry_dialog(None)

    def edit_entry_dialog(self) -> EntryDialog | None:
        row = self.selected_timeline_row()
        if row is None or row.entry_id is None:
            return None
        return self._open_entry_dialog(row)

    def _open_entry_dialog(self, row: TimelineRow | None) -> EntryDialog:
        if self.entry_dialog is not None:
            self.entry_dialog.deleteLater()
        dialog = EntryDialog(self.rapport, self.incident_id, row, self)
        self.entry_dialog = dialog
        self.tabs.setCurrentIndex(0)
        dialog.open()
        dialog.raise_()
        dialog.activateWindow()
        return dialog

    def delete_entry_selected(self) -> QMessageBox | None:
        row = self.selected_timeline_row()
        if row is None or row.entry_id is None:
            return None
        box = QMessageBox(
            QMessageBox.Icon.Question,
            "Delete entry",
            "Delete this timeline entry? This cannot be undone.",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            self,
        )
        box.setTextFormat(Qt.TextFormat.PlainText)
        box.button(QMessageBox.StandardButton.Yes).setText("Delete")
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        entry_id = row.entry_id

        def done(result: int) -> None:
            book = self.rapport.book
            if result == QMessageBox.StandardButton.Yes and book is not None:
                self._incident_op(lambda: delete_entry(book, entry_id), "Deleting an entry")

        box.finished.connect(done)
        self.message_box = box
        box.open()
        return box

    def selected_evidence(self) -> EvidenceRow | None:
        item = self.evidence_list.currentItem()
        if item is None or not item.isSelected():
            return None
        i = item.data(0, ROW_ROLE)
        return self.evidence_rows[i] if isinstance(i, int) and i < len(self.evidence_rows) else None

    def attach_files_dialog(self) -> None:
        names, _filter = QFileDialog.getOpenFileNames(self, "Attach files")
        if names:
            self.attach_paths([Path(n) for n in names])

    def _queue_attach(self, paths: list[Path]) -> None:
        """Attach after the drop has finished: a question about a large file must
        not hold the other program's drag open."""
        self.tabs.setCurrentIndex(2)
        QTimer.singleShot(0, lambda: self.attach_paths(paths))

    def ask_large(self, path: Path, size: int) -> bool:
        box = QMessageBox(
            QMessageBox.Icon.Question,
            "Attach a large file",
            f"This file is {human_size(size)}. Attach it anyway?",
            parent=self,
        )
        box.setTextFormat(Qt.TextFormat.PlainText)
        box.setInformativeText(
            f"A copy of “{display_name(path.name)}” will be kept with the book, "
            "and in every backup."
        )
        attach = box.addButton("Attach", QMessageBox.ButtonRole.AcceptRole)
        skip = box.addButton("Don't attach", QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(skip)
        self.message_box = box
        box.exec()
        return box.clickedButton() is attach

    def attach_paths(self, paths: list[Path]) -> list[int]:
        """Attach copies of ``paths``: the one way in for the file dialog and drops.

        Each file stands alone: one that cannot be read is explained and the others
        are still attached. Returns the evidence ids, already-attached ones included.
        """
        book = self.rapport.book
        if book is None:
            return []
        self.tabs.setCurrentIndex(2)  # whatever happens is said on the Evidence tab
        known = {f.id for f in self.evidence_rows}
        ids: list[int] = []
        problems: list[str] = []
        again: list[str] = []

        def write() -> None:
            """Each file stands alone, so this explains its own refusals; run_op
            then says once that the evidence changed."""
            self._attach_each(book, paths, known, ids, problems, again)

        run_op(
            self.rapport,
            write,
            changes=lambda: INCIDENTS if ids else Changes(),
            initiator=self,
            explain=lambda message: problems.append(message),
            failed="The files could not be attached. Please try again.",
            logger=log,
            log_message="Attaching files failed",
            gone=INCIDENT_GONE,
        )
        show_error(self.evidence_error, "\n".join(problems))
        new = len({i for i in ids if i not in known})
        if new:
            self.statusBar().showMessage(f"Attached {new} file{'s' if new != 1 else ''}.", 4000)
        elif again:
            self.statusBar().showMessage(f"Already attached: {', '.join(again)}.", 5000)
        return ids

    def _attach_each(
        self,
        book: Book,
        paths: list[Path],
        known: set[int],
        ids: list[int],
        problems: list[str],
        again: list[str],
    ) -> None:
        for path in paths:
            try:
                size = path.stat().st_size if path.is_file() else None
            except OSError:
                size = None
            if size is not None and size > LARGE_FILE_BYTES and not self.ask_large(path, size):
                continue
            try:
                evidence_id = attach_file(book, self.incident_id, path, now=self.rapport.now())
            except EvidenceError as exc:
                problems.append(str(exc))
                continue
            except NotFoundError:
                problems.append(INCIDENT_GONE)
                break
            except Exception:  # the disk, the database: say so, keep the others
                log.exception("Attaching %s failed", path)
                problems.append(
                    f"“{display_name(path.name)}” could not be attached. Please try again."
                )
                continue
            if evidence_id in known or evidence_id in ids:
                again.append(display_name(path.name))
            ids.append(evidence_id)

    def open_selected_file(self) -> bool:
        row = self.selected_evidence()
        if row is None:
            return False
        try:
            path = viewing_copy(row)
        except (EvidenceError, OSError) as exc:
            show_error(
                self.evidence_error,
                str(exc)
                if isinstance(exc, EvidenceError)
                else (f"“{display_name(row.name)}” could not be opened ({exc.strerror})."),
            )
            return False
        show_error(self.evidence_error, None)
        return QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))

    def unlink_selected(self) -> None:
        row = self.selected_evidence()
        book = self.rapport.book
        if row is None or book is None:
            return
        if self._incident_op(lambda: unlink_evidence(book, row.id), "Unlinking a file"):
            self.statusBar().showMessage(f"“{display_name(row.name)}” is no longer attached.", 4000)

    def write_agreement(self) -> QWidget | None:
        """A new agreement for this incident's client, linked to the incident."""
        if self.detail is None or self.rapport.book is None:
            return None
        # Imported here: QtPdf is not needed until an agreement is opened.
        from ui.agreement_window import new_agreement_window

        window = new_agreement_window(
            self.rapport,
            self.detail.row.client_id,
            incident_id=self.incident_id,
            parent=self.parentWidget(),
        )
        if window is not None and not window.title_edit.text():
            window.title_edit.setText(f"Putting right: {self.detail.row.title}"[:300])
        return window

    def _fill_repair_button(self, book: Book, detail: IncidentDetail) -> None:
        """Start, continue or look back at the repair, whichever this incident has."""
        plan = latest_plan(book, self.incident_id)
        lost = detail.row.status is IncidentStatus.LOST
        if plan is None:
            self.repair_button.setText("Start repair…")
            self.repair_button.setEnabled(not lost)
            self.repair_button.setToolTip(
                "A lost incident cannot be repaired."
                if lost
                else "Walk through putting this right, step by step (Ctrl+R)."
            )
        elif plan.finished:
            self.repair_button.setText("See the repair…")
            self.repair_button.setEnabled(True)
            self.repair_button.setToolTip("How the repair ended, and what it left (Ctrl+R).")
        else:
            self.repair_button.setText("Continue repair…")
            self.repair_button.setEnabled(True)
            self.repair_button.setToolTip(
                f"Carry on where you left off: step {int(plan.current_step)} (Ctrl+R)."
            )

    def open_repair(self) -> QWidget | None:
        """The repair wizard for this incident (imported here: it is only needed now)."""
        if self.detail is None or self.rapport.book is None or not self.repair_button.isEnabled():
            return None
        from ui.repair_wizard import open_repair_wizard

        try:
            return open_repair_wizard(self.rapport, self.incident_id, self.parentWidget())
        except ValidationError as exc:
            self.statusBar().showMessage(" ".join(exc.errors.values()), 6000)
        except NotFoundError:
            self._gone()
        return None
