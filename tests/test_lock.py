"""One writer per book, and a crash never leaves a lock that blocks the next start."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from models.lock import BookLock

ROOT = Path(__file__).resolve().parents[1]


def test_second_lock_on_same_book_is_refused(book_path: Path) -> None:
    book_path.parent.mkdir(parents=True)
    first, second = BookLock(book_path), BookLock(book_path)
    assert first.acquire()
    assert not second.acquire()
    assert second.holder_pid() == os.getpid()
    first.release()
    assert second.acquire()
    second.release()


def test_lock_of_a_killed_process_does_not_block(book_path: Path) -> None:
    book_path.parent.mkdir(parents=True)
    child = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time; from pathlib import Path; from models.lock import BookLock;"
            f"l = BookLock(Path({str(book_path)!r})); assert l.acquire();"
            "print('locked', flush=True); time.sleep(60)",
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert child.stdout is not None
        assert child.stdout.readline().strip() == "locked"
        lock = BookLock(book_path)
        assert not lock.acquire()
        assert lock.holder_pid() == child.pid
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=10)
        deadline = time.monotonic() + 5
        while not lock.acquire():
            assert time.monotonic() < deadline, "lock still held after its owner died"
            time.sleep(0.05)
        assert lock.path.exists()  # the file stays behind; it must not matter
        lock.release()
    finally:
        child.kill()
        child.wait()


# -- symlinks: the lock never follows one, and every path to a book takes one lock ------


def test_a_symlinked_lock_file_is_refused_and_its_target_untouched(tmp_path: Path) -> None:
    import pytest

    from models.lock import LockFileError

    target = tmp_path / "precious.txt"
    target.write_text("keep me\n", encoding="utf-8")
    target.chmod(0o644)
    book = tmp_path / "rapport.db"
    (tmp_path / "rapport.db.lock").symlink_to(target)
    lock = BookLock(book)
    with pytest.raises(LockFileError, match="symbolic link"):
        lock.acquire()
    assert not lock.held
    assert target.read_text(encoding="utf-8") == "keep me\n"
    assert target.stat().st_mode & 0o777 == 0o644
    assert lock.holder_pid() is None  # not read through the link either


def test_a_dangling_symlinked_lock_file_creates_nothing(tmp_path: Path) -> None:
    import pytest

    from models.lock import LockFileError

    target = tmp_path / "elsewhere" / "made-by-us"
    target.parent.mkdir()
    (tmp_path / "rapport.db.lock").symlink_to(target)
    with pytest.raises(LockFileError):
        BookLock(tmp_path / "rapport.db").acquire()
    assert not target.exists()


def test_the_cli_refuses_a_symlinked_lock_file_in_one_line(tmp_path: Path) -> None:
    from tests.test_cli import assert_clean_error, rapport

    target = tmp_path / "precious.txt"
    target.write_text("keep me\n", encoding="utf-8")
    book = tmp_path / "b.db"
    (tmp_path / "b.db.lock").symlink_to(target)
    assert_clean_error(rapport("--db", book, "demo"), "symbolic link")
    assert target.read_text(encoding="utf-8") == "keep me\n"


def _holder(path: Path) -> subprocess.Popen[str]:
    """A real second process holding the lock of ``path`` until killed."""
    child = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time; from pathlib import Path; from models.lock import BookLock;"
            "l = BookLock(Path(sys.argv[1])); assert l.acquire();"
            "print('locked', flush=True); time.sleep(60)",
            str(path),
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert child.stdout is not None
    assert child.stdout.readline().strip() == "locked"
    return child


def _linked_book(tmp_path: Path) -> tuple[Path, Path]:
    """A real book, and a path to it through a symlinked file in a symlinked folder."""
    real = tmp_path / "real" / "rapport.db"
    real.parent.mkdir()
    (tmp_path / "via").symlink_to(real.parent)
    (tmp_path / "link.db").symlink_to(tmp_path / "via" / "rapport.db")
    return real, tmp_path / "link.db"


def test_the_cli_on_a_symlinked_path_is_excluded_by_a_holder_of_the_real_one(
    tmp_path: Path,
) -> None:
    from tests.test_cli import assert_clean_error, rapport

    real, link = _linked_book(tmp_path)
    rapport("--db", real, "demo", check=True)
    before = real.read_bytes()
    child = _holder(real)
    try:
        result = rapport("--db", link, "import", ROOT / "tests/fixtures/contacts/v4.vcf")
        assert_clean_error(result, "open in Rapport", str(child.pid))
    finally:
        child.kill()
        child.wait()
    assert real.read_bytes() == before
    assert not (tmp_path / "link.db.lock").exists()


def test_a_holder_on_a_symlinked_path_excludes_the_cli_on_the_real_one(tmp_path: Path) -> None:
    from tests.test_cli import assert_clean_error, rapport

    real, link = _linked_book(tmp_path)
    child = _holder(link)
    try:
        assert_clean_error(rapport("--db", real, "demo"), "open in Rapport", str(child.pid))
        assert not real.exists()
    finally:
        child.kill()
        child.wait()
    rapport("--db", real, "demo", check=True)


def test_companion_folders_are_beside_the_real_book(tmp_path: Path) -> None:
    from tests.test_cli import rapport

    real, link = _linked_book(tmp_path)
    rapport("--db", link, "demo", check=True)
    rapport("--db", link, "backup", check=True)
    assert real.is_file() and link.is_symlink()
    assert list((real.parent / "backups").iterdir())
    assert not (tmp_path / "backups").exists()
