"""Text folding for search: one rule, used both when storing and when querying."""

from __future__ import annotations

import re
import unicodedata

_NON_DIGITS = re.compile(r"\D+")
_PHONE_ISH = re.compile(r"[0-9+()./\-]+")

# Letters Unicode does not decompose into "base + accent", spelled the way people
# type them on a keyboard without them (Søren -> soren, Łukasz -> lukasz).
_UNDECOMPOSED = str.maketrans(
    {
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
)


class _CombiningMarks(dict[int, int | None]):
    """str.translate's table that drops combining marks, learnt one code point at a
    time: C-speed per character instead of a Python call per character (an import
    of thousands of contacts folds every name, note and email)."""

    def __missing__(self, code: int) -> int | None:
        value = None if unicodedata.combining(chr(code)) else code
        self[code] = value
        return value


_DROP_MARKS = _CombiningMarks()


def fold(text: str) -> str:
    """Lower-case and strip accents, so "Éva" is found by typing "eva"."""
    if text.isascii():
        return text.lower()  # what the long way gives for ASCII, without it
    decomposed = unicodedata.normalize("NFKD", text.translate(_UNDECOMPOSED))
    if decomposed.isascii():
        return decomposed.lower()
    return decomposed.translate(_DROP_MARKS).casefold()


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
