"""One writer per book, and a crash never leaves a lock that blocks the next start."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from models.lock import BookLock

ROOT = Path(__file__).resolve().parents[1]


def test_second_lock_on_same_book_is_refused(book_path: Path) -> None:
    book_path.parent.mkdir(parents=True)
    first, second = BookLock(book_path), BookLock(book_path)
    assert first.acquire()
    assert not second.acquire()
    assert second.holder_pid() == os.getpid()
    first.release()
    assert second.acquire()
    second.release()


def test_lock_of_a_killed_process_does_not_block(book_path: Path) -> None:
    book_path.parent.mkdir(parents=True)
    child = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time; from pathlib import Path; from models.lock import BookLock;"
            f"l = BookLock(Path({str(book_path)!r})); assert l.acquire();"
            "print('locked', flush=True); time.sleep(60)",
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert child.stdout is not None
        assert child.stdout.readline().strip() == "locked"
        lock = BookLock(book_path)
        assert not lock.acquire()
        assert lock.holder_pid() == child.pid
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=10)
        deadline = time.monotonic() + 5
        while not lock.acquire():
            assert time.monotonic() < deadline, "lock still held after its owner died"
            time.sleep(0.05)
        assert lock.path.exists()  # the file stays behind; it must not matter
        lock.release()
    finally:
        child.kill()
        child.wait()
