"""One writer per book, across processes.

An OS-level advisory lock (flock) is released by the kernel when its process dies,
so a crash can never leave a stale lock that blocks the next start.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import IO


class BookLock:
    def __init__(self, book_path: Path) -> None:
        self.path = Path(str(book_path) + ".lock")
        self._fh: IO[str] | None = None

    def acquire(self) -> bool:
        """Take the lock without waiting; False when another process holds it."""
        if self._fh is not None:
            return True
        fh = open(self.path, "a+", encoding="utf-8")  # noqa: SIM115 - held until release()
        if os.name == "posix":
            os.chmod(self.path, 0o600)
        try:
            _lock(fh)
        except OSError:
            fh.close()
            return False
        fh.seek(0)
        fh.truncate()
        fh.write(f"{os.getpid()}\n")
        fh.flush()
        self._fh = fh
        return True

    def holder_pid(self) -> int | None:
        try:
            return int(self.path.read_text(encoding="utf-8").strip() or 0) or None
        except (OSError, ValueError):
            return None

    def release(self) -> None:
        if self._fh is None:
            return
        _unlock(self._fh)
        self._fh.close()
        self._fh = None

    @property
    def held(self) -> bool:
        return self._fh is not None


if os.name == "posix":
    import fcntl

    def _lock(fh: IO[str]) -> None:
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)

    def _unlock(fh: IO[str]) -> None:
        fcntl.flock(fh.fileno(), fcntl.LOCK_UN)

else:  # pragma: no cover - Windows
    import msvcrt

    def _lock(fh: IO[str]) -> None:
        fh.seek(0)
        msvcrt.locking(fh.fileno(), msvcrt.LK_NBLCK, 1)

    def _unlock(fh: IO[str]) -> None:
        fh.seek(0)
        msvcrt.locking(fh.fileno(), msvcrt.LK_UNLCK, 1)
