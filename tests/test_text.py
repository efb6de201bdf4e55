"""Search folding: what a user types without accents still finds the client."""

from __future__ import annotations

import pytest

from models.text import digits_only, fold, search_words


@pytest.mark.parametrize(
    ("stored", "typed"),
    [
        ("Søren Kierkegaard", "soren"),
        ("Łukasz Nowak", "lukasz"),
        ("Amélie Poulain", "AMELIE"),
        ("Zoë", "zoe"),
        ("Straße", "strasse"),
        ("Æsir Ødegård", "aesir odegard"),
        ("Ελένη Παππά", "ελενη"),
        ("Дмитрий", "дмитрий"),
    ],
)
def test_fold_finds_what_people_type(stored: str, typed: str) -> None:
    assert all(word in fold(stored) for word in search_words(typed))


def test_fold_does_not_match_different_letters() -> None:
    assert "soren" not in fold("Sarah")
    assert search_words("  two   words ") == ["two", "words"]


@pytest.mark.parametrize(
    ("typed", "words"),
    [
        ("+442012345678", ["442012345678"]),
        ("(0)12-34", ["01234"]),
        ("ada 2026", ["ada", "2026"]),
        ("a-b", ["a-b"]),
        ("--", ["--"]),
    ],
)
def test_phone_like_words_search_by_digits(typed: str, words: list[str]) -> None:
    assert search_words(typed) == words


def test_digits_only_for_phone_search() -> None:
    assert digits_only("+45 (0) 12-34.56") == "450123456"
