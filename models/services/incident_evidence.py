"""Evidence files of an incident: attached, listed, opened as a read-only copy,
detached.

A file is copied into the book's attachments folder under its SHA-256 before the
row that points to it is committed, so a crash can leave an unused file behind but
never a row that points to nothing. Kept apart from the incident's lifecycle
(incidents.py) because this is the file-system side of incidents: temp files,
fsync and rename, content addressing, the private cache folder.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import tempfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import select

from models.db import Book
from models.entities import Evidence, StoredFile
from models.errors import RapportError
from models.files import temp_prefix
from models.limits import LINE_CONTROL
from models.services.incident_writers import NewEvidence, add_evidence_in, stored_files_in
from models.services.incidents import incident_or_error
from models.types import utcnow

NAME_MAX = 255
LARGE_FILE_BYTES = 100 * 1024 * 1024  # the UI asks before attaching more than this
_CHUNK = 1024 * 1024
_CONTROL = re.compile(LINE_CONTROL)  # what a file name drops: the one rule of models/limits.py


class EvidenceError(RapportError):
    pass


@dataclass(frozen=True)
class EvidenceRow:
    id: int
    incident_id: int
    name: str
    size: int
    sha256: str
    added_at: datetime
    path: Path


def display_name(name: str) -> str:
    """A file name safe to store and show: no folders, no control characters,
    at most 255 characters with the extension kept."""
    base = re.split(r"[\\/]", name)[-1]
    base = _CONTROL.sub("", base).strip().lstrip(".") or "file"
    if base in ("", ".", ".."):
        base = "file"
    if len(base) > NAME_MAX:
        stem, dot, ext = base.rpartition(".")
        if dot and 0 < len(ext) <= 16:
            base = stem[: NAME_MAX - len(ext) - 2] + "…." + ext
        else:
            base = base[: NAME_MAX - 1] + "…"
    return base


def stored_path(book: Book, sha256: str) -> Path:
    return book.attachments_dir / sha256[:2] / sha256


def _copy_in(book: Book, source: Path) -> tuple[str, int]:
    """Copy ``source`` into the attachments folder under its hash; returns (sha, size).

    The copy and the hash are made in one read, into a temp file beside its final
    name, synced, then renamed; a file already stored is not written again.
    """
    try:
        src = open(source, "rb")  # noqa: SIM115 - closed below, errors explained
    except FileNotFoundError as exc:
        raise EvidenceError(f"“{source.name}” was not found; nothing was attached.") from exc
    except IsADirectoryError as exc:
        raise EvidenceError(f"“{source.name}” is a folder; attach files one by one.") from exc
    except OSError as exc:
        raise EvidenceError(
            f"“{source.name}” could not be read ({exc.strerror}); nothing was attached."
        ) from exc
    folder = book.attachments_dir
    digest = hashlib.sha256()
    size = 0
    fd, tmp_name = tempfile.mkstemp(prefix=temp_prefix("incoming"), suffix=".part", dir=folder)
    tmp = Path(tmp_name)
    try:
        with src, os.fdopen(fd, "wb") as out:
            while chunk := src.read(_CHUNK):
                digest.update(chunk)
                out.write(chunk)
                size += len(chunk)
            out.flush()
            os.fsync(out.fileno())
        sha = digest.hexdigest()
        final = stored_path(book, sha)
        if final.exists() and final.stat().st_size == size:
            tmp.unlink()
        else:
            final.parent.mkdir(mode=0o700, exist_ok=True)
            os.chmod(tmp, 0o600)
            os.replace(tmp, final)
        return sha, size
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise EvidenceError(
            f"“{source.name}” could not be copied into the book ({exc.strerror}); "
            "nothing was attached."
        ) from exc
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def file_digest(path: Path) -> tuple[str, int]:
    """(SHA-256, size) of a file, read in chunks without copying it: for checking
    files that claim a hash (an import's evidence) before anything is written."""
    digest = hashlib.sha256()
    size = 0
    with open(path, "rb") as fh:
        while chunk := fh.read(_CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def store_file(book: Book, source: Path) -> tuple[str, int]:
    """Copy ``source`` into the book's attachments folder as attach_file does
    (content-addressed, synced, renamed into place) and return (sha256, size).

    For callers that write the evidence rows in their own unit of work (the JSON
    import, the demo): the file is in place before any row points at it, and a
    file stored for a unit of work that then fails is only an unused copy.
    """
    return _copy_in(book, Path(source))


def attach_file(book: Book, incident_id: int, source: Path, *, now: datetime | None = None) -> int:
    """Attach a copy of ``source``; the same file attached twice is stored once."""
    source = Path(source)
    with book.reader() as s:
        incident_or_error(s, incident_id)
    sha, size = _copy_in(book, source)
    now = now or utcnow()
    with book.session() as s:
        file_id = stored_files_in(s, {sha: size}, now)[sha]
        existing = s.scalars(
            select(Evidence.id).where(
                Evidence.incident_id == incident_id, Evidence.file_id == file_id
            )
        ).first()
        if existing is not None:
            return existing
        row = NewEvidence(incident_id, file_id, display_name(source.name), now)
        (evidence_id,) = add_evidence_in(s, [row])
        return evidence_id


def list_evidence(book: Book, incident_id: int) -> list[EvidenceRow]:
    with book.reader() as s:
        rows = s.execute(
            select(Evidence, StoredFile)
            .join(StoredFile, StoredFile.id == Evidence.file_id)
            .where(Evidence.incident_id == incident_id)
            .order_by(Evidence.added_at, Evidence.id)
        )
        return [
            EvidenceRow(
                e.id,
                e.incident_id,
                e.original_name,
                f.size,
                f.sha256,
                e.added_at,
                stored_path(book, f.sha256),
            )
            for e, f in rows
        ]


def viewing_copy(row: EvidenceRow, *, folder: Path | None = None) -> Path:
    """A read-only copy of an evidence file under its own name, for the system viewer.

    The stored copy is named by its hash and has no extension, so a desktop could
    not tell a PDF from a spreadsheet; and a viewer that saves changes must never
    alter the evidence. The copy lives in the user's private cache folder.
    """
    from models.paths import cache_dir, ensure_private_dir

    if not row.path.exists():
        raise EvidenceError(f"The stored copy of “{row.name}” is missing from the book's folder.")
    target_dir = ensure_private_dir((folder or cache_dir()) / "opened" / row.sha256[:16])
    target = target_dir / display_name(row.name)
    if not (target.exists() and target.stat().st_size == row.size):
        # Streamed, not read whole: evidence files may be hundreds of megabytes.
        tmp = target.with_name(target.name + ".part")
        shutil.copyfile(row.path, tmp)
        os.chmod(tmp, 0o400)
        os.replace(tmp, target)
    return target


def unlink_evidence(book: Book, evidence_id: int) -> None:
    """Detach a file from an incident. The stored copy stays: another incident or
    a backup may still refer to it, and only backup thinning knows which."""
    with book.session() as s:
        ev = s.get(Evidence, evidence_id)
        if ev is not None:
            s.delete(ev)
