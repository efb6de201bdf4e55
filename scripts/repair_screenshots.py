"""Regenerate docs/repair-step1.png, docs/repair-step6.png and docs/repair-step10.png:
the repair wizard on the demo book, on a real X server.

Run through `./dev shot` (which wraps it in xvfb-run). Everything happens in a
throw-away data folder, so the user's own book and settings are never touched. The
answers are a plausible repair of the demo's "wrong routes" incident, saved as the
wizard itself saves them; the wizard then opens on them like any resumed plan.
"""

from __future__ import annotations

import os
import sys
import tempfile
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

INCIDENT = "Wrong routes in the delivery report: he wants the costs covered"


def answers(today: date) -> dict[int, dict[str, object]]:
    """What each step holds, dated from ``today`` so the pictures never look stale."""

    def days(n: int) -> str:
        return (today + timedelta(days=n)).isoformat()

    return {
        1: {
            "facts": (
                "Release 2.3 of the route report went out on 2 March. For two weeks it sent "
                "three trucks the long way round. Rafael's dispatchers noticed on the 9th and "
                "told me on the 16th."
            ),
        },
        2: {"figures": "14 hours on release 2.3; 212 routes planned, 31 of them too long"},
        4: {},
        5: {
            "project_state": "Release 2.4 fixes the filter; it is on the test server.",
            "done_so_far": "Six releases since September, this is the first wrong total.",
            "choices": "Region filter moved into the report to make it faster.",
            "client_choices": "The odd routes were seen a week before anyone told me.",
        },
        6: {
            "why_hired": "To plan routes his dispatchers do not have to check by hand.",
            "priorities": [
                "Routes the drivers can trust without checking",
                "Hear about problems from me first",
                "Costs explained in writing",
                "Faster reports",
            ],
        },
        7: {
            "ours": [
                {"text": "Compare old and new totals before every release", "due_on": None},
                {"text": "A one-page note after each release", "due_on": None},
                {"text": "Pay the extra fuel for the two weeks", "due_on": days(7)},
            ]
        },
        8: {
            "theirs": [
                {"text": "Tell me the same day when a route looks wrong", "due_on": None},
                {"text": "Send the overtime sheets", "due_on": days(4)},
            ]
        },
        10: {
            "points": ["Release 2.4 goes live after Rafael's team has checked one week of routes"],
            "notes": "A change nobody compared, and a week of silence on both sides.",
        },
    }


def main(out_dir: Path) -> int:
    scratch = Path(tempfile.mkdtemp(prefix="rapport-repair-shot-"))
    os.environ["XDG_DATA_HOME"] = str(scratch / "data")
    os.environ["XDG_CONFIG_HOME"] = str(scratch / "config")
    if not os.environ.get("DISPLAY"):
        print(
            "repair_screenshots.py needs an X display; run it through ./dev shot", file=sys.stderr
        )
        return 1

    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from exports.pdf import bind_renderers
    from models.repair import Step
    from models.services.incidents import list_incidents
    from models.services.repair import save_step, start_or_resume
    from ui.app import RapportApp, ensure_application
    from ui.repair_wizard import RepairWizard, open_repair_wizard

    bind_renderers()  # the demo book finalises agreements, as the GUI's start-up would
    app: QApplication = ensure_application()
    rapport = RapportApp(config_dir=scratch / "config")
    outcome = rapport.open_demo()
    if not outcome.ok or rapport.book is None:
        print(f"could not open the demo book: {outcome}", file=sys.stderr)
        return 1
    book = rapport.book
    incident = next(r for r in list_incidents(book) if r.title == INCIDENT)
    plan = start_or_resume(book, incident.id)
    for n, values in answers(rapport.today()).items():
        save_step(book, plan.id, Step(n), values, go_to=Step(min(n + 1, 10)), mark_done=n < 10)
    for n in range(1, 10):  # every step walked through, none skipped
        save_step(book, plan.id, Step(n), {}, mark_done=True)

    wizard = open_repair_wizard(rapport, incident.id)
    assert isinstance(wizard, RepairWizard)
    wizard.move(40, 30)
    shots = [(Step.IN_WRITING, "repair-step10.png"), (Step.GOALS, "repair-step6.png")]
    shots.append((Step.FACTS, "repair-step1.png"))

    def shoot() -> None:
        if not shots:
            wizard._close_now()
            rapport.close()
            app.exit(0)
            return
        step, name = shots.pop(0)
        while wizard.currentId() > step:
            wizard.back()
        if step is Step.GOALS:
            wizard.pages[Step.GOALS].ranked.list.setCurrentRow(1)  # type: ignore[attr-defined]
        if step is Step.IN_WRITING:  # the end of the summary: both sides' commitments
            bar = wizard.pages[Step.IN_WRITING].preview.verticalScrollBar()  # type: ignore[attr-defined]
            bar.setValue(bar.maximum())
        QTimer.singleShot(500, lambda: grab(name))

    def grab(name: str) -> None:
        geo = wizard.frameGeometry()
        shot = wizard.screen().grabWindow(0, geo.x(), geo.y(), geo.width(), geo.height())
        out = out_dir / name
        out.parent.mkdir(parents=True, exist_ok=True)
        if not shot.save(str(out)):
            print(f"could not write {out}", file=sys.stderr)
            app.exit(1)
            return
        print(f"wrote {out} ({shot.width()}x{shot.height()})")
        shoot()

    QTimer.singleShot(800, shoot)
    return app.exec()


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "docs"))
