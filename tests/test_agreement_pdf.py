"""The agreement PDF, rendered for real by ReportLab and read back with pypdf."""

from __future__ import annotations

import re
import subprocess
import sys
from dataclasses import replace
from datetime import date, timedelta
from io import BytesIO
from pathlib import Path

import pypdf
import pytest

from exports.pdf.agreement import render_agreement, write_agreement
from exports.pdf.common import plain_date
from models.documents import AgreementDocument, CommitmentLine, PageSize, Party

ROOT = Path(__file__).resolve().parents[1]
HEADER = "# Commitment Due State"


def make_doc(**changes: object) -> AgreementDocument:
    doc = AgreementDocument(
        number="AG-2026-0007 v2",
        title="Relaunch agreement",
        dated=date(2026, 11, 22),
        consultant=Party(
            name="Jonas Weber",
            organisation="Weber Web Studio",
            email="jonas@example.test",
            address="Lindenstraße 12\n10969 Berlin",
        ),
        client=Party(name="Marta Kowalska", organisation="Kowalska Bakery", phone="+49 30 1"),
        context="The shop launch slipped.\nNobody said so in time.",
        points=["Launch dates were unclear", "Weekly updates from now on"],
        ours=[
            CommitmentLine("Ship the card payments", date(2026, 12, 4)),
            CommitmentLine("Send a Friday status mail", date(2026, 11, 27), "kept"),
        ],
        theirs=[CommitmentLine("Send product photos", date(2026, 11, 26))],
        review_on=date(2027, 2, 22),
        status="final",
    )
    return replace(doc, **changes)


def pages_text(data: bytes) -> list[str]:
    """Extracted text per page, whitespace runs collapsed to one space."""
    reader = pypdf.PdfReader(BytesIO(data))
    return [re.sub(r"\s+", " ", page.extract_text() or "") for page in reader.pages]


def all_text(data: bytes) -> str:
    return " ".join(pages_text(data))


def test_dates_are_printed_plainly() -> None:
    # Issue 17: through models.dates, with non-breaking spaces so a date never wraps.
    assert plain_date(date(2026, 11, 22)) == "22\u00a0November\u00a02026"
    assert plain_date(date(2027, 1, 3)) == "3\u00a0January\u00a02027"


def test_every_commitment_party_and_review_date_is_in_the_text() -> None:
    doc = make_doc(client=Party(name="<b>Smith & Co</b>", organisation="A&B <Ltd>"))
    data = render_agreement(doc)
    assert data.startswith(b"%PDF-")
    text = all_text(data)
    for line in doc.ours + doc.theirs:
        assert line.text in text
    assert "Jonas Weber" in text
    assert "<b>Smith & Co</b>" in text
    assert "A&B <Ltd>" in text
    assert "We will review this agreement on 22 February 2027." in text
    assert "4 December 2026" in text
    assert "Launch dates were unclear" in text
    assert "Kept" in text


def test_escaping_keeps_markup_and_entities_literal() -> None:
    doc = make_doc(context="a &amp; b <br/> c <font size=40>x</font>", points=["<i>not italic</i>"])
    text = all_text(render_agreement(doc))
    assert "a &amp; b <br/> c <font size=40>x</font>" in text
    assert "<i>not italic</i>" in text


def test_newlines_in_user_text_become_line_breaks() -> None:
    doc = make_doc(context="first line\nsecond line")
    raw = pypdf.PdfReader(BytesIO(render_agreement(doc))).pages[0].extract_text()
    assert re.search(r"first line\s*\n\s*second line", raw)


def test_greek_and_cyrillic_names_survive() -> None:
    doc = make_doc(
        consultant=Party(name="Ελένη Παπαδοπούλου"),
        client=Party(name="Дмитрий Иванов", organisation="Ёлка ООО"),
    )
    text = all_text(render_agreement(doc))
    assert "Ελένη Παπαδοπούλου" in text
    assert "Дмитрий Иванов" in text
    assert "Ёлка ООО" in text


def test_emoji_cjk_and_control_characters_do_not_crash() -> None:
    doc = make_doc(
        client=Party(name="Happy 😀 client 漢字"),
        context="tab\there, bell\x07, nul\x00, lone surrogate \ud800 end",
        ours=[CommitmentLine("Reply within 24h 👍 ✅ 漢字")],
        number="AG-😀-1",
    )
    data = render_agreement(doc)
    text = all_text(data)
    # Missing glyphs become U+FFFD, which extracts cleanly (no broken ToUnicode map).
    assert "Happy \ufffd client \ufffd\ufffd" in text
    assert "Reply within 24h \ufffd \ufffd \ufffd\ufffd" in text
    assert "tab here, bell, nul, lone surrogate \ufffd end" in text
    assert b"<1F600>" not in data and "AG-\ufffd-1" in text


def test_many_commitments_paginate_with_repeated_headers_and_footers() -> None:
    ours = [CommitmentLine(f"Commitment number {i:03d}", date(2027, 1, 1)) for i in range(1, 501)]
    data = render_agreement(make_doc(ours=ours))
    pages = pages_text(data)
    total = len(pages)
    assert total >= 5
    for n, page in enumerate(pages, start=1):
        assert f"Page {n} of {total}" in page
        assert "AG-2026-0007 v2" in page
        if re.search(r"Commitment number \d{3}", page):
            assert HEADER in page, f"no table header on page {n}"
    text = " ".join(pages)
    for i in (1, 250, 500):
        assert f"Commitment number {i:03d}" in text


def test_footer_page_count_on_a_short_document() -> None:
    pages = pages_text(render_agreement(make_doc()))
    assert [f"Page {n} of {len(pages)}" in p for n, p in enumerate(pages, 1)] == [True] * len(pages)


def test_a_five_thousand_character_word_wraps() -> None:
    word = "".join("abcdefghij"[i % 10] for i in range(5000))
    doc = make_doc(
        context=word,
        points=[word],
        ours=[CommitmentLine(word, date(2027, 1, 1))],
        client=Party(name=word[:300], address=word[:2000]),
    )
    pages = pages_text(render_agreement(doc))
    assert len(pages) > 2
    # Drop each page's footer, then the word must survive whole across lines and pages.
    bodies = [re.sub(r"AG-2026-0007 v2 Page \d+ of \d+", "", p) for p in pages]
    squashed = re.sub(r"\s+", "", "".join(bodies))
    assert word in squashed
    assert squashed.count(word[:2000]) >= 4  # context, point, commitment, address


def test_very_long_text_in_a_cell_and_context_paginates() -> None:
    long_text = " ".join(f"word{i}" for i in range(6000))
    doc = make_doc(context=long_text, ours=[CommitmentLine(long_text)])
    pages = pages_text(render_agreement(doc))
    assert len(pages) > 3
    text = " ".join(pages)
    assert "word0 " in text and "word5999" in text


@pytest.mark.parametrize(
    ("size", "expected"),
    [(PageSize.A4, (595.28, 841.89)), (PageSize.LETTER, (612.0, 792.0))],
)
def test_page_sizes(size: PageSize, expected: tuple[float, float]) -> None:
    reader = pypdf.PdfReader(BytesIO(render_agreement(make_doc(), page_size=size)))
    for page in reader.pages:
        box = page.mediabox
        assert float(box.width) == pytest.approx(expected[0], abs=0.5)
        assert float(box.height) == pytest.approx(expected[1], abs=0.5)


def test_draft_and_superseded_are_marked() -> None:
    assert "DRAFT" in all_text(render_agreement(make_doc(status="draft")))
    assert "Superseded" in all_text(render_agreement(make_doc(status="superseded")))
    final = all_text(render_agreement(make_doc(status="final")))
    assert "DRAFT" not in final and "Superseded" not in final


def test_empty_sections_still_render() -> None:
    doc = make_doc(context="", points=[], ours=[], theirs=[], review_on=None)
    text = all_text(render_agreement(doc))
    assert "Nothing recorded." in text
    assert "No review date has been set." in text
    assert "Context" not in text


def png_bytes() -> bytes:
    """A real 40x20 PNG, drawn with Pillow (ReportLab depends on it)."""
    from PIL import Image

    buf = BytesIO()
    Image.new("RGB", (40, 20), (29, 78, 137)).save(buf, format="PNG")
    return buf.getvalue()


def test_logo_is_drawn_and_a_broken_logo_is_skipped() -> None:
    with_logo = render_agreement(make_doc(logo_png=png_bytes()))
    reader = pypdf.PdfReader(BytesIO(with_logo))
    assert len(reader.pages[0].images) == 1
    good = png_bytes()
    for broken in (b"not a png at all", good[: len(good) // 2], b"\x89PNG\r\n\x1a\n"):
        data = render_agreement(make_doc(logo_png=broken))
        assert len(pypdf.PdfReader(BytesIO(data)).pages[0].images) == 0
        assert "Relaunch agreement" in all_text(data)


def test_write_agreement_is_atomic_and_private(tmp_path: Path) -> None:
    out = tmp_path / "agreement.pdf"
    out.write_bytes(b"old")
    write_agreement(make_doc(), out, page_size=PageSize.LETTER)
    assert out.read_bytes().startswith(b"%PDF-")
    assert (out.stat().st_mode & 0o777) == 0o600
    assert [p.name for p in tmp_path.iterdir()] == ["agreement.pdf"]
    box = pypdf.PdfReader(out).pages[0].mediabox
    assert float(box.width) == pytest.approx(612.0)


def test_rendering_twice_gives_the_same_bytes() -> None:
    doc = make_doc(review_on=date(2026, 11, 22) + timedelta(days=91))
    assert render_agreement(doc) == render_agreement(doc)


def test_import_does_not_load_reportlab() -> None:
    code = (
        "import sys\n"
        "import exports.pdf.agreement\n"
        "loaded = sorted(m for m in sys.modules if m.split('.')[0] == 'reportlab')\n"
        "assert not loaded, loaded\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr


def test_fonts_and_licence_are_bundled() -> None:
    fonts = ROOT / "resources" / "fonts"
    for name in ("DejaVuSans", "DejaVuSans-Bold", "DejaVuSans-Oblique", "DejaVuSans-BoldOblique"):
        assert (fonts / f"{name}.ttf").stat().st_size > 100_000
    assert "Bitstream" in (fonts / "LICENSE-DejaVu.txt").read_text(encoding="utf-8")


def test_review_date_and_signatures_never_part_whatever_the_length() -> None:
    """Issue 17: the review date and both signature lines (name, date) are one block.
    As the points grow, the block moves to the next page whole, never the signatures
    alone, and it never leaves the review date behind."""
    base = AgreementDocument(
        number="AG-2026-0001",
        title="Our agreement \u2014 6 December 2026",
        dated=date(2026, 12, 6),
        consultant=Party("Mia Consultant", organisation="Mia Advisory"),
        client=Party("Rafael Ortiz"),
        context="What happened\nThe March invoice billed twelve hours.",
        ours=[CommitmentLine("Weekly time report")],
        theirs=[CommitmentLine("Feedback within three days")],
        review_on=date(2027, 3, 8),
    )
    moved = 0
    for n in range(0, 40, 3):
        doc = replace(base, points=[f"Point {i}: a line of what we discussed." for i in range(n)])
        pages = pages_text(render_agreement(doc))
        [review] = [i for i, p in enumerate(pages) if "We will review this agreement on" in p]
        [mine] = [i for i, p in enumerate(pages) if "Signature \u2014 Mia Consultant" in p]
        [theirs] = [i for i, p in enumerate(pages) if "Signature \u2014 Rafael Ortiz" in p]
        assert review == mine == theirs, n
        assert pages[review].count("Date") >= 2, n
        moved += review > 0
    assert moved  # some lengths did push the block onto a later page
