"""The rules of the house (shared/DESIGN.md), checked on every run."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def imported_modules(folder: str) -> dict[Path, set[str]]:
    """Top-level names of every module each file in ``folder`` imports."""
    found: dict[Path, set[str]] = {}
    for path in (ROOT / folder).rglob("*.py"):
        names: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names.update(a.name.split(".")[0] for a in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names.add(node.module.split(".")[0])
        found[path] = names
    return found


@pytest.mark.parametrize("folder", ["models", "exports"])
def test_data_and_exports_never_import_qt(folder: str) -> None:
    offenders = [str(p) for p, names in imported_modules(folder).items() if "PySide6" in names]
    assert offenders == []


def test_ui_writes_no_sql() -> None:
    offenders = [str(p) for p, names in imported_modules("ui").items() if "sqlalchemy" in names]
    assert offenders == []


def test_ruff_is_clean() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--no-cache", "."],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_gui_start_up_imports_no_heavy_libraries(tmp_path: Path) -> None:
    """The main window opens on a book without ReportLab, Alembic, pypdf or pydantic loaded."""
    from models.db import open_book

    open_book(tmp_path / "b.db").close()  # a new book is created once, with Alembic
    code = f"""
import sys
from pathlib import Path
from PySide6.QtWidgets import QApplication
from models.db import open_book
app = QApplication([])
book = open_book(Path({str(tmp_path / "b.db")!r}))
from ui.main.window import MainWindow  # noqa: E402
heavy = {{'reportlab', 'alembic', 'pypdf', 'pydantic', 'babel', 'holidays',
         'bidi', 'arabic_reshaper'}}
heavy = sorted({{m.split('.')[0] for m in sys.modules}} & heavy)
print(heavy)
"""
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=dict(os.environ, QT_QPA_PLATFORM="offscreen"),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "[]"


def module_graph(folder: str) -> dict[str, set[str]]:
    """Which modules of ``folder`` each of its modules imports, counting imports made
    inside functions too (a lazy import is still a dependency)."""
    graph: dict[str, set[str]] = {}
    base = ROOT / folder
    for path in base.rglob("*.py"):
        rel = path.relative_to(ROOT).with_suffix("")
        parts = list(rel.parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        name = ".".join(parts)
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        deps: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                deps.update(a.name for a in node.names)
            elif isinstance(node, ast.ImportFrom):
                module = node.module or ""
                if node.level:
                    anchor = package.split(".")
                    anchor = anchor[: len(anchor) - node.level + 1]
                    module = ".".join([*anchor, module] if module else anchor)
                deps.add(module)
                deps.update(f"{module}.{a.name}" for a in node.names)
        graph[name] = deps
    return {
        name: {d for d in deps if d in graph and d != name and not name.startswith(d + ".")}
        for name, deps in graph.items()
    }


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle, as the list of modules round it, or None."""
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for dep in sorted(graph[node]):
            if state.get(dep) == 1:
                return [*stack[stack.index(dep) :], dep]
            if dep not in state and (cycle := visit(dep)):
                return cycle
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (cycle := visit(node)):
            return cycle
    return None


def test_find_cycle_sees_a_cycle() -> None:
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None


# exports.contacts_csv <-> exports.contacts_io belongs to the contacts work (issue 18);
# drop it from here once that lands. Any other cycle fails.
KNOWN_CYCLE_MODULES = {"exports.contacts_csv", "exports.contacts_io"}


@pytest.mark.parametrize("folder", ["models", "exports"])
def test_no_import_cycles(folder: str) -> None:
    """A package re-exporting its parts (``__init__`` importing its children) is not a
    cycle; a child importing a sibling through the package would be caught."""
    graph = {
        name: deps - KNOWN_CYCLE_MODULES
        for name, deps in module_graph(folder).items()
        if name not in KNOWN_CYCLE_MODULES
    }
    assert find_cycle(graph) is None


def test_models_never_import_exports() -> None:
    """The core knows no output format: renderers are bound at the edge (main.py, GUI)."""
    offenders = [str(p) for p, names in imported_modules("models").items() if "exports" in names]
    assert offenders == []


# Written in two halves so this file does not trip its own rule.
_TMP = "/" + "tmp"


def literal_tmp_paths(source: str) -> list[int]:
    """Lines holding a string that names the machine's temp folder by its literal path.

    Such a path works on the machine it was written on and nowhere else (another
    TMPDIR, a folder someone once made by hand); tmp_path, tempfile and platformdirs
    say where things go instead.
    """
    lines: list[int] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            text = node.value
        elif isinstance(node, ast.JoinedStr) and node.values:
            first = node.values[0]
            text = first.value if isinstance(first, ast.Constant) else ""
        else:
            continue
        if text == _TMP or text.startswith(_TMP + "/"):
            lines.append(node.lineno)
    return sorted(set(lines))


def test_the_tmp_rule_catches_what_it_should() -> None:
    caught = f'a = "{_TMP}/shots/x.png"\nb = f"{_TMP}/{{n}}"\nc = "{_TMP}"\n'
    passed = f'a = "/var{_TMP}/x"\nb = "{_TMP}files"\nc = tmp_path / "shots"\n'
    assert literal_tmp_paths(caught) == [1, 2, 3]
    assert literal_tmp_paths(passed) == []


def test_no_literal_tmp_paths() -> None:
    files = [ROOT / "main.py"]
    for folder in ("models", "ui", "exports", "tests", "scripts", "bench"):
        files.extend((ROOT / folder).rglob("*.py"))
    offenders = [
        f"{path.relative_to(ROOT)}:{line}"
        for path in files
        for line in literal_tmp_paths(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []
