"""Whatever bytes a contacts file holds, reading it and planning its import either
works or raises ContactFileError (a sentence for the user), never anything else."""

from __future__ import annotations

import csv
import io

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from exports import vcard, vcard_record
from exports.contacts_csv import parse_csv
from exports.vcard import card_record, cut_card_text, parse_vcards
from exports.vcard_cut import cut_card_stream, cut_cards
from exports.vcard_quick import card_identity
from models.db import Book
from models.services.clients import ClientInput, Contact, create_client
from models.services.contact_rows import Action, ContactFileError, ContactRecord, control_problem
from models.services.contacts import plan_import

FUZZ = settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

KNOWN_HEADERS = [
    "Name",
    "First Name",
    "Last Name",
    "E-mail 1 - Value",
    "E-mail 1 - Label",
    "Phone 1 - Value",
    "Organization Name",
    "Job Title",
    "Notes",
    "Labels",
    "E-mail Address",
    "Mobile Phone",
    "Categories",
]
EMAILS = st.sampled_from(["anna@example.com", "ANNA@example.com", "bob@example.org", "x@y"])
CELLS = st.one_of(st.text(max_size=30), EMAILS, st.sampled_from(["", "'=1+1", " ::: ", "* Work"]))
ENCODINGS = st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "cp1252", "latin-1"])
PROPERTIES = st.sampled_from(
    ["FN", "N", "EMAIL", "TEL", "ORG", "TITLE", "NOTE", "CATEGORIES", "item1.EMAIL", "X-ABLabel"]
)
PARAMS = st.sampled_from(
    [
        "",
        ";TYPE=WORK",
        ";type=CELL;type=pref",
        ";CELL",
        ";ENCODING=QUOTED-PRINTABLE",
        ";CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE",
        ";CHARSET=nope;ENCODING=QUOTED-PRINTABLE",
        ";ENCODING=b",
        ';TYPE="voice,cell"',
    ]
)


@pytest.fixture
def known_book(book: Book) -> Book:
    """A book with clients for records to match, so planning takes every path."""
    create_client(book, ClientInput(name="Anna", emails=[Contact("anna@example.com")]))
    create_client(book, ClientInput(name="Bob", emails=[Contact("bob@example.org")]))
    return book


def plan_or_refuse(book: Book, data: bytes, kind: str) -> None:
    try:
        source = parse_csv(data) if kind == "csv" else parse_vcards(data)
    except ContactFileError as exc:
        assert str(exc).strip()  # a sentence, not an empty complaint
        return
    plan = plan_import(book, source.records())
    for row in plan.rows:
        assert row.reason.strip()
        assert (row.data is not None) == (row.action in (Action.CREATE, Action.UPDATE))


@FUZZ
@given(data=st.binary(max_size=2000))
@example(data=b"\xff\xfe")
@example(data=b"\xef\xbb\xbf")
@example(data=b"Name\n\x00")
def test_random_bytes_as_csv(known_book: Book, data: bytes) -> None:
    plan_or_refuse(known_book, data, "csv")


@FUZZ
@given(data=st.binary(max_size=2000))
@example(data=b"BEGIN:VCARD\r\n")
@example(data=b"BEGIN:VCARD\r\nEND:VCARD\r\n")
@example(data=b"BEGIN:VCARD\r\nBEGIN:VCARD\r\nEND:VCARD\r\nEND:VCARD\r\n")
def test_random_bytes_as_vcard(known_book: Book, data: bytes) -> None:
    plan_or_refuse(known_book, data, "vcard")


@FUZZ
@given(text=st.text(max_size=500), encoding=ENCODINGS)
def test_random_text_as_either(known_book: Book, text: str, encoding: str) -> None:
    data = text.encode(encoding, errors="ignore")
    plan_or_refuse(known_book, data, "csv")
    plan_or_refuse(known_book, data, "vcard")


@FUZZ
@given(
    header=st.lists(st.one_of(st.sampled_from(KNOWN_HEADERS), st.text(max_size=12)), min_size=1),
    rows=st.lists(st.lists(CELLS, max_size=14), max_size=12),
    delimiter=st.sampled_from([",", ";", "\t"]),
    encoding=ENCODINGS,
)
def test_random_csv_tables(
    known_book: Book, header: list[str], rows: list[list[str]], delimiter: str, encoding: str
) -> None:
    out = io.StringIO(newline="")
    writer = csv.writer(out, delimiter=delimiter)
    writer.writerow(header)
    writer.writerows(rows)
    plan_or_refuse(known_book, out.getvalue().encode(encoding, errors="ignore"), "csv")


@FUZZ
@given(
    cards=st.lists(
        st.lists(st.tuples(PROPERTIES, PARAMS, st.one_of(st.text(max_size=40), EMAILS))),
        min_size=1,
        max_size=4,
    ),
    version=st.sampled_from(["2.1", "3.0", "4.0", "x"]),
    case=st.sampled_from([str.upper, str.lower]),
)
def test_random_vcards(
    known_book: Book, cards: list[list[tuple[str, str, str]]], version: str, case: object
) -> None:
    assert callable(case)
    lines: list[str] = []
    for card in cards:
        lines += [case("BEGIN:VCARD"), f"VERSION:{version}"]
        lines += [f"{prop}{params}:{value}" for prop, params, value in card]
        lines.append(case("END:VCARD"))
    plan_or_refuse(known_book, "\r\n".join(lines).encode("utf-8", errors="ignore"), "vcard")


def _identity(rec: ContactRecord) -> tuple[object, ...]:
    """What an import's first pass reads of a record."""
    keys = sorted(" ".join(c.value.split()).casefold() for c in rec.emails)
    return (rec.problem, control_problem(rec), rec.full_name(), keys)


@FUZZ
@given(
    card=st.lists(
        st.tuples(
            st.sampled_from([*PROPERTIES.elements, "n", "fn", "Email", "begin", "PROFILE", "A.B"]),
            st.sampled_from([*PARAMS.elements, ";TYPE=INTERNET,WORK", ";TYPE=", ";X_Y=1"]),
            st.one_of(
                st.text(max_size=40),
                EMAILS,
                st.sampled_from(["mailto:a@b", " Anna  Smith ", "Müller;Anna;;;", "a\\,b", "x="]),
            ),
        ),
        max_size=8,
    ),
    version=st.sampled_from(["2.1", "3.0", "4.0"]),
)
@example(card=[("FN", "", "Anna Smith"), ("EMAIL", ";TYPE=INTERNET,WORK", "a@b")], version="3.0")
def test_vcard_identity_scan_agrees_with_vobject(
    card: list[tuple[str, str, str]], version: str
) -> None:
    """The first pass's cheap scan of a card gives the keys vobject's reading gives,
    or steps aside (None) for a card it cannot read the same way."""
    lines = ["BEGIN:VCARD", f"VERSION:{version}"]
    lines += [f"{prop}{params}:{value}" for prop, params, value in card]
    text = "\r\n".join([*lines, "END:VCARD", ""])
    for cut in cut_cards(text):
        quick = card_identity(cut)
        if quick is not None:
            assert _identity(quick) == _identity(card_record(cut))
        if cut.text is not None:
            # A plain card is read by a split; it must read as vobject reads it.
            try:
                by_vobject = vcard_record._record(f"card {cut.number}", vcard._read_card(cut.text))
            except Exception:
                assert quick is None
                continue
            assert card_record(cut) == by_vobject


def test_vcard_identity_scans_a_plain_card_and_steps_aside_for_others() -> None:
    plain = (
        "BEGIN:VCARD\r\nVERSION:3.0\r\nN:Müller;Anna;;;\r\nFN:Anna  Müller\r\nORG:Firm;\r\n"
        "item1.EMAIL;TYPE=INTERNET,WORK:mailto:Anna@Example.com\r\nEMAIL:b@example.com\r\n"
        "NOTE:Met at the 3/2025 meetup.\r\nEND:VCARD\r\n"
    )
    (cut,) = cut_cards(plain)
    quick = card_identity(cut)
    assert quick is not None
    assert (quick.name, quick.family, quick.given, quick.organisation) == (
        "Anna Müller",
        "Müller",
        "Anna",
        "Firm",
    )
    assert [c.value for c in quick.emails] == ["Anna@Example.com", "b@example.com"]
    assert quick.notes == "" and quick.phones == []  # keys only, nothing else read
    assert _identity(quick) == _identity(card_record(cut))
    for odd in ("NOTE:a\\nb", "FN;ENCODING=QUOTED-PRINTABLE:=41", "NOTE:a\r\n b", "FN:\x07"):
        (cut,) = cut_cards(plain.replace("NOTE:Met at the 3/2025 meetup.", odd))
        assert card_identity(cut) is None


@FUZZ
@given(
    parts=st.lists(
        st.one_of(
            st.sampled_from(
                [
                    "BEGIN:VCARD",
                    "begin:vcard",
                    "END:VCARD",
                    " END:VCARD",
                    "FN:Anna",
                    "EMAIL;TYPE=WORK:a@b",
                    "item1.EMAIL:x@y",
                    "PHOTO;ENCODING=b:AAAA",
                    " AAAA",
                    "\tBBBB",
                    "NOTE;ENCODING=QUOTED-PRINTABLE:a=",
                    "X-A.PHOTO:z",
                    "",
                ]
            ),
            st.text(max_size=20),
        ),
        max_size=30,
    ),
    newline=st.sampled_from(["\r\n", "\n", "\r"]),
    chunk=st.sampled_from([1, 7, 64, 1 << 20]),
)
def test_whole_card_cutting_agrees_with_line_by_line(
    parts: list[str], newline: str, chunk: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Cards cut whole from a stream are the cards the line-by-line reading gives,
    with the same numbers and problems, wherever the chunks of the stream end."""
    monkeypatch.setattr(vcard, "READ_CHUNK", chunk)
    text = newline.join(parts) + (newline if parts and len(parts) % 2 else "")
    expected = list(cut_card_stream(io.StringIO(text, newline=None)))
    assert list(cut_card_text(io.StringIO(text, newline=None))) == expected


def test_whole_card_cutting_takes_plain_cards_whole() -> None:
    text = "BEGIN:VCARD\nVERSION:3.0\nFN:Anna\nEND:VCARD\nBEGIN:VCARD\nFN:Bob\n PHOTO\nEND:VCARD\n"
    got = list(cut_card_text(io.StringIO(text, newline=None)))
    assert [(c.number, c.text) for c in got] == [
        (1, "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Anna\r\nEND:VCARD\r\n"),
        (2, "BEGIN:VCARD\r\nFN:Bob\r\n PHOTO\r\nEND:VCARD\r\n"),
    ]
    assert got == list(cut_card_stream(io.StringIO(text, newline=None)))
