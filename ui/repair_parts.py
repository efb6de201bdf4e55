"""What the repair wizard is made of besides itself: the steps panel beside the
pages, the route a resumed plan takes, its buttons and words."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QFrame,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
    QWizard,
)

from models.repair import ENDINGS, PLAYBOOK, TITLES, Step
from models.services.repair import (
    PlanView,
)
from ui.theme import tone

if TYPE_CHECKING:
    pass


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


# Tones (ui/theme.py) per state; the current step takes the highlight colour.
STATE_TONE = {"done": "ok", "skipped": "muted", "todo": "muted", "current": "accent"}


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
        # Not a step (no flags), but still read: muted, not the disabled grey.
        header.setForeground(QColor(tone("muted")))
        self.list.addItem(QListWidgetItem(""))
        self.list.item(self.list.count() - 1).setFlags(Qt.ItemFlag.NoItemFlags)
        self.list.addItem(header)
        for step in ENDINGS:
            self.items[step] = self._add(step)

        self.outcome = QFrame()
        self.outcome.setObjectName("outcome")
        self.outcome.setStyleSheet(
            f"#outcome {{ background: {tone('calm_bg')}; border-radius: 4px; }}"
            f"#outcome QLabel {{ color: {tone('calm_fg')}; }}"
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
            name = STATE_TONE[state]
            item.setForeground(QColor(tone(name)))

    def state_of(self, step: Step) -> str:
        return str(self.items[step].data(STATE_ROLE))
