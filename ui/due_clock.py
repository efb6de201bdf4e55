"""Tells the app when "today" has moved on, so Today, the tray and the detail pane
never show yesterday's plan.

Due dates are whole days, so the next moment anything can become due is always
the next local midnight: one single-shot timer armed for it is enough. Timers do
not survive everything, though: a laptop asleep over midnight, the clock set by
hand or by NTP, a time-zone trip. So every 15 minutes the clock compares how much
wall-clock time passed with how much monotonic time passed (the monotonic clock
stops while the machine sleeps); if they disagree by more than a minute, or the
date is no longer the one we armed for, it re-syncs at once.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import date, datetime, timedelta

from PySide6.QtCore import QObject, Qt, QTimer, Signal

RESYNC_MS = 15 * 60 * 1000
# The jump check is two clock reads, so it can run often and catch a wake-up quickly.
TICK_MS = 60 * 1000
JUMP_TOLERANCE_S = 60.0
# Land just after midnight, never just before it.
MIDNIGHT_MARGIN_MS = 1500


def ms_until_next_midnight(now: datetime) -> int:
    local = now.astimezone()
    midnight = datetime.combine(local.date() + timedelta(days=1), datetime.min.time())
    midnight = midnight.replace(tzinfo=local.tzinfo).astimezone()
    seconds = (midnight - local).total_seconds()
    return max(0, int(seconds * 1000)) + MIDNIGHT_MARGIN_MS


class DueClock(QObject):
    """Emits ``day_changed`` with the new date whenever the local date moves, and
    ``resynced`` after every re-sync (the tray re-reads what is due then)."""

    day_changed = Signal(object)
    resynced = Signal()

    def __init__(
        self,
        now: Callable[[], datetime],
        parent: QObject | None = None,
        *,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__(parent)
        self._now = now
        self._monotonic = monotonic
        self._day = now().astimezone().date()
        self._mark()
        self.jumps = 0

        self.midnight_timer = QTimer(self)
        self.midnight_timer.setSingleShot(True)
        # Precise: a coarse timer may fire up to 5% early, i.e. an hour before midnight.
        self.midnight_timer.setTimerType(Qt.TimerType.PreciseTimer)
        self.midnight_timer.timeout.connect(self.resync)

        self.resync_timer = QTimer(self)
        self.resync_timer.setInterval(RESYNC_MS)
        self.resync_timer.setTimerType(Qt.TimerType.VeryCoarseTimer)
        self.resync_timer.timeout.connect(self.resync)

        self.tick_timer = QTimer(self)
        self.tick_timer.setInterval(TICK_MS)
        self.tick_timer.setTimerType(Qt.TimerType.VeryCoarseTimer)
        self.tick_timer.timeout.connect(self.tick)

    @property
    def day(self) -> date:
        return self._day

    def start(self) -> None:
        self._day = self._now().astimezone().date()
        self._mark()
        self._arm()
        self.resync_timer.start()
        self.tick_timer.start()

    def stop(self) -> None:
        for timer in (self.midnight_timer, self.resync_timer, self.tick_timer):
            timer.stop()

    def _mark(self) -> None:
        self._wall_mark = self._now().timestamp()
        self._mono_mark = self._monotonic()

    def jumped(self) -> bool:
        """True when the wall clock moved differently from real elapsed time since
        the last look: the machine slept, or someone changed the clock."""
        wall = self._now().timestamp() - self._wall_mark
        mono = self._monotonic() - self._mono_mark
        return abs(wall - mono) > JUMP_TOLERANCE_S

    def tick(self) -> bool:
        """The cheap check; re-syncs now if the clock jumped or the date moved."""
        jumped = self.jumped()
        self._mark()
        if jumped:
            self.jumps += 1
        if jumped or self._now().astimezone().date() != self._day:
            self.resync()
            return True
        return False

    def resync(self) -> bool:
        """Re-read the date and re-arm the midnight timer; say so if the date moved."""
        today = self._now().astimezone().date()
        moved = today != self._day
        self._day = today
        self._mark()
        # After a sleep or a jump the old countdown points at the wrong moment.
        self._arm()
        if moved:
            self.day_changed.emit(today)
        self.resynced.emit()
        return moved

    def _arm(self) -> None:
        self.midnight_timer.start(ms_until_next_midnight(self._now()))
