"""The ranges every edge of the app accepts, in one place.

A date far outside a consultant's working life is a typing mistake, not a plan,
and it is also where datetime arithmetic overflows (9999-12-31 plus a week). The
command line checks its options against these now; the other edges (forms, the
JSON and contacts imports) can use the same range, so a date one edge accepts is
never one another edge chokes on.
"""

from __future__ import annotations

import re
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


# Control characters: the one rule every edge keeps (the forms' services, the JSON
# format, the contacts import). C0 controls, DEL and the C1 block (U+0080-U+009F)
# are never typed text: they are invisible in the app, break a CSV or vCard the
# book writes back out, and echoed to a terminal they can drive it (ESC and its
# one-byte C1 twin CSI, U+009B, both start escape sequences). C1 characters are
# what a Windows-1252 file read as Latin-1 leaves behind, so refusing them also
# catches a file read in the wrong encoding. Multi-line text (notes, summaries,
# views, an agreement's points) keeps tab and line breaks; a carriage return is
# part of a line break there (the forms turn CRLF and CR into LF before checking).
# Each is a character class: one compiled ``search`` per string finds the first.
LINE_CONTROL = r"[\x00-\x1f\x7f-\x9f]"
NOTES_CONTROL = r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]"
_LINE_CONTROL = re.compile(LINE_CONTROL)
_NOTES_CONTROL = re.compile(NOTES_CONTROL)
_CR = re.compile(r"\r\n?")


def control_char(text: str, *, multiline: bool = False) -> str | None:
    """The first character of ``text`` no field of its kind may hold, or None."""
    found = (_NOTES_CONTROL if multiline else _LINE_CONTROL).search(text)
    return found.group() if found is not None else None


def control_words(char: str) -> str:
    """How a refused control character is named to the user: "a control character (U+0000)"."""
    return f"a control character (U+{ord(char):04X})"


def one_line_break(text: str) -> str:
    """``text`` with Windows (CRLF) and old Mac (CR) line breaks as the LF the app
    keeps: pasted or imported text is not refused for where it was written."""
    return _CR.sub("\n", text) if "\r" in text else text


def text_problem(text: str, *, multiline: bool = True) -> str | None:
    """Why ``text`` cannot be kept in a field of a book, in words for the user, or
    None: longer than the one cap, or holding a control character (a multi-line
    field keeps tab and line breaks). Call it on text already through
    ``one_line_break`` where CRLF is to be kept as a line break."""
    if len(text) > TEXT_LIMIT:
        return f"This is {len(text)} characters long; a field holds at most {TEXT_LIMIT}."
    if (char := control_char(text, multiline=multiline)) is not None:
        return (
            f"This contains {control_words(char)}, which Rapport does not store; "
            "remove it and try again."
        )
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

# A document prints at most this many entries of one list (a client's touches, an
# incident's timeline or files, an agreement's commitments or points, a record's
# items), newest first where they have an order, and says how many it left out:
# a table row costs ReportLab a few milliseconds, so 100 000 touches took minutes.
# A thousand is a weekly touch for nineteen years; the forms allow 200 commitments.
PRINT_ROWS_MAX = 1_000
# And at most this many entries in all of a document's lists, an incident or an
# agreement in a client summary counting as PRINT_BLOCK_ROWS for its own facts:
# some sixty pages of tables, which print in a few seconds.
PRINT_DOCUMENT_ROWS = 2_000
PRINT_BLOCK_ROWS = 10

# The largest image Rapport decodes (a logo): a PNG's size is read from its header
# first, and one past these is refused when it is chosen and left out when printing,
# never decoded. A logo prints at most 120 x 48 points; 4 000 pixels is ample.
IMAGE_MAX_SIDE = 4_000


# Where a terminal could be made to do something by text it is shown: C0 controls
# (ESC starts colour, cursor and title sequences; CR overwrites a line), DEL, C1
# controls (0x9b is a one-byte CSI) and the bidi controls that reorder what is read.
# C0 controls are written \xNN; the rest \uNNNN, which is also a JSON escape, so
# `due --json` stays valid JSON (json.dumps escapes C0 itself, but not DEL or C1).
_TERMINAL_UNSAFE = {
    **{c: f"\\x{c:02x}" for c in range(0x20) if c != 0x0A},
    **{c: f"\\u{c:04x}" for c in range(0x7F, 0xA0)},
    **{c: f"\\u{c:04x}" for c in [*range(0x202A, 0x202F), *range(0x2066, 0x206A)]},
}


def terminal_safe(text: str) -> str:
    """``text`` with every control character but newline written as an escape.

    Names and titles come from contacts files and other people's exports, and file
    names and error messages carry them into the log; echoed or shown raw (``cat``,
    ``tail -f``), an ESC sequence in one would reach the user's terminal."""
    return text.translate(_TERMINAL_UNSAFE)
