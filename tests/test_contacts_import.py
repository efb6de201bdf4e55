"""Importing contacts into a real book: who is created, updated or skipped and why,
and that an import is all or nothing."""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

import pytest

from exports.contacts_io import load_contacts
from models.db import Book
from models.services.client_search import list_clients
from models.services.clients import ClientInput, Contact, archive_client, create_client, get_client
from models.services.contact_rows import (
    Action,
    ContactFileError,
    ContactRecord,
    ImportCancelled,
    ImportFailed,
)
from models.services.contacts import apply_import, plan_import

FIXTURES = Path(__file__).parent / "fixtures" / "contacts"
ALL_FIXTURES = [
    "google.csv",
    "google_new.csv",
    "outlook_cp1252.csv",
    "outlook_bom.csv",
    "utf16.csv",
    "apple.vcf",
    "android.vcf",
    "v4.vcf",
]


def book_dump(path: Path) -> str:
    """Every row of every table, in a stable order, as one hash."""
    conn = sqlite3.connect(path)
    try:
        digest = hashlib.sha256()
        tables = [
            r[0]
            for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table' ORDER BY name")
        ]
        for table in tables:
            digest.update(table.encode())
            for row in conn.execute(f'SELECT * FROM "{table}" ORDER BY 1'):
                digest.update(repr(row).encode())
        return digest.hexdigest()
    finally:
        conn.close()


def import_file(book: Book, name: str) -> list[tuple[str, Action, str]]:
    plan = apply_import(book, load_contacts(FIXTURES / name).records())
    return [(r.place, r.action, r.reason) for r in plan.rows]


def client_named(book: Book, name: str) -> int:
    rows = [r for r in list_clients(book, include_archived=True) if r.name == name]
    assert len(rows) == 1, [r.name for r in list_clients(book, include_archived=True)]
    return rows[0].id


def all_emails(book: Book) -> set[str]:
    found: set[str] = set()
    for row in list_clients(book, include_archived=True):
        found |= {c.value.casefold() for c in get_client(book, row.id).emails}
    return found


def source_emails(name: str) -> set[str]:
    """Every email in a fixture, from the rows the importer does not refuse."""
    return {
        c.value.casefold()
        for r in load_contacts(FIXTURES / name).records()
        if not r.problem
        for c in r.emails
        if "@" in c.value
    }


@pytest.mark.parametrize("name", ALL_FIXTURES)
def test_each_fixture_imports_into_an_empty_book(book: Book, name: str) -> None:
    rows = import_file(book, name)
    created = [r for r in rows if r[1] is Action.CREATE]
    assert created
    assert all_emails(book) == source_emails(name)  # every email is kept
    names = {r.name for r in list_clients(book)}
    if name not in ("google_new.csv",):
        assert names & {"Jürgen Müller", "Dr. Jürgen Müller", "Анна Петрова", "Zoë Ångström"}


def test_names_with_umlauts_and_cyrillic_survive_every_format(book: Book) -> None:
    for name in ALL_FIXTURES:
        import_file(book, name)
    names = {r.name for r in list_clients(book)}
    assert "Jürgen Müller" in names  # the first import named him; later ones only add
    assert "Анна Петрова" in names
    assert "Zoë Ångström" in names
    assert "Björk Guðmundsdóttir" in names
    anna = get_client(book, client_named(book, "Анна Петрова"))
    assert anna.organisation == "ООО Ромашка"


def test_every_email_across_all_fixtures_is_kept(book: Book) -> None:
    expected: set[str] = set()
    for name in ALL_FIXTURES:
        import_file(book, name)
        expected |= source_emails(name)
    expected.discard("not-an-email")
    assert all_emails(book) == expected


def test_google_rows_are_merged_refused_or_created_with_reasons(book: Book) -> None:
    rows = {place: (action, reason) for place, action, reason in import_file(book, "google.csv")}
    assert rows["row 2"][0] is Action.CREATE
    assert rows["row 5"] == (Action.SKIP, "Same email as row 2; merged into it.")
    assert rows["row 6"][0] is Action.SKIP and "does not look like an email" in rows["row 6"][1]
    assert rows["row 7"][0] is Action.CREATE  # only an organisation: it names the client
    jm = get_client(book, client_named(book, "Jürgen Müller"))
    # Row 5's phone came in through the merge; its email was already there (case aside).
    assert [p.value for p in jm.phones] == [
        "+49 170 1234567",
        "+49 221 555 0100",
        "+49 221 999 888",
    ]
    assert len(jm.emails) == 3
    assert jm.tags == ["Kunden"]
    assert "Acme Analytics" in {r.name for r in list_clients(book)}


def test_update_fills_gaps_and_adds_contacts_but_never_overwrites(book: Book) -> None:
    cid = create_client(
        book,
        ClientInput(
            name="Jürgen M.",
            role="Owner",
            emails=[Contact("JUERGEN.MUELLER@example.de", "work")],
            notes="Our own note.",
        ),
    )
    rows = import_file(book, "outlook_cp1252.csv")
    assert rows[0][:2] == ("row 2", Action.UPDATE)
    assert rows[0][2] == ("Adds 1 email, 2 phone numbers, 2 tags; fills in organisation.")
    jm = get_client(book, cid)
    assert jm.name == "Jürgen M."  # not overwritten
    assert jm.role == "Owner"  # not overwritten by "Geschäftsführer"
    assert jm.notes == "Our own note."  # not overwritten
    assert jm.organisation == "Müller & Söhne GmbH"  # was empty: filled in
    assert [e.value for e in jm.emails] == ["JUERGEN.MUELLER@example.de", "jm@home.example"]
    assert [p.value for p in jm.phones] == ["+49 221 555 0100", "+49 170 1234567"]
    assert jm.tags == ["Kunden", "VIP"]


def test_importing_the_same_file_twice_changes_nothing_the_second_time(book: Book) -> None:
    import_file(book, "apple.vcf")
    before = book_dump(book.path)
    rows = import_file(book, "apple.vcf")
    assert {action for _place, action, _why in rows} == {Action.UNCHANGED}
    assert book_dump(book.path) == before


def test_email_matching_ignores_case_and_spaces_in_phones(book: Book) -> None:
    cid = create_client(
        book,
        ClientInput(
            name="Anna",
            emails=[Contact("Anna.Petrova@EXAMPLE.ru")],
            phones=[Contact("+79161234567")],
        ),
    )
    plan = plan_import(
        book,
        [
            ContactRecord(
                "row 2",
                name="Анна Петрова",
                emails=[Contact("anna.petrova@example.ru")],
                phones=[Contact("+7 916 123 45 67")],
            )
        ],
    )
    assert [(r.action, r.client_id) for r in plan.rows] == [(Action.UNCHANGED, cid)]


def test_a_record_matching_two_clients_is_skipped(book: Book) -> None:
    create_client(book, ClientInput(name="A", emails=[Contact("a@example.com")]))
    create_client(book, ClientInput(name="B", emails=[Contact("b@example.com")]))
    plan = plan_import(
        book,
        [
            ContactRecord(
                "row 2", name="AB", emails=[Contact("a@example.com"), Contact("b@example.com")]
            )
        ],
    )
    assert plan.rows[0].action is Action.SKIP
    assert "2 clients" in plan.rows[0].reason and "“A”" in plan.rows[0].reason


def test_an_archived_match_is_skipped_and_left_archived(book: Book) -> None:
    cid = create_client(book, ClientInput(name="Gone", emails=[Contact("gone@example.com")]))
    archive_client(book, cid)
    before = book_dump(book.path)
    plan = apply_import(
        book, [ContactRecord("card 1", name="Gone", emails=[Contact("gone@example.com")], role="X")]
    )
    assert plan.rows[0].action is Action.SKIP and "archived" in plan.rows[0].reason
    assert book_dump(book.path) == before


def test_records_without_email_are_not_doubled(book: Book) -> None:
    create_client(book, ClientInput(name="Björk"))
    plan = plan_import(
        book,
        [
            ContactRecord("row 2", name="björk"),
            ContactRecord("row 3", name="New Person"),
            ContactRecord("row 4", name="New  Person"),
            ContactRecord("row 5"),
        ],
    )
    actions = [(r.place, r.action) for r in plan.rows]
    assert actions == [
        ("row 2", Action.SKIP),
        ("row 3", Action.CREATE),
        ("row 4", Action.SKIP),
        ("row 5", Action.SKIP),
    ]
    assert "already in your book" in plan.rows[0].reason
    assert "row 3" in plan.rows[2].reason
    assert "no name" in plan.rows[3].reason


def test_two_records_for_one_client_are_gathered_into_the_first(book: Book) -> None:
    cid = create_client(
        book,
        ClientInput(name="Sam", emails=[Contact("sam@a.example"), Contact("sam@b.example")]),
    )
    plan = apply_import(
        book,
        [
            ContactRecord("row 2", emails=[Contact("sam@a.example")], phones=[Contact("+1 555 1")]),
            ContactRecord("row 3", emails=[Contact("sam@b.example")], role="CEO"),
        ],
    )
    assert [(r.action, r.client_id) for r in plan.rows] == [
        (Action.UPDATE, cid),
        (Action.SKIP, None),
    ]
    sam = get_client(book, cid)
    assert (sam.role, [p.value for p in sam.phones]) == ("CEO", ["+1 555 1"])


def test_validation_is_the_same_as_for_a_typed_client(book: Book) -> None:
    plan = plan_import(
        book,
        [
            ContactRecord("row 2", name="X" * 301),
            ContactRecord("row 3", name="Bell\x07Name"),
            ContactRecord("row 4", name="Ok", phones=[Contact("call me")]),
            ContactRecord("row 5", name="Ok too", emails=[Contact("ok@example.com", "x" * 61)]),
        ],
    )
    reasons = [r.reason for r in plan.rows]
    assert all(r.action is Action.SKIP for r in plan.rows)
    assert "at most 300 characters" in reasons[0]
    assert "control characters" in reasons[1]
    assert "does not look like a phone number" in reasons[2]
    assert "label" in reasons[3]


def test_a_dry_run_plan_writes_nothing(book: Book) -> None:
    before = book_dump(book.path)
    plan = plan_import(book, load_contacts(FIXTURES / "google.csv").records())
    assert (plan.created, plan.updated, plan.skipped) == (4, 0, 2)
    assert book_dump(book.path) == before


def test_a_failure_half_way_leaves_the_book_exactly_as_it_was(book: Book) -> None:
    create_client(book, ClientInput(name="Existing", emails=[Contact("sam@okafor.example")]))
    # A real refusal from SQLite itself, on the third client the import writes.
    with book.session() as s:
        s.connection().exec_driver_sql(
            "CREATE TRIGGER refuse_acme BEFORE INSERT ON client "
            "WHEN NEW.name = 'Acme Analytics' BEGIN SELECT RAISE(ABORT, 'disk says no'); END"
        )
    before = book_dump(book.path)
    with pytest.raises(ImportFailed, match="left as it was.*disk says no"):
        apply_import(book, load_contacts(FIXTURES / "google.csv").records())
    assert book_dump(book.path) == before


def test_cancelling_from_progress_rolls_back(book: Book) -> None:
    before = book_dump(book.path)
    seen: list[tuple[int, int]] = []

    def stop_half_way(done: int, total: int) -> None:
        seen.append((done, total))
        if done >= 50:
            raise ImportCancelled()

    records = [
        ContactRecord(f"row {i}", name=f"Person {i}", emails=[Contact(f"p{i}@example.com")])
        for i in range(2, 200)
    ]
    with pytest.raises(ImportCancelled, match="Nothing was changed"):
        apply_import(book, records, progress=stop_half_way)
    assert seen[0] == (0, 198)
    assert book_dump(book.path) == before
    assert list_clients(book) == []


@pytest.mark.parametrize("name", ["broken.vcf"])
def test_the_broken_file_changes_nothing(book: Book, name: str) -> None:
    create_client(book, ClientInput(name="Before", emails=[Contact("before@example.com")]))
    before = book_dump(book.path)
    with pytest.raises(ContactFileError):
        apply_import(book, load_contacts(FIXTURES / name).records())
    assert book_dump(book.path) == before
