"""Search folding: what a user types without accents still finds the client."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

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


def _fold_plainly(text: str) -> str:
    """fold as it read before it looked at runs only: every character through the
    tables (the reading the quick one must agree with)."""
    import unicodedata

    from models.text import _DROP_MARKS, _UNDECOMPOSED

    if text.isascii():
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text.translate(_UNDECOMPOSED))
    if decomposed.isascii():
        return decomposed.lower()
    return decomposed.translate(_DROP_MARKS).casefold()


@pytest.mark.parametrize(
    "text",
    [
        "Søren Ødegaard\nFirm 12\nsøren.12@example.com\n+49 170 0000012",
        "Jürgen Müller, Straße 5, ǅemal, ﬁne, ①, Åström, Œuvre, þorn, ı",
        "Ελένη Παππά ΟΔΟΣ",
        "Дмитрий Йогурт",
        "ภาษาไทย 日本語 한국어 e\u0301\u0327",
        "plain ascii only",
    ],
)
def test_fold_reads_as_it_did_character_by_character(text: str) -> None:
    assert fold(text) == _fold_plainly(text)


@settings(max_examples=300, deadline=None)
@given(st.text(st.characters(blacklist_categories=("Cs",)), max_size=60))
def test_fold_agrees_with_the_plain_reading_on_any_text(text: str) -> None:
    assert fold(text) == _fold_plainly(text)


@settings(max_examples=300, deadline=None)
@given(
    st.text(
        st.one_of(
            st.sampled_from(list("øØłŁđĐðÐæÆœŒþÞıéüΣ\u0301 \n")),
            st.characters(blacklist_categories=("Cs",)),
        ),
        max_size=40,
    )
)
def test_fold_spells_out_the_letters_unicode_does_not_decompose(text: str) -> None:
    """Those letters are replaced one by one (str.replace), not by a table per
    character: the result must be the table's."""
    assert fold(text) == _fold_plainly(text)


def test_the_marks_fold_drops_by_encoding_are_all_combining() -> None:
    """fold drops U+0300-U+036F (but U+034F) by encoding to ASCII: each of them must be
    a combining mark, or that shortcut would drop a letter."""
    import unicodedata

    from models.text import _NOT_LATIN_MARKS

    for code in range(0x80, 0x370):
        char = chr(code)
        if _NOT_LATIN_MARKS.match(char) is None:
            assert unicodedata.combining(char), hex(code)
    assert _NOT_LATIN_MARKS.match("\u034f") is not None
