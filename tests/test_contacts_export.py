"""Exporting clients as CSV and vCard, and reading those files back."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from exports.contacts_io import ExportFormat, export_contacts, load_contacts
from models.db import Book, open_book
from models.demo import fill_demo
from models.services.client_search import list_clients
from models.services.clients import ClientInput, Contact, archive_client, create_client, get_client
from models.services.contact_rows import Action
from models.services.contacts import apply_import
from tests.test_contacts_import import book_dump

RISKY = ClientInput(
    name='=HYPERLINK("http://evil.example","Click")',
    organisation="@SUM(1+1)",
    role="-2+3",
    emails=[Contact("risky@example.com", "work")],
    phones=[Contact("+49 170 1234567", "mobile")],
    notes="\tstarts with a tab",
    tags=["=cmd|' /C calc'!A0"],
)


def read_cells(path: Path) -> list[list[str]]:
    text = path.read_bytes().decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text, newline="")))


def test_csv_cells_that_a_spreadsheet_would_run_are_quoted(book: Book, tmp_path: Path) -> None:
    cid = create_client(book, RISKY)
    create_client(book, ClientInput(name="Plain Person", emails=[Contact("plain@example.com")]))
    out = tmp_path / "out.csv"
    assert export_contacts(book, out, ExportFormat.CSV) == 2
    header, *rows = read_cells(out)
    risky = dict(zip(header, rows[0], strict=True))
    assert risky["Name"] == '\'=HYPERLINK("http://evil.example","Click")'
    assert risky["Organization Name"] == "'@SUM(1+1)"
    assert risky["Organization Title"] == "'-2+3"
    assert risky["Phone 1 - Value"] == "'+49 170 1234567"
    assert risky["Notes"] == "'\tstarts with a tab"
    assert risky["Labels"] == "'=cmd|' /C calc'!A0"
    assert risky["E-mail 1 - Value"] == "risky@example.com"
    every_cell = [cell for row in rows for cell in row]
    assert not [c for c in every_cell if c[:1] in ("=", "+", "-", "@", "\t", "\r")]
    plain = dict(zip(header, rows[1], strict=True))
    assert plain["Name"] == "Plain Person"
    # The book keeps what was typed.
    stored = get_client(book, cid)
    assert stored.name.startswith("=HYPERLINK")
    assert stored.phones[0].value == "+49 170 1234567"


def test_csv_is_utf8_with_bom_and_reads_back_into_the_same_values(
    book: Book, tmp_path: Path
) -> None:
    cid = create_client(book, RISKY)
    out = tmp_path / "out.csv"
    export_contacts(book, out, ExportFormat.CSV)
    assert out.read_bytes().startswith(b"\xef\xbb\xbf")
    (rec,) = load_contacts(out).records()
    stored = get_client(book, cid)
    assert rec.full_name() == stored.name
    assert (rec.organisation, rec.role) == ("@SUM(1+1)", "-2+3")
    assert rec.notes == "starts with a tab"  # an import trims the edges of every cell
    assert rec.phones == [Contact("+49 170 1234567", "mobile")]
    assert rec.emails == [Contact("risky@example.com", "work")]
    assert rec.tags == ["=cmd|' /C calc'!A0"]


def demo_book(path: Path) -> Book:
    book = open_book(path)
    fill_demo(book)
    return book


def test_round_trip_matches_every_client_by_email(book: Book, tmp_path: Path) -> None:
    fill_demo(book)
    with_email = {r.id for r in list_clients(book) if r.email}
    assert len(with_email) >= 20
    for kind, name in ((ExportFormat.CSV, "book.csv"), (ExportFormat.VCARD, "book.vcf")):
        out = tmp_path / name
        n = export_contacts(book, out, kind)
        assert n == len(list_clients(book))
        before = book_dump(book.path)
        plan = apply_import(book, load_contacts(out).records())
        assert plan.created == 0
        assert plan.updated == 0  # nothing the book lacks came back
        matched = {r.client_id for r in plan.rows if r.action is Action.UNCHANGED}
        assert matched == with_email
        assert book_dump(book.path) == before


def test_round_trip_into_an_empty_book_gives_the_same_export(book: Book, tmp_path: Path) -> None:
    fill_demo(book)
    first, second = tmp_path / "first.csv", tmp_path / "second.csv"
    export_contacts(book, first, ExportFormat.CSV)
    other = open_book(tmp_path / "other.db")
    try:
        plan = apply_import(other, load_contacts(first).records())
        assert plan.created == len(list_clients(book))
        export_contacts(other, second, ExportFormat.CSV)
    finally:
        other.close()
    assert second.read_bytes() == first.read_bytes()


def test_vcard_export_parses_back_with_vobject(book: Book, tmp_path: Path) -> None:
    import vobject

    create_client(
        book,
        ClientInput(
            name="Анна Петрова",
            organisation="ООО Ромашка",
            role="Директор",
            emails=[Contact("anna@example.ru", "work"), Contact("anna@home.example", "home")],
            phones=[Contact("+7 916 123 45 67", "mobile")],
            notes="Line one; with semicolon\nLine two, with comma — and a long tail " * 3,
            tags=["VIP", "Moscow"],
        ),
    )
    create_client(book, ClientInput(name="Jürgen Müller", emails=[Contact("jm@example.de")]))
    out = tmp_path / "out.vcf"
    assert export_contacts(book, out, ExportFormat.VCARD) == 2
    text = out.read_text(encoding="utf-8")
    assert all(len(line.encode()) <= 75 for line in text.splitlines())  # folded
    cards = list(vobject.readComponents(text))
    assert [c.fn.value for c in cards] == ["Jürgen Müller", "Анна Петрова"]  # by name
    anna = cards[1]
    assert anna.version.value == "3.0"
    assert [e.value for e in anna.email_list] == ["anna@example.ru", "anna@home.example"]
    assert anna.email_list[0].params["TYPE"] == ["INTERNET", "WORK"]
    assert anna.tel.value == "+7 916 123 45 67" and anna.tel.params["TYPE"] == ["CELL"]
    assert (
        anna.note.value == "Line one; with semicolon\nLine two, with comma — and a long tail " * 3
    )
    assert anna.org.value == ["ООО Ромашка"]
    assert anna.title.value == "Директор"
    assert anna.categories.value == ["Moscow", "VIP"]  # the book keeps tags sorted
    assert (anna.n.value.family, anna.n.value.given) == ("Петрова", "Анна")
    # ... and our own reader agrees.
    (_jm, rec) = load_contacts(out).records()
    assert (
        rec.notes
        == ("Line one; with semicolon\nLine two, with comma — and a long tail " * 3).strip()
    )
    assert rec.tags == ["Moscow", "VIP"]


def test_export_of_selected_clients_only(book: Book, tmp_path: Path) -> None:
    a = create_client(book, ClientInput(name="A", emails=[Contact("a@example.com")]))
    create_client(book, ClientInput(name="B", emails=[Contact("b@example.com")]))
    c = create_client(book, ClientInput(name="C", emails=[Contact("c@example.com")]))
    archive_client(book, c)
    out = tmp_path / "some.vcf"
    assert export_contacts(book, out, ExportFormat.VCARD, [c, a]) == 2
    assert [r.full_name() for r in load_contacts(out).records()] == ["A", "C"]
    every = tmp_path / "all.csv"
    assert export_contacts(book, every, ExportFormat.CSV) == 2  # archived C stays home
    assert [r.full_name() for r in load_contacts(every).records()] == ["A", "B"]


def test_export_of_an_empty_book_is_a_header_only(book: Book, tmp_path: Path) -> None:
    out = tmp_path / "empty.csv"
    assert export_contacts(book, out, ExportFormat.CSV) == 0
    assert read_cells(out)[0][:3] == ["Name", "Organization Name", "Organization Title"]
