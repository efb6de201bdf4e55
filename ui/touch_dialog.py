"""Log a touch: the thing the user does most, so it must be quick.

The summary has the keyboard from the start and Ctrl+Return saves from anywhere,
so a touch is the summary plus one keystroke; changing the channel on the way is
Tab and a letter. The channel last used is the default, because people mostly
keep to one. Rules come from models.services.reminders.validate_touch; this dialog
only places their answers, and saves nothing while any remain.
"""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime, timedelta

from PySide6.QtCore import QDate, QDateTime, QSortFilterProxyModel, Qt, Signal
from PySide6.QtGui import QKeyEvent, QKeySequence, QShortcut, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QCompleter,
    QDateEdit,
    QDateTimeEdit,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from models.changes import REMINDERS
from models.enums import Channel
from models.services.client_search import list_clients
from models.services.reminders import TouchInput, log_touch, validate_touch
from models.text import fold
from ui.app import RapportApp
from ui.date_edits import style_date_edit
from ui.forms import save_cancel_buttons
from ui.kit.forms import error_label, form_label, form_style, show_error, show_errors
from ui.kit.screen import fit_on_show
from ui.ops import run_op
from ui.wording import channel_text

log = logging.getLogger(__name__)

KEY_LAST_CHANNEL = "touch/last_channel"
FOLD_ROLE = Qt.ItemDataRole.UserRole + 1
ID_ROLE = Qt.ItemDataRole.UserRole + 2
NEXT_STEP_DEFAULT_DAYS = 7


def to_qdatetime(moment: datetime) -> QDateTime:
    return QDateTime.fromSecsSinceEpoch(int(moment.timestamp())).toLocalTime()


def from_qdatetime(value: QDateTime) -> datetime:
    return datetime.fromtimestamp(value.toSecsSinceEpoch(), tz=UTC)


def to_qdate(day: date) -> QDate:
    return QDate(day.year, day.month, day.day)


def from_qdate(value: QDate) -> date:
    return date(value.year(), value.month(), value.day())


class ClientPicker(QComboBox):
    """A combo of the book's clients that narrows as you type, accents ignored,
    matching the organisation too (the same folding as the client search)."""

    def __init__(self, rapport: RapportApp, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setEditable(True)
        self.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.setMaxVisibleItems(12)
        self.setMinimumContentsLength(24)
        self.items = QStandardItemModel(self)
        if rapport.book is not None:
            for row in list_clients(rapport.book):
                item = QStandardItem(row.name)
                item.setData(fold(f"{row.name} {row.organisation}"), FOLD_ROLE)
                item.setData(row.id, ID_ROLE)
                if row.organisation:
                    item.setToolTip(row.organisation)
                self.items.appendRow(item)
        self.setModel(self.items)
        self.filter = QSortFilterProxyModel(self)
        self.filter.setSourceModel(self.items)
        self.filter.setFilterRole(FOLD_ROLE)
        self.filter.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        finder = QCompleter(self.filter, self)
        finder.setCompletionMode(QCompleter.CompletionMode.UnfilteredPopupCompletion)
        finder.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.setCompleter(finder)
        self.lineEdit().setPlaceholderText("Type a name to find a client")
        self.lineEdit().textEdited.connect(self._narrow)
        self.setCurrentIndex(-1)

    def _narrow(self, text: str) -> None:
        self.filter.setFilterFixedString(fold(text.strip()))
        if text.strip() and self.filter.rowCount() > 0:
            self.completer().complete()
        else:
            self.completer().popup().hide()

    def select_client(self, client_id: int) -> bool:
        row = self.findData(client_id, ID_ROLE)
        self.setCurrentIndex(row)
        return row >= 0

    def client_id(self) -> int | None:
        """The client the text names: the chosen item, an exact name, or the only match."""
        text = self.currentText().strip()
        if not text:
            return None
        row = self.currentIndex()
        if row >= 0 and self.itemText(row) == text:
            return int(self.itemData(row, ID_ROLE))
        exact = [r for r in range(self.count()) if fold(self.itemText(r)) == fold(text)]
        if len(exact) == 1:
            return int(self.itemData(exact[0], ID_ROLE))
        self.filter.setFilterFixedString(fold(text))
        if self.filter.rowCount() == 1:
            return int(self.filter.index(0, 0).data(ID_ROLE))
        return None


class ChannelCombo(QComboBox):
    """Each letter picks the next channel starting with it (m: meeting, m: message).

    A plain combo gathers quick keystrokes into one search ("mm" finds nothing), which
    makes the promised "a letter" unreliable for fast typists.
    """

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt API
        text = event.text()
        plain = not event.modifiers() & ~Qt.KeyboardModifier.ShiftModifier
        if plain and len(text) == 1 and text.isalpha():
            n = self.count()
            for step in range(1, n + 1):
                row = (self.currentIndex() + step) % n
                if self.itemText(row).casefold().startswith(text.casefold()):
                    self.setCurrentIndex(row)
                    break
            event.accept()
            return
        super().keyPressEvent(event)


class TouchDialog(QDialog):
    """Log one touch with ``client_id`` preselected, or pick the client first.

    ``saved`` carries the new touch's id; the app's ``changed`` tells every view.
    """

    saved = Signal(int)

    def __init__(
        self,
        rapport: RapportApp,
        client_id: int | None = None,
        parent: QWidget | None = None,
        *,
        follow_up: tuple[int, str] | None = None,
    ) -> None:
        super().__init__(parent)
        self.rapport = rapport
        self.touch_id: int | None = None
        # Opened from a follow-up row: logging the touch settles that follow-up too.
        self.follow_up_id = follow_up[0] if follow_up else None
        self.follow_up_check = QCheckBox(f"Mark “{follow_up[1]}” done" if follow_up else "", self)
        self.follow_up_check.setChecked(follow_up is not None)
        self.follow_up_check.setVisible(follow_up is not None)
        self._live = False
        self._when_edited = False
        self.setStyleSheet(form_style())
        self.setMinimumWidth(480)

        now = rapport.now()
        self.general_error = error_label(reserve=True)

        self.client_picker = ClientPicker(rapport)
        if client_id is not None:
            self.client_picker.select_client(client_id)
        self.client_error = error_label(reserve=True)

        self.summary_edit = QPlainTextEdit()
        self.summary_edit.setPlaceholderText("What did you talk about?")
        self.summary_edit.setTabChangesFocus(True)
        self.summary_edit.setMinimumHeight(80)
        self.summary_error = error_label(reserve=True)

        self.channel_combo = ChannelCombo()
        for channel in Channel:
            self.channel_combo.addItem(channel_text(channel), channel.value)
        self.channel_combo.setToolTip("Type a letter to choose: c, e, m, v, o")
        last = str(rapport.settings.value(KEY_LAST_CHANNEL, Channel.CALL.value))
        self.channel_combo.setCurrentIndex(max(0, self.channel_combo.findData(last)))

        self.when_edit = QDateTimeEdit(to_qdatetime(now))
        self.when_edit.setCalendarPopup(True)
        style_date_edit(self.when_edit, time=True)
        self.when_edit.setMaximumDateTime(to_qdatetime(now))
        self.when_edit.setToolTip("When it happened; earlier is fine, later is not.")
        self.when_edit.dateTimeChanged.connect(self._on_when_changed)
        self.when_error = error_label(reserve=True)

        self.next_step_edit = QLineEdit()
        self.next_step_edit.setPlaceholderText("Optional, e.g. Send the revised quote")
        self.remind_check = QCheckBox("Remind me on")
        default_next = rapport.today() + timedelta(days=NEXT_STEP_DEFAULT_DAYS)
        self.next_date_edit = QDateEdit(to_qdate(default_next))
        self.next_date_edit.setCalendarPopup(True)
        style_date_edit(self.next_date_edit, weekday=True)
        self.next_date_edit.setMinimumDate(to_qdate(rapport.today()))
        self.next_date_edit.setEnabled(False)
        self.remind_check.toggled.connect(self.next_date_edit.setEnabled)
        # Typing a next step ticks "Remind me" (a week ahead) so it is never dropped
        # silently; once the user ticks or unticks it themselves, their choice stands.
        self._remind_chosen = False
        self.remind_check.clicked.connect(self._on_remind_clicked)
        self.next_step_edit.textChanged.connect(self._on_next_step_typed)
        self.next_step_error = error_label(reserve=True)

        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
        form.addRow(
            form_label("C&lient", self.client_picker),
            self._stack(self.client_picker, self.client_error),
        )
        form.addRow(
            form_label("&Summary", self.summary_edit),
            self._stack(self.summary_edit, self.summary_error),
        )
        how = QHBoxLayout()
        how.setContentsMargins(0, 0, 0, 0)
        how.addWidget(self.channel_combo)
        when_label = form_label("&When", self.when_edit)
        how.addSpacing(12)
        how.addWidget(when_label)
        how.addWidget(self.when_edit, 1)
        how_box = QWidget()
        how_box.setLayout(how)
        form.addRow(
            form_label("C&hannel", self.channel_combo), self._stack(how_box, self.when_error)
        )
        next_row = QHBoxLayout()
        next_row.setContentsMargins(0, 0, 0, 0)
        next_row.addWidget(self.remind_check)
        next_row.addWidget(self.next_date_edit)
        next_row.addStretch(1)
        next_box = QWidget()
        next_box.setLayout(next_row)
        form.addRow(
            form_label("&Next step", self.next_step_edit),
            self._stack(self.next_step_edit, next_box, self.next_step_error),
        )

        self.buttons, self.save_button = save_cancel_buttons(self, "Log touch")

        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 16, 16, 12)
        layout.addWidget(self.general_error)
        layout.addLayout(form)
        layout.addWidget(self.follow_up_check)
        layout.addWidget(self.buttons)

        for seq in ("Ctrl+Return", "Ctrl+Enter"):
            QShortcut(QKeySequence(seq), self, self.accept)

        # Tab goes where the hands go next: summary, channel, when, next step.
        QWidget.setTabOrder(self.client_picker, self.summary_edit)
        QWidget.setTabOrder(self.summary_edit, self.channel_combo)
        QWidget.setTabOrder(self.channel_combo, self.when_edit)
        QWidget.setTabOrder(self.when_edit, self.next_step_edit)
        QWidget.setTabOrder(self.next_step_edit, self.remind_check)
        QWidget.setTabOrder(self.remind_check, self.next_date_edit)

        for signal in (
            self.summary_edit.textChanged,
            self.next_step_edit.textChanged,
            self.remind_check.toggled,
            self.client_picker.currentTextChanged,
        ):
            signal.connect(self._revalidate)
        self.when_edit.dateTimeChanged.connect(self._revalidate)

        self._retitle()
        self.client_picker.currentIndexChanged.connect(self._retitle)
        if self.client_picker.client_id() is None:
            self.client_picker.setFocus(Qt.FocusReason.OtherFocusReason)
        else:
            self.summary_edit.setFocus(Qt.FocusReason.OtherFocusReason)
        fit_on_show(self)

    def _on_remind_clicked(self, _checked: bool) -> None:
        self._remind_chosen = True

    def _on_next_step_typed(self, text: str) -> None:
        if not self._remind_chosen:
            self.remind_check.setChecked(bool(text.strip()))

    @staticmethod
    def _stack(*widgets: QWidget) -> QWidget:
        box = QWidget()
        v = QVBoxLayout(box)
        v.setContentsMargins(0, 0, 0, 0)
        v.setSpacing(2)
        for w in widgets:
            v.addWidget(w)
        return box

    def _retitle(self) -> None:
        client_id = self.client_picker.client_id()
        if client_id is None:
            self.setWindowTitle("Log a touch")
        else:
            self.setWindowTitle(f"Log a touch with {self.client_picker.currentText().strip()}")

    def _on_when_changed(self) -> None:
        self._when_edited = True

    # -- reading the form ------------------------------------------------------

    def channel(self) -> Channel:
        return Channel(str(self.channel_combo.currentData()))

    def to_input(self) -> TouchInput:
        """The touch as the form shows it. An untouched "when" means the moment of saving."""
        happened = (
            from_qdatetime(self.when_edit.dateTime()) if self._when_edited else self.rapport.now()
        )
        next_on = from_qdate(self.next_date_edit.date()) if self.remind_check.isChecked() else None
        return TouchInput(
            happened_at=happened,
            channel=self.channel(),
            summary=self.summary_edit.toPlainText(),
            next_step=self.next_step_edit.text(),
            next_step_on=next_on,
        )

    def errors(self) -> dict[str, str]:
        errors = validate_touch(self.to_input(), now=self.rapport.now())
        if self.client_picker.client_id() is None:
            if self.client_picker.currentText().strip():
                errors["client"] = "No client by that name; pick one from the list."
            else:
                errors["client"] = "Pick the client you were in touch with."
        return errors

    def show_errors(self, errors: dict[str, str], *, focus: bool = True) -> None:
        places = (
            ("client", self.client_error, self.client_picker),
            ("summary", self.summary_error, self.summary_edit),
            ("happened_at", self.when_error, self.when_edit),
            ("next_step", self.next_step_error, self.next_step_edit),
        )
        show_errors(errors, places, self.general_error, focus=focus)

    def _revalidate(self) -> None:
        if self._live:
            self.show_errors(self.errors(), focus=False)

    # -- saving ---------------------------------------------------------------

    def _refuse(self, errors: dict[str, str]) -> None:
        """Show why Save was refused, and keep the messages true from now on."""
        self._live = True
        self.show_errors(errors)

    def save(self) -> bool:
        book = self.rapport.book
        errors = self.errors()
        if errors or book is None:
            self._refuse(errors or {"book": "No book is open."})
            return False
        client_id = self.client_picker.client_id()
        assert client_id is not None
        data = self.to_input()

        def write() -> None:
            done = self.follow_up_id if self.follow_up_check.isChecked() else None
            self.touch_id = log_touch(
                book, client_id, data, now=self.rapport.now(), completes_follow_up=done
            )

        def then() -> None:
            self.rapport.settings.setValue(KEY_LAST_CHANNEL, data.channel.value)
            self.saved.emit(self.touch_id)

        if not run_op(
            self.rapport,
            write,
            changes=REMINDERS,
            initiator=self,
            refuse=self._refuse,
            explain=lambda message: show_error(self.general_error, message),
            failed="The touch could not be saved; nothing was changed. Please try again.",
            logger=log,
            log_message="Logging a touch failed",
            then=then,
        ):
            return False
        super().accept()
        return True

    def accept(self) -> None:
        self.save()
