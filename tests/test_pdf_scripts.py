"""Text as written, in every script (issue 17, Build 8): Hebrew and Arabic are laid
out right to left and Arabic letters joined, so a PDF reader reads them back in the
order they were typed; combining marks join their letters instead of printing boxes."""

from __future__ import annotations

import unicodedata

from exports.pdf.agreement import render_agreement
from exports.pdf.common import drawable, register_fonts, visual_order
from models.documents import Party
from tests.test_agreement_pdf import all_text, make_doc

ARABIC = "مريم الحسيني"
HEBREW = "דוד כהן"


def logical(text: str) -> str:
    # Arabic is drawn with its joined presentation forms; NFKC maps them back to letters.
    return unicodedata.normalize("NFKC", text)


def test_hebrew_and_arabic_names_read_back_in_logical_order() -> None:
    doc = make_doc(
        consultant=Party(name=ARABIC),
        client=Party(name=HEBREW, organisation="Café Zoë"),
        context=f"Agreed with {HEBREW} on the plan.\n{ARABIC} تكتب هنا",
    )
    text = all_text(render_agreement(doc))
    assert "\ufffd" not in text  # Arabic used to print as U+FFFD
    assert HEBREW in text and HEBREW[::-1] not in text  # not backwards
    assert ARABIC in logical(text)
    assert f"{ARABIC} تكتب هنا" in logical(text)
    assert "Agreed with" in text and "on the plan." in text
    assert "Café Zoë" in text


def test_right_to_left_lines_are_laid_out_and_others_left_alone() -> None:
    assert visual_order("Plain English, 42") == "Plain English, 42"
    assert visual_order(HEBREW) == HEBREW[::-1]
    shown = visual_order(ARABIC)
    assert shown != ARABIC and logical(shown)[::-1] == ARABIC  # joined forms, reversed
    # An English sentence keeps its order; only the Hebrew run turns round.
    assert visual_order(f"Client {HEBREW} signed") == f"Client {HEBREW[::-1]} signed"


def test_combining_marks_join_their_letters() -> None:
    cov = register_fonts()
    text = drawable("Zoe\u0308 Nguye\u0302\u0303n cafe\u0301", cov)
    assert text == "Zoë Nguyễn café"
    assert "\ufffd" not in drawable("q\u0323 \u05e9\u05c1\u05b8", cov)  # marks the font has
    data = render_agreement(make_doc(client=Party(name="Zoe\u0308 Nguye\u0302\u0303n")))
    assert "Zoë Nguyễn" in all_text(data)
