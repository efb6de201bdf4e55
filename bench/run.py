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
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.contacts import bench_contacts  # noqa: E402
from bench.make_book import build, cached_book  # noqa: E402,F401 - build: tests use it
from exports.pdf.agreement import render_agreement  # noqa: E402
from exports.pdf.common import FAMILY, plain_date, register_fonts  # noqa: E402
from models.db import Book  # noqa: E402
from models.documents import AgreementDocument, CommitmentLine, Party  # noqa: E402
from models.health import FADE_DAYS  # noqa: E402
from models.services.clients import many_small_objects  # noqa: E402
from models.services.health import all_health  # noqa: E402
from models.services.reminders import due_items, today_plan  # noqa: E402

TODAY = date(2026, 11, 22)
# The contacts import is measured at this many rows of a Google CSV (bench/contacts.py).
CONTACT_ROWS = 5000


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


RAW_DUE_CLIENTS = """
SELECT id, name, touch_due_on, cadence_days, priority_until
FROM client WHERE touch_due_on <= ?
"""
RAW_DUE_FOLLOW_UPS = """
SELECT f.id, c.id, c.name, f.due_on, f.title, c.priority_until
FROM follow_up f JOIN client c ON c.id = f.client_id
WHERE f.done_at IS NULL AND f.due_on <= ? AND c.archived_at IS NULL
"""


def bench_due(book: Book, repeat: int) -> Pair:
    """ "Who is due today": the app's service (rows to typed items) against the same
    two indexed queries in raw sqlite3."""
    raw = sqlite3.connect(book.path)
    today = TODAY.isoformat()

    def floor() -> object:
        with many_small_objects():
            return (
                raw.execute(RAW_DUE_CLIENTS, (today,)).fetchall()
                + raw.execute(RAW_DUE_FOLLOW_UPS, (today,)).fetchall()
            )

    try:
        app_ms, floor_ms = alternate(lambda: due_items(book, TODAY, horizon_days=0), floor, repeat)
    finally:
        raw.close()
    return Pair("due", app_ms, floor_ms)


# The Today view's plan in one statement: keep-in-touch dates and open follow-ups up
# to a week ahead, each with the rules' order worked out in SQL (due or overdue
# first: priority, then lateness relative to the rhythm, date, name; then the coming
# week: priority, date, name).
RAW_TODAY = """
WITH item AS (
  SELECT 0 AS kind, id AS cid, name, touch_due_on AS due_on, 'Get in touch' AS title,
         cadence_days AS cadence, NULL AS fid, coalesce(priority_until >= :today, 0) AS prio
  FROM client WHERE touch_due_on <= :until
  UNION ALL
  SELECT 1, c.id, c.name, f.due_on, f.title, NULL, f.id, coalesce(c.priority_until >= :today, 0)
  FROM follow_up f JOIN client c ON c.id = f.client_id
  WHERE f.done_at IS NULL AND f.due_on <= :until AND c.archived_at IS NULL
)
SELECT *, due_on > :today AS ahead FROM item
ORDER BY ahead, prio DESC,
         CASE WHEN due_on <= :today
              THEN (julianday(due_on) - julianday(:today)) / max(coalesce(cadence, 7), 1)
              ELSE 0 END,
         due_on, lower(name), coalesce(fid, 0)
"""


def bench_today(book: Book, repeat: int) -> Pair:
    """The Today view's (and the tray's) question: ``today_plan`` (due and overdue in
    the rules' order, and the coming week) against one ordered SQL statement."""
    raw = sqlite3.connect(book.path)
    args = {"today": TODAY.isoformat(), "until": (TODAY + timedelta(days=7)).isoformat()}

    def floor() -> object:
        with many_small_objects():
            return raw.execute(RAW_TODAY, args).fetchall()

    try:
        app_ms, floor_ms = alternate(lambda: today_plan(book, TODAY), floor, repeat)
    finally:
        raw.close()
    return Pair("today", app_ms, floor_ms)


# Every visible client with what its score needs from its incidents and agreements,
# aggregated in SQL: how many incidents count, their severity points, how many
# promises are broken, and how many open commitments of final agreements are past
# due. The floor does no Python per client beyond fetching the row.
RAW_HEALTH = """
SELECT c.id, c.cadence_days, c.touch_due_on,
       count(i.id),
       coalesce(sum(CASE i.severity WHEN 'low' THEN 5 WHEN 'medium' THEN 10
                                    WHEN 'high' THEN 20 ELSE 35 END), 0),
       coalesce(sum(i.status != 'resolved'
                    AND i.response_due_at < coalesce(i.responded_at, :now)), 0),
       coalesce(max(o.owed), 0)
FROM client c
LEFT JOIN incident i ON i.client_id = c.id
     AND (i.status IN ('open', 'acknowledged', 'repairing')
          OR (i.status = 'resolved' AND i.closed_at >= :fade))
LEFT JOIN (SELECT a.client_id, count(*) AS owed
           FROM agreement a JOIN commitment m ON m.agreement_id = a.id
           WHERE a.status = 'final' AND m.state = 'open' AND m.due_on < :today
           GROUP BY a.client_id) o ON o.client_id = c.id
WHERE c.archived_at IS NULL
GROUP BY c.id
"""


def _stored(moment: datetime) -> str:
    return moment.astimezone(UTC).replace(tzinfo=None).isoformat(sep=" ", timespec="microseconds")


def bench_health(book: Book, repeat: int) -> Pair:
    """Every client's health score: the app's all_health (rows to explained scores)
    against one aggregating query over the same clients and counting incidents."""
    raw = sqlite3.connect(book.path)
    # The moments all_health uses, spelt as the book stores them (naive UTC text).
    now = _stored(datetime.combine(TODAY, clock.max, UTC))
    fade = _stored(datetime.combine(TODAY - timedelta(days=FADE_DAYS), clock.min, UTC))

    args = {"now": now, "fade": fade, "today": TODAY.isoformat()}

    def floor() -> object:
        with many_small_objects():
            return raw.execute(RAW_HEALTH, args).fetchall()

    try:
        app_ms, floor_ms = alternate(lambda: all_health(book, TODAY), floor, repeat)
    finally:
        raw.close()
    return Pair("health", app_ms, floor_ms)


def pdf_document() -> AgreementDocument:
    """A realistic agreement: a context of three paragraphs, 10 points discussed and
    8 commitments on each side, some dated, some kept."""
    start = TODAY
    sentences = (
        "The shop launch slipped by two weeks and nobody said so in time.",
        "Card payments were promised for the Christmas market and are still missing.",
        "Margit heard about the delay from a customer, not from us.",
    )
    return AgreementDocument(
        number="AG-2026-0007 v2",
        title="Relaunch of the online shop",
        dated=start,
        consultant=Party(
            name="Jonas Weber",
            organisation="Weber Web Studio",
            address="Lindenstraße 12\n10969 Berlin\nGermany",
            email="jonas@weber-web.example",
            phone="+49 30 5550 1234",
        ),
        client=Party(
            name="Margit Oberholzer",
            organisation="Backstube Oberholzer",
            role="Owner",
            email="margit@backstube-oberholzer.example",
            phone="+44 20 7946 0112",
        ),
        context="\n\n".join(" ".join(sentences[i:] + sentences[:i]) for i in range(3)),
        points=[
            f"Point {i}: {sentences[i % 3]} What we change: weekly written updates, "
            f"a shared list of open questions, and one named contact on each side."
            for i in range(1, 11)
        ],
        ours=[
            CommitmentLine(
                f"Our commitment {i}: ship part {i} of the pre-order page and report on it",
                start + timedelta(days=7 * i) if i % 2 else None,
                "kept" if i < 3 else "open",
            )
            for i in range(1, 9)
        ],
        theirs=[
            CommitmentLine(
                f"Client commitment {i}: answer open questions on part {i} within two days",
                start + timedelta(days=5 * i) if i % 3 else None,
            )
            for i in range(1, 9)
        ],
        review_on=start + timedelta(days=60),
    )


def bare_pdf(doc: AgreementDocument) -> bytes:
    """The floor: the same strings as Paragraphs in a SimpleDocTemplate, in the same
    (embedded) font, with no tables, footer, canvas subclass or per-character check."""
    from io import BytesIO
    from xml.sax.saxutils import escape

    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import Paragraph, SimpleDocTemplate

    register_fonts()
    style = ParagraphStyle("bare", fontName=FAMILY, fontSize=10, leading=14)
    strings = [doc.title, doc.number, plain_date(doc.dated)]
    for party in (doc.consultant, doc.client):
        strings += [party.name, party.organisation, party.role, party.address]
        strings += [party.email, party.phone]
    strings += doc.context.split("\n\n") + list(doc.points)
    for line in doc.ours + doc.theirs:
        strings += [line.text, plain_date(line.due_on) if line.due_on else "", line.state]
    if doc.review_on:
        strings.append(plain_date(doc.review_on))
    out = BytesIO()
    SimpleDocTemplate(out, pagesize=A4, invariant=1).build(
        [Paragraph(escape(t).replace("\n", "<br/>"), style) for t in strings if t]
    )
    return out.getvalue()


def bench_pdf(repeat: int) -> Pair:
    """One realistic agreement through the app's renderer against a bare ReportLab
    document with the same text, both warm (fonts registered, modules imported)."""
    doc = pdf_document()
    app_ms, floor_ms = alternate(lambda: render_agreement(doc), lambda: bare_pdf(doc), repeat)
    return Pair("pdf", app_ms, floor_ms)


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
    bare: list[Spawned] = []
    app: list[Spawned] = []
    imports: list[Spawned] = []
    for _ in range(repeat):
        bare.append(_spawn(["bare"], env))
        app.append(_spawn(app_args, env))
        imports.append(_spawn(["imports"], env))
    floor_ms = statistics.median(b.paint_ms for b in bare)
    return Startup(
        Pair("startup", statistics.median(a.paint_ms for a in app), floor_ms),
        Pair("startup_ready", statistics.median(a.ready_ms for a in app), floor_ms),
        statistics.median(a.ready_peak_kb for a in app),
        statistics.median(a.paint_peak_kb for a in app),
        statistics.median(b.paint_peak_kb for b in bare),
        statistics.median(i.paint_ms for i in imports),
        statistics.median(i.paint_peak_kb for i in imports),
    )


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
