"""File › Import contacts… and File › Export contacts…, driven through the real
window, file dialogs and preview, on a real book."""

from __future__ import annotations

import csv
import os
import subprocess
import sys
from pathlib import Path

from PySide6.QtCore import QItemSelectionModel, Qt, QTimer
from PySide6.QtWidgets import (
    QFileDialog,
    QLineEdit,
    QMessageBox,
    QProgressDialog,
)

from exports.contacts_io import load_contacts
from exports.csv_columns import Field
from models.services.client_search import list_clients
from models.services.clients import ClientInput, Contact, create_client, get_client
from tests.helpers import LEFT, shown
from tests.test_contacts_import import book_dump
from ui.client_table import COL_NAME, ID_ROLE
from ui.export_dialog import ExportDialog
from ui.import_dialog import PROGRESS_FROM, ImportDialog
from ui.main.window import MainWindow

FIXTURES = Path(__file__).parent / "fixtures" / "contacts"
ROOT = Path(__file__).resolve().parents[1]


def choose_file(qtbot, window: MainWindow, dialog: QFileDialog, path: Path) -> None:
    """Pick ``path`` in Qt's own file dialog, as a user would, and press its button."""
    shown(qtbot, dialog)
    name_box = dialog.findChild(QLineEdit, "fileNameEdit")
    assert name_box is not None
    name_box.setText(str(path))
    qtbot.keyClick(name_box, Qt.Key.Key_Return)


def open_preview(qtbot, window: MainWindow, path: Path) -> ImportDialog:
    window.import_contacts_action.trigger()
    file_dialog = window.file_dialog
    assert isinstance(file_dialog, QFileDialog)
    choose_file(qtbot, window, file_dialog, path)
    preview = window.import_dialog
    assert isinstance(preview, ImportDialog)
    return shown(qtbot, preview)


def list_names(window: MainWindow) -> list[str]:
    return [window.proxy.index(r, COL_NAME).data() for r in range(window.proxy.rowCount())]


def test_preview_maps_unknown_columns_then_imports(qtbot, window: MainWindow) -> None:
    book = window.rapport.book
    assert book is not None
    jm = create_client(
        book, ClientInput(name="Jürgen M.", emails=[Contact("juergen.mueller@example.de")])
    )
    window.refresh()
    assert "File" in [a.text().replace("&", "") for a in window.menuBar().actions()]

    preview = open_preview(qtbot, window, FIXTURES / "custom_columns.csv")
    assert preview.file_label.text() == "custom_columns.csv (CSV, UTF-8)"
    assert [(w, a) for w, a, _why in preview.actions_shown()] == [
        ("row 2", "No change"),
        ("row 3", "Skip"),
        ("row 4", "Skip"),
    ]
    assert "no name" in preview.actions_shown()[1][2]
    assert not preview.import_button.isEnabled()  # nothing to do yet
    headers = [preview.source.header[c] for c in preview.column_combos]
    assert headers == ["Vorname", "Nachname", "Handy", "Firma"]

    # The user says what the German columns hold, one combo at a time.
    for header, fld in (
        ("Vorname", Field.GIVEN),
        ("Nachname", Field.FAMILY),
        ("Handy", Field.PHONE),
        ("Firma", Field.ORGANISATION),
    ):
        col = preview.source.header.index(header)
        combo = preview.column_combos[col]
        combo.setFocus()
        combo.setCurrentIndex(combo.findData(fld.value))
    assert preview.actions_shown() == [
        ("row 2", "Update", "Adds 1 phone number; fills in organisation."),
        ("row 3", "Add", "New client."),
        ("row 4", "Add", "New client."),
    ]
    assert preview.summary_label.text() == "2 new clients, 1 update."
    assert preview.import_button.isEnabled()

    changes: list[str] = []
    window.rapport.changed.connect(lambda what, _who: changes.append(what))
    qtbot.mouseClick(preview.import_button, LEFT)
    qtbot.waitUntil(lambda: not preview.isVisible())

    assert changes == ["clients"]
    assert list_names(window) == ["Jürgen M.", "Karin Schulz", "Анна Петрова"]
    assert "Imported: 2 added, 1 updated, 0 skipped." in window.statusBar().currentMessage()
    assert window.selected_client_id() == next(
        r.id for r in list_clients(book) if r.name == "Karin Schulz"
    )
    updated = get_client(book, jm)
    assert updated.name == "Jürgen M."  # never overwritten
    assert [p.value for p in updated.phones] == ["+49 170 1234567"]
    assert updated.organisation == "Müller & Söhne GmbH"


def test_vcard_preview_shows_skipped_card_with_reason(qtbot, window: MainWindow) -> None:
    preview = open_preview(qtbot, window, FIXTURES / "android.vcf")
    assert preview.column_combos == {}
    assert preview.columns_box is None
    rows = preview.actions_shown()
    assert [(w, a) for w, a, _ in rows] == [
        ("card 1", "Add"),
        ("card 2", "Add"),
        ("card 3", "Add"),
        ("card 4", "Skip"),
    ]
    assert rows[3][2].startswith("This card could not be read")
    name_of = [preview.model.index(r, 1).data() for r in range(4)]
    assert name_of[:2] == ["Jürgen Müller", "Анна Петрова"]
    qtbot.mouseClick(preview.import_button, LEFT)
    qtbot.waitUntil(lambda: not preview.isVisible())
    assert list_names(window) == ["Jürgen Müller", "Sam Okafor", "Анна Петрова"]


def test_an_unreadable_file_is_explained_and_changes_nothing(qtbot, window: MainWindow) -> None:
    book = window.rapport.book
    assert book is not None
    before = book_dump(book.path)
    window.import_contacts_action.trigger()
    assert window.file_dialog is not None
    choose_file(qtbot, window, window.file_dialog, FIXTURES / "broken.vcf")
    box = window.message_box
    assert isinstance(box, QMessageBox)
    qtbot.waitExposed(box)
    assert "broken.vcf" in box.text() and "not plain text" in box.text()
    assert window.import_dialog is None
    assert book_dump(book.path) == before


def test_cancelling_a_large_import_in_its_progress_dialog_changes_nothing(
    qtbot, window: MainWindow, tmp_path: Path
) -> None:
    book = window.rapport.book
    assert book is not None
    big = tmp_path / "big.csv"
    with big.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["Name", "E-mail 1 - Value"])
        for i in range(PROGRESS_FROM + 100):
            writer.writerow([f"Person {i}", f"person{i}@example.com"])
    before = book_dump(book.path)
    preview = open_preview(qtbot, window, big)
    assert preview.summary_label.text() == f"{PROGRESS_FROM + 100} new clients."

    seen: list[int] = []

    def cancel_once_under_way() -> None:
        progress = preview.findChild(QProgressDialog)
        if progress is None or not progress.isVisible():
            return
        seen.append(progress.value())
        if progress.value() >= 100:
            timer.stop()
            progress.cancel()

    timer = QTimer()
    timer.setInterval(0)
    timer.timeout.connect(cancel_once_under_way)
    timer.start()
    qtbot.mouseClick(preview.import_button, LEFT)
    timer.stop()

    assert seen and max(seen) >= 100
    box = preview.message_box
    assert isinstance(box, QMessageBox)
    assert box.text() == "The import was cancelled. Nothing was changed."
    assert preview.isVisible()  # the preview stays, to try again
    assert book_dump(book.path) == before
    assert list_clients(book) == []


def test_export_selected_clients_as_vcard(qtbot, window: MainWindow, tmp_path: Path) -> None:
    book = window.rapport.book
    assert book is not None
    for name in ("Ada", "Bea", "Cy"):
        create_client(book, ClientInput(name=name, emails=[Contact(f"{name.lower()}@example.com")]))
    window.refresh()
    window.show_clients()
    selection = window.table.selectionModel()
    flags = QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows
    for row in (0, 2):  # Ada and Cy, as Ctrl+click would
        selection.select(window.proxy.index(row, COL_NAME), flags)
    picked = [window.proxy.index(r, COL_NAME).data(ID_ROLE) for r in (0, 2)]
    assert window.selected_client_ids() == picked

    window.export_contacts_action.trigger()
    dialog = window.export_dialog
    assert isinstance(dialog, ExportDialog)
    shown(qtbot, dialog)
    assert dialog.selected_radio.isChecked()  # several selected: they are the default
    assert dialog.all_radio.text() == "&All clients (3)"
    dialog.vcard_radio.click()
    qtbot.mouseClick(dialog.export_button, LEFT)
    file_dialog = dialog.file_dialog
    assert isinstance(file_dialog, QFileDialog)
    out = tmp_path / "picked.vcf"
    choose_file(qtbot, window, file_dialog, out)
    qtbot.waitUntil(lambda: out.exists())
    assert [r.full_name() for r in load_contacts(out).records()] == ["Ada", "Cy"]
    assert "Exported 2 clients to picked.vcf." in window.statusBar().currentMessage()


def test_export_all_clients_as_csv_by_default(qtbot, window: MainWindow, tmp_path: Path) -> None:
    book = window.rapport.book
    assert book is not None
    for name in ("Ada", "Bea"):
        create_client(book, ClientInput(name=name, emails=[Contact(f"{name.lower()}@example.com")]))
    window.refresh()
    window.show_clients()
    window.table.selectRow(0)  # one selected row is just where the cursor is
    window.export_contacts_action.trigger()
    dialog = window.export_dialog
    assert isinstance(dialog, ExportDialog)
    shown(qtbot, dialog)
    assert dialog.all_radio.isChecked() and dialog.csv_radio.isChecked()
    assert dialog.selected_radio.text() == "The &selected client (1)"
    qtbot.mouseClick(dialog.export_button, LEFT)
    assert dialog.file_dialog is not None
    out = tmp_path / "everyone.csv"
    choose_file(qtbot, window, dialog.file_dialog, out)
    qtbot.waitUntil(lambda: out.exists())
    assert [r.full_name() for r in load_contacts(out).records()] == ["Ada", "Bea"]


def test_the_vcard_parser_is_not_loaded_when_the_window_opens(tmp_path: Path) -> None:
    """vobject is imported by the code that reads or writes a vCard, never at start-up."""
    from models.db import open_book

    open_book(tmp_path / "b.db").close()
    code = f"""
import sys
from pathlib import Path
from PySide6.QtWidgets import QApplication
from models.db import open_book
from ui.app import RapportApp
from ui.main.window import MainWindow
import ui.import_dialog, ui.export_dialog
app = QApplication([])
rapport = RapportApp(config_dir=Path({str(tmp_path / "config")!r}))
assert rapport.open(Path({str(tmp_path / "b.db")!r})).ok
window = MainWindow(rapport)
print(sorted({{m.split('.')[0] for m in sys.modules}} & {{'vobject', 'reportlab', 'alembic'}}))
rapport.close()
"""
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=dict(os.environ, QT_QPA_PLATFORM="offscreen", HOME=str(tmp_path)),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "[]"


def choose_default_rhythm(qtbot, window: MainWindow, days: int | None) -> None:
    """Settings › Default rhythm…, as the user works it: the menu item, the page's
    choice, Save. No dialog of its own is left (one Settings window, issue 16)."""
    from PySide6.QtWidgets import QDialogButtonBox, QInputDialog

    window.default_rhythm_action.trigger()
    settings = window.settings_window
    assert settings is not None
    qtbot.waitUntil(settings.isVisible)
    assert settings.current_page().key == "reminders"
    assert not window.findChildren(QInputDialog)
    combo = settings.current_page().rhythm_combo  # type: ignore[attr-defined]
    combo.setCurrentIndex(combo.findData(days))
    settings.buttons.button(QDialogButtonBox.StandardButton.Save).click()
    qtbot.waitUntil(lambda: not settings.isVisible())


def test_new_and_imported_clients_get_the_default_rhythm(qtbot, window: MainWindow) -> None:
    """Issue 16: monthly unless the setting says otherwise; the preview says so, and
    clients already in the book keep their own rhythm."""
    from models.reminders import DEFAULT_CADENCE_DAYS
    from ui.rhythm_setting import KEY_DEFAULT_CADENCE, default_cadence

    book = window.rapport.book
    assert book is not None
    assert default_cadence(window.rapport.settings) == DEFAULT_CADENCE_DAYS == 30
    jm = create_client(
        book, ClientInput(name="Jürgen M.", emails=[Contact("juergen.mueller@example.de")])
    )
    window.refresh()
    # The user picks "Every 2 weeks" in Settings › Default rhythm for new clients,
    # which opens the Settings window on its Reminders and rhythm page.
    choose_default_rhythm(qtbot, window, 14)
    assert window.rapport.settings.value(KEY_DEFAULT_CADENCE) == 14
    assert window.statusBar().currentMessage() == (
        "New clients get a keep-in-touch rhythm: every 2 weeks."
    )

    preview = open_preview(qtbot, window, FIXTURES / "custom_columns.csv")
    assert preview.rhythm_label.text().startswith(
        "New clients get a keep-in-touch rhythm: every 2 weeks."
    )
    for header, fld in (
        ("Vorname", Field.GIVEN),
        ("Nachname", Field.FAMILY),
        ("Handy", Field.PHONE),
        ("Firma", Field.ORGANISATION),
    ):
        combo = preview.column_combos[preview.source.header.index(header)]
        combo.setCurrentIndex(combo.findData(fld.value))
    qtbot.mouseClick(preview.import_button, LEFT)
    qtbot.waitUntil(lambda: not preview.isVisible())
    rhythms = {r.name: get_client(book, r.id).cadence_days for r in list_clients(book)}
    assert rhythms == {"Jürgen M.": None, "Karin Schulz": 14, "Анна Петрова": 14}
    assert get_client(book, jm).cadence_days is None  # an update never sets a rhythm

    # The new-client dialog starts on the same rhythm; "No reminder" is a choice too.
    new = window.new_client_dialog()
    assert new is not None and new.cadence_edit.days() == 14
    new.reject()
    choose_default_rhythm(qtbot, window, None)
    assert default_cadence(window.rapport.settings) is None
    new = window.new_client_dialog()
    assert new is not None and new.cadence_edit.days() is None
    new.reject()


def test_preview_warns_of_a_mixed_encoding_and_names_a_control_character(
    qtbot, window: MainWindow, tmp_path: Path
) -> None:
    """The per-file warning above the table, the per-row reason in it."""
    src = tmp_path / "glued.csv"
    src.write_bytes(
        "Name,E-mail 1 - Value\r\nJürgen Weiß,j@example.de\r\nEsc\x1bape,e@example.de\r\n".encode()
        + "Zoë Brontë,z@example.com\r\n".encode("cp1252")
        + "".join(f"Plain {n},p{n}@example.com\r\n" for n in range(20)).encode()
    )
    preview = open_preview(qtbot, window, src)
    assert preview.warning_label.isVisible()
    assert "JÃ¼rgen" in preview.warning_label.text()
    rows = {w: (a, why) for w, a, why in preview.actions_shown()}
    assert rows["row 3"][0] == "Skip" and "U+001B" in rows["row 3"][1]
    assert rows["row 2"][0] == "Add"
    preview.reject()
    clean = open_preview(qtbot, window, FIXTURES / "google.csv")
    assert not clean.warning_label.isVisible()
    clean.reject()


def test_an_import_takes_a_pinned_backup_first_that_restores_the_book_as_it_was(
    qtbot, window: MainWindow
) -> None:
    from models.backups import KIND_BEFORE_IMPORT, list_backups

    book = window.rapport.book
    assert book is not None
    create_client(book, ClientInput(name="Jürgen M.", emails=[Contact("juergen@example.de")]))
    create_client(book, ClientInput(name="Already here"))
    window.refresh()
    names_before = sorted(r.name for r in list_clients(book))
    assert [b.kind for b in list_backups(book.path)] == []

    preview = open_preview(qtbot, window, FIXTURES / "android.vcf")
    assert preview.import_button.isEnabled()
    qtbot.mouseClick(preview.import_button, LEFT)
    qtbot.waitUntil(lambda: not preview.isVisible())
    after = window.rapport.book
    assert after is not None
    names_after = sorted(r.name for r in list_clients(after))
    assert names_after != names_before  # the import did add someone

    [pre] = list_backups(after.path)
    assert pre.kind == KIND_BEFORE_IMPORT and pre.verified
    assert pre.pinned(pre.taken_at.astimezone().date())
    assert pre.clients == len(names_before)

    outcome = window.rapport.restore(pre.path)
    assert outcome.ok, outcome.message
    restored = window.rapport.book
    assert restored is not None
    assert sorted(r.name for r in list_clients(restored)) == names_before


def test_an_import_into_an_empty_book_takes_no_backup(qtbot, window: MainWindow) -> None:
    from models.backups import list_backups

    book = window.rapport.book
    assert book is not None
    preview = open_preview(qtbot, window, FIXTURES / "android.vcf")
    qtbot.mouseClick(preview.import_button, LEFT)
    qtbot.waitUntil(lambda: not preview.isVisible())
    assert list_clients(book)  # imported
    assert list_backups(book.path) == []  # nothing to go back to, so no copy
