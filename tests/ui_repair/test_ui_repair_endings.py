"""The repair wizard's short ways to an end: steps skipped (and taken back) on the way
to the agreement, and the three other endings (hand over, tell the insurer, part
ways), each with the written record it saves as a PDF."""

from __future__ import annotations

from pathlib import Path

import pytest

from models.entities import (
    ClientStatus,
    IncidentStatus,
    RepairEnding,
)
from models.repair import Step
from models.services.agreements import get_agreement
from models.services.clients import get_client
from models.services.incident_timeline import timeline
from models.services.incidents import get_incident
from models.services.insurer import InsurerDetails, get_insurer
from models.services.repair import active_plan, get_plan
from tests.helpers import LEFT, NOW
from tests.ui_repair.kit import (
    BACK,
    FINISH,
    NEXT,
    WAIT_MS,
    click,
    go_next,
    page,
    text_of,
    type_field,
    visible_errors,
    wizard_for,
)
from ui.app import RapportApp
from ui.repair_wizard import (
    ENDINGS_BUTTON,
    SKIP,
    RepairWizard,
)

# -- skipping ----------------------------------------------------------------------------


def test_skipping_steps_2_to_9_still_gives_an_agreement_that_says_so(
    qtbot, rapport: RapportApp, incident: int
) -> None:
    w = wizard_for(qtbot, rapport, incident)
    assert not w.button(SKIP).isVisible()  # step 1 cannot be skipped
    type_field(qtbot, w, Step.FACTS, "facts", "The report was late.")
    go_next(qtbot, w)
    for step in range(Step.EVIDENCE, Step.IN_WRITING):
        assert w.currentId() == step
        click(qtbot, w, SKIP)
    assert w.currentId() == Step.IN_WRITING
    assert not w.button(SKIP).isVisible()  # nor can the writing-down
    for step in range(Step.EVIDENCE, Step.IN_WRITING):
        assert w.side.state_of(Step(step)) == "skipped"
    assert "skipped" in page(w, Step.IN_WRITING).preview.toPlainText()
    click(qtbot, w, BACK)
    assert page(w, Step.TIMEFRAME).skipped_bar.isVisible()
    click(qtbot, w, NEXT)
    plan_id = w.view.id
    click(qtbot, w, FINISH)
    assert w.read_only

    ag = get_agreement(rapport.book, get_plan(rapport.book, plan_id).agreement_id)
    assert "Repair steps skipped on the way to this agreement: 2 (evidence)" in ag.context
    assert "9 (timeframe)" in ag.context
    assert ag.commitments == [] and ag.row.review_on is None
    assert get_incident(rapport.book, incident, now=NOW).row.status is IncidentStatus.REPAIRING


def test_a_skipped_step_can_be_taken_back(qtbot, rapport: RapportApp, incident: int) -> None:
    w = wizard_for(qtbot, rapport, incident)
    go_next(qtbot, w)
    click(qtbot, w, SKIP)
    assert Step.EVIDENCE in w.view.skipped
    click(qtbot, w, BACK)
    bar = page(w, Step.EVIDENCE)
    assert bar.skipped_bar.isVisible()
    qtbot.mouseClick(bar.unskip_button, LEFT)
    assert Step.EVIDENCE not in active_plan(rapport.book, incident).skipped
    assert not bar.skipped_bar.isVisible() and w.side.state_of(Step.EVIDENCE) == "current"


# -- the other endings -------------------------------------------------------------------


def take_ending(qtbot, w: RepairWizard, ending: Step) -> None:
    button = w.button(ENDINGS_BUTTON)
    assert button.isVisible() and button.menu() is w.endings_menu
    w.ending_actions[ending].trigger()
    assert w.currentId() == ending
    assert not w.button(ENDINGS_BUTTON).isVisible()
    assert w.button(FINISH).isVisible()


def test_hand_over_from_step_3_ends_with_a_timeline_entry(
    qtbot, rapport: RapportApp, incident: int
) -> None:
    w = wizard_for(qtbot, rapport, incident)
    type_field(qtbot, w, Step.FACTS, "facts", "The analysis is beyond what I do well.")
    go_next(qtbot, w)
    go_next(qtbot, w)
    take_ending(qtbot, w, Step.HAND_OVER)
    click(qtbot, w, FINISH)
    assert "successor" in visible_errors(page(w, Step.HAND_OVER))  # who takes over?
    type_field(qtbot, w, Step.HAND_OVER, "successor", "Noor Haddad")
    type_field(qtbot, w, Step.HAND_OVER, "successor_contact", "noor@example.com")
    type_field(qtbot, w, Step.HAND_OVER, "access_notes", "Drive folder shared; BI login to move")
    click(qtbot, w, BACK)  # and back again: nothing typed is lost
    assert w.currentId() == Step.BOTH_SIDES
    w.ending_actions[Step.HAND_OVER].trigger()
    assert text_of(w, Step.HAND_OVER, "successor") == "Noor Haddad"
    plan_id = w.view.id
    click(qtbot, w, FINISH)
    assert w.read_only
    plan = get_plan(rapport.book, plan_id)
    assert plan.ending is RepairEnding.HAND_OVER and plan.agreement_id is None
    texts = [r.text for r in timeline(rapport.book, incident, now=NOW)]
    assert any(t.startswith("Handed over to Noor Haddad") for t in texts)
    assert w.side.state_of(Step.HAND_OVER) == "done"
    assert "Noor Haddad" in w.side.outcome_label.text()
    assert not w.side.open_button.isVisible() and w.side.pdf_button.isVisible()
    assert w.suggested_pdf_name() == "hand-over-brief-ada-byrne.pdf"


def test_insurer_ending_starts_from_settings_and_keeps_what_was_typed(
    qtbot, rapport: RapportApp, incident: int
) -> None:
    from ui.settings.insurer import InsurerPage

    dialog = InsurerPage(rapport)
    qtbot.addWidget(dialog)
    qtbot.keyClicks(dialog.insurer_fields["insurer_name"], "Hiscox")
    qtbot.keyClicks(dialog.insurer_fields["insurer_policy"], "PI-2291")
    qtbot.keyClicks(dialog.insurer_fields["insurer_contact"], "claims@example.com")
    assert dialog.save()
    assert get_insurer(rapport.book) == InsurerDetails("Hiscox", "PI-2291", "claims@example.com")

    w = wizard_for(qtbot, rapport, incident)
    type_field(qtbot, w, Step.FACTS, "facts", "She says she will claim for lost fees.")
    take_ending(qtbot, w, Step.INSURER)
    assert text_of(w, Step.INSURER, "insurer_name") == "Hiscox"
    assert text_of(w, Step.INSURER, "insurer_contact") == "claims@example.com"
    policy = page(w, Step.INSURER).texts["insurer_policy"]
    policy.clear()
    qtbot.keyClicks(policy, "PI-3000")
    type_field(qtbot, w, Step.INSURER, "notice", "Early notice of a possible claim.")
    click(qtbot, w, FINISH)
    assert w.read_only
    assert get_insurer(rapport.book) == InsurerDetails("Hiscox", "PI-3000", "claims@example.com")
    texts = [r.text for r in timeline(rapport.book, incident, now=NOW)]
    assert "Insurer told: Hiscox (policy PI-3000)." in texts
    assert get_incident(rapport.book, incident, now=NOW).row.status is IncidentStatus.OPEN


def test_part_ways_warns_then_ends_lost_and_former(
    qtbot, rapport: RapportApp, ada: int, incident: int
) -> None:
    w = wizard_for(qtbot, rapport, incident)
    type_field(qtbot, w, Step.FACTS, "facts", "We disagree on what was promised.")
    go_next(qtbot, w)
    take_ending(qtbot, w, Step.PART_WAYS)
    assert "former client" in page(w, Step.PART_WAYS).warning.text()
    type_field(qtbot, w, Step.PART_WAYS, "we_owe", "The source files")
    type_field(qtbot, w, Step.PART_WAYS, "they_owe", "Invoice 42")
    type_field(qtbot, w, Step.PART_WAYS, "closing_message", "Thank you for two good years.")
    click(qtbot, w, FINISH)
    box = w.message_box
    assert box is not None and box.isVisible() and "former client" in box.informativeText()
    not_yet = next(b for b in box.buttons() if b.text() == "Not yet")
    qtbot.mouseClick(not_yet, LEFT)
    assert not w.read_only and active_plan(rapport.book, incident) is not None

    click(qtbot, w, FINISH)
    yes = next(b for b in w.message_box.buttons() if b.text() == "Part ways")
    qtbot.mouseClick(yes, LEFT)
    assert w.read_only
    assert get_incident(rapport.book, incident, now=NOW).row.status is IncidentStatus.LOST
    assert get_client(rapport.book, ada).status is ClientStatus.FORMER
    assert "former client" in w.side.outcome_label.text()


@pytest.mark.parametrize(
    ("ending", "field", "value", "kind"),
    [
        (Step.HAND_OVER, "successor", "Noor Haddad", "Hand-over brief"),
        (Step.INSURER, "insurer_name", "Hiscox", "Notice to insurer"),
        (Step.PART_WAYS, "closing_message", "Thank you for two good years.", "Closing summary"),
    ],
)
def test_each_ending_saves_its_written_record_as_pdf(
    qtbot, rapport: RapportApp, incident: int, tmp_path: Path, ending, field, value, kind
) -> None:
    from pypdf import PdfReader

    w = wizard_for(qtbot, rapport, incident)
    type_field(qtbot, w, Step.FACTS, "facts", "The report was a week late.")
    take_ending(qtbot, w, ending)
    type_field(qtbot, w, ending, field, value)
    click(qtbot, w, FINISH)
    if ending is Step.PART_WAYS:
        yes = next(b for b in w.message_box.buttons() if b.text() == "Part ways")
        qtbot.mouseClick(yes, LEFT)
    assert w.read_only and w.side.pdf_button.isVisible()
    out = tmp_path / "record"
    with qtbot.waitSignal(w.pdf_saved, timeout=WAIT_MS) as saved:
        assert w.save_pdf_to(out)
    assert saved.args[0] == out.with_suffix(".pdf")
    pdf_text = "".join(p.extract_text() for p in PdfReader(out.with_suffix(".pdf")).pages)
    assert kind in pdf_text and value in pdf_text
    assert "The report was a week late." in pdf_text
    assert w.side.message.text() == "Saved record.pdf."
