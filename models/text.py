"""Text folding for search: one rule, used both when storing and when querying."""

from __future__ import annotations

import re
import unicodedata

_NON_DIGITS = re.compile(r"\D+")


def fold(text: str) -> str:
    """Lower-case and strip accents, so "Éva" is found by typing "eva"."""
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return stripped.casefold()


def search_words(query: str) -> list[str]:
    """The folded words of a search box; each must occur, in any order."""
    return fold(query).split()


def digits_only(text: str) -> str:
    return _NON_DIGITS.sub("", text)
