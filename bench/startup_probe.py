"""One start-up, in a fresh process: report when the main window is first painted.

    python bench/startup_probe.py bare
    python bench/startup_probe.py imports
    python bench/startup_probe.py sketch
    python bench/startup_probe.py app BOOK

``app`` runs Rapport's own start-up path (main.main with ``--db BOOK``, as the
desktop starts it: the QApplication, the book's lock and checks, the main window
with Today, the client list and the tray). ``bare`` is the floor:
the least a PySide6 program does to put a window on screen (a QApplication and an
empty QMainWindow, shown). ``imports`` is the bare window after loading Rapport's
code (no book): it shows how much of start-up is only that. ``sketch`` is a window
of the first screen's shape built from plain PySide6 (no Rapport code, no book): what
any program painting such a screen pays. Each prints one line,
``painted <rss_kb> <peak_rss_kb>``, the moment the window's first paint has reached
the screen, then ``ready <rss_kb> <peak_rss_kb>`` once everything the app loads
after that paint has loaded (ui/warmup.py; at once for the bare window), and then
quits; the parent (bench/run.py) times both lines from the moment it spawned the
process.

Nothing else is imported before the measured path starts, so both modes pay the
same interpreter start-up; this file keeps to the standard library for that reason.
"""

from __future__ import annotations

import sys
from pathlib import Path


def _memory_kb() -> tuple[int, int]:
    """(current, peak) resident set size of this process, from /proc."""
    values = {"VmRSS": 0, "VmHWM": 0}
    with open("/proc/self/status", encoding="ascii") as fh:
        for line in fh:
            key = line.split(":", 1)[0]
            if key in values:
                values[key] = int(line.split()[1])
    return values["VmRSS"], values["VmHWM"]


def _watch_first_paint(app: object, *, wait_for_warmup: bool = False) -> None:
    """Report once, right after the first paint of the top-level main window, and once
    more when the app's warm-up is done (``wait_for_warmup``; else at once).

    Qt paints a window's whole widget tree in one pass after the top-level widget's
    paint event; a zero-delay timer posted from that event runs once the pass is over
    and the backing store has been flushed to the screen.
    """
    from PySide6.QtCore import QEvent, QObject, QTimer
    from PySide6.QtWidgets import QApplication, QMainWindow

    class Watcher(QObject):
        done = False

        def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt API
            if (
                not self.done
                and event.type() == QEvent.Type.Paint
                and isinstance(watched, QMainWindow)
            ):
                self.done = True
                QTimer.singleShot(0, self.report)
            return False

        def report(self) -> None:
            self.say("painted")
            warmup = None
            if wait_for_warmup:
                for widget in QApplication.topLevelWidgets():
                    warmup = widget.findChild(QObject, "rapport-warmup") or warmup
            if warmup is None or warmup.finished:  # type: ignore[attr-defined]
                self.ready()
            else:
                warmup.done.connect(self.ready)  # type: ignore[attr-defined]

        def ready(self) -> None:
            self.say("ready")
            QApplication.quit()

        def say(self, word: str) -> None:
            rss, peak = _memory_kb()
            sys.stdout.write(f"{word} {rss} {peak}\n")
            sys.stdout.flush()

    def attach() -> None:
        for widget in QApplication.topLevelWidgets():
            if isinstance(widget, QMainWindow):
                widget.installEventFilter(watcher)
                return
        app.installEventFilter(watcher)  # no main window yet (a dialog came first)

    watcher = Watcher()
    assert isinstance(app, QApplication)
    # Watching the whole application would time PySide more than the app: every
    # object that gets an event would be handed to Python, and the first one made by
    # Qt alone (a scroll bar, a layout) has PySide load every Qt class to find its
    # type (hundreds of enum classes, tens of ms) that the app itself never loads. So
    # the watcher goes on the main window, at the first turn of the event loop, which
    # comes before the window's first paint (the paint waits for the loop too).
    QTimer.singleShot(0, attach)
    app._startup_watcher = watcher  # type: ignore[attr-defined] # kept alive with the app


def bare(app: object | None = None) -> int:
    from PySide6.QtWidgets import QApplication, QMainWindow

    app = app if isinstance(app, QApplication) else QApplication(sys.argv[:1])
    _watch_first_paint(app)
    window = QMainWindow()
    window.resize(1100, 700)
    window.show()
    return app.exec()


def sketch() -> int:
    """The first screen's shape with none of Rapport's code or data: a menu bar of
    six menus, a tool bar with two icon buttons and a search field, a sidebar of
    three icon rows, a heading, and a tree of 30 rows in three columns from a Python
    model, painted by a Python delegate that draws one row's buttons, plus a status
    line. What any PySide6 program showing such a screen pays: the floor of the
    design, between the bare window and the app."""
    from PySide6.QtCore import QAbstractItemModel, QModelIndex, QPersistentModelIndex, QRect, Qt
    from PySide6.QtGui import QAction, QColor, QIcon, QPixmap
    from PySide6.QtWidgets import (
        QApplication,
        QHBoxLayout,
        QLabel,
        QLineEdit,
        QListWidget,
        QListWidgetItem,
        QMainWindow,
        QSplitter,
        QStyle,
        QStyledItemDelegate,
        QStyleOptionButton,
        QStyleOptionViewItem,
        QToolBar,
        QTreeView,
        QVBoxLayout,
        QWidget,
    )

    app = QApplication(sys.argv[:1])
    _watch_first_paint(app)
    rows = [
        (f"Client {i}", "Keep in touch", f"{i + 1} days late · monthly rhythm") for i in range(30)
    ]
    display = Qt.ItemDataRole.DisplayRole
    AnyIndex = QModelIndex | QPersistentModelIndex

    class Model(QAbstractItemModel):
        def index(self, row: int, column: int, parent: AnyIndex | None = None) -> QModelIndex:
            if (parent is not None and parent.isValid()) or not 0 <= row < len(rows):
                return QModelIndex()
            return self.createIndex(row, column)

        def parent(self, _index: AnyIndex | None = None) -> QModelIndex:  # type: ignore[override]
            return QModelIndex()

        def rowCount(self, parent: AnyIndex | None = None) -> int:  # noqa: N802 - Qt API
            return 0 if parent is not None and parent.isValid() else len(rows)

        def columnCount(self, _parent: AnyIndex | None = None) -> int:  # noqa: N802 - Qt API
            return 3

        def data(self, index: AnyIndex, role: int = display) -> object:
            return rows[index.row()][index.column()] if role == display else None

        def headerData(  # noqa: N802 - Qt API
            self, section: int, orientation: Qt.Orientation, role: int = display
        ) -> object:
            if role == display and orientation == Qt.Orientation.Horizontal:
                return ("Client", "What", "Why here")[section]
            return None

    class Delegate(QStyledItemDelegate):
        def paint(self, painter: object, option: QStyleOptionViewItem, index: AnyIndex) -> None:
            super().paint(painter, option, index)  # type: ignore[arg-type]
            if index.column() == 2 and option.state & QStyle.StateFlag.State_Selected:
                button = QStyleOptionButton()
                r = option.rect
                button.rect = QRect(r.right() - 90, r.top() + 3, 84, r.height() - 6)
                button.text = "Log touch"
                button.state = QStyle.StateFlag.State_Enabled | QStyle.StateFlag.State_Raised
                tree.style().drawControl(QStyle.ControlElement.CE_PushButton, button, painter, tree)  # type: ignore[arg-type]

    def icon() -> QIcon:
        pixmap = QPixmap(16, 16)
        pixmap.fill(QColor("#3070a0"))
        return QIcon(pixmap)

    window = QMainWindow()
    window.setWindowTitle("Sketch")
    for title in ("&File", "&Edit", "&Client", "&View", "&Settings", "&Help"):
        menu = window.menuBar().addMenu(title)
        for j in range(6):
            menu.addAction(QAction(f"Item {j}", window))
    tools = QToolBar()
    tools.addAction(icon(), "New client")
    tools.addAction(icon(), "Log a touch")
    tools.addWidget(QLineEdit(placeholderText="Search name, organisation, email…"))
    window.addToolBar(tools)
    sidebar = QListWidget()
    for text in ("Today (30)", "Clients", "Incidents"):
        QListWidgetItem(icon(), text, sidebar)
    body = QWidget()
    column = QVBoxLayout(body)
    heading = QHBoxLayout()
    title = QLabel("Today")
    font = title.font()
    font.setPointSizeF(font.pointSizeF() * 1.6)
    font.setBold(True)
    title.setFont(font)
    for part in (title, QLabel("Monday 7 December")):
        heading.addWidget(part)
    heading.addStretch()
    heading.addWidget(QLabel("30 to do: 30 overdue"))
    column.addLayout(heading)
    tree = QTreeView()
    tree.setRootIsDecorated(False)
    tree.setUniformRowHeights(True)
    tree.setModel(Model(tree))
    tree.setItemDelegate(Delegate(tree))
    tree.setCurrentIndex(tree.model().index(0, 0))
    column.addWidget(tree)
    split = QSplitter()
    split.addWidget(sidebar)
    split.addWidget(body)
    window.setCentralWidget(split)
    window.statusBar().showMessage("30 clients")
    window.resize(1100, 700)
    window.show()
    tree.setFocus()
    return app.exec()


def imports() -> int:
    """The bare window, after loading the code ``app`` loads before it opens a book
    (main, ui.app, the main window, the tray): how much of start-up is only that."""
    root = Path(__file__).resolve().parents[1]
    sys.path.insert(0, str(root))
    import main  # noqa: F401
    import ui.main.window  # noqa: F401
    import ui.tray  # noqa: F401
    from ui.app import ensure_application

    return bare(ensure_application())


def rapport(book: Path) -> int:
    """``rapport --db BOOK`` through main.main, as the desktop launches it (the parent
    points XDG_CONFIG_HOME and XDG_DATA_HOME at a scratch folder)."""
    root = Path(__file__).resolve().parents[1]
    sys.path.insert(0, str(root))
    import main
    from ui.app import ensure_application

    # run_gui makes the application through ensure_application, which keeps an
    # existing one: making it here first only lets the watcher be installed.
    _watch_first_paint(ensure_application(), wait_for_warmup=True)
    return main.main(["--db", str(book)])


if __name__ == "__main__":
    if sys.argv[1:2] == ["bare"]:
        sys.exit(bare())
    if sys.argv[1:2] == ["imports"]:
        sys.exit(imports())
    if sys.argv[1:2] == ["sketch"]:
        sys.exit(sketch())
    if sys.argv[1:2] == ["app"] and len(sys.argv) == 3:
        sys.exit(rapport(Path(sys.argv[2])))
    sys.exit(__doc__)
