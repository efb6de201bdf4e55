"""Whole-book JSON export/import: round trips, merging, all-or-nothing, clear errors."""

from __future__ import annotations

import copy
import json
import os
import stat
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from exports import json_book
from exports.json_book import (
    FORMAT,
    VERSION,
    BookFormatError,
    ImportResult,
    dumps,
    export_book,
    import_book,
    read_json,
    write_json,
)
from models.db import Book, open_book
from models.demo import fill_demo
from models.entities import ClientStatus
from models.services.clients import (
    EMAIL_SHAPE,
    ClientInput,
    Contact,
    archive_client,
    count_clients,
    create_client,
    get_client,
    list_clients,
    update_client,
    validate_client,
)

NOW = datetime(2026, 11, 22, 9, 30, 0, 123456, tzinfo=UTC)
UID_A = "a" * 32
UID_B = "b" * 32
UID_C = "c" * 32


def other_book(tmp_path: Path, name: str = "other") -> Book:
    return open_book(tmp_path / name / "rapport.db")


def client_doc(uid: str, name: str, /, **fields: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "id": uid,
        "name": name,
        "organisation": "",
        "role": "",
        "status": "active",
        "notes": "",
        "emails": [],
        "phones": [],
        "tags": [],
        "created_at": "2025-01-02T03:04:05.000006+00:00",
        "updated_at": "2025-02-03T04:05:06.000007+00:00",
        "archived_at": None,
    }
    doc.update(fields)
    return doc


def book_doc(*clients: dict[str, Any]) -> dict[str, Any]:
    return {"format": FORMAT, "version": VERSION, "clients": list(clients)}


def export_text(book: Book) -> str:
    return dumps(export_book(book))


# --------------------------------------------------------------------------- export


def test_demo_round_trip_is_byte_identical(book: Book, tmp_path: Path) -> None:
    fill_demo(book, now=NOW)
    first = tmp_path / "first.json"
    assert write_json(book, first) == count_clients(book, include_archived=True)

    target = other_book(tmp_path)
    try:
        result = import_book(target, read_json(first))
        assert result == ImportResult(
            created=count_clients(book, include_archived=True), updated=0, unchanged=0
        )
        second = tmp_path / "second.json"
        write_json(target, second)
        assert second.read_bytes() == first.read_bytes()
        # Importing the same file again changes nothing and says so.
        again = import_book(target, read_json(first))
        assert again == ImportResult(created=0, updated=0, unchanged=result.created)
        assert export_text(target) == first.read_text(encoding="utf-8")
    finally:
        target.close()


def test_export_shape(book: Book) -> None:
    cid = create_client(
        book,
        ClientInput(
            name="  Amélie Durand ",
            organisation="Cabinet du Parc",
            role="Manager",
            emails=[Contact("b@x.example", "home"), Contact("a@x.example", "work")],
            phones=[Contact("+33 1 99 00 00 01", "mobile")],
            tags=["vip", "Alpha", "beta"],
            notes="line one\nline two",
            status=ClientStatus.PAUSED,
        ),
        now=datetime(2025, 5, 1, 12, 0, tzinfo=UTC),
    )
    archive_client(book, cid, now=datetime(2025, 6, 1, 8, 0, 0, 5, tzinfo=UTC))

    doc = export_book(book)
    assert list(doc) == ["format", "version", "clients"]
    assert doc["format"] == "rapport-book" and doc["version"] == 1
    [c] = doc["clients"]
    assert list(c) == [
        "id",
        "name",
        "organisation",
        "role",
        "status",
        "notes",
        "emails",
        "phones",
        "tags",
        "created_at",
        "updated_at",
        "archived_at",
    ]
    assert c["id"] == get_client(book, cid).uid
    assert c["name"] == "Amélie Durand"
    assert c["status"] == "paused"
    assert c["emails"] == [
        {"value": "b@x.example", "label": "home"},
        {"value": "a@x.example", "label": "work"},
    ]
    assert c["phones"] == [{"value": "+33 1 99 00 00 01", "label": "mobile"}]
    assert c["tags"] == ["Alpha", "beta", "vip"]
    assert c["created_at"] == "2025-05-01T12:00:00.000000+00:00"
    assert c["updated_at"] == "2025-05-01T12:00:00.000000+00:00"
    assert c["archived_at"] == "2025-06-01T08:00:00.000005+00:00"


def test_export_sorts_clients_by_id(book: Book) -> None:
    import_book(
        book, book_doc(client_doc(UID_C, "C"), client_doc(UID_A, "A"), client_doc(UID_B, "B"))
    )
    assert [c["id"] for c in export_book(book)["clients"]] == [UID_A, UID_B, UID_C]


def test_write_json_is_private_atomic_and_plain_utf8(book: Book, tmp_path: Path) -> None:
    create_client(book, ClientInput(name="Søren Kragh", notes="😀"), now=NOW)
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    out = out_dir / "book.json"
    out.write_text("old content", encoding="utf-8")
    os.chmod(out, 0o644)

    assert write_json(book, out) == 1
    raw = out.read_bytes()
    assert raw.endswith(b"}\n")
    assert "Søren Kragh".encode() in raw and "😀".encode() in raw  # not \u-escaped
    assert raw.decode("utf-8") == export_text(book)
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert sorted(p.name for p in out_dir.iterdir()) == ["book.json"]  # no temp left


def test_write_json_failure_leaves_old_file(book: Book, tmp_path: Path) -> None:
    create_client(book, ClientInput(name="Anna"), now=NOW)
    out = tmp_path / "book.json"
    out.write_text("old content", encoding="utf-8")
    with pytest.raises(TypeError):
        # A payload that cannot be written stands in for a full disk.
        json_book._write_atomic(out, "not bytes")  # type: ignore[arg-type]
    assert out.read_text(encoding="utf-8") == "old content"
    assert sorted(p.name for p in tmp_path.iterdir() if p.is_file()) == ["book.json"]


# --------------------------------------------------------------------------- round trip


@dataclass
class ClientSpec:
    data: ClientInput
    created_at: datetime
    updated_at: datetime
    archived_at: datetime | None


def _valid_name(name: str) -> bool:
    return "name" not in validate_client(ClientInput(name=name))


def _email(local: str, domain: str, tld: str) -> str:
    return f"{local}@{domain}.{tld}"


moments = st.datetimes(
    min_value=datetime(1990, 1, 1), max_value=datetime(2090, 1, 1), timezones=st.just(UTC)
)
labels = st.one_of(st.sampled_from(["", "work", "home", "mobile"]), st.text(max_size=20))
emails = st.builds(
    _email,
    st.text(
        alphabet=st.characters(
            blacklist_categories=("Cs", "Cc", "Zs", "Zl", "Zp"), blacklist_characters="@"
        ),
        min_size=1,
        max_size=12,
    ),
    st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789-", min_size=1, max_size=12),
    st.sampled_from(["com", "org", "example", "de", "jp"]),
).filter(lambda e: EMAIL_SHAPE.match(e) is not None)
phones = st.from_regex(r"\+?[0-9][0-9 ()./-]{2,16}[0-9]", fullmatch=True)
client_inputs = st.builds(
    ClientInput,
    # Control characters are refused in names by design; any other character goes.
    name=st.text(
        alphabet=st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=80
    ).filter(_valid_name),
    organisation=st.text(max_size=40),
    role=st.text(max_size=40),
    emails=st.lists(st.builds(Contact, emails, labels), max_size=3),
    phones=st.lists(st.builds(Contact, phones, labels), max_size=3),
    tags=st.lists(st.text(min_size=1, max_size=20), max_size=4),
    notes=st.text(max_size=10_000),
    status=st.sampled_from(list(ClientStatus)),
).filter(lambda d: not validate_client(d))


@st.composite
def client_specs(draw: st.DrawFn) -> ClientSpec:
    data = draw(client_inputs)
    created = draw(moments)
    updated = created + draw(st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=900)))
    archived = draw(st.one_of(st.none(), st.just(updated + timedelta(seconds=1))))
    return ClientSpec(data, created, updated, archived)


# Every hard case at once: the longest note, NUL, emoji, right-to-left text with
# direction marks, combining accents, a name in Hebrew and an email with non-ASCII.
_HARD_NOTE = (
    "NUL:\x00 emoji:😀👩‍💻🇳🇴 RTL:\u202eשלום עולם\u202c مرحبا بالعالم "
    "combining: e\u0301 tab:\t newline:\n CRLF:\r\n "
)
HARD = ClientSpec(
    data=ClientInput(
        name="Zoë 🌱 שרה כהן",
        organisation="\u200fמשרד עורכי דין\u200f",
        role="Партнёр",
        emails=[Contact("zoë@例え.jp", "работа"), Contact("a@b.example", "")],
        phones=[Contact("+972 (3) 555-0100", "נייד")],
        tags=["vip", "🌱 green", "Ωmega"],
        notes=(_HARD_NOTE * 200)[:10_000],
        status=ClientStatus.FORMER,
    ),
    created_at=datetime(2024, 2, 29, 23, 59, 59, 999999, tzinfo=UTC),
    updated_at=datetime(2025, 1, 1, tzinfo=UTC),
    archived_at=datetime(2025, 1, 2, tzinfo=UTC),
)


def _fill_from_specs(book: Book, specs: list[ClientSpec]) -> None:
    for spec in specs:
        cid = create_client(book, spec.data, now=spec.created_at)
        update_client(book, cid, spec.data, now=spec.updated_at)
        if spec.archived_at is not None:
            archive_client(book, cid, now=spec.archived_at)


@settings(
    max_examples=25,
    deadline=None,
    # The autouse fixture only points XDG folders somewhere private; sharing it
    # between examples is harmless, every example opens its own books.
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(specs=st.lists(client_specs(), max_size=4))
@example(specs=[HARD])
def test_round_trip_any_content(
    tmp_path_factory: pytest.TempPathFactory, specs: list[ClientSpec]
) -> None:
    assert len(HARD.data.notes) == 10_000
    folder = tmp_path_factory.mktemp("roundtrip")
    source = open_book(folder / "source.db")
    target = open_book(folder / "target.db")
    try:
        _fill_from_specs(source, specs)
        text = export_text(source)
        result = import_book(target, json.loads(text))
        assert result == ImportResult(created=len(specs), updated=0, unchanged=0)
        assert export_text(target) == text
        # What came out is what went in (after the dialog's trimming); notes are
        # kept exactly, NULs and all.
        exported = json.loads(text)["clients"]
        for spec in specs:
            clean = spec.data.cleaned()
            assert any(c["name"] == clean.name and c["notes"] == spec.data.notes for c in exported)
    finally:
        source.close()
        target.close()


# --------------------------------------------------------------------------- merging


def test_merge_updates_by_id_inserts_new_and_counts(book: Book) -> None:
    import_book(
        book,
        book_doc(
            client_doc(
                UID_A,
                "Anna Old",
                emails=[{"value": "old@a.example", "label": "work"}],
                tags=["small"],
            ),
            client_doc(UID_B, "Bruno Same", tags=["vip"]),
        ),
    )
    local_id = create_client(book, ClientInput(name="Only In Book"), now=NOW)
    anna_id = next(r.id for r in list_clients(book, "anna"))

    result = import_book(
        book,
        book_doc(
            client_doc(
                UID_A,
                "Anna New",
                organisation="Fresh Org",
                status="paused",
                emails=[{"value": "new@a.example", "label": "home"}],
                phones=[{"value": "+44 20 7946 0001", "label": "mobile"}],
                tags=["retainer"],
                notes="moved house",
                created_at="2020-01-01T00:00:00.000000+00:00",
                updated_at="2026-01-01T00:00:00.000000+00:00",
                archived_at="2026-02-01T00:00:00.000000+00:00",
            ),
            client_doc(UID_B, "Bruno Same", tags=["VIP"]),  # tag case does not matter
            client_doc(UID_C, "Carla New"),
        ),
    )
    assert result == ImportResult(created=1, updated=1, unchanged=1)

    anna = get_client(book, anna_id)  # same row, updated in place
    assert anna.uid == UID_A
    assert anna.name == "Anna New" and anna.organisation == "Fresh Org"
    assert anna.status == ClientStatus.PAUSED
    assert anna.emails == [Contact("new@a.example", "home")]
    assert anna.phones == [Contact("+44 20 7946 0001", "mobile")]
    assert anna.tags == ["retainer"]
    assert anna.created_at == datetime(2020, 1, 1, tzinfo=UTC)
    assert anna.updated_at == datetime(2026, 1, 1, tzinfo=UTC)
    assert anna.archived_at == datetime(2026, 2, 1, tzinfo=UTC)
    # search_text was rebuilt: the new details are findable, the old ones are gone.
    assert [r.id for r in list_clients(book, "moved fresh", include_archived=True)] == [anna_id]
    assert list_clients(book, "old@a.example", include_archived=True) == []

    assert get_client(book, local_id).name == "Only In Book"  # untouched
    assert count_clients(book, include_archived=True) == 4
    carla = [c for c in export_book(book)["clients"] if c["id"] == UID_C]
    assert carla[0]["created_at"] == "2025-01-02T03:04:05.000006+00:00"


def test_unchanged_only_when_everything_matches(book: Book) -> None:
    base = client_doc(UID_A, "Anna", emails=[{"value": "a@a.example", "label": "work"}])
    import_book(book, book_doc(base))
    assert import_book(book, book_doc(base)) == ImportResult(0, 0, 1)
    relabelled = copy.deepcopy(base)
    relabelled["emails"][0]["label"] = "home"
    assert import_book(book, book_doc(relabelled)) == ImportResult(0, 1, 0)
    touched = dict(relabelled, updated_at="2026-05-05T00:00:00+00:00")
    assert import_book(book, book_doc(touched)) == ImportResult(0, 1, 0)


def test_hand_written_file_uses_defaults(book: Book) -> None:
    result = import_book(
        book,
        book_doc({"id": UID_A, "name": "  Minimal  ", "tags": ["a", " a ", "", "B"]}),
        now=NOW,
    )
    assert result == ImportResult(1, 0, 0)
    [c] = export_book(book)["clients"]
    assert c["name"] == "Minimal"
    assert c["status"] == "active" and c["notes"] == "" and c["emails"] == []
    assert c["tags"] == ["a", "B"]
    assert c["created_at"] == c["updated_at"] == "2026-11-22T09:30:00.123456+00:00"
    assert c["archived_at"] is None
    # Without timestamps in the file, an identical client counts as unchanged.
    assert import_book(
        book,
        book_doc({"id": UID_A, "name": "Minimal", "tags": ["A", "b"]}),
        now=NOW + timedelta(days=1),
    ) == ImportResult(0, 0, 1)


def test_other_time_zones_are_stored_as_utc(book: Book) -> None:
    import_book(
        book,
        book_doc(
            client_doc(
                UID_A,
                "Anna",
                created_at="2025-03-14T11:30:00+02:00",
                updated_at="2025-03-14T09:30:00Z",
            )
        ),
    )
    [c] = export_book(book)["clients"]
    assert c["created_at"] == "2025-03-14T09:30:00.000000+00:00"
    assert c["updated_at"] == "2025-03-14T09:30:00.000000+00:00"


# --------------------------------------------------------------------------- all or nothing


def test_invalid_last_client_leaves_book_unchanged(book: Book) -> None:
    fill_demo(book, now=NOW)
    before = export_text(book)
    existing = export_book(book)["clients"][0]
    doc = book_doc(
        dict(existing, name="Renamed"),
        client_doc(UID_A, "New Person"),
        client_doc(UID_B, "Anna", emails=[{"value": "anna.example.com", "label": "work"}]),
    )
    with pytest.raises(BookFormatError) as err:
        import_book(book, doc)
    assert str(err.value) == (
        'clients[2].emails[0]: "anna.example.com" does not look like an email address.'
    )
    assert export_text(book) == before


def test_database_refusal_mid_import_rolls_everything_back(book: Book) -> None:
    import_book(book, book_doc(client_doc(UID_C, "Already Here", tags=["keep"])))
    before = export_text(book)
    # A rule only the database knows, so the refusal comes after the first client
    # has been written inside the transaction.
    with book.engine.begin() as conn:
        conn.exec_driver_sql(
            "CREATE TRIGGER refuse_boom BEFORE INSERT ON client WHEN NEW.name = 'Boom' "
            "BEGIN SELECT RAISE(ABORT, 'no clients called Boom'); END"
        )
    doc = book_doc(
        client_doc(
            UID_A, "Fine", tags=["brand-new-tag"], emails=[{"value": "fine@x.example", "label": ""}]
        ),
        client_doc(UID_C, "Already Here, renamed"),
        client_doc(UID_B, "Boom"),
    )
    with pytest.raises(BookFormatError) as err:
        import_book(book, doc)
    assert str(err.value) == "clients[2]: the book refused this client (no clients called Boom)."
    assert export_text(book) == before
    assert list_clients(book, "fine", include_archived=True) == []
    with book.engine.connect() as conn:
        tags = [r[0] for r in conn.exec_driver_sql("SELECT name FROM tag ORDER BY name")]
        contacts = conn.exec_driver_sql("SELECT count(*) FROM contact_point").scalar()
    assert tags == ["keep"]
    assert contacts == 0


def test_every_problem_is_collected(book: Book) -> None:
    doc = book_doc(
        client_doc(UID_A, ""),
        client_doc("nope", "Bad Id", status="retired"),
        client_doc(UID_B, "Ok"),
    )
    with pytest.raises(BookFormatError) as err:
        import_book(book, doc)
    assert err.value.problems == [
        "clients[0].name: Please give the client a name.",
        'clients[1].id: "nope" is not a Rapport id (32 characters, each 0-9 or a-f).',
        'clients[1].status: "retired" is not a status; use "active", "paused" or "former".',
    ]
    assert str(err.value) == (
        "clients[0].name: Please give the client a name. (2 more problems in this file.)"
    )
    assert count_clients(book, include_archived=True) == 0


# --------------------------------------------------------------------------- clear errors


def _import_error(book: Book, doc: Any) -> str:
    with pytest.raises(BookFormatError) as err:
        import_book(book, doc)
    assert count_clients(book, include_archived=True) == 0
    return str(err.value)


def test_read_json_not_json(tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    path.write_text('{\n  "format": "rapport-book",\n  "version": 1\n  "clients": []\n}\n')
    with pytest.raises(BookFormatError) as err:
        read_json(path)
    assert str(err.value) == (
        f"{path} is not valid JSON: Expecting ',' delimiter at line 4, column 3."
    )


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (None, "There is no file at {path}."),
        (b"", "{path} is empty."),
        (b'{"name": "Bj\xf6rn"}', "{path} is not UTF-8 text (byte 12 is not valid UTF-8)."),
        (
            b"[1, 2]",
            "This is not a Rapport book export (the file holds a list, not a JSON object).",
        ),
    ],
)
def test_read_json_errors(tmp_path: Path, content: bytes | None, expected: str) -> None:
    path = tmp_path / "in.json"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(BookFormatError) as err:
        read_json(path)
    assert str(err.value) == expected.format(path=path)


def test_read_json_accepts_a_byte_order_mark(tmp_path: Path) -> None:
    path = tmp_path / "bom.json"
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps(book_doc()).encode())
    assert read_json(path) == book_doc()


def test_read_json_folder(tmp_path: Path) -> None:
    with pytest.raises(BookFormatError, match="is a folder, not a file"):
        read_json(tmp_path)


@pytest.mark.parametrize(
    ("doc", "expected"),
    [
        ([], "This is not a Rapport book export (expected a JSON object, found a list)."),
        ({"version": 1, "clients": []}, 'This is not a Rapport book export (missing "format").'),
        (
            {"format": "vcard", "version": 1, "clients": []},
            'This is not a Rapport book export ("format" is "vcard", expected "rapport-book").',
        ),
        ({"format": FORMAT, "clients": []}, 'This Rapport book export has no "version".'),
        (
            {"format": FORMAT, "version": "1", "clients": []},
            '"version" should be a whole number, not text.',
        ),
        (
            {"format": FORMAT, "version": 3, "clients": []},
            "This export is version 3; this Rapport reads version 1 or older.",
        ),
        (
            {"format": FORMAT, "version": 0, "clients": []},
            "This export says version 0, but versions start at 1.",
        ),
        ({"format": FORMAT, "version": 1}, 'This export has no "clients" list.'),
        (
            {"format": FORMAT, "version": 1, "clients": {}},
            '"clients" should be a list, not an object.',
        ),
        (
            {"format": FORMAT, "version": 1, "clients": [], "exported_at": "now"},
            'This export has an unknown top-level field "exported_at".',
        ),
    ],
)
def test_header_errors(book: Book, doc: Any, expected: str) -> None:
    assert _import_error(book, doc) == expected


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        (
            {"created_at": "2025-13-01T00:00:00+00:00"},
            'clients[0].created_at: "2025-13-01T00:00:00+00:00" is not a date and time in '
            'ISO 8601 form, like "2025-03-14T09:30:00+00:00".',
        ),
        (
            {"updated_at": "2025-03-01T10:00:00"},
            'clients[0].updated_at: "2025-03-01T10:00:00" has no time zone; add one, '
            'like "+00:00" or "Z".',
        ),
        (
            {"archived_at": 1700000000},
            "clients[0].archived_at: should be a date and time as text, not a number.",
        ),
        ({"created_at": None}, "clients[0].created_at: should be a date and time, not null."),
        (
            {"id": "A" * 32},
            f'clients[0].id: "{"A" * 32}" is not a Rapport id (32 characters, each 0-9 or a-f).',
        ),
        ({"id": 7}, "clients[0].id: should be text, not a number."),
        (
            {"status": "retired"},
            'clients[0].status: "retired" is not a status; use "active", "paused" or "former".',
        ),
        ({"organization": "typo"}, 'clients[0]: unknown field "organization".'),
        ({"tags": "vip"}, "clients[0].tags: should be a list, not text."),
        ({"tags": ["ok", 3]}, "clients[0].tags[1]: should be text, not a number."),
        ({"tags": ["x" * 81]}, "clients[0].tags: A tag can be at most 80 characters."),
        (
            {"emails": ["a@b.example"]},
            'clients[0].emails[0]: should be an object like {"value": "…", "label": "work"}, '
            "not text.",
        ),
        ({"emails": [{"label": "work"}]}, 'clients[0].emails[0]: missing "value".'),
        (
            {"emails": [{"value": " ", "label": "work"}]},
            "clients[0].emails[0].value: is empty; fill it in or remove this entry.",
        ),
        (
            {"phones": [{"value": "+44 1632 960000"}, {"value": "call me", "kind": "x"}]},
            'clients[0].phones[1]: unknown field "kind".',
        ),
        (
            {"phones": [{"value": "call me"}]},
            'clients[0].phones[0]: "call me" does not look like a phone number '
            "(digits, spaces, + ( ) - . / are fine).",
        ),
        ({"name": "Tab\there"}, "clients[0].name: The name contains invisible control characters."),
        (
            {"notes": "half a pair: \ud800"},
            "clients[0].notes: contains a broken character (half of a UTF-16 pair).",
        ),
    ],
)
def test_client_errors(book: Book, fields: dict[str, Any], expected: str) -> None:
    doc = book_doc(client_doc(UID_A, "Anna", **fields))
    assert _import_error(book, doc) == expected


def test_missing_required_fields(book: Book) -> None:
    assert _import_error(book, book_doc({"name": "No Id"})) == 'clients[0]: missing "id".'
    assert _import_error(book, book_doc({"id": UID_A})) == 'clients[0]: missing "name".'
    assert _import_error(book, book_doc("Anna")) == "clients[0]: should be an object, not text."


def test_duplicate_ids(book: Book) -> None:
    doc = book_doc(
        client_doc(UID_A, "Anna"), client_doc(UID_B, "Bo"), client_doc(UID_A, "Anna again")
    )
    assert _import_error(book, doc) == (
        f'clients[2].id: "{UID_A}" appears twice; clients[0] has it too.'
    )


# --------------------------------------------------------------------------- versions


def test_older_versions_are_upgraded_step_by_step(monkeypatch: pytest.MonkeyPatch) -> None:
    """Rehearse the day version 2 arrives: a version-1 file goes through _UPGRADES[1]."""

    def one_to_two(doc: dict[str, Any]) -> dict[str, Any]:
        return {**doc, "version": 2, "clients": [dict(c, upgraded=True) for c in doc["clients"]]}

    monkeypatch.setattr(json_book, "VERSION", 2)
    monkeypatch.setitem(json_book._UPGRADES, 1, one_to_two)
    upgraded = json_book._upgrade_document(book_doc(client_doc(UID_A, "Anna")))
    assert upgraded["version"] == 2
    assert upgraded["clients"][0]["upgraded"] is True


def test_format_errors_are_user_errors() -> None:
    """The command line and the GUI show any RapportError as one line; so must these."""
    from models.errors import RapportError

    assert issubclass(BookFormatError, RapportError)
    assert issubclass(BookFormatError, ValueError)
