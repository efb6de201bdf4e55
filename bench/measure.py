"""How every benchmark figure is taken: the app's run and the floor's, in turn, the
median of each kept (a Pair). Shared by the query, PDF, start-up and window figures
so they all measure alike."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

# The day every book figure is measured on (the benchmark book's own today).
TODAY = date(2026, 11, 22)


@dataclass
class Pair:
    name: str
    app_ms: float
    floor_ms: float
    # Qt's repaint after the app's work, for the list figures (not in app_ms).
    paint_ms: float = 0.0

    @property
    def ratio(self) -> float:
        return self.app_ms / self.floor_ms if self.floor_ms else float("inf")


def alternate(
    app: Callable[[], object], floor: Callable[[], object], repeat: int
) -> tuple[float, float]:
    """Median milliseconds of ``app`` and ``floor``, run in turn after one warm-up each.

    Where the app pauses Python's cyclic garbage collector while it builds many rows
    (``many_small_objects``), its floor does the same: the floor is the least work."""
    app()
    floor()
    a: list[float] = []
    f: list[float] = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        app()
        a.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        floor()
        f.append(time.perf_counter() - t0)
    return statistics.median(a) * 1000, statistics.median(f) * 1000
