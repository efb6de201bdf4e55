"""Empty states (issue 16): a list that can be empty says what it is for and how to
fill it, and says nothing once it has rows."""

from __future__ import annotations

from datetime import timedelta

import pytest
import shiboken6

from models.enums import EntryKind, IncidentCategory, Severity
from models.repair import Step
from models.services.clients import archive_client
from models.services.incident_timeline import add_entry
from models.services.incidents import IncidentInput, open_incident
from tests.helpers import NOW, add_client, fixed_clock, open_window
from ui.app import CHANGED_CLIENTS, CHANGED_INCIDENTS, RapportApp
from ui.incident_window import IncidentWindow
from ui.repair_wizard import open_repair_wizard


@pytest.fixture
def app_clock():
    return fixed_clock


def new_incident(rapport: RapportApp) -> int:
    cid = add_client(rapport, "Ada Byrne", 30, 90)
    rapport.changed.emit(CHANGED_CLIENTS, None)
    return open_incident(
        rapport.book,
        cid,
        IncidentInput("Monthly report sent late", IncidentCategory.COMMUNICATION, Severity.HIGH),
        now=NOW - timedelta(days=1),
    )


def test_the_client_list_after_archiving_the_last_client(qtbot, rapport) -> None:
    ada = add_client(rapport, "Ada Byrne", 30, 10)
    window = open_window(qtbot, rapport, size=(1366, 768))
    window.show_clients()
    window.refresh()
    assert window.list_empty is not None and not window.list_empty.is_shown()
    archive_client(rapport.book, ada)
    rapport.changed.emit(CHANGED_CLIENTS, None)
    assert window.stack.currentWidget() is window.splitter  # not the first-run page
    assert window.list_empty.is_shown()
    assert window.list_empty.label.text().startswith("Every client is archived.")
    assert window.list_empty.label.geometry() == window.table.viewport().rect()
    window.show_archived_action.setChecked(True)
    assert not window.list_empty.is_shown()
    window.close()


def test_a_new_incidents_timeline_says_how_to_start_it(qtbot, rapport) -> None:
    iid = new_incident(rapport)
    iw = IncidentWindow(rapport, iid)
    qtbot.addWidget(iw)
    iw.show()
    qtbot.waitExposed(iw)
    assert iw.timeline_tree.topLevelItemCount() == 0
    assert iw.timeline_empty.is_shown()
    assert "Add entry…" in iw.timeline_empty.label.text()
    add_entry(rapport.book, iid, EntryKind.NOTE, "Called her back", now=NOW)
    rapport.changed.emit(CHANGED_INCIDENTS, None)
    qtbot.waitUntil(lambda: iw.timeline_tree.topLevelItemCount() > 0)
    assert not iw.timeline_empty.is_shown()
    iw.close()


def test_the_wizards_evidence_step_says_what_to_add(qtbot, rapport) -> None:
    iid = new_incident(rapport)
    w = open_repair_wizard(rapport, iid)
    assert w is not None
    try:
        qtbot.waitExposed(w)
        page = w.pages[Step.EVIDENCE]
        files, entries, touches = page.empty_states
        assert page.files.count() == 0
        assert files.is_shown() and "Add files…" in files.text()
        assert touches.is_shown()
        assert page.entries.count() == 0 and entries.is_shown()
    finally:
        if shiboken6.isValid(w):
            w._close_now()
