"""JSON format version 4: agreements (with commitments and the stored final PDF)
and the consultant's details travel in the export."""

from __future__ import annotations

import base64
import copy
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from exports.book_json import (
    FORMAT,
    VERSION,
    BookFormatError,
    dumps,
    export_book,
    import_book,
    import_json,
    write_json,
)
from models.db import Book, open_book
from models.demo import fill_demo
from models.services.agreement_documents import agreement_pdf, pdf_renderer
from models.services.agreements import finalise, get_agreement, list_agreements, new_version
from models.services.consultant import get_settings

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
UID_A = "a" * 32


@pytest.fixture
def demo(tmp_path: Path) -> Book:
    book = open_book(tmp_path / "demo.db")
    fill_demo(book, now=NOW)
    yield book
    book.close()


def fresh(tmp_path: Path, name: str) -> Book:
    return open_book(tmp_path / name / "b.db")


def via_file(source: Book, target: Book, folder: Path, doc: dict[str, Any] | None = None):
    """Export ``source`` as a file (evidence beside it), optionally with the JSON
    replaced by ``doc``, and import that file into ``target``."""
    out = folder / "export.json"
    folder.mkdir(parents=True, exist_ok=True)
    write_json(source, out)
    if doc is not None:
        out.write_text(dumps(doc), encoding="utf-8")
    return import_json(target, out, now=NOW)


def _agreements(doc: dict[str, Any]) -> list[dict[str, Any]]:
    return [a for c in doc["clients"] for a in c["agreements"]]


def test_export_carries_agreements_and_consultant(demo: Book) -> None:
    doc = export_book(demo)
    assert VERSION == 6 and doc["version"] == 6
    assert list(doc) == ["format", "version", "consultant", "clients"]
    assert doc["consultant"]["name"] == get_settings(demo).name
    ags = {a["status"]: a for a in _agreements(doc)}
    assert set(ags) == {"final", "draft"}
    final = ags["final"]
    [row] = [r for r in list_agreements(demo) if r.uid == final["id"]]
    assert base64.b64decode(final["pdf"]) == agreement_pdf(demo, row.id)
    assert final["pdf_sha256"] == get_agreement(demo, row.id).pdf_sha256
    assert final["incident"] and final["review_follow_up"]
    assert {c["side"] for c in final["commitments"]} == {"ours", "theirs"}
    assert ags["draft"]["pdf"] is None and ags["draft"]["pdf_sha256"] is None


def test_round_trip_is_byte_identical(demo: Book, tmp_path: Path) -> None:
    first = dumps(export_book(demo))
    other = fresh(tmp_path, "copy")
    try:
        result = via_file(demo, other, tmp_path / "out")
        assert result.created == len(export_book(demo)["clients"])
        assert dumps(export_book(other)) == first
        # Importing again changes nothing.
        again = via_file(demo, other, tmp_path / "out")
        assert again.created == again.updated == 0
        assert dumps(export_book(other)) == first
    finally:
        other.close()
    # And into the book it came from.
    assert via_file(demo, demo, tmp_path / "out2").updated == 0
    assert dumps(export_book(demo)) == first


def test_supersedes_link_travels(demo: Book, tmp_path: Path) -> None:
    [final] = [r for r in list_agreements(demo) if r.status.value == "final"]
    v2 = new_version(demo, final.id, now=NOW)
    finalise(demo, v2, pdf_renderer(demo), now=NOW)
    doc = export_book(demo)
    by_id = {a["id"]: a for a in _agreements(doc)}
    [newer] = [a for a in by_id.values() if a["supersedes"]]
    assert by_id[newer["supersedes"]]["status"] == "superseded"
    other = fresh(tmp_path, "copy")
    try:
        via_file(demo, other, tmp_path / "out")
        assert dumps(export_book(other)) == dumps(doc)
        [row] = [r for r in list_agreements(other) if r.uid == newer["id"]]
        assert get_agreement(other, row.id).supersedes_id is not None
    finally:
        other.close()


def test_a_changed_pdf_is_refused(demo: Book, tmp_path: Path) -> None:
    doc = export_book(demo)
    bad = copy.deepcopy(doc)
    for c in bad["clients"]:
        for a in c["agreements"]:
            if a["pdf"]:
                data = bytearray(base64.b64decode(a["pdf"]))
                data[-10] ^= 1
                a["pdf"] = base64.b64encode(bytes(data)).decode("ascii")
    other = fresh(tmp_path, "copy")
    try:
        with pytest.raises(BookFormatError, match="does not match its pdf_sha256"):
            via_file(demo, other, tmp_path / "out", bad)
        assert list_agreements(other) == []
    finally:
        other.close()


def test_a_final_without_its_pdf_and_a_draft_with_one_are_refused(demo: Book) -> None:
    doc = export_book(demo)
    bad = copy.deepcopy(doc)
    for c in bad["clients"]:
        for a in c["agreements"]:
            if a["status"] == "final":
                a["pdf"] = None
            else:
                a["pdf_sha256"] = "0" * 64
    with pytest.raises(BookFormatError) as err:
        import_book(demo, bad, now=NOW)
    text = " ".join(err.value.problems)
    assert "carries its stored PDF" in text and "a draft has no stored PDF" in text


def test_links_must_name_this_clients_rows(demo: Book) -> None:
    doc = export_book(demo)
    bad = copy.deepcopy(doc)
    for c in bad["clients"]:
        for a in c["agreements"]:
            a["supersedes"] = "f" * 32
            a["incident"] = "e" * 32
    with pytest.raises(BookFormatError) as err:
        import_book(demo, bad, now=NOW)
    text = " ".join(err.value.problems)
    assert "one of this client's other agreements" in text
    assert "one of this client's incidents" in text


def test_version_3_files_still_import_and_keep_agreements(demo: Book, tmp_path: Path) -> None:
    doc = export_book(demo)
    v3 = {"format": FORMAT, "version": 3, "clients": copy.deepcopy(doc["clients"])}
    for c in v3["clients"]:
        del c["agreements"]
        for inc in c["incidents"]:
            del inc["repair_plans"]  # new in version 5
    before = dumps(doc)
    via_file(demo, demo, tmp_path / "out", v3)
    assert dumps(export_book(demo)) == before  # nothing was thrown away


def test_version_3_file_with_new_keys_is_refused() -> None:
    from exports.book_json import check_stream as check

    v3 = {
        "format": FORMAT,
        "version": 3,
        "consultant": {},
        "clients": [{"id": UID_A, "name": "Anna", "agreements": []}],
    }
    with pytest.raises(BookFormatError) as err:
        check._check_document(v3, NOW)
    assert len(err.value.problems) == 2
    assert all("new in version 4" in p for p in err.value.problems)


def test_consultant_is_checked_like_the_dialog(tmp_path: Path) -> None:
    book = fresh(tmp_path, "x")
    try:
        doc = {
            "format": FORMAT,
            "version": 4,
            "consultant": {"name": "Me", "email": "not an email", "page_size": "A5"},
            "clients": [],
        }
        with pytest.raises(BookFormatError) as err:
            import_book(book, doc, now=NOW)
        assert "consultant.page_size" in str(err.value)
        doc["consultant"]["page_size"] = "Letter"
        with pytest.raises(BookFormatError, match="consultant.email"):
            import_book(book, doc, now=NOW)
        doc["consultant"]["email"] = "me@example.test"
        import_book(book, doc, now=NOW)
        me = get_settings(book)
        assert me.name == "Me" and me.page_size.value == "Letter"
    finally:
        book.close()
