"""One writer per book, across processes.

An OS-level advisory lock (flock) is released by the kernel when its process dies,
so a crash can never leave a stale lock that blocks the next start.

The lock file sits beside the book in a folder someone else may be able to write
to (a shared drive, a synced folder). If BOOK.lock were a symlink, opening it to
write our pid would truncate whatever it points at, and two paths to one book
would take two different locks. So the book's path is made canonical first
(symlinks resolved, like the GUI does), and the lock file itself is opened with
O_NOFOLLOW: a symlink there is refused, its target never touched.
"""

from __future__ import annotations

import errno
import os
import stat
import time
from pathlib import Path

from models.errors import RapportError

_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_CLOEXEC = getattr(os, "O_CLOEXEC", 0)
# The pid and a newline: anything longer in a lock file is not ours.
_MAX_PID_TEXT = 32


class LockFileError(RapportError, OSError):
    """The lock file is not a plain file of ours (a symlink, a folder, a pipe).

    It is an OSError too, so callers that already explain an OSError opening a
    book (the GUI) show its sentence instead of crashing."""

    def __init__(self, message: str) -> None:
        super().__init__(errno.ELOOP, message)

    def __str__(self) -> str:
        return str(self.strerror)


def lock_path_for(book_path: Path) -> Path:
    """BOOK.lock beside the real book: the same lock whichever path named the book."""
    real = Path(book_path).expanduser().resolve()
    return real.with_name(real.name + ".lock")


class BookLock:
    def __init__(self, book_path: Path) -> None:
        self.path = lock_path_for(book_path)
        self._fd: int | None = None

    def acquire(self) -> bool:
        """Take the lock without waiting; False when another process holds it.

        Raises LockFileError when the lock path is a symlink or not a regular file."""
        if self._fd is not None:
            return True
        fd = self._open()
        try:
            _lock(fd)
        except OSError:
            os.close(fd)
            return False
        try:
            os.ftruncate(fd, 0)
            os.lseek(fd, 0, os.SEEK_SET)
            os.write(fd, f"{os.getpid()}\n".encode())
        except OSError:
            _unlock(fd)
            os.close(fd)
            raise
        self._fd = fd
        return True

    def _open(self) -> int:
        if self.path.is_symlink():
            raise self._refusal("a symbolic link")
        try:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT | _NOFOLLOW | _CLOEXEC, 0o600)
        except OSError as exc:
            if exc.errno == errno.ELOOP:
                raise self._refusal("a symbolic link") from None
            if exc.errno == errno.EISDIR:
                raise self._refusal("a folder") from None
            raise
        try:
            info = os.fstat(fd)
            if not stat.S_ISREG(info.st_mode):
                raise self._refusal("not a regular file")
            if os.name == "posix":
                os.fchmod(fd, 0o600)
        except BaseException:
            os.close(fd)
            raise
        return fd

    def _refusal(self, what: str) -> LockFileError:
        return LockFileError(
            f"The lock file {self.path} is {what}; Rapport will not use it. "
            "Remove it (nothing else is lost), then try again."
        )

    def holder_pid(self) -> int | None:
        """The pid written by the holder, read without following a symlink."""
        try:
            fd = os.open(self.path, os.O_RDONLY | _NOFOLLOW | _CLOEXEC)
        except OSError:
            return None
        try:
            if not stat.S_ISREG(os.fstat(fd).st_mode):
                return None
            text = os.read(fd, _MAX_PID_TEXT).decode("ascii", "replace").strip()
            return int(text or 0) or None
        except (OSError, ValueError):
            return None
        finally:
            os.close(fd)

    def taken_seconds_ago(self) -> float | None:
        """How long ago the holder took the lock (it writes its pid then), read
        without following a symlink; None when there is no lock file to read.

        A Rapport window answers a later start only after its first paint, so a
        holder that took the lock moments ago may still be about to answer, and one
        that took it long ago and is silent never will (the command line)."""
        try:
            st = os.stat(self.path, follow_symlinks=False)
        except OSError:
            return None
        return max(0.0, time.time() - st.st_mtime)

    def release(self) -> None:
        if self._fd is None:
            return
        _unlock(self._fd)
        os.close(self._fd)
        self._fd = None

    @property
    def held(self) -> bool:
        return self._fd is not None


if os.name == "posix":
    import fcntl

    def _lock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)

    def _unlock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_UN)

else:  # pragma: no cover - Windows
    import msvcrt

    def _lock(fd: int) -> None:
        os.lseek(fd, 0, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)

    def _unlock(fd: int) -> None:
        os.lseek(fd, 0, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)
