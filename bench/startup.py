"""The start-up figures: the app spawned on a book to its first paint and to the end
of its warm-up, with its peak memory, against a bare PySide6 process with an empty
window (bench/startup_probe.py is the child both run); and the same screen's shape
built from plain PySide6, the least a window like Rapport's first screen can cost."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from bench.measure import Pair

ROOT = Path(__file__).resolve().parents[1]

PROBE = Path(__file__).with_name("startup_probe.py")


@dataclass
class Startup:
    """Start-up time and peak memory of the app against the bare PySide6 process,
    and the time of the bare window after loading Rapport's code (no book).

    ``time`` is to the first paint; ``ready`` to the end of the warm-up after it
    (everything loaded: the ORM, the client list, the dialogs). ``rss_kb`` is the
    app's peak at ready, so loading after the paint hides no memory."""

    time: Pair
    ready: Pair
    rss_kb: float
    paint_rss_kb: float
    floor_rss_kb: float
    imports_ms: float
    imports_rss_kb: float
    # The first screen's shape in plain PySide6 (startup_probe.py sketch).
    sketch: Pair


@dataclass(frozen=True)
class Spawned:
    paint_ms: float
    paint_peak_kb: int
    ready_ms: float
    ready_peak_kb: int


def _compile_bytecode() -> None:
    """Write the .pyc files of Rapport's code, as an installed app has them:
    PYTHONDONTWRITEBYTECODE (or a read-only checkout) would otherwise make every
    probe compile the sources again, 90 ms that no user pays twice."""
    import compileall

    for name in ("ui", "models", "exports"):
        compileall.compile_dir(ROOT / name, quiet=2)
    compileall.compile_file(ROOT / "main.py", quiet=2)


def _spawn(args: list[str], env: dict[str, str]) -> Spawned:
    """Start one probe process; ms from the spawn until it reports its first paint
    and until it is ready, and its peak resident memory (kB) at both moments."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, str(PROBE), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        cwd=ROOT,
        text=True,
    )
    assert proc.stdout is not None
    line = proc.stdout.readline()
    painted = time.perf_counter() - t0
    second = proc.stdout.readline() if line.startswith("painted ") else ""
    ready = time.perf_counter() - t0
    _out, err = proc.communicate(timeout=300)
    if not line.startswith("painted "):
        raise RuntimeError(f"{PROBE.name} {' '.join(args)} never painted:\n{err[-2000:]}")
    if not second.startswith("ready "):
        raise RuntimeError(f"{PROBE.name} {' '.join(args)} was never ready:\n{err[-2000:]}")
    return Spawned(painted * 1000, int(line.split()[2]), ready * 1000, int(second.split()[2]))


def bench_startup(book_path: Path, folder: Path, repeat: int) -> Startup:
    """Process start to the main window's first paint, Rapport (main.main on the
    book, Today on screen, the client list filled) against a bare PySide6 process
    that shows an empty QMainWindow; both cold processes, alternating, after one
    warm-up each (which also puts the book in the page cache)."""
    env = dict(os.environ)
    env.setdefault("QT_QPA_PLATFORM", "offscreen")
    for var, sub in (("XDG_CONFIG_HOME", "config"), ("XDG_DATA_HOME", "data")):
        env[var] = str(folder / sub)
    app_args = ["app", str(book_path)]
    _compile_bytecode()
    _spawn(["bare"], env)
    _spawn(app_args, env)
    _spawn(["imports"], env)
    _spawn(["sketch"], env)
    bare: list[Spawned] = []
    app: list[Spawned] = []
    imports: list[Spawned] = []
    sketch: list[Spawned] = []
    for _ in range(repeat):
        bare.append(_spawn(["bare"], env))
        app.append(_spawn(app_args, env))
        imports.append(_spawn(["imports"], env))
        sketch.append(_spawn(["sketch"], env))
    floor_ms = statistics.median(b.paint_ms for b in bare)
    return Startup(
        Pair("startup", statistics.median(a.paint_ms for a in app), floor_ms),
        Pair("startup_ready", statistics.median(a.ready_ms for a in app), floor_ms),
        statistics.median(a.ready_peak_kb for a in app),
        statistics.median(a.paint_peak_kb for a in app),
        statistics.median(b.paint_peak_kb for b in bare),
        statistics.median(i.paint_ms for i in imports),
        statistics.median(i.paint_peak_kb for i in imports),
        Pair("startup_sketch", statistics.median(s.paint_ms for s in sketch), floor_ms),
    )
