"""Contacts files in and out: which format a file is, its text, and writing one.

Address books write whatever their platform likes: UTF-8 with or without a BOM,
UTF-16 from Excel's "Unicode text", Windows-1252 from older Outlooks. Guessing
wrong turns Jürgen into JÃ¼rgen, so the order of tests below goes from the
certain (a BOM) to the likely (valid UTF-8 almost never happens by accident) to
the fallback (cp1252, which decodes nearly anything).
"""

from __future__ import annotations

import codecs
import enum
import io
import os
import re
import stat
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO, Protocol, TextIO

from models.db import Book
from models.files import write_atomic
from models.reads import many_small_objects
from models.services.contact_rows import ContactFileError, ContactRecord, Progress
from models.services.contacts import clients_for_export

# Limits at the edge, so no contacts file takes time without bound. Memory is bounded
# by the batch, not by these: a file is read as a stream, a batch of records at a time
# (exports/contacts_csv.py, exports/vcard.py, models/services/contacts.py). A Google
# export of 100 000 people is about 17 MB; vCards with photos run larger, and photos
# are dropped line by line before they are joined or decoded.
MAX_BYTES = 256 * 1024 * 1024
MAX_CONTACTS = 250_000
READ_CHUNK = 1024 * 1024
# One field (a cell, a vCard property once unfolded) beyond this is not a name,
# a note or an address but something pasted or embedded by mistake.
MAX_FIELD_BYTES = 100 * 1024
_VCARD_START = re.compile(r"^[ \t]*begin[ \t]*:[ \t]*vcard[ \t\r]*$", re.IGNORECASE | re.MULTILINE)


class ContactFormat(enum.StrEnum):
    CSV = "csv"
    VCARD = "vcard"
    JSON = "json"


class ContactSource(Protocol):
    """A contacts file looked through once, ready to become records (again and
    again, for a CSV whose columns the user is still choosing). Iterating it reads
    the file afresh as a stream; ``records()`` is the same as a list."""

    path: Path | None
    encoding: str
    # Said once per file in the preview: things that are not any row's fault.
    warnings: list[str]

    @property
    def format(self) -> ContactFormat: ...

    def __iter__(self) -> Iterator[ContactRecord]: ...

    def __len__(self) -> int: ...

    def records(self) -> list[ContactRecord]: ...


def decode_text(data: bytes, name: str = "This file") -> tuple[str, str]:
    """The text of a contacts file and the name of the encoding it was in.

    Raises ContactFileError for something that is not text at all (an image, a
    spreadsheet in Excel's own format, random bytes).
    """
    for bom, encoding, called in (
        (codecs.BOM_UTF32_LE, "utf-32", "UTF-32"),
        (codecs.BOM_UTF32_BE, "utf-32", "UTF-32"),
        (codecs.BOM_UTF8, "utf-8-sig", "UTF-8 with BOM"),
        (codecs.BOM_UTF16_LE, "utf-16", "UTF-16"),
        (codecs.BOM_UTF16_BE, "utf-16", "UTF-16"),
    ):
        if data.startswith(bom):
            try:
                return _checked_text(data.decode(encoding), called, name)
            except UnicodeDecodeError:
                break
    utf16 = _utf16_without_bom(data)
    if utf16 is not None:
        try:
            return _checked_text(data.decode(utf16), "UTF-16", name)
        except UnicodeDecodeError:
            pass
    try:
        return _checked_text(data.decode("utf-8"), "UTF-8", name)
    except UnicodeDecodeError:
        pass
    try:
        return _checked_text(data.decode("cp1252"), "Windows-1252", name)
    except UnicodeDecodeError:
        # The five bytes cp1252 leaves undefined: Latin-1 maps them to controls,
        # which the check below then judges like any other.
        return _checked_text(data.decode("latin-1"), "Latin-1", name)


def _utf16_without_bom(data: bytes) -> str | None:
    """UTF-16 text of mostly Latin letters has a zero in every other byte."""
    sample = data[:4096]
    if len(sample) < 4 or len(sample) % 2:
        return None
    even, odd = sample[0::2].count(0), sample[1::2].count(0)
    half = len(sample) // 2
    if odd > half * 0.4 and even < half * 0.05:
        return "utf-16-le"
    if even > half * 0.4 and odd < half * 0.05:
        return "utf-16-be"
    return None


# The C0 controls a text file has no business holding (tab, newlines and form feed
# are text). Counted on the UTF-8 bytes, where each is exactly one byte of its own,
# with bytes.translate at C speed: a Python call per character took seconds on a
# file of photos.
_CONTROL_BYTES = bytes(c for c in range(32) if chr(c) not in "\t\n\r\f")


def _checked_text(text: str, encoding: str, name: str) -> tuple[str, str]:
    text = text.removeprefix("\ufeff")
    raw = text.encode("utf-8", "surrogatepass")
    controls = len(raw) - len(raw.translate(None, _CONTROL_BYTES))
    del raw
    # A stray NUL or ESC in one cell is that row's problem (refused with a reason in the
    # preview); a file full of them is not text at all.
    if controls > max(2, len(text) // 100):
        raise ContactFileError(f"{name} does not look like a contacts file: it is not plain text.")
    return text, encoding


class ContactFile:
    """A contacts file's bytes, opened afresh for each pass over it.

    An import reads the file more than once (to check its text, to learn who is
    in it, to write them) and holds no more of it than one pass needs at a time, so
    a file of 100 000 contacts costs memory by the batch, not by its size. A file
    on disk is read only when it is a regular file, only up to the size it had
    when it was first looked at, and is refused if it changes between passes.
    Test data (and a drop from memory) can be given as bytes."""

    def __init__(self, path: Path | None = None, data: bytes | None = None) -> None:
        self.path = Path(path) if path is not None else None
        self.data = data
        self._stamp: tuple[int, int] | None = None
        if data is not None:
            if len(data) > MAX_BYTES:
                raise self._too_large()
            self.size = len(data)
        elif self.path is not None:
            self.open().close()  # says now, in words, what is wrong with it
        else:
            raise ValueError("a ContactFile needs a path or data")

    @property
    def name(self) -> str:
        return self.path.name if self.path is not None else "The file"

    def _too_large(self) -> ContactFileError:
        return ContactFileError(
            f"{self.name} is too large for a contacts file (over {MAX_BYTES // (1024 * 1024)} "
            "MB); export fewer contacts at a time, or leave out the photos."
        )

    def head(self, size: int = 65536) -> bytes:
        with self.open() as fh:
            return fh.read(size)

    def open(self) -> BinaryIO:
        """A buffered binary stream of the file, ending at its stated size."""
        if self.data is not None:
            return io.BytesIO(self.data)
        path = self.path
        assert path is not None
        try:
            fd = os.open(
                path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
            )
        except FileNotFoundError:
            raise ContactFileError(f"There is no file at {path}.") from None
        except IsADirectoryError:
            raise ContactFileError(f"{path} is a folder, not a contacts file.") from None
        except PermissionError:
            raise ContactFileError(f"{path} could not be opened: permission denied.") from None
        except OSError as exc:
            raise ContactFileError(f"{path} could not be read: {exc.strerror or exc}.") from None
        try:
            info = os.fstat(fd)
            if stat.S_ISDIR(info.st_mode):
                raise ContactFileError(f"{path} is a folder, not a contacts file.")
            if not stat.S_ISREG(info.st_mode):
                raise ContactFileError(f"{path} is not a regular file, so it is not read.")
            if info.st_size > MAX_BYTES:
                raise self._too_large()
            stamp = (info.st_size, info.st_mtime_ns)
            if self._stamp is None:
                self._stamp, self.size = stamp, info.st_size
            elif stamp != self._stamp:
                raise ContactFileError(
                    f"{path.name} changed while it was being read; nothing was imported. "
                    "Try again once it is saved."
                )
            if hasattr(os, "set_blocking"):
                os.set_blocking(fd, True)
            raw = _Bounded(os.fdopen(fd, "rb", buffering=0), info.st_size)
        except BaseException:
            os.close(fd)
            raise
        return io.BufferedReader(raw, READ_CHUNK)


class _Bounded(io.RawIOBase):
    """Reads no further than ``size`` bytes, whatever the file grows to meanwhile."""

    def __init__(self, raw: BinaryIO, size: int) -> None:
        self._raw, self._left = raw, size

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        if self._left <= 0:
            return 0
        view = memoryview(buffer)[: self._left]
        try:
            n = self._raw.readinto(view)  # type: ignore[attr-defined]
        except OSError as exc:
            raise ContactFileError(f"The file could not be read: {exc.strerror or exc}.") from None
        self._left -= n or 0
        return n or 0

    def close(self) -> None:
        self._raw.close()
        super().close()


def read_bytes(path: Path) -> bytes:
    """The whole file (for callers that want it in memory: small files, tests)."""
    with ContactFile(path).open() as fh:
        return fh.read()


@dataclass(frozen=True)
class TextInfo:
    """How a file's bytes become text, learnt by reading it through once."""

    codec: str  # for codecs / io.TextIOWrapper
    encoding: str  # in the user's words ("UTF-8 with BOM")
    warning: str  # the mixed-encoding warning, or ""
    blank: bool  # nothing but white space


def scan_text(file: ContactFile) -> TextInfo:
    """The encoding a file is in, decided as ``decode_text`` decides it, without
    holding more than a chunk of it: BOM, then UTF-16 by its zeros, then UTF-8
    checked to the end, then Windows-1252, then Latin-1.

    Raises ContactFileError for something that is not text at all."""
    head = file.head(4096)
    candidates: list[tuple[str, str]] = []
    for bom, codec, called in (
        (codecs.BOM_UTF32_LE, "utf-32", "UTF-32"),
        (codecs.BOM_UTF32_BE, "utf-32", "UTF-32"),
        (codecs.BOM_UTF8, "utf-8-sig", "UTF-8 with BOM"),
        (codecs.BOM_UTF16_LE, "utf-16", "UTF-16"),
        (codecs.BOM_UTF16_BE, "utf-16", "UTF-16"),
    ):
        if head.startswith(bom):
            candidates.append((codec, called))
            break
    utf16 = _utf16_without_bom(head)
    if utf16 is not None:
        candidates.append((utf16, "UTF-16"))
    candidates += [("utf-8", "UTF-8"), ("cp1252", "Windows-1252"), ("latin-1", "Latin-1")]
    for codec, called in candidates:
        try:
            return _scan_as(file, codec, called)
        except UnicodeDecodeError:
            continue
    raise AssertionError("Latin-1 decodes every byte")  # pragma: no cover


def _scan_as(file: ContactFile, codec: str, called: str) -> TextInfo:
    decoder = codecs.getincrementaldecoder(codec)("strict")
    controls = chars = 0
    warning = ""
    blank = True
    tail = ""
    first = True
    with file.open() as fh:
        while True:
            chunk = fh.read(READ_CHUNK)
            text = decoder.decode(chunk, final=not chunk)
            if first and text:
                text, first = text.removeprefix("\ufeff"), False
            if text:
                chars += len(text)
                raw = text.encode("utf-8", "surrogatepass")
                controls += len(raw) - len(raw.translate(None, _CONTROL_BYTES))
                if blank and text.strip():
                    blank = False
                if not warning:
                    warning = mixed_encoding_warning(tail + text)
                    tail = text[-64:]
            if not chunk:
                break
    # A stray NUL or ESC in one cell is that row's problem (refused with a reason in the
    # preview); a file full of them is not text at all.
    if controls > max(2, chars // 100):
        raise ContactFileError(
            f"{file.name} does not look like a contacts file: it is not plain text."
        )
    return TextInfo(codec, called, warning, blank)


def open_text(file: ContactFile, info: TextInfo, newline: str | None = "") -> TextIO:
    """The file as a stream of text in its encoding (a BOM is not part of it)."""
    return io.TextIOWrapper(file.open(), encoding=info.codec, errors="strict", newline=newline)


# UTF-8 read as Windows-1252 (or Latin-1): "ü" becomes "Ã¼", "é" "Ã©", "Ä" "Ã„".
_MOJIBAKE = re.compile(
    "(?:\u00c3[\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6"
    "\u02dc\u2013\u2014\u2018-\u201e\u2020-\u2022\u2026\u2030\u2039\u203a\u20ac"
    "\u2122]|\u00c2[\u00a0-\u00bf])"
)


def mixed_encoding_warning(text: str) -> str:
    """A warning when the text looks partly decoded twice ("JÃ¼rgen"), else "".

    A file glued from two exports, or edited in a tool that saved it in another
    encoding, mixes UTF-8 with Windows-1252; no single encoding reads all of it,
    so the user is told which names to check."""
    # Both signs begin with Ã or Â; looking for those first is a plain find.
    first = min((i for i in (text.find("\u00c3"), text.find("\u00c2")) if i != -1), default=-1)
    m = _MOJIBAKE.search(text, first) if first != -1 else None
    if m is None:
        return ""
    start = max(text.rfind(c, 0, m.start()) for c in ' ,;\t\n"') + 1
    ends = [i for i in (text.find(c, m.end()) for c in ' ,;\t\r\n"') if i != -1]
    word = text[start : min([*ends, m.end() + 30])][:40]
    return (
        f"Some text looks garbled (like “{word}”): part of this file seems to be in another "
        "encoding. Check those names after importing, or save the file as UTF-8 and try again."
    )


def detect_format(path: Path | None, data: bytes) -> ContactFormat:
    """By the file's extension, or when that says nothing, by what is inside."""
    suffix = path.suffix.lower() if path is not None else ""
    if suffix == ".csv":
        return ContactFormat.CSV
    if suffix in (".vcf", ".vcard"):
        return ContactFormat.VCARD
    if suffix == ".json":
        return ContactFormat.JSON
    try:
        text, _encoding = decode_text(data[:65536])
    except ContactFileError:
        return ContactFormat.CSV  # reading it properly will say what is wrong
    if text.lstrip().startswith("{"):
        return ContactFormat.JSON
    if _VCARD_START.search(text):
        return ContactFormat.VCARD
    return ContactFormat.CSV


def parse_contacts(
    data: bytes | ContactFile,
    kind: ContactFormat,
    *,
    path: Path | None = None,
    progress: Progress | None = None,
) -> ContactSource:
    """The file's contacts; raises ContactFileError if there is nothing to read."""
    if kind is ContactFormat.VCARD:
        from exports.vcard import parse_vcards

        return parse_vcards(data, path=path, progress=progress)
    if kind is ContactFormat.CSV:
        from exports.contacts_csv import parse_csv

        return parse_csv(data, path=path)
    raise ContactFileError("A Rapport JSON file is imported with `import json`, not as contacts.")


def load_contacts(path: Path, *, progress: Progress | None = None) -> ContactSource:
    """Look through a CSV or vCard file on disk (the format from its name or
    contents): its encoding, its columns or cards, how many contacts. The
    contacts themselves are read again, as a stream, each time it is iterated."""
    file = ContactFile(Path(path))
    kind = detect_format(path, file.head())
    if kind is ContactFormat.JSON:
        raise ContactFileError(
            f"{Path(path).name} is a Rapport book file (JSON), not an address book export."
        )
    # A row or a card at a time, each a few small lists and strings with no cycles
    # among them: the cyclic collector would only walk them again and again.
    with many_small_objects():
        return parse_contacts(file, kind, path=Path(path), progress=progress)


class ExportFormat(enum.StrEnum):
    CSV = "csv"
    VCARD = "vcard"


def export_contacts(
    book: Book, out: Path, kind: ExportFormat, client_ids: Iterable[int] | None = None
) -> int:
    """Write clients (the given ones, or all not archived) to ``out``; returns how many."""
    clients = clients_for_export(book, client_ids)
    if kind is ExportFormat.CSV:
        from exports.contacts_csv import csv_bytes

        data = csv_bytes(clients)
    else:
        from exports.vcard_write import vcard_bytes

        data = vcard_bytes(clients)
    write_atomic(Path(out), data)
    return len(clients)
