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

from PySide6.QtCore import QEvent, Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices, QPalette, QResizeEvent, QTextOption
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

from models.date_style import format_datetime
from models.incidents import PRIORITY_OPEN_ENDED
from models.reminders import cadence_label, under_priority
from models.text import digits_only
from ui.client_table import status_text
from ui.detail_text import DEFAULT_LIMIT, joined, lines, whole, words
from ui.incident_words import (
    BAND_TEXT,
    factor_text,
    is_active,
    promise_short,
    severity_text,
    status_label,
    trend_text,
)
from ui.theme import css, tone
from ui.wording import channel_text, due_phrase, short_date, when_text

if TYPE_CHECKING:
    from models.services.agreements import AgreementRow
    from models.services.clients import ClientDetail, Contact
    from models.services.health import ClientHealth
    from models.services.incidents import IncidentRow
    from models.services.reminders import FollowUpRow, TouchRow

HINT = "Select a client to see their details."

# The pane's colours come from the scheme in force (ui/theme.py): use_palette sets
# them before each render, so light chips never sit on a dark pane.
CHIP_STYLE = MUTED = LATE = PRIORITY_STYLE = ""
STATUS_STYLE: dict[str, str] = {}


def use_palette(palette: QPalette | None = None) -> None:
    """Take the colours of ``palette`` (the application's by default), each pair
    at 4.5:1 or better (tests/test_theme.py)."""
    global CHIP_STYLE, MUTED, LATE, PRIORITY_STYLE
    CHIP_STYLE = css("calm_fg", "calm_bg", palette)
    MUTED = css("muted", None, palette)
    LATE = css("late", None, palette)
    PRIORITY_STYLE = css("warn_fg", "warn_bg", palette)
    STATUS_STYLE.update(
        active=css("active_fg", "active_bg", palette),
        paused=css("paused_fg", "paused_bg", palette),
        former=css("quiet_fg", "quiet_bg", palette),
    )


SUMMARY_CHARS = 140
INCIDENT_SCHEME = "incident"  # links in the pane that open an incident window
AGREEMENT_SCHEME = "agreement"  # links that open an agreement window
AGREEMENT_STATUS = {"draft": "Draft", "final": "Final", "superseded": "Superseded"}


def local_time(moment: datetime) -> str:
    """A stored UTC moment as the user's wall clock reads it, in the date style."""
    return format_datetime(moment.astimezone())


def _e(text: str) -> str:
    return html.escape(text, quote=True)


def _chip(text: str, style: str | None = None) -> str:
    style = CHIP_STYLE if style is None else style
    return f'<span style="{style}">&nbsp;{_e(text)}&nbsp;</span>'


def _contact_rows(contacts: list[Contact], scheme: str, limit: int = DEFAULT_LIMIT) -> str:
    """One line per address: its label, then the address kept whole (an email is
    never split at its hyphen; a long one is shortened, in full in its tooltip)."""
    rows = []
    for c in contacts:
        if scheme == "mailto":
            target = "mailto:" + quote(c.value, safe="@+.-_")
        else:
            plus = "+" if c.value.strip().startswith("+") else ""
            target = "tel:" + plus + digits_only(c.value)
        label = (c.label[:1].upper() + c.label[1:])[:12] if c.label else ""
        room = limit - (len(label) + 1 if label else 0)
        shown = whole(label, 12, MUTED) + " " if label else ""
        rows.append(
            f'<p style="margin-top:0px; margin-bottom:2px;">{shown}'
            f'<a href="{_e(target)}">{whole(c.value, room)}</a></p>'
        )
    return "".join(rows)


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
    limit: int = DEFAULT_LIMIT,
) -> str:
    """Rhythm, last and next touch, open follow-ups and the latest touches."""
    rhythm = whole(cadence_label(d.cadence_days), limit)
    last = (
        f"last touch {whole(short_date(d.last_touch_on, today), limit)}"
        if d.last_touch_on is not None
        else "no touch logged yet"
    )
    lines = [f"{rhythm} · {last}"]
    if d.touch_due_on is not None:
        phrase = due_phrase(d.touch_due_on, today)
        style = LATE if d.touch_due_on < today else ""
        lines.append(
            f"Next: {whole(short_date(d.touch_due_on, today), limit)} · "
            f"{whole(phrase, limit, style)}"
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
                f'<p style="margin-top:0px; margin-bottom:6px;">{words(fu.title, limit)}<br>'
                f"{whole(when_text(fu.due_on, today), limit, style)}</p>"
            )
        parts.append(_section("Follow-ups", "".join(rows)))
    if touches:
        rows = []
        for t in touches:
            when = whole(short_date(local_day(t.happened_at), today), limit, MUTED)
            how = whole(channel_text(t.channel), limit, MUTED)
            summary = words(_one_line(t.summary), limit) if t.summary.strip() else ""
            rows.append(
                f'<p style="margin-top:0px; margin-bottom:6px;">{when} · {how}'
                + (f"<br>{summary}" if summary else "")
                + "</p>"
            )
        parts.append(_section("Latest touches", "".join(rows)))
    return "".join(parts)


def health_html(h: ClientHealth) -> str:
    """Score, band and trend, then each reason the score is below 100."""
    now = h.now
    colour = tone(f"band_{now.band.value}")
    head = (
        f'<p><span style="color:{colour}; font-size:large;">&#9679;</span>&nbsp;'
        f'<span style="font-size:large; font-weight:600;">{now.score}</span>&nbsp; '
        f'<span style="color:{colour};">{_e(BAND_TEXT[now.band])}</span>'
        f' &nbsp;<span style="{MUTED}">{_e(trend_text(h.trend))}</span></p>'
    )
    if now.factors:
        reasons = "<br>".join(_e(factor_text(f)) for f in now.factors)
        body = f"<p>{reasons}</p>"
    else:
        body = f'<p style="{MUTED}">Nothing is pulling the score down.</p>'
    return _section("Health", head + body)


def incidents_html(
    incidents: Sequence[IncidentRow], today: date, now: datetime, limit: int = DEFAULT_LIMIT
) -> str:
    """The client's incidents, open ones first: each a link to its window on one
    line, its severity, state and promise beneath."""
    ordered = sorted(incidents, key=lambda r: (not is_active(r), -r.opened_at.timestamp()))
    rows = []
    for r in ordered:
        promise, broken = promise_short(r, now)
        state = whole(status_label(r.status), limit, "" if is_active(r) else MUTED)
        beneath = joined(
            whole(severity_text(r.severity), limit, MUTED),
            state,
            whole(promise, limit, LATE if broken else MUTED) if promise else "",
        )
        rows.append(
            f'<p style="margin-top:0px; margin-bottom:6px;">'
            f'<a href="{INCIDENT_SCHEME}:{r.id}">{words(_one_line(r.title, limit), limit)}</a>'
            f"<br>{beneath}</p>"
        )
    return _section("Incidents", "".join(rows))


def agreements_html(agreements: Sequence[AgreementRow], limit: int = DEFAULT_LIMIT) -> str:
    """The client's agreements, newest first: each a link to its window on one
    line, its number, state and date beneath."""
    rows = []
    for a in agreements:
        status = AGREEMENT_STATUS.get(str(a.status), str(a.status))
        beneath = joined(
            whole(a.display_number, limit, MUTED),
            whole(status, limit, "" if str(a.status) == "final" else MUTED),
            whole(short_date(a.dated), limit, MUTED),
        )
        rows.append(
            f'<p style="margin-top:0px; margin-bottom:6px;">'
            f'<a href="{AGREEMENT_SCHEME}:{a.id}">{words(_one_line(a.title, limit), limit)}</a>'
            f"<br>{beneath}</p>"
        )
    return _section("Agreements", "".join(rows))


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
    limit: int = DEFAULT_LIMIT,
) -> str:
    """The pane's content for one client; pure so it can be tested without a window.

    The keep-in-touch part needs ``today`` (the app's clock, so tests can fix it);
    without it only the client's own details are shown. ``limit`` is how many
    characters of ordinary text a line of the pane holds: nothing is broken inside
    a word, and a word longer than that is shortened (ui/detail_text.py).
    """
    use_palette()
    parts = [
        '<p style="font-size:x-large; font-weight:600; margin-bottom:2px;">'
        f"{words(d.name, limit * 2 // 3)}</p>"
    ]
    who = " · ".join(words(x, limit) for x in (d.role, d.organisation) if x)
    if who:
        parts.append(f'<p style="margin-top:0px; font-size:medium;">{who}</p>')
    badges = [whole(status_text(d.status), limit, STATUS_STYLE.get(str(d.status), CHIP_STYLE))]
    if d.archived_at is not None:
        badges.append(whole("Archived", limit, STATUS_STYLE["former"]))
    parts.append("<p>" + " ".join(badges) + "</p>")
    if health is not None:
        parts.append(health_html(health))
    if d.emails:
        parts.append(_section("Email", _contact_rows(d.emails, "mailto", limit)))
    if d.phones:
        parts.append(_section("Phone", _contact_rows(d.phones, "tel", limit)))
    if today is not None:
        parts.append(keep_in_touch_html(d, today, touches, follow_ups, limit))
    if incidents and today is not None and now is not None:
        parts.append(incidents_html(incidents, today, now, limit))
    if agreements:
        parts.append(agreements_html(agreements, limit))
    if d.tags:
        chips = " ".join(whole(t, limit, CHIP_STYLE) for t in d.tags)
        parts.append(_section("Tags", f"<p>{chips}</p>"))
    if d.notes.strip():
        parts.append(_section("Notes", f"<p>{lines(d.notes.strip(), limit)}</p>"))
    stamps = [f"Added {local_time(d.created_at)}"]
    if d.updated_at and abs((d.updated_at - d.created_at).total_seconds()) >= 1:
        stamps.append(f"Updated {local_time(d.updated_at)}")
    if d.archived_at is not None:
        stamps.append(f"Archived {local_time(d.archived_at)}")
    stamped = joined(*(whole(x, limit) for x in stamps))
    parts.append(f'<p style="margin-top:18px; {MUTED} font-size:small;">{stamped}</p>')
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
        self.hint.setStyleSheet("color: palette(placeholder-text);")

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
        # Lines break between words only; what cannot fit is shortened (detail_html's
        # ``limit``), so the pane never needs a horizontal scroll bar.
        self.browser.setWordWrapMode(QTextOption.WrapMode.WordWrap)
        self.browser.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self._shown: dict[str, object] = {}
        self._limit = DEFAULT_LIMIT

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
        # Rows of two: the pane is narrow (at 1.5x a row of three was cut to
        # "og a touch.."), and the window keeps it no narrower than the widest row.
        buttons = QVBoxLayout()
        buttons.setContentsMargins(12, 6, 12, 12)
        buttons.setSpacing(6)
        for pair in (
            (self.log_touch_button, self.edit_button),
            (self.incident_button, self.repair_button),
            (self.agreement_button, self.archive_button),
        ):
            row = QHBoxLayout()
            for button in pair:
                row.addWidget(button)
            row.addStretch(1)
            buttons.addLayout(row)

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
        self._shown = {
            "today": today,
            "touches": touches,
            "follow_ups": follow_ups,
            "health": health,
            "incidents": incidents,
            "now": now,
            "agreements": agreements,
        }
        self._limit = self.line_limit()
        self.browser.setHtml(detail_html(detail, limit=self._limit, **self._shown))  # type: ignore[arg-type]
        self.browser.setProperty("client_id", detail.id)
        self.browser.verticalScrollBar().setValue(scroll)
        self.archive_button.setText("Unarchive" if detail.archived_at else "Archive")
        self.log_touch_button.setEnabled(detail.archived_at is None)
        self.incident_button.setEnabled(detail.archived_at is None)
        self.repair_button.setEnabled(detail.archived_at is None)
        self.agreement_button.setEnabled(detail.archived_at is None)
        self.stack.setCurrentWidget(self.detail_page)

    def line_limit(self) -> int:
        """How many characters of ordinary text one line of the pane holds (a
        little less, as wide letters are wider than the average)."""
        margin = 2 * int(self.browser.document().documentMargin()) + 4
        width = self.browser.viewport().width() - margin
        average = max(1, self.browser.fontMetrics().averageCharWidth())
        return max(8, int(width / average * 0.8))

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt API
        super().resizeEvent(event)
        # A narrower pane shortens long words sooner; write the same client again.
        if self.client is not None and self.line_limit() != self._limit:
            scroll = self.browser.verticalScrollBar().value()
            self._limit = self.line_limit()
            self.browser.setHtml(detail_html(self.client, limit=self._limit, **self._shown))  # type: ignore[arg-type]
            self.browser.verticalScrollBar().setValue(scroll)

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt API
        """The system switched between light and dark: write the client again in
        the new scheme's colours."""
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange and self.client is not None:
            scroll = self.browser.verticalScrollBar().value()
            self.browser.setHtml(detail_html(self.client, limit=self._limit, **self._shown))  # type: ignore[arg-type]
            self.browser.verticalScrollBar().setValue(scroll)

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
