"""Benchmarks: Rapport against the physical floor, on the same file, in the same run.

    python bench/run.py [--quick] [--json] [--sizes 1000,10000] [--repeat N]
    python bench/run.py --pdf [--json]     # the agreement PDF figure only, no books
    python bench/run.py --json-book [--json]  # JSON export/import of 10 000 clients

Every figure is a pair: the app doing the work through its own code path, and the
least work that could give the same answer (a hand-written sqlite3 query on the
same book; for the PDF, a bare ReportLab document with the same text; for start-up
and memory, a bare PySide6 process showing an empty QMainWindow). App and floor
runs alternate, and the median of each is kept, so a busy machine slows both alike
and the ratio stays comparable between machines.

Books are built once per size and seed and kept in the user cache folder
(bench/make_book.py ``cached_book``); docs/PERFORMANCE.md explains every figure.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import sqlite3
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.contacts import bench_contacts  # noqa: E402
from bench.make_book import build, cached_book  # noqa: E402,F401 - build: tests use it
from bench.measure import TODAY, Pair  # noqa: E402
from bench.pdf_figure import bench_pdf  # noqa: E402
from bench.query_figures import bench_due, bench_health, bench_today  # noqa: E402
from bench.startup import Startup, bench_startup  # noqa: E402
from models.db import Book  # noqa: E402

CONTACT_ROWS = 5000


def bench_window(book_path: Path, folder: Path, repeat: int) -> list[Pair]:
    """The client list's figures in the real main window (bench/ui_bench.py)."""
    from bench.ui_bench import SEARCHES, RawList, WindowBench

    bench = WindowBench(book_path, folder / "window-config", TODAY)
    raw = RawList(book_path, TODAY)
    try:
        timings = [bench.search(raw, pattern, repeat) for pattern in SEARCHES.values()]
        timings.append(bench.first_screen(raw, repeat))
        timings.append(bench.scroll_to_end(raw, max(3, repeat // 3)))
    finally:
        raw.close()
        bench.close()
    for t in timings:
        print(
            f"    {t.name}: {t.app_ms:.2f} ms vs {t.floor_ms:.2f} ms"
            f" (then {t.paint_ms:.1f} ms to paint) {t.note}",
            file=sys.stderr,
        )
    return [Pair(t.name, t.app_ms, t.floor_ms, t.paint_ms) for t in timings]


@dataclass
class SizeResult:
    clients: int
    pairs: dict[str, Pair]
    startup: Startup | None
    build_s: float

    def figures(self) -> dict[str, Any]:
        """Every figure of this size as flat JSON keys: ``<name>_ms``, ``_floor_ms``,
        ``_ratio``; ``search_*`` is the slowest of the three search patterns."""
        out: dict[str, Any] = {"clients": self.clients, "book_build_s": round(self.build_s, 1)}
        for name, p in self.pairs.items():
            out[f"{name}_ms"] = round(p.app_ms, 3)
            out[f"{name}_floor_ms"] = round(p.floor_ms, 3)
            out[f"{name}_ratio"] = round(p.ratio, 3)
            if p.paint_ms:
                out[f"{name}_paint_ms"] = round(p.paint_ms, 3)
        searches = [p for name, p in self.pairs.items() if name.startswith("search")]
        if searches:
            out["search_ms"] = round(max(p.app_ms for p in searches), 3)
            out["search_ratio"] = round(max(p.ratio for p in searches), 3)
        if self.startup is not None:
            st = self.startup
            out["rss_mb"] = round(st.rss_kb / 1024, 1)
            out["rss_paint_mb"] = round(st.paint_rss_kb / 1024, 1)
            out["rss_floor_mb"] = round(st.floor_rss_kb / 1024, 1)
            out["rss_mb_over_floor"] = round((st.rss_kb - st.floor_rss_kb) / 1024, 1)
            out["startup_imports_ms"] = round(st.imports_ms, 3)
            out["startup_sketch_ms"] = round(st.sketch.app_ms, 3)
            out["startup_sketch_ratio"] = round(st.sketch.ratio, 3)
            out["rss_imports_mb"] = round(st.imports_rss_kb / 1024, 1)
        return out


def run_size(n: int, folder: Path, repeat: int, startup_repeat: int) -> SizeResult:
    t0 = time.perf_counter()
    path = cached_book(n)
    build_s = time.perf_counter() - t0
    print(f"  book: {path} ({build_s:.1f} s)", file=sys.stderr)
    startup = None
    if startup_repeat > 0:
        print("  start-up…", file=sys.stderr)
        startup = bench_startup(path, folder / f"startup-{n}", startup_repeat)
    # The services first, on a heap with nothing else on it (the window's figures
    # leave every row of a big list behind, which Python's garbage collector then
    # walks during every later figure); then the window, which holds the book's
    # lock, so the start-up probes have to be done by now.
    pairs: dict[str, Pair] = {}
    book = _open(path)
    try:
        print("  due, today and health…", file=sys.stderr)
        for figure in (bench_due, bench_today, bench_health):
            gc.collect()
            p = figure(book, repeat)
            pairs[p.name] = p
    finally:
        book.close()
    print("  the client list…", file=sys.stderr)
    gc.collect()
    pairs.update((p.name, p) for p in bench_window(path, folder, repeat))
    gc.collect()
    if startup is not None:
        pairs["startup"] = startup.time
        pairs["startup_ready"] = startup.ready
    return SizeResult(n, pairs, startup, build_s)


def _open(path: Path) -> Book:
    from models.db import open_book

    return open_book(path)


TOP_LEVEL = (
    "startup_ms",
    "startup_floor_ms",
    "startup_ratio",
    "startup_imports_ms",
    "startup_sketch_ms",
    "startup_sketch_ratio",
    "startup_ready_ms",
    "startup_ready_ratio",
    "due_ms",
    "due_floor_ms",
    "due_ratio",
    "today_ms",
    "today_ratio",
    "search_ms",
    "search_ratio",
    "list_ms",
    "list_ratio",
    "scroll_ms",
    "scroll_ratio",
    "health_ms",
    "health_floor_ms",
    "health_ratio",
    "rss_mb",
    "rss_floor_mb",
    "rss_mb_over_floor",
    "rss_paint_mb",
    "rss_imports_mb",
)
GROWTH = (
    "startup",
    "startup_ready",
    "due",
    "today",
    "search1",
    "search2",
    "search5",
    "list",
    "scroll",
    "health",
)


def growth(results: dict[int, SizeResult]) -> dict[str, dict[str, float]]:
    """How each figure grows from the smallest to the largest book measured, for the
    app and the floor, next to how much the book grew."""
    if len(results) < 2:
        return {}
    small, large = results[min(results)], results[max(results)]
    out: dict[str, dict[str, float]] = {}
    for name in GROWTH:
        a, b = small.pairs.get(name), large.pairs.get(name)
        if a is not None and b is not None and a.app_ms and a.floor_ms:
            out[name] = {
                "app": round(b.app_ms / a.app_ms, 2),
                "floor": round(b.floor_ms / a.floor_ms, 2),
                "book": round(large.clients / small.clients, 2),
            }
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="10 000 clients only")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--sizes", help="comma-separated client counts")
    parser.add_argument("--repeat", type=int, default=25, help="runs per figure (median)")
    parser.add_argument(
        "--startup-repeat", type=int, default=9, help="start-ups per side (0: skip)"
    )
    parser.add_argument(
        "--pdf", action="store_true", help="only the agreement PDF figure (builds no book)"
    )
    parser.add_argument(
        "--json-book",
        action="store_true",
        help="only the JSON export and import of the 10 000-client book (one run: minutes)",
    )
    parser.add_argument(
        "--contacts",
        type=int,
        default=CONTACT_ROWS,
        metavar="ROWS",
        help=f"rows of the contacts-import figure (default {CONTACT_ROWS}; 0: skip)",
    )
    parser.add_argument(
        "--contacts-only", action="store_true", help="only the contacts-import figure"
    )
    args = parser.parse_args()
    if args.json_book:
        from bench.json_book_bench import measure

        figures = measure(cached_book(10_000), repeat=1)
        if args.json:
            print(json.dumps(figures | {"clients": 10_000, "machine": machine()}, indent=2))
        else:
            for key, value in figures.items():
                print(f"{key:<22} {value}")
        return 0
    contacts_out: dict[str, float] = {}
    if args.contacts > 0 and not args.pdf:
        print(f"measuring a contacts import of {args.contacts} rows…", file=sys.stderr)
        contacts = bench_contacts(args.contacts, min(args.repeat, 5))
        contacts_out = contacts.figures()
        if args.contacts_only:
            print(json.dumps(contacts_out, indent=2) if args.json else contacts.line())
            return 0
    print("measuring the agreement PDF…", file=sys.stderr)
    pdf = bench_pdf(args.repeat)
    pdf_out = {
        "pdf_ms": round(pdf.app_ms, 3),
        "pdf_floor_ms": round(pdf.floor_ms, 3),
        "pdf_ratio": round(pdf.ratio, 3),
    }
    if args.pdf:
        if args.json:
            print(json.dumps(pdf_out | {"machine": machine()}, indent=2))
        else:
            _print_header()
            _print_pair("-", pdf)
        return 0
    sizes = [10_000] if args.quick else [1_000, 10_000, 100_000]
    if args.sizes:
        sizes = [int(x) for x in args.sizes.split(",")]

    results: dict[int, SizeResult] = {}
    with tempfile.TemporaryDirectory(prefix="rapport-bench-") as tmp:
        for n in sizes:
            print(f"measuring {n} clients…", file=sys.stderr)
            results[n] = run_size(n, Path(tmp), args.repeat, args.startup_repeat)

    ref = results.get(10_000) or results[sizes[-1]]
    if args.json:
        figures = ref.figures()
        out = {
            "clients": ref.clients,
            **{k: figures[k] for k in TOP_LEVEL if k in figures},
            **pdf_out,
            **contacts_out,
            "by_size": {str(n): r.figures() for n, r in results.items()},
            "growth": growth(results),
            "machine": machine(),
        }
        print(json.dumps(out, indent=2))
        return 0
    _print_header()
    _print_pair("-", pdf)
    if contacts_out:
        print(contacts.line())
    for n, r in results.items():
        for p in r.pairs.values():
            _print_pair(str(n), p)
        if r.startup is not None:
            st = r.startup
            print(
                f"{n:>8} {'rss MB':<8} {st.rss_kb / 1024:>9.1f} {st.floor_rss_kb / 1024:>9.1f}"
                f" {'+' + format((st.rss_kb - st.floor_rss_kb) / 1024, '.1f'):>6}"
            )
    return 0


def _print_header() -> None:
    print(f"{'clients':>8} {'figure':<8} {'app ms':>9} {'floor ms':>9} {'ratio':>6}")


def _print_pair(size: str, p: Pair) -> None:
    print(f"{size:>8} {p.name:<8} {p.app_ms:>9.2f} {p.floor_ms:>9.2f} {p.ratio:>6.2f}")


def machine() -> dict[str, Any]:
    """What the figures were measured on."""
    from PySide6 import __version__ as pyside_version
    from PySide6.QtCore import qVersion
    from sqlalchemy import __version__ as sqlalchemy_version

    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as fh:
            cpu = next(
                (line.split(":", 1)[1].strip() for line in fh if line.startswith("model name")),
                cpu,
            )
    except OSError:
        pass
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "os": platform.platform(),
        "python": platform.python_version(),
        "qt": qVersion(),
        "pyside6": pyside_version,
        "sqlalchemy": sqlalchemy_version,
        "sqlite": sqlite3.sqlite_version,
        "qpa": os.environ.get("QT_QPA_PLATFORM", "offscreen"),
        # Other work on the machine at the end of the run (1, 5, 15 minutes).
        "load_average": [round(x, 2) for x in os.getloadavg()],
    }


if __name__ == "__main__":
    sys.exit(main())
