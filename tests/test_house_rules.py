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
    """The main window opens on a book without ReportLab, Alembic or pypdf loaded."""
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
heavy = sorted({{m.split('.')[0] for m in sys.modules}} & {{'reportlab', 'alembic', 'pypdf'}})
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
