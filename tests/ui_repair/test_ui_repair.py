"""The repair wizard through its real pages, start to agreement: typed into, autosaved,
refused, cancelled and resumed, finished and reopened read-only, on real books with
real files. Skipping and the other endings: test_ui_repair_endings.py; how the wizard
is reached: test_ui_repair_entry.py; the keyboard: test_ui_repair_keyboard.py."""

from __future__ import annotations

import sys
from datetime import date, datetime, timedelta
from pathlib import Path

from PySide6.QtCore import QDate, QDateTime, Qt, QTime
from PySide6.QtGui import QGuiApplication

from models.entities import (
    AgreementStatus,
    Channel,
    EntryKind,
    FollowUpKind,
    IncidentStatus,
    RepairEnding,
    Side,
)
from models.repair import Step
from models.services.agreements import get_agreement
from models.services.incident_evidence import attach_file, list_evidence
from models.services.incident_timeline import add_entry
from models.services.incidents import get_incident
from models.services.reminders import TouchInput, log_touch, open_follow_ups
from models.services.repair import active_plan, get_plan, latest_plan, save_step, start_or_resume
from tests.helpers import LEFT, NOW
from tests.ui_repair.kit import (
    BACK,
    CANCEL,
    FINISH,
    NEXT,
    WAIT_MS,
    click,
    go_next,
    page,
    text_of,
    type_field,
    visible_errors,
    wait_saved,
    wizard_for,
)
from ui.app import CHANGED_INCIDENTS, RapportApp
from ui.incident_window import IncidentWindow
from ui.repair_wizard import (
    ENDINGS_BUTTON,
    SKIP,
    RepairWizard,
    open_wizards,
)

# -- the whole happy path ---------------------------------------------------------------


def test_whole_wizard_typed_through_ends_in_the_agreement_as_entered(
    qtbot, rapport: RapportApp, ada: int, incident: int, tmp_path: Path
) -> None:
    book = rapport.book
    report = tmp_path / "march-report.pdf"
    report.write_bytes(b"%PDF-1.4 the late report")
    attach_file(book, incident, report, now=NOW)
    add_entry(book, incident, EntryKind.CALL, "Call with Ada: she is upset", happened_at=NOW)
    log_touch(
        book, ada, TouchInput(NOW - timedelta(days=3), Channel.EMAIL, "Sent the draft"), now=NOW
    )
    window = IncidentWindow(rapport, incident)
    qtbot.addWidget(window)
    assert window.repair_button.text() == "Start repair…"
    w = window.open_repair()
    assert isinstance(w, RepairWizard)
    qtbot.waitExposed(w)
    assert window.repair_button.text() == "Continue repair…"
    assert w.currentId() == Step.FACTS
    assert w.side.state_of(Step.FACTS) == "current"

    # 1. What happened, both views, and the first reply with its promise.
    assert text_of(w, Step.FACTS, "client_view").startswith("The March report came")
    type_field(qtbot, w, Step.FACTS, "facts", "Report due 3 March.\nSent 10 March, unannounced.")
    facts = page(w, Step.FACTS)
    new_due = QDateTime(QDate(2026, 3, 12), QTime(15, 0))
    with qtbot.waitSignal(
        rapport.changed, timeout=3000, check_params_cb=lambda what, _w: what == CHANGED_INCIDENTS
    ):
        facts.due_edit.setDateTime(new_due)
    reply = text_of(w, Step.FACTS, "reply")
    assert "by Thursday, 12 March 2026 at 15:00" in reply  # the untouched draft follows the time
    qtbot.mouseClick(facts.copy_button, LEFT)
    assert QGuiApplication.clipboard().text() == reply
    due = get_incident(book, incident, now=NOW).row.response_due_at
    assert due is not None and due.astimezone().replace(tzinfo=None) == datetime(2026, 3, 12, 15)
    go_next(qtbot, w)

    # 2. Evidence: tick with the keyboard, add a file, give figures.
    ev = page(w, Step.EVIDENCE)
    assert ev.files.count() == 1 and ev.entries.count() == 1 and ev.touches.count() == 1
    for lst in (ev.files, ev.entries, ev.touches):
        lst.setFocus()
        lst.setCurrentRow(0)
        qtbot.keyClick(lst, Qt.Key.Key_Space)
    assert ev.files.checked_ids() and ev.entries.checked_ids() and ev.touches.checked_ids()
    hours = tmp_path / "hours.csv"
    hours.write_text("date,hours\n2026-03-02,6\n")
    new_ids = ev.attach_paths([hours])
    assert len(new_ids) == 1 and ev.files.count() == 2
    assert set(ev.files.checked_ids()) == {f.id for f in list_evidence(book, incident)}
    type_field(qtbot, w, Step.EVIDENCE, "figures", "38 hours in March; 4 of 5 reports on time")
    go_next(qtbot, w)

    # 3. Both sides; 4. the apology drafted from them.
    type_field(
        qtbot,
        w,
        Step.BOTH_SIDES,
        "our_mistakes",
        "Did not warn her the export had failed\nSent the report without a note",
    )
    type_field(qtbot, w, Step.BOTH_SIDES, "client_contribution", "Data came in four days late")
    go_next(qtbot, w)
    apology = text_of(w, Step.APOLOGY, "apology")
    assert "- Did not warn her the export had failed" in apology
    assert "- Sent the report without a note" in apology
    type_field(qtbot, w, Step.APOLOGY, "apology", "\nI will call you on Monday.")
    go_next(qtbot, w)

    # 5. Where things stand.
    type_field(qtbot, w, Step.STATE, "project_state", "April report on track")
    type_field(qtbot, w, Step.STATE, "done_so_far", "Twelve reports since June")
    type_field(qtbot, w, Step.STATE, "choices", "Moved to the new export for speed")
    type_field(qtbot, w, Step.STATE, "client_choices", "Late data pushed every date")
    go_next(qtbot, w)

    # 6. Goals: three priorities typed with Enter, then the last moved to the top.
    type_field(qtbot, w, Step.GOALS, "why_hired", "A board pack she can trust")
    ranked = page(w, Step.GOALS).ranked
    for p in ("Reports on time", "No surprises", "Short answers"):
        qtbot.keyClicks(ranked.new_edit, p)
        qtbot.keyClick(ranked.new_edit, Qt.Key.Key_Return)
    assert w.currentId() == Step.GOALS  # Return added a row; it did not press Next
    ranked.list.setFocus()
    ranked.list.setCurrentRow(1)
    qtbot.keyClick(ranked.list, Qt.Key.Key_Up, Qt.KeyboardModifier.ControlModifier)
    assert ranked.items() == ["No surprises", "Reports on time", "Short answers"]
    go_next(qtbot, w)

    # 7. Our change: one dated, one not, the second row made by Return.
    ours = page(w, Step.OUR_CHANGE).commitments
    qtbot.keyClicks(ours.rows[0].text_edit, "Send a one-line status every Friday")
    ours.rows[0].due_check.setChecked(True)
    ours.rows[0].due_edit.setDate(QDate(2026, 3, 20))
    qtbot.keyClick(ours.rows[0].text_edit, Qt.Key.Key_Return)
    assert len(ours.rows) == 2 and w.currentId() == Step.OUR_CHANGE
    qtbot.keyClicks(ours.rows[1].text_edit, "Warn the same day when data is late")
    go_next(qtbot, w)

    # 8. Our request.
    theirs = page(w, Step.OUR_REQUEST).commitments
    qtbot.keyClicks(theirs.rows[0].text_edit, "Send the data by the 1st")
    theirs.rows[0].due_check.setChecked(True)
    theirs.rows[0].due_edit.setDate(QDate(2026, 4, 1))
    go_next(qtbot, w)

    # 9. Timeframe: three months ahead already; moved, and the check-in follows.
    tf = page(w, Step.TIMEFRAME)
    assert tf.review_on() == date(2026, 6, 10)
    tf.review_edit.setDate(QDate(2026, 6, 15))
    assert "Monday, 15 June 2026" in text_of(w, Step.TIMEFRAME, "check_in")
    go_next(qtbot, w)

    # 10. In writing, with the preview.
    title = page(w, Step.IN_WRITING).texts["title"]
    # Issue 17: a clean suggested title, not the incident's name.
    assert title.text() == "Our agreement \u2014 10 March 2026"
    title.selectAll()
    qtbot.keyClick(title, Qt.Key.Key_Backspace)
    qtbot.keyClicks(title, "Reports we can both rely on")
    type_field(qtbot, w, Step.IN_WRITING, "points", "Shared folder for the data")
    type_field(qtbot, w, Step.IN_WRITING, "notes", "Silence made a small delay look big")
    wait_saved(qtbot, w)
    preview = page(w, Step.IN_WRITING).preview.toPlainText()
    for words in (
        "Reports we can both rely on",
        "Send a one-line status every Friday",
        "Send the data by the 1st",
        "No surprises; 2. Reports on time",
        "Monday, 15 June 2026",
    ):
        assert words in preview
    assert not w.button(NEXT).isVisible() or not w.button(NEXT).isEnabled()
    plan_id = w.view.id
    click(qtbot, w, FINISH)
    assert w.read_only and w.isVisible()

    plan = get_plan(book, plan_id)
    assert plan.finished and plan.ending is RepairEnding.AGREEMENT
    ag = get_agreement(book, plan.agreement_id)
    assert ag.row.title == "Reports we can both rely on"
    assert ag.row.status is AgreementStatus.DRAFT and ag.incident_id == incident
    assert ag.row.review_on == date(2026, 6, 15)
    assert [(c.text, c.due_on) for c in ag.commitments if c.side is Side.OURS] == [
        ("Send a one-line status every Friday", date(2026, 3, 20)),
        ("Warn the same day when data is late", None),
    ]
    assert [(c.text, c.due_on) for c in ag.commitments if c.side is Side.THEIRS] == [
        ("Send the data by the 1st", date(2026, 4, 1)),
    ]
    assert "Shared folder for the data" in ag.points
    assert "Silence made a small delay look big" in ag.context
    follow_ups = {(f.kind, f.due_on) for f in open_follow_ups(book, ada)}
    assert {
        (FollowUpKind.REVIEW, date(2026, 6, 15)),
        (FollowUpKind.COMMITMENT, date(2026, 3, 20)),
        (FollowUpKind.COMMITMENT, date(2026, 4, 1)),
    } <= follow_ups
    assert get_incident(book, incident, now=NOW).row.status is IncidentStatus.REPAIRING
    assert window.repair_button.text() == "See the repair…"
    assert all(w.side.state_of(s) == "done" for s in Step if s <= Step.IN_WRITING)
    assert ag.row.display_number in w.side.outcome_label.text()

    # What it left is one click away: the agreement's window, and its PDF.
    editor = w.open_agreement()
    assert editor is not None and editor.agreement_id == ag.row.id
    qtbot.addWidget(editor)
    out = tmp_path / "out" / "agreement"
    out.parent.mkdir()
    with qtbot.waitSignal(w.pdf_saved, timeout=WAIT_MS) as saved:
        assert w.save_pdf_to(out)
    assert saved.args[0] == out.with_suffix(".pdf")
    assert out.with_suffix(".pdf").read_bytes().startswith(b"%PDF")
    editor.close()
    window._discard = True
    window.close()


# -- autosave, errors, resume -----------------------------------------------------------


def test_typing_is_saved_after_a_pause_without_any_save_button(
    qtbot, rapport: RapportApp, incident: int
) -> None:
    w = wizard_for(qtbot, rapport, incident)
    assert not any(
        w.button(b).text().lower().startswith("&save") for b in (NEXT, BACK, FINISH, CANCEL)
    )
    type_field(qtbot, w, Step.FACTS, "facts", "The report was a week late.")
    assert active_plan(rapport.book, incident).answers.get("facts", "") == ""  # not yet
    wait_saved(qtbot, w)
    plan = active_plan(rapport.book, incident)
    assert plan is not None and plan.answers["facts"] == "The report was a week late."
    assert plan.current_step is Step.FACTS and Step.FACTS not in plan.done
    go_next(qtbot, w)
    plan = active_plan(rapport.book, incident)
    assert plan.current_step is Step.EVIDENCE and Step.FACTS in plan.done


def test_long_typing_costs_no_references_to_true_false_or_none(
    qtbot, rapport: RapportApp, incident: int
) -> None:
    """PySide6 6.12 on CPython 3.11 drops a reference to True/False on every signal
    emitted from Python and to None on every void call: done per keystroke, a long
    sitting would free them and abort the app. Typing must stay clear of both."""
    w = wizard_for(qtbot, rapport, incident)
    go_next(qtbot, w)
    go_next(qtbot, w)
    go_next(qtbot, w)
    go_next(qtbot, w)
    go_next(qtbot, w)
    go_next(qtbot, w)  # step 7: commitments, the most nested of the editors
    row = page(w, Step.OUR_CHANGE).commitments.rows[0].text_edit
    facts_words = "The report was late again and nobody said so. " * 40  # 1,880 keys
    bools = sys.getrefcount(True) + sys.getrefcount(False)
    nones = sys.getrefcount(None)
    qtbot.keyClicks(row, facts_words)
    assert w.pending
    assert bools - (sys.getrefcount(True) + sys.getrefcount(False)) < 50
    assert nones - sys.getrefcount(None) < 50
    wait_saved(qtbot, w)
    assert active_plan(rapport.book, incident).answers["ours"][0]["text"] == facts_words


def test_a_refused_save_is_shown_inline_and_the_text_stays(
    qtbot, rapport: RapportApp, incident: int
) -> None:
    w = wizard_for(qtbot, rapport, incident)
    type_field(qtbot, w, Step.FACTS, "facts", "Short and true.")
    assert w.flush()
    too_long = "x" * 20_001
    page(w, Step.FACTS).texts["facts"].setPlainText(too_long)
    assert not w.flush()
    errors = visible_errors(page(w, Step.FACTS))
    assert "facts" in errors and "20000" in errors["facts"]
    assert text_of(w, Step.FACTS, "facts") == too_long  # nothing typed is lost
    assert active_plan(rapport.book, incident).answers["facts"] == "Short and true."
    click(qtbot, w, NEXT)
    assert w.currentId() == Step.FACTS  # Next is refused while the page cannot be saved
    page(w, Step.FACTS).texts["facts"].setPlainText("Short again.")
    go_next(qtbot, w)
    assert visible_errors(page(w, Step.FACTS)) == {}


def test_finish_without_the_facts_says_why_on_the_last_page(
    qtbot, rapport: RapportApp, incident: int
) -> None:
    plan = start_or_resume(rapport.book, incident, now=NOW)
    save_step(rapport.book, plan.id, Step.FACTS, {"facts": ""}, go_to=Step.IN_WRITING, now=NOW)
    w = wizard_for(qtbot, rapport, incident)
    assert w.currentId() == Step.IN_WRITING
    click(qtbot, w, FINISH)
    assert not w.read_only
    assert "step 1" in page(w, Step.IN_WRITING).general_error.text()
    assert active_plan(rapport.book, incident) is not None


def test_cancel_then_keep_keeps_the_draft_and_reopens_on_the_same_page(
    qtbot, rapport: RapportApp, incident: int
) -> None:
    w = wizard_for(qtbot, rapport, incident)
    type_field(qtbot, w, Step.FACTS, "facts", "Sent late, no warning.")
    go_next(qtbot, w)
    go_next(qtbot, w)
    type_field(qtbot, w, Step.BOTH_SIDES, "our_mistakes", "Kept quiet about the delay")
    click(qtbot, w, CANCEL)  # no pause: the typing is saved on the way out
    box = w.message_box
    assert box is not None and box.isVisible()
    qtbot.mouseClick(w.keep_button, LEFT)
    qtbot.waitUntil(lambda: incident not in open_wizards(rapport))

    plan = active_plan(rapport.book, incident)
    assert plan is not None and plan.current_step is Step.BOTH_SIDES
    assert plan.answers["our_mistakes"] == "Kept quiet about the delay"
    again = wizard_for(qtbot, rapport, incident)
    assert again is not w and again.currentId() == Step.BOTH_SIDES
    assert again.visitedIds() == [1, 2, 3]
    assert text_of(again, Step.BOTH_SIDES, "our_mistakes") == "Kept quiet about the delay"
    click(qtbot, again, BACK)
    click(qtbot, again, BACK)
    assert again.currentId() == Step.FACTS
    assert text_of(again, Step.FACTS, "facts") == "Sent late, no warning."
    assert active_plan(rapport.book, incident).current_step is Step.FACTS  # Back is saved too


def test_cancel_then_discard_removes_the_plan_and_go_back_stays(
    qtbot, rapport: RapportApp, incident: int
) -> None:
    w = wizard_for(qtbot, rapport, incident)
    type_field(qtbot, w, Step.FACTS, "facts", "Something to throw away")
    qtbot.keyClick(w, Qt.Key.Key_Escape)
    assert w.message_box is not None and w.message_box.isVisible()
    qtbot.mouseClick(w.go_back_button, LEFT)
    assert w.isVisible() and active_plan(rapport.book, incident) is not None

    click(qtbot, w, CANCEL)
    qtbot.mouseClick(w.discard_button, LEFT)
    qtbot.waitUntil(lambda: incident not in open_wizards(rapport))
    assert active_plan(rapport.book, incident) is None
    assert latest_plan(rapport.book, incident) is None
    assert get_incident(rapport.book, incident, now=NOW).row.title == "Monthly report sent late"


def test_a_finished_plan_opens_read_only_with_its_agreement_reachable(
    qtbot, rapport: RapportApp, incident: int
) -> None:
    from models.services.repair import finish_with_agreement

    plan = start_or_resume(rapport.book, incident, now=NOW)
    save_step(rapport.book, plan.id, Step.FACTS, {"facts": "Late."}, now=NOW)
    aid = finish_with_agreement(rapport.book, plan.id, now=NOW)
    w = wizard_for(qtbot, rapport, incident)
    assert w.read_only and w.currentId() == Step.IN_WRITING
    assert "(finished)" in w.windowTitle()
    facts = page(w, Step.FACTS).texts["facts"]
    assert facts.isReadOnly()
    assert not page(w, Step.TIMEFRAME).review_edit.isEnabled()
    assert not page(w, Step.GOALS).ranked.add_button.isEnabled()
    assert not w.button(FINISH).isVisible() and not w.button(SKIP).isVisible()
    assert not w.button(ENDINGS_BUTTON).isVisible()
    assert w.button(CANCEL).text() == "Close"
    assert w.side.outcome.isVisible() and w.side.open_button.isVisible()
    click(qtbot, w, BACK)
    qtbot.keyClicks(page(w, Step.TIMEFRAME).texts["check_in"], "more")
    assert "more" not in text_of(w, Step.TIMEFRAME, "check_in")
    editor = w.open_agreement()
    assert editor is not None and editor.agreement_id == aid
    qtbot.addWidget(editor)
    editor.close()
    click(qtbot, w, CANCEL)  # closes at once: nothing to keep or discard
    qtbot.waitUntil(lambda: incident not in open_wizards(rapport))
    assert get_plan(rapport.book, plan.id).finished
