"""The repair wizard's flow: saving as the user types and moving between
pages (Next, Back, Skip, an ending)."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from models.changes import INCIDENTS, REMINDERS, Changes
from models.repair import PLAYBOOK, SKIPPABLE, Step
from models.services.repair import (
    save_step,
    set_skipped,
)
from ui.ops import run_op
from ui.repair_pages import RepairPage
from ui.repair_widgets import guarded

if TYPE_CHECKING:
    pass

from ui.repair_parts import (
    AUTOSAVE_S,
    PLAN_GONE,
    SAVE_FAILED,
    SKIP,
    log,
)


class RepairFlowMixin:
    """Saves pages and moves between them.

    A part of RepairWizard (ui/repair_wizard.py): it works on the widgets and
    attributes the window's __init__ makes."""

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

    def flush(self, *, settle: bool = False) -> bool:
        """Save the page in front of the user now (the tick calls this after a pause;
        leaving the wizard settles, so the incident's views hear of its edits)."""
        self._edited_at = None
        step = self.current_step()
        if step is None or self.read_only or self._restoring or self._closing:
            return True
        return self._save(step, go_to=step, mark_done=False, settle=settle)

    def _save(
        self,
        step: Step,
        *,
        go_to: Step,
        mark_done: bool,
        focus_errors: bool = False,
        settle: bool = False,
    ) -> bool:
        """Save a page. An autosave tells the views only of a moved promise; the
        incident's mirrored views and sides are told when the user leaves the page
        (``settle``), so the incident window does not reload on every pause."""
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

        def changes() -> Changes:
            old, new = before.answers, self.view.answers
            said = Changes()
            if old.get("reply_due_at") != new.get("reply_due_at"):
                # The promise moved: Today, the incident and the tray show it now.
                said |= INCIDENTS | REMINDERS
            mirrored = ("client_view", "our_view", "our_mistakes", "client_contribution")
            if any(old.get(n) != new.get(n) for n in mirrored):
                self._incident_dirty = True
            if settle and self._incident_dirty:
                self._incident_dirty = False
                said |= INCIDENTS
            return said

        def then() -> None:
            page.show_errors({})
            page.after_save()

        if not run_op(
            self.rapport,
            write,
            changes=changes,
            initiator=self,
            refuse=lambda errors: page.show_errors(errors, focus=focus_errors),
            explain=page.show_general,
            failed=SAVE_FAILED,
            logger=log,
            log_message="Saving a repair page failed",
            gone=PLAN_GONE,
            then=then,
        ):
            return False
        self.side.show_states(self.states())
        self.saves += 1
        return True

    def incident_op(self, write: Callable[[], object], *, touched: Callable[[], bool]) -> bool:
        """A page's own write to the incident (files attached), through the one op
        path; the other views hear of it if ``touched()`` says it did something."""
        return run_op(
            self.rapport,
            write,
            changes=lambda: INCIDENTS if touched() else Changes(),
            initiator=self,
            failed=SAVE_FAILED,
            logger=log,
            log_message="Attaching files to a repair failed",
            gone=PLAN_GONE,
        )

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
            step,
            go_to=go_to,
            mark_done=not (self._skipping or final),
            focus_errors=True,
            settle=not final,
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
        if (
            not self._restoring
            and not self.read_only
            and (
                not self._saved_by_validate
                and previous in Step._value2member_map_
                and previous != new_id
            )
        ):
            # Back: what the page held is kept, and the plan remembers this page.
            self._save(Step(previous), go_to=Step(new_id), mark_done=False, settle=True)
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
        ok = run_op(
            self.rapport,
            write,
            changes=Changes(),  # the plan's own bookkeeping: no other view shows it
            initiator=self,
            refuse=lambda errors: page.show_general(" ".join(errors.values())),
            explain=page.show_general,
            failed=SAVE_FAILED,
            logger=log,
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
