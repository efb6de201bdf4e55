"""Crash safety of the repair wizard: a real Rapport process typing through the
wizard is killed (SIGKILL, no chance to clean up) on step 6, and the wizard opened
anew on the same book is back on step 6 with every earlier answer."""

from __future__ import annotations

import os
import selectors
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPlainTextEdit, QWizard

from models.db import open_book
from models.entities import IncidentCategory, Severity
from models.repair import Step
from models.services.clients import ClientInput, create_client
from models.services.incident_evidence import attach_file, list_evidence
from models.services.incidents import IncidentInput, open_incident
from models.services.repair import active_plan
from tests.repair_child import ANSWERS, RANKED, READY
from ui.app import RapportApp
from ui.repair_wizard import open_repair_wizard

ROOT = Path(__file__).resolve().parents[1]
READY_TIMEOUT_S = 90


def wait_for_line(proc: subprocess.Popen[str], wanted: str, timeout: float) -> list[str]:
    """Lines the child printed, up to and including ``wanted``."""
    assert proc.stdout is not None
    seen: list[str] = []
    sel = selectors.DefaultSelector()
    sel.register(proc.stdout, selectors.EVENT_READ)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not sel.select(timeout=0.5):
            if proc.poll() is not None:
                break
            continue
        line = proc.stdout.readline()
        if not line:
            break
        seen.append(line.rstrip("\n"))
        if seen[-1] == wanted:
            return seen
    stderr = proc.stderr.read() if proc.stderr and proc.poll() is not None else ""
    raise AssertionError(f"child never said {wanted!r}; stdout {seen}, stderr {stderr}")


@pytest.mark.skipif(os.name != "posix", reason="SIGKILL is a POSIX signal")
def test_killed_on_step_6_resumes_on_step_6_with_everything_typed(qtbot, tmp_path: Path) -> None:
    book_path = tmp_path / "book" / "rapport.db"
    book = open_book(book_path)
    cid = create_client(book, ClientInput(name="Ada Byrne"))
    iid = open_incident(
        book,
        cid,
        IncidentInput("Monthly report sent late", IncidentCategory.COMMUNICATION, Severity.HIGH),
    )
    evidence = tmp_path / "march.pdf"
    evidence.write_bytes(b"%PDF-1.4 march")
    attach_file(book, iid, evidence)
    file_id = list_evidence(book, iid)[0].id
    book.close()

    child = subprocess.Popen(
        [
            sys.executable,
            str(ROOT / "tests" / "repair_child.py"),
            str(book_path),
            str(tmp_path / "child-config"),
            str(iid),
        ],
        cwd=ROOT,
        env=dict(os.environ, QT_QPA_PLATFORM="offscreen"),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        wait_for_line(child, READY, READY_TIMEOUT_S)
        os.kill(child.pid, signal.SIGKILL)
        assert child.wait(timeout=30) == -signal.SIGKILL
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
        for stream in (child.stdout, child.stderr):
            if stream is not None:
                stream.close()

    rapport = RapportApp(config_dir=tmp_path / "config")
    assert rapport.open(book_path).ok  # the dead child's lock went with it
    try:
        plan = active_plan(rapport.book, iid)
        assert plan is not None and plan.current_step is Step.GOALS
        w = open_repair_wizard(rapport, iid)
        assert w is not None
        qtbot.waitExposed(w)
        assert w.currentId() == Step.GOALS
        assert w.visitedIds() == [1, 2, 3, 4, 5, 6]  # Back works as if never closed
        for step in (
            Step.FACTS,
            Step.EVIDENCE,
            Step.BOTH_SIDES,
            Step.APOLOGY,
            Step.STATE,
            Step.GOALS,
        ):
            for name, widget in w.pages[step].texts.items():
                if name in ANSWERS:
                    shown = (
                        widget.toPlainText()
                        if isinstance(widget, QPlainTextEdit)
                        else widget.text()
                    )
                    assert shown == ANSWERS[name], (step, name)
        assert w.pages[Step.EVIDENCE].files.checked_ids() == [file_id]
        assert w.pages[Step.GOALS].ranked.items() == RANKED
        assert all(w.side.state_of(s) == "done" for s in Step if s < Step.GOALS)
        assert w.side.state_of(Step.GOALS) == "current"

        qtbot.mouseClick(w.button(QWizard.WizardButton.BackButton), Qt.MouseButton.LeftButton)
        assert w.currentId() == Step.STATE
        qtbot.mouseClick(w.button(QWizard.WizardButton.NextButton), Qt.MouseButton.LeftButton)
        assert w.currentId() == Step.GOALS
        w._close_now()
    finally:
        rapport.close()
