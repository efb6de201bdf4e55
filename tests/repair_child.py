"""A real Rapport process for the crash test (tests/test_repair_resume.py).

    python tests/repair_child.py BOOK CONFIG_DIR INCIDENT_ID

Opens BOOK the way the app does (RapportApp, the main window, the incident's
window), presses "Start repair", types the answers in ANSWERS into the real pages
step by step, and waits on step 6 until autosave has put the last keystrokes in the
book. Then it prints READY and idles until it is killed (the test sends SIGKILL).
Nothing here calls a save function: what survives is what the wizard saved itself.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

READY = "READY on step 6"
STEP_TIMEOUT_MS = 10_000

# Typed into the pages, in order; the test compares the resumed wizard against these.
ANSWERS: dict[str, str] = {
    "facts": "Report due 3 March, sent 10 March.\nNo warning was given.",
    "client_view": "She heard about the delay from her own board.",
    "our_view": "The export failed and I waited for a fix.",
    "reply": "Ada, I hear you. A full answer follows by Thursday.",
    "figures": "38 hours in March; 4 of 5 reports on time",
    "our_mistakes": "Kept quiet about the failed export",
    "client_contribution": "Data arrived four days late",
    "apology": "I am sorry I kept the delay from you.",
    "project_state": "April report on track",
    "done_so_far": "Twelve reports since June",
    "choices": "Moved to the new export for speed",
    "client_choices": "Late data pushed every date",
    "why_hired": "A board pack she can trust",
}
PRIORITIES = ["Reports on time", "No surprises", "Short answers"]
# After Ctrl+Up on the second row:
RANKED = ["No surprises", "Reports on time", "Short answers"]


def main(book_path: Path, config_dir: Path, incident_id: int) -> int:
    from PySide6.QtCore import Qt, QTimer
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QPlainTextEdit, QWidget, QWizard

    from models.repair import Step
    from models.services.repair import get_plan
    from ui.app import RapportApp, ensure_application
    from ui.main.window import MainWindow
    from ui.repair_wizard import RepairWizard, open_wizards

    app = ensure_application()
    rapport = RapportApp(config_dir=config_dir)
    outcome = rapport.open(book_path)
    if not outcome.ok:
        print(f"could not open the book: {outcome.message}", file=sys.stderr)
        return 2
    window = MainWindow(rapport)
    window.show()
    incident_window = window.open_incident_window(incident_id)
    assert incident_window is not None
    QTest.mouseClick(incident_window.repair_button, Qt.MouseButton.LeftButton)
    wizard: RepairWizard = open_wizards(rapport)[incident_id]
    if not QTest.qWaitForWindowActive(wizard, STEP_TIMEOUT_MS):
        print("the wizard never became the active window", file=sys.stderr)
        return 4

    def type_into(widget: QWidget, text: str) -> None:
        if isinstance(widget, QPlainTextEdit):
            widget.clear()
        for i, line in enumerate(text.split("\n")):
            if i:
                QTest.keyClick(widget, Qt.Key.Key_Return)
            QTest.keyClicks(widget, line)

    def fill(step: Step) -> None:
        for name, widget in wizard.pages[step].texts.items():
            if name in ANSWERS:
                type_into(widget, ANSWERS[name])

    def next_page(expected: Step) -> None:
        QTest.mouseClick(wizard.button(QWizard.WizardButton.NextButton), Qt.MouseButton.LeftButton)
        if wizard.currentId() != expected:
            raise SystemExit(f"stuck on step {wizard.currentId()}, expected {int(expected)}")

    fill(Step.FACTS)
    next_page(Step.EVIDENCE)
    files = wizard.pages[Step.EVIDENCE].files
    files.setFocus()
    files.setCurrentRow(0)
    QTest.keyClick(files, Qt.Key.Key_Space)
    fill(Step.EVIDENCE)
    for step in (Step.BOTH_SIDES, Step.APOLOGY, Step.STATE, Step.GOALS):
        next_page(step)
        fill(step)
    ranked = wizard.pages[Step.GOALS].ranked
    for priority in PRIORITIES:
        QTest.keyClicks(ranked.new_edit, priority)
        QTest.keyClick(ranked.new_edit, Qt.Key.Key_Return)
    ranked.list.setFocus()
    ranked.list.setCurrentRow(1)
    QTest.keyClick(ranked.list, Qt.Key.Key_Up, Qt.KeyboardModifier.ControlModifier)

    # The last keystrokes are saved by the debounce timer, not by us.
    deadline = time.monotonic() + STEP_TIMEOUT_MS / 1000
    while wizard.pending and time.monotonic() < deadline:
        QTest.qWait(50)
    plan = get_plan(rapport.book, wizard.view.id)
    if plan.answers.get("priorities") != RANKED or plan.current_step is not Step.GOALS:
        print(f"autosave did not land: {plan.answers.get('priorities')}", file=sys.stderr)
        return 3
    print(READY, flush=True)
    QTimer.singleShot(120_000, app.quit)  # never outlive a test that forgot us
    return app.exec()


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3])))
