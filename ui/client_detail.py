"""The right-hand pane: everything about the selected client, read-only.

Client data is shown as rich text, so every value goes through html.escape: a note
that says "<b>" must read "<b>", and a crafted value must never become a link.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from datetime import date, datetime
from typing import TYPE_CHECKING
from urllib.parse import quote

from PySide6.QtCore import QDateTime, QLocale, Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices
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

from models.incidents import PRIORITY_OPEN_ENDED
from models.reminders import cadence_label, under_priority
from models.text import digits_only
from ui.client_table import status_text
from ui.incident_words import (
    BAND_COLOUR,
    BAND_TEXT,
    factor_text,
    is_active,
    promise_short,
    severity_text,
    status_label,
    trend_text,
)
from ui.wording import channel_text, due_phrase, short_date, when_text

if TYPE_CHECKING:
    from models.services.agreements import AgreementRow
    from models.services.clients import ClientDetail, Contact
    from models.services.incidents import ClientHealth, IncidentRow
    from models.services.reminders import FollowUpRow, TouchRow

HINT = "Select a client to see their details."

CHIP_STYLE = "background-color:#e3eeee; color:#1f4f4e;"
STATUS_STYLE = {
    "active": "background-color:#dcefdc; color:#1e5b1e;",
    "paused": "background-color:#f6ecd2; color:#6b5310;",
    "former": "background-color:#e6e6e6; color:#444444;",
}
MUTED = "color:#6b6b6b;"
LATE = "color:#b3261e;"
PRIORITY_STYLE = "background-color:#fbe3d6; color:#8a2c0d;"
SUMMARY_CHARS = 140
INCIDENT_SCHEME = "incident"  # links in the pane that open an incident window
AGREEMENT_SCHEME = "agreement"  # links that open an agreement window
AGREEMENT_STATUS = {"draft": "Draft", "final": "Final", "superseded": "Superseded"}


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


def _one_line(text: str, limit: int = SUMMARY_CHARS) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def keep_in_touch_html(
    d: ClientDetail,
    today: date,
    touches: Sequence[TouchRow] = (),
    follow_ups: Sequence[FollowUpRow] = (),
) -> str:
    """Rhythm, last and next touch, open follow-ups and the latest touches."""
    rhythm = _e(cadence_label(d.cadence_days))
    last = (
        f"last touch {_e(short_date(d.last_touch_on, today))}"
        if d.last_touch_on is not None
        else "no touch logged yet"
    )
    lines = [f"{rhythm} · {last}"]
    if d.touch_due_on is not None:
        phrase = due_phrase(d.touch_due_on, today)
        style = LATE if d.touch_due_on < today else ""
        lines.append(
            f'Next: {_e(short_date(d.touch_due_on, today))} · <span style="{style}">'
            f"{_e(phrase)}</span>"
        )
    elif d.cadence_days is not None:
        why = "archived" if d.archived_at is not None else status_text(d.status).lower()
        lines.append(f'<span style="{MUTED}">No reminders while {_e(why)}.</span>')
    body = "<p>" + "<br>".join(lines) + "</p>"
    if under_priority(d.priority_until, today) and d.priority_until is not None:
        if d.priority_until == PRIORITY_OPEN_ENDED:
            chip = "Priority while a serious incident is open"
        else:
            chip = f"Priority until {short_date(d.priority_until, today)}"
        body += "<p>" + _chip(chip, PRIORITY_STYLE) + "</p>"
    parts = [_section("Keep in touch", body)]
    if follow_ups:
        rows = []
        for fu in follow_ups:
            style = LATE if fu.due_on < today else MUTED
            rows.append(
                f'<tr><td style="padding-right:12px;">{_e(fu.title)}</td>'
                f'<td style="{style}">{_e(when_text(fu.due_on, today))}</td></tr>'
            )
        parts.append(
            _section(
                "Follow-ups",
                '<table cellspacing="0" cellpadding="2">' + "".join(rows) + "</table>",
            )
        )
    if touches:
        rows = []
        for t in touches:
            summary = _e(_one_line(t.summary)) if t.summary.strip() else "&nbsp;"
            rows.append(
                f'<tr><td style="{MUTED} padding-right:10px; white-space:nowrap;">'
                f"{_e(short_date(local_day(t.happened_at), today))}</td>"
                f'<td style="{MUTED} padding-right:10px;">{_e(channel_text(t.channel))}</td>'
                f"<td>{summary}</td></tr>"
            )
        parts.append(
            _section(
                "Latest touches",
                '<table cellspacing="0" cellpadding="2">' + "".join(rows) + "</table>",
            )
        )
    return "".join(parts)


def health_html(h: ClientHealth) -> str:
    """Score, band and trend, then each reason the score is below 100."""
    now = h.now
    colour = BAND_COLOUR[now.band]
    head = (
        f'<p><span style="color:{colour}; font-size:large;">&#9679;</span>&nbsp;'
        f'<span style="font-size:large; font-weight:600;">{now.score}</span>&nbsp; '
        f'<span style="color:{colour};">{_e(BAND_TEXT[now.band])}</span>'
        f' &nbsp;<span style="{MUTED}">{_e(trend_text(h.trend))}</span></p>'
    )
    if now.factors:
        lines = "<br>".join(_e(factor_text(f)) for f in now.factors)
        body = f"<p>{lines}</p>"
    else:
        body = f'<p style="{MUTED}">Nothing is pulling the score down.</p>'
    return _section("Health", head + body)


def incidents_html(incidents: Sequence[IncidentRow], today: date, now: datetime) -> str:
    """The client's incidents, open ones first, each a link to its window."""
    ordered = sorted(incidents, key=lambda r: (not is_active(r), -r.opened_at.timestamp()))
    rows = []
    for r in ordered:
        promise, broken = promise_short(r, now)
        style = LATE if broken else MUTED
        state = _e(status_label(r.status))
        if not is_active(r):
            state = f'<span style="{MUTED}">{state}</span>'
        rows.append(
            f'<tr><td style="padding-right:10px;"><a href="{INCIDENT_SCHEME}:{r.id}">'
            f"{_e(_one_line(r.title, 60))}</a></td>"
            f'<td style="{MUTED} padding-right:10px;">{_e(severity_text(r.severity))}</td>'
            f'<td style="padding-right:10px;">{state}</td>'
            f'<td style="{style}">{_e(promise)}</td></tr>'
        )
    return _section(
        "Incidents", '<table cellspacing="0" cellpadding="2">' + "".join(rows) + "</table>"
    )


def agreements_html(agreements: Sequence[AgreementRow]) -> str:
    """The client's agreements, newest first, each a link to its window."""
    rows = []
    for a in agreements:
        status = _e(AGREEMENT_STATUS.get(str(a.status), str(a.status)))
        if str(a.status) != "final":
            status = f'<span style="{MUTED}">{status}</span>'
        rows.append(
            f'<tr><td style="{MUTED} padding-right:10px;">{_e(a.display_number)}</td>'
            f'<td style="padding-right:10px;"><a href="{AGREEMENT_SCHEME}:{a.id}">'
            f"{_e(_one_line(a.title, 60))}</a></td>"
            f'<td style="padding-right:10px;">{status}</td>'
            f'<td style="{MUTED}">{_e(short_date(a.dated))}</td></tr>'
        )
    return _section(
        "Agreements", '<table cellspacing="0" cellpadding="2">' + "".join(rows) + "</table>"
    )


def local_day(moment: datetime) -> date:
    return moment.astimezone().date()


def detail_html(
    d: ClientDetail,
    *,
    today: date | None = None,
    touches: Sequence[TouchRow] = (),
    follow_ups: Sequence[FollowUpRow] = (),
    health: ClientHealth | None = None,
    incidents: Sequence[IncidentRow] = (),
    now: datetime | None = None,
    agreements: Sequence[AgreementRow] = (),
) -> str:
    """The pane's content for one client; pure so it can be tested without a window.

    The keep-in-touch part needs ``today`` (the app's clock, so tests can fix it);
    without it only the client's own details are shown.
    """
    parts = [f'<p style="font-size:x-large; font-weight:600; margin-bottom:2px;">{_e(d.name)}</p>']
    who = " · ".join(_e(x) for x in (d.role, d.organisation) if x)
    if who:
        parts.append(f'<p style="margin-top:0px; font-size:medium;">{who}</p>')
    badges = [_chip(status_text(d.status), STATUS_STYLE.get(str(d.status), CHIP_STYLE))]
    if d.archived_at is not None:
        badges.append(_chip("Archived", STATUS_STYLE["former"]))
    parts.append("<p>" + " ".join(badges) + "</p>")
    if health is not None:
        parts.append(health_html(health))
    if d.emails:
        parts.append(_section("Email", _contact_rows(d.emails, "mailto")))
    if d.phones:
        parts.append(_section("Phone", _contact_rows(d.phones, "tel")))
    if today is not None:
        parts.append(keep_in_touch_html(d, today, touches, follow_ups))
    if incidents and today is not None and now is not None:
        parts.append(incidents_html(incidents, today, now))
    if agreements:
        parts.append(agreements_html(agreements))
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
    log_touch_requested = Signal()
    edit_requested = Signal()
    archive_requested = Signal()
    unarchive_requested = Signal()
    report_incident_requested = Signal()
    start_repair_requested = Signal()
    open_incident_requested = Signal(int)
    new_agreement_requested = Signal()
    open_agreement_requested = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.client: ClientDetail | None = None

        self.hint = QLabel(HINT)
        self.hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.hint.setWordWrap(True)
        self.hint.setStyleSheet(MUTED)

        self.browser = QTextBrowser()
        # Links are handled here: mail and phone go to the desktop, incidents to us.
        self.browser.setOpenExternalLinks(False)
        self.browser.setOpenLinks(False)
        self.browser.anchorClicked.connect(self._on_link)
        self.browser.setFrameShape(QFrame.Shape.NoFrame)
        self.browser.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextBrowserInteraction
            | Qt.TextInteractionFlag.TextSelectableByKeyboard
        )
        self.browser.document().setDocumentMargin(12)

        self.log_touch_button = QPushButton("Log a touch…")
        self.log_touch_button.setToolTip("Note a call, email or meeting (Ctrl+L)")
        self.edit_button = QPushButton("Edit…")
        self.archive_button = QPushButton("Archive")
        self.incident_button = QPushButton("Report an incident…")
        self.incident_button.setToolTip("Write down what went wrong (Ctrl+I)")
        self.incident_button.clicked.connect(self.report_incident_requested)
        self.repair_button = QPushButton("Start a repair…")
        self.repair_button.setToolTip(
            "Record what went wrong, then walk through putting it right (Ctrl+Shift+R)"
        )
        self.repair_button.clicked.connect(self.start_repair_requested)
        self.agreement_button = QPushButton("New agreement…")
        self.agreement_button.setToolTip("Write down what you agreed (Ctrl+Shift+A)")
        self.agreement_button.clicked.connect(self.new_agreement_requested)
        self.log_touch_button.clicked.connect(self.log_touch_requested)
        self.edit_button.clicked.connect(self.edit_requested)
        self.archive_button.clicked.connect(self._on_archive_clicked)
        # Rows of two or three: the pane is narrow, and more in one row get clipped.
        row = QHBoxLayout()
        row.addWidget(self.log_touch_button)
        row.addWidget(self.edit_button)
        row.addWidget(self.archive_button)
        row.addStretch(1)
        second = QHBoxLayout()
        second.addWidget(self.incident_button)
        second.addWidget(self.repair_button)
        second.addStretch(1)
        third = QHBoxLayout()
        third.addWidget(self.agreement_button)
        third.addStretch(1)
        buttons = QVBoxLayout()
        buttons.setContentsMargins(12, 6, 12, 12)
        buttons.setSpacing(6)
        buttons.addLayout(row)
        buttons.addLayout(second)
        buttons.addLayout(third)

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

    def show_client(
        self,
        detail: ClientDetail | None,
        *,
        today: date | None = None,
        touches: Sequence[TouchRow] = (),
        follow_ups: Sequence[FollowUpRow] = (),
        health: ClientHealth | None = None,
        incidents: Sequence[IncidentRow] = (),
        now: datetime | None = None,
        agreements: Sequence[AgreementRow] = (),
    ) -> None:
        self.client = detail
        if detail is None:
            self.browser.clear()
            self.stack.setCurrentWidget(self.hint)
            return
        # Keep the reader's place when the same client is shown again after a change.
        same = self.browser.property("client_id") == detail.id
        scroll = self.browser.verticalScrollBar().value() if same else 0
        self.browser.setHtml(
            detail_html(
                detail,
                today=today,
                touches=touches,
                follow_ups=follow_ups,
                health=health,
                incidents=incidents,
                now=now,
                agreements=agreements,
            )
        )
        self.browser.setProperty("client_id", detail.id)
        self.browser.verticalScrollBar().setValue(scroll)
        self.archive_button.setText("Unarchive" if detail.archived_at else "Archive")
        self.log_touch_button.setEnabled(detail.archived_at is None)
        self.incident_button.setEnabled(detail.archived_at is None)
        self.repair_button.setEnabled(detail.archived_at is None)
        self.agreement_button.setEnabled(detail.archived_at is None)
        self.stack.setCurrentWidget(self.detail_page)

    def _on_link(self, url: QUrl) -> None:
        if url.scheme() == AGREEMENT_SCHEME:
            try:
                self.open_agreement_requested.emit(int(url.path()))
            except ValueError:
                return
        elif url.scheme() == INCIDENT_SCHEME:
            try:
                self.open_incident_requested.emit(int(url.path()))
            except ValueError:
                return
        else:
            QDesktopServices.openUrl(url)

    def _on_archive_clicked(self) -> None:
        if self.client is not None and self.client.archived_at is not None:
            self.unarchive_requested.emit()
        else:
            self.archive_requested.emit()
