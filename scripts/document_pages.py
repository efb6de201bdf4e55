"""Regenerate docs/documents/*.png: every page of each document a consultant sends
(agreement, hand-over brief, notice to insurer, closing summary) and of the client
summary, as printed from the demo book and rendered by pdftoppm at 50 dpi.

Usage: python scripts/document_pages.py [OUT_DIR]. Needs pdftoppm (poppler-utils).
Everything happens in a throw-away folder; the PDFs are left there and its path is
printed. The repair is the demo's "wrong routes" incident, answered as in
scripts/shot_answers.py, ended each way in turn (the plan is started again
after each ending; parting ways comes last, since it closes the incident).
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
import tempfile
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

ENDING_WORDS = {
    11: {
        "successor": "Lena Fischer",
        "successor_contact": "lena@fischer-routing.example",
        "access_notes": "Admin login for the route planner is in the shared vault; the "
        "report code is in the client's own repository.",
    },
    12: {
        "insurer_name": "Hiscox",
        "insurer_policy": "PI-2291-77",
        "insurer_contact": "claims@hiscox.example",
    },
    13: {
        "we_owe": "The release 2.4 notes and the two weeks' fuel costs.",
        "they_owe": "Invoice 42 for March.",
        "closing_message": "Thank you for the two years of work together. Everything you "
        "need to carry on is in the hand-over folder.",
    },
}


def _answers() -> object:
    spec = importlib.util.spec_from_file_location(
        "shot_answers", ROOT / "scripts" / "shot_answers.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.answers


def main(out_dir: Path) -> int:
    scratch = Path(tempfile.mkdtemp(prefix="rapport-documents-"))
    os.environ["XDG_DATA_HOME"] = str(scratch / "data")
    os.environ["XDG_CONFIG_HOME"] = str(scratch / "config")

    from exports.pdf import bind_renderers
    from models.db import open_book
    from models.demo import fill_demo
    from models.repair import Step
    from models.services import printing
    from models.services.agreement_documents import pdf_renderer
    from models.services.agreements import finalise
    from models.services.clients import local_date
    from models.services.incidents import list_incidents
    from models.services.repair import (
        finish_other,
        finish_with_agreement,
        save_step,
        start_or_resume,
    )

    bind_renderers()
    answers = _answers()
    now = datetime.now().astimezone().replace(microsecond=0)
    book = open_book(scratch / "demo.db")
    fill_demo(book, now=now)
    incident = next(r for r in list_incidents(book, now=now) if r.title.startswith("Wrong routes"))
    today = local_date(now)
    made: dict[str, bytes] = {}
    for i, (ending, name) in enumerate(
        (
            (Step.HAND_OVER, "handover"),
            (Step.INSURER, "insurer"),
            (Step.IN_WRITING, "agreement"),
            (Step.PART_WAYS, "closing"),
        )
    ):
        when = now + timedelta(minutes=i)
        plan = start_or_resume(book, incident.id, now=when)
        for n, values in answers(today).items():  # type: ignore[operator]
            save_step(book, plan.id, Step(n), values, mark_done=True, now=when)
        if ending is Step.IN_WRITING:
            agreement_id = finish_with_agreement(book, plan.id, now=when)
            finalise(book, agreement_id, pdf_renderer(book), now=when)
        else:
            save_step(book, plan.id, ending, ENDING_WORDS[int(ending)], now=when)
            finish_other(book, plan.id, ending, now=when)
        made[name] = printing.repair_job(book, plan.id)()
    made["client-summary"] = printing.summary_job(book, incident.client_id, today)()
    book.close()

    out_dir.mkdir(parents=True, exist_ok=True)
    for old in out_dir.glob("*-p*.png"):
        old.unlink()
    for name, data in made.items():
        pdf = scratch / f"{name}.pdf"
        pdf.write_bytes(data)
        subprocess.run(["pdftoppm", "-r", "50", "-png", str(pdf), str(out_dir / name)], check=True)
        for page in sorted(out_dir.glob(f"{name}-*.png")):
            number = int(page.stem.rsplit("-", 1)[1])
            page.rename(out_dir / f"{name}-p{number}.png")
        print(f"{name}: {pdf} ({len(data) // 1024} KB)")
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "docs" / "documents"))
