"""The records the repair wizard's other endings leave (hand-over brief, notice to
insurer, closing summary), rendered for real by ReportLab and read back with pypdf;
the last tests feed the renderer from a real book through the repair services."""

from __future__ import annotations

import re
import subprocess
import sys
from dataclasses import replace
from datetime import UTC, date, datetime
from io import BytesIO
from pathlib import Path

import pypdf
import pytest

from exports.pdf.record import NO_NAME, NOTHING_YET, render_record, write_record
from models.db import Book, open_book
from models.documents import PageSize, Party, RecordDocument, RecordSection
from models.entities import IncidentCategory, Severity
from models.repair import Step
from models.services.clients import ClientInput, Contact, create_client
from models.services.consultant import ConsultantSettings, set_settings
from models.services.incident_evidence import attach_file
from models.services.incidents import IncidentInput, open_incident
from models.services.repair import finish_other, save_step, start_or_resume
from models.services.repair_records import record_for
from tests.test_agreement_pdf import png_bytes
from tests.test_cli import assert_clean_error, rapport

ROOT = Path(__file__).resolve().parents[1]
NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
HOSTILE = "<b>&amp; <font size=40>x</font>"
HEBREW = "שלום עולם"


def make_record(**changes: object) -> RecordDocument:
    doc = RecordDocument(
        kind="Notice to insurer",
        title="Possible claim: Rafael Mendes",
        dated=date(2026, 11, 22),
        consultant=Party(
            name="Jonas Weber",
            organisation="Weber Web Studio",
            address="Lindenstraße 12\n10969 Berlin",
            email="jonas@weber-web.example",
        ),
        client=Party(name="Rafael Mendes", organisation="Mendes Logística", phone="+351 21 1"),
        addressee=Party(name="Hanse Indemnity AG", address="Postfach 12 34\n20095 Hamburg"),
        reference="Policy PI-2291",
        sections=[
            RecordSection("Notice", "I am writing to tell you early about a dispute."),
            RecordSection(
                "What happened",
                "A filter changed in release 2.3.\nThree trucks took the long way.\n\n"
                "He heard it from his drivers.",
            ),
            RecordSection("Evidence kept", items=["hours-log.csv (392 bytes)", "email.txt"]),
        ],
    )
    return replace(doc, **changes)


def pages_text(data: bytes) -> list[str]:
    """Extracted text per page, whitespace runs collapsed to one space."""
    reader = pypdf.PdfReader(BytesIO(data))
    return [re.sub(r"\s+", " ", page.extract_text() or "") for page in reader.pages]


def all_text(data: bytes) -> str:
    return " ".join(pages_text(data))


def test_every_part_of_the_record_is_in_the_text() -> None:
    doc = make_record()
    data = render_record(doc)
    assert data.startswith(b"%PDF-")
    text = all_text(data)
    for words in (
        "Notice to insurer",
        "Possible claim: Rafael Mendes",
        "22 November 2026",
        "Policy PI-2291",
        "FROM Jonas Weber",
        "TO Hanse Indemnity AG",
        "Postfach 12 34 20095 Hamburg",
        # The insurer is not the client, so the client has a block of its own.
        "CLIENT Rafael Mendes",
        "Mendes Logística",
        "Lindenstraße 12",
    ):
        assert words in text
    for section in doc.sections:
        assert section.heading in text
        for item in section.items:
            assert f"\u2022 {item}" in text
    assert "A filter changed in release 2.3. Three trucks took the long way." in text
    info = pypdf.PdfReader(BytesIO(data)).metadata
    assert info is not None
    assert info.title == "Notice to insurer: Possible claim: Rafael Mendes"
    assert info.author == "Jonas Weber" and info.subject == "Notice to insurer"


def test_blank_lines_split_paragraphs_and_single_newlines_break_lines() -> None:
    doc = make_record(sections=[RecordSection("Where things stand", "one\ntwo\n\n\n\nthree")])
    raw = pypdf.PdfReader(BytesIO(render_record(doc))).pages[0].extract_text()
    assert re.search(r"one\s*\n\s*two\s*\n\s*three", raw)
    # Three lines, and the blank ones made no empty paragraphs between them.
    assert "two\n\nthree" not in raw


def test_hostile_text_is_printed_literally_everywhere() -> None:
    doc = make_record(
        kind=f"Notice {HOSTILE}",
        title=f"Claim {HOSTILE}",
        reference=f"Ref {HOSTILE}",
        consultant=Party(name=f"Me {HOSTILE}", address="a < b & c > d"),
        client=Party(name=f"Client {HOSTILE}"),
        addressee=Party(name=f"Insurer {HOSTILE}", email="x&y@example.test"),
        sections=[RecordSection(f"Heading {HOSTILE}", f"Body {HOSTILE}", [f"Item {HOSTILE}"])],
    )
    text = all_text(render_record(doc))
    for where in ("Notice", "Claim", "Ref", "Me", "Client", "Insurer", "Heading", "Body"):
        assert f"{where} {HOSTILE}" in text, where
    assert f"\u2022 Item {HOSTILE}" in text
    assert "a < b & c > d" in text and "x&y@example.test" in text


def test_right_to_left_emoji_and_control_characters() -> None:
    doc = make_record(
        title=f"Claim by {HEBREW}",
        client=Party(name="דוד כהן 😀 漢字"),
        sections=[
            RecordSection(
                "What happened",
                f"tab\there, bell\x07, nul\x00, marks \u200f{HEBREW}\u200f end",
                [f"{HEBREW} 👍", "lone surrogate \ud800 end"],
            )
        ],
    )
    data = render_record(doc)
    text = all_text(data)
    # Issue 17: right-to-left lines are laid out before drawing (python-bidi), so
    # pypdf reads them back in typing order; before, ReportLab drew them backwards.
    assert HEBREW in text and HEBREW[::-1] not in text
    assert "דוד כהן" in text and "דוד כהן"[::-1] not in text
    # What the font cannot draw becomes U+FFFD, which extracts cleanly; in the
    # right-to-left name the emoji and the two CJK characters are laid out right to left.
    assert "\ufffd\ufffd \ufffd" in text
    assert "tab here, bell, nul, marks" in text
    assert "lone surrogate \ufffd end" in text
    assert b"<1F600>" not in data and b"<1F44D>" not in data


def test_a_five_thousand_character_word_wraps_everywhere() -> None:
    word = "".join("abcdefghij"[i % 10] for i in range(5000))
    doc = make_record(
        title=word[:400],
        addressee=Party(name="Insurer", address=word[:2000]),
        sections=[RecordSection("Long", word, [word])],
    )
    pages = pages_text(render_record(doc))
    assert len(pages) > 2
    bodies = [re.sub(r"Notice to insurer · \S+ Page \d+ of \d+", "", p) for p in pages]
    squashed = re.sub(r"\s+", "", "".join(bodies))
    assert squashed.count(word) >= 2  # the paragraph and the item, whole
    assert squashed.count(word[:2000]) >= 3  # and the insurer's address


def test_three_hundred_items_run_over_pages_each_numbered() -> None:
    items = [f"Entry number {i:03d} of the incident's history" for i in range(1, 301)]
    doc = make_record(sections=[RecordSection("History", items=items)])
    pages = pages_text(render_record(doc))
    total = len(pages)
    assert total >= 4
    for n, page in enumerate(pages, start=1):
        assert f"Page {n} of {total}" in page
        assert "Notice to insurer · Possible claim: Rafael Mendes" in page
    text = " ".join(pages)
    assert all(f"Entry number {i:03d} " in text for i in range(1, 301))


def test_a_long_footer_is_shortened_not_overprinted() -> None:
    doc = make_record(title="A very long title " * 20)
    [page] = pages_text(render_record(doc))
    footer = page.rsplit("Policy PI-2291", 1)[-1]
    assert "\u2026 Page 1 of 1" in footer


def test_addressee_is_the_client_or_missing() -> None:
    client = Party(name="Rafael Mendes", email="rafael@mendes.example")
    to_client = all_text(render_record(make_record(client=client, addressee=client)))
    assert "TO Rafael Mendes" in to_client and "CLIENT" not in to_client
    nobody = all_text(render_record(make_record(client=client, addressee=None)))
    assert "CLIENT Rafael Mendes" in nobody and " TO " not in nobody


def test_unnamed_parties_and_empty_sections() -> None:
    doc = make_record(
        addressee=Party(name="  "),
        reference="",
        sections=[RecordSection("Blank", "  \n\n ", ["", "  "])],
    )
    text = all_text(render_record(doc))
    assert f"TO {NO_NAME}" in text
    assert "Blank" not in text  # a section with nothing in it gets no heading
    assert NOTHING_YET in text
    assert "Policy" not in text


@pytest.mark.parametrize(
    ("size", "expected"),
    [(PageSize.A4, (595.28, 841.89)), (PageSize.LETTER, (612.0, 792.0))],
)
def test_page_sizes(size: PageSize, expected: tuple[float, float]) -> None:
    reader = pypdf.PdfReader(BytesIO(render_record(make_record(), page_size=size)))
    for page in reader.pages:
        assert float(page.mediabox.width) == pytest.approx(expected[0], abs=0.5)
        assert float(page.mediabox.height) == pytest.approx(expected[1], abs=0.5)


def test_logo_is_drawn_and_a_broken_logo_is_skipped() -> None:
    reader = pypdf.PdfReader(BytesIO(render_record(make_record(logo_png=png_bytes()))))
    assert len(reader.pages[0].images) == 1
    broken = render_record(make_record(logo_png=b"\x89PNG\r\n\x1a\n"))
    assert len(pypdf.PdfReader(BytesIO(broken)).pages[0].images) == 0
    assert "Notice to insurer" in all_text(broken)


def test_only_the_bundled_fonts_are_embedded_for_the_text() -> None:
    """Bullets too are drawn in DejaVu Sans, so every glyph of the record is embedded."""
    reader = pypdf.PdfReader(BytesIO(render_record(make_record())))
    embedded = set()
    for page in reader.pages:
        fonts = page["/Resources"]["/Font"]
        for ref in fonts.values():
            font = ref.get_object()
            if "/FontDescriptor" in font:
                embedded.add(str(font["/BaseFont"]).split("+")[-1])
    assert embedded == {"DejaVuSans", "DejaVuSans-Bold"}


def test_rendering_twice_gives_the_same_bytes() -> None:
    doc = make_record(logo_png=png_bytes())
    assert render_record(doc) == render_record(doc)


def test_write_record_is_atomic_and_private(tmp_path: Path) -> None:
    out = tmp_path / "record.pdf"
    out.write_bytes(b"old")
    write_record(make_record(), out, page_size=PageSize.LETTER)
    assert out.read_bytes() == render_record(make_record(), page_size=PageSize.LETTER)
    assert (out.stat().st_mode & 0o777) == 0o600
    assert [p.name for p in tmp_path.iterdir()] == ["record.pdf"]


def test_import_does_not_load_reportlab() -> None:
    code = (
        "import sys\n"
        "import exports.pdf.record\n"
        "loaded = sorted(m for m in sys.modules if m.split('.')[0] == 'reportlab')\n"
        "assert not loaded, loaded\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr


# --------------------------------------------------------------------------- from a real book


def _incident(book: Book, tmp_path: Path) -> int:
    """A client with a threatened claim and one evidence file, made through the services."""
    set_settings(
        book,
        ConsultantSettings(
            name="Jonas Weber",
            business="Weber Web Studio",
            address="Lindenstraße 12\n10969 Berlin",
            email="jonas@weber-web.example",
        ),
    )
    cid = create_client(
        book,
        ClientInput(
            name="Rafael Mendes",
            organisation="Mendes Logística",
            emails=[Contact("rafael@mendes-log.example", "work")],
        ),
        now=NOW,
    )
    iid = open_incident(
        book,
        cid,
        IncidentInput(
            "Wrong routes in the delivery report",
            IncidentCategory.CLAIM_THREATENED,
            Severity.CRITICAL,
            client_view="Three trucks went the long way for two weeks.",
            our_view="A region filter changed in release 2.3.",
        ),
        now=NOW,
    )
    log = tmp_path / "hours-log.csv"
    log.write_text("date,task,hours\n2026-11-20,Traced the filter,3\n", encoding="utf-8")
    attach_file(book, iid, log, now=NOW)
    return iid


def _plan_at(book: Book, incident_id: int, ending: Step, values: dict[str, str]) -> int:
    plan = start_or_resume(book, incident_id, now=NOW)
    save_step(
        book,
        plan.id,
        Step.FACTS,
        {"facts": "Release 2.3 changed the region filter.\nNobody compared the totals."},
        now=NOW,
    )
    save_step(book, plan.id, ending, values, go_to=ending, now=NOW)
    return plan.id


def test_hand_over_brief_from_the_services(book: Book, tmp_path: Path) -> None:
    iid = _incident(book, tmp_path)
    plan_id = _plan_at(
        book,
        iid,
        Step.HAND_OVER,
        {
            "successor": "Lena Fischer",
            "successor_contact": "lena@fischer-data.example",
            "handover_state": "The fix is on the test server.",
            "access_notes": "Report server login: shared vault, entry <Mendes & Co>.",
        },
    )
    text = all_text(render_record(record_for(book, plan_id, today=date(2026, 11, 24))))
    assert text.startswith("Hand-over brief Rafael Mendes: Wrong routes in the delivery report")
    assert "24 November 2026" in text
    assert "FROM Jonas Weber" in text and "TO Lena Fischer lena@fischer-data.example" in text
    assert "CLIENT Rafael Mendes Mendes Logística rafael@mendes-log.example" in text
    assert "Where things stand The fix is on the test server." in text
    assert "Access and accounts Report server login: shared vault, entry <Mendes & Co>." in text
    assert "What happened Release 2.3 changed the region filter. Nobody compared" in text
    assert "How Rafael sees it Three trucks went the long way" in text

    finish_other(book, plan_id, Step.HAND_OVER, now=NOW)
    finished = all_text(render_record(record_for(book, plan_id)))
    assert "23 November 2026" in finished  # the day the repair ended
    assert "Handed over to Lena Fischer; hand-over brief written." in finished


def test_notice_to_insurer_from_the_services(book: Book, tmp_path: Path) -> None:
    iid = _incident(book, tmp_path)
    plan_id = _plan_at(
        book,
        iid,
        Step.INSURER,
        {
            "insurer_name": "Hanse Indemnity AG",
            "insurer_policy": "PI-2291",
            "insurer_contact": "claims@hanse.example\nPostfach 12 34",
            "notice": "",
        },
    )
    finish_other(book, plan_id, Step.INSURER, now=NOW)
    pages = pages_text(render_record(record_for(book, plan_id)))
    text = " ".join(pages)
    assert text.startswith("Notice to insurer Possible claim: Rafael Mendes 23 November 2026")
    assert "Policy PI-2291" in text
    assert "TO Hanse Indemnity AG claims@hanse.example Postfach 12 34" in text
    assert "CLIENT Rafael Mendes" in text
    # The drafted notice, since the user left it empty.
    assert "let you know early about a dispute" in text
    assert re.search(r"Evidence kept • hours-log\.csv \(\d+ bytes, added 23 Nov 2026", text)
    # Issue 17, point 2: the insurer's dates are dates and kinds of events, never a
    # timeline entry's words (this entry's words were "Insurer told: Hanse …").
    assert "Dates • 23 Nov 2026: Decision" in text and "Insurer told" not in text
    assert all(f"Page {n} of {len(pages)}" in p for n, p in enumerate(pages, 1))


def test_closing_summary_from_the_services(book: Book, tmp_path: Path) -> None:
    iid = _incident(book, tmp_path)
    plan_id = _plan_at(
        book,
        iid,
        Step.PART_WAYS,
        {
            "we_owe": "A refund of the November retainer.",
            "they_owe": "",
            "closing_message": "Thank you for four good years.\n\nEverything is in the folder.",
        },
    )
    finish_other(book, plan_id, Step.PART_WAYS, now=NOW)
    text = all_text(render_record(record_for(book, plan_id)))
    assert text.startswith("Closing summary Ending our work together: Rafael Mendes")
    assert "TO Rafael Mendes" in text and "CLIENT" not in text  # written to the client
    assert "Closing message Thank you for four good years. Everything is in the folder." in text
    assert "What I still owe you A refund of the November retainer." in text
    assert "What you still owe me Nothing." in text


# --------------------------------------------------------------------------- command line


def _cli_book(path: Path, tmp_path: Path) -> tuple[Book, int]:
    book = open_book(path)
    return book, _incident(book, tmp_path)


def test_cli_writes_the_record_of_a_finished_repair(tmp_path: Path) -> None:
    path, out = tmp_path / "b.db", tmp_path / "brief.pdf"
    book, iid = _cli_book(path, tmp_path)
    try:
        plan_id = _plan_at(book, iid, Step.HAND_OVER, {"successor": "Lena <Fischer> & Co"})
        finish_other(book, plan_id, Step.HAND_OVER, now=NOW)
        expected = render_record(record_for(book, plan_id))
    finally:
        book.close()
    result = rapport("--db", path, "pdf", "repair", str(iid), out, check=True)
    assert result.stdout.startswith(f"Wrote the hand-over brief of incident {iid} to {out} (")
    assert "preview" not in result.stdout
    assert out.read_bytes() == expected
    assert "TO Lena <Fischer> & Co" in all_text(out.read_bytes())


def test_cli_previews_a_plan_standing_on_an_ending(tmp_path: Path) -> None:
    path, out = tmp_path / "b.db", tmp_path / "notice.pdf"
    book, iid = _cli_book(path, tmp_path)
    try:
        _plan_at(book, iid, Step.INSURER, {"insurer_name": "Hanse Indemnity AG"})
    finally:
        book.close()
    result = rapport("--db", path, "pdf", "repair", str(iid), out, check=True)
    assert "notice to insurer" in result.stdout and "a preview" in result.stdout
    assert "TO Hanse Indemnity AG" in all_text(out.read_bytes())


def test_cli_names_the_agreement_a_repair_ended_in(tmp_path: Path) -> None:
    from models.services.agreements import get_agreement
    from models.services.repair import finish_with_agreement

    path, out = tmp_path / "b.db", tmp_path / "x.pdf"
    book, iid = _cli_book(path, tmp_path)
    try:
        plan = start_or_resume(book, iid, now=NOW)
        save_step(book, plan.id, Step.FACTS, {"facts": "The filter changed."}, now=NOW)
        aid = finish_with_agreement(book, plan.id, now=NOW)
        number = get_agreement(book, aid).row.number
    finally:
        book.close()
    result = rapport("--db", path, "pdf", "repair", str(iid), out)
    assert_clean_error(result, f"agreement {number}", f"rapport pdf agreement {aid} OUT")
    assert not out.exists()


def test_cli_refuses_a_repair_still_under_way_and_unknown_incidents(tmp_path: Path) -> None:
    path, out = tmp_path / "b.db", tmp_path / "x.pdf"
    book, iid = _cli_book(path, tmp_path)
    book.close()
    result = rapport("--db", path, "pdf", "repair", str(iid), out)
    assert_clean_error(result, f"Incident {iid} has no repair yet")

    book = open_book(path)
    try:
        plan = start_or_resume(book, iid, now=NOW)
        save_step(book, plan.id, Step.STATE, {"project_state": "Half done."}, go_to=Step.STATE)
    finally:
        book.close()
    result = rapport("--db", path, "pdf", "repair", str(iid), out)
    assert_clean_error(result, "still under way (step 5, where things stand)")

    result = rapport("--db", path, "pdf", "repair", "999", out)
    assert_clean_error(result, "no incident with id 999")
    assert not out.exists()
