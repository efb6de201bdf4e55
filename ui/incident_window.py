"""One incident in its own window: status, the promise, what happened, the
timeline and the evidence files.

Its own window, not a dialog, because an incident is worked on over days next to
the client list and the mail client; one window per incident so two copies can
never disagree. Everything shown is read from the book again whenever the app
says something changed, so an answer recorded from Today shows here too.
"""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import (
    QCloseEvent,
    QDragEnterEvent,
    QDragMoveEvent,
    QDropEvent,
    QKeySequence,
    QShortcut,
)
from PySide6.QtWidgets import (
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from models.changes import Changes
from models.services.incident_evidence import EvidenceRow
from models.services.incident_timeline import TimelineRow
from models.services.incidents import IncidentDetail
from ui.app import RapportApp
from ui.incident_dialog import (
    TEXTS,
    category_combo,
    severity_combo,
    text_edit,
    what_went_wrong_form,
)
from ui.incident_parts import (
    DROP_HINT,
    MUTED,
    EntryDialog,
    EvidenceList,
    PromiseDialog,
    make_tree,
    setup_tree,
)
from ui.incident_reading import IncidentReadingMixin
from ui.incident_records import IncidentRecordsMixin
from ui.kit.drops import accept_file_drag, take_file_drop
from ui.kit.empty import EmptyState
from ui.kit.forms import error_label, form_label, form_style
from ui.kit.record_window import RecordWindow
from ui.kit.screen import fit_on_show, scrolling

__all__ = [
    "EntryDialog",
    "EvidenceList",
    "IncidentWindow",
    "PromiseDialog",
]


class IncidentWindow(IncidentReadingMixin, IncidentRecordsMixin, RecordWindow):
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
        self.setStyleSheet(form_style())
        self.setAcceptDrops(True)

        central = QWidget()
        layout = QVBoxLayout(central)
        layout.setContentsMargins(16, 12, 16, 8)
        layout.addLayout(self._make_header())
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        self.tabs.addTab(self._make_timeline_tab(), "Timeline")
        # The long form scrolls inside its own tab, so its height never pushes the
        # timeline's "Add entry…" below the window on a 768-pixel screen.
        self.tabs.addTab(scrolling(self._make_details_tab()), "What happened")
        self.tabs.addTab(self._make_evidence_tab(), "Evidence")
        layout.addWidget(self.tabs, 1)
        # On a small screen the window scrolls rather than pushing "Add entry…" off it.
        self.setCentralWidget(scrolling(central))
        self.statusBar()

        QShortcut(QKeySequence(QKeySequence.StandardKey.Close), self, self.close)
        QShortcut(QKeySequence("Ctrl+E"), self, self.add_entry_dialog)
        QShortcut(QKeySequence(QKeySequence.StandardKey.Save), self, self.save_details)
        QShortcut(QKeySequence("Ctrl+R"), self, self.open_repair)

        # The timeline shows touches and agreements; the header the client's name.
        self.follow_changes(rapport.changed, Changes.EVERYTHING, self._on_changed)
        self.reload()
        fit_on_show(self, QSize(900, 660))  # once filled: the texts set what it needs

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
        # The actions on a line of their own: beside the promise they made the window
        # wider than a laptop screen at 1.5x.
        actions = QHBoxLayout()
        actions.setContentsMargins(0, 0, 0, 6)
        actions.addWidget(self.answer_button)
        actions.addWidget(self.promise_button)
        actions.addWidget(self.repair_button)
        actions.addWidget(self.agreement_button)
        actions.addStretch(1)

        header = QVBoxLayout()
        header.setSpacing(2)
        header.addWidget(self.client_label)
        header.addWidget(self.title_label)
        header.addWidget(self.meta_label)
        header.addLayout(row)
        header.addLayout(actions)
        return header

    def _make_timeline_tab(self) -> QWidget:
        self.timeline_tree = make_tree(("When", "Kind", "What"), "Timeline")
        self.timeline_tree.setColumnWidth(0, 130)
        self.timeline_tree.setColumnWidth(1, 120)
        self.timeline_tree.itemDoubleClicked.connect(lambda _i, _c: self.edit_entry_dialog())
        self.timeline_tree.itemSelectionChanged.connect(self._update_buttons)
        self.timeline_empty = EmptyState(
            self.timeline_tree,
            "Nothing on the timeline yet. Note what happens next (a call, an email, "
            "a decision) with Add entry… (Ctrl+E).",
        )
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
        self.details_error = error_label(reserve=True)
        self.title_edit = QLineEdit()
        self.title_error = error_label(reserve=True)
        self.category_combo = category_combo()
        self.severity_combo = severity_combo()
        self.texts: dict[str, QPlainTextEdit] = {}
        self.text_errors: dict[str, QLabel] = {}
        grid = QGridLayout()
        grid.setHorizontalSpacing(12)
        grid.setVerticalSpacing(2)
        for i, (name, label, placeholder) in enumerate(TEXTS):
            edit = text_edit(placeholder)
            error = error_label(reserve=True)
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
        setup_tree(self.evidence_list, ("Name", "Size", "Added"), "Evidence files")
        self.evidence_list.setWordWrap(False)
        self.evidence_list.setColumnWidth(0, 420)
        self.evidence_list.setColumnWidth(1, 90)
        self.evidence_list.files_dropped.connect(self._queue_attach)
        self.evidence_list.itemSelectionChanged.connect(self._update_buttons)
        self.evidence_list.itemDoubleClicked.connect(lambda _i, _c: self.open_selected_file())
        self.evidence_error = error_label(reserve=True)
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

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802 - Qt API
        accept_file_drag(event)

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:  # noqa: N802 - Qt API
        accept_file_drag(event)

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802 - Qt API
        paths = take_file_drop(event)
        if paths:
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
