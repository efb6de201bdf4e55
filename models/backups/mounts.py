"""Where the book lives: a book on a network file system gets a plain warning,
because SQLite cannot lock files safely over a network."""

from __future__ import annotations

import os
import re
from pathlib import Path

from models.backups.common import NETWORK_FILESYSTEMS

# --- where the book lives ----------------------------------------------------------


def _unescape_mount(field_text: str) -> str:
    """/proc/mounts writes space, tab, newline and backslash as octal escapes."""
    return re.sub(r"\\([0-7]{3})", lambda m: chr(int(m.group(1), 8)), field_text)


def network_filesystem(mounts: str, path: Path | str) -> str | None:
    """The network file system type ``path`` lives on, or None for a local disk.

    ``mounts`` is the text of /proc/mounts; the mount point that is the longest
    prefix of the path decides.
    """
    target = os.path.normpath(str(path))
    best: tuple[int, str] | None = None
    for line in mounts.splitlines():
        parts = line.split()
        if len(parts) < 3:
            continue
        point = os.path.normpath(_unescape_mount(parts[1]))
        inside = point == "/" or target == point or target.startswith(point.rstrip("/") + "/")
        if inside and (best is None or len(point) >= best[0]):
            best = (len(point), parts[2])
    if best is None:
        return None
    fstype = best[1]
    if fstype in NETWORK_FILESYSTEMS or fstype.startswith("fuse"):
        return fstype
    return None


def network_warning(book_path: Path, mounts: str | None = None) -> str | None:
    """A plain warning when the book sits on a network file system, else None."""
    if mounts is None:
        try:
            mounts = Path("/proc/mounts").read_text(encoding="utf-8", errors="replace")
        except OSError:
            return None
    path = Path(book_path).expanduser().absolute()
    real = Path(os.path.realpath(path if path.exists() else path.parent))
    fstype = network_filesystem(mounts, real)
    if fstype is None:
        return None
    return (
        f"Your book {path.name} is on a network drive ({fstype}). SQLite, which keeps "
        "the book, cannot lock files safely over a network, so a dropped connection or "
        "a second computer can damage it. Please keep the book on this computer's own "
        "disk and copy backups to the network instead."
    )
