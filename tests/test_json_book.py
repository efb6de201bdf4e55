"""Whole-book JSON export/import: the export, merging, all-or-nothing, versions."""

from __future__ import annotations

import copy
import os
import stat
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from exports.book_json import (
    FORMAT,
    BookFormatError,
    ImportResult,
    attachments_dir_for,
    export_book,
    import_book,
    import_json,
    versions,
    write_json,
)
from models.db import Book
from models.demo import fill_demo
from models.entities import (
    ClientStatus,
)
from models.services.client_search import list_clients
from models.services.clients import (
    ClientInput,
    Contact,
    archive_client,
    count_clients,
    create_client,
    get_client,
)
from tests.json_kit import (
    NOW,
    UID_A,
    UID_B,
    UID_C,
    book_doc,
    client_doc,
    export_text,
    folder_contents,
    other_book,
)

# --------------------------------------------------------------------------- export


def test_demo_round_trip_is_byte_identical(book: Book, tmp_path: Path) -> None:
    fill_demo(book, now=NOW)
    first = tmp_path / "first.json"
    assert write_json(book, first) == count_clients(book, include_archived=True)
    files = folder_contents(attachments_dir_for(first))
    assert len(files) >= 2  # the demo's evidence travels beside the JSON

    target = other_book(tmp_path)
    try:
        result = import_json(target, first)
        assert result == ImportResult(
            created=count_clients(book, include_archived=True), updated=0, unchanged=0
        )
        second = tmp_path / "second.json"
        write_json(target, second)
        assert second.read_bytes() == first.read_bytes()
        assert folder_contents(attachments_dir_for(second)) == files
        # Importing the same file again changes nothing and says so.
        again = import_json(target, first)
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
    assert list(doc) == ["format", "version", "consultant", "clients"]
    assert doc["format"] == "rapport-book" and doc["version"] == 6
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
        "cadence_days",
        "priority_until",
        "created_at",
        "updated_at",
        "archived_at",
        "touches",
        "follow_ups",
        "incidents",
        "agreements",
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
    assert c["cadence_days"] is None and c["priority_until"] is None
    assert c["touches"] == [] and c["follow_ups"] == [] and c["incidents"] == []
    assert c["agreements"] == []


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


# --------------------------------------------------------------------------- versions


def test_older_versions_are_upgraded_step_by_step(monkeypatch: pytest.MonkeyPatch) -> None:
    """Rehearse the day version 6 arrives: a version-1 file goes through UPGRADES[1]
    to UPGRADES[5], in that order."""

    def five_to_six(doc: dict[str, Any]) -> dict[str, Any]:
        assert doc["version"] == 5
        assert "touches" in doc["clients"][0] and doc["clients"][0]["incidents"] == []
        # Version 3 files leave the book's agreements alone: no list is filled in.
        assert "agreements" not in doc["clients"][0]
        return {**doc, "version": 6, "clients": [dict(c, upgraded=True) for c in doc["clients"]]}

    monkeypatch.setattr(versions, "VERSION", 6)
    monkeypatch.setitem(versions.UPGRADES, 5, five_to_six)
    v1 = {"format": FORMAT, "version": 1, "clients": [{"id": UID_A, "name": "Anna"}]}
    upgraded = versions.upgrade_document(v1)
    assert upgraded["version"] == 6
    assert upgraded["clients"][0]["upgraded"] is True
    assert v1 == {"format": FORMAT, "version": 1, "clients": [{"id": UID_A, "name": "Anna"}]}


def test_format_errors_are_user_errors() -> None:
    """The command line and the GUI show any RapportError as one line; so must these."""
    from models.errors import RapportError

    assert issubclass(BookFormatError, RapportError)
    assert issubclass(BookFormatError, ValueError)
