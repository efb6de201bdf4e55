"""The command line, run as a real process the way a user or a script would."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from models import __version__
from models.lock import BookLock

ROOT = Path(__file__).resolve().parents[1]


def rapport(*args: str | Path, check: bool = False) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    return subprocess.run(
        [sys.executable, str(ROOT / "main.py"), *map(str, args)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=check,
    )


def assert_clean_error(result: subprocess.CompletedProcess[str], *words: str) -> None:
    """A user mistake: non-zero exit, one line on stderr, no traceback."""
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    for word in words:
        assert word in lines[0]


@pytest.mark.parametrize(
    "words",
    [
        [],
        ["--db", "book.db"],
        ["--db=book.db"],
        ["--tray"],
        ["-v", "--db", "a book.db", "--tray"],
        ["--verbose"],
        ["--db", "first.db", "--db", "second.db"],
    ],
)
def test_a_plain_gui_start_reads_its_arguments_as_the_full_parser_does(words: list[str]) -> None:
    from main import build_parser, gui_args

    quick = gui_args(words)
    assert quick is not None
    assert vars(quick) == vars(build_parser().parse_args(words))


@pytest.mark.parametrize(
    "words",
    [["--db"], ["--db", "-v"], ["demo"], ["--version"], ["-h"], ["--tr"], ["--db", "b", "check"]],
)
def test_anything_but_a_plain_gui_start_goes_to_the_full_parser(words: list[str]) -> None:
    from main import gui_args

    assert gui_args(words) is None


def test_version() -> None:
    result = rapport("--version", check=True)
    assert result.stdout.strip() == f"Rapport {__version__}"


@pytest.mark.parametrize(
    "verb",
    [
        ["demo"],
        ["check"],
        ["due"],
        ["export"],
        ["export", "json"],
        ["export", "ics"],
        ["import", "json"],
    ],
)
def test_every_verb_has_help(verb: list[str]) -> None:
    result = rapport(*verb, "--help", check=True)
    assert result.stdout.startswith("usage: rapport")


def test_demo_check_export_import_round_trip(tmp_path: Path) -> None:
    first, second = tmp_path / "first.db", tmp_path / "second.db"
    demo = rapport("--db", first, "demo", check=True)
    assert "demo clients" in demo.stdout

    check = rapport("--db", first, "check", check=True)
    assert "Integrity: ok" in check.stdout
    assert "(current)" in check.stdout

    out1, out2 = tmp_path / "one.json", tmp_path / "two.json"
    rapport("--db", first, "export", "json", out1, check=True)
    data = json.loads(out1.read_text(encoding="utf-8"))
    assert data["format"] == "rapport-book"
    assert len(data["clients"]) >= 25
    assert sum(len(c["touches"]) for c in data["clients"]) >= 100  # history travels too

    imported = rapport("--db", second, "import", "json", out1, check=True)
    assert f"{len(data['clients'])} added" in imported.stdout
    rapport("--db", second, "export", "json", out2, check=True)
    assert out2.read_bytes() == out1.read_bytes()

    again = rapport("--db", second, "import", "json", out1, check=True)
    assert f"{len(data['clients'])} unchanged" in again.stdout


def test_demo_refuses_a_book_with_clients(tmp_path: Path) -> None:
    path = tmp_path / "b.db"
    rapport("--db", path, "demo", check=True)
    assert_clean_error(rapport("--db", path, "demo"), "already has")


def test_check_fails_on_damage(tmp_path: Path) -> None:
    path = tmp_path / "b.db"
    rapport("--db", path, "demo", check=True)
    conn = sqlite3.connect(path)
    conn.execute(
        "INSERT INTO client_tag (client_id, tag_id) VALUES (99999, 99999)"
    )  # foreign keys are off in this raw connection: an orphan row
    conn.commit()
    conn.close()
    result = rapport("--db", path, "check")
    assert result.returncode == 1
    assert "PROBLEMS FOUND" in result.stdout


@pytest.mark.parametrize(
    ("setup", "args", "words"),
    [
        ("none", ["check"], ["no book"]),
        ("none", ["export", "json", "OUT"], ["no book"]),
        ("none", ["export", "ics", "OUT"], ["no book"]),
        ("none", ["due"], ["no book"]),
        ("book", ["due", "--on", "31/12/2026"], ["--on", "YYYY-MM-DD"]),
        ("book", ["import", "json", "MISSING"], ["missing.json"]),
        ("book", ["import", "json", "BADJSON"], ["JSON"]),
        ("book", ["import", "json", "NOTBOOK"], ["not a Rapport"]),
        ("garbage", ["check"], ["not a Rapport book"]),
        ("garbage", ["export", "json", "OUT"], ["not a Rapport book"]),
        ("garbage", ["due"], ["not a Rapport book"]),
    ],
)
def test_user_mistakes_get_one_clear_line(
    tmp_path: Path, setup: str, args: list[str], words: list[str]
) -> None:
    path = tmp_path / "b.db"
    if setup == "book":
        rapport("--db", path, "demo", check=True)
    elif setup == "garbage":
        path.write_bytes(b"definitely not sqlite" * 50)
    (tmp_path / "bad.json").write_text("{ not json", encoding="utf-8")
    (tmp_path / "other.json").write_text('{"hello": "world"}', encoding="utf-8")
    names = {
        "OUT": tmp_path / "out.json",
        "MISSING": tmp_path / "missing.json",
        "BADJSON": tmp_path / "bad.json",
        "NOTBOOK": tmp_path / "other.json",
    }
    result = rapport("--db", path, *[str(names.get(a, a)) for a in args])
    assert_clean_error(result, *words)
    if setup == "garbage":
        assert path.read_bytes() == b"definitely not sqlite" * 50


def test_writing_verb_waits_for_the_app_to_close_the_book(tmp_path: Path) -> None:
    path = tmp_path / "b.db"
    lock = BookLock(path)
    assert lock.acquire()
    try:
        assert_clean_error(rapport("--db", path, "demo"), "open in Rapport", str(os.getpid()))
    finally:
        lock.release()
    rapport("--db", path, "demo", check=True)
