"""A final agreement stays final through a JSON import (issue 18, point 2): a file may
add a new one or leave an existing one alone, never change or remove it, and an id
that belongs to another client's record is refused with its path. Each case runs the
real CLI and checks the final agreement's row and PDF bytes afterwards."""

from __future__ import annotations

import base64
import copy
import hashlib
import json
import shutil
import sqlite3
import uuid
from pathlib import Path
from typing import Any

import pytest

from tests.test_cli import rapport


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    folder = tmp_path_factory.mktemp("final")
    book = folder / "book" / "book.db"
    rapport("--db", book, "demo", check=True)
    out = folder / "export.json"
    rapport("--db", book, "export", "json", out, check=True)
    assert (folder / "export.attachments").is_dir()
    return book, json.loads(out.read_text(encoding="utf-8"))


def _final(data: dict[str, Any]) -> tuple[int, int, dict[str, Any]]:
    for i, client in enumerate(data["clients"]):
        for j, ag in enumerate(client.get("agreements") or []):
            if ag["status"] == "final":
                return i, j, ag
    raise AssertionError("the demo book has no final agreement")


def _row(book: Path, uid: str) -> tuple[Any, ...]:
    conn = sqlite3.connect(book)
    try:
        row = conn.execute(
            "SELECT id, client_id, number, version, title, status, pdf, pdf_sha256, context, "
            "points FROM agreement WHERE uid = ?",
            (uid,),
        ).fetchone()
        commitments = conn.execute(
            "SELECT uid, text FROM commitment WHERE agreement_id = ? ORDER BY uid", (row[0],)
        ).fetchall()
    finally:
        conn.close()
    assert row is not None, "the final agreement is gone"
    return (*row, tuple(commitments))


def _run(
    demo: tuple[Path, dict[str, Any]], tmp_path: Path, change: Any
) -> tuple[Any, Any, Any, str]:
    src, data = demo
    book_dir = tmp_path / "book"
    shutil.copytree(src.parent, book_dir, ignore=shutil.ignore_patterns("*.lock"))
    book = book_dir / src.name
    data = copy.deepcopy(data)
    i, j, ag = _final(data)
    before = _row(book, ag["id"])
    change(data, i, j)
    path = tmp_path / "in.json"
    # the evidence files travel in the folder beside the JSON file
    shutil.copytree(src.parent.parent / "export.attachments", tmp_path / "in.attachments")
    path.write_text(json.dumps(data), encoding="utf-8")
    result = rapport("--db", book, "import", path)
    assert "Traceback" not in result.stderr
    return before, _row(book, ag["id"]), result, ag["id"]


def _pdf(data: bytes) -> dict[str, str]:
    """A replacement PDF with a hash that matches it, as a forger would write it."""
    return {"pdf": base64.b64encode(data).decode(), "pdf_sha256": hashlib.sha256(data).hexdigest()}


def _unlink_plans(d: dict[str, Any], i: int, uid: str) -> None:
    for incident in d["clients"][i].get("incidents") or []:
        for plan in incident.get("repair_plans") or []:
            if plan.get("agreement") == uid:
                plan["agreement"] = None


CHANGES = {
    "another PDF": lambda d, i, j: d["clients"][i]["agreements"][j].update(
        _pdf(b"%PDF-1.4\n% not the signed one\n")
    ),
    "HTML for the PDF": lambda d, i, j: d["clients"][i]["agreements"][j].update(
        _pdf(b"<html><body>changed</body></html>")
    ),
    "an empty PDF": lambda d, i, j: d["clients"][i]["agreements"][j].update(_pdf(b"")),
    "a new title": lambda d, i, j: d["clients"][i]["agreements"][j].update(title="Rewritten"),
    "new commitment words": lambda d, i, j: d["clients"][i]["agreements"][j]["commitments"][
        0
    ].update(text="We promise nothing"),
}


@pytest.mark.parametrize("case", sorted(CHANGES))
def test_an_import_cannot_change_a_final_agreement(
    demo: tuple[Path, dict[str, Any]], tmp_path: Path, case: str
) -> None:
    before, after, result, _uid = _run(demo, tmp_path, CHANGES[case])
    assert after == before, case
    assert result.returncode != 0, case
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("rapport: ")
    assert "final agreement cannot be changed" in result.stderr, result.stderr


def test_an_empty_agreements_list_leaves_a_final_agreement_alone(
    demo: tuple[Path, dict[str, Any]], tmp_path: Path
) -> None:
    def drop(d: dict[str, Any], i: int, j: int) -> None:
        _unlink_plans(d, i, d["clients"][i]["agreements"][j]["id"])
        d["clients"][i]["agreements"] = []

    before, after, result, _uid = _run(demo, tmp_path, drop)
    assert after == before
    assert result.returncode == 0, result.stderr


def test_the_same_final_agreement_imports_unchanged(
    demo: tuple[Path, dict[str, Any]], tmp_path: Path
) -> None:
    before, after, result, _uid = _run(demo, tmp_path, lambda d, i, j: None)
    assert result.returncode == 0, result.stderr
    assert after == before


def test_a_final_agreement_id_under_another_client_is_refused(
    demo: tuple[Path, dict[str, Any]], tmp_path: Path
) -> None:
    def steal(d: dict[str, Any], i: int, j: int) -> None:
        ag = d["clients"][i]["agreements"][j]
        other = next(k for k in range(len(d["clients"])) if k != i)
        stolen = {k: v for k, v in ag.items() if k not in ("incident", "review_follow_up")}
        stolen["incident"] = None
        stolen["review_follow_up"] = None
        stolen["supersedes"] = None
        stolen["commitments"] = []
        d["clients"][other].setdefault("agreements", []).append(stolen)
        d["clients"][i]["agreements"].pop(j)
        _unlink_plans(d, i, ag["id"])

    before, after, result, _uid = _run(demo, tmp_path, steal)
    assert after == before
    assert result.returncode != 0
    assert "belongs to an agreement of another client" in result.stderr, result.stderr


def test_an_incident_id_under_another_client_is_refused(
    demo: tuple[Path, dict[str, Any]], tmp_path: Path
) -> None:
    def steal(d: dict[str, Any], i: int, j: int) -> None:
        owner = next(k for k, c in enumerate(d["clients"]) if c.get("incidents"))
        incident = copy.deepcopy(d["clients"][owner]["incidents"][0])
        incident["evidence"] = []
        incident["promise_follow_up"] = None
        incident["repair_plans"] = []
        # a file holding only a new client, who claims the existing incident's id
        newcomer = {k: ([] if isinstance(v, list) else v) for k, v in d["clients"][owner].items()}
        newcomer["id"] = uuid.uuid4().hex
        newcomer["incidents"] = [incident]
        d["clients"] = [newcomer]

    before, after, result, _uid = _run(demo, tmp_path, steal)
    assert after == before
    assert result.returncode != 0
    assert "belongs to an incident of another client" in result.stderr, result.stderr
