"""Issue 17: what each document's reader receives. Every repair is walked through the
real services on a real book with distinctive private words in every private field;
the printed PDF (through the printing service, read back with pypdf) must hold the
fields its audience may see and none of the private ones."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pypdf
import pytest

from models.db import Book
from models.documents import (
    Audience,
    PageSize,
    Party,
    RecordDocument,
    RecordSection,
    Topic,
)
from models.entities import IncidentCategory, Severity
from models.repair import Step
from models.services import printing
from models.services.agreement_documents import pdf_renderer
from models.services.agreements import finalise, get_agreement
from models.services.clients import ClientInput, Contact, create_client
from models.services.incident_evidence import attach_file
from models.services.incident_timeline import timeline
from models.services.incidents import IncidentInput, open_incident
from models.services.repair import (
    finish_other,
    finish_with_agreement,
    get_plan,
    save_step,
    start_or_resume,
)
from tests.consultant import give_details

NOW = datetime(2026, 12, 6, 10, 0, tzinfo=UTC)

# Every field a consultant fills in while preparing, each with words found nowhere
# else. Which of them are private depends on who reads the document.
WORDS = {
    "facts": "Factsalpha the March invoice billed twelve hours.",
    "client_view": "Allegationbravo we paid for hours nobody worked.",
    "our_view": "Ourviewcharlie the log missed two calls.",
    "reply": "Replydelta thank you for telling me.",
    "figures": "Figuresecho twelve billed, nine logged.",
    "our_mistakes": "Mistakefoxtrot I did not log the calls.",
    "client_contribution": "Contribgolf the scope grew by phone.",
    "apology": "Apologyhotel I am sorry about the invoice.",
    "project_state": "Stateindia phase two of three.",
    "done_so_far": "Donejuliet the audit and the first report.",
    "choices": "Choiceskilo we chose the cheaper host.",
    "client_choices": "Theirchoiceslima skipped the review call.",
    "why_hired": "Hiredmike to grow online orders.",
    "check_in": "Checkinnovember how are things going?",
    "notes": "Notesoscar nobody owned the time log.",
    "points": "Pointpapa invoices monthly from now on.",
    "ours": "Ourscommitquebec weekly time report.",
    "theirs": "Theirscommitromeo feedback within three days.",
    "successor": "Sierrasuccessor Ltd",
    "handover_state": "Handoverstatetango halfway through phase two.",
    "access_notes": "Accessuniform the admin login is in the vault.",
    "insurer_name": "Victorinsure Mutual",
    "insurer_policy": "PI-WHISKEY-77",
    "notice": "Noticexray a client disputes an invoice.",
    "we_owe": "Weoweyankee the last report.",
    "they_owe": "Theyowezulu invoice 42.",
    "closing_message": "Closingamber thank you for the work together.",
}


def marker(field: str) -> str:
    """The distinctive first word of a field's text, as pypdf reads it back."""
    return WORDS[field].split()[0]


@pytest.fixture
def incident(book: Book, tmp_path: Path) -> int:
    give_details(book)
    cid = create_client(
        book,
        ClientInput(
            name="Rafael Ortiz", organisation="Ortiz Freight", emails=[Contact("r@o.example")]
        ),
        now=NOW - timedelta(days=40),
    )
    iid = open_incident(
        book,
        cid,
        IncidentInput(
            "Invoice 42 disputed: billed hours for March",
            IncidentCategory.MONEY_SURPRISE,
            Severity.HIGH,
        ),
        now=NOW - timedelta(days=2),
    )
    log = tmp_path / "march-hours.csv"
    log.write_text("date,hours\n2026-03-02,3\n", encoding="utf-8")
    attach_file(book, iid, log, now=NOW - timedelta(days=1))
    return iid


def walk(book: Book, incident_id: int) -> int:
    """The whole playbook and every ending's page filled in, as a thorough consultant
    would before choosing how to end; returns the plan's id."""
    plan = start_or_resume(book, incident_id, now=NOW)
    w = WORDS
    pages: dict[Step, dict[str, object]] = {
        Step.FACTS: {
            "facts": w["facts"],
            "client_view": w["client_view"],
            "our_view": w["our_view"],
            "reply": w["reply"],
        },
        Step.EVIDENCE: {"evidence_ids": [1], "figures": w["figures"]},
        Step.BOTH_SIDES: {
            "our_mistakes": w["our_mistakes"],
            "client_contribution": w["client_contribution"],
        },
        Step.APOLOGY: {"apology": w["apology"]},
        Step.STATE: {
            "project_state": w["project_state"],
            "done_so_far": w["done_so_far"],
            "choices": w["choices"],
            "client_choices": w["client_choices"],
        },
        Step.GOALS: {"why_hired": w["why_hired"], "priorities": ["Priorityfirst quick replies"]},
        Step.OUR_CHANGE: {"ours": [{"text": w["ours"], "due_on": "2026-12-18"}]},
        Step.OUR_REQUEST: {"theirs": [{"text": w["theirs"], "due_on": None}]},
        Step.TIMEFRAME: {"review_on": "2027-03-08", "check_in": w["check_in"]},
        Step.IN_WRITING: {"points": [w["points"]], "notes": w["notes"]},
        Step.HAND_OVER: {
            "successor": w["successor"],
            "handover_state": w["handover_state"],
            "access_notes": w["access_notes"],
        },
        Step.INSURER: {
            "insurer_name": w["insurer_name"],
            "insurer_policy": w["insurer_policy"],
            "notice": w["notice"],
        },
        Step.PART_WAYS: {
            "we_owe": w["we_owe"],
            "they_owe": w["they_owe"],
            "closing_message": w["closing_message"],
        },
    }
    for step, values in pages.items():
        save_step(book, plan.id, step, values, mark_done=True, now=NOW)
    return plan.id


def pages_of(data: bytes) -> list[str]:
    return [p.extract_text() for p in pypdf.PdfReader(io.BytesIO(data)).pages]


def text_of(data: bytes) -> str:
    return "\n".join(pages_of(data))


def check(text: str, allowed: set[str]) -> None:
    """Every allowed field is printed; every other field's words are not."""
    for field in WORDS:
        if field in allowed:
            assert marker(field) in text, f"{field} should be in the document"
        else:
            assert marker(field) not in text, f"{field} leaked into the document"


def test_the_agreement_holds_only_what_the_client_may_see(book: Book, incident: int) -> None:
    plan = walk(book, incident)
    agreement_id = finish_with_agreement(book, plan, now=NOW)
    finalise(book, agreement_id, pdf_renderer(book), now=NOW)
    data = printing.repair_job(book, plan)()
    text = text_of(data)
    check(
        text,
        {
            "facts",
            "client_view",
            "our_mistakes",
            "client_contribution",
            "project_state",
            "done_so_far",
            "choices",
            "client_choices",
            "why_hired",
            "notes",
            "points",
            "ours",
            "theirs",
        },
    )
    assert "went through the record" not in text
    assert "Our agreement \u2014 6 December 2026" in text
    assert "Invoice 42 disputed" not in text  # our name for it, not the client's
    # The context's labels print as headings, each on a line of its own.
    assert "\nHow Rafael sees it\n" in f"\n{text}\n"
    assert "Mia Consultant" in text and "Mia Advisory" in text


def test_the_review_date_and_signatures_share_a_page(book: Book, incident: int) -> None:
    plan = walk(book, incident)
    agreement_id = finish_with_agreement(book, plan, now=NOW)
    finalise(book, agreement_id, pdf_renderer(book), now=NOW)
    pages = pages_of(printing.agreement_job(book, agreement_id)())
    [review_page] = [i for i, p in enumerate(pages) if "We will review this agreement on" in p]
    [signature_page] = [i for i, p in enumerate(pages) if "Signature \u2014 Rafael Ortiz" in p]
    assert review_page == signature_page
    assert "Signature \u2014 Mia Consultant" in pages[signature_page]
    assert pages[signature_page].count("Date") >= 2


def test_the_hand_over_brief_holds_what_a_successor_needs(book: Book, incident: int) -> None:
    plan = walk(book, incident)
    finish_other(book, plan, Step.HAND_OVER, now=NOW)
    text = text_of(printing.repair_job(book, plan)())
    check(
        text,
        {
            "facts",
            "client_view",
            "our_view",
            "why_hired",
            "successor",
            "handover_state",
            "access_notes",
        },
    )


def test_the_insurer_notice_admits_nothing(book: Book, incident: int) -> None:
    plan = walk(book, incident)
    finish_other(book, plan, Step.INSURER, now=NOW)
    text = text_of(printing.repair_job(book, plan)())
    check(
        text,
        {"facts", "client_view", "done_so_far", "insurer_name", "insurer_policy", "notice"},
    )
    assert "What I got wrong" not in text and "How I see it" not in text
    assert "march-hours.csv" in text  # the evidence list
    # Dates of what was done, by kind only (issue 17, point 2: a timeline entry's words
    # no longer reach the insurer, so "Insurer told: …" is now "6 Dec 2026: Decision").
    assert "6 Dec 2026: Decision" in text and "Insurer told" not in text


ADMISSION = "Admitkilo my fault entirely, I forgot to log the calls."


def test_a_timeline_note_never_reaches_the_insurer(book: Book, incident: int) -> None:
    """Issue 17, point 2: the notice's "Dates" section carried the timeline's free
    text, so an admission typed there reached the insurer. Its dates are now the dates
    and kinds of events only; the words stay in the consultant's own file."""
    from models.entities import EntryKind
    from models.services.incident_timeline import add_entry

    add_entry(
        book, incident, EntryKind.NOTE, ADMISSION, happened_at=NOW - timedelta(days=1), now=NOW
    )
    add_entry(book, incident, EntryKind.CALL, "Callmike Rafael rang, upset.", now=NOW)
    plan = walk(book, incident)
    finish_other(book, plan, Step.INSURER, now=NOW)
    notice = text_of(printing.repair_job(book, plan)())
    assert "Admitkilo" not in notice and "my fault" not in notice and "Callmike" not in notice
    dates = notice[notice.index("Dates") :]
    assert "5 Dec 2026: Note" in dates and "6 Dec 2026: Call" in dates  # when, and what kind
    assert "6 Dec 2026: Decision" in dates
    check(  # the rest of the notice is as it was
        notice,
        {"facts", "client_view", "done_so_far", "insurer_name", "insurer_policy", "notice"},
    )

    # The consultant's own file keeps the words: the client summary's timeline.
    cid = book_client(book, incident)
    own = " ".join(text_of(printing.summary_job(book, cid, NOW.date())()).split())
    assert ADMISSION in own and "Callmike Rafael rang, upset." in own


def book_client(book: Book, incident_id: int) -> int:
    from models.services.incidents import get_incident

    return get_incident(book, incident_id).row.client_id


def test_the_closing_summary_holds_the_closing_words_and_the_facts(
    book: Book, incident: int
) -> None:
    plan = walk(book, incident)
    finish_other(book, plan, Step.PART_WAYS, now=NOW)
    text = text_of(printing.repair_job(book, plan)())
    check(text, {"facts", "we_owe", "they_owe", "closing_message"})


def test_the_client_summary_lists_evidence_and_no_preparation(book: Book, incident: int) -> None:
    plan = walk(book, incident)
    agreement_id = finish_with_agreement(book, plan, now=NOW)
    finalise(book, agreement_id, pdf_renderer(book), now=NOW)
    data = printing.summary_job(book, get_agreement(book, agreement_id).row.client_id, NOW.date())()
    text = text_of(data)
    # The consultant's own file: the incident's two views are the incident's own.
    check(text, {"client_view", "our_view", "ours", "theirs"})
    from models.services.incident_evidence import list_evidence

    [kept] = list_evidence(book, incident)
    assert "march-hours.csv" in text
    assert kept.sha256[:12] in text
    from models.text import human_size

    assert f"march-hours.csv\n{human_size(kept.size)}" in text
    # Live state: the timeline names the agreement as it is now.
    assert "(now final)" in text and "(draft)" not in text


def test_the_timeline_says_an_agreement_state_now(book: Book, incident: int) -> None:
    plan = walk(book, incident)
    agreement_id = finish_with_agreement(book, plan, now=NOW)
    ag = get_agreement(book, agreement_id)
    agreed = [r.text for r in timeline(book, incident, now=NOW) if "agreed in writing" in r.text]
    assert agreed == [
        f"Repair agreed in writing: {ag.row.number} \u201c{ag.row.title}\u201d (now draft)."
    ]
    finalise(book, agreement_id, pdf_renderer(book), now=NOW)
    agreed = [r.text for r in timeline(book, incident, now=NOW) if "agreed in writing" in r.text]
    assert agreed == [
        f"Repair agreed in writing: {ag.row.number} \u201c{ag.row.title}\u201d (now final)."
    ]
    assert get_plan(book, plan).agreement_id == agreement_id


def test_the_renderer_never_receives_what_its_audience_may_not_see() -> None:
    """The filter sits in the core: a section composed for the wrong reader (here an
    admission in an insurer's notice) is dropped before any renderer is called."""
    seen: list[RecordDocument] = []

    def spy(doc: RecordDocument, _size: object) -> bytes:
        seen.append(doc)
        return b"%PDF-spy"

    printing.bind(RecordDocument, spy)
    try:
        doc = RecordDocument(
            kind="Notice to insurer",
            title="Possible claim",
            dated=date(2026, 12, 6),
            consultant=Party("Mia"),
            client=Party("Rafael"),
            audience=Audience.INSURER,
            sections=[
                RecordSection("What happened", "Facts.", topic=Topic.FACTS),
                RecordSection("What I got wrong", "Everything.", topic=Topic.ADMISSION),
                RecordSection("Untagged", "Anything."),
            ],
        )
        printing.render(doc, PageSize.A4)
    finally:
        from exports.pdf import bind_renderers

        bind_renderers()
    assert seen and all([s.topic for s in d.sections] == [Topic.FACTS] for d in seen)
