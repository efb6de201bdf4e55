"""A writer to kill: commits through the app's own Book and services, forever.

Run as a small server so a test can kill a hundred writers in seconds: it imports
the app once, then for each command on stdin forks a fresh writer process and prints
its pid. The writer opens the book with ``open_book`` (the same checks the app
runs), commits, and prints a line only once a commit has returned:

    batches BOOK START        -> "committed N" per batch of BATCH clients (one session)
    evidence BOOK INCIDENT DIR START
                              -> "attached N SHA" per attach_file of a fresh file
    reap PID                  -> waits for that writer; prints "reaped PID SIGNAL"

The test SIGKILLs the writer at a random moment, then checks the book. Lines are
short single writes, so the writer's and the server's lines never interleave.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import random
import signal
import subprocess
import sys
import traceback
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from models.db import open_book  # noqa: E402
from models.entities import Client  # noqa: E402
from models.services.incident_evidence import attach_file  # noqa: E402

BATCH = 5


def say(line: str) -> None:
    os.write(1, (line + "\n").encode())


def write_batches(book_path: Path, start: int) -> None:
    book = open_book(book_path)
    n = start
    while True:
        with book.session() as s:
            for i in range(BATCH):
                s.add(Client(name=f"crash {n}.{i}", search_text=f"crash {n}"))
        say(f"committed {n}")
        n += 1


def write_evidence(book_path: Path, incident_id: int, folder: Path, start: int) -> None:
    book = open_book(book_path)
    rng = random.Random(os.getpid())
    n = start
    while True:
        data = f"evidence {n}\n".encode() + rng.randbytes(rng.randrange(1, 16_384))
        source = folder / f"e{n}.bin"
        source.write_bytes(data)
        attach_file(book, incident_id, source)
        say(f"attached {n} {hashlib.sha256(data).hexdigest()}")
        n += 1


def run_writer(words: list[str]) -> None:
    try:
        if words[0] == "batches":
            write_batches(Path(words[1]), int(words[2]))
        elif words[0] == "evidence":
            write_evidence(Path(words[1]), int(words[2]), Path(words[3]), int(words[4]))
    except BaseException:
        say("error " + traceback.format_exc().replace("\n", " | "))
        os._exit(3)
    os._exit(0)


def main() -> None:
    for raw in sys.stdin:
        words = raw.split()
        if not words:
            continue
        if words[0] == "reap":
            pid = int(words[1])
            _, status = os.waitpid(pid, 0)
            signal = os.WTERMSIG(status) if os.WIFSIGNALED(status) else 0
            say(f"reaped {pid} {signal}")
            continue
        pid = os.fork()
        if pid == 0:
            run_writer(words)
        say(f"pid {pid}")


if __name__ == "__main__":
    main()


class WriterServer:
    """The test's side of this file: start writers, kill them, collect what they said."""

    def __init__(self) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, str(Path(__file__).resolve())],
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            bufsize=1,
        )

    def _send(self, *words: object) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(" ".join(str(w) for w in words) + "\n")
        self.proc.stdin.flush()

    def _line(self) -> str:
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError(f"the writer server stopped (exit {self.proc.poll()})")
        return line.rstrip("\n")

    def start(self, *words: object) -> int:
        self._send(*words)
        line = self._line()
        assert line.startswith("pid "), line
        return int(line.split()[1])

    def first_line(self) -> str:
        """Wait for the running writer's first line (its first commit, or its error)."""
        return self._line()

    def kill(self, pid: int, seen: list[str] | None = None) -> tuple[list[str], int]:
        """SIGKILL writer ``pid`` (if it still runs) and return its lines (after ``seen``,
        those already read) and the signal that ended it (0 if it exited by itself,
        which a writer never should)."""
        # If it already died, "reap" below says how.
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
        self._send("reap", pid)
        lines: list[str] = list(seen or [])
        while True:
            line = self._line()
            if line.startswith(f"reaped {pid} "):
                return lines, int(line.split()[2])
            lines.append(line)

    def close(self) -> None:
        if self.proc.stdin is not None:
            self.proc.stdin.close()
        self.proc.wait(timeout=30)
