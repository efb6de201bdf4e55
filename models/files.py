"""Writing a file whole or not at all (DESIGN.md, "Data safety rules").

Every file the app writes outside the database (exports, calendars, the login
autostart entry) goes through ``write_atomic``, so the crash-safety rule lives in
one place. The database has its own copy path (``models.backups.take_backup``), because
a live SQLite book may only be copied through SQLite's backup API.
"""

from __future__ import annotations

import os
import re
import tempfile
import time
from collections.abc import Iterable
from pathlib import Path

# A temp file this old is left over from a crash, whoever wrote it: no write of ours
# takes an hour. A younger one is a leftover only if its writer is known to be gone.
STALE_TEMP_SECONDS = 3600
# Every temp file carries its writer's pid (``.NAME.~PID.RANDOM.part``), so the next
# start can tell a killed writer's leftover from a file another process is writing.
_TEMP_PID = re.compile(r"\.~(\d{1,10})\.")


def temp_prefix(name: str) -> str:
    """The prefix of a temp file written for ``name`` by this process (mkstemp's)."""
    return f".{name}.~{os.getpid()}."


def _pid_alive(pid: int) -> bool:
    if pid == os.getpid():
        return True  # ours: the caller may still be writing it
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError, OSError):
        return True  # someone's: not ours to judge
    return True


def is_leftover(path: Path, *, now: float | None = None) -> bool:
    """True for a temp file no live process is writing: its writer's pid is gone, or
    (a name without a pid, from an older Rapport, or a pid that was reused) it is
    older than any write takes. A symlink is judged by itself, never followed."""
    match = _TEMP_PID.search(path.name)
    if match is not None and not _pid_alive(int(match.group(1))):
        return True
    try:
        mtime = path.lstat().st_mtime
    except OSError:
        return False
    return mtime < (time.time() if now is None else now) - STALE_TEMP_SECONDS


def clear_leftover_temps(paths: Iterable[Path]) -> list[Path]:
    """Remove those of ``paths`` that are leftovers (``is_leftover``); returns them.
    A file that cannot be removed is left for the next time."""
    gone: list[Path] = []
    for path in paths:
        try:
            if is_leftover(path) and not path.is_dir():
                path.unlink()
                gone.append(path)
        except OSError:
            pass
    return gone


# The folders this process writes temp files in, noted once each (``note_temp_folder``).
_NOTED: set[tuple[int, str]] = set()
WRITING = "writing"  # the folder of notes, in the user's state folder


def note_temp_folder(folder: Path) -> None:
    """Note, before the first temp file goes there, that this process writes temp
    files in ``folder``: an export's folder is anywhere the user chose, and only a note
    lets the next start find what a killed export left there (``clear_noted_temps``).
    One small file per process and folder, in the user's private state folder; a note
    that cannot be written costs only that sweep (the next export to the same file
    still clears its own)."""
    key = (os.getpid(), os.fsdecode(folder))
    if key in _NOTED:
        return
    try:
        from models.paths import ensure_private_dir, state_dir

        notes = ensure_private_dir(state_dir() / WRITING)
        where = os.fsencode(Path(folder).resolve())
        import hashlib  # here: OpenSSL loads with it, and start-up never writes

        digest = hashlib.sha256(where).hexdigest()[:16]
        note = notes / f"{os.getpid()}.{digest}"
        fd = os.open(note, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(where)
    except OSError:
        return
    _NOTED.add(key)


def clear_noted_temps() -> list[Path]:
    """Remove the temp files of writers that are gone from the folders they noted;
    returns what went. Only names of our own temp files (``.NAME.~PID.*.part``) with
    the dead writer's own pid are touched; a note of a live process stays, and a note
    is removed once its writer is gone and its folder swept. Never raises."""
    gone: list[Path] = []
    try:
        from models.paths import state_dir

        notes = state_dir() / WRITING
        entries = list(notes.iterdir()) if notes.is_dir() else []
    except OSError:
        return gone
    for note in entries:
        pid_text, _, _ = note.name.partition(".")
        if not pid_text.isdigit() or _pid_alive(int(pid_text)):
            continue
        try:
            if note.is_symlink() or not note.is_file():
                continue
            folder = Path(os.fsdecode(note.read_bytes()[:4096]))
            if folder.is_absolute() and folder.is_dir():
                pattern = f".*.~{int(pid_text)}.*.part"
                gone += clear_leftover_temps(p for p in folder.glob(pattern) if p.is_file())
            note.unlink()
        except OSError:
            continue
    return gone


def write_atomic(path: Path, data: bytes, *, mode: int = 0o600) -> None:
    """Replace ``path`` with ``data`` whole, with permissions ``mode``.

    A crash or a full disk must leave either the old file or the new one, never a
    torn mix: the bytes go to a temp file in the same folder (so ``os.replace`` is a
    plain rename), are fsynced, and only then take the name. ``mode`` defaults to
    owner-only because most of what Rapport writes is client data; it is set
    explicitly so the umask cannot widen it.
    """
    path = Path(path)
    # A killed writer's temp files for this name go first (a full disk of them helps no one).
    clear_leftover_temps(path.parent.glob(f".{glob_escape(path.name)}.~*.part"))
    note_temp_folder(path.parent)  # and one killed now is cleared at the next start
    fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=temp_prefix(path.name), suffix=".part")
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        if os.name == "posix":
            os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    _fsync_dir(path.parent)


def glob_escape(name: str) -> str:
    """``name`` as a literal in a glob pattern."""
    return re.sub(r"([*?\[])", r"[\1]", name)


def _fsync_dir(folder: Path) -> None:
    """Make the rename itself durable; not possible (nor needed) everywhere."""
    if os.name != "posix":
        return
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
