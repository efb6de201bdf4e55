"""One Rapport per book, across real processes: hand-over, refusal, and recovery after a crash."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from PySide6.QtCore import QDir
from PySide6.QtNetwork import QLocalServer

from models.lock import BookLock
from ui.app import OpenStatus, RapportApp
from ui.instance import DEFAULT_TIMEOUT_MS, SingleInstance, owner_may_be_opening, server_name

ROOT = Path(__file__).resolve().parents[1]

RUN_GUI = (
    "import sys; from pathlib import Path; from ui.gui import run_gui; "
    "sys.exit(run_gui(Path(sys.argv[1]), config_dir=Path(sys.argv[2])))"
)
HOLD_LOCK = (
    "import sys, time; from pathlib import Path; from models.lock import BookLock; "
    "lock = BookLock(Path(sys.argv[1])); print(lock.acquire(), flush=True); time.sleep(120)"
)


def child_env() -> dict[str, str]:
    return dict(os.environ, QT_QPA_PLATFORM="offscreen")


def start(code: str, *args: object) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", code, *map(str, args)],
        cwd=ROOT,
        env=child_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def stop(proc: subprocess.Popen[str]) -> None:
    if proc.poll() is None:
        proc.kill()
    proc.communicate(timeout=10)


def wait_until(predicate, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("timed out")
        time.sleep(0.05)


def test_server_name_is_per_resolved_book(tmp_path) -> None:
    a = tmp_path / "one" / "rapport.db"
    a.parent.mkdir()
    assert server_name(a) == server_name(tmp_path / "one" / ".." / "one" / "rapport.db")
    assert server_name(a) != server_name(tmp_path / "two" / "rapport.db")
    assert server_name(a).startswith("rapport-") and len(server_name(a)) == len("rapport-") + 16


def test_second_process_hands_over_and_exits_0(qtbot, book_path, tmp_path) -> None:
    rapport = RapportApp(config_dir=tmp_path / "config")
    assert rapport.open(book_path).ok
    try:
        assert rapport.instance is not None and rapport.instance.listening
        # The same book spelled another way is still the same book.
        other_spelling = book_path.parent / ".." / book_path.parent.name / book_path.name
        with qtbot.waitSignal(rapport.activated, timeout=30_000):
            proc = start(RUN_GUI, other_spelling, tmp_path / "config2")
        try:
            assert proc.wait(timeout=20) == 0
        finally:
            stop(proc)
        assert rapport.lock is not None and rapport.lock.held
    finally:
        rapport.close()


def test_single_instance_signals_activation_from_another_process(qtbot, book_path) -> None:
    book_path.parent.mkdir(parents=True)
    lock = BookLock(book_path)
    assert lock.acquire()
    instance = SingleInstance(book_path)
    assert instance.listen()
    code = (
        "import sys; from pathlib import Path; from PySide6.QtCore import QCoreApplication; "
        "from ui.instance import SingleInstance; app = QCoreApplication([]); "
        "sys.exit(0 if SingleInstance.notify_running(Path(sys.argv[1])) else 3)"
    )
    try:
        with qtbot.waitSignal(instance.activated, timeout=30_000):
            proc = start(code, book_path)
        assert proc.wait(timeout=20) == 0
        stop(proc)
    finally:
        instance.close()
        lock.release()


def test_a_start_while_the_owner_is_still_opening_waits_and_hands_over(
    qtbot, book_path, tmp_path
) -> None:
    """The owner holds the lock at once but listens only after its first paint
    (run_gui sets ``listen_later``): a second start in between asks until it answers."""
    rapport = RapportApp(config_dir=tmp_path / "config")
    rapport.listen_later = True
    assert rapport.open(book_path).ok
    try:
        assert rapport.instance is not None and not rapport.instance.listening
        code = (
            "import sys; from pathlib import Path; from PySide6.QtCore import QCoreApplication; "
            "from ui.instance import SingleInstance; app = QCoreApplication([]); "
            "print('asking', flush=True); "
            "sys.exit(0 if SingleInstance.notify_running(Path(sys.argv[1]), 20_000) else 3)"
        )
        proc = start(code, book_path)
        try:
            assert proc.stdout is not None
            assert proc.stdout.readline().strip() == "asking"
            time.sleep(0.5)  # it finds the lock held and no server yet
            assert proc.poll() is None
            with qtbot.waitSignal(rapport.activated, timeout=30_000):
                rapport.listen_now()
            assert proc.wait(timeout=20) == 0
        finally:
            stop(proc)
        assert rapport.instance.listening and not rapport.listen_later
    finally:
        rapport.close()


def test_nobody_listening_means_no_hand_over(qapp, book_path) -> None:
    book_path.parent.mkdir(parents=True)
    assert SingleInstance.notify_running(book_path, timeout_ms=500) is False


@pytest.mark.skipif(os.name != "posix", reason="Unix sockets")
def test_stale_socket_file_from_a_crash_does_not_block(qapp, book_path) -> None:
    book_path.parent.mkdir(parents=True)
    # A socket bound and never unlinked: exactly what a killed owner leaves behind.
    socket_file = Path(QDir.tempPath()) / server_name(book_path)
    stale = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    stale.bind(str(socket_file))
    stale.close()
    assert socket_file.exists()
    probe = QLocalServer()
    assert not probe.listen(server_name(book_path))  # it really is in the way
    instance = SingleInstance(book_path)
    try:
        assert instance.listen()
    finally:
        instance.close()


def test_book_held_by_a_program_that_cannot_hand_over(qapp, book_path, tmp_path) -> None:
    book_path.parent.mkdir(parents=True)
    holder = start(HOLD_LOCK, book_path)
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline().strip() == "True"
        rapport = RapportApp(config_dir=tmp_path / "config")
        outcome = rapport.open(book_path)
        assert outcome.status is OpenStatus.FAILED
        assert outcome.message == f"This book is open in another program (process {holder.pid})."
        assert rapport.book is None
        rapport.close()
    finally:
        stop(holder)


def test_a_lock_left_by_a_killed_process_does_not_block(book_path) -> None:
    book_path.parent.mkdir(parents=True)
    holder = start(HOLD_LOCK, book_path)
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline().strip() == "True"
        assert not BookLock(book_path).acquire()  # really held while it lives
        os.kill(holder.pid, signal.SIGKILL)
        holder.wait(timeout=10)
    finally:
        stop(holder)
    assert BookLock(book_path).path.exists()  # the file stays; the lock does not
    lock = BookLock(book_path)
    assert lock.acquire()
    lock.release()


@pytest.mark.skipif(os.name != "posix", reason="Unix sockets and SIGKILL")
def test_real_gui_owns_the_book_and_a_crash_frees_it(qapp, book_path, tmp_path) -> None:
    """run_gui as the first instance: it holds the book and answers; killed, it blocks nothing."""
    book_path.parent.mkdir(parents=True)
    first = start(RUN_GUI, book_path, tmp_path / "config")
    try:
        wait_until(
            lambda: (
                first.poll() is not None or SingleInstance.notify_running(book_path, timeout_ms=500)
            )
        )
        assert first.poll() is None, first.communicate()
        assert not BookLock(book_path).acquire()
        os.kill(first.pid, signal.SIGKILL)
        first.wait(timeout=10)
    finally:
        stop(first)

    # After the crash the lock is free and the stale socket does not stop a new owner.
    rapport = RapportApp(config_dir=tmp_path / "config")
    try:
        assert rapport.open(book_path).ok
        assert rapport.instance is not None and rapport.instance.listening
    finally:
        rapport.close()


def test_a_holder_silent_since_long_ago_is_refused_without_waiting(
    qapp, book_path, tmp_path
) -> None:
    """The command line took the lock a minute ago and never answers: a window is
    told at once, instead of asking again until the timeout as it does while the
    holder may be a window still opening (its lock taken moments ago)."""
    book_path.parent.mkdir(parents=True)
    holder = start(HOLD_LOCK, book_path)
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline().strip() == "True"
        lock = BookLock(book_path)
        assert owner_may_be_opening(lock)  # just taken
        long_ago = time.time() - 60
        os.utime(lock.path, (long_ago, long_ago), follow_symlinks=False)
        assert not owner_may_be_opening(lock)
        rapport = RapportApp(config_dir=tmp_path / "config")
        began = time.monotonic()
        outcome = rapport.open(book_path)
        waited = time.monotonic() - began
        assert outcome.status is OpenStatus.FAILED
        assert outcome.message == f"This book is open in another program (process {holder.pid})."
        assert waited < DEFAULT_TIMEOUT_MS / 1000 - 0.5, f"waited {waited:.2f} s for nobody"
        rapport.close()
    finally:
        stop(holder)
