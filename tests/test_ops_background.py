"""Slow writes (finalising an agreement, restoring) run off the GUI thread through
ui/ops.start_op, and still make one announcement, on the GUI thread, per action."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from models.changes import AGREEMENTS, BOOK, CLIENTS, Changes
from models.services.clients import ValidationError, archive_client
from tests.helpers import add_client
from ui.app import RapportApp
from ui.ops import start_op

WAIT_MS = 10_000


def _heard(rapport: RapportApp) -> list[tuple[Changes, object, bool]]:
    """Each announcement, with whether it came on the GUI thread."""
    heard: list[tuple[Changes, object, bool]] = []
    gui = threading.main_thread()

    def note(changes: object, initiator: object) -> None:
        assert isinstance(changes, Changes)
        heard.append((changes, initiator, threading.current_thread() is gui))

    rapport.changed.connect(note)
    return heard


def test_a_slow_write_runs_on_a_worker_and_is_announced_once_on_the_gui_thread(
    qtbot,  # noqa: ANN001
    rapport: RapportApp,
) -> None:
    cid = add_client(rapport, "Ada Byrne", 30, 10)
    heard = _heard(rapport)
    book = rapport.book
    assert book is not None
    ran_on: list[threading.Thread] = []
    results: list[tuple[object, bool]] = []
    settled: list[bool] = []

    def write() -> str:
        ran_on.append(threading.current_thread())
        archive_client(book, cid)
        return "archived"

    op = start_op(
        rapport,
        write,
        changes=CLIENTS,
        initiator="me",
        then=lambda result: results.append((result, heard == [])),
        settled=settled.append,
    )
    assert not op.landed  # nothing lands until the event loop turns
    qtbot.waitUntil(lambda: op.landed, timeout=WAIT_MS)
    assert ran_on and ran_on[0] is not threading.main_thread()
    assert results == [("archived", True)]  # ``then`` ran before the views heard
    assert heard == [(CLIENTS, "me", True)]
    assert settled == [True]
    assert op.ok is True


def test_a_refused_slow_write_is_explained_and_announces_nothing(
    qtbot,  # noqa: ANN001
    rapport: RapportApp,
) -> None:
    heard = _heard(rapport)
    refused: list[dict[str, str]] = []
    said: list[str] = []
    settled: list[bool] = []

    def write() -> None:
        raise ValidationError({"title": "A title is needed."})

    def crash() -> None:
        raise OSError("disk full")

    op = start_op(
        rapport,
        write,
        changes=AGREEMENTS,
        refuse=refused.append,
        then=lambda _r: said.append("then"),
        settled=settled.append,
    )
    qtbot.waitUntil(lambda: op.landed, timeout=WAIT_MS)
    assert refused == [{"title": "A title is needed."}]
    op = start_op(
        rapport,
        crash,
        changes=AGREEMENTS,
        explain=said.append,
        failed="That did not work.",
        settled=settled.append,
    )
    qtbot.waitUntil(lambda: op.landed, timeout=WAIT_MS)
    assert said == ["That did not work."]  # never "then", never the raw OSError
    assert settled == [False, False]
    assert heard == []


def test_a_slow_write_whose_window_closed_still_tells_the_other_views(
    qtbot,  # noqa: ANN001
    rapport: RapportApp,
) -> None:
    cid = add_client(rapport, "Ada Byrne", 30, 10)
    heard = _heard(rapport)
    book = rapport.book
    assert book is not None
    told: list[object] = []
    op = start_op(
        rapport,
        lambda: archive_client(book, cid),
        changes=CLIENTS,
        then=told.append,
        settled=told.append,
    )
    op.forget_caller()
    qtbot.waitUntil(lambda: op.landed, timeout=WAIT_MS)
    assert told == []
    assert [h[0] for h in heard] == [CLIENTS]


def test_a_book_opened_in_place_is_announced_once_whether_or_not_one_was_open(
    qtbot,  # noqa: ANN001
    rapport: RapportApp,
    tmp_path: Path,
) -> None:
    """The damaged-book dialog's "Start an empty book" and a restore both open the
    book through RapportApp.open_in_place: a window showing no book hears of it."""
    heard = _heard(rapport)
    assert rapport.open_in_place(tmp_path / "switched.db").ok  # a switch
    assert [h[0] for h in heard] == [BOOK]

    fresh = RapportApp(config_dir=tmp_path / "config2")
    try:
        heard = _heard(fresh)
        assert fresh.book is None
        assert fresh.open_in_place(tmp_path / "empty.db").ok  # none was open
        assert fresh.book is not None
        assert [h[0] for h in heard] == [BOOK]
    finally:
        fresh.close()


def test_an_automatic_backup_is_told_on_the_gui_thread(qtbot, rapport: RapportApp) -> None:  # noqa: ANN001
    from ui.auto_backup import AutoBackup

    add_client(rapport, "Ada Byrne", 30, 10)
    book = rapport.book
    assert book is not None and book.wait_checked(15)
    auto = AutoBackup(rapport)
    told_on: list[threading.Thread] = []
    auto.finished.connect(lambda _info: told_on.append(threading.current_thread()))
    try:
        with qtbot.waitSignal(auto.finished, timeout=WAIT_MS):
            assert auto.maybe_back_up()
        assert auto.wait(5) and not auto.busy
        assert auto.worker is not None and auto.worker is not threading.main_thread()
        assert told_on == [threading.main_thread()]
    finally:
        auto.stop()


def test_waiting_off_the_gui_thread_keeps_timers_running_and_raises_in_place(qtbot) -> None:  # noqa: ANN001
    """A restore's copy runs on the pool while the caller waits for its answer:
    the GUI thread keeps turning (a timer fires meanwhile), and a failure is raised
    where the caller can catch it, as the RapportError it was."""
    from PySide6.QtCore import QTimer

    from models.errors import RapportError
    from ui.kit.jobs import wait_off_gui_thread

    ticks: list[int] = []
    timer = QTimer()
    timer.setInterval(5)
    timer.timeout.connect(lambda: ticks.append(1))
    timer.start()
    ran_on: list[threading.Thread] = []
    gate = threading.Event()

    def slow() -> int:
        ran_on.append(threading.current_thread())
        gate.wait(0.3)
        return 42

    try:
        assert wait_off_gui_thread(slow) == 42
    finally:
        timer.stop()
    assert ran_on[0] is not threading.main_thread()
    assert len(ticks) >= 3  # the event loop ran while the work did

    def refused() -> None:
        raise RapportError("The backup does not open.")

    with pytest.raises(RapportError, match="The backup does not open."):
        wait_off_gui_thread(refused)
