"""The repair wizard at the keyboard alone: goals ranked and edited in place, distinct
Alt keys that reach their fields on every page, and Tab in reading order."""

from __future__ import annotations

import re

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLabel, QLineEdit, QWidget

from models.repair import Step
from models.services.repair import active_plan, save_step, start_or_resume
from tests.helpers import NOW
from tests.ui_repair.kit import (
    BACK,
    FINISH,
    NEXT,
    page,
    wait_saved,
    wizard_for,
)
from ui.app import RapportApp
from ui.repair_wizard import (
    ENDINGS_BUTTON,
    SKIP,
)


def test_priorities_are_edited_in_place_and_keep_their_ranks(
    qtbot, rapport: RapportApp, incident: int
) -> None:
    plan = start_or_resume(rapport.book, incident, now=NOW)
    save_step(
        rapport.book,
        plan.id,
        Step.GOALS,
        {"priorities": ["Reports on time", "No surprises"]},
        go_to=Step.GOALS,
        now=NOW,
    )
    w = wizard_for(qtbot, rapport, incident)
    qtbot.waitUntil(w.isActiveWindow)
    ranked = page(w, Step.GOALS).ranked
    shown = [ranked.list.item(i).text() for i in range(ranked.list.count())]
    assert shown == ["1.  Reports on time", "2.  No surprises"]
    ranked.list.setFocus()
    ranked.list.setCurrentRow(1)
    qtbot.keyClick(ranked.list, Qt.Key.Key_F2)
    editor = QApplication.focusWidget()
    assert isinstance(editor, QLineEdit) and editor.text() == "No surprises"  # no rank
    editor.selectAll()
    qtbot.keyClicks(editor, "Hear about problems first")
    qtbot.keyClick(editor, Qt.Key.Key_Tab)  # leaving the editor keeps the edit
    assert ranked.items() == ["Reports on time", "Hear about problems first"]
    assert w.currentId() == Step.GOALS
    ranked.list.setFocus()
    ranked.list.setCurrentRow(1)
    qtbot.keyClick(ranked.list, Qt.Key.Key_Up, Qt.KeyboardModifier.ControlModifier)
    shown = [ranked.list.item(i).text() for i in range(ranked.list.count())]
    assert shown == ["1.  Hear about problems first", "2.  Reports on time"]
    qtbot.keyClick(ranked.list, Qt.Key.Key_Delete)
    assert ranked.items() == ["Reports on time"]
    wait_saved(qtbot, w)
    assert active_plan(rapport.book, incident).answers["priorities"] == ["Reports on time"]


# -- keyboard ------------------------------------------------------------------------------


def mnemonic(text: str) -> str | None:
    found = re.search(r"&([^&])", text.replace("&&", ""))
    return found.group(1).lower() if found else None


@pytest.mark.parametrize("step", list(Step))
def test_every_page_has_distinct_alt_keys(qtbot, rapport: RapportApp, incident: int, step) -> None:
    w = wizard_for(qtbot, rapport, incident)
    p = page(w, step)
    keys = [mnemonic(label.text()) for label in p.findChildren(QLabel) if label.buddy()]
    keys += [mnemonic(b.text()) for b in p.findChildren(type(w.button(NEXT)))]
    keys += [mnemonic(w.buttonText(b)) for b in (NEXT, BACK, FINISH, SKIP, ENDINGS_BUTTON)]
    keys = [k for k in keys if k]
    assert len(keys) == len(set(keys)), sorted(keys)


def test_alt_letters_reach_their_fields(qtbot, rapport: RapportApp, incident: int) -> None:
    plan = start_or_resume(rapport.book, incident, now=NOW)
    w = wizard_for(qtbot, rapport, incident)
    qtbot.waitUntil(w.isActiveWindow)
    alt = Qt.KeyboardModifier.AltModifier
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_O, alt)
    assert QApplication.focusWidget() is page(w, Step.FACTS).texts["our_view"]
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_P, alt)
    assert QApplication.focusWidget() is page(w, Step.FACTS).due_edit
    w._close_now()
    save_step(rapport.book, plan.id, Step.OUR_CHANGE, {}, go_to=Step.OUR_CHANGE, now=NOW)
    w = wizard_for(qtbot, rapport, incident)
    qtbot.waitUntil(w.isActiveWindow)
    commitments = page(w, Step.OUR_CHANGE).commitments
    commitments.add_button.setFocus()
    qtbot.keyClick(commitments.add_button, Qt.Key.Key_W, alt)
    assert QApplication.focusWidget() is commitments.rows[0].text_edit


def focus_walk(qtbot, start: QWidget, stop: QWidget, limit: int = 40) -> list[QWidget]:
    start.setFocus()
    seen = [start]
    for _ in range(limit):
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
        widget = QApplication.focusWidget()
        seen.append(widget)
        if widget is stop:
            return seen
    raise AssertionError(f"Tab never reached {stop!r}: {seen}")


def test_tab_walks_step_1_in_reading_order_to_next(
    qtbot, rapport: RapportApp, incident: int
) -> None:
    w = wizard_for(qtbot, rapport, incident)
    qtbot.waitUntil(w.isActiveWindow)
    p = page(w, Step.FACTS)
    assert QApplication.focusWidget() is p.texts["facts"]
    walk = focus_walk(qtbot, p.texts["facts"], w.button(NEXT))
    order = [
        p.texts["facts"],
        p.texts["client_view"],
        p.texts["our_view"],
        p.due_edit,
        p.texts["reply"],
        p.redraft_button,
        p.copy_button,
    ]
    positions = [walk.index(x) for x in order]
    assert positions == sorted(positions)


def test_tab_walks_commitment_rows_in_order_after_adding_one(
    qtbot, rapport: RapportApp, incident: int
) -> None:
    plan = start_or_resume(rapport.book, incident, now=NOW)
    save_step(rapport.book, plan.id, Step.OUR_REQUEST, {}, go_to=Step.OUR_CHANGE, now=NOW)
    w = wizard_for(qtbot, rapport, incident)
    qtbot.waitUntil(w.isActiveWindow)
    rows = page(w, Step.OUR_CHANGE).commitments
    qtbot.keyClicks(rows.rows[0].text_edit, "Weekly status")
    qtbot.keyClick(rows.rows[0].text_edit, Qt.Key.Key_Return)
    assert QApplication.focusWidget() is rows.rows[1].text_edit
    walk = focus_walk(qtbot, rows.rows[0].text_edit, rows.add_button)
    order = [*rows.rows[0].focus_widgets(), rows.rows[1].text_edit, rows.add_button]
    positions = [walk.index(x) for x in order if x.isEnabled()]
    assert positions == sorted(positions)
