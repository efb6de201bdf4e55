"""House rule: every write from the UI goes through ui/ops.run_op (or start_op for
a slow one), which announces once what it changed. Announcing by hand is left to
the few places that announce something no user wrote: a new day, a book opened
in place of another. The list is short, and each entry says why it is there."""

from __future__ import annotations

import ast

from tests.test_ui_structure import ui_modules

# Modules that may call ui.ops.announce, and why. An entry no longer needed fails
# the test below: take it out, so the list only shrinks.
ANNOUNCE_ALLOWED = {
    # The day rolling over (ui/due_clock.py asks the app) and a book opened,
    # switched, restored or set aside as damaged: the app's own news, no user write.
    "ui.app": "the day rolled over, or the book changed under the views",
}


def announce_calls(source: str) -> int:
    """How many times ``source`` calls ui.ops.announce, under any name: imported
    from ui.ops (aliased or not) or reached as an attribute of the ops module."""
    tree = ast.parse(source)
    names: set[str] = set()
    modules: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module in {"ui.ops", "ops"}:
            names |= {a.asname or a.name for a in node.names if a.name == "announce"}
        elif isinstance(node, ast.ImportFrom) and node.module == "ui":
            modules |= {a.asname or a.name for a in node.names if a.name == "ops"}
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name == "ui.ops":
                    modules.add(alias.asname or "ui.ops")
    calls = 0
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        if (
            isinstance(func, ast.Name)
            and func.id in names
            or (
                isinstance(func, ast.Attribute)
                and func.attr == "announce"
                and ast.unparse(func.value) in modules
            )
        ):
            calls += 1
    return calls


def announcers() -> dict[str, int]:
    found = {}
    for name, path in ui_modules().items():
        if name == "ui.ops":
            continue
        count = announce_calls(path.read_text(encoding="utf-8"))
        if count:
            found[name] = count
    return found


def test_the_finder_sees_announce_under_any_name() -> None:
    """The rule below can fail: each way of reaching announce is counted."""
    assert announce_calls("from ui.ops import announce\nannounce(r, C, w)\n") == 1
    assert announce_calls("from ui.ops import announce as say\nsay(r, C)\nsay(r, D)\n") == 2
    assert announce_calls("from ui import ops\nops.announce(r, C)\n") == 1
    assert announce_calls("import ui.ops\nui.ops.announce(r, C)\n") == 1
    assert announce_calls("import ui.ops as o\no.announce(r, C)\n") == 1
    # Not announce: run_op, or some other object's announce.
    assert announce_calls("from ui.ops import run_op\nrun_op(r, w, changes=C)\n") == 0
    assert announce_calls("speaker.announce('hello')\n") == 0


def test_only_ui_ops_and_a_short_list_announce_by_hand() -> None:
    found = announcers()
    assert set(found) <= set(ANNOUNCE_ALLOWED), (
        f"Route these writes through ui.ops.run_op: {sorted(set(found) - set(ANNOUNCE_ALLOWED))}"
    )
    stale = set(ANNOUNCE_ALLOWED) - set(found)
    assert not stale, f"No longer announces by hand; take it off the list: {sorted(stale)}"


def test_only_ui_ops_runs_save_or_explain() -> None:
    """save_or_explain explains a refusal but announces nothing: a window calling it
    directly would write without telling the views. run_op wraps it."""
    callers = set()
    for name, path in ui_modules().items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and ast.unparse(node.func).endswith("save_or_explain"):
                callers.add(name)
    assert callers == {"ui.ops"}
