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
import os
import re
import stat
from collections.abc import Iterable
from pathlib import Path
from typing import Protocol

from models.db import Book
from models.files import write_atomic
from models.reads import many_small_objects
from models.services.contacts import ContactFileError, ContactRecord, Progress, clients_for_export

# Limits at the edge, so no contacts file grows memory or time without bound. A
# Google export of 20 000 people is about 4 MB; vCards with photos run larger, and
# photos are dropped before they are decoded (exports/vcard.py).
MAX_BYTES = 64 * 1024 * 1024
MAX_CONTACTS = 20_000
# One field (a cell, a vCard property once unfolded) beyond this is not a name,
# a note or an address but something pasted or embedded by mistake.
MAX_FIELD_BYTES = 100 * 1024
_VCARD_START = re.compile(r"^[ \t]*begin[ \t]*:[ \t]*vcard[ \t\r]*$", re.IGNORECASE | re.MULTILINE)


class ContactFormat(enum.StrEnum):
    CSV = "csv"
    VCARD = "vcard"
    JSON = "json"


class ContactSource(Protocol):
    """A contacts file read into memory, ready to become records (again and again,
    for a CSV whose columns the user is still choosing)."""

    path: Path | None
    encoding: str
    # Said once per file in the preview: things that are not any row's fault.
    warnings: list[str]

    @property
    def format(self) -> ContactFormat: ...

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


def read_bytes(path: Path) -> bytes:
    """The file's bytes, with the mistakes a person makes turned into sentences.

    Only a regular file is read, and only up to the size it states: a named pipe
    would block forever and /dev/zero would never end. Opened non-blocking, so a
    pipe is refused instead of waited on."""
    path = Path(path)
    too_large = ContactFileError(
        f"{path.name} is too large for a contacts file (over {MAX_BYTES // (1024 * 1024)} MB); "
        "export fewer contacts at a time, or leave out the photos."
    )
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
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
            raise too_large
        if hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)
        with os.fdopen(fd, "rb", closefd=False) as fh:
            data = fh.read(info.st_size + 1)
    except OSError as exc:
        raise ContactFileError(f"{path} could not be read: {exc.strerror or exc}.") from None
    finally:
        os.close(fd)
    if len(data) > MAX_BYTES:  # it grew while we looked
        raise too_large
    return data


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
    data: bytes,
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
    """Read a CSV or vCard file from disk (the format from its name or contents)."""
    data = read_bytes(path)
    kind = detect_format(path, data)
    if kind is ContactFormat.JSON:
        raise ContactFileError(
            f"{Path(path).name} is a Rapport book file (JSON), not an address book export."
        )
    # Thousands of rows of small lists and strings, no cycles among them: the cyclic
    # collector would only walk them again and again while they are built.
    with many_small_objects():
        return parse_contacts(data, kind, path=Path(path), progress=progress)


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
        from exports.vcard import vcard_bytes

        data = vcard_bytes(clients)
    write_atomic(Path(out), data)
    return len(clients)
