"""The log file: created private in the user's log folder, rotated, and fed by the CLI."""

from __future__ import annotations

import logging
import os
import stat
from pathlib import Path

import pytest

import main as cli
from models.logs import BACKUP_COUNT, LOG_FILENAME, MAX_BYTES, setup_logging


@pytest.fixture(autouse=True)
def _restore_logging() -> object:
    yield
    setup_logging()  # back to the default handlers, in this test's folders
    logging.getLogger().setLevel(logging.WARNING)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def user_log_folder() -> Path:
    # conftest gives each test its own XDG_STATE_HOME; logs go to <state>/Rapport/log.
    return Path(os.environ["XDG_STATE_HOME"]) / "Rapport" / "log"


def test_the_log_file_is_private_and_in_the_user_log_folder(tmp_path: Path) -> None:
    os.umask(0o022)  # a common umask, which would make a plain file 0644
    path = setup_logging()
    assert path == user_log_folder() / LOG_FILENAME
    logging.getLogger("rapport.test").warning("a warning for the file")
    assert path.is_file() and mode(path) == 0o600
    assert mode(path.parent) == 0o700
    assert "a warning for the file" in path.read_text(encoding="utf-8")


def test_warnings_always_debug_only_when_verbose(tmp_path: Path) -> None:
    path = setup_logging()
    assert path is not None
    logging.getLogger("rapport.test").debug("quiet detail")
    logging.getLogger("rapport.test").error("loud problem")
    text = path.read_text(encoding="utf-8")
    assert "loud problem" in text and "quiet detail" not in text
    setup_logging(verbose=True)
    logging.getLogger("rapport.test").debug("verbose detail")
    assert "verbose detail" in path.read_text(encoding="utf-8")


def test_setting_up_twice_writes_each_line_once(tmp_path: Path) -> None:
    setup_logging()
    path = setup_logging()
    assert path is not None
    logging.getLogger("rapport.test").warning("only once")
    assert path.read_text(encoding="utf-8").count("only once") == 1


def test_the_log_rotates_and_keeps_a_few_private_files(tmp_path: Path) -> None:
    path = setup_logging()
    assert path is not None
    line = "x" * 1000
    for _ in range(MAX_BYTES * (BACKUP_COUNT + 2) // 1000):
        logging.getLogger("rapport.test").warning(line)
    files = sorted(path.parent.iterdir())
    names = {f.name for f in files}
    assert names == {LOG_FILENAME} | {f"{LOG_FILENAME}.{n}" for n in range(1, BACKUP_COUNT + 1)}
    for f in files:
        assert mode(f) == 0o600, f
        assert f.stat().st_size <= MAX_BYTES + 2000


def test_a_folder_that_cannot_be_written_leaves_no_handler_and_no_crash(tmp_path: Path) -> None:
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the log folder would be")
    assert setup_logging(folder=blocked / "log") is None


def test_a_cli_mistake_is_one_line_and_its_traceback_is_logged(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    book = tmp_path / "b.db"
    assert cli.main(["--db", str(book), "demo"]) == 0
    capsys.readouterr()
    assert cli.main(["--db", str(book), "pdf", "agreement", "424242", str(tmp_path / "a.pdf")]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("rapport: ") and "Traceback" not in err[0]
    log_text = (user_log_folder() / LOG_FILENAME).read_text(encoding="utf-8")
    assert "rapport pdf" in log_text and "Traceback (most recent call last)" in log_text


def test_an_unexpected_cli_failure_is_one_line_pointing_at_the_log(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(_args: object) -> int:
        raise ZeroDivisionError("a bug of ours")

    monkeypatch.setattr(cli, "cmd_check", broken)  # stands for any bug inside a verb
    assert cli.main(["--db", str(tmp_path / "b.db"), "check"]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    log_path = user_log_folder() / LOG_FILENAME
    said = f"rapport: something went wrong (ZeroDivisionError); the details are in {log_path}"
    assert err == [said]
    text = log_path.read_text(encoding="utf-8")
    assert "ZeroDivisionError: a bug of ours" in text and "Traceback" in text


def test_control_characters_from_user_data_reach_the_log_escaped(tmp_path: Path) -> None:
    """A file name or client name with a terminal escape, a one-byte CSI or a bidi
    override is written escaped; a traceback keeps its line breaks."""
    path = setup_logging()
    assert path is not None
    hostile = "Evil\x1b]0;owned\x07 \x9b2J Ltd \u202egpj.exe"
    try:
        raise ValueError(f"could not read {hostile}")
    except ValueError:
        logging.getLogger("rapport.test").exception("Attaching %s failed", hostile)
    text = path.read_text(encoding="utf-8")
    for raw in ("\x1b", "\x07", "\x9b", "\u202e"):
        assert raw not in text
    assert "Evil\\x1b]0;owned\\x07 \\u009b2J Ltd \\u202egpj.exe" in text
    assert text.count("Attaching Evil\\x1b") == 1 and "could not read Evil\\x1b" in text
    assert "\nTraceback (most recent call last):\n" in text
