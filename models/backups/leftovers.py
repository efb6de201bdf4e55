"""What a killed backup, restore, import or export leaves behind, and clearing it
at the next start (issue 18: killed backups and restores left 265 MB of temp files).

The kinds, by who writes them:
- ``backups/.NAME.db.~PID.*.part`` (and its ``-journal``/``-wal``/``-shm``): a backup
  copy being made (models.backups.take); ``.NAME.db.json.~PID.*.part``: its manifest;
- ``backups/NAME.db.json`` with no ``NAME.db``: a manifest whose copy never took its
  name, or whose copy was thinned away just before the manifest;
- ``backups/.NAME.db.~PID.restoring-src``: the second link a restore reads through;
- ``.BOOK.~PID.restoring`` (and companions) beside the book: a restore's replacement;
- ``attachments/.incoming.~PID.*.part``: an evidence file being attached or imported;
- ``.FILE.~PID.*.part`` beside any file written whole (models.files.write_atomic):
  in the book's folder and its companions here; beside an export's own file, wherever
  that is, through the note each writer leaves of the folders it writes temp files in
  (models.files.clear_noted_temps), and when the next export to that file starts
  (exports/book_json writes its evidence folder the same way).

A temp file carries its writer's pid, so one whose writer is gone is removed at once
and one another process is still writing is left alone (models.files.is_leftover).
An older Rapport gave a restore's files fixed names; those go only when the caller
holds the book's lock, since every restore runs under that lock.
"""

from __future__ import annotations

import re
from pathlib import Path

from models.backups.common import _NAME, ATTACHMENTS, BACKUPS, MANIFEST_SUFFIX, _companions
from models.files import (
    clear_leftover_temps,
    clear_noted_temps,
    glob_escape,
    is_leftover,
    temp_prefix,
)


def clear_leftovers(book_path: Path, *, locked: bool) -> list[Path]:
    """Remove what killed writers left beside ``book_path``; returns what went.

    ``locked``: the caller holds the book's lock, so no restore of it is running
    and its restore files may go too. Never raises: a file that cannot be removed
    now is tried again at the next start.
    """
    path = Path(book_path)
    folder = path.parent
    gone: list[Path] = []
    try:
        gone += clear_leftover_temps(folder.glob(".*.~*.part*"))
        backups = folder / BACKUPS
        if backups.is_dir():
            gone += clear_leftover_temps(backups.glob(".*.part*"))
            gone += _clear_orphan_manifests(backups)
        attachments = folder / ATTACHMENTS
        if attachments.is_dir():
            gone += clear_leftover_temps(attachments.glob(".*.part*"))
        gone += clear_restore_leftovers(path, locked=locked)
        gone += clear_noted_temps()  # a killed export's, wherever it was writing
    except OSError:
        pass
    return gone


def restoring_path(path: Path) -> Path:
    """Where a restore prepares the replacement, beside the book (same file system),
    named with the restoring process's pid."""
    path = Path(path)
    return path.with_name(f"{temp_prefix(path.name)}restoring")


def held_link(source: Path) -> Path:
    """The second link a restore reads its backup through (see restore_backup)."""
    return source.with_name(f"{temp_prefix(source.name)}restoring-src")


def held_name(link: str) -> str | None:
    """The backup's own name for a held link's name (None: not one)."""
    match = _HELD.match(link)
    return match["name"] if match else None


_HELD = re.compile(r"^\.(?P<name>.+?)\.(?:~\d+\.)?restoring-src$")


def clear_restore_leftovers(path: Path, *, locked: bool = True) -> list[Path]:
    """A restore killed part way leaves its half-made replacement and the link it read
    through. Those of a restorer that is gone go at once; the fixed names an older
    Rapport used only with the book's lock held (then no restore of this book runs;
    a restore of another book in the same folder keeps its own links)."""
    path = Path(path)
    gone = clear_leftover_temps(path.parent.glob(f".{glob_escape(path.name)}.~*.restoring*"))
    gone += clear_leftover_temps(
        p
        for p in (path.parent / BACKUPS).glob(".*.~*.restoring-src")
        if _is_ours(p.name, path.stem)
    )
    if not locked:
        return gone
    old = path.with_name(f".{path.name}.restoring")
    held = [
        p
        for p in (path.parent / BACKUPS).glob(".*.restoring-src")
        if "~" not in p.name and _is_ours(p.name, path.stem)
    ]
    for p in [old, *_companions(old), *held]:
        try:
            p.unlink()
            gone.append(p)
        except OSError:
            pass
    return gone


def _is_ours(link: str, stem: str) -> bool:
    name = held_name(link)
    match = _NAME.match(name) if name else None
    return match is not None and match["stem"] == stem


def _clear_orphan_manifests(backups: Path) -> list[Path]:
    """A manifest whose copy is not there: gone unless a live backup is still making
    that copy (its temp file, named after the copy, is not a leftover)."""
    gone: list[Path] = []
    for manifest in backups.glob(f"*.db{MANIFEST_SUFFIX}"):
        copy = manifest.with_suffix("")
        if copy.exists():
            continue
        parts = list(backups.glob(f".{glob_escape(copy.name)}.*.part"))
        if any(not is_leftover(p) for p in parts):
            continue
        try:
            manifest.unlink()
            gone.append(manifest)
        except OSError:
            pass
    return gone
