"""Evidence files travel beside the JSON, in "<stem>.attachments/", one file per
SHA-256 (the shape of the book's own attachments folder): written before the
JSON on export, and on import every one checked against its hash before
anything is written."""

from __future__ import annotations

import hashlib
import os
import stat
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from exports.book_json.format import ATTACHMENTS_SUFFIX, SHA256_SHAPE, BookFormatError
from exports.book_json.incoming import _Incoming
from models.db import Book
from models.files import clear_leftover_temps, glob_escape, note_temp_folder, temp_prefix
from models.services.incident_evidence import EvidenceError, file_digest, store_file, stored_path


def attachments_dir_for(json_path: Path) -> Path:
    """The folder beside an export that carries its evidence files:
    ``book.json`` -> ``book.attachments/``."""
    json_path = Path(json_path)
    return json_path.with_name(json_path.stem + ATTACHMENTS_SUFFIX)


def _write_attachments(book: Book, doc: dict[str, Any], folder: Path) -> None:
    """Make ``folder`` hold exactly the evidence files ``doc`` names, each as
    ``<sha256>``: a file already there with the right hash is left as it is, files
    an earlier export left and this one no longer names are removed (only names
    that are a SHA-256: the folder is Rapport's, but nothing else is deleted)."""
    wanted = {
        ev["sha256"]: ev["original_name"]
        for c in doc["clients"]
        for inc in c["incidents"]
        for ev in inc["evidence"]
    }
    if not wanted and not folder.is_dir():
        return
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    for sha, name in sorted(wanted.items()):
        target = folder / sha
        if target.is_file() and file_digest(target)[0] == sha:
            continue
        source = stored_path(book, sha)
        try:
            _copy_atomic(source, target, sha)
        except FileNotFoundError:
            raise EvidenceError(
                f"The evidence file “{name}” is missing from the book's attachments folder "
                f"({source}); nothing was exported."
            ) from None
    for stale in folder.iterdir():
        if SHA256_SHAPE.fullmatch(stale.name) and stale.name not in wanted and stale.is_file():
            stale.unlink()


def _copy_atomic(source: Path, target: Path, sha: str) -> None:
    """Copy ``source`` to ``target`` whole or not at all (temp file beside it, fsync,
    rename; models.files.write_atomic streamed), checking the bytes hash to ``sha``
    on the way: a damaged stored file is reported, not exported."""
    digest = hashlib.sha256()
    folder, prefix = target.parent, temp_prefix(target.name)
    clear_leftover_temps(folder.glob(f".{glob_escape(target.name)}.~*.part"))  # a killed export's
    note_temp_folder(folder)  # one killed from now on goes at the next start
    fd, tmp_name = tempfile.mkstemp(dir=folder, prefix=prefix, suffix=".part")
    tmp = Path(tmp_name)
    try:
        with open(source, "rb") as src, os.fdopen(fd, "wb") as out:
            while chunk := src.read(1024 * 1024):
                digest.update(chunk)
                out.write(chunk)
            out.flush()
            os.fsync(out.fileno())
        if digest.hexdigest() != sha:
            raise EvidenceError(
                f"The stored evidence file {source} does not match its SHA-256 any more "
                "(it was changed or damaged); nothing was exported."
            )
        if os.name == "posix":
            os.chmod(tmp, 0o600)
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


# --------------------------------------------------------------------------- reading


@dataclass(frozen=True)
class _NeededFile:
    sha256: str
    size: int
    name: str  # the name the first evidence entry with this hash gives it
    where: str  # that entry's place in the file, for messages


def _evidence_needed(incoming: list[_Incoming]) -> dict[str, _NeededFile]:
    """Every file the import's evidence refers to, once per hash. The checks passed,
    so each list holds exactly the file's entries and positions match the file."""
    needed: dict[str, _NeededFile] = {}
    for inc in incoming:
        for j, incident in enumerate(inc.incidents):
            for k, ev in enumerate(incident.evidence):
                where = f"clients[{inc.index}].incidents[{j}].evidence[{k}]"
                needed.setdefault(ev.sha256, _NeededFile(ev.sha256, ev.size, ev.name, where))
    return needed


def _verify_evidence(needed: dict[str, _NeededFile], folder: Path | None) -> None:
    """Every needed file is in ``folder`` with the hash and size the JSON says, or a
    BookFormatError naming each one that is not. Reads only; writes nothing."""
    if folder is None:
        first = next(iter(needed.values()))
        raise BookFormatError(
            f"{first.where}: evidence files travel in the folder beside the JSON file; "
            "import the file itself so Rapport can find them."
        )
    problems = evidence_problems(needed, folder)
    if problems:
        raise BookFormatError([text for _where, text in sorted(problems)])


def evidence_problems(needed: dict[str, _NeededFile], folder: Path) -> list[tuple[str, str]]:
    """(where, what is wrong) for each needed file that is not in ``folder`` with
    the hash and size the JSON says."""
    problems: list[tuple[str, str]] = []
    for f in needed.values():
        path = folder / f.sha256
        try:
            sha, size = _bounded_digest(path, f.size)
        except FileNotFoundError:
            problems.append(
                (f.where, f"{f.where}: the evidence file “{f.name}” is missing: no {path}.")
            )
            continue
        except OSError as exc:
            problems.append(
                (
                    f.where,
                    f"{f.where}: the evidence file “{f.name}” could not be read at {path} "
                    f"({exc.strerror or exc}).",
                )
            )
            continue
        if sha != f.sha256:
            problems.append(
                (
                    f.where,
                    f"{f.where}: {path} (“{f.name}”) does not match its SHA-256; "
                    "it was changed or damaged.",
                )
            )
        elif size != f.size:
            problems.append(
                (f.where, f"{f.where}.size: says {f.size} bytes, but {path} has {size}.")
            )
    return problems


def _bounded_digest(path: Path, stated: int) -> tuple[str, int]:
    """(SHA-256, size) of an evidence file beside the JSON, read only if it is a
    regular file (not a link, a FIFO or a device, which could point anywhere or never
    end) and only up to one byte past the size the JSON states."""
    st = path.lstat()
    if not stat.S_ISREG(st.st_mode):
        raise OSError(0, "it is not a regular file")
    digest = hashlib.sha256()
    size = 0
    with open(path, "rb", opener=_no_follow) as fh:
        while size <= stated and (chunk := fh.read(min(_CHUNK, stated + 1 - size))):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def _no_follow(path: str, flags: int) -> int:
    return os.open(path, flags | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))


_CHUNK = 1024 * 1024


def _store_evidence(book: Book, needed: dict[str, _NeededFile], folder: Path) -> list[Path]:
    """Copy the checked files into the book (content-addressed, as attaching does);
    returns the ones that were not there before, for undoing a failed import."""
    added: list[Path] = []
    try:
        for f in sorted(needed.values(), key=lambda f: f.sha256):
            final = stored_path(book, f.sha256)
            existed = final.exists()
            sha, _size = store_file(book, folder / f.sha256)
            if not existed:
                added.append(stored_path(book, sha))
            if sha != f.sha256:
                raise BookFormatError(
                    f"{f.where}: {folder / f.sha256} (“{f.name}”) changed while it was "
                    "being imported; nothing was imported."
                )
    except BaseException:
        for path in added:
            path.unlink(missing_ok=True)
        raise
    return added
