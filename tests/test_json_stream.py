"""A JSON import holds a batch of clients, not the file (issue 18).

Exports of 20 000 and 40 000 clients are imported through the CLI in a child
process, which reads its own peak resident memory (VmHWM in /proc/self/status:
ru_maxrss would carry over the test run's own peak). Held whole, the file's text
alone would take its size, and its parsed objects several times more; streamed,
the import grows the child's peak by far less than the file's size, and doubling
the file barely moves it (what stays is a set of ids, a few dozen bytes each).

Then what batches must not change: with batches of 2 clients, the same problems
as the whole file in one batch (ids repeated across batches included), nothing
left of a file whose later batch fails, top-level entries in any order, an
agreement removed by an earlier batch still refused under a later client; and
what streaming must not let in: nesting deep enough to exhaust ijson's memory.
"""

from __future__ import annotations

import copy
import json
import os
import shutil
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from typing import Any

import pytest

from exports.book_json import FORMAT, VERSION, BookFormatError, ImportResult, import_json, merge
from models.db import Book, open_book
from models.services.clients import count_clients, get_client
from models.services.consultant import get_settings
from tests.json_kit import NOW, UID_A, book_doc, client_doc, touch_doc
from tests.test_cli import rapport

MOMENT = "2025-03-14T09:30:00+00:00"

ROOT = Path(__file__).resolve().parents[1]
MB = 1024 * 1024
TOUCHES = 5
# Notes a client carries (the import keeps them, within the text limit): they make
# the file large while the rows stay few, so the test stays quick.
NOTES = 6000

CHILD = textwrap.dedent(
    """
    import json, sys
    from pathlib import Path
    import main
    code = main.main(["--db", sys.argv[2], "import", "json", sys.argv[1]])
    status = Path("/proc/self/status").read_text().splitlines()
    peak = int(next(x for x in status if x.startswith("VmHWM:")).split()[1]) * 1024
    print(json.dumps({"code": code, "peak": peak}))
    """
)


def write_export(path: Path, clients: int) -> int:
    """An export of ``clients`` clients with touches, written a client at a time
    (as Rapport writes it: header first, one object per client); returns its size."""
    with path.open("w", encoding="utf-8") as out:
        out.write(json.dumps({"format": FORMAT, "version": VERSION})[:-1] + ', "clients": [\n')
        for n in range(clients):
            touches = [
                {
                    "id": f"{n * TOUCHES + k + 1:032x}",
                    "happened_at": f"2025-{k + 1:02d}-1{k}T09:30:00+00:00",
                    "channel": "call",
                    "summary": f"Call {k} with client {n} about the plan",
                    "next_step": "",
                }
                for k in range(TOUCHES)
            ]
            client = {
                "id": f"{n + 1:032x}",
                "name": f"Client {n}",
                "emails": [{"value": f"c{n}@example.com", "label": "work"}],
                "notes": (f"Notes of client {n}. " * (NOTES // 20))[:NOTES],
                "touches": touches,
            }
            out.write(("" if n == 0 else ",\n") + json.dumps(client))
        out.write("\n]}\n")
    return path.stat().st_size


def import_in_child(src: Path, book: Path, home: Path) -> int:
    env = {**os.environ, "HOME": str(home), "XDG_DATA_HOME": str(home / "data")}
    env["XDG_STATE_HOME"] = str(home / "state")
    env["XDG_CONFIG_HOME"] = str(home / "config")
    result = subprocess.run(
        [sys.executable, "-c", CHILD, str(src), str(book)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    out = json.loads(result.stdout.strip().splitlines()[-1])
    assert out["code"] == 0, result.stderr[-2000:]
    return int(out["peak"])


def test_json_import_memory_is_bounded_by_the_batch(tmp_path: Path) -> None:
    peaks: dict[int, int] = {}
    sizes: dict[int, int] = {}
    for clients in (100, 20_000, 40_000):
        src = tmp_path / f"export-{clients}.json"
        sizes[clients] = write_export(src, clients)
        book = tmp_path / f"book-{clients}" / "rapport.db"
        peaks[clients] = import_in_child(src, book, tmp_path / "home")
        src.unlink()
        b = open_book(book)
        try:
            assert count_clients(b) == clients  # every client went in
        finally:
            b.close()
    base = peaks[100]  # the interpreter, its libraries and an open book
    print({n: (sizes[n] // MB, peaks[n] // MB) for n in peaks})
    assert sizes[20_000] > 130 * MB
    # The whole file parsed would hold its text (its size) and objects several
    # times larger; the streamed import grows the peak by a small part of it.
    assert peaks[20_000] - base < sizes[20_000] // 3
    # Twice the file: the peak grows by the ids kept, not by the added 130 MB.
    assert peaks[40_000] - peaks[20_000] < (sizes[40_000] - sizes[20_000]) // 6


# -- batches: the same answers as the whole file in one batch ---------------------------
@pytest.fixture
def small_batches(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(merge, "BATCH", 2)


def _clients(n: int) -> list[dict[str, Any]]:
    return [
        client_doc(f"{k + 1:032x}", f"Client {k}", touches=[touch_doc(f"{k + 100:032x}", MOMENT)])
        for k in range(n)
    ]


def _problems(target: Book, path: Path) -> list[str]:
    with pytest.raises(BookFormatError) as err:
        import_json(target, path, now=NOW)
    assert count_clients(target) == 0  # all or nothing, across batches
    return err.value.problems


def test_the_header_may_come_after_the_clients(
    books: tuple[Book, Book], tmp_path: Path, small_batches: None
) -> None:
    _source, target = books
    path = tmp_path / "late.json"
    late = {"clients": _clients(5), "consultant": {"name": "Jo Late"}}
    path.write_text(json.dumps({**late, "version": VERSION, "format": FORMAT}))
    assert import_json(target, path, now=NOW) == ImportResult(5, 0, 0)
    assert get_settings(target).name == "Jo Late"


def test_a_consultant_after_the_clients_is_read(
    books: tuple[Book, Book], tmp_path: Path, small_batches: None
) -> None:
    _source, target = books
    path = tmp_path / "after.json"
    doc = {**book_doc(*_clients(3)), "consultant": {"name": "Jo After }]"}}
    path.write_text(json.dumps(doc))
    assert import_json(target, path, now=NOW) == ImportResult(3, 0, 0)
    assert get_settings(target).name == "Jo After }]"


def test_an_unknown_field_after_the_clients_is_refused(
    books: tuple[Book, Book], tmp_path: Path, small_batches: None
) -> None:
    _source, target = books
    path = tmp_path / "extra.json"
    clients = _clients(3)
    # Its last object equals the last client: the end of the clients list is still found.
    path.write_text(json.dumps({**book_doc(*clients), "extra": [{}, clients[-1]]}))
    assert _problems(target, path) == ['This export has an unknown top-level field "extra".']


def test_problems_in_several_batches_are_all_reported(
    books: tuple[Book, Book], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _source, target = books
    clients = _clients(7)
    clients[1]["name"] = ""
    clients[4]["touches"][0]["channel"] = "pigeon"
    clients[6]["id"] = clients[0]["id"]  # a repeated id, first seen two batches before
    clients[5]["touches"].append(copy.deepcopy(clients[2]["touches"][0]))
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(book_doc(*clients)))
    whole = _problems(target, path)  # one batch: the whole file at once
    monkeypatch.setattr(merge, "BATCH", 2)
    assert _problems(target, path) == whole
    assert whole[0].startswith("clients[1].name: ")
    assert whole[1].startswith("clients[4].touches[0].channel: ")
    assert whole[2:] == [
        f'clients[5].touches[1].id: "{clients[2]["touches"][0]["id"]}" appears twice; '
        "clients[2].touches[0] has it too.",
        f'clients[6].id: "{clients[0]["id"]}" appears twice; clients[0] has it too.',
    ]


def test_a_later_batch_that_fails_leaves_the_book_as_it_was(
    books: tuple[Book, Book], tmp_path: Path, small_batches: None
) -> None:
    _source, target = books
    path = tmp_path / "good.json"
    path.write_text(json.dumps(book_doc(*_clients(3))))
    import_json(target, path, now=NOW)
    before = target.path.read_bytes()
    clients = _clients(6)
    clients[0]["name"] = "Renamed"
    clients[5]["touches"][0]["channel"] = "pigeon"
    path.write_text(json.dumps(book_doc(*clients)))
    [problem] = _problems_keeping(target, path)
    assert problem.startswith("clients[5].touches[0].channel: ")
    assert target.path.read_bytes() == before
    assert count_clients(target) == 3


def _problems_keeping(target: Book, path: Path) -> list[str]:
    with pytest.raises(BookFormatError) as err:
        import_json(target, path, now=NOW)
    return err.value.problems


@pytest.fixture(scope="module")
def demo_export(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    folder = tmp_path_factory.mktemp("demo")
    book = folder / "book" / "book.db"
    rapport("--db", book, "demo", check=True)
    out = folder / "export.json"
    rapport("--db", book, "export", "json", out, check=True)
    return book, json.loads(out.read_text(encoding="utf-8"))


@pytest.mark.parametrize("batch", [1, 1000])
def test_an_agreement_an_earlier_batch_removed_cannot_move_to_a_later_client(
    demo_export: tuple[Path, dict[str, Any]],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    batch: int,
) -> None:
    """The book's draft agreement, listed in the file under a later client (and so
    not under its own): refused whether or not its own client's batch already
    went in and removed it."""
    src, data = demo_export
    shutil.copytree(src.parent, tmp_path / "book", ignore=shutil.ignore_patterns("*.lock"))
    data = copy.deepcopy(data)
    i, j = next(
        (i, j)
        for i, c in enumerate(data["clients"])
        for j, a in enumerate(c.get("agreements") or [])
        if a["status"] == "draft"
    )
    draft = data["clients"][i]["agreements"].pop(j)
    later = data["clients"][-1]
    assert later is not data["clients"][i]
    later["agreements"] = [*(later.get("agreements") or []), {**draft, "incident": None}]
    path = tmp_path / "in.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    shutil.copytree(src.parent.parent / "export.attachments", tmp_path / "in.attachments")
    monkeypatch.setattr(merge, "BATCH", batch)
    book = open_book(tmp_path / "book" / src.name)
    try:
        before = book.path.read_bytes()
        with pytest.raises(BookFormatError, match="belongs to an agreement of another client"):
            import_json(book, path)  # the demo's dates are the real today's
        assert book.path.read_bytes() == before
    finally:
        book.close()


@pytest.mark.parametrize("where", ["client", "header", "after"])
def test_deep_nesting_is_refused_quickly(
    books: tuple[Book, Book], tmp_path: Path, where: str
) -> None:
    """ijson keeps a path per level, so 200 000 nested lists (400 KB) would take it
    past any memory there is; the reader refuses them as the standard library did."""
    _source, target = books
    deep = "[" * 200_000 + "]" * 200_000
    client = json.dumps(client_doc(UID_A, "Ann"))
    text = {
        "client": f'{{"format": "{FORMAT}", "version": {VERSION}, "clients": [{client[:-1]}, '
        f'"x": {deep}}}]}}',
        "header": f'{{"format": "{FORMAT}", "version": {VERSION}, "x": {deep}, "clients": []}}',
        "after": f'{{"format": "{FORMAT}", "version": {VERSION}, "clients": [{client}], '
        f'"x": {deep}}}',
    }[where]
    path = tmp_path / "deep.json"
    path.write_text(text)
    started = time.perf_counter()
    assert _problems(target, path) == [f"{path} is nested too deeply to be a Rapport export."]
    assert time.perf_counter() - started < 30


def test_brackets_and_escaped_quotes_in_text_are_text(
    books: tuple[Book, Book], tmp_path: Path, small_batches: None
) -> None:
    """The nesting guard reads past strings: brackets in a note (after escaped quotes
    and backslashes, across the reader's 1 MB chunks) are not nesting."""
    _source, target = books
    notes = ('a \\" [[[[{{{{ \\\\"' + "[" * 300 + "\\\\\\\\") * 2000
    clients = [client_doc(f"{k + 1:032x}", f"Client {k}", notes=notes[:20_000]) for k in range(60)]
    path = tmp_path / "brackets.json"
    path.write_text(json.dumps(book_doc(*clients)))
    assert path.stat().st_size > 1024 * 1024  # more than one chunk
    assert import_json(target, path, now=NOW) == ImportResult(60, 0, 0)
    assert get_client(target, 1).notes == notes[:20_000].strip()
