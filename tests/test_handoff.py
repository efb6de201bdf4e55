"""Hand-off (issue 17, Build 10): a drafted message opens in the mail program as a
mailto: link with subject and body; a document starts an email with the PDF attached
(xdg-email, here a stand-in script on PATH that records its arguments); one click
afterwards logs the touch. The mailto: link is caught with Qt's own URL handler."""

from __future__ import annotations

import stat
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

import pytest
from PySide6.QtCore import QObject, QUrl, Slot
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QMessageBox

from models.mail import mailto_url
from models.repair import Step
from models.services.clients import ClientInput, Contact, create_client
from models.services.reminders import list_touches
from tests.helpers import LEFT, NOW
from tests.test_ui_agreements import _final, _wait_pdf
from tests.ui_repair.kit import _close_wizards, incident, page, wizard_for  # noqa: F401
from ui.agreement_window import open_agreement_window
from ui.handoff import email_file


class MailCatcher(QObject):
    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    @Slot(QUrl)
    def take(self, url: QUrl) -> None:
        self.urls.append(url.toString(QUrl.ComponentFormattingOption.FullyEncoded))


@pytest.fixture
def mail():
    catcher = MailCatcher()
    QDesktopServices.setUrlHandler("mailto", catcher, "take")
    yield catcher
    QDesktopServices.unsetUrlHandler("mailto")


@pytest.fixture
def app_clock():
    from tests.helpers import fixed_clock

    return fixed_clock


@pytest.fixture
def ada(rapport) -> int:
    return create_client(
        rapport.book,
        ClientInput(name="Ada Byrne", emails=[Contact("ada@example.test")], cadence_days=30),
        now=NOW,
    )


def parts(url: str) -> tuple[str, dict[str, list[str]]]:
    split = urlsplit(url)
    return unquote(split.path), parse_qs(split.query)


def test_mailto_carries_subject_and_body_in_any_script() -> None:
    url = mailto_url("ada@example.test", "Q&A? 100%", "Hello דוד,\nمرحبا & bye")
    assert " " not in url and "\n" not in url
    to, query = parts(url)
    assert to == "ada@example.test"
    assert query["subject"] == ["Q&A? 100%"]
    assert query["body"] == ["Hello דוד,\r\nمرحبا & bye"]


def test_the_first_reply_opens_in_the_mail_app_then_logs_the_touch(
    qtbot, rapport, incident, mail  # noqa: F811
) -> None:
    w = wizard_for(qtbot, rapport, incident)
    facts = page(w, Step.FACTS)
    assert facts.mail.log_button.isHidden()  # nothing to log before anything was sent
    qtbot.mouseClick(facts.mail.open_button, LEFT)
    [url] = mail.urls
    to, query = parts(url)
    assert to == "ada@example.test"
    assert query["subject"] == ["Thank you for telling me"]
    assert query["body"][0].startswith("Hello Ada,")
    assert not facts.mail.log_button.isHidden()
    client_id = w.view.client_id
    before = len(list_touches(rapport.book, client_id))
    qtbot.mouseClick(facts.mail.log_button, LEFT)
    touches = list_touches(rapport.book, client_id)
    assert len(touches) == before + 1
    assert touches[0].summary == "Sent: Thank you for telling me"
    assert facts.mail.log_button.isHidden()
    # The check-in has the same pair of buttons.
    assert page(w, Step.TIMEFRAME).mail.open_button.text() == "Open in &mail app"


def test_an_empty_draft_opens_nothing(qtbot, rapport, incident, mail) -> None:  # noqa: F811
    w = wizard_for(qtbot, rapport, incident)
    apology = page(w, Step.APOLOGY)
    apology.texts["apology"].setPlainText("")
    assert not apology.mail.open_in_mail()
    assert mail.urls == [] and "nothing to send" in apology.mail.note.text()


def fake_xdg_email(folder: Path) -> None:
    folder.mkdir(exist_ok=True)
    script = folder / "xdg-email"
    script.write_text(f'#!/bin/sh\nprintf "%s\\n" "$@" > "{folder}/args"\nexit 0\n')
    script.chmod(script.stat().st_mode | stat.S_IXUSR)


def test_email_attaches_the_agreement_and_logs_on_one_click(
    qtbot, rapport, ada, monkeypatch, tmp_path: Path
) -> None:
    bin_dir = tmp_path / "bin"
    fake_xdg_email(bin_dir)
    monkeypatch.setenv("PATH", str(bin_dir))
    aid = _final(rapport, ada)
    w = open_agreement_window(rapport, aid)
    qtbot.addWidget(w)
    _wait_pdf(qtbot, w)
    assert w.email_button.isEnabled()
    box = w.email_pdf()
    assert box is not None
    args = (bin_dir / "args").read_text().split("\n")
    attached = Path(args[args.index("--attach") + 1])
    assert attached.read_bytes() == w.pdf_bytes
    assert "ada@example.test" in args
    assert args[args.index("--subject") + 1].startswith("Our agreement AG-")
    before = len(list_touches(rapport.book, ada))
    qtbot.mouseClick(box.button(QMessageBox.StandardButton.Yes), LEFT)
    touches = list_touches(rapport.book, ada)
    assert len(touches) == before + 1 and touches[0].summary.startswith("Sent the agreement AG-")


def test_without_xdg_email_the_file_is_shown_in_its_folder(monkeypatch, tmp_path: Path) -> None:
    opened: list[str] = []

    class Folder(QObject):
        @Slot(QUrl)
        def take(self, url: QUrl) -> None:
            opened.append(url.toLocalFile())

    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    pdf = tmp_path / "AG-2026-0001.pdf"
    pdf.write_bytes(b"%PDF")
    handler = Folder()
    QDesktopServices.setUrlHandler("file", handler, "take")
    try:
        said = email_file(pdf, "ada@example.test", "Our agreement")
    finally:
        QDesktopServices.unsetUrlHandler("file")
    assert "shown in its folder" in said
    assert opened == [str(tmp_path)]


def test_the_closing_note_opens_in_the_mail_app_then_logs_the_touch(
    qtbot, rapport, incident, mail  # noqa: F811
) -> None:
    """The parting-ways ending's closing note has Copy and "Open in mail app" like
    every other draft; "Log as sent" shows only once the mail program was asked."""
    from PySide6.QtGui import QGuiApplication

    w = wizard_for(qtbot, rapport, incident)
    ending = page(w, Step.PART_WAYS)
    note = "Thank you for two good years, Ada.\nThe last files reach you on Friday."
    ending.texts["closing_message"].setPlainText(note)
    assert ending.mail.log_button.isHidden()
    qtbot.mouseClick(ending.copy_button, LEFT)
    assert QGuiApplication.clipboard().text() == note
    assert mail.urls == []  # Copy opens no mail program
    qtbot.mouseClick(ending.mail.open_button, LEFT)
    [url] = mail.urls
    to, query = parts(url)
    assert to == "ada@example.test"
    assert query["subject"] == ["Thank you for working with me"]
    assert query["body"] == [note.replace("\n", "\r\n")]
    assert not ending.mail.log_button.isHidden()
    client_id = w.view.client_id
    before = len(list_touches(rapport.book, client_id))
    qtbot.mouseClick(ending.mail.log_button, LEFT)
    touches = list_touches(rapport.book, client_id)
    assert len(touches) == before + 1
    assert touches[0].summary == "Sent: Thank you for working with me"
    assert ending.mail.log_button.isHidden()
