"""Text folding for search: one rule, used both when storing and when querying."""

from __future__ import annotations

import re
import unicodedata

_NON_DIGITS = re.compile(r"\D+")
_PHONE_ISH = re.compile(r"[0-9+()./\-]+")

# Letters Unicode does not decompose into "base + accent", spelled the way people
# type them on a keyboard without them (Søren -> soren, Łukasz -> lukasz).
_SPELLED = {
    "ø": "o",
    "Ø": "O",
    "ł": "l",
    "Ł": "L",
    "đ": "d",
    "Đ": "D",
    "ð": "d",
    "Ð": "D",
    "æ": "ae",
    "Æ": "AE",
    "œ": "oe",
    "Œ": "OE",
    "þ": "th",
    "Þ": "TH",
    "ı": "i",
}
_UNDECOMPOSED = str.maketrans(_SPELLED)


# The same letters as one character class, so a string without any of them costs
# one regex scan instead of a table lookup per character.
_UNDECOMPOSED_CHARS = re.compile("[" + "".join(chr(c) for c in _UNDECOMPOSED) + "]")
_NON_ASCII_RUN = re.compile(r"[^\x00-\x7f]+")
# Anything but ASCII and the combining diacritical marks (all of U+0300-U+036F has
# a combining class but U+034F, the grapheme joiner): text without it, once
# decomposed, is ASCII letters and their accents, which encoding to ASCII drops.
_NOT_LATIN_MARKS = re.compile("[^\x00-\x7f\u0300-\u034e\u0350-\u036f]")


class _CombiningMarks(dict[int, int | None]):
    """str.translate's table that drops combining marks, learnt one code point at a
    time: C-speed per character instead of a Python call per character."""

    def __missing__(self, code: int) -> int | None:
        value = None if unicodedata.combining(chr(code)) else code
        self[code] = value
        return value


_DROP_MARKS = _CombiningMarks()


def _without_marks(run: re.Match[str]) -> str:
    return run.group().translate(_DROP_MARKS)


def fold(text: str) -> str:
    """Lower-case and strip accents, so "Éva" is found by typing "eva".

    An import folds every name, note and email of thousands of contacts, mostly
    ASCII with an accent here and there: only the runs of other characters are
    looked up in the tables (a table lookup per character of the whole text was
    most of the cost); tests/test_text.py holds it to the plain reading."""
    if text.isascii():
        return text.lower()  # what the long way gives for ASCII, without it
    found = _UNDECOMPOSED_CHARS.findall(text)
    if found:
        # str.replace per letter found, not translate: translate with this table
        # is a dict lookup per character of the whole text (10 µs for a client's
        # search text with one "ø"). No replacement holds a letter of the table.
        for letter in set(found):
            text = text.replace(letter, _SPELLED[letter])
    decomposed = unicodedata.normalize("NFKD", text)
    if decomposed.isascii():
        return decomposed.lower()
    if _NOT_LATIN_MARKS.search(decomposed) is None:
        return decomposed.encode("ascii", "ignore").decode("ascii").lower()
    return _NON_ASCII_RUN.sub(_without_marks, decomposed).casefold()


def search_words(query: str) -> list[str]:
    """The folded words of a search box; each must occur, in any order.

    A word that looks like part of a phone number ("+4420", "(0)12-34") is reduced
    to its digits, which the stored search text also carries for every phone.
    """
    return [
        digits_only(w) if _PHONE_ISH.fullmatch(w) and any(c.isdigit() for c in w) else w
        for w in fold(query).split()
    ]


def digits_only(text: str) -> str:
    return _NON_DIGITS.sub("", text)


def human_size(size: int) -> str:
    """ "512 bytes", "1.5 KB", "230 MB": binary units, as file managers count them."""
    if size < 1024:
        return "1 byte" if size == 1 else f"{size} bytes"
    value = float(size)
    for unit in ("KB", "MB", "GB", "TB"):
        value /= 1024
        if value < 1024 or unit == "TB":
            return f"{value:.1f} {unit}" if value < 10 else f"{value:.0f} {unit}"
    return f"{value:.0f} TB"  # pragma: no cover - the loop always returns
