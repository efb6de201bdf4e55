"""The repair wizard's pages: one per playbook step, one per other ending.

Each page knows only its own fields (models.repair.FIELDS[step]): it fills them
from the plan's answers, hands back what they hold, and says when the user typed.
Saving, moving on and finishing belong to the wizard (ui/repair_wizard.py), so a
page never writes to the book except where it must act at once (attaching a file).
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QWizard,
)

from models.repair import (
    Step,
)
from ui.repair_page_base import (
    PageOwner,
    RepairPage,
)
from ui.repair_steps import (
    ApologyPage,
    BothSidesPage,
    EvidencePage,
    FactsPage,
)
from ui.repair_steps_late import (
    CommitmentsPage,
    GoalsPage,
    HandOverPage,
    InsurerPage,
    InWritingPage,
    PartWaysPage,
    StatePage,
    TimeframePage,
)

__all__ = [
    "RepairPage",
]


# --- the page every step is built on -------------------------------------------------


# --- the playbook's pages ------------------------------------------------------------


# --- the other endings ------------------------------------------------------------------


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


def make_page(owner: PageOwner, step: Step) -> RepairPage:
    page = PAGE_CLASSES[step](owner, step)
    if step in FINISH_TEXT:
        page.setButtonText(QWizard.WizardButton.FinishButton, FINISH_TEXT[step])
    return page
