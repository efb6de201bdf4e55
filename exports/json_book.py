"""Moved to the package exports/book_json/ (one module per aggregate, versions,
attachments, merge); this facade keeps the old import path working while branches
merge. New code imports ``exports.book_json``."""

from exports.book_json import (  # noqa: F401
    FORMAT,
    PLAN_FIELDS,
    VERSION,
    BookFormatError,
    ImportResult,
    attachments_dir_for,
    dumps,
    export_book,
    import_book,
    import_json,
    read_json,
    write_json,
)
