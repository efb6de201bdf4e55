"""The repair wizard: the playbook's ten steps for one incident, with three other
endings reachable from any step.

Nothing typed is ever lost. Each page is saved into the plan a moment after the
user stops typing and again whenever the page changes, and the plan remembers
the page; reopening walks forward through the pages already seen (so Back still
works) and lands where the user left. There is no Save button because there is
nothing to remember to press.

The wizard is a window of its own, not a modal dialog: a repair is written over
days, next to the incident and the mail client. One wizard per incident.
"""

from __future__ import annotations

import contextlib
import logging
import time
import weakref
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, QThreadPool, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QColor, QKeySequence, QShortcut, QShowEvent
from PySide6.QtWidgets import (
    QApplication,
    QFileDialog,
    QFrame,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMenu,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
    QWizard,
)

from models.enums import RepairEnding
from models.files import write_atomic
from models.repair import ENDINGS, PLAYBOOK, SKIPPABLE, TITLES, Step
from models.services.agreements import get_agreement, get_settings
from models.services.clients import NotFoundError
from models.services.incidents import get_incident
from models.services.repair import (
    PlanView,
    discard_plan,
    finish_other,
    finish_with_agreement,
    get_plan,
    latest_plan,
    save_step,
    set_skipped,
    start_or_resume,
)
from ui.app import (
    CHANGED_AGREEMENTS,
    CHANGED_BOOK,
    CHANGED_CLIENTS,
    CHANGED_INCIDENTS,
    CHANGED_REMINDERS,
    RapportApp,
)
from ui.client_dialog import STYLE
from ui.forms import save_or_explain
from ui.repair_pages import RepairPage, make_page
from ui.repair_widgets import guarded
from ui.repair_words import outcome_text, pdf_name, record_noun

if TYPE_CHECKING:
    from ui.agreement_window import AgreementWindow, PdfJob

log = logging.getLogger(__name__)

AUTOSAVE_S = 0.4  # this long after the last keystroke, the page is saved
TICK_MS = 100
STATE_ROLE = Qt.ItemDataRole.UserRole + 2
STEP_ROLE = Qt.ItemDataRole.UserRole + 3
PLAN_GONE = "This repair is no longer in the book."
SAVE_FAILED = (
    "This page could not be saved just now. Your text is still here; saving is tried "
    "again as you type."
)
FINISH_FAILED = "The repair could not be finished; nothing was changed. Please try again."
GLYPH = {"current": "▸", "done": "✓", "skipped": "↷", "todo": "○"}
STATE_WORDS = {
    "current": "You are here",
    "done": "Done",
    "skipped": "Skipped",
    "todo": "Not yet",
}
STATE_COLOUR = {"done": "#2e7d32", "skipped": "#6b6b6b", "todo": "#555555", "current": ""}
ACTIVE_BUTTONS = [
    QWizard.WizardButton.CustomButton2,
    QWizard.WizardButton.CustomButton1,
    QWizard.WizardButton.Stretch,
    QWizard.WizardButton.BackButton,
    QWizard.WizardButton.NextButton,
    QWizard.WizardButton.FinishButton,
    QWizard.WizardButton.CancelButton,
]
READ_ONLY_BUTTONS = [
    QWizard.WizardButton.Stretch,
    QWizard.WizardButton.BackButton,
    QWizard.WizardButton.NextButton,
    QWizard.WizardButton.CancelButton,
]
SKIP = QWizard.WizardButton.CustomButton1
ENDINGS_BUTTON = QWizard.WizardButton.CustomButton2


def resume_route(view: PlanView) -> list[Step]:
    """The pages to walk through to reach where the plan was left, in order.

    A playbook step is reached through every step before it. An ending is reached
    from the last playbook step the user got to (the plan does not remember where
    they turned off, but the steps they touched say how far they came).
    """
    current = view.current_step
    if current in PLAYBOOK:
        return list(PLAYBOOK[: int(current)])
    touched = [s for s in PLAYBOOK if s in view.done or s in view.skipped]
    last = max(touched, default=Step.FACTS)
    return [*PLAYBOOK[: int(last)], current]


class StepsPanel(QFrame):
    """The wizard's side: every step with its state, and how a finished repair ended."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("steps_panel")
        self.setStyleSheet(
            "#steps_panel { background: palette(alternate-base);"
            " border-right: 1px solid palette(mid); }"
            "QListWidget { background: transparent; border: none; }"
            "QListWidget::item { padding: 3px 2px; }"
        )
        self.setFixedWidth(232)
        self.heading = QLabel("Repair steps")
        font = self.heading.font()
        font.setWeight(font.Weight.DemiBold)
        font.setPointSizeF(font.pointSizeF() * 1.1)
        self.heading.setFont(font)
        self.who = QLabel()
        self.who.setWordWrap(True)
        self.who.setTextFormat(Qt.TextFormat.PlainText)
        self.who.setStyleSheet("color: palette(placeholder-text);")
        self.list = QListWidget()
        self.list.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.list.setSelectionMode(QListWidget.SelectionMode.NoSelection)
        self.list.setAccessibleName("Repair steps")
        self.list.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.items: dict[Step, QListWidgetItem] = {}
        for step in PLAYBOOK:
            self.items[step] = self._add(step)
        header = QListWidgetItem("Other endings")
        header.setFlags(Qt.ItemFlag.NoItemFlags)
        header_font = header.font()
        header_font.setPointSizeF(header_font.pointSizeF() * 0.9)
        header_font.setWeight(header_font.Weight.DemiBold)
        header.setFont(header_font)
        self.list.addItem(QListWidgetItem(""))
        self.list.item(self.list.count() - 1).setFlags(Qt.ItemFlag.NoItemFlags)
        self.list.addItem(header)
        for step in ENDINGS:
            self.items[step] = self._add(step)

        self.outcome = QFrame()
        self.outcome.setObjectName("outcome")
        self.outcome.setStyleSheet(
            "#outcome { background: #e3eeee; border-radius: 4px; }"
            "#outcome QLabel { color: #1f4f4e; }"
        )
        self.outcome_label = QLabel()
        self.outcome_label.setWordWrap(True)
        self.outcome_label.setTextFormat(Qt.TextFormat.PlainText)
        self.open_button = QPushButton("Open agreement")
        self.pdf_button = QPushButton("Save as PDF…")
        self.busy = QProgressBar()
        self.busy.setRange(0, 0)
        self.busy.setMaximumHeight(6)
        self.busy.setTextVisible(False)
        self.busy.hide()
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setTextFormat(Qt.TextFormat.PlainText)
        box = QVBoxLayout(self.outcome)
        box.setContentsMargins(10, 10, 10, 10)
        box.setSpacing(6)
        box.addWidget(self.outcome_label)
        box.addWidget(self.open_button)
        box.addWidget(self.pdf_button)
        box.addWidget(self.busy)
        box.addWidget(self.message)
        self.outcome.hide()

        layout = QVBoxLayout(self)
        layout.setContentsMargins(14, 14, 10, 14)
        layout.setSpacing(6)
        layout.addWidget(self.heading)
        layout.addWidget(self.who)
        layout.addSpacing(4)
        layout.addWidget(self.list, 1)
        layout.addWidget(self.outcome)

    def _add(self, step: Step) -> QListWidgetItem:
        item = QListWidgetItem()
        item.setData(STEP_ROLE, int(step))
        item.setFlags(Qt.ItemFlag.ItemIsEnabled)
        self.list.addItem(item)
        return item

    def show_states(self, states: dict[Step, str]) -> None:
        for step, item in self.items.items():
            state = states[step]
            number = f"{int(step)}. " if step in PLAYBOOK else ""
            extra = " (skipped)" if state == "skipped" else ""
            item.setText(f"{GLYPH[state]}  {number}{TITLES[step]}{extra}")
            item.setData(STATE_ROLE, state)
            item.setToolTip(STATE_WORDS[state])
            font = item.font()
            font.setWeight(font.Weight.DemiBold if state == "current" else font.Weight.Normal)
            font.setItalic(state == "skipped")
            item.setFont(font)
            colour = STATE_COLOUR[state]
            item.setForeground(QColor(colour) if colour else self.palette().highlight())

    def state_of(self, step: Step) -> str:
        return str(self.items[step].data(STATE_ROLE))


class RepairWizard(QWizard):
    """One incident's repair plan, page by page. Open it with open_repair_wizard."""

    plan_finished = Signal(str)  # the RepairEnding value
    pdf_saved = Signal(object)  # the Path written

    def __init__(self, rapport: RapportApp, plan: PlanView, parent: QWidget | None = None) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.rapport = rapport
        self.view = plan
        book = rapport.book
        assert book is not None
        self.my_name = get_settings(book).name
        try:
            self.responded_at: datetime | None = get_incident(
                book, plan.incident_id, now=rapport.now()
            ).row.responded_at
        except NotFoundError:
            self.responded_at = None
        self.read_only = False
        self.chosen_ending: Step | None = None
        self.message_box: QMessageBox | None = None
        self.keep_button: QPushButton | None = None
        self.discard_button: QPushButton | None = None
        self.go_back_button: QPushButton | None = None
        self.job: PdfJob | None = None
        self._pdf_target: Path | None = None
        self._route: list[Step] | None = None
        self._restoring = False
        self._skipping = False
        self._saved_by_validate = False
        self._incident_dirty = False
        self._closing = False
        self._last_id = -1
        self.setStyleSheet(STYLE)
        self.setWizardStyle(QWizard.WizardStyle.ClassicStyle)
        self.setOption(QWizard.WizardOption.NoBackButtonOnStartPage, True)
        # Return belongs to the field (a new priority, a new commitment); moving on
        # or finishing is Alt+N / Alt+F, never a stray Enter in a title.
        self.setOption(QWizard.WizardOption.NoDefaultButton, True)
        self.setOption(QWizard.WizardOption.HaveCustomButton1, True)
        self.setOption(QWizard.WizardOption.HaveCustomButton2, True)
        self.setButtonText(SKIP, "S&kip this step")
        self.button(SKIP).setToolTip("Leave this step out; the agreement will say so.")
        self.setButtonText(ENDINGS_BUTTON, "Other en&dings…")
        self.button(ENDINGS_BUTTON).setToolTip("Hand over, tell the insurer, or part ways.")
        self.endings_menu = QMenu(self)
        self.ending_actions: dict[Step, QAction] = {}
        for step in ENDINGS:
            action = self.endings_menu.addAction(TITLES[step])
            action.triggered.connect(partial(self.choose_ending, step))
            self.ending_actions[step] = action
        endings_button = self.button(ENDINGS_BUTTON)
        assert isinstance(endings_button, QPushButton)
        endings_button.setMenu(self.endings_menu)
        self.customButtonClicked.connect(self._on_custom_button)
        self.setButtonLayout(ACTIVE_BUTTONS)

        self.pages: dict[Step, RepairPage] = {}
        for step in Step:
            page = make_page(self, step)
            page.notify = self._on_edited
            page.unskip_requested.connect(partial(self.unskip, step))
            self.pages[step] = page
            self.setPage(int(step), page)
        self.side = StepsPanel()
        self.side.who.setText(f"{plan.client_name} · {plan.incident_title}")
        self.side.open_button.clicked.connect(self.open_agreement)
        self.side.pdf_button.clicked.connect(self.save_pdf_dialog)
        self.setSideWidget(self.side)

        # Autosave: an edit only notes the time (no Qt call per keystroke, see
        # ui/repair_widgets.py); this steady tick saves once typing has paused.
        self._edited_at: float | None = None
        # How many times a page has gone into the book; a counter rather than a
        # signal, because every signal emitted from Python costs PySide 6.12 on
        # CPython 3.11 a reference to True or False (see ui/repair_widgets.py).
        self.saves = 0
        self.timer = QTimer(self)
        self.timer.setInterval(TICK_MS)
        self.timer.timeout.connect(self._tick)
        self.timer.start()
        self.currentIdChanged.connect(self._on_page_changed)
        rapport.changed.connect(self._on_app_changed)
        app = QApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(self.flush)
        QShortcut(QKeySequence(QKeySequence.StandardKey.Close), self, self.close)

        self.resize(1060, 720)
        self.setMinimumSize(900, 600)
        self._retitle()
        for page in self.pages.values():
            page.fill(plan.answers)
        self._restore()
        if plan.finished:
            self._enter_finished_mode()

    # -- where we are -----------------------------------------------------------------

    def current_step(self) -> Step | None:
        current = self.currentId()
        return Step(current) if current in Step._value2member_map_ else None

    def page_values(self, step: Step) -> dict[str, object]:
        return self.pages[step].values()

    def _retitle(self) -> None:
        done = " (finished)" if self.view.finished else ""
        self.setWindowTitle(f"Repair: {self.view.incident_title} — {self.view.client_name}{done}")

    def _restore(self) -> None:
        """Walk forward through the pages already seen to the one the plan was left
        on, saving nothing on the way, so Back works as if the user never left."""
        route = resume_route(self.view)
        self._route = route
        self._restoring = True
        try:
            self.restart()
            while self.currentId() != int(route[-1]):
                before = self.currentId()
                self.next()
                if self.currentId() == before:
                    break
        finally:
            self._restoring = False
            if not self.view.finished:
                self._route = None
        self._last_id = self.currentId()
        self._update_chrome()
        page = self.currentPage()
        if isinstance(page, RepairPage):
            page.focus_first()

    @guarded(-1)
    def nextId(self) -> int:  # noqa: N802 - Qt API
        """Where Next goes. QWizard asks this as it arrives on a page and keeps the
        answer for its buttons, so it must never depend on anything that changes
        after arriving: the restore route ends in the ordinary rule, and a chosen
        ending lives only for the one move that takes it."""
        current = self.currentId()
        if self._route is not None:
            ids = [int(s) for s in self._route]
            if current in ids and ids.index(current) + 1 < len(ids):
                return ids[ids.index(current) + 1]
        step = self.current_step()
        if step is None or step in ENDINGS:
            return -1
        if self.chosen_ending is not None:
            return int(self.chosen_ending)
        if step is Step.IN_WRITING:
            return -1
        return int(step) + 1

    def states(self) -> dict[Step, str]:
        current = self.current_step()
        out = {}
        for step in Step:
            if not self.read_only and step == current:
                out[step] = "current"
            elif step in self.view.skipped:
                out[step] = "skipped"
            elif step in self.view.done:
                out[step] = "done"
            else:
                out[step] = "todo"
        return out

    def _update_chrome(self) -> None:
        step = self.current_step()
        self.side.show_states(self.states())
        for s, page in self.pages.items():
            page.set_skipped(s in self.view.skipped)
        active = not self.read_only and step is not None
        self.button(SKIP).setVisible(active and step in SKIPPABLE)
        self.button(ENDINGS_BUTTON).setVisible(active and step in PLAYBOOK)

    # -- saving -------------------------------------------------------------------------

    def _on_edited(self) -> None:
        if not self.read_only and not self._restoring:
            self._edited_at = time.monotonic()

    @property
    def pending(self) -> bool:
        """Typed, and not yet saved."""
        return self._edited_at is not None

    def _tick(self) -> None:
        if self._edited_at is not None and time.monotonic() - self._edited_at >= AUTOSAVE_S:
            self.flush()

    def flush(self) -> bool:
        """Save the page in front of the user now (the tick calls this after a pause)."""
        self._edited_at = None
        step = self.current_step()
        if step is None or self.read_only or self._restoring or self._closing:
            return True
        return self._save(step, go_to=step, mark_done=False)

    def _save(
        self, step: Step, *, go_to: Step, mark_done: bool, focus_errors: bool = False
    ) -> bool:
        book = self.rapport.book
        if book is None:
            return False
        page = self.pages[step]
        values = page.values()
        before = self.view
        now = self.rapport.now()

        def write() -> None:
            self.view = save_step(
                book, before.id, step, values, go_to=go_to, mark_done=mark_done, now=now
            )

        if not save_or_explain(
            write,
            refuse=lambda errors: page.show_errors(errors, focus=focus_errors),
            explain=page.show_general,
            failed=SAVE_FAILED,
            log=log,
            log_message="Saving a repair page failed",
            gone=PLAN_GONE,
        ):
            return False
        page.show_errors({})
        page.after_save()
        old, new = before.answers, self.view.answers
        if old.get("reply_due_at") != new.get("reply_due_at"):
            # The promise moved: Today, the incident and the tray show it now.
            self.rapport.changed.emit(CHANGED_INCIDENTS, self)
            self.rapport.changed.emit(CHANGED_REMINDERS, self)
        mirrored = ("client_view", "our_view", "our_mistakes", "client_contribution")
        if any(old.get(n) != new.get(n) for n in mirrored):
            self._incident_dirty = True
        self.side.show_states(self.states())
        self.saves += 1
        return True

    def incident_changed(self) -> None:
        """A page changed the incident itself (a file attached): tell the other views."""
        self.rapport.changed.emit(CHANGED_INCIDENTS, self)

    def _emit_incident_changes(self) -> None:
        """The incident's views and sides were edited here: the incident window shows
        them too. Said when the page changes rather than on every pause in typing."""
        if self._incident_dirty:
            self._incident_dirty = False
            self.rapport.changed.emit(CHANGED_INCIDENTS, self)

    # -- moving between pages -----------------------------------------------------------

    @guarded(False)
    def validateCurrentPage(self) -> bool:  # noqa: N802 - Qt API
        """Next or Finish: save the page (marked done unless skipped); Finish then
        ends the plan, and the wizard stays open to show how it ended."""
        if self._restoring or self.read_only:
            return True
        step = self.current_step()
        if step is None:
            return True
        self._edited_at = None  # saved just below
        following = self.nextId()
        final = following == -1
        go_to = step if final else Step(following)
        if not self._save(
            step, go_to=go_to, mark_done=not (self._skipping or final), focus_errors=True
        ):
            return False
        if self._skipping and not self._set_skipped(step, True):
            return False
        if final:
            self.request_finish(step)
            return False
        self._saved_by_validate = True
        return True

    def _on_page_changed(self, new_id: int) -> None:
        previous, self._last_id = self._last_id, new_id
        if new_id == -1:
            return
        if not self._restoring and not self.read_only:
            if (
                not self._saved_by_validate
                and previous in Step._value2member_map_
                and previous != new_id
            ):
                # Back: what the page held is kept, and the plan remembers this page.
                self._save(Step(previous), go_to=Step(new_id), mark_done=False)
            self._emit_incident_changes()
        self._saved_by_validate = False
        self._update_chrome()
        page = self.currentPage()
        if not self._restoring and isinstance(page, RepairPage):
            page.focus_first()

    def _on_custom_button(self, which: int) -> None:
        if which == SKIP.value:
            self.skip_current()

    def skip_current(self) -> bool:
        """Leave this step out and move on; what it holds is kept, just not used."""
        step = self.current_step()
        if self.read_only or step not in SKIPPABLE:
            return False
        before = self.currentId()
        self._skipping = True
        try:
            self.next()
        finally:
            self._skipping = False
        return self.currentId() != before

    def _set_skipped(self, step: Step, skipped: bool) -> bool:
        book = self.rapport.book
        if book is None:
            return False

        def write() -> None:
            self.view = set_skipped(book, self.view.id, step, skipped, now=self.rapport.now())

        page = self.pages[step]
        ok = save_or_explain(
            write,
            refuse=lambda errors: page.show_general(" ".join(errors.values())),
            explain=page.show_general,
            failed=SAVE_FAILED,
            log=log,
            log_message="Skipping a repair step failed",
            gone=PLAN_GONE,
        )
        if ok:
            self._update_chrome()
        return ok

    def unskip(self, step: Step) -> bool:
        """The user came back to a skipped step and wants it counted after all."""
        if self.read_only:
            return False
        ok = self._set_skipped(step, False)
        if ok:
            self.pages[step].focus_first()
        return ok

    def choose_ending(self, ending: Step) -> bool:
        """Turn off the playbook to one of the other endings, from whatever step."""
        if self.read_only or self.current_step() not in PLAYBOOK:
            return False
        self.chosen_ending = ending
        try:
            self.next()
        finally:
            self.chosen_ending = None
        return self.current_step() is ending

    # -- finishing ----------------------------------------------------------------------

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

        if not save_or_explain(
            write,
            refuse=lambda errors: page.show_errors(errors, focus=True),
            explain=page.show_general,
            failed=FINISH_FAILED,
            log=log,
            log_message="Finishing a repair plan failed",
            gone=PLAN_GONE,
        ):
            return False
        self.view = get_plan(book, self.view.id)
        self._enter_finished_mode()
        for what in (CHANGED_INCIDENTS, CHANGED_AGREEMENTS, CHANGED_REMINDERS, CHANGED_CLIENTS):
            self.rapport.changed.emit(what, self)
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

    # -- what a finished repair leaves ------------------------------------------------

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

    # -- leaving ------------------------------------------------------------------------

    @guarded(None)
    def reject(self) -> None:
        """Cancel, Esc or closing the window: everything is already saved, so the
        only question is whether to keep this draft for later."""
        if self._closing or self.read_only or self.rapport.book is None:
            self._close_now()
            return
        if self.message_box is not None and self.message_box.isVisible():
            return
        self.flush()
        self._emit_incident_changes()
        box = QMessageBox(
            QMessageBox.Icon.Question,
            "Leave the repair",
            "Keep this repair to carry on later?",
            parent=self,
        )
        box.setTextFormat(Qt.TextFormat.PlainText)
        box.setInformativeText(
            "Everything you wrote is saved, and it opens again on this page. "
            "Discarding throws the plan away; the incident keeps its own notes."
        )
        self.keep_button = box.addButton("Keep the draft", QMessageBox.ButtonRole.AcceptRole)
        self.discard_button = box.addButton("Discard it", QMessageBox.ButtonRole.DestructiveRole)
        self.go_back_button = box.addButton("Go back", QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(self.keep_button)
        box.setEscapeButton(self.go_back_button)
        box.buttonClicked.connect(self._on_leave_answer)
        self.message_box = box
        box.open()

    def _on_leave_answer(self, clicked: object) -> None:
        if clicked is self.keep_button:
            self._close_now()
        elif clicked is self.discard_button:
            self.discard()

    def discard(self) -> bool:
        book = self.rapport.book
        if book is None or self.view.finished:
            return False
        page = self.currentPage()
        explain = page.show_general if isinstance(page, RepairPage) else log.warning
        if not save_or_explain(
            lambda: discard_plan(book, self.view.id),
            refuse=lambda errors: explain(" ".join(errors.values())),
            explain=explain,
            failed="The plan could not be discarded. Please try again.",
            log=log,
            log_message="Discarding a repair plan failed",
            gone=PLAN_GONE,
        ):
            return False
        self.rapport.changed.emit(CHANGED_INCIDENTS, self)
        self._close_now()
        return True

    def _close_now(self) -> None:
        self.timer.stop()
        self._closing = True
        with contextlib.suppress(RuntimeError, TypeError):
            self.rapport.changed.disconnect(self._on_app_changed)
        app = QApplication.instance()
        if app is not None:
            with contextlib.suppress(RuntimeError, TypeError):
                app.aboutToQuit.disconnect(self.flush)
        super().reject()

    @guarded(None)
    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt API
        if self._closing:
            event.accept()
            return
        super().closeEvent(event)  # QDialog asks reject(), which asks the user

    def _on_app_changed(self, what: str, initiator: object) -> None:
        if initiator is self or self._closing:
            return
        if what == CHANGED_BOOK:
            self._close_now()  # the plan belongs to the book that was left
            return
        if what == CHANGED_INCIDENTS:
            evidence = self.pages[Step.EVIDENCE]
            reload = getattr(evidence, "reload_lists", None)
            if reload is not None:
                reload()

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt API
        """The keyboard starts in the page's first field, with nothing selected (a
        window appearing must not put a typed title at risk of one keystroke)."""
        super().showEvent(event)
        page = self.currentPage()
        if isinstance(page, RepairPage):
            QTimer.singleShot(0, page.focus_first)

    def bring_to_front(self) -> None:
        if self.isMinimized():
            self.showNormal()
        else:
            self.show()
        self.raise_()
        self.activateWindow()


# --- one wizard per incident ----------------------------------------------------------

_OPEN: weakref.WeakKeyDictionary[QObject, dict[int, RepairWizard]] = weakref.WeakKeyDictionary()


def open_wizards(rapport: RapportApp) -> dict[int, RepairWizard]:
    return _OPEN.setdefault(rapport, {})


def open_repair_wizard(
    rapport: RapportApp, incident_id: int, parent: QWidget | None = None
) -> RepairWizard | None:
    """The incident's repair: the open wizard brought forward, the active plan
    resumed, the last finished one shown read-only, or a new plan started.

    Raises the services' ValidationError (a lost incident cannot be repaired) and
    NotFoundError (the incident is gone) for the caller to explain.
    """
    book = rapport.book
    if book is None:
        return None
    windows = open_wizards(rapport)
    wizard = windows.get(incident_id)
    if wizard is None:
        plan = latest_plan(book, incident_id)
        started = plan is None
        if plan is None:
            plan = start_or_resume(book, incident_id, now=rapport.now())
        wizard = RepairWizard(rapport, plan, parent)
        if started:  # the incident window's button now says Continue
            rapport.changed.emit(CHANGED_INCIDENTS, wizard)
        windows[incident_id] = wizard

        def forget(*_args: object, gone: RepairWizard = wizard) -> None:
            if windows.get(incident_id) is gone:
                windows.pop(incident_id, None)

        wizard.destroyed.connect(forget)
        wizard.finished.connect(forget)
    wizard.bring_to_front()
    return wizard
