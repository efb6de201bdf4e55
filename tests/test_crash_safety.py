"""Crash safety, shown rather than argued: writers that commit through the app's own
Book are SIGKILLed at random moments, and after every kill the book is checked.

A batch is one session of BATCH clients; a writer prints a batch's number only after
its commit returned. After each kill: integrity_check passes, every batch the writer
reported is in the book, and no batch is there in part. The same for evidence
files: every evidence row points to a file whose content has the recorded hash.

The kill comes a random time after the writer starts (so some land while it opens
and checks the book) or, every other round, a random time after its first commit
(so, however busy the machine, many land among commits).
"""

from __future__ import annotations

import hashlib
import random
import signal
import sqlite3
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from models.db import open_book
from models.entities import IncidentCategory, Severity
from models.services.clients import ClientInput, create_client
from models.services.incidents import IncidentInput, open_incident
from tests.crash_child import BATCH, WriterServer

BATCH_KILLS = 120
EVIDENCE_KILLS = 40


def run_and_kill(
    server: WriterServer, rng: random.Random, after_a_commit: bool, longest: float, *words: object
) -> tuple[list[str], int]:
    pid = server.start(*words)
    seen = [server.first_line()] if after_a_commit else []
    time.sleep(rng.uniform(0.0, longest))
    return server.kill(pid, seen)


@pytest.fixture
def server() -> Iterator[WriterServer]:
    s = WriterServer()
    yield s
    s.close()


def read_only(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)


def integrity(conn: sqlite3.Connection) -> list[str]:
    return [r[0] for r in conn.execute("PRAGMA integrity_check")]


def batches_in(path: Path) -> dict[int, int]:
    """Rows per batch number, after integrity_check has passed."""
    conn = read_only(path)
    try:
        assert integrity(conn) == ["ok"]
        names = [r[0] for r in conn.execute("SELECT name FROM client WHERE name LIKE 'crash %'")]
    finally:
        conn.close()
    return dict(Counter(int(n.split()[1].split(".")[0]) for n in names))


def test_killed_writers_lose_no_committed_batch(tmp_path: Path, server: WriterServer) -> None:
    path = tmp_path / "book" / "rapport.db"
    open_book(path).close()
    rng = random.Random(20261122)
    reported: set[int] = set()
    kills = 0
    next_batch = 0
    started = time.monotonic()
    for i in range(BATCH_KILLS):
        lines, how = run_and_kill(server, rng, i % 2 == 1, 0.1, "batches", path, next_batch)
        assert not [line for line in lines if line.startswith("error")], lines
        assert how == signal.SIGKILL  # it was still writing when it was killed
        kills += 1
        reported |= {int(line.split()[1]) for line in lines if line.startswith("committed")}
        present = batches_in(path)
        lost = reported - set(present)
        partial = {n: rows for n, rows in present.items() if rows != BATCH}
        assert not lost, f"batches reported committed but missing: {sorted(lost)}"
        assert not partial, f"batches saved in part: {partial}"
        next_batch = max(present, default=-1) + 1
    elapsed = time.monotonic() - started
    print(
        f"\n{kills} kills survived, {len(reported)} reported batches all present "
        f"({next_batch} in the book), 0 lost, 0 partial, in {elapsed:.1f} s"
    )
    assert len(reported) >= BATCH_KILLS // 2  # half the kills came after a commit at least


def evidence_in(path: Path) -> list[tuple[str, str]]:
    conn = read_only(path)
    try:
        assert integrity(conn) == ["ok"]
        return conn.execute(
            "SELECT e.original_name, f.sha256 FROM evidence e JOIN stored_file f "
            "ON f.id = e.file_id"
        ).fetchall()
    finally:
        conn.close()


def test_killed_attaches_leave_no_broken_evidence(tmp_path: Path, server: WriterServer) -> None:
    path = tmp_path / "book" / "rapport.db"
    book = open_book(path)
    client = create_client(book, ClientInput(name="Kept safe"))
    incident = open_incident(
        book, client, IncidentInput("Files under fire", IncidentCategory.OTHER, Severity.LOW)
    )
    book.close()
    sources = tmp_path / "sources"
    sources.mkdir()
    rng = random.Random(77)
    reported: dict[str, str] = {}
    kills = 0
    next_file = 0
    for i in range(EVIDENCE_KILLS):
        lines, how = run_and_kill(
            server, rng, i % 2 == 1, 0.1, "evidence", path, incident, sources, next_file
        )
        assert not [line for line in lines if line.startswith("error")], lines
        assert how == signal.SIGKILL
        kills += 1
        for line in lines:
            _, n, sha = line.split()
            reported[f"e{n}.bin"] = sha
        rows = evidence_in(path)
        for name, sha in rows:
            stored = path.parent / "attachments" / sha[:2] / sha
            assert stored.is_file(), f"{name} points to a missing file"
            assert hashlib.sha256(stored.read_bytes()).hexdigest() == sha, name
        present = dict(rows)
        assert {n: present.get(n) for n in reported} == reported
        next_file = max((int(n[1:-4]) for n in present), default=-1) + 1
    print(f"\n{kills} kills during attaches survived, {len(reported)} files all intact")
    assert len(reported) >= EVIDENCE_KILLS // 2
