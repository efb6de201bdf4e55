"""The command line under hostile input: one line on stderr, never a traceback, and
nothing a terminal would act on. Every case runs main.py as a real process."""

from __future__ import annotations

import json
import sqlite3
from datetime import date
from pathlib import Path

import pytest

from tests.test_cli import assert_clean_error, rapport


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("hostile") / "demo.db"
    rapport("--db", path, "demo", check=True)
    return path


@pytest.mark.parametrize("day", ["9999-12-25", "0001-01-01", "1899-12-31", "2201-01-01"])
def test_due_refuses_a_date_outside_the_supported_years(demo_db: Path, day: str) -> None:
    assert_clean_error(rapport("--db", demo_db, "due", "--on", day), "--on", "1900", "2200")


@pytest.mark.parametrize("day", ["1900-01-01", "2200-12-24"])
def test_due_accepts_the_ends_of_the_range(demo_db: Path, day: str) -> None:
    rapport("--db", demo_db, "due", "--on", day, check=True)
    rapport("--db", demo_db, "due", "--json", "--on", day, check=True)


@pytest.mark.parametrize(
    "args",
    [
        ["pdf", "agreement", "9" * 5000, "OUT"],
        ["pdf", "client", "99999999999999999999", "OUT"],
        ["pdf", "repair", "-1", "OUT"],
        ["pdf", "client", "0", "OUT"],
        ["export", "ics", "OUT", "--days", "9" * 5000],
        ["export", "ics", "OUT", "--days", "9" * 4000],
        ["export", "ics", "OUT", "--days", "1e9"],
        ["due", "--bogus"],
        ["due", "--on", "\x1b[2J2026-01-01"],
    ],
)
def test_absurd_options_get_one_line(demo_db: Path, tmp_path: Path, args: list[str]) -> None:
    out = tmp_path / "out.pdf"
    result = rapport("--db", demo_db, *[str(out) if a == "OUT" else a for a in args])
    assert_clean_error(result)
    assert len(result.stderr) < 400
    assert "\x1b" not in result.stderr
    assert not out.exists()


@pytest.mark.parametrize("fmt", ["json", "csv", "vcard", "ics"])
def test_export_to_a_missing_folder_is_refused_and_creates_nothing(
    demo_db: Path, tmp_path: Path, fmt: str
) -> None:
    out = tmp_path / "no" / "such" / "folder" / f"book.{fmt}"
    result = rapport("--db", demo_db, "export", fmt, out)
    assert_clean_error(result, "does not exist")
    assert not (tmp_path / "no").exists()


def test_export_onto_a_folder_is_refused(demo_db: Path, tmp_path: Path) -> None:
    assert_clean_error(rapport("--db", demo_db, "export", "csv", tmp_path), "is a folder")


def test_names_and_titles_reach_the_terminal_escaped(demo_db: Path, tmp_path: Path) -> None:
    """Client names and follow-up titles with ESC, CR and C1 controls in them."""
    path = tmp_path / "evil.db"
    path.write_bytes(demo_db.read_bytes())
    with sqlite3.connect(path) as db:
        db.execute("UPDATE client SET name = name || char(27) || '[2J' || char(13) || char(155)")
        db.execute("UPDATE follow_up SET title = char(27) || ']0;owned' || char(7) || title")
    db.close()
    for args in (["due", "--on", "2200-01-01"], ["due", "--json", "--on", "2200-01-01"]):
        result = rapport("--db", path, *args, check=True)
        assert "\x1b" not in result.stdout and "\r" not in result.stdout
        assert "\x9b" not in result.stdout and "\x07" not in result.stdout
        assert "[2J" in result.stdout  # the text is still there, only made inert
    assert "\\x1b[2J" in rapport("--db", path, "due", "--on", "2200-01-01").stdout
    rows = json.loads(rapport("--db", path, "due", "--json", "--on", "2200-01-01").stdout)
    assert any(r["client_name"].endswith("[2J\r\x9b") for r in rows)


def test_names_from_a_contacts_file_are_escaped(tmp_path: Path) -> None:
    src = tmp_path / "evil.csv"
    # Enough plain rows that the file as a whole still reads as text.
    plain = "".join(f"Person {n},a perfectly ordinary note\n" for n in range(60))
    src.write_text(
        "Name,Notes\nEvil\x1b[31m Red,one\nEvil\x1b[31m Red,two\n\x1b]0;t\x07Bob\x9b,x\n"
        + plain,
        encoding="utf-8",
    )
    result = rapport("--db", tmp_path / "b.db", "import", src)
    assert "Traceback" not in result.stderr
    for text in (result.stdout, result.stderr):
        assert "\x1b" not in text and "\x07" not in text and "\x9b" not in text
    assert "\\x1b" in result.stdout


# -- property: no date option ever ends in a traceback ----------------------------------

from hypothesis import HealthCheck, example, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

import main  # noqa: E402

DATE_TEXT = st.one_of(
    st.dates().map(date.isoformat),
    st.dates().map(lambda d: f"{d.year:04d}-{d.month:02d}-{d.day + 3:02d}"),
    st.text(alphabet="0123456789-+ \x1b\x00:T/", max_size=24),
    st.text(max_size=24),
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
)


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(text=DATE_TEXT, as_json=st.booleans())
@example(text="9999-12-31", as_json=False)
@example(text="9999-12-25", as_json=True)
@example(text="0001-01-01", as_json=False)
def test_any_due_on_is_an_answer_or_one_line(
    demo_db: Path, capsys: pytest.CaptureFixture[str], text: str, as_json: bool
) -> None:
    """main() in this process (a subprocess per example would take minutes): a date
    is answered or refused in one line on stderr with a non-zero exit."""
    argv = ["--db", str(demo_db), "due", "--on", text, *(["--json"] if as_json else [])]
    try:
        code = main.main(argv)
    except SystemExit as exc:  # argparse's own refusals (an option-like value)
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    assert "\x1b" not in out + err and "\x00" not in out + err
    if code == 0:
        assert err == "" and out
    else:
        assert len(err.strip().splitlines()) == 1, err
