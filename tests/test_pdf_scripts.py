"""Text as written, in every script (issue 17, Build 8): Hebrew and Arabic are laid
out right to left and Arabic letters joined, so a PDF reader reads them back in the
order they were typed; combining marks join their letters instead of printing boxes."""

from __future__ import annotations

import io
import unicodedata

from pypdf import PdfReader
from reportlab.lib.enums import TA_LEFT, TA_RIGHT

from exports.pdf.agreement import render_agreement
from exports.pdf.common import drawable, make_styles, register_fonts, text_flowables, visual_order
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


HEBREW_WORDS = ["אחד", "שתיים", "שלוש", "ארבע", "חמש", "שש", "שבע", "שמונה", "תשע", "עשר"]


def hebrew_paragraph(first: str, last: str, rounds: int = 4) -> str:
    """A Hebrew paragraph that wraps to several lines, with marked first and last words."""
    return " ".join([first, *(HEBREW_WORDS * rounds), last])


def page_lines(data: bytes) -> list[str]:
    """The extracted lines of every page, in page order."""
    return [
        line
        for page in PdfReader(io.BytesIO(data)).pages
        for line in page.extract_text().splitlines()
    ]


def test_a_wrapped_hebrew_paragraph_keeps_its_lines_in_reading_order() -> None:
    # Issue 17, point 8: reordering the whole paragraph before ReportLab wrapped it
    # put its last words on the first line. Now each line is reordered as it is drawn.
    para = hebrew_paragraph("פתיחה", "סוף")
    data = render_agreement(make_doc(context=para))
    lines = [line.strip() for line in page_lines(data) if any(w in line for w in HEBREW_WORDS)]
    assert len(lines) >= 3
    assert lines[0].startswith("פתיחה")  # the first words on the first line
    assert lines[-1].endswith("סוף")  # and the last on the last
    assert " ".join(" ".join(lines).split()) == para  # every word, in the typed order
    assert "סוף" not in lines[0] and "פתיחה" not in lines[-1]


def test_wrapped_arabic_and_markup_characters_keep_their_order_too() -> None:
    arabic = "البداية " + " ".join(["واحد اثنان ثلاثة أربعة خمسة ستة سبعة ثمانية تسعة عشرة"] * 4)
    arabic += " النهاية"
    hebrew = hebrew_paragraph("פתיחה &", "& סוף")  # "&" once cut the line into pieces
    data = render_agreement(make_doc(context=f"{arabic}\n\n{hebrew}"))
    lines = [logical(line).strip() for line in page_lines(data)]
    ar = [line for line in lines if "عشرة" in line or "ثلاثة" in line]
    assert len(ar) >= 3 and ar[0].startswith("البداية") and ar[-1].endswith("النهاية")
    he = [line for line in lines if any(w in line for w in HEBREW_WORDS)]
    assert len(he) >= 3
    assert he[0].startswith("פתיחה &") and he[-1].endswith("& סוף")


def test_right_to_left_paragraphs_are_right_aligned_and_others_left() -> None:
    cov = register_fonts()
    st = make_styles()
    (hebrew,) = text_flowables(hebrew_paragraph("פתיחה", "סוף"), st.body, cov)
    (mixed,) = text_flowables(f"Agreed with {HEBREW} on the plan.", st.body, cov)
    (plain,) = text_flowables("Plain English.", st.body, cov)
    assert hebrew.style.alignment == TA_RIGHT
    assert mixed.style.alignment == TA_LEFT and plain.style is st.body
    # A right-to-left paragraph split across pages carries on right to left.
    hebrew.wrap(200, 10_000)
    first, rest = hebrew.split(200, hebrew.style.leading * 2)
    assert first.base_direction == rest.base_direction == "R"
