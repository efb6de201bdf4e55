"""The agreement editor, its PDF preview, printing and saving, and the consultant's
details: driven through the real widgets on real books."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from PySide6.QtCore import QSize, Qt, QThread
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import QApplication, QComboBox, QMessageBox

from models.entities import AgreementStatus, CommitmentState, Side
from models.services.agreement_documents import agreement_pdf, pdf_renderer
from models.services.agreements import (
    AgreementInput,
    CommitmentInput,
    create_agreement,
    finalise,
    get_agreement,
    list_agreements,
)
from models.services.consultant import get_settings
from tests.consultant import give_details
from tests.helpers import NOW, add_client, fixed_clock, save_screenshot
from ui.agreement_window import AgreementWindow, new_agreement_window, open_agreement_window
from ui.app import RapportApp

WAIT_MS = 20_000


@pytest.fixture
def app_clock():  # noqa: ANN201 - fixture override
    return fixed_clock


def _draft(rapport: RapportApp, client_id: int, title: str = "Reset after the outage") -> int:
    give_details(rapport.book)  # issue 17: finalising needs the consultant's details
    return create_agreement(
        rapport.book,
        client_id,
        AgreementInput(
            title=title,
            dated=date(2026, 3, 10),
            context="The March outage.",
            points=["Weekly call", "Shared status page"],
            commitments=[
                CommitmentInput(Side.OURS, "Send the incident report", date(2026, 3, 17)),
                CommitmentInput(Side.THEIRS, "Name one contact person"),
            ],
            review_on=date(2026, 6, 10),
        ),
        now=NOW,
    )


def _final(rapport: RapportApp, client_id: int) -> int:
    aid = _draft(rapport, client_id)
    finalise(rapport.book, aid, pdf_renderer(rapport.book), now=NOW)
    return aid


def _wait_pdf(qtbot, w: AgreementWindow) -> None:  # noqa: ANN001
    qtbot.waitUntil(
        lambda: w.job is None and w.pdf_document.status() == QPdfDocument.Status.Ready,
        timeout=WAIT_MS,
    )


def test_new_draft_round_trips_through_the_editor(qtbot, rapport: RapportApp) -> None:  # noqa: ANN001
    cid = add_client(rapport, "Ada Byrne", 30, 10)
    w = new_agreement_window(rapport, cid)
    assert w is not None
    qtbot.addWidget(w)
    assert w.review_edit.date().toPython() == date(2026, 6, 10)  # three months on
    w.title_edit.setText("Working together again")
    w.context_edit.setPlainText("After the missed deadline.")
    w.points_edit.setPlainText("Weekly call\n\nOne shared plan")
    w.ours.add_row("Send a plan", date(2026, 3, 20))
    w.ours.add_row("Call every Friday")
    w.theirs.add_row("Reply within two days")
    w.ours.table.setCurrentCell(1, 0)
    w.ours.move_selected(-1)  # Call every Friday first
    assert w.save()
    aid = w.agreement_id
    assert aid is not None
    assert rapport.agreement_windows[aid] is w
    w.close()

    d = get_agreement(rapport.book, aid)
    assert d.row.title == "Working together again"
    assert d.points == ["Weekly call", "One shared plan"]
    ours = [(c.text, c.due_on) for c in d.commitments if c.side is Side.OURS]
    assert ours == [("Call every Friday", None), ("Send a plan", date(2026, 3, 20))]
    assert [c.text for c in d.commitments if c.side is Side.THEIRS] == ["Reply within two days"]

    again = open_agreement_window(rapport, aid)
    assert again is not None
    qtbot.addWidget(again)
    assert again.title_edit.text() == "Working together again"
    assert again.points_edit.toPlainText() == "Weekly call\nOne shared plan"
    assert again.ours.table.item(1, 1).text() == "20\u00a0Mar\u00a02026"
    assert again.theirs.table.item(0, 0).text() == "Reply within two days"
    assert open_agreement_window(rapport, aid) is again  # opening twice raises the same one
    assert again.status_label.text() == "Draft"


def test_bad_due_date_is_explained_and_nothing_saved(qtbot, rapport: RapportApp) -> None:  # noqa: ANN001
    cid = add_client(rapport, "Ada Byrne", 30, 10)
    w = new_agreement_window(rapport, cid)
    qtbot.addWidget(w)
    w.title_edit.setText("Plan")
    w.ours.add_row("Send it")
    w.ours.table.item(0, 1).setText("next week")
    assert not w.save()
    assert w.ours.error.isVisibleTo(w)
    assert list_agreements(rapport.book) == []


def test_final_is_read_only_and_new_version_opens_v2_draft(qtbot, rapport: RapportApp) -> None:  # noqa: ANN001
    cid = add_client(rapport, "Ada Byrne", 30, 10)
    aid = _final(rapport, cid)
    w = open_agreement_window(rapport, aid)
    qtbot.addWidget(w)
    assert w.status_label.text() == "Final"
    assert not w.title_edit.isEnabled()
    assert w.context_edit.isReadOnly()
    assert not w.save_button.isEnabled()
    assert not w.ours.add_button.isEnabled()
    assert not (w.ours.table.item(0, 0).flags() & Qt.ItemFlag.ItemIsEditable)
    combo = w.ours.table.cellWidget(0, 2)
    assert isinstance(combo, QComboBox) and combo.isEnabled()
    combo.setCurrentIndex(combo.findData(CommitmentState.KEPT.value))
    combo.activated.emit(combo.currentIndex())
    kept = [c.state for c in get_agreement(rapport.book, aid).commitments if c.side is Side.OURS]
    assert kept == [CommitmentState.KEPT]
    _wait_pdf(qtbot, w)  # the stored PDF is shown

    v2 = w.make_new_version()
    assert v2 is not None and v2 is not w
    qtbot.addWidget(v2)
    assert v2.detail is not None and v2.detail.row.version == 2
    assert v2.status_label.text() == "Draft · v2"
    assert v2.title_edit.isEnabled()
    assert v2.detail.supersedes_id == aid


def test_preview_renders_off_the_gui_thread(qtbot, rapport: RapportApp, shots_dir: Path) -> None:  # noqa: ANN001
    cid = add_client(rapport, "Ada Byrne", 30, 10)
    w = open_agreement_window(rapport, _draft(rapport, cid))
    qtbot.addWidget(w)
    threads: list[bool] = []
    w.pdf_ready.connect(
        lambda: threads.append(QThread.currentThread() is QApplication.instance().thread())
    )
    with qtbot.waitSignal(w.pdf_ready, timeout=WAIT_MS):
        assert w.preview()
        assert w.busy.isVisibleTo(w)
    assert threads == [True]  # the result is shown on the GUI thread
    _wait_pdf(qtbot, w)
    assert w.pdf_document.pageCount() >= 1
    assert w.pdf_bytes is not None and w.pdf_bytes.startswith(b"%PDF")
    assert agreement_pdf(rapport.book, w.agreement_id) is None  # still a draft
    page = w.pdf_document.render(0, QSize(300, 424))
    dark = sum(
        1 for x in range(0, 300, 3) for y in range(0, 424, 3) if page.pixelColor(x, y).value() < 128
    )
    assert dark > 50  # text, not a blank page
    w.resize(1200, 800)
    w.show()
    qtbot.waitExposed(w)
    qtbot.wait(1500)  # QPdfView paints its pages on its own renderer thread
    save_screenshot(w, shots_dir, "agreement_preview.png")


def test_make_final_stores_and_shows_the_pdf(qtbot, rapport: RapportApp, shots_dir: Path) -> None:  # noqa: ANN001
    cid = add_client(rapport, "Ada Byrne", 30, 10)
    aid = _draft(rapport, cid)
    w = open_agreement_window(rapport, aid)
    qtbot.addWidget(w)
    box = w.confirm_final()
    assert isinstance(box, QMessageBox)
    w.resize(1200, 800)
    w.show()
    assert "can't be changed" in box.text()
    with qtbot.waitSignal(w.pdf_ready, timeout=WAIT_MS):
        box.button(QMessageBox.StandardButton.Yes).click()
    _wait_pdf(qtbot, w)
    qtbot.wait(1000)  # QPdfView paints on its own thread
    save_screenshot(w, shots_dir, "agreement_final.png")
    assert get_agreement(rapport.book, aid).row.status is AgreementStatus.FINAL
    assert w.pdf_bytes == agreement_pdf(rapport.book, aid)
    assert not w.title_edit.isEnabled()


def test_print_to_pdf_printer_prints_every_page(qtbot, rapport: RapportApp, tmp_path: Path) -> None:  # noqa: ANN001
    from pypdf import PdfReader

    cid = add_client(rapport, "Ada Byrne", 30, 10)
    aid = _final(rapport, cid)
    w = open_agreement_window(rapport, aid)
    qtbot.addWidget(w)
    _wait_pdf(qtbot, w)
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    out = tmp_path / "printed.pdf"
    printer.setOutputFileName(str(out))
    printer.setResolution(150)
    assert w.print_to(printer) == w.pdf_document.pageCount()
    assert len(PdfReader(out).pages) == w.pdf_document.pageCount() >= 1


def test_save_as_writes_the_stored_final_pdf(qtbot, rapport: RapportApp, tmp_path: Path) -> None:  # noqa: ANN001
    cid = add_client(rapport, "Ada Byrne", 30, 10)
    aid = _final(rapport, cid)
    w = open_agreement_window(rapport, aid)
    qtbot.addWidget(w)
    target = w.save_as(tmp_path / "out" / "agreement")
    assert target is None  # the folder does not exist: explained, nothing written
    assert w.general_error.isVisibleTo(w)
    (tmp_path / "out").mkdir()
    target = w.save_as(tmp_path / "out" / "agreement")
    assert target == tmp_path / "out" / "agreement.pdf"
    assert target.read_bytes() == agreement_pdf(rapport.book, aid)
    copy = w.viewing_copy()
    assert copy is not None and copy.read_bytes() == agreement_pdf(rapport.book, aid)
    assert copy.suffix == ".pdf"
    # Saving copies touches no setting (issue 17: _draft now gives the book the
    # consultant's details, so they are the ones given there, unchanged).
    assert get_settings(rapport.book).name == "Mia Consultant"


# -- the consultant's details ------------------------------------------------------------


def test_settings_dialog_refuses_a_bad_email_then_saves(
    qtbot, rapport: RapportApp, tmp_path: Path
) -> None:  # noqa: ANN001, E501
    from models.services.consultant import stored_page_size
    from ui.settings.details import YourDetailsPage, locale_page_size

    dialog = YourDetailsPage(rapport)
    qtbot.addWidget(dialog)
    assert stored_page_size(rapport.book) is locale_page_size()  # stored when first shown
    dialog.fields["name"].setText("Sam Reed")
    dialog.fields["business"].setText("Reed Consulting")
    dialog.address_edit.setPlainText("1 High Street\nBath")
    dialog.fields["email"].setText("sam at example")
    assert not dialog.save()
    assert dialog.errors["email"].isVisibleTo(dialog)
    assert "email" in dialog.errors["email"].text()
    assert get_settings(rapport.book).name == ""

    bad = tmp_path / "logo.png"
    bad.write_bytes(b"not a png")
    assert not dialog.load_logo(bad)
    assert dialog.errors["logo_png"].isVisibleTo(dialog)
    from PySide6.QtGui import QColor, QImage

    image = QImage(40, 20, QImage.Format.Format_RGB32)
    image.fill(QColor("#2a6"))
    good = tmp_path / "good.png"
    assert image.save(str(good), "PNG")
    assert dialog.load_logo(good)
    assert dialog.remove_logo_button.isEnabled()

    dialog.fields["email"].setText("sam@example.com")
    dialog.page_combo.setCurrentIndex(dialog.page_combo.findData("Letter"))
    with qtbot.waitSignal(dialog.saved):
        assert dialog.save()
    s = get_settings(rapport.book)
    assert (s.name, s.business, s.address, s.email) == (
        "Sam Reed",
        "Reed Consulting",
        "1 High Street\nBath",
        "sam@example.com",
    )
    assert s.logo_png == good.read_bytes()
    assert s.page_size.value == "Letter"

    again = YourDetailsPage(rapport)
    qtbot.addWidget(again)
    again.remove_logo_button.click()
    assert again.save()
    assert get_settings(rapport.book).logo_png is None


# -- the ways in ---------------------------------------------------------------------------


def test_client_page_lists_agreements_and_opens_them(qtbot, rapport: RapportApp) -> None:  # noqa: ANN001
    from PySide6.QtCore import QUrl

    from tests.helpers import open_window
    from ui.app import CHANGED_CLIENTS

    cid = add_client(rapport, "Ada Byrne", 30, 10)
    rapport.changed.emit(CHANGED_CLIENTS, None)
    window = open_window(qtbot, rapport)
    window.show_clients()
    assert window.select_client(cid)
    assert "AGREEMENTS" not in window.detail.browser.toPlainText().upper()
    new = window.new_agreement_action.trigger
    assert window.new_agreement_action.shortcut().toString() == "Ctrl+Shift+A"
    new()
    opened = [w for w in rapport.agreement_windows.values()]
    assert opened == []  # not in the book until saved
    windows = [w for w in window.findChildren(AgreementWindow)]
    assert len(windows) == 1
    editor = windows[0]
    qtbot.addWidget(editor)
    editor.title_edit.setText("Quarterly reset")
    assert editor.save()
    # The client page refreshes on "agreements".
    text = window.detail.browser.toPlainText()
    assert "AGREEMENTS" in text.upper() and "Quarterly reset" in text and "Draft" in text
    aid = editor.agreement_id
    editor.close()
    window.detail._on_link(QUrl(f"agreement:{aid}"))
    assert rapport.agreement_windows[aid].title_edit.text() == "Quarterly reset"
    rapport.agreement_windows[aid].close()
    window.close()


def test_incident_window_writes_a_linked_agreement(qtbot, rapport: RapportApp) -> None:  # noqa: ANN001
    from models.entities import IncidentCategory, Severity
    from models.services.incidents import IncidentInput, open_incident
    from tests.helpers import open_window

    cid = add_client(rapport, "Ada Byrne", 30, 10)
    iid = open_incident(
        rapport.book,
        cid,
        IncidentInput("Report was late", IncidentCategory.LATE_PAYMENT, Severity.HIGH),
        now=NOW,
    )
    window = open_window(qtbot, rapport)
    iw = window.open_incident_window(iid)
    assert iw is not None
    editor = iw.write_agreement()
    assert isinstance(editor, AgreementWindow)
    qtbot.addWidget(editor)
    assert "Report was late" in editor.title_edit.text()
    editor.theirs.add_row("Send data by the 5th", date(2026, 4, 5))
    assert editor.save()
    assert editor.agreement_id is not None
    assert get_agreement(rapport.book, editor.agreement_id).incident_id == iid
    editor.close()
    iw._discard = True
    iw.close()
    window.close()


def test_editor_screenshot(qtbot, rapport: RapportApp, shots_dir: Path) -> None:  # noqa: ANN001
    cid = add_client(rapport, "Ada Byrne", 30, 10)
    w = open_agreement_window(rapport, _draft(rapport, cid))
    qtbot.addWidget(w)
    w.resize(1200, 800)
    qtbot.waitExposed(w)
    save_screenshot(w, shots_dir, "agreement_editor.png")


def test_finalising_v2_shows_v1_as_superseded(qtbot, rapport: RapportApp) -> None:  # noqa: ANN001
    cid = add_client(rapport, "Ada Byrne", 30, 10)
    aid = _final(rapport, cid)
    v1 = open_agreement_window(rapport, aid)
    qtbot.addWidget(v1)
    v2 = v1.make_new_version()
    assert v2 is not None
    qtbot.addWidget(v2)
    v2.title_edit.clear()
    qtbot.keyClicks(v2.title_edit, "Reset, second try")  # typed: the window knows it changed
    with qtbot.waitSignal(v2.pdf_ready, timeout=WAIT_MS):
        assert v2.make_final()
    _wait_pdf(qtbot, v2)
    assert v2.status_label.text() == "Final · v2"
    assert v1.status_label.text() == "Superseded"
    assert not v1.version_button.isEnabled()
    combo = v1.ours.table.cellWidget(0, 2)
    assert isinstance(combo, QComboBox) and not combo.isEnabled()
    assert get_agreement(rapport.book, v2.agreement_id).row.title == "Reset, second try"


def test_settings_screenshot(qtbot, rapport: RapportApp, shots_dir: Path) -> None:  # noqa: ANN001
    from ui.settings.window import SettingsWindow

    window = SettingsWindow(rapport)
    qtbot.addWidget(window)
    dialog = window.page("details")
    dialog.fields["email"].setText("sam at example")
    dialog.save()
    window.show()
    qtbot.waitExposed(dialog)
    save_screenshot(window, shots_dir, "settings_dialog.png")
