"""Hand-off: a drafted message opens in the consultant's mail program, a document
goes to an email as an attachment, and one click afterwards logs the touch.

"Open in mail app" sits beside Copy under every draft. After it opens the mail
program, "Log as sent" appears: the app cannot know the mail was sent, so it asks
for that one click rather than logging a touch that may never have happened.
"""

from __future__ import annotations

import logging
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QWidget

from models.changes import REMINDERS
from models.enums import Channel
from models.mail import fits_in_link, mailto_url
from ui.app import RapportApp
from ui.ops import run_op

log = logging.getLogger(__name__)
# The palette's muted text, which ui/theme.py keeps at 4.5:1 in light and dark.
MUTED = "color: palette(placeholder-text);"


def client_email(rapport: RapportApp, client_id: int) -> str:
    """The client's first email address, or "" (the mail program then asks)."""
    from models.services.clients import get_client

    if rapport.book is None:
        return ""
    emails = get_client(rapport.book, client_id).emails
    return emails[0].value if emails else ""


def open_mail(to: str, subject: str, body: str) -> bool:
    url = mailto_url(to, subject, body)
    if not fits_in_link(url):
        url = mailto_url(to, subject, "")
    return QDesktopServices.openUrl(QUrl(url))


def email_file(path: Path, to: str, subject: str) -> str:
    """Start an email with ``path`` attached (xdg-email), or show the file in its
    folder so it can be dragged into one. Returns what happened, in words."""
    tool = shutil.which("xdg-email")
    if tool:
        cmd = [tool, "--subject", subject, "--attach", str(path)]
        if to:
            cmd.append(to)
        try:
            # xdg-email returns once the mail program has the message.
            done = subprocess.run(cmd, capture_output=True, timeout=30, check=False)
        except (OSError, subprocess.TimeoutExpired) as exc:
            log.info("xdg-email failed: %s", exc)
        else:
            if done.returncode == 0:
                return "The email is ready in your mail program, with the PDF attached."
            log.info("xdg-email exited %s: %s", done.returncode, done.stderr[-300:])
    QDesktopServices.openUrl(QUrl.fromLocalFile(str(path.parent)))
    return f"Your mail program could not be started here; {path.name} is shown in its folder."


class MailHandoff(QWidget):
    """ "Open in mail app", then "Log as sent": for a drafted message to a client."""

    def __init__(
        self,
        rapport: RapportApp,
        client_id: Callable[[], int],
        subject: Callable[[], str],
        body: Callable[[], str],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.rapport = rapport
        self._client_id, self._subject, self._body = client_id, subject, body
        self.open_button = QPushButton("Open in &mail app")
        self.open_button.setToolTip("Start an email to the client with this text.")
        self.open_button.clicked.connect(self.open_in_mail)
        self.log_button = QPushButton("Log as sent")
        self.log_button.setToolTip("Add this email to the client's touches.")
        self.log_button.clicked.connect(self.log_sent)
        self.log_button.hide()
        self.note = QLabel()
        self.note.setStyleSheet(MUTED)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.open_button)
        row.addWidget(self.log_button)
        row.addWidget(self.note, 1)
        self.last_url = ""
        self.opener: Callable[[str, str, str], bool] = open_mail

    def focus_widgets(self) -> list[QWidget]:
        return [self.open_button, self.log_button]

    def open_in_mail(self) -> bool:
        body = self._body().strip()
        if not body:
            self.note.setText("There is nothing to send yet.")
            return False
        to = client_email(self.rapport, self._client_id())
        self.last_url = mailto_url(to, self._subject(), body)
        if not self.opener(to, self._subject(), body):
            self.note.setText("No mail program answered. Copy the text instead.")
            return False
        self.note.setText("Sent it? Log it with one click." if to else "Add the address there.")
        self.log_button.show()
        return True

    def log_sent(self) -> bool:
        from models.services.reminders import TouchInput, log_touch

        book = self.rapport.book
        if book is None:
            return False
        cid, subject, now = self._client_id(), self._subject(), self.rapport.now()
        ok = run_op(
            self.rapport,
            lambda: log_touch(book, cid, TouchInput(now, Channel.EMAIL, f"Sent: {subject}")),
            changes=REMINDERS,
            initiator=self,
            explain=self.note.setText,
            failed="The touch could not be logged. Please try again.",
        )
        if ok:
            self.note.setText("Logged as a touch.")
            self.log_button.hide()
        return ok
