"""One incident in its own window: status, the promise, what happened, the
timeline and the evidence files.

Its own window, not a dialog, because an incident is worked on over days next to
the client list and the mail client; one window per incident so two copies can
never disagree. Everything shown is read from the book again whenever the app
says something changed, so an answer recorded from Today shows here too.
"""

from __future__ import annotations

import html
import logging
from collections.abc import Iterable
from datetime import datetime, timedelta
from pathlib import Path

from PySide6.QtCore import QMimeData, Qt, QTimer, QUrl, Signal
from PySide6.QtGui import (
    QBrush,
    QCloseEvent,
    QColor,
    QDesktopServices,
    QDragEnterEvent,
    QDragMoveEvent,
    QDropEvent,
    QKeySequence,
    QShortcut,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateTimeEdit,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QTabWidget,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from models.changes import INCIDENTS, Changes
from models.db import Book
from models.enums import EntryKind, IncidentCategory, IncidentStatus, Severity
from models.incidents import TRANSITIONS
from models.services.clients import NotFoundError, ValidationError
from models.services.incidents import (
    LARGE_FILE_BYTES,
    EvidenceError,
    EvidenceRow,
    IncidentDetail,
    IncidentInput,
    TimelineRow,
    add_entry,
    attach_file,
    delete_entry,
    display_name,
    edit_entry,
    get_incident,
    list_evidence,
    record_response,
    set_promise,
    set_status,
    timeline,
    unlink_evidence,
    update_incident,
    validate_incident,
    viewing_copy,
)
from models.services.repair import latest_plan
from models.text import human_size
from ui.app import RapportApp
from ui.forms import save_cancel_buttons, save_or_explain
from ui.incident_dialog import (
    TEXTS,
    category_combo,
    default_promise_hours,
    severity_combo,
    text_edit,
    what_went_wrong_form,
)
from ui.incident_words import (
    ENTRY_KIND_TEXT,
    LATE_COLOUR,
    category_label,
    day_text,
    entry_kind_text,
    promise_text,
    severity_text,
    stamp_text,
    status_label,
)
from ui.kit.forms import STYLE, error_label, form_label, set_invalid, show_error
from ui.kit.record_window import RecordWindow
from ui.ops import announce
from ui.touch_dialog import DATE_TIME_FORMAT, from_qdatetime, to_qdatetime

log = logging.getLogger(__name__)

INCIDENT_GONE = "This incident is no longer in the book."
ENTRY_GONE = "This entry is no longer in the book."
DROP_HINT = (
    "Drop files here, or anywhere on this window, to attach copies. The originals stay as they are."
)
TOUCH_TIP = "A touch logged with the client while this incident was open."
MUTED = "color: palette(placeholder-text);"
SEVERITY_COLOUR = {Severity.HIGH: "#b26a00", Severity.CRITICAL: LATE_COLOUR}
ROW_ROLE = Qt.ItemDataRole.UserRole + 1


def local_files(mime: QMimeData) -> list[Path]:
    """The local files a drag carries; web links and text are not evidence."""
    if not mime.hasUrls():
        return []
    return [Path(url.toLocalFile()) for url in mime.urls() if url.isLocalFile()]


def _accept_files(event: QDragMoveEvent) -> None:
    """Take a drag that carries files; anything else passes on by."""
    if local_files(event.mimeData()):
        event.acceptProposedAction()
    else:
        event.ignore()


class EntryDialog(QDialog):
    """Add a timeline entry, or edit one (the book keeps when it was edited)."""

    saved = Signal(int)

    def __init__(
        self,
        rapport: RapportApp,
        incident_id: int,
        entry: TimelineRow | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.rapport = rapport
        self.incident_id = incident_id
        self.entry = entry
        self.entry_id: int | None = entry.entry_id if entry is not None else None
        self.setStyleSheet(STYLE)
        self.setWindowTitle("Edit entry" if entry is not None else "Add an entry")
        self.setMinimumWidth(460)
        self.general_error = error_label()
        self.kind_combo = QComboBox()
        for kind, text in ENTRY_KIND_TEXT.items():
            self.kind_combo.addItem(text, kind.value)
        self.when_edit = QDateTimeEdit(to_qdatetime(entry.happened_at if entry else rapport.now()))
        self.when_edit.setCalendarPopup(True)
        self.when_edit.setDisplayFormat(DATE_TIME_FORMAT)
        self.text_edit = QPlainTextEdit()
        self.text_edit.setPlaceholderText("What happened, what was said or decided")
        self.text_edit.setTabChangesFocus(True)
        self.text_edit.setMinimumHeight(100)
        self.text_error = error_label()
        if entry is not None:
            self.kind_combo.setCurrentIndex(max(0, self.kind_combo.findData(entry.kind)))
            self.text_edit.setPlainText(entry.text)

        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.kind_combo)
        row.addSpacing(12)
        row.addWidget(form_label("&When", self.when_edit))
        row.addWidget(self.when_edit, 1)
        box = QWidget()
        box.setLayout(row)
        form.addRow(form_label("&Kind", self.kind_combo), box)
        text_box = QWidget()
        text_layout = QVBoxLayout(text_box)
        text_layout.setContentsMargins(0, 0, 0, 0)
        text_layout.setSpacing(2)
        text_layout.addWidget(self.text_edit)
        text_layout.addWidget(self.text_error)
        form.addRow(form_label("&Text", self.text_edit), text_box)

        self.buttons, self.save_button = save_cancel_buttons(self, default=False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 16, 16, 12)
        layout.addWidget(self.general_error)
        layout.addLayout(form)
        layout.addWidget(self.buttons)
        for seq in ("Ctrl+Return", "Ctrl+Enter"):
            QShortcut(QKeySequence(seq), self, self.accept)
        self.text_edit.setFocus(Qt.FocusReason.OtherFocusReason)

    def _refuse(self, errors: dict[str, str]) -> None:
        show_error(self.text_error, errors.get("text"))
        set_invalid(self.text_edit, "text" in errors)
        others = " ".join(m for k, m in errors.items() if k != "text")
        show_error(self.general_error, others)
        self.text_edit.setFocus(Qt.FocusReason.OtherFocusReason)

    def save(self) -> bool:
        book = self.rapport.book
        if book is None:
            return False
        kind = EntryKind(str(self.kind_combo.currentData()))
        when = from_qdatetime(self.when_edit.dateTime())
        text = self.text_edit.toPlainText()
        now = self.rapport.now()

        def write() -> None:
            if self.entry_id is None:
                self.entry_id = add_entry(
                    book, self.incident_id, kind, text, happened_at=when, now=now
                )
            else:
                edit_entry(book, self.entry_id, text, happened_at=when, kind=kind, now=now)

        if not save_or_explain(
            write,
            refuse=self._refuse,
            explain=lambda message: show_error(self.general_error, message),
            failed="The entry could not be saved; nothing was changed. Please try again.",
            log=log,
            log_message="Saving a timeline entry failed",
            gone=INCIDENT_GONE if self.entry is None else ENTRY_GONE,
        ):
            return False
        assert self.entry_id is not None
        self.saved.emit(self.entry_id)
        announce(self.rapport, INCIDENTS, self)
        super().accept()
        return True

    def accept(self) -> None:
        self.save()


class PromiseDialog(QDialog):
    """When the full answer is promised by; or no promise at all.

    ``chosen`` carries the new moment, or None to withdraw the promise.
    """

    chosen = Signal(object)

    def __init__(
        self, rapport: RapportApp, due_at: datetime | None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Change the promise")
        now = rapport.now()
        if due_at is None:
            due_at = now + timedelta(hours=default_promise_hours(rapport.settings))
        self.when_edit = QDateTimeEdit(to_qdatetime(due_at))
        self.when_edit.setCalendarPopup(True)
        self.when_edit.setDisplayFormat(DATE_TIME_FORMAT)
        label = QLabel("Full answer promised &by")
        label.setBuddy(self.when_edit)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.withdraw_button = self.buttons.addButton(
            "No promise", QDialogButtonBox.ButtonRole.DestructiveRole
        )
        self.withdraw_button.setToolTip("Take the promise back; nothing will be due.")
        self.withdraw_button.clicked.connect(self._withdraw)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        row = QHBoxLayout()
        row.addWidget(label)
        row.addWidget(self.when_edit, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 16, 16, 12)
        layout.addLayout(row)
        layout.addWidget(self.buttons)

    def accept(self) -> None:
        self.chosen.emit(from_qdatetime(self.when_edit.dateTime()))
        super().accept()

    def _withdraw(self) -> None:
        self.chosen.emit(None)
        super().accept()


class EvidenceList(QTreeWidget):
    """The incident's files; files dropped on it are attached."""

    files_dropped = Signal(list)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAcceptDrops(True)
        self.setDragDropMode(QAbstractItemView.DragDropMode.DropOnly)

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802 - Qt API
        _accept_files(event)

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:  # noqa: N802 - Qt API
        _accept_files(event)

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802 - Qt API
        paths = local_files(event.mimeData())
        if not paths:
            event.ignore()
            return
        event.acceptProposedAction()
        self.files_dropped.emit(paths)


def _tree(headers: Iterable[str], name: str) -> QTreeWidget:
    tree = QTreeWidget()
    _setup_tree(tree, headers, name)
    return tree


def _setup_tree(tree: QTreeWidget, headers: Iterable[str], name: str) -> None:
    tree.setHeaderLabels(list(headers))
    tree.setRootIsDecorated(False)
    tree.setAlternatingRowColors(True)
    tree.setUniformRowHeights(False)
    tree.setWordWrap(True)
    tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    tree.setAccessibleName(name)
    tree.header().setStretchLastSection(True)
    tree.header().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)


class IncidentWindow(RecordWindow):
    """Everything about one incident. ``closed`` carries its id when it goes."""

    closed = Signal(int)

    def __init__(
        self, rapport: RapportApp, incident_id: int, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.rapport = rapport
        self.incident_id = incident_id
        self.detail: IncidentDetail | None = None
        self.timeline_rows: list[TimelineRow] = []
        self.evidence_rows: list[EvidenceRow] = []
        self.entry_dialog: EntryDialog | None = None
        self.promise_dialog: PromiseDialog | None = None
        self._dirty = False
        self._filling = False
        # Set when the incident or its book is gone: unsaved typing has nowhere to go.
        self._discard = False
        self.setStyleSheet(STYLE)
        self.setAcceptDrops(True)

        central = QWidget()
        layout = QVBoxLayout(central)
        layout.setContentsMargins(16, 12, 16, 8)
        layout.addLayout(self._make_header())
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        self.tabs.addTab(self._make_timeline_tab(), "Timeline")
        self.tabs.addTab(self._make_details_tab(), "What happened")
        self.tabs.addTab(self._make_evidence_tab(), "Evidence")
        layout.addWidget(self.tabs, 1)
        self.setCentralWidget(central)
        self.statusBar()

        QShortcut(QKeySequence(QKeySequence.StandardKey.Close), self, self.close)
        QShortcut(QKeySequence("Ctrl+E"), self, self.add_entry_dialog)
        QShortcut(QKeySequence(QKeySequence.StandardKey.Save), self, self.save_details)
        QShortcut(QKeySequence("Ctrl+R"), self, self.open_repair)

        self.resize(900, 660)
        # The timeline shows touches and agreements; the header the client's name.
        self.follow_changes(rapport.changed, Changes.EVERYTHING, self._on_changed)
        self.reload()

    # -- building -------------------------------------------------------------

    def _make_header(self) -> QVBoxLayout:
        self.client_label = QLabel()
        self.client_label.setTextFormat(Qt.TextFormat.PlainText)
        self.client_label.setStyleSheet(MUTED)
        self.title_label = QLabel()
        self.title_label.setTextFormat(Qt.TextFormat.PlainText)
        self.title_label.setWordWrap(True)
        font = self.title_label.font()
        font.setPointSizeF(font.pointSizeF() * 1.45)
        font.setWeight(font.Weight.DemiBold)
        self.title_label.setFont(font)
        self.meta_label = QLabel()
        self.meta_label.setTextFormat(Qt.TextFormat.RichText)

        self.status_combo = QComboBox()
        self.status_combo.setAccessibleName("Status")
        self.status_combo.setToolTip("Only the next steps that make sense are offered.")
        self.status_combo.activated.connect(self._on_status_chosen)
        status_label_widget = QLabel("&Status")
        status_label_widget.setBuddy(self.status_combo)
        self.promise_label = QLabel()
        self.promise_label.setTextFormat(Qt.TextFormat.PlainText)
        self.answer_button = QPushButton("Full answer given")
        self.answer_button.setToolTip("Record that the client has had the full answer now.")
        self.answer_button.clicked.connect(self.record_answer)
        self.promise_button = QPushButton("Change promise…")
        self.promise_button.clicked.connect(self.change_promise_dialog)
        self.agreement_button = QPushButton("Write agreement…")
        self.agreement_button.setToolTip(
            "Write down what you and the client agreed to put this right."
        )
        self.agreement_button.clicked.connect(self.write_agreement)
        self.repair_button = QPushButton("Start repair…")
        self.repair_button.clicked.connect(self.open_repair)

        row = QHBoxLayout()
        row.setContentsMargins(0, 6, 0, 6)
        row.addWidget(status_label_widget)
        row.addSpacing(4)
        row.addWidget(self.status_combo)
        row.addSpacing(18)
        row.addWidget(self.promise_label, 1)
        row.addWidget(self.answer_button)
        row.addWidget(self.promise_button)
        row.addWidget(self.repair_button)
        row.addWidget(self.agreement_button)

        header = QVBoxLayout()
        header.setSpacing(2)
        header.addWidget(self.client_label)
        header.addWidget(self.title_label)
        header.addWidget(self.meta_label)
        header.addLayout(row)
        return header

    def _make_timeline_tab(self) -> QWidget:
        self.timeline_tree = _tree(("When", "Kind", "What"), "Timeline")
        self.timeline_tree.setColumnWidth(0, 130)
        self.timeline_tree.setColumnWidth(1, 120)
        self.timeline_tree.itemDoubleClicked.connect(lambda _i, _c: self.edit_entry_dialog())
        self.timeline_tree.itemSelectionChanged.connect(self._update_buttons)
        self.add_entry_button = QPushButton("Add entry…")
        self.add_entry_button.setToolTip("A note, call, email, meeting or decision (Ctrl+E)")
        self.add_entry_button.clicked.connect(self.add_entry_dialog)
        self.edit_entry_button = QPushButton("Edit…")
        self.edit_entry_button.clicked.connect(self.edit_entry_dialog)
        self.delete_entry_button = QPushButton("Delete")
        self.delete_entry_button.clicked.connect(self.delete_entry_selected)
        buttons = QHBoxLayout()
        buttons.addWidget(self.add_entry_button)
        buttons.addWidget(self.edit_entry_button)
        buttons.addWidget(self.delete_entry_button)
        buttons.addStretch(1)
        page = QWidget()
        v = QVBoxLayout(page)
        v.setContentsMargins(0, 8, 0, 0)
        v.addWidget(self.timeline_tree, 1)
        v.addLayout(buttons)
        return page

    def _make_details_tab(self) -> QWidget:
        self.details_error = error_label()
        self.title_edit = QLineEdit()
        self.title_error = error_label()
        self.category_combo = category_combo()
        self.severity_combo = severity_combo()
        self.texts: dict[str, QPlainTextEdit] = {}
        self.text_errors: dict[str, QLabel] = {}
        grid = QGridLayout()
        grid.setHorizontalSpacing(12)
        grid.setVerticalSpacing(2)
        for i, (name, label, placeholder) in enumerate(TEXTS):
            edit = text_edit(placeholder)
            error = error_label()
            self.texts[name] = edit
            self.text_errors[name] = error
            r, c = divmod(i, 2)
            grid.addWidget(form_label(label, edit), r * 3, c)
            grid.addWidget(edit, r * 3 + 1, c)
            grid.addWidget(error, r * 3 + 2, c)
            edit.textChanged.connect(self._on_edited)
        self.title_edit.textEdited.connect(self._on_edited)
        self.category_combo.activated.connect(self._on_edited)
        self.severity_combo.activated.connect(self._on_edited)
        form = what_went_wrong_form(
            self.title_edit, self.title_error, self.category_combo, self.severity_combo, "Se&verity"
        )
        self.save_button = QPushButton("Save changes")
        self.save_button.setToolTip("Save (Ctrl+S)")
        self.save_button.clicked.connect(self.save_details)
        self.save_button.setEnabled(False)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.save_button)
        page = QWidget()
        v = QVBoxLayout(page)
        v.setContentsMargins(0, 8, 0, 0)
        v.addWidget(self.details_error)
        v.addLayout(form)
        v.addLayout(grid, 1)
        v.addLayout(buttons)
        return page

    def _make_evidence_tab(self) -> QWidget:
        self.evidence_list = EvidenceList()
        _setup_tree(self.evidence_list, ("Name", "Size", "Added"), "Evidence files")
        self.evidence_list.setWordWrap(False)
        self.evidence_list.setColumnWidth(0, 420)
        self.evidence_list.setColumnWidth(1, 90)
        self.evidence_list.files_dropped.connect(self._queue_attach)
        self.evidence_list.itemSelectionChanged.connect(self._update_buttons)
        self.evidence_list.itemDoubleClicked.connect(lambda _i, _c: self.open_selected_file())
        self.evidence_error = error_label()
        hint = QLabel(DROP_HINT)
        hint.setProperty("role", "hint")
        hint.setWordWrap(True)
        self.attach_button = QPushButton("Attach files…")
        self.attach_button.clicked.connect(self.attach_files_dialog)
        self.open_button = QPushButton("Open")
        self.open_button.clicked.connect(self.open_selected_file)
        self.unlink_button = QPushButton("Unlink")
        self.unlink_button.setToolTip("Take the file off this incident")
        self.unlink_button.clicked.connect(self.unlink_selected)
        buttons = QHBoxLayout()
        buttons.addWidget(self.attach_button)
        buttons.addWidget(self.open_button)
        buttons.addWidget(self.unlink_button)
        buttons.addStretch(1)
        page = QWidget()
        v = QVBoxLayout(page)
        v.setContentsMargins(0, 8, 0, 0)
        v.addWidget(self.evidence_list, 1)
        v.addWidget(self.evidence_error)
        v.addWidget(hint)
        v.addLayout(buttons)
        return page

    # -- reading the book -----------------------------------------------------

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
        colour = SEVERITY_COLOUR.get(r.severity)
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
        self.promise_label.setStyleSheet(f"color:{LATE_COLOUR}; font-weight:600;" if broken else "")
        self.answer_button.setEnabled(r.responded_at is None)
        self.promise_button.setEnabled(r.responded_at is None)

    def _fill_timeline(self, rows: list[TimelineRow], now: datetime) -> None:
        keep = self._selected_timeline_key()
        tree = self.timeline_tree
        tree.clear()
        muted = QBrush(QColor("#6b6b6b"))
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
            if keep is not None and _timeline_key(row) == keep:
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

    # -- status and promise ---------------------------------------------------

    def _on_status_chosen(self, index: int) -> None:
        book = self.rapport.book
        if book is None or self.detail is None:
            return
        new = IncidentStatus(str(self.status_combo.itemData(index)))
        if new == self.detail.row.status:
            return
        try:
            set_status(book, self.incident_id, new, now=self.rapport.now())
        except ValidationError as exc:
            self.statusBar().showMessage(" ".join(exc.errors.values()), 6000)
            self.reload()
            return
        except NotFoundError:
            self.close()
            return
        self.statusBar().showMessage(f"Now {status_label(new).lower()}.", 4000)
        announce(self.rapport, INCIDENTS, self)

    def record_answer(self) -> None:
        book = self.rapport.book
        if book is None:
            return
        try:
            record_response(book, self.incident_id, now=self.rapport.now())
        except NotFoundError:
            self.close()
            return
        announce(self.rapport, INCIDENTS, self)

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
        try:
            set_promise(book, self.incident_id, due_at, now=self.rapport.now())
        except NotFoundError:
            self.close()
            return
        announce(self.rapport, INCIDENTS, self)

    # -- what happened --------------------------------------------------------

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

        if not save_or_explain(
            write,
            refuse=self._show_detail_errors,
            explain=lambda message: show_error(self.details_error, message),
            failed="The changes could not be saved; nothing was changed. Please try again.",
            log=log,
            log_message="Updating an incident failed",
            gone=INCIDENT_GONE,
        ):
            return False
        self._show_detail_errors({})
        self._dirty = False
        self.statusBar().showMessage("Saved.", 3000)
        announce(self.rapport, INCIDENTS, self)
        return True

    # -- timeline -------------------------------------------------------------

    def selected_timeline_row(self) -> TimelineRow | None:
        item = self.timeline_tree.currentItem()
        if item is None or not item.isSelected():
            return None
        i = item.data(0, ROW_ROLE)
        return self.timeline_rows[i] if isinstance(i, int) and i < len(self.timeline_rows) else None

    def _selected_timeline_key(self) -> tuple[str, int] | None:
        row = self.selected_timeline_row()
        return _timeline_key(row) if row is not None else None

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
            if result == QMessageBox.StandardButton.Yes and self.rapport.book is not None:
                delete_entry(self.rapport.book, entry_id)
                announce(self.rapport, INCIDENTS, self)

        box.finished.connect(done)
        self.message_box = box
        box.open()
        return box

    # -- evidence ---------------------------------------------------------------

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
        show_error(self.evidence_error, "\n".join(problems))
        new = len({i for i in ids if i not in known})
        if new:
            self.statusBar().showMessage(f"Attached {new} file{'s' if new != 1 else ''}.", 4000)
        elif again:
            self.statusBar().showMessage(f"Already attached: {', '.join(again)}.", 5000)
        if ids:
            announce(self.rapport, INCIDENTS, self)
        return ids

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
        unlink_evidence(book, row.id)
        self.statusBar().showMessage(f"“{display_name(row.name)}” is no longer attached.", 4000)
        announce(self.rapport, INCIDENTS, self)

    # -- agreement ----------------------------------------------------------------

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

    # -- repair -------------------------------------------------------------------

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

    # -- the window -------------------------------------------------------------

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802 - Qt API
        _accept_files(event)

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:  # noqa: N802 - Qt API
        _accept_files(event)

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802 - Qt API
        paths = local_files(event.mimeData())
        if not paths:
            event.ignore()
            return
        event.acceptProposedAction()
        self._queue_attach(paths)

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt API
        if self._dirty and not self._discard and not self._settle_unsaved():
            event.ignore()
            return
        self.closed.emit(self.incident_id)
        super().closeEvent(event)

    def _settle_unsaved(self) -> bool:
        """Ask about unsaved changes to what happened; True when the window may close."""
        return self.settle_unsaved(
            "Save your changes to this incident before closing?", self.save_details
        )


def _timeline_key(row: TimelineRow) -> tuple[str, int]:
    if row.entry_id is not None:
        return ("entry", row.entry_id)
    return ("touch", row.touch_id or 0)
