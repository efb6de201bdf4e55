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
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QSize, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence, QShortcut, QShowEvent
from PySide6.QtWidgets import (
    QApplication,
    QMenu,
    QMessageBox,
    QPushButton,
    QWidget,
    QWizard,
)

from models.changes import BOOK, INCIDENTS, Changes
from models.repair import ENDINGS, PLAYBOOK, SKIPPABLE, TITLES, Step
from models.services.clients import NotFoundError, ValidationError
from models.services.consultant import get_settings
from models.services.incidents import get_incident
from models.services.repair import (
    PlanView,
    discard_plan,
    latest_plan,
    start_or_resume,
)
from ui.app import RapportApp
from ui.kit.forms import form_style
from ui.kit.registry import WIZARD, bring_to_front, forget, open_windows, remember
from ui.kit.screen import fit_on_show
from ui.kit.subscribe import on_changes
from ui.ops import run_op
from ui.repair_pages import RepairPage, make_page
from ui.repair_widgets import guarded

if TYPE_CHECKING:
    from ui.agreement_window import PdfJob

from ui.repair_ending import RepairEndingMixin
from ui.repair_flow import RepairFlowMixin
from ui.repair_parts import (
    ACTIVE_BUTTONS,
    ENDINGS_BUTTON,
    PLAN_GONE,
    SKIP,
    TICK_MS,
    StepsPanel,
    log,
    resume_route,
)

__all__ = [
    "ENDINGS_BUTTON",
    "RepairWizard",
    "SKIP",
    "StepsPanel",
    "open_repair_wizard",
    "open_wizards",
    "resume_route",
]


class RepairWizard(RepairFlowMixin, RepairEndingMixin, QWizard):
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
        self.setStyleSheet(form_style())
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
        self.subscription = on_changes(
            self, rapport.changed, INCIDENTS | BOOK, self._on_app_changed, skip_own=True
        )
        app = QApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(self.flush)
        QShortcut(QKeySequence(QKeySequence.StandardKey.Close), self, self.close)

        fit_on_show(self, QSize(1060, 720))
        self._retitle()
        for page in self.pages.values():
            page.fill(plan.answers)
        self._restore()
        if plan.finished:
            self._enter_finished_mode()

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

    @guarded(None)
    def reject(self) -> None:
        """Cancel, Esc or closing the window: everything is already saved, so the
        only question is whether to keep this draft for later."""
        if self._closing or self.read_only or self.rapport.book is None:
            self._close_now()
            return
        if self.message_box is not None and self.message_box.isVisible():
            return
        self.flush(settle=True)
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
        if not run_op(
            self.rapport,
            lambda: discard_plan(book, self.view.id),
            changes=INCIDENTS,
            initiator=self,
            refuse=lambda errors: explain(" ".join(errors.values())),
            explain=explain,
            failed="The plan could not be discarded. Please try again.",
            logger=log,
            log_message="Discarding a repair plan failed",
            gone=PLAN_GONE,
        ):
            return False
        self._close_now()
        return True

    def _close_now(self) -> None:
        self.timer.stop()
        self._closing = True
        self.subscription.disconnect_now()
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

    def _on_app_changed(self, what: Changes, _initiator: object) -> None:
        if self._closing:
            return
        if what.book:
            self._close_now()  # the plan belongs to the book that was left
            return
        if what.incidents:
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
        bring_to_front(self)


def open_wizards(rapport: RapportApp) -> dict[int, RepairWizard]:
    """The wizards open for ``rapport``'s book, by incident (ui/kit/registry.py)."""
    return open_windows(rapport, WIZARD)  # type: ignore[return-value]


def _start_plan(rapport: RapportApp, incident_id: int) -> PlanView | None:
    """Start the incident's repair through the one op path (the incident window's
    button then says Continue). The rules' refusals are raised again for the caller
    to explain, as before; anything else is logged and None returned."""
    book = rapport.book
    started: list[PlanView] = []
    refused: list[Exception] = []

    def start() -> None:
        try:
            started.append(start_or_resume(book, incident_id, now=rapport.now()))
        except (ValidationError, NotFoundError) as exc:
            refused.append(exc)

    ok = run_op(
        rapport,
        start,
        changes=lambda: INCIDENTS if started else Changes(),
        failed="The repair could not be started. Please try again.",
        logger=log,
        log_message="Starting a repair failed",
    )
    if refused:
        raise refused[0]
    return started[0] if ok and started else None


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
        if plan is None:
            plan = _start_plan(rapport, incident_id)
            if plan is None:
                return None
        wizard = RepairWizard(rapport, plan, parent)
        remember(rapport, WIZARD, incident_id, wizard)
        # A finished dialog is done with, even before Qt deletes it.
        wizard.finished.connect(lambda *_a, gone=wizard: forget(rapport, WIZARD, incident_id, gone))
    wizard.bring_to_front()
    return wizard
