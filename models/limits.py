"""The ranges every edge of the app accepts, in one place.

A date far outside a consultant's working life is a typing mistake, not a plan,
and it is also where datetime arithmetic overflows (9999-12-31 plus a week). The
command line checks its options against these now; the other edges (forms, the
JSON and contacts imports) can use the same range, so a date one edge accepts is
never one another edge chokes on.
"""

from __future__ import annotations

from datetime import date

MIN_YEAR = 1900
MAX_YEAR = 2200
FIRST_DAY = date(MIN_YEAR, 1, 1)
LAST_DAY = date(MAX_YEAR, 12, 31)


def date_in_range(day: date) -> bool:
    """Whether ``day`` is inside the one range the app supports (years 1900–2200)."""
    return FIRST_DAY <= day <= LAST_DAY


# No text field of a book holds more than this. A longer one is a damaged or
# hostile file, or a paste gone wrong, and a note this long would print as some 500
# pages. Every edge keeps to it (the forms' services and the JSON format), so a
# book never holds text its own export could not bring back.
TEXT_LIMIT = 1_000_000


def text_problem(text: str) -> str | None:
    """Why ``text`` cannot be kept in any field of a book, in words for the user, or
    None. Control characters are kept (notes hold NULs and all, exactly as typed);
    only the length is bounded."""
    if len(text) > TEXT_LIMIT:
        return f"This is {len(text)} characters long; a field holds at most {TEXT_LIMIT}."
    return None

# The most of one text field a PDF prints: about 25 pages of prose, or 40 of short
# lines. The book keeps any longer text whole; the document prints this much and
# says how much it left out, so a pasted log or a runaway import never makes
# printing take minutes (ReportLab draws some thirty dense pages a second).
PRINT_TEXT_MAX = 100_000
PRINT_LINES_MAX = 2_000
# Text with hardly a space (a pasted blob, one huge word) is broken letter by letter,
# each measured on its own: it prints at most this much (about six pages).
PRINT_UNBROKEN_MAX = 25_000
# A table cell (a timeline entry, a touch, a commitment) prints less: a table row
# that spans pages is laid out again at every page it crosses. This is the longest
# text the forms accept for one entry.
PRINT_CELL_MAX = 20_000
PRINT_CELL_LINES = 400
# And one document prints at most this much user text in all (about 100 pages),
# counting each line break as PRINT_LINE_COST characters: a page of short lines
# costs as much to draw as a page of prose.
PRINT_DOCUMENT_MAX = 400_000
PRINT_LINE_COST = 50

# The largest image Rapport decodes (a logo): a PNG's size is read from its header
# first, and one past these is refused when it is chosen and left out when printing,
# never decoded. A logo prints at most 120 x 48 points; 4 000 pixels is ample.
IMAGE_MAX_SIDE = 4_000
