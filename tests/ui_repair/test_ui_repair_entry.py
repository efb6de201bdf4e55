"""Around the repair wizard: how it is reached (from a client, one per incident, none
for a lost one), and what it finds already in the book when it opens (a promise
answered, evidence attached from the incident window)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from models.entities import (
    FollowUpKind,
    IncidentCategory,
    IncidentStatus,
    Severity,
)
from models.repair import Step
from models.services.incident_evidence import attach_file
from models.services.incidents import IncidentInput, get_incident, open_incident, record_response
from models.services.reminders import open_follow_ups
from models.services.repair import save_step
from tests.helpers import LEFT, NOW, open_window, shown
from tests.ui_repair.kit import (
    go_next,
    page,
    wizard_for,
)
from ui.app import CHANGED_INCIDENTS, RapportApp
from ui.incident_window import IncidentWindow
from ui.repair_wizard import (
    open_repair_wizard,
    open_wizards,
)

# -- around the wizard ---------------------------------------------------------------------


def test_start_a_repair_from_the_client_opens_the_incident_dialog_first(
    qtbot, rapport: RapportApp, ada: int
) -> None:
    window = open_window(qtbot, rapport)
    window.show_clients()
    assert window.select_client(ada)
    qtbot.mouseClick(window.detail.repair_button, LEFT)
    dialog = shown(qtbot, window.incident_dialog)
    assert dialog.windowTitle() == "Start a repair with Ada Byrne: what went wrong?"
    qtbot.keyClicks(dialog.title_edit, "Budget ran out unannounced")
    qtbot.mouseClick(dialog.save_button, LEFT)
    qtbot.waitUntil(lambda: bool(open_wizards(rapport)))
    (incident_id, w) = next(iter(open_wizards(rapport).items()))
    assert get_incident(rapport.book, incident_id, now=NOW).row.title == (
        "Budget ran out unannounced"
    )
    assert w.currentId() == Step.FACTS and w.parentWidget() is window
    assert incident_id not in window.incident_windows  # the wizard, not the window
    w._close_now()
    window.close()


def test_one_wizard_per_incident_and_a_lost_incident_cannot_start_one(
    qtbot, rapport: RapportApp, ada: int, incident: int
) -> None:
    from models.services.clients import ValidationError
    from models.services.incidents import set_status

    w = wizard_for(qtbot, rapport, incident)
    assert open_repair_wizard(rapport, incident) is w
    other = open_incident(
        rapport.book, ada, IncidentInput("Gone", IncidentCategory.OTHER, Severity.LOW), now=NOW
    )
    set_status(rapport.book, other, IncidentStatus.LOST, now=NOW)
    window = IncidentWindow(rapport, other)
    qtbot.addWidget(window)
    assert not window.repair_button.isEnabled()
    with pytest.raises(ValidationError):
        open_repair_wizard(rapport, other)
    window._discard = True
    window.close()


def test_an_answered_promise_is_not_reopened_by_step_1(
    qtbot, rapport: RapportApp, ada: int, incident: int
) -> None:
    record_response(rapport.book, incident, now=NOW)
    w = wizard_for(qtbot, rapport, incident)
    facts = page(w, Step.FACTS)
    assert not facts.due_edit.isEnabled() and "Answered" in facts.due_note.text()
    before = get_incident(rapport.book, incident, now=NOW).row
    later = {"reply_due_at": (NOW + timedelta(days=5)).isoformat()}
    save_step(rapport.book, w.view.id, Step.FACTS, later, now=NOW)
    after = get_incident(rapport.book, incident, now=NOW).row
    assert after.response_due_at == before.response_due_at
    assert all(
        f.kind is not FollowUpKind.RESPONSE_PROMISE for f in open_follow_ups(rapport.book, ada)
    )


def test_evidence_attached_elsewhere_shows_up_with_ticks_kept(
    qtbot, rapport: RapportApp, incident: int, tmp_path: Path
) -> None:
    first = tmp_path / "a.txt"
    first.write_text("a")
    attach_file(rapport.book, incident, first, now=NOW)
    w = wizard_for(qtbot, rapport, incident)
    go_next(qtbot, w)
    ev = page(w, Step.EVIDENCE)
    ev.files.item(0).setCheckState(Qt.CheckState.Checked)
    second = tmp_path / "b.txt"
    second.write_text("b")
    attach_file(rapport.book, incident, second, now=NOW)
    rapport.changed.emit(CHANGED_INCIDENTS, None)  # as the incident window says it
    assert ev.files.count() == 2
    assert len(ev.files.checked_ids()) == 1
