"""Whole-book JSON export and import (format "rapport-book"; see docs/json-format.md).

This format is the user's way out of Rapport and a script's way in, so it is
documented, versioned and strict. An import checks every field of every client
and merges in one transaction, a batch of clients at a time (the file is streamed:
memory is bounded by the batch, not the file): a bad file never leaves a
half-imported book. An export carries no export time and has a fixed order, so
exporting the same book twice gives the same bytes, and exports diff cleanly.

Evidence files do not go inside the JSON: they travel in a folder beside it, one
file per SHA-256 (the shape of the book's own attachments folder), and an import
checks every one against its hash before it writes anything.

The parts: ``format`` (names, field order, the error), ``versions`` (the upgrade
steps), ``codecs`` and ``codec_types`` (one pydantic model per aggregate: the
checks of every field, and the published JSON Schema), ``problems`` (pydantic's
errors in the format's words, with their paths), ``check`` and ``check_*`` (the
forms' rules and the rules across records, over what the models accepted),
``check_stream`` (those checks a batch at a time, with the rules across the file),
``export``, ``files`` (reading and writing the text), ``reader`` (streaming a file
from disk), ``attachments``, ``merge`` and ``merge_*``.
Nothing here is imported at the GUI's start-up.
"""

from exports.book_json.attachments import attachments_dir_for
from exports.book_json.export import export_book
from exports.book_json.files import dumps, read_json, write_json
from exports.book_json.format import FORMAT, PLAN_FIELDS, VERSION, BookFormatError, ImportResult
from exports.book_json.merge import import_book, import_json

__all__ = [
    "FORMAT",
    "PLAN_FIELDS",
    "VERSION",
    "BookFormatError",
    "ImportResult",
    "attachments_dir_for",
    "dumps",
    "export_book",
    "import_book",
    "import_json",
    "read_json",
    "write_json",
]
