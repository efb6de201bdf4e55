"""Property tests (Hypothesis) over the command line's two hostile edges: a JSON import
built around a real demo export, and the date options. Whatever the input, a run
ends either in success or in one line on stderr with a non-zero exit, never in a
traceback or the last-resort "something went wrong"; and a refused import leaves
the book byte for byte as it was (issue 18, Acceptance).

The runs go through ``main.main`` in this process (the same argument parsing, verb
and error handling as a real start, minus the interpreter's start-up), so a hundred
examples take seconds, not minutes. They are derandomized, with no example database,
so CI sees the same inputs every time; RAPPORT_HYPOTHESIS_EXAMPLES asks for more.
"""

from __future__ import annotations

import hashlib
import io
import json
import math
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

import main as cli

EXAMPLES = int(os.environ.get("RAPPORT_HYPOTHESIS_EXAMPLES", "0") or 0)
PROPERTY = settings(
    derandomize=True,  # the same examples in every run: CI is reproducible
    database=None,  # and nothing is written into the repository
    deadline=None,
    print_blob=True,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,  # the env fixture is the same for every example
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)


@dataclass(frozen=True)
class Run:
    code: int
    out: str
    err: str


def run(*argv: str | Path) -> Run:
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = cli.main([str(a) for a in argv])
    return Run(code, out.getvalue(), err.getvalue())


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def assert_success_or_one_line(result: Run) -> None:
    assert "Traceback" not in result.err + result.out
    assert "something went wrong" not in result.err, result.err  # the last resort: a bug
    if result.code == 0:
        return
    assert result.code in (cli.EXIT_ERROR, 2), result
    lines = result.err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("rapport"), result.err


# --- the template: a real demo book and its export --------------------------------------


@dataclass(frozen=True)
class Template:
    book: Path  # a closed demo book, copied for every example
    folder: Path  # holds the export's attachments folder; each example's JSON goes here
    doc: dict[str, Any]  # a few clients of the demo export, with incidents and files
    ids: list[str]
    paths: list[tuple[Any, ...]]  # every node of ``doc``, as keys from the root


def _walk(node: Any, here: tuple[Any, ...], into: list[tuple[Any, ...]]) -> None:
    if isinstance(node, dict):
        items: Any = node.items()
    elif isinstance(node, list):
        items = enumerate(node)
    else:
        return
    for key, value in items:
        into.append((*here, key))
        _walk(value, (*here, key), into)


def _ids(node: Any, into: list[str]) -> None:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "id" and isinstance(value, str):
                into.append(value)
            _ids(value, into)
    elif isinstance(node, list):
        for value in node:
            _ids(value, into)


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Template:
    root = tmp_path_factory.mktemp("template")
    book = root / "book" / "rapport.db"
    book.parent.mkdir()
    made = run("--db", book, "demo")
    assert made.code == 0, made.err
    out = root / "export" / "book.json"
    out.parent.mkdir()
    exported = run("--db", book, "export", "json", out)
    assert exported.code == 0, exported.err
    doc = json.loads(out.read_text(encoding="utf-8"))

    def weight(c: dict[str, Any]) -> int:
        return len(c.get("incidents", [])) * 3 + len(c.get("agreements", []) or [])

    # A few clients keep each example quick; the richest ones carry incidents,
    # evidence files, repair plans and (final) agreements.
    ranked = sorted(doc["clients"], key=weight, reverse=True)
    doc["clients"] = ranked[:4] + ranked[-2:]
    ids: list[str] = []
    _ids(doc, ids)
    paths: list[tuple[Any, ...]] = []
    _walk(doc, (), paths)
    return Template(book, out.parent, doc, ids, paths)


@pytest.fixture
def workdir(template: Template) -> Iterator[Path]:
    with tempfile.TemporaryDirectory(dir=template.folder.parent) as name:
        yield Path(name)


# --- hostile values ---------------------------------------------------------------------

CONTROLS = "".join(chr(c) for c in [*range(0, 32), 0x7F, 0x85, 0x9B, 0x202E, 0x2066, 0xFEFF])
FIXED = [
    "99999-12-31",
    "99999-01-01T00:00:00Z",
    "0001-01-01",
    "0001-01-01T00:00:00+00:00",
    "9999-12-31T23:59:59.999999-14:00",
    "1899-12-31",
    "2200-12-31",
    "2026-02-30",
    "2026-13-01T25:61:00Z",
    "../../../etc/passwd",
    "/etc/passwd",
    "..\\..\\windows\\system32",
    "attachments/../../outside",
    "\x00",
    "\x1b]0;pwned\x07\x1b[2J",
    "\u202eevil\u202c",
    "x" * 100_000,
    "y" * 2_000_000,
    "a" * 64,
    "0" * 64,
    "",
]
hostile = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([math.nan, math.inf, -math.inf, 1e308, -0.0]),
    st.text(max_size=30),
    st.text(alphabet=st.sampled_from(CONTROLS + "ab"), max_size=12),
    st.sampled_from(FIXED),
    st.lists(st.integers(-3, 3), max_size=3),
    st.dictionaries(st.text(max_size=4), st.integers(-3, 3), max_size=2),
)


@dataclass(frozen=True)
class Mutation:
    kind: str  # "set", "delete", "same-id"
    at: int  # an index into Template.paths (taken modulo its length)
    value: Any = None


mutation = st.one_of(
    st.builds(Mutation, st.just("set"), st.integers(0, 10**6), hostile),
    st.builds(Mutation, st.just("delete"), st.integers(0, 10**6)),
    st.builds(Mutation, st.just("same-id"), st.integers(0, 10**6), st.integers(0, 10**6)),
)


def _parent(doc: Any, path: tuple[Any, ...]) -> tuple[Any, Any] | None:
    node = doc
    for key in path[:-1]:
        try:
            node = node[key]
        except (KeyError, IndexError, TypeError):
            return None
    if not isinstance(node, dict | list):
        return None
    return node, path[-1]


def apply(t: Template, doc: dict[str, Any], m: Mutation) -> None:
    """Change ``doc`` in place as ``m`` says; a path an earlier change removed is skipped."""
    found = _parent(doc, t.paths[m.at % len(t.paths)])
    if found is None:
        return
    node, key = found
    try:
        if m.kind == "delete":
            del node[key]
        elif m.kind == "same-id":  # an id another record already has, here or in the book
            node[key] = t.ids[int(m.value) % len(t.ids)]
        else:
            node[key] = m.value
    except (KeyError, IndexError):
        return


@settings(PROPERTY, max_examples=EXAMPLES or 120)
@given(
    mutations=st.lists(mutation, min_size=1, max_size=4),
    forge=st.sampled_from([None] * 5 + ["sha", "name", "file"]),
    raw=st.sampled_from([None] * 9 + ["truncate", "latin1", "bom"]),
)
def test_a_json_import_never_ends_in_a_traceback_and_a_refusal_changes_nothing(
    template: Template,
    workdir: Path,
    mutations: list[Mutation],
    forge: str | None,
    raw: str | None,
) -> None:
    doc = json.loads(json.dumps(template.doc))
    for m in mutations:
        apply(template, doc, m)
    src = template.folder / "book.json"
    attachments = template.folder / "book.attachments"
    _forge_attachment(doc, attachments, forge)
    text = json.dumps(doc, ensure_ascii=False, allow_nan=True)
    data = text.encode("utf-8")
    if raw == "truncate":
        data = data[: len(data) // 2]
    elif raw == "latin1":
        data = text.encode("latin-1", "replace")
    elif raw == "bom":
        data = b"\xef\xbb\xbf" + data
    src.write_bytes(data)
    book = workdir / "rapport.db"
    shutil.copyfile(template.book, book)
    outside = {p: sha(p) for p in attachments.iterdir() if p.is_file()}
    before = sha(book)

    result = run("--db", book, "import", src)

    event(f"import exit {result.code}")  # --hypothesis-show-statistics: refused vs taken
    assert_success_or_one_line(result)
    if result.code != 0:
        assert sha(book) == before, result.err  # refused: byte for byte as it was
        assert not Path(str(book) + "-wal").exists() or not os.path.getsize(str(book) + "-wal")
    assert {p: sha(p) for p in attachments.iterdir() if p.is_file()} == outside


def _forge_attachment(doc: dict[str, Any], folder: Path, how: str | None) -> None:
    """Point an evidence entry somewhere it must not reach."""
    if how is None:
        return
    for c in doc.get("clients", []) if isinstance(doc.get("clients"), list) else []:
        for inc in c.get("incidents", []) if isinstance(c, dict) else []:
            for ev in inc.get("evidence", []) if isinstance(inc, dict) else []:
                if not isinstance(ev, dict):
                    continue
                if how == "sha":
                    ev["sha256"] = "../../" + "b" * 58
                elif how == "name":
                    ev["original_name"] = "../../../../etc/cron.d/x\x00.pdf"
                elif how == "file":
                    ev["size"] = 2**40  # claims far more than the file holds
                return


# --- the date options -------------------------------------------------------------------

dates = st.one_of(
    st.dates(date(1890, 1, 1), date(2210, 12, 31)).map(lambda d: d.isoformat()),
    st.dates().map(lambda d: d.isoformat()),
    st.integers(0, 10**6).map(lambda y: f"{y:04d}-12-25"),
    st.text(max_size=16),
    st.text(alphabet="0123456789-+T:Z ", max_size=12),
    st.sampled_from(["9999-12-25", "99999-01-01", "0000-01-01", "2026-02-29", "-1", "--on"]),
)


@pytest.fixture(scope="module")
def demo_book(template: Template, tmp_path_factory: pytest.TempPathFactory) -> Path:
    book = tmp_path_factory.mktemp("dates") / "rapport.db"
    shutil.copyfile(template.book, book)
    return book


@settings(PROPERTY, max_examples=EXAMPLES or 200)
@given(day=dates, as_json=st.booleans())
def test_due_on_any_date_is_an_answer_or_one_line(demo_book: Path, day: str, as_json: bool) -> None:
    before = sha(demo_book)
    result = run("--db", demo_book, "due", *(["--json"] if as_json else []), f"--on={day}")
    event(f"due exit {result.code}")
    assert_success_or_one_line(result)
    if result.code == 0:
        if as_json:
            assert isinstance(json.loads(result.out), list)
        else:
            assert result.out.strip()
    assert sha(demo_book) == before  # a read verb never writes
