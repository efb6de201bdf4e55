"""The right-hand pane: everything about the selected client, read-only.

Client data is shown as rich text, so every value goes through html.escape: a note
that says "<b>" must read "<b>", and a crafted value must never become a link.
"""

from __future__ import annotations

import html
from datetime import datetime
from urllib.parse import quote

from PySide6.QtCore import QDateTime, QLocale, Qt, Signal
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QStackedWidget,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from models.services.clients import ClientDetail, Contact
from models.text import digits_only
from ui.client_table import status_text

HINT = "Select a client to see their details."

CHIP_STYLE = "background-color:#e3eeee; color:#1f4f4e;"
STATUS_STYLE = {
    "active": "background-color:#dcefdc; color:#1e5b1e;",
    "paused": "background-color:#f6ecd2; color:#6b5310;",
    "former": "background-color:#e6e6e6; color:#444444;",
}
MUTED = "color:#6b6b6b;"


def local_time(moment: datetime) -> str:
    """A stored UTC moment as the user's wall clock reads it."""
    qdt = QDateTime.fromSecsSinceEpoch(int(moment.timestamp())).toLocalTime()
    return QLocale().toString(qdt, "d MMM yyyy, HH:mm")


def _e(text: str) -> str:
    return html.escape(text, quote=True)


def _chip(text: str, style: str = CHIP_STYLE) -> str:
    return f'<span style="{style}">&nbsp;{_e(text)}&nbsp;</span>'


def _contact_rows(contacts: list[Contact], scheme: str) -> str:
    rows = []
    for c in contacts:
        if scheme == "mailto":
            target = "mailto:" + quote(c.value, safe="@+.-_")
        else:
            plus = "+" if c.value.strip().startswith("+") else ""
            target = "tel:" + plus + digits_only(c.value)
        label = _e(c.label[:1].upper() + c.label[1:]) if c.label else "&nbsp;"
        rows.append(
            f'<tr><td style="{MUTED} padding-right:12px;">{label}</td>'
            f'<td><a href="{_e(target)}">{_e(c.value)}</a></td></tr>'
        )
    return '<table cellspacing="0" cellpadding="2">' + "".join(rows) + "</table>"


def _section(title: str, body: str) -> str:
    return (
        f'<p style="margin-top:14px; margin-bottom:2px; {MUTED} font-size:small;">'
        f"{_e(title.upper())}</p>{body}"
    )


def detail_html(d: ClientDetail) -> str:
    """The pane's content for one client; pure so it can be tested without a window."""
    parts = [f'<p style="font-size:x-large; font-weight:600; margin-bottom:2px;">{_e(d.name)}</p>']
    who = " · ".join(_e(x) for x in (d.role, d.organisation) if x)
    if who:
        parts.append(f'<p style="margin-top:0px; font-size:medium;">{who}</p>')
    badges = [_chip(status_text(d.status), STATUS_STYLE.get(str(d.status), CHIP_STYLE))]
    if d.archived_at is not None:
        badges.append(_chip("Archived", STATUS_STYLE["former"]))
    parts.append("<p>" + " ".join(badges) + "</p>")
    if d.emails:
        parts.append(_section("Email", _contact_rows(d.emails, "mailto")))
    if d.phones:
        parts.append(_section("Phone", _contact_rows(d.phones, "tel")))
    if d.tags:
        parts.append(_section("Tags", "<p>" + " ".join(_chip(t) for t in d.tags) + "</p>"))
    if d.notes.strip():
        parts.append(
            _section("Notes", f'<p style="white-space:pre-wrap;">{_e(d.notes.strip())}</p>')
        )
    stamps = f"Added {local_time(d.created_at)}"
    if d.updated_at and abs((d.updated_at - d.created_at).total_seconds()) >= 1:
        stamps += f" · Updated {local_time(d.updated_at)}"
    if d.archived_at is not None:
        stamps += f" · Archived {local_time(d.archived_at)}"
    parts.append(f'<p style="margin-top:18px; {MUTED} font-size:small;">{stamps}</p>')
    return "".join(parts)


class ClientDetailPane(QWidget):
    edit_requested = Signal()
    archive_requested = Signal()
    unarchive_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.client: ClientDetail | None = None

        self.hint = QLabel(HINT)
        self.hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.hint.setWordWrap(True)
        self.hint.setStyleSheet(MUTED)

        self.browser = QTextBrowser()
        self.browser.setOpenExternalLinks(True)
        self.browser.setFrameShape(QFrame.Shape.NoFrame)
        self.browser.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextBrowserInteraction
            | Qt.TextInteractionFlag.TextSelectableByKeyboard
        )
        self.browser.document().setDocumentMargin(12)

        self.edit_button = QPushButton("Edit…")
        self.archive_button = QPushButton("Archive")
        self.edit_button.clicked.connect(self.edit_requested)
        self.archive_button.clicked.connect(self._on_archive_clicked)
        buttons = QHBoxLayout()
        buttons.setContentsMargins(12, 6, 12, 12)
        buttons.addWidget(self.edit_button)
        buttons.addWidget(self.archive_button)
        buttons.addStretch(1)

        page = QWidget()
        page_layout = QVBoxLayout(page)
        page_layout.setContentsMargins(0, 0, 0, 0)
        page_layout.setSpacing(0)
        page_layout.addWidget(self.browser, 1)
        page_layout.addLayout(buttons)

        self.stack = QStackedWidget()
        self.stack.addWidget(self.hint)
        self.stack.addWidget(page)
        self.detail_page = page
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.stack)
        self.show_client(None)

    def set_hint(self, text: str) -> None:
        """What the empty pane says: pick a client, or why there is none to pick."""
        self.hint.setText(text)

    def show_client(self, detail: ClientDetail | None) -> None:
        self.client = detail
        if detail is None:
            self.browser.clear()
            self.stack.setCurrentWidget(self.hint)
            return
        self.browser.setHtml(detail_html(detail))
        self.archive_button.setText("Unarchive" if detail.archived_at else "Archive")
        self.stack.setCurrentWidget(self.detail_page)

    def _on_archive_clicked(self) -> None:
        if self.client is not None and self.client.archived_at is not None:
            self.unarchive_requested.emit()
        else:
            self.archive_requested.emit()
