"""What the repair wizard's UI tests share: the client and incident they start from,
the check that no wizard is left open or logged an error, and the small moves of a
person at the keyboard (type, click Next, wait for the autosave).

The fixtures reach this folder's tests through its conftest.py; test_handoff.py
imports them from here.
"""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QPlainTextEdit, QWidget, QWizard

from models.entities import (
    IncidentCategory,
    Severity,
)
from models.repair import Step
from models.services.incidents import (
    IncidentInput,
    open_incident,
)
from tests.helpers import LEFT, NOW, add_client, fixed_clock
from ui.app import CHANGED_CLIENTS, RapportApp
from ui.repair_pages import RepairPage
from ui.repair_wizard import (
    RepairWizard,
    open_repair_wizard,
    open_wizards,
)

NEXT = QWizard.WizardButton.NextButton
BACK = QWizard.WizardButton.BackButton
FINISH = QWizard.WizardButton.FinishButton
CANCEL = QWizard.WizardButton.CancelButton
WAIT_MS = 20_000


@pytest.fixture
def app_clock():
    return fixed_clock


@pytest.fixture
def ada(rapport: RapportApp) -> int:
    cid = add_client(rapport, "Ada Byrne", 30, 90)
    rapport.changed.emit(CHANGED_CLIENTS, None)
    return cid


@pytest.fixture
def incident(rapport: RapportApp, ada: int) -> int:
    return open_incident(
        rapport.book,
        ada,
        IncidentInput(
            "Monthly report sent late",
            IncidentCategory.COMMUNICATION,
            Severity.HIGH,
            client_view="The March report came a week late and nobody warned her.",
            our_view="A data export failed and I waited instead of telling her.",
        ),
        now=NOW - timedelta(days=1),
        promise_hours=24,
    )


@pytest.fixture(autouse=True)
def _close_wizards(rapport: RapportApp, caplog: pytest.LogCaptureFixture):
    yield
    for w in list(open_wizards(rapport).values()):
        if shiboken6.isValid(w):
            w._close_now()
    # The wizard logs what it cannot raise (ui.repair_widgets.guarded): any such
    # record is a failure here, not a quiet line in a log.
    logged = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    assert logged == []


def wizard_for(qtbot, rapport: RapportApp, incident_id: int) -> RepairWizard:
    w = open_repair_wizard(rapport, incident_id)
    assert w is not None
    qtbot.waitExposed(w)
    return w


def page(w: RepairWizard, step: Step) -> RepairPage:
    return w.pages[step]


def text_of(w: RepairWizard, step: Step, name: str) -> str:
    edit = page(w, step).texts[name]
    return edit.toPlainText() if isinstance(edit, QPlainTextEdit) else edit.text()


def type_in(qtbot, widget: QWidget, text: str) -> None:
    """Typed key by key; a newline is a real Return."""
    for i, line in enumerate(text.split("\n")):
        if i:
            qtbot.keyClick(widget, Qt.Key.Key_Return)
        if line:
            qtbot.keyClicks(widget, line)


def type_field(qtbot, w: RepairWizard, step: Step, name: str, text: str) -> None:
    type_in(qtbot, page(w, step).texts[name], text)


def click(qtbot, w: RepairWizard, which: QWizard.WizardButton) -> None:
    button = w.button(which)
    assert button.isVisible() and button.isEnabled(), which
    qtbot.mouseClick(button, LEFT)


def go_next(qtbot, w: RepairWizard) -> None:
    before = w.currentId()
    click(qtbot, w, NEXT)
    assert w.currentId() == before + 1, page(w, Step(before)).general_error.text()


def wait_saved(qtbot, w: RepairWizard) -> None:
    """Until the typing has gone into the book by itself (no save is called)."""
    before = w.saves
    assert w.pending
    qtbot.waitUntil(lambda: w.saves > before and not w.pending, timeout=3000)


def visible_errors(p: RepairPage) -> dict[str, str]:
    labels: dict[str, QLabel] = {**p.errors, "": p.general_error}
    return {k: v.text() for k, v in labels.items() if v.isVisibleTo(p)}
