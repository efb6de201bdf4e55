"""The app's start-up in a fresh process: Today painted before SQLAlchemy loads, then
the rest loaded behind it (ui/warmup.py), and never the PDF or import libraries."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

from models.db import open_book
from models.enums import Channel
from models.services.clients import ClientInput, create_client
from models.services.reminders import TouchInput, log_touch

ROOT = Path(__file__).resolve().parents[1]

CHILD = """
import json, sys
from pathlib import Path
from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QMainWindow
from ui.app import ensure_application
import main

HEAVY = {
    "reportlab", "alembic", "pypdf", "vobject", "icalendar", "dateutil", "pydantic", "jsonschema",
    "babel", "holidays", "bidi", "arabic_reshaper",
}
# Loaded only when used, never for the first paint: taking and restoring backups,
# the log file's rotating handler (with socket, pickle and queue behind it).
# QtNetwork: the single-instance server starts listening after the paint (ui/instance.py).
# The client list's model (with health scores and the column fitter behind it): the
# Clients page is built after the paint.
KEPT_OUT = {
    "models.backups.take", "models.backups.restore", "logging.handlers", "PySide6.QtNetwork",
    "ui.client_table", "ui.column_fitter",
    # hashlib (it loads OpenSSL): the single-instance socket is named when it listens.
    "hashlib",
}
# Qt classes the first paint does not use: PySide loads a class, and builds its Python
# enums (QUrl has many), on the first import of its name. QUrl and QDesktopServices:
# the crash dialog's "Open log folder"; QCalendarWidget and QDialogButtonBox: the
# snooze date dialog; QFileDialog, QMessageBox: dialogs; QSplitter: the Clients page.
# QWizard and QMdiArea are used nowhere before the paint: PySide loads them only when
# it searches every QWidget subclass for a viewport() it has not seen (ui/kit/viewport.py).
from PySide6 import QtCore, QtGui, QtWidgets
QT_KEPT_OUT = {
    QtCore: {"QUrl"},
    QtGui: {"QDesktopServices"},
    QtWidgets: {
        "QCalendarWidget", "QDialogButtonBox", "QFileDialog", "QMessageBox", "QSplitter",
        "QWizard", "QMdiArea",
    },
}
app = ensure_application()
seen = {}


def loaded():
    return sorted({m.split(".")[0] for m in sys.modules} & (HEAVY | {"sqlalchemy"}))


def window():
    return next(w for w in QApplication.topLevelWidgets() if isinstance(w, QMainWindow))


def at_ready():
    w = window()
    seen["ready"] = {
        "loaded": loaded(),
        "rows": w.model.rowCount(),
        "pending": w.lists_pending,
        "warm": w.rapport.warm,
        "whole plan": w.rapport._plan is not None,
        "pages built": w._pages_built,
        "pdf bound": "exports.pdf" in sys.modules,
        "listening": w.rapport.instance.listening,
        "tray menu": [a.text() for a in w.tray.menu.actions() if not a.isSeparator()],
    }
    print(json.dumps(seen), flush=True)
    QApplication.quit()


def at_paint():
    w = window()
    seen["paint"] = {
        "loaded": loaded(),
        "kept out": sorted(KEPT_OUT & set(sys.modules)),
        "qt kept out": sorted(n for m, names in QT_KEPT_OUT.items() for n in names if n in vars(m)),
        "due": [i.client_name for i in w.today_view.plan.due],
        # Read without building it: asking the window for its model builds the pages.
        "rows": w.model.rowCount() if "model" in vars(w) else 0,
        "list model": "model" in vars(w),
        "count": w.count_label.text(),
        "pending": w.lists_pending,
        "whole plan": w.rapport._plan is not None,
        "sidebar": w.sidebar.item(0).text(),
        "tray": w.tray.badge_count,
        "tray menu": len(w.tray.menu.actions()),
        "pages built": w._pages_built,
        "client list": [t for t in ("ClientDetailPane", "IncidentsView", "FirstRunPage")
                        if any(type(x).__name__ == t for x in QApplication.allWidgets())],
        "pdf bound": "exports.pdf" in sys.modules,
        "listening": w.rapport.instance.listening,
    }
    w.findChild(QObject, "rapport-warmup").done.connect(at_ready)


class Watch(QObject):
    done = False

    def eventFilter(self, obj, event):
        if not self.done and event.type() == QEvent.Type.Paint and isinstance(obj, QMainWindow):
            self.done = True
            QTimer.singleShot(0, at_paint)
        return False


def attach():
    # On the main window only, at the first turn of the event loop (before any paint):
    # a filter on the whole application would have PySide look up the Python class
    # of every object that gets an event, loading every Qt class to do so, which the
    # app itself never does.
    for widget in QApplication.topLevelWidgets():
        if isinstance(widget, QMainWindow):
            widget.installEventFilter(watch)
            return
    app.installEventFilter(watch)


watch = Watch()
QTimer.singleShot(0, attach)
sys.exit(main.main(["--db", sys.argv[1]]))
"""


def test_today_is_painted_before_sqlalchemy_loads_and_the_rest_follows(tmp_path: Path) -> None:
    path = tmp_path / "book" / "rapport.db"
    book = open_book(path)
    try:
        now = datetime.now(UTC)
        for i, name in enumerate(["Ada Lovelace", "Grace Hopper", "Alan Turing"]):
            cid = create_client(book, ClientInput(name=name, cadence_days=7))
            # Ada was last in touch ten days ago: due (three days late) today.
            if i == 0:
                ten_days_ago = now - timedelta(days=10)
                log_touch(book, cid, TouchInput(happened_at=ten_days_ago, channel=Channel.CALL))
            else:
                log_touch(book, cid, TouchInput(happened_at=now, channel=Channel.CALL))
    finally:
        book.close()
    env = dict(
        os.environ,
        QT_QPA_PLATFORM="offscreen",
        XDG_CONFIG_HOME=str(tmp_path / "config"),
        XDG_DATA_HOME=str(tmp_path / "data"),
    )
    result = subprocess.run(
        [sys.executable, "-c", CHILD, str(path)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    seen = json.loads(result.stdout.strip().splitlines()[-1])
    paint, ready = seen["paint"], seen["ready"]
    # First paint: Today from plain reads, the count in the status bar, no ORM yet.
    assert paint["loaded"] == []
    assert paint["kept out"] == [] and paint["qt kept out"] == []
    assert paint["due"] == ["Ada Lovelace"]
    assert paint["count"] == "3 clients"
    assert paint["pending"] is True and paint["rows"] == 0
    # Today's first screen and every count come from the head (ordered, limited
    # reads); the whole plan (the tray's tooltip and notifications) waits for the paint.
    assert paint["whole plan"] is False
    assert paint["sidebar"].split() == ["Today", "(1)"] and paint["tray"] == 1
    # The tray's menu cannot be opened before the paint: its actions are made after.
    assert paint["tray menu"] == 0
    # Only Today is on screen: the other pages and the PDF renderers come after.
    assert paint["pages built"] is False and paint["client list"] == []
    assert paint["list model"] is False
    assert paint["pdf bound"] is False
    # The book is locked from the start; a second start is answered once painted.
    assert paint["listening"] is False
    # Then the warm-up: the ORM and the client list, still no PDF or import code.
    assert ready["loaded"] == ["sqlalchemy"]
    assert ready["warm"] is True and ready["pending"] is False
    assert ready["rows"] == 3
    assert ready["whole plan"] is True
    assert ready["pages built"] is True and ready["pdf bound"] is True
    assert ready["listening"] is True
    assert ready["tray menu"][:2] == ["&Today…", "&Log a touch…"]
    assert any(t.startswith("Ada Lovelace") for t in ready["tray menu"])
    assert ready["tray menu"][-2:] == ["&Open Rapport", "&Quit"]
