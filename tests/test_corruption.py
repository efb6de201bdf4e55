"""A damaged book is caught when it is opened, set aside byte for byte, never written,
and the newest good backup is offered, in the app (under pytest-qt) and on the
command line.

The 20 corruptions are structural byte flips (tests/damage.py): the file header,
b-tree page types, cell counts, cell pointers and child page numbers. A flip inside
a stored text value would not be caught: SQLite keeps no page checksums, and
quick_check only proves the file's structure.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from sqlalchemy import text

from models.backups import (
    clear_orphans,
    network_filesystem,
    network_warning,
    report_damage,
    take_backup,
)
from models.db import CHECK_BACKGROUND, BookDamagedError, open_book
from models.entities import IncidentCategory, Severity
from models.services.client_search import list_clients
from models.services.clients import ClientInput, count_clients, create_client
from models.services.incident_evidence import attach_file
from models.services.incidents import IncidentInput, open_incident
from tests.damage import Flip, fold_wal, index_root_flip, structural_flips

ROOT = Path(__file__).resolve().parents[1]
BASE_CLIENTS = 120


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A closed, healthy book (one file, WAL mode) with evidence and one backup."""
    folder = tmp_path_factory.mktemp("base")
    book = open_book(folder / "rapport.db")
    for i in range(BASE_CLIENTS):
        create_client(book, ClientInput(name=f"Client {i}", notes="Met at the fair. " * 8))
    incident = open_incident(
        book, 1, IncidentInput("Wrong invoice", IncidentCategory.OTHER, Severity.MEDIUM)
    )
    src = folder / "invoice.pdf"
    src.write_bytes(b"%PDF-1.4 the invoice")
    attach_file(book, incident, src)
    take_backup(book.path)
    book.close()
    fold_wal(folder / "rapport.db")
    assert not Path(str(folder / "rapport.db") + "-wal").exists()
    return folder


def flips_for(base: Path) -> list[Flip]:
    return structural_flips((base / "rapport.db").read_bytes(), 20, seed=20261122)


def damaged_copy(base: Path, where: Path, flip: Flip) -> tuple[Path, str]:
    shutil.copytree(base, where)
    path = where / "rapport.db"
    flip.apply(path)
    return path, sha(path)


def set_aside_file(folder: Path) -> Path:
    [aside] = folder.glob("rapport-damaged-*.db")
    return aside


def rapport_cli(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(ROOT / "main.py"), *map(str, args)],
        cwd=ROOT,
        env=dict(os.environ, QT_QPA_PLATFORM="offscreen"),
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_twenty_structural_flips_are_caught_set_aside_and_offered_a_backup(
    base: Path, tmp_path: Path, qtbot: object
) -> None:
    """Even flips go through the command line, odd ones through the app's open path."""
    flips = flips_for(base)
    assert len(flips) == 20 and len({f.offset for f in flips}) == 20
    caught: list[str] = []
    for i, flip in enumerate(flips):
        case = tmp_path / f"case{i:02d}"
        path, damaged_sha = damaged_copy(base, case, flip)
        if i % 2 == 0:
            cli_case(path, flip)
        else:
            gui_case(qtbot, tmp_path / f"config{i:02d}", path, flip)
        assert sha(set_aside_file(case)) == damaged_sha, flip.what
        caught.append(flip.what)
    print(f"\n{len(caught)} corruptions caught and set aside unchanged:\n  " + "\n  ".join(caught))


def cli_case(path: Path, flip: Flip) -> None:
    result = rapport_cli("--db", path, "due")
    assert result.returncode == 1, (flip.what, result.stdout)
    assert "Traceback" not in result.stderr
    [line] = result.stderr.strip().splitlines()
    assert "is damaged" in line and "set aside unchanged as rapport-damaged-" in line, line
    assert "The newest good backup is from" in line and "restore rapport-" in line, line
    assert not path.exists()


def gui_case(qtbot: object, config: Path, path: Path, flip: Flip) -> None:
    from ui.app import RapportApp
    from ui.backup_dialog import offer_backup
    from ui.gui import make_gui

    rapport = RapportApp(config_dir=config)
    window = None
    try:
        outcome = rapport.open(path)
        if outcome.ok:
            # Up to date and in WAL mode: checked on a worker thread after the open.
            window, _tray = make_gui(rapport)
            qtbot.addWidget(window)  # type: ignore[attr-defined]
            qtbot.waitUntil(lambda: window.damage_dialog is not None, timeout=20000)  # type: ignore[attr-defined]
            dialog = window.damage_dialog
        else:
            # Unreadable at once (the file header): start-up shows the offer first.
            assert outcome.damage is not None, (flip.what, outcome.message)
            dialog = offer_backup(rapport, outcome.damage, None)
            qtbot.addWidget(dialog)  # type: ignore[attr-defined]
            dialog.show()
        assert dialog is not None
        assert rapport.book is None  # nothing of the damaged book is open
        assert "set aside, unchanged, as rapport-damaged-" in dialog.informativeText()
        assert "newest good backup" in dialog.informativeText()
        dialog.restore_button.click()
        assert dialog.choice == "restore"
        assert rapport.book is not None, flip.what
        assert count_clients(rapport.book) == BASE_CLIENTS
        if window is None:
            window, _tray = make_gui(rapport)
            qtbot.addWidget(window)  # type: ignore[attr-defined]
            # The list is filled once the window is painted and the rest has loaded.
            qtbot.waitUntil(lambda: rapport.warm, timeout=20000)  # type: ignore[attr-defined]
        assert window.model.rowCount() > 0  # the window shows the restored book
    finally:
        if window is not None:
            window.close()
        rapport.close()


def test_a_damaged_book_is_never_written_even_with_a_wal_to_fold(tmp_path: Path) -> None:
    """Reads may run while the check is under way; writes wait for it and are refused.
    Closing must not checkpoint the WAL into the damaged file, so the guard connection
    is closed last."""
    path = tmp_path / "rapport.db"
    book = open_book(path)
    for i in range(60):
        create_client(book, ClientInput(name=f"Client {i}"))
    book.close()
    fold_wal(path)
    flip = index_root_flip(path)
    # Commits that stay in the WAL (no checkpoint), in a table the flip does not touch.
    writer = sqlite3.connect(path)
    writer.execute("PRAGMA wal_autocheckpoint=0")
    writer.executemany("INSERT INTO tag (name) VALUES (?)", [(f"tag {i}",) for i in range(50)])
    writer.commit()
    case = tmp_path / "case"
    case.mkdir()
    shutil.copy(path, case / "rapport.db")
    shutil.copy(Path(str(path) + "-wal"), case / "rapport.db-wal")
    writer.close()
    damaged = case / "rapport.db"
    flip.apply(damaged)
    wal = Path(str(damaged) + "-wal")
    before = (sha(damaged), sha(wal))
    assert wal.stat().st_size > 0

    book = open_book(damaged, check=CHECK_BACKGROUND)
    try:
        with book.reader() as s:  # reading is allowed, and opens the writer connection
            assert s.execute(text("SELECT count(*) FROM tag")).scalar() == 50
        assert book.wait_checked(30)
        assert book.damaged
        with pytest.raises(BookDamagedError, match="damaged"), book.session():
            pass
    finally:
        book.close()
    assert (sha(damaged), sha(wal)) == before
    report = report_damage(damaged, book.problems or [], may_move=True)
    main, wal_aside, *_ = report.set_aside
    assert (sha(main), sha(wal_aside)) == before
    assert not damaged.exists() and not wal.exists()


def test_the_check_runs_off_the_opening_thread_and_writes_wait_for_it(book_path: Path) -> None:
    book = open_book(book_path)
    create_client(book, ClientInput(name="Before"))
    book.close()
    book = open_book(book_path, check=CHECK_BACKGROUND)
    try:
        checker = book._checker
        assert checker is not None and checker is not threading.current_thread()
        create_client(book, ClientInput(name="After"))  # waits for the verdict
        assert book.checked and not book.damaged
        assert [r.name for r in list_clients(book)] == ["After", "Before"]
        checker.join(5)
        assert not checker.is_alive()
    finally:
        book.close()


def test_a_leftover_wal_without_its_book_is_moved_aside(tmp_path: Path) -> None:
    path = tmp_path / "rapport.db"
    aside = tmp_path / "rapport-damaged-20260310-093000.db"
    aside.write_bytes(b"the damaged book, moved before a crash")
    Path(str(path) + "-wal").write_bytes(b"its WAL, left behind")
    moved = clear_orphans(path)
    assert moved == [Path(str(aside) + "-wal")]
    assert moved[0].read_bytes() == b"its WAL, left behind"
    book = open_book(path)  # a new book, with no stranger's WAL replayed into it
    try:
        assert count_clients(book) == 0
    finally:
        book.close()


# --- a book on a network drive --------------------------------------------------------

MOUNTS = """\
/dev/vda1 / ext4 rw,relatime 0 0
proc /proc proc rw,nosuid,nodev,noexec,relatime 0 0
server:/export/home /home nfs4 rw,relatime,vers=4.2 0 0
/dev/vdb1 /home/ana/local ext4 rw,relatime 0 0
//nas/share /mnt/nas cifs rw,relatime 0 0
ana@box:/srv /mnt/ssh fuse.sshfs rw,nosuid,nodev 0 0
/dev/sdc1 /media/ana/My\\040Drive vfat rw 0 0
server:/old /mnt/old\\040files nfs rw 0 0
"""


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/home/ana/rapport.db", "nfs4"),
        ("/home/ana/local/rapport.db", None),  # a local disk mounted inside the NFS home
        ("/homework/rapport.db", None),  # a prefix of the name is not a mount point
        ("/mnt/nas/books/rapport.db", "cifs"),
        ("/mnt/ssh/rapport.db", "fuse.sshfs"),
        ("/media/ana/My Drive/rapport.db", None),
        ("/mnt/old files/rapport.db", "nfs"),
        ("/run/user/1000/rapport.db", None),  # a tmpfs-style local folder
    ],
)
def test_network_filesystems_are_recognised(path: str, expected: str | None) -> None:
    assert network_filesystem(MOUNTS, path) == expected


def test_the_network_warning_says_why(tmp_path: Path) -> None:
    mounts = f"/dev/vda1 / ext4 rw 0 0\nsrv:/x {tmp_path} nfs4 rw 0 0\n"
    warning = network_warning(tmp_path / "rapport.db", mounts)
    assert warning is not None
    assert "network drive (nfs4)" in warning and "cannot lock files safely" in warning
    assert network_warning(tmp_path / "rapport.db", "/dev/vda1 / ext4 rw 0 0\n") is None
