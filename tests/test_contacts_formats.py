"""Reading contacts files: encodings, header sets, vCard versions, damaged files.

Every fixture under tests/fixtures/contacts was written for these tests in the
shape the real address books write (see each file's header row or PRODID).
"""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest

from exports.contacts_csv import (
    CsvContacts,
    guard,
    normal_label,
    parse_csv,
    sniff_delimiter,
    unguard,
)
from exports.contacts_io import ContactFormat, decode_text, detect_format, load_contacts
from exports.csv_columns import Field, guess_roles
from exports.vcard import VCardContacts, parse_vcards
from exports.vcard_cut import split_cards
from models.services.contact_rows import ContactFileError, ContactRecord

FIXTURES = Path(__file__).parent / "fixtures" / "contacts"


def by_name(records: list[ContactRecord]) -> dict[str, ContactRecord]:
    return {r.full_name(): r for r in records}


def emails(rec: ContactRecord) -> list[str]:
    return [c.value for c in rec.emails]


def phones(rec: ContactRecord) -> list[str]:
    return [c.value for c in rec.phones]


# -- encodings ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        ("Name\nJürgen".encode(), "UTF-8"),
        (codecs.BOM_UTF8 + "Name\nJürgen".encode(), "UTF-8 with BOM"),
        ("Name\nJürgen".encode("utf-16"), "UTF-16"),
        ("Name\nJürgen".encode("utf-16-le"), "UTF-16"),
        ("Name\nJürgen".encode("utf-16-be"), "UTF-16"),
        ("Name\nJürgen".encode("cp1252"), "Windows-1252"),
    ],
)
def test_text_is_decoded_whatever_the_encoding(data: bytes, encoding: str) -> None:
    text, found = decode_text(data)
    assert text == "Name\nJürgen"
    assert found == encoding


def test_cp1252_euro_sign_and_quotes_survive() -> None:
    text, found = decode_text("„Müller“ schuldet 1.200 €".encode("cp1252"))
    assert (text, found) == ("„Müller“ schuldet 1.200 €", "Windows-1252")


@pytest.mark.parametrize(
    "data",
    [
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10",
        bytes(range(256)) * 4,
        b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00",  # an .xlsx
    ],
)
def test_binary_files_are_refused_in_words(data: bytes) -> None:
    with pytest.raises(ContactFileError, match="not plain text"):
        decode_text(data, "contacts.csv")


def test_format_from_extension_then_from_contents(tmp_path: Path) -> None:
    assert detect_format(Path("a.CSV"), b"BEGIN:VCARD") is ContactFormat.CSV
    assert detect_format(Path("a.vcard"), b"Name") is ContactFormat.VCARD
    assert detect_format(Path("a.json"), b"") is ContactFormat.JSON
    assert detect_format(Path("a.txt"), b"\r\nbegin:vcard\r\n") is ContactFormat.VCARD
    assert detect_format(Path("export"), b'  {"format": "rapport-book"}') is ContactFormat.JSON
    assert detect_format(Path("export"), b"Name,E-mail 1 - Value\n") is ContactFormat.CSV


# -- CSV ----------------------------------------------------------------------------------


def test_delimiter_is_sniffed_from_the_header_outside_quotes() -> None:
    assert sniff_delimiter("Name,Email,Phone") == ","
    assert sniff_delimiter("Vorname;Nachname;E-Mail") == ";"
    assert sniff_delimiter("Name\tE-mail 1 - Value") == "\t"
    assert sniff_delimiter('"Smith; John",Email') == ","
    assert sniff_delimiter("Name") == ","


def test_google_csv_maps_every_column_it_knows() -> None:
    source = load_contacts(FIXTURES / "google.csv")
    assert isinstance(source, CsvContacts)
    assert source.encoding == "UTF-8"
    assert source.unknown_columns() == []
    people = by_name(source.records())
    jm = people["Jürgen Müller"]
    assert emails(jm) == [
        "juergen.mueller@example.de",
        "j.mueller@example.com",
        "jm@home.example",
    ]
    assert [c.label for c in jm.emails] == ["work", "work", "home"]
    assert phones(jm) == ["+49 170 1234567", "+49 221 555 0100"]
    assert [c.label for c in jm.phones] == ["mobile", "work"]
    assert (jm.organisation, jm.role) == ("Müller & Söhne GmbH", "Geschäftsführer")
    assert jm.notes == "Met at the Köln fair.\nLikes detail."
    assert jm.tags == ["Kunden"]  # Google's own "* myContacts" group is not a tag
    anna = people["Анна Петрова"]
    assert (anna.organisation, anna.role) == ("ООО Ромашка", "Директор")
    assert people["Sam Okafor"].tags == []  # "* starred" is Google's, not the user's
    assert people["Acme Analytics"].organisation == "Acme Analytics"
    assert [r.place for r in source.records()][:2] == ["row 2", "row 3"]


def test_newer_google_csv_with_labels() -> None:
    people = by_name(load_contacts(FIXTURES / "google_new.csv").records())
    lena = people["Lena Fischer"]
    assert emails(lena) == ["lena@fischer.example"]
    assert [c.label for c in lena.phones] == ["mobile"]
    assert (lena.organisation, lena.role, lena.tags) == ("Fischer Design", "Owner", ["Clients"])
    assert emails(people["Tomás García"]) == ["tomas@garcia.example", "t.garcia@bigco.example"]


def test_outlook_csv_in_windows_1252() -> None:
    source = load_contacts(FIXTURES / "outlook_cp1252.csv")
    assert source.encoding == "Windows-1252"
    assert isinstance(source, CsvContacts) and source.unknown_columns() == []
    people = by_name(source.records())
    jm = people["Jürgen Müller"]  # "Herr" is Outlook's Title: a salutation, not a role
    assert emails(jm) == ["juergen.mueller@example.de", "jm@home.example"]
    assert phones(jm) == ["+49 221 555 0100", "+49 170 1234567"]
    assert (jm.organisation, jm.role) == ("Müller & Söhne GmbH", "Geschäftsführer")
    assert jm.notes == "Rechnung über 1.200 € offen"
    assert jm.tags == ["Kunden", "VIP"]
    assert "Zoë Ångström" in people


def test_outlook_csv_with_a_utf8_bom() -> None:
    source = load_contacts(FIXTURES / "outlook_bom.csv")
    assert source.encoding == "UTF-8 with BOM"
    assert isinstance(source, CsvContacts)
    assert source.header[0] == "First Name"  # no BOM glued to the first header
    people = by_name(source.records())
    anna = people["Анна Петрова"]
    assert emails(anna) == ["anna.petrova@example.ru", "a.petrova@work.example"]
    assert sorted(phones(anna)) == ["+7 495 000 11 22", "+7 916 123 45 67"]
    assert people["Priya Raman"].notes == "Tea, not coffee"


def test_utf16_tab_separated_csv() -> None:
    source = load_contacts(FIXTURES / "utf16.csv")
    assert isinstance(source, CsvContacts)
    assert (source.encoding, source.delimiter) == ("UTF-16", "\t")
    assert sorted(by_name(source.records())) == [
        "Björk Guðmundsdóttir",
        "Jürgen Müller",
        "Анна Петрова",
    ]


def test_unknown_columns_are_left_to_the_user_and_can_be_mapped() -> None:
    source = load_contacts(FIXTURES / "custom_columns.csv")
    assert isinstance(source, CsvContacts)
    assert source.delimiter == ";"
    assert [source.header[i] for i in source.unknown_columns()] == [
        "Vorname",
        "Nachname",
        "Handy",
        "Firma",
    ]
    first = source.records()[0]
    assert (first.full_name(), emails(first), phones(first)) == (
        "",
        ["juergen.mueller@example.de"],
        [],
    )
    for header, fld in (
        ("Vorname", Field.GIVEN),
        ("Nachname", Field.FAMILY),
        ("Handy", Field.PHONE),
        ("Firma", Field.ORGANISATION),
    ):
        source.set_field(source.header.index(header), fld)
    first = source.records()[0]
    assert first.full_name() == "Jürgen Müller"
    assert phones(first) == ["+49 170 1234567"]
    assert first.organisation == "Müller & Söhne GmbH"
    assert source.unknown_columns() == [0, 1, 3, 4]  # still offered, to change again


def test_header_guesses_pair_google_values_with_their_labels() -> None:
    roles = guess_roles(["E-mail 1 - Type", "E-mail 1 - Value", "Phone 1 - Value", "Birthday"])
    assert roles[1].field is Field.EMAIL and roles[1].label_column == 0
    assert roles[2].field is Field.PHONE and roles[2].label_column is None
    assert roles[3].field is Field.IGNORE and roles[3].known
    assert not guess_roles(["Lieblingsfarbe"])[0].known


@pytest.mark.parametrize(
    ("raw", "label"),
    [("* Work", "work"), ("Mobile", "mobile"), ("CELL", "mobile"), ("Ferienhaus", "ferienhaus")],
)
def test_labels_in_the_apps_words(raw: str, label: str) -> None:
    assert normal_label(raw) == label


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (b"\r\n\r\n", "empty"),
        (b"Name,E-mail 1 - Value\r\n", "no contacts"),
    ],
)
def test_csv_without_contacts_is_refused(data: bytes, message: str) -> None:
    with pytest.raises(ContactFileError, match=message):
        parse_csv(data, path=Path("x.csv"))


def test_rows_of_any_length_and_quoted_newlines() -> None:
    data = b'Name,Notes,E-mail 1 - Value\nAda,"two\nlines"\nBob,,bob@example.com,extra\n'
    source = parse_csv(data)
    records = source.records()
    assert [r.full_name() for r in records] == ["Ada", "Bob"]
    assert records[0].notes == "two\nlines"
    assert emails(records[1]) == ["bob@example.com"]
    assert [r.place for r in records] == ["row 2", "row 3"]


def test_formula_guard_round_trips() -> None:
    for cell in ("=1+1", "+49 170", "-5", "@SUM(A1)", "\tx", "\rx"):
        assert guard(cell) == "'" + cell
        assert unguard(guard(cell)) == cell
    assert guard("Anna") == "Anna"
    assert unguard("'quoted on purpose") == "'quoted on purpose"


# -- vCard --------------------------------------------------------------------------------


def test_apple_vcard_30() -> None:
    source = load_contacts(FIXTURES / "apple.vcf")
    assert isinstance(source, VCardContacts)
    people = by_name(source.records())
    jm = people["Dr. Jürgen Müller"]
    assert emails(jm) == ["juergen.mueller@example.de", "j.mueller@example.com", "jm@home.example"]
    assert [c.label for c in jm.emails] == ["other", "work", "home"]  # X-ABLabel wins
    assert [c.label for c in jm.phones] == ["mobile", "work"]
    assert (jm.organisation, jm.role) == ("Müller & Söhne GmbH", "Geschäftsführer")
    assert jm.notes.startswith("Met at the Köln fair.\nPrefers email, not calls.")
    assert "folds it onto a second line." in jm.notes
    assert jm.tags == ["Kunden", "VIP"]
    assert emails(people["Анна Петрова"]) == ["anna.petrova@example.ru", "anna@home.example"]
    assert people["Okafor Ltd"].organisation == "Okafor Ltd"


def test_android_vcard_21_quoted_printable_and_folded() -> None:
    source = load_contacts(FIXTURES / "android.vcf")
    records = source.records()
    assert [r.place for r in records] == ["card 1", "card 2", "card 3", "card 4"]
    jm, anna, sam, bad = records
    assert jm.full_name() == "Jürgen Müller"
    assert emails(jm) == ["jm@home.example", "juergen.mueller@example.de", "j.mueller@example.com"]
    assert [c.label for c in jm.phones] == ["mobile", "work"]
    assert jm.notes == (
        "Kennengelernt auf der Messe in Köln.\nMöchte lieber E-Mails als Anrufe, "
        "und das ist eine lange Notiz, die umgebrochen wird."
    )
    # Lowercase begin/end and parameters; no FN, so the name comes from N.
    assert anna.name == ""
    assert anna.full_name() == "Анна Петрова"
    assert emails(anna) == ["anna.petrova@example.ru", "a.petrova@work.example"]
    assert sam.role == "Managing Director"  # a folded line
    assert "could not be read" in bad.problem and not bad.emails


def test_vcard_40() -> None:
    people = by_name(load_contacts(FIXTURES / "v4.vcf").records())
    zoe = people["Zoë Ångström"]
    assert emails(zoe) == ["zoe@cafenoir.example", "zoe.a@home.example"]
    assert phones(zoe) == ["+33-6-12-34-56-78", "+33-1-23-45-67-89"]  # no "tel:"
    assert [c.label for c in zoe.phones] == ["mobile", "work"]
    assert zoe.tags == ["Paris", "Clients"]
    assert people["Анна Петрова"].notes == "Prefers Telegram."


def test_broken_vcard_file_is_refused_whole() -> None:
    with pytest.raises(ContactFileError, match="broken.vcf"):
        load_contacts(FIXTURES / "broken.vcf")


@pytest.mark.parametrize(
    "text",
    [
        "Hello, this is not a vCard at all.\n",
        "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Half\r\n",  # cut off
        "BEGIN:VCARD\r\nthis line is nonsense\r\nEND:VCARD\r\n",
    ],
)
def test_vcard_with_nothing_readable_is_refused(text: str) -> None:
    with pytest.raises(ContactFileError, match="could not be read|no contact card"):
        parse_vcards(text.encode(), path=Path("x.vcf"))


def test_one_cut_off_card_is_skipped_not_fatal() -> None:
    text = "BEGIN:VCARD\nFN:Whole\nEND:VCARD\nBEGIN:VCARD\nFN:Half\n"
    records = parse_vcards(text.encode()).records()
    assert [(r.full_name(), bool(r.problem)) for r in records] == [("Whole", False), ("", True)]
    assert "cut off" in records[1].problem


def test_cards_are_split_on_begin_and_end_lines_only() -> None:
    text = "junk before\nBEGIN:VCARD\nNOTE:BEGIN:VCARD inside a value\nEND:VCARD\n"
    cards = split_cards(text)
    assert len(cards) == 1 and cards[0][1] is not None
    assert "inside a value" in cards[0][1]
