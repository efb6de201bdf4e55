"""The tray icon: who is due at a glance, a nudge when someone becomes due, and the
way back to the window.

What is due is read again whenever the book changes, the date moves, the 15-minute
re-sync runs, or the menu is about to open, so the icon, tooltip and menu never
show a plan older than the last change. A notification is shown at most once per
item per day: what was announced is kept in the settings under today's date, so a
restart or a second re-sync the same day stays quiet.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Protocol

from PySide6.QtCore import QObject, QRect, QRectF, Qt
from PySide6.QtGui import QAction, QColor, QFont, QIcon, QPainter, QPen, QPixmap
from PySide6.QtWidgets import QMenu, QSystemTrayIcon

from models.changes import Changes
from models.reminders import DueCount, DueItem, DueKind, TodayHead, TodayPlan, head_of
from ui.app import APP_NAME, RapportApp
from ui.icons import app_icon
from ui.keys import menu_text
from ui.kit.subscribe import on_changes
from ui.today_model import TODAY_SHOWS
from ui.wording import name_list, unique_clients, when_text


class TrayWindow(Protocol):
    """What the tray asks of the main window (ui/main/): a protocol, so the tray
    and the window do not import each other."""

    def isVisible(self) -> bool: ...  # noqa: N802 - Qt API

    def isActiveWindow(self) -> bool: ...  # noqa: N802 - Qt API

    def bring_to_front(self) -> None: ...

    def show_today(self, focus: bool = True) -> None: ...

    def log_touch_dialog(self, client_id: int | None = None) -> object: ...

    def quit_app(self) -> None: ...


KEY_PAUSED_UNTIL = "tray/paused_until"
KEY_NOTIFIED_ON = "tray/notified_on"
KEY_NOTIFIED = "tray/notified"

MENU_ITEMS = 5
TOOLTIP_NAMES = 3
ICON_SIZES = (16, 22, 24, 32, 48, 64)
BADGE_COLOUR = "#d93a2b"
NOTIFY_MS = 10000


def badge_text(count: int) -> str:
    """The badge says the same number as the sidebar and the header, up to 99."""
    return str(count) if count < 100 else "99+"


def tray_icon(count: int) -> QIcon:
    """The app icon with a red count in the corner, or the plain (calm) icon at 0.

    Drawn at each tray size rather than scaled, so the number stays readable at 16 px.
    """
    base = app_icon()
    icon = QIcon()
    for size in ICON_SIZES:
        pm = QPixmap(size, size)
        pm.fill(Qt.GlobalColor.transparent)
        p = QPainter(pm)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.setRenderHint(QPainter.RenderHint.TextAntialiasing)
        base.paint(p, QRect(0, 0, size, size))
        if count > 0:
            text = badge_text(count)
            d = size * (0.66 if len(text) == 1 else 0.78 if len(text) == 2 else 0.9)
            badge = QRectF(size - d, size - d, d, d)
            p.setPen(QPen(QColor("white"), max(1.0, size / 22)))
            p.setBrush(QColor(BADGE_COLOUR))
            p.drawEllipse(badge.adjusted(0.5, 0.5, -0.5, -0.5))
            font = QFont()
            font.setBold(True)
            scale = {1: 0.66, 2: 0.5}.get(len(text), 0.36)
            font.setPixelSize(max(6, round(d * scale)))
            p.setFont(font)
            p.setPen(QColor("white"))
            p.drawText(badge, Qt.AlignmentFlag.AlignCenter, text)
        p.end()
        icon.addPixmap(pm)
    return icon


def item_key(item: DueItem) -> str:
    if item.kind is DueKind.FOLLOW_UP:
        return f"f{item.follow_up_id}"
    return f"k{item.client_id}"


def tooltip_text(
    head: TodayHead, today: date, *, clients: int | None = None, paused: bool = False
) -> str:
    """The headline count (the same words as Today's header), then who comes first,
    in Today's order, and how many other clients are waiting (``clients``: how many
    have something due, known once the whole plan is read, after the first paint)."""
    count = head.count
    if not count.total:
        text = f"{APP_NAME} — nothing to do today"
    else:
        names = [n for _i, n in unique_clients(head.due, limit=TOOLTIP_NAMES)]
        shown = ", ".join(names)
        if clients is not None and clients > TOOLTIP_NAMES:
            shown += f" and {clients - TOOLTIP_NAMES} more"
        text = f"{APP_NAME} — {count.headline()}. First: {shown}"
    if paused:
        text += " (reminders paused until tomorrow)"
    return text


def notification_text(items: list[DueItem], today: date) -> str:
    """One line for what just became due: the item itself when alone, else grouped."""
    clients = unique_clients(items)
    if len(items) == 1:
        item = items[0]
        when = when_text(item.due_on, today)
        when = "due today" if when == "today" else when
        if item.kind is DueKind.KEEP_IN_TOUCH:
            return f"Time to get in touch with {item.client_name} ({when})."
        return f"{item.client_name}: {item.title} ({when})."
    if len(clients) == 1:
        return f"{clients[0][1]} has {len(items)} things due today."
    names = [n for _i, n in clients]
    return f"{len(names)} clients are due today: {name_list(names)}."


class RapportTray(QObject):
    """The tray icon and its menu. ``available`` is False where the desktop has no
    tray (offscreen, some Wayland sessions); the app then lives in its window."""

    def __init__(self, rapport: RapportApp, window: TrayWindow) -> None:
        super().__init__(window)
        self.rapport = rapport
        self.window = window
        self.available = QSystemTrayIcon.isSystemTrayAvailable()
        self.plan = TodayPlan(due=[], upcoming=[])
        self.head = head_of(self.plan, rapport.today())
        self.count = DueCount(0, 0, 0)
        self.badge_count = 0
        self.last_message: tuple[str, str] | None = None
        self._icons: dict[int, QIcon] = {}

        self.icon = QSystemTrayIcon(self)
        self.menu = QMenu(window)
        self.menu.setTitle(APP_NAME)
        self.icon.setContextMenu(self.menu)
        self.menu.aboutToShow.connect(self.rebuild_menu)
        self.icon.activated.connect(self._on_activated)
        self.icon.messageClicked.connect(self.open_today)

        self.pause_action = QAction("&Pause reminders until tomorrow", self)
        self.pause_action.setCheckable(True)
        self.pause_action.setChecked(self.paused())
        self.pause_action.toggled.connect(self.set_paused)

        on_changes(self, rapport.changed, TODAY_SHOWS, self._on_changed)
        rapport.due_clock.resynced.connect(self.sync)
        self.icon.setIcon(self._icon(0))
        self.icon.setToolTip(APP_NAME)
        # The badge and tooltip now; the menu's actions once the window is painted
        # (ui/gui.py), or when the menu opens, which rebuilds it anyway.
        if rapport.book is not None:
            self.sync(notify=False, whole=False)
        if self.available:
            self.icon.show()

    # -- state ----------------------------------------------------------------

    def paused(self) -> bool:
        until = str(self.rapport.settings.value(KEY_PAUSED_UNTIL, "") or "")
        try:
            return bool(until) and self.rapport.today() < date.fromisoformat(until)
        except ValueError:
            return False

    def set_paused(self, on: bool) -> None:
        s = self.rapport.settings
        if on:
            s.setValue(KEY_PAUSED_UNTIL, (self.rapport.today() + timedelta(days=1)).isoformat())
        else:
            s.remove(KEY_PAUSED_UNTIL)
        s.sync()
        self.sync(notify=False)

    def _on_changed(self, _what: Changes, _initiator: object) -> None:
        self.sync()

    def _icon(self, count: int) -> QIcon:
        bucket = min(count, 100)
        if bucket not in self._icons:
            self._icons[bucket] = tray_icon(bucket)
        return self._icons[bucket]

    def sync(self, notify: bool = True, *, quietly: bool = False, whole: bool = True) -> None:
        """Read what is due now and show it: icon, tooltip, maybe a notification
        (``quietly`` marks what is due as announced without a popup, for a start-up
        where the window already shows it). ``whole=False`` reads only the counts and
        first rows, as the first window does: the tooltip names who comes first but
        not how many more, until the next sync (right after the first paint)."""
        self.head = self.rapport.today_head()
        clients: int | None = None
        if whole or notify:
            self.plan = self.rapport.today_plan()
            clients = len({i.client_id for i in self.plan.due})
        paused = self.paused()
        if self.pause_action.isChecked() != paused:
            self.pause_action.blockSignals(True)
            self.pause_action.setChecked(paused)
            self.pause_action.blockSignals(False)
        self.count = self.head.count
        self.badge_count = 0 if paused else self.count.total
        self.icon.setIcon(self._icon(self.badge_count))
        tip = tooltip_text(self.head, self.rapport.today(), clients=clients, paused=paused)
        self.icon.setToolTip(tip)
        if notify:
            self.notify_due(quietly=quietly)

    def tooltip(self) -> str:
        return self.icon.toolTip()

    # -- notifications ----------------------------------------------------------

    def notify_due(self, *, quietly: bool = False) -> str | None:
        """Announce the due items not yet announced today; returns what was said.

        Items are remembered as announced even when the window is in front (the
        user can see them) or reminders are paused, so they do not all pop up later.
        """
        self.plan = self.rapport.today_plan()  # every due item, not only the first rows
        s = self.rapport.settings
        today = self.rapport.today().isoformat()
        if str(s.value(KEY_NOTIFIED_ON, "") or "") != today:
            told: set[str] = set()
        else:
            told = set(str(s.value(KEY_NOTIFIED, "") or "").split())
        # Keys made inline: on a big book this runs over tens of thousands of items.
        keys = [
            f"k{i.client_id}" if i.follow_up_id is None else f"f{i.follow_up_id}"
            for i in self.plan.due
        ]
        new = [i for i, k in zip(self.plan.due, keys, strict=True) if k not in told]
        if not new:
            return None
        new_keys = [k for k in keys if k not in told]
        told.update(new_keys)
        s.setValue(KEY_NOTIFIED_ON, today)
        s.setValue(KEY_NOTIFIED, " ".join(sorted(told)))
        s.sync()
        if quietly or self.paused() or (self.window.isVisible() and self.window.isActiveWindow()):
            return None
        text = notification_text(new, self.rapport.today())
        self.show_message(APP_NAME, text)
        return text

    def show_message(self, title: str, text: str) -> None:
        self.last_message = (title, text)
        if self.available and self.icon.isVisible():
            self.icon.showMessage(title, text, self._icon(self.badge_count), NOTIFY_MS)

    # -- the menu ---------------------------------------------------------------

    def rebuild_menu(self, *, whole: bool = True) -> None:
        """Built fresh each time it opens, so it names who is due right now (from
        the counts and first rows only, when ``whole`` is False: at start-up)."""
        if self.rapport.book is not None:
            self.sync(notify=False, whole=whole)
        self.fill_menu()

    def fill_menu(self) -> None:
        """The menu's actions from what the last sync read (``rebuild_menu`` reads first)."""
        menu = self.menu
        menu.clear()
        menu.addAction("&Today…").triggered.connect(self.open_today)
        menu.addAction("&Log a touch…").triggered.connect(lambda _c=False: self.log_touch(None))
        today = self.rapport.today()
        if self.count.total:
            # Today's first rows, in Today's order, and how many more Today has.
            menu.addSeparator()
            # The count heads the list; it opens Today, so it is enabled and reads in
            # full contrast (a disabled heading was grey, 2.6:1, in the screenshots).
            header = menu.addAction(self.count.headline())
            font = header.font()
            font.setBold(True)
            header.setFont(font)
            header.setToolTip("Open Today")
            header.triggered.connect(self.open_today)
            for item in self.head.due[:MENU_ITEMS]:
                what = "" if item.kind is DueKind.KEEP_IN_TOUCH else f": {menu_text(item.title)}"
                text = f"{menu_text(item.client_name)}{what} — {when_text(item.due_on, today)}"
                action = menu.addAction(text)
                action.setToolTip(f"Log a touch with {item.client_name}")
                action.triggered.connect(lambda _c=False, cid=item.client_id: self.log_touch(cid))
            more = self.count.total - min(self.count.total, MENU_ITEMS)
            if more:
                menu.addAction(f"and {more} more…").triggered.connect(self.open_today)
        menu.addSeparator()
        menu.addAction(self.pause_action)
        menu.addSeparator()
        menu.addAction("&Open Rapport").triggered.connect(self.open_window)
        menu.addAction("&Quit").triggered.connect(self.window.quit_app)

    # -- doing ------------------------------------------------------------------

    def open_window(self) -> None:
        self.window.bring_to_front()

    def open_today(self) -> None:
        self.window.show_today()
        self.window.bring_to_front()

    def log_touch(self, client_id: int | None) -> None:
        self.window.log_touch_dialog(client_id)

    def _on_activated(self, reason: QSystemTrayIcon.ActivationReason) -> None:
        if reason in (
            QSystemTrayIcon.ActivationReason.Trigger,
            QSystemTrayIcon.ActivationReason.DoubleClick,
        ):
            self.open_today()

    def hide(self) -> None:
        self.icon.hide()
