"""`rapport import FILE` and `rapport export csv|vcard OUT`, run as real processes."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.test_cli import assert_clean_error, rapport
from tests.test_contacts_import import book_dump

FIXTURES = Path(__file__).parent / "fixtures" / "contacts"


@pytest.fixture
def demo_db(tmp_path: Path) -> Path:
    path = tmp_path / "b.db"
    rapport("--db", path, "demo", check=True)
    return path


def test_dry_run_prints_counts_and_changes_nothing(demo_db: Path) -> None:
    before = book_dump(demo_db)
    result = rapport("--db", demo_db, "import", FIXTURES / "google.csv", "--dry-run", check=True)
    first = result.stdout.splitlines()[0]
    assert "nothing was changed" in first
    assert "4 created, 0 updated, 2 skipped" in first
    assert "row 5 (J. Müller): Same email as row 2; merged into it." in result.stdout
    assert book_dump(demo_db) == before


def test_dry_run_on_a_missing_book_creates_nothing(tmp_path: Path) -> None:
    path = tmp_path / "none.db"
    result = rapport("--db", path, "import", "--dry-run", FIXTURES / "v4.vcf")
    assert_clean_error(result, "no book")
    assert not path.exists()


def test_import_prints_created_updated_skipped(tmp_path: Path) -> None:
    path = tmp_path / "b.db"
    first = rapport("--db", path, "import", FIXTURES / "outlook_cp1252.csv", check=True)
    assert "2 created, 0 updated, 0 skipped." in first.stdout
    second = rapport("--db", path, "import", FIXTURES / "android.vcf", check=True)
    # Jürgen is known by email and gains what Outlook lacked; card 4 is damaged.
    assert "2 created, 1 updated, 1 skipped." in second.stdout
    assert "card 4: This card could not be read" in second.stdout
    again = rapport("--db", path, "import", FIXTURES / "android.vcf", check=True)
    assert "0 created, 0 updated, 4 skipped (3 already up to date)." in again.stdout


def test_format_is_found_from_the_contents_without_an_extension(tmp_path: Path) -> None:
    path = tmp_path / "b.db"
    src = tmp_path / "contacts.txt"
    src.write_bytes((FIXTURES / "v4.vcf").read_bytes())
    result = rapport("--db", path, "import", src, check=True)
    assert "2 created" in result.stdout


@pytest.mark.parametrize(
    ("make", "words"),
    [
        ("broken", ["broken.vcf", "not plain text"]),
        ("binary", ["contacts.csv", "not plain text"]),
        ("missing", ["no file"]),
        ("folder", ["folder"]),
        ("empty", ["empty"]),
        ("no-columns", ["None of the columns"]),
        ("not-vcard", ["no contact card"]),
    ],
)
def test_a_file_it_cannot_read_is_one_line_and_changes_nothing(
    demo_db: Path, tmp_path: Path, make: str, words: list[str]
) -> None:
    paths = {
        "broken": FIXTURES / "broken.vcf",
        "binary": tmp_path / "contacts.csv",
        "missing": tmp_path / "missing.csv",
        "folder": tmp_path / "folder.vcf",
        "empty": tmp_path / "empty.csv",
        "no-columns": tmp_path / "columns.csv",
        "not-vcard": tmp_path / "letter.vcf",
    }
    (tmp_path / "contacts.csv").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" * 20)
    (tmp_path / "folder.vcf").mkdir()
    (tmp_path / "empty.csv").write_bytes(b"")
    (tmp_path / "columns.csv").write_text("Lieblingsfarbe,Schuhgröße\nblau,42\n", encoding="utf-8")
    (tmp_path / "letter.vcf").write_text("Dear Anna,\nhere are my details.\n", encoding="utf-8")
    before = book_dump(demo_db)
    result = rapport("--db", demo_db, "import", paths[make])
    assert result.returncode == 1
    assert_clean_error(result, *words)
    assert result.stdout == ""
    assert book_dump(demo_db) == before


def test_json_still_imports_by_extension_and_by_the_old_form(demo_db: Path, tmp_path: Path) -> None:
    out = tmp_path / "book.json"
    rapport("--db", demo_db, "export", "json", out, check=True)
    by_extension = rapport("--db", tmp_path / "one.db", "import", out, check=True)
    old_form = rapport("--db", tmp_path / "two.db", "import", "json", out, check=True)
    assert " added, 0 updated, 0 unchanged." in by_extension.stdout
    assert by_extension.stdout.split(":", 1)[1] == old_form.stdout.split(":", 1)[1]
    assert_clean_error(rapport("--db", demo_db, "import", out, "--dry-run"), "--dry-run")
    assert_clean_error(rapport("--db", demo_db, "import", out, "extra.csv"), "one too many")


def test_export_csv_and_vcard_then_import_matches_everyone(demo_db: Path, tmp_path: Path) -> None:
    for fmt, name in (("csv", "all.csv"), ("vcard", "all.vcf")):
        out = tmp_path / name
        result = rapport("--db", demo_db, "export", fmt, out, check=True)
        assert result.stdout.startswith("Exported ") and str(out) in result.stdout
        before = book_dump(demo_db)
        back = rapport("--db", demo_db, "import", out, check=True)
        assert "0 created, 0 updated" in back.stdout
        assert book_dump(demo_db) == before
    assert (tmp_path / "all.vcf").read_bytes().startswith(b"BEGIN:VCARD\r\n")


@pytest.mark.parametrize("verb", [["import"], ["export", "csv"], ["export", "vcard"]])
def test_new_verbs_have_help(verb: list[str]) -> None:
    result = rapport(*verb, "--help", check=True)
    assert result.stdout.startswith("usage: rapport")


def test_export_needs_an_existing_book(tmp_path: Path) -> None:
    assert_clean_error(
        rapport("--db", tmp_path / "x.db", "export", "csv", tmp_path / "o.csv"), "no book"
    )
