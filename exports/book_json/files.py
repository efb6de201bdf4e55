"""The document on disk: the exact text an export writes, and reading a file
with a plain reason for every way it can fail to be a JSON object."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from exports.book_json.attachments import _write_attachments, attachments_dir_for
from exports.book_json.export import export_book
from exports.book_json.format import BookFormatError, _kind, reading
from models.db import Book
from models.files import write_atomic


def dumps(doc: dict[str, Any]) -> str:
    """The exact text write_json produces, for callers that print instead of saving."""
    return _encoded(doc).decode("utf-8")


def _encoded(doc: dict[str, Any]) -> bytes:
    """The document as UTF-8 text: exactly what ``json.dumps(doc, ensure_ascii=False,
    indent=2)`` writes, plus a final newline (tests hold the two to the same bytes),
    but written by pydantic-core in Rust: with an indent, the standard library falls
    back to its pure-Python encoder, several times slower on a large book."""
    from pydantic_core import to_json

    return to_json(doc, indent=2) + b"\n"


def write_json(book: Book, out: Path) -> int:
    """Export the book to ``out`` and its evidence files to the folder beside it.

    The files go first, so a JSON file on disk never names a file that is not yet
    beside it; the JSON replaces the old one only once it is complete.
    """
    out = Path(out)
    doc = export_book(book)
    _write_attachments(book, doc, attachments_dir_for(out))
    write_atomic(out, _encoded(doc))
    return len(doc["clients"])


def read_json(path: Path) -> dict[str, Any]:
    """The parsed file, or a BookFormatError that says plainly why it cannot be read."""
    path = Path(path)
    with reading(path):
        if path.exists() and not path.is_dir() and not path.is_file():
            # A FIFO or a device would be read forever: only regular files are read.
            raise BookFormatError(f"{path} is not a regular file.")
        raw = path.read_bytes()
    if not raw.strip():
        raise BookFormatError(f"{path} is empty.")
    try:
        # utf-8-sig: some Windows editors put a byte-order mark in front of UTF-8.
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise BookFormatError(
            f"{path} is not UTF-8 text (byte {exc.start} is not valid UTF-8)."
        ) from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise BookFormatError(
            f"{path} is not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}."
        ) from None
    except ValueError as exc:
        # Python refuses integers of more than 4300 digits rather than spend the time.
        raise BookFormatError(f"{path} holds a number too long to read ({exc}).") from None
    except RecursionError:
        raise BookFormatError(f"{path} is nested too deeply to be a Rapport export.") from None
    if not isinstance(data, dict):
        raise BookFormatError(
            f"This is not a Rapport book export (the file holds {_kind(data)}, not a JSON object)."
        )
    return data


# --------------------------------------------------------------------------- versions
