"""House rules for ui/, read from the source: no import cycles (counting imports
inside functions and under TYPE_CHECKING), no reaching into another module's
private names, and one module that emits ``changed``."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
UI = ROOT / "ui"


def ui_modules() -> dict[str, Path]:
    """Every module under ui/, by dotted name (a package by its __init__)."""
    found: dict[str, Path] = {}
    for path in sorted(UI.rglob("*.py")):
        parts = list(path.relative_to(ROOT).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        found[".".join(parts)] = path
    return found


def imports_of(name: str, path: Path, known: dict[str, Path]) -> Iterator[tuple[str, ast.AST]]:
    """Each ui module ``name`` imports, anywhere in the file (top level, inside a
    function, under TYPE_CHECKING), with the node that imports it."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name in known:
                    yield alias.name, node
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                module = f"{base}.{node.module}" if node.module else base
            else:
                module = node.module or ""
            for alias in node.names:
                sub = f"{module}.{alias.name}"
                if sub in known:  # from ui.kit import forms
                    yield sub, node
                elif module in known:
                    yield module, node


def import_graph() -> dict[str, set[str]]:
    known = ui_modules()
    graph: dict[str, set[str]] = {name: set() for name in known}
    for name, path in known.items():
        for target, _node in imports_of(name, path, known):
            # A package's __init__ is run by importing any module in it: that is
            # not a cycle through the package's own modules.
            if target != name and not name.startswith(target + "."):
                graph[name].add(target)
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = [0]

    def visit(v: str) -> None:
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def test_the_cycle_finder_finds_a_cycle() -> None:
    """The check below can fail: a two-module loop and a longer one are found."""
    graph = {"a": {"b"}, "b": {"a"}, "c": {"d"}, "d": {"e"}, "e": {"c"}, "f": {"a"}}
    assert sorted(cycles(graph)) == [["a", "b"], ["c", "d", "e"]]


def test_no_import_cycle_in_ui_counting_imports_inside_functions() -> None:
    graph = import_graph()
    assert "ui.app" in graph and graph["ui.gui"] >= {"ui.app"}
    assert cycles(graph) == []


def test_the_app_object_imports_no_window() -> None:
    windows = {
        "ui.main.window",
        "ui.tray",
        "ui.warmup",
        "ui.auto_backup",
        "ui.backup_dialog",
        "ui.agreement_window",
        "ui.incident_window",
        "ui.repair_wizard",
    }
    assert import_graph()["ui.app"].isdisjoint(windows)


def test_no_module_imports_another_modules_private_names() -> None:
    known = ui_modules()
    offences: set[str] = set()
    for name, path in known.items():
        for target, node in imports_of(name, path, known):
            if isinstance(node, ast.ImportFrom) and target != name:
                for alias in node.names:
                    if alias.name.startswith("_") and not alias.name.startswith("__"):
                        offences.add(f"{name} imports {target}.{alias.name}")
    assert offences == set()


def test_changed_is_emitted_by_one_module_only() -> None:
    emitters = set()
    for name, path in ui_modules().items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "emit"
                and isinstance(node.func.value, ast.Attribute)
                and node.func.value.attr == "changed"
            ):
                emitters.add(name)
    assert emitters == {"ui.ops"}


def test_no_ui_file_over_500_lines_and_no_class_over_400() -> None:
    """Windows are put together from parts (ui/main/, ui/kit/, the *_parts modules):
    a file or class past these sizes is a sign one more part wants out."""
    big = []
    for name, path in ui_modules().items():
        text = path.read_text(encoding="utf-8")
        if len(text.splitlines()) > 500:
            big.append(f"{name}: {len(text.splitlines())} lines")
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.ClassDef) and node.end_lineno - node.lineno + 1 > 400:
                big.append(f"{name}.{node.name}: {node.end_lineno - node.lineno + 1} lines")
    assert big == []
