"""Writing a file whole or not at all (DESIGN.md, "Data safety rules").

Every file the app writes outside the database (exports, calendars, the login
autostart entry) goes through ``write_atomic``, so the crash-safety rule lives in
one place. The database has its own copy path (``models.backups.take_backup``), because
a live SQLite book may only be copied through SQLite's backup API.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def write_atomic(path: Path, data: bytes, *, mode: int = 0o600) -> None:
    """Replace ``path`` with ``data`` whole, with permissions ``mode``.

    A crash or a full disk must leave either the old file or the new one, never a
    torn mix: the bytes go to a temp file in the same folder (so ``os.replace`` is a
    plain rename), are fsynced, and only then take the name. ``mode`` defaults to
    owner-only because most of what Rapport writes is client data; it is set
    explicitly so the umask cannot widen it.
    """
    path = Path(path)
    fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
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
