"""ui/kit/viewport.py: the viewport found without PySide's type search, in a fresh
process (the classes PySide has loaded are per process): the same object as
``viewport()``, and no QWidget subclass loaded that the code never named, while a
plain ``viewport()`` first call loads them all (the cost the helper avoids)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

CHILD = """
import json
from PySide6 import QtWidgets
from PySide6.QtWidgets import QApplication, QTreeView
from ui.kit.viewport import viewport_of

app = QApplication([])
seen = {}
tree = QTreeView()
found = viewport_of(tree)
seen["same"] = found is tree.viewport()
seen["is viewport"] = found.objectName() == "qt_scrollarea_viewport"
seen["after helper"] = sorted(n for n in ("QWizard", "QMdiArea") if n in vars(QtWidgets))
QTreeView().viewport()
seen["after viewport()"] = sorted(n for n in ("QWizard", "QMdiArea") if n in vars(QtWidgets))
print(json.dumps(seen))
"""


def test_the_viewport_is_found_without_loading_every_widget_class() -> None:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    result = subprocess.run(
        [sys.executable, "-c", CHILD], cwd=ROOT, env=env, capture_output=True, text=True,
        timeout=60,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    seen = json.loads(result.stdout.strip().splitlines()[-1])
    assert seen["same"] is True and seen["is viewport"] is True
    assert seen["after helper"] == []
    # What the helper avoids: the first plain viewport() has PySide load every QWidget
    # subclass to find the object's type. Should a PySide release stop doing that,
    # this fails and ui/kit/viewport.py can go.
    assert seen["after viewport()"] == ["QMdiArea", "QWizard"]
