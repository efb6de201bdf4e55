"""Issue 17 through the real widgets: finalising needs the consultant's details (the
agreement window says why and offers the Your details form), and Preview says that
it saved the draft."""

from __future__ import annotations

from datetime import date

import pytest
from PySide6.QtPdf import QPdfDocument
from PySide6.QtWidgets import QMessageBox

from models.entities import AgreementStatus, Side
from models.services.agreement_documents import agreement_pdf
from models.services.agreements import (
    AgreementInput,
    CommitmentInput,
    create_agreement,
    get_agreement,
)
from models.services.consultant import get_settings
from tests.helpers import NOW, add_client, fixed_clock, save_screenshot
from ui.agreement_window import AgreementWindow, open_agreement_window
from ui.app import RapportApp
from ui.settings_dialog import SettingsDialog
from ui.your_details import FILL_IN

WAIT_MS = 20_000


@pytest.fixture
def app_clock():  # noqa: ANN201 - fixture override
    return fixed_clock


def _draft(rapport: RapportApp) -> int:
    cid = add_client(rapport, "Ada Byrne", 30, 10)
    return create_agreement(
        rapport.book,
        cid,
        AgreementInput(
            title="Reset after the outage",
            dated=date(2026, 3, 10),
            commitments=[CommitmentInput(Side.OURS, "Weekly status call")],
            review_on=date(2026, 6, 10),
        ),
        now=NOW,
    )


def _wait_pdf(qtbot, w: AgreementWindow) -> None:  # noqa: ANN001
    qtbot.waitUntil(
        lambda: w.job is None and w.pdf_document.status() == QPdfDocument.Status.Ready,
        timeout=WAIT_MS,
    )


def test_make_final_without_my_details_is_refused_and_offers_the_form(
    qtbot,  # noqa: ANN001
    rapport: RapportApp,
) -> None:
    aid = _draft(rapport)
    w = open_agreement_window(rapport, aid)
    qtbot.addWidget(w)
    w.show()
    # The window says so before anyone presses anything.
    assert "Add your name, business and email" in w.preview_hint.text()

    w.final_button.click()
    box = w.message_box
    assert isinstance(box, QMessageBox) and box.isVisible()
    assert box.windowTitle() == "Your details first"
    assert "Add your name, business and email in Your details first" in box.text()
    assert "Make final" not in [b.text() for b in box.buttons()]
    # Cancelled: nothing became final, nothing was stored.
    box.button(QMessageBox.StandardButton.Cancel).click()
    qtbot.waitUntil(lambda: not box.isVisible(), timeout=WAIT_MS)
    assert get_agreement(rapport.book, aid).row.status is AgreementStatus.DRAFT
    assert agreement_pdf(rapport.book, aid) is None
    assert w.findChild(SettingsDialog) is None

    # Asked again, the consultant takes the offer and fills the form in.
    w.final_button.click()
    box = w.message_box
    [fill] = [b for b in box.buttons() if b.text() == FILL_IN]
    fill.click()
    qtbot.waitUntil(lambda: w.findChild(SettingsDialog) is not None, timeout=WAIT_MS)
    form = w.findChild(SettingsDialog)
    assert form.isVisible()
    qtbot.keyClicks(form.fields["name"], "Mia Consultant")
    qtbot.keyClicks(form.fields["business"], "Mia Advisory")
    # Email still empty: saving works (the form never demanded it) but the question
    # comes back with the one missing detail.
    form.buttons.accepted.emit()
    qtbot.waitUntil(lambda: w.message_box is not box, timeout=WAIT_MS)
    again = w.message_box
    assert again.text().startswith("Add your email in Your details first")
    assert get_agreement(rapport.book, aid).row.status is AgreementStatus.DRAFT
    [fill] = [b for b in again.buttons() if b.text() == FILL_IN]
    fill.click()
    qtbot.waitUntil(
        lambda: any(d.isVisible() for d in w.findChildren(SettingsDialog)), timeout=WAIT_MS
    )
    [form] = [d for d in w.findChildren(SettingsDialog) if d.isVisible()]
    qtbot.keyClicks(form.fields["email"], "mia@example.com")
    form.buttons.accepted.emit()
    # Now the usual question; yes makes it final with the details in the PDF.
    qtbot.waitUntil(lambda: w.message_box is not again, timeout=WAIT_MS)
    ask = w.message_box
    assert "can't be changed" in ask.text()
    assert get_settings(rapport.book).email == "mia@example.com"
    with qtbot.waitSignal(w.pdf_ready, timeout=WAIT_MS):
        ask.button(QMessageBox.StandardButton.Yes).click()
    _wait_pdf(qtbot, w)
    assert get_agreement(rapport.book, aid).row.status is AgreementStatus.FINAL
    assert "Add your" not in w.preview_hint.text()


def test_the_service_refusal_reaches_the_window_too(qtbot, rapport: RapportApp) -> None:  # noqa: ANN001
    """Even past the question (details removed while it was open), the service
    refuses and the window shows the reason rather than failing silently."""
    from tests.consultant import give_details

    aid = _draft(rapport)
    give_details(rapport.book)
    w = open_agreement_window(rapport, aid)
    qtbot.addWidget(w)
    w.show()
    from models.services.consultant import ConsultantSettings, set_settings

    set_settings(rapport.book, ConsultantSettings(name="Mia Consultant"))
    assert w.make_final()
    qtbot.waitUntil(lambda: w.job is None, timeout=WAIT_MS)
    box = w.message_box
    assert isinstance(box, QMessageBox) and box.isVisible()
    assert box.text().startswith("Add your business and email in Your details first")
    assert FILL_IN in [b.text() for b in box.buttons()]
    assert get_agreement(rapport.book, aid).row.status is AgreementStatus.DRAFT
    assert agreement_pdf(rapport.book, aid) is None


def test_preview_says_it_saved_the_draft(qtbot, rapport: RapportApp) -> None:  # noqa: ANN001
    aid = _draft(rapport)
    w = open_agreement_window(rapport, aid)
    qtbot.addWidget(w)
    w.show()
    w.title_edit.clear()
    qtbot.keyClicks(w.title_edit, "Reports we can rely on")
    with qtbot.waitSignal(w.pdf_ready, timeout=WAIT_MS):
        w.preview_button.click()
    assert get_agreement(rapport.book, aid).row.title == "Reports we can rely on"
    assert "The draft was saved" in w.preview_hint.text()
    assert "The draft was saved" in w.statusBar().currentMessage()
    # Nothing typed since: the next preview saves nothing and says so.
    with qtbot.waitSignal(w.pdf_ready, timeout=WAIT_MS):
        w.preview_button.click()
    assert "The draft was saved" not in w.preview_hint.text()
    assert "saved draft" in w.preview_hint.text()


def test_step_ten_ticks_decide_what_the_agreement_says(
    qtbot,  # noqa: ANN001
    rapport: RapportApp,
    tmp_path,  # noqa: ANN001
) -> None:
    """Through the real wizard: private preparation is offered unticked; ticking the
    figures brings them into the printed agreement, unticking the client's part takes
    it out, and nothing else private reaches the PDF."""
    import io

    import pypdf
    import shiboken6
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QWizard

    from models.repair import Step
    from models.services import printing
    from models.services.agreement_documents import pdf_renderer
    from models.services.agreements import finalise
    from models.services.repair import get_plan, save_step
    from tests.consultant import give_details
    from tests.test_document_audiences import marker, walk
    from ui.repair_wizard import open_repair_wizard, open_wizards

    give_details(rapport.book)
    incident = _incident(rapport, tmp_path)
    plan_id = walk(rapport.book, incident)
    save_step(rapport.book, plan_id, Step.IN_WRITING, {}, go_to=Step.IN_WRITING)
    w = open_repair_wizard(rapport, incident)
    assert w is not None
    try:
        qtbot.waitExposed(w)
        assert w.currentId() == Step.IN_WRITING
        p = w.pages[Step.IN_WRITING]
        choices = p.choices
        qtbot.waitUntil(lambda: choices.count() > 0, timeout=WAIT_MS)
        checked = Qt.CheckState.Checked
        states = {
            choices.item(i).data(Qt.ItemDataRole.UserRole): choices.item(i).checkState()
            for i in range(choices.count())
        }
        for key in ("context:our_view", "context:apology", "point:figures", "point:check_in"):
            assert states[key] != checked, key
        for key in ("context:facts", "context:client_view", "point:project_state"):
            assert states[key] == checked, key
        assert "private preparation" in choices.item_for("point:figures").text()

        before = w.saves
        choices.item_for("point:figures").setCheckState(checked)
        choices.item_for("context:client_contribution").setCheckState(Qt.CheckState.Unchecked)
        qtbot.waitUntil(lambda: w.saves > before and not w.pending, timeout=WAIT_MS)
        preview = p.preview.toPlainText()
        assert marker("figures") in preview and marker("client_contribution") not in preview
        assert marker("check_in") not in preview
        qtbot.mouseClick(w.button(QWizard.WizardButton.FinishButton), Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: get_plan(rapport.book, plan_id).finished, timeout=WAIT_MS)
    finally:
        for opened in list(open_wizards(rapport).values()):
            if shiboken6.isValid(opened):
                opened._close_now()
    agreement_id = get_plan(rapport.book, plan_id).agreement_id
    finalise(rapport.book, agreement_id, pdf_renderer(rapport.book), now=NOW)
    reader = pypdf.PdfReader(io.BytesIO(printing.agreement_job(rapport.book, agreement_id)()))
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert "Figures: " + marker("figures") in text
    for private in ("client_contribution", "our_view", "apology", "check_in", "reply"):
        assert marker(private) not in text, private
    assert marker("facts") in text and marker("our_mistakes") in text


def _incident(rapport: RapportApp, tmp_path) -> int:  # noqa: ANN001
    from models.entities import IncidentCategory, Severity
    from models.services.incident_evidence import attach_file
    from models.services.incidents import IncidentInput, open_incident

    cid = add_client(rapport, "Rafael Ortiz", 30, 40)
    iid = open_incident(
        rapport.book,
        cid,
        IncidentInput("Invoice 42 disputed", IncidentCategory.MONEY_SURPRISE, Severity.HIGH),
        now=NOW,
    )
    log = tmp_path / "march-hours.csv"
    log.write_text("date,hours\n2026-03-02,3\n", encoding="utf-8")
    attach_file(rapport.book, iid, log, now=NOW)
    return iid


def test_the_first_agreement_asks_for_my_details(
    qtbot,  # noqa: ANN001
    rapport: RapportApp,
    tmp_path,  # noqa: ANN001
    shots_dir,  # noqa: ANN001
) -> None:
    """Step 10 says the agreement cannot be made final without the consultant's
    details and opens the Your details form; once saved the note goes away."""
    import shiboken6

    from models.repair import Step
    from models.services.repair import save_step
    from tests.test_document_audiences import walk
    from ui.repair_wizard import open_repair_wizard, open_wizards

    incident = _incident(rapport, tmp_path)
    plan_id = walk(rapport.book, incident)
    save_step(rapport.book, plan_id, Step.IN_WRITING, {}, go_to=Step.IN_WRITING)
    w = open_repair_wizard(rapport, incident)
    assert w is not None
    try:
        qtbot.waitExposed(w)
        bar = w.pages[Step.IN_WRITING].details_bar
        assert bar.isVisible()
        w.resize(1024, 640)
        save_screenshot(w, shots_dir, "step10_details.png")
        assert bar.label.text().startswith("Add your name, business and email")
        bar.button.click()
        qtbot.waitUntil(lambda: w.findChild(SettingsDialog) is not None, timeout=WAIT_MS)
        form = w.findChild(SettingsDialog)
        assert form.isVisible()
        save_screenshot(form, shots_dir, "details_form.png")
        assert bar.label.text() in [lbl.text() for lbl in form.findChildren(type(bar.label))]
        qtbot.keyClicks(form.fields["name"], "Mia Consultant")
        qtbot.keyClicks(form.fields["business"], "Mia Advisory")
        qtbot.keyClicks(form.fields["email"], "mia@example.com")
        form.buttons.accepted.emit()
        qtbot.waitUntil(lambda: not bar.isVisible(), timeout=WAIT_MS)
        assert get_settings(rapport.book).business == "Mia Advisory"
        # The insurer ending says, in plain words, why the notice admits nothing.
        from PySide6.QtWidgets import QLabel

        from models.repair_records import INSURER_NO_ADMISSIONS

        said = [lbl.text() for lbl in w.pages[Step.INSURER].findChildren(QLabel)]
        assert INSURER_NO_ADMISSIONS in said
        assert "not to admit fault" in INSURER_NO_ADMISSIONS
    finally:
        for opened in list(open_wizards(rapport).values()):
            if shiboken6.isValid(opened):
                opened._close_now()
