"""Opens every top-level window and dialog of the app on the demo book, on a screen
of the size the parent test chose (offscreen Qt reads it from QT_QPA_PLATFORM's
config file; QT_SCALE_FACTOR scales it), and writes what each looked like as JSON.

Run as ``python -m tests.screen_child OUT.json`` by tests/test_ui_screen_fit.py: the
screen's size is fixed when Qt starts, so each size needs its own process.
"""

from __future__ import annotations

import json
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QByteArray, QPoint, QRect, Qt
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractScrollArea,
    QApplication,
    QLineEdit,
    QMainWindow,
    QStyleOptionViewItem,
    QTableView,
    QWidget,
)

from exports.pdf import bind_renderers


def _rect(r: QRect) -> list[int]:
    return [r.x(), r.y(), r.width(), r.height()]


def _viewport(widget: QWidget, top: QWidget) -> QWidget | None:
    """The scroll area's viewport ``widget`` sits in (it can be scrolled into it), or None."""
    parent = widget.parentWidget()
    while parent is not None and parent is not top:
        area = parent.parentWidget()
        if isinstance(area, QAbstractScrollArea) and parent is area.viewport():
            return parent
        parent = parent.parentWidget()
    return None


def look(name: str, window: QWidget) -> dict[str, Any]:
    """What a user sees of ``window``: its frame against the screen, and every button
    (or, for one in a scrolling page, the page's viewport) against the screen and
    against the window."""
    from ui.kit.screen import screen_of, was_fitted

    QApplication.processEvents()
    available = screen_of(window).availableGeometry()
    inside = QRect(window.mapToGlobal(QPoint(0, 0)), window.size())
    buttons = []
    for button in window.findChildren(QAbstractButton):
        if not button.isVisibleTo(window) or button.window() is not window:
            continue
        # A line edit's own side buttons (an action's icon, the clear button) are
        # sized by the line edit itself, smaller than a free-standing button.
        if isinstance(button.parent(), QLineEdit):
            continue
        # A button in a scrolling page is reachable when the page's viewport is.
        holder = _viewport(button, window) or button
        where = QRect(holder.mapToGlobal(QPoint(0, 0)), holder.size())
        buttons.append(
            {
                "text": button.text() or button.toolTip() or button.objectName(),
                "rect": _rect(where),
                "on_screen": available.contains(where),
                "in_window": inside.contains(where),
                "squashed": button.height() < button.minimumSizeHint().height(),
            }
        )
    hint = window.minimumSizeHint()
    return {
        "name": name,
        "frame": _rect(window.frameGeometry()),
        "available": _rect(available),
        "fits": available.contains(window.frameGeometry()),
        "content_fits": window.width() >= hint.width() and window.height() >= hint.height(),
        "size": [window.width(), window.height()],
        "needs": [hint.width(), hint.height()],
        "fitted": was_fitted(window),
        "buttons": buttons,
    }


LONG_NAME = "Maximiliane Wolkenstein-Rodeck"  # 30 characters, wide ones among them
LONG_ORG = "Wolkenstein-Rodeck Holdings AG"  # 30 as well


def list_cells(window: Any) -> dict[str, Any]:
    """Every client name and health badge in the list: wanted width (the view's own
    delegate and option) against the cell's visual width, and the columns shown."""
    from ui.client_table import COL_EMAIL, COL_HEALTH, COL_NAME, HEADERS, ID_ROLE

    table = window.table
    option = QStyleOptionViewItem()
    QTableView.initViewItemOption(table, option)
    delegate = table.itemDelegate()
    header = table.horizontalHeader()
    names, badges = [], []
    tips: list[bool] = []
    fm = QFontMetrics(table.font())
    proxy = table.model()
    table.scrollToTop()
    name_cells = table.itemDelegateForColumn(COL_NAME)
    lines = []
    for row in range(proxy.rowCount()):
        table.scrollTo(proxy.index(row, COL_NAME))
        QApplication.processEvents()
        # The two lines of the name cell, each measured in the table's font against
        # the room the cell's visual rect leaves them.
        index = proxy.index(row, COL_NAME)
        option.rect = table.visualRect(index)
        room = name_cells.text_area(option, index).width()
        for text in (str(index.data() or ""), name_cells.organisation(index)):
            if text:
                lines.append({"text": text, "wanted": fm.horizontalAdvance(text), "has": room})
        email = proxy.index(row, COL_EMAIL)
        if email.data():
            tips.append(email.data() == email.data(Qt.ItemDataRole.ToolTipRole))
        for column, into in ((COL_NAME, names), (COL_HEALTH, badges)):
            index = proxy.index(row, column)
            text = str(index.data() or "")
            if not text:
                continue
            wanted = delegate.sizeHint(option, index).width()
            has = table.visualRect(index).width()
            into.append({"text": text, "wanted": wanted, "has": has, "id": index.data(ID_ROLE)})
    return {
        "names": names,
        "badges": badges,
        "lines": lines,
        "email_tips_whole": tips,
        "email_elide": int(table.itemDelegateForColumn(COL_EMAIL) is not None),
        "shown": [HEADERS[c] for c in range(len(HEADERS)) if not header.isSectionHidden(c)],
        "horizontal_bar": table.horizontalScrollBar().isVisible(),
    }


def pane_check(window: Any) -> dict[str, Any]:
    """Each client of the list in the detail pane: does the text fit the pane's width,
    and does any line break inside a word (not after a space)?"""
    from PySide6.QtGui import QTextBlock

    from ui.client_table import COL_NAME, ID_ROLE

    browser = window.detail.browser
    proxy = window.table.model()
    wide, broken, clients = [], [], 0
    for row in range(proxy.rowCount()):
        client_id = proxy.index(row, COL_NAME).data(ID_ROLE)
        window.select_client(int(client_id))
        QApplication.processEvents()
        clients += 1
        document = browser.document()
        if document.size().width() > browser.viewport().width() + 1 or (
            browser.horizontalScrollBar().maximum() > 0
        ):
            wide.append(proxy.index(row, COL_NAME).data())
        block: QTextBlock = document.begin()
        while block.isValid():
            text, layout = block.text(), block.layout()
            for i in range(1, layout.lineCount()):
                start = layout.lineAt(i).textStart()
                before, around = text[start - 1 : start], text[max(0, start - 12) : start + 12]
                # Prose may break after a hyphen ("sign-/up"); an id or email never does.
                prose = before == "-" and not any(ch.isdigit() or ch in "@." for ch in around)
                if start > 0 and not before.isspace() and before != "\u2028" and not prose:
                    broken.append(f"{text[max(0, start - 12) : start]}/{text[start : start + 12]}")
            block = block.next()
    return {"clients": clients, "wide": wide, "broken": broken}


def today_reasons(window: Any) -> list[dict[str, Any]]:
    """Each Today row, chosen in turn: the room its reason is drawn in, against the
    reason's width, and where what is to be done begins (the reason may take room
    from it, never from the client's name)."""
    from PySide6.QtGui import QFontMetricsF

    from ui.today_model import COL_WHAT, COL_WHEN

    window.show_today()
    view = window.today_view
    tree, delegate = view.tree, view.delegate
    fm = QFontMetricsF(tree.font())
    rows = []
    for index in view.model.item_indexes():
        tree.setCurrentIndex(index)
        QApplication.processEvents()
        why = index.siblingAtColumn(COL_WHEN)
        rect = delegate.reason_rect(why, tree.visualRect(why))
        text = delegate.reason(why)
        rows.append(
            {
                "text": text,
                "wanted": fm.horizontalAdvance(text),
                "has": rect.width() - 2 * delegate.text_margin(),
                "left": rect.left(),
                "what_left": tree.visualRect(index.siblingAtColumn(COL_WHAT)).left(),
            }
        )
    return rows


def main(out: Path) -> int:
    scratch = Path(tempfile.mkdtemp(prefix="rapport-screen-"))
    bind_renderers()
    from ui.app import RapportApp, ensure_application

    qapp = ensure_application()
    rapport = RapportApp(config_dir=scratch / "config")
    assert rapport.open_demo().ok
    from ui.main.common import KEY_GEOMETRY

    # A geometry saved on a big monitor: the window must come back on this screen.
    big = QMainWindow()
    big.setGeometry(300, 200, 1649, 1049)
    saved: QByteArray = big.saveGeometry()
    rapport.settings.setValue(KEY_GEOMETRY, saved)
    big.deleteLater()

    from models.services.agreements import list_agreements
    from models.services.clients import ClientInput, create_client

    create_client(rapport.book, ClientInput(name=LONG_NAME, organisation=LONG_ORG))
    from models.services.incidents import list_incidents
    from ui.crash import CrashDialog
    from ui.main.window import MainWindow

    window = MainWindow(rapport)
    window.show()
    QApplication.processEvents()
    reasons = today_reasons(window)
    book = rapport.book
    assert book is not None
    incidents = list_incidents(book, now=rapport.now())
    busiest = max(incidents, key=lambda r: len(r.title))
    agreements = list_agreements(book)
    client_id = agreements[0].client_id
    window.show_clients(focus=False)
    window.select_client(client_id)
    contacts = scratch / "contacts.csv"
    contacts.write_text("Name,Email\nAda Lovelace,ada@example.org\n", encoding="utf-8")

    results = [look("main window", window)]
    cells = list_cells(window)
    pane = pane_check(window)
    window.select_client(client_id)

    def crash() -> QWidget:
        dialog = CrashDialog(window)
        dialog.add("Traceback (most recent call last):\n" * 40, safe=True)
        dialog.show_button.setChecked(True)
        dialog.show()
        return dialog

    openers: list[tuple[str, Callable[[], QWidget | None]]] = [
        ("new client", window.new_client_dialog),
        ("edit client", lambda: window.edit_client_dialog(client_id)),
        ("touch", lambda: window.log_touch_dialog(client_id)),
        ("follow-up", window.follow_up_for_current),
        ("report incident", lambda: window.report_incident_dialog(client_id)),
        ("incident window", lambda: window.open_incident_window(busiest.id)),
        ("repair wizard", lambda: window.open_repair_wizard(busiest.id)),
        ("agreement window", lambda: window.open_agreement_window(agreements[0].id)),
        ("new agreement", window.new_agreement_for_current),
        ("import", lambda: window.import_contacts_from(contacts)),
        ("export", lambda: window.export_contacts()),
        ("restore", window.restore_from_backup),
        ("backup settings", window.backup_settings),
        ("settings", window.your_details_dialog),
        ("crash", crash),
    ]
    for name, opener in openers:
        opened = opener()
        assert opened is not None, name
        for _ in range(5):
            QApplication.processEvents()
        results.append(look(name, opened))
        opened.close()
        QApplication.processEvents()
    found = {"windows": results, "list": cells, "pane": pane, "today": reasons}
    out.write_text(json.dumps(found, indent=1), encoding="utf-8")
    window.close()
    rapport.close()
    qapp.processEvents()
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1])))
