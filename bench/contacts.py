"""The contacts import against its floor: a Google Contacts CSV into an empty book.

    python bench/contacts.py [--rows 5000] [--repeat 5] [--json]
    python bench/run.py --contacts 5000      # the same, from the benchmark runner

The floor is the least work that stores the same rows: Python's csv module parses
the file, and sqlite3's executemany inserts every client, its email and phone and
its tag links into an empty book (made by the app, so the schema and pragmas are
the app's). The app's figure is ``load_contacts`` + ``apply_import``: decoding,
guessing the columns, the per-row rules, the plan and the writes.

Each run is its own process, app and floor in turn, so the peak memory of each
(ru_maxrss) is that run's alone; the book is opened before the clock starts.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

HEADER = [
    "Name",
    "Given Name",
    "Family Name",
    "Organization 1 - Name",
    "Organization 1 - Title",
    "E-mail 1 - Label",
    "E-mail 1 - Value",
    "Phone 1 - Label",
    "Phone 1 - Value",
    "Notes",
    "Group Membership",
]
GIVEN = ["Anna", "Jürgen", "Søren", "Chloé", "Mark", "Aoife", "José", "Li", "Ben", "Zoë"]
FAMILY = ["Müller", "Smith", "Ødegaard", "García", "Kowalski", "Brown", "Nakamura", "Dubois"]


def google_csv(path: Path, rows: int, seed: int = 18) -> None:
    """A Google Contacts export of ``rows`` distinct people (one email each)."""
    rnd = random.Random(seed)
    with path.open("w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh)
        out.writerow(HEADER)
        for i in range(rows):
            given, family = rnd.choice(GIVEN), rnd.choice(FAMILY)
            out.writerow(
                [
                    f"{given} {family}",
                    given,
                    family,
                    f"Firm {i % 400}",
                    rnd.choice(["Director", "CTO", "Head of Sales", ""]),
                    "* Work",
                    f"{given.lower()}.{i}@example{i % 50}.com",
                    "Mobile",
                    f"+49 170 {i:07d}",
                    f"Met at the {i % 12 + 1}/2025 meetup.",
                    f"* myContacts ::: Clients ::: Region {i % 9}",
                ]
            )


def _floor(src: Path, book: Path) -> int:
    """Parse with csv, insert the same rows with executemany; returns clients stored."""
    import sqlite3

    with src.open(newline="", encoding="utf-8") as fh:
        table = list(csv.reader(fh))
    rows = table[1:]
    now = "2026-12-06 12:00:00.000000"
    db = sqlite3.connect(book)
    with db:
        tags = {
            t: n
            for n, t in enumerate(
                sorted({t for r in rows for t in r[10].split(" ::: ")[1:]}), start=1
            )
        }
        db.executemany(
            "INSERT INTO tag (id, name) VALUES (?, ?)", [(n, t) for t, n in tags.items()]
        )
        db.executemany(
            "INSERT INTO client (id, uid, name, organisation, role, notes, status, created_at, "
            "updated_at, search_text) VALUES (?,?,?,?,?,?,'active',?,?,?)",
            [
                (i, f"{i:032x}", r[0], r[3], r[4], r[9], now, now, r[0])
                for i, r in enumerate(rows, start=1)
            ],
        )
        db.executemany(
            "INSERT INTO contact_point (client_id, kind, label, value, position) "
            "VALUES (?,?,?,?,0)",
            [(i, "email", "work", r[6]) for i, r in enumerate(rows, start=1)]
            + [(i, "phone", "mobile", r[8]) for i, r in enumerate(rows, start=1)],
        )
        db.executemany(
            "INSERT INTO client_tag (client_id, tag_id) VALUES (?, ?)",
            [(i, tags[t]) for i, r in enumerate(rows, start=1) for t in r[10].split(" ::: ")[1:]],
        )
    db.close()
    return len(rows)


def _app(src: Path, book_path: Path) -> int:
    from exports.contacts_io import load_contacts
    from models.db import open_book
    from models.services.contacts import apply_import

    book = open_book(book_path)
    try:
        t0, c0 = time.perf_counter(), time.process_time()
        plan = apply_import(book, load_contacts(src).records())
        return _report(t0, c0, plan.created)
    finally:
        book.close()


def _report(t0: float, c0: float, stored: int) -> int:
    """Wall and CPU time: on a shared machine the CPU time is the steadier figure."""
    elapsed, cpu = time.perf_counter() - t0, time.process_time() - c0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(
        json.dumps({"ms": elapsed * 1000, "cpu_ms": cpu * 1000, "peak_kb": peak, "stored": stored})
    )
    return 0


def child(kind: str, src: Path, book_path: Path) -> int:
    """One measured run in this process (``kind`` is app or floor)."""
    # The same imports for both sides, before the clock: neither pays for loading.
    import exports.contacts_csv  # noqa: F401
    import exports.contacts_io  # noqa: F401
    import models.services.contacts  # noqa: F401
    from models.db import open_book

    if kind == "app":
        return _app(src, book_path)
    open_book(book_path).close()
    t0, c0 = time.perf_counter(), time.process_time()
    return _report(t0, c0, _floor(src, book_path))


@dataclass
class ContactsFigure:
    rows: int
    app_ms: float
    floor_ms: float
    app_peak_mb: float
    floor_peak_mb: float
    app_cpu_ms: float = 0.0
    floor_cpu_ms: float = 0.0

    @property
    def ratio(self) -> float:
        return self.app_ms / self.floor_ms if self.floor_ms else float("inf")

    def line(self) -> str:
        return (
            f"contacts import, {self.rows} rows: app {self.app_ms:.0f} ms "
            f"(peak {self.app_peak_mb:.0f} MB), floor {self.floor_ms:.0f} ms "
            f"(peak {self.floor_peak_mb:.0f} MB), ratio {self.ratio:.2f}; "
            f"CPU {self.app_cpu_ms:.0f} "
            f"vs {self.floor_cpu_ms:.0f} ms, ratio {self.cpu_ratio:.2f}"
        )

    @property
    def cpu_ratio(self) -> float:
        return self.app_cpu_ms / self.floor_cpu_ms if self.floor_cpu_ms else float("inf")

    def figures(self) -> dict[str, float]:
        return {
            "contacts_rows": self.rows,
            "contacts_import_ms": round(self.app_ms, 1),
            "contacts_import_floor_ms": round(self.floor_ms, 1),
            "contacts_import_ratio": round(self.ratio, 2),
            "contacts_import_cpu_ratio": round(self.cpu_ratio, 2),
            "contacts_import_peak_mb": round(self.app_peak_mb, 1),
            "contacts_import_floor_peak_mb": round(self.floor_peak_mb, 1),
        }


def _run(kind: str, src: Path, book: Path) -> dict[str, float]:
    out = subprocess.run(
        [sys.executable, __file__, "--child", kind, str(src), str(book)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        env=dict(os.environ, PYTHONDONTWRITEBYTECODE="1"),
    )
    result: dict[str, float] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def bench_contacts(rows: int = 5000, repeat: int = 5) -> ContactsFigure:
    """Median time and peak memory of the app's import and of its floor, in turn."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        src = folder / "google.csv"
        google_csv(src, rows)
        app: list[dict[str, float]] = []
        floor: list[dict[str, float]] = []
        for n in range(repeat):
            app.append(_run("app", src, folder / f"app{n}.db"))
            floor.append(_run("floor", src, folder / f"floor{n}.db"))
        for run in app + floor:
            if run["stored"] != rows:
                raise RuntimeError(f"a run stored {run['stored']} of {rows} clients")
    return ContactsFigure(
        rows,
        statistics.median(r["ms"] for r in app),
        statistics.median(r["ms"] for r in floor),
        max(r["peak_kb"] for r in app) / 1024,
        max(r["peak_kb"] for r in floor) / 1024,
        statistics.median(r["cpu_ms"] for r in app),
        statistics.median(r["cpu_ms"] for r in floor),
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--child", nargs=3, metavar=("KIND", "CSV", "BOOK"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        kind, src, book = args.child
        return child(kind, Path(src), Path(book))
    fig = bench_contacts(args.rows, args.repeat)
    if args.json:
        print(json.dumps(fig.figures(), indent=2))
    else:
        print(fig.line())
    return 0


if __name__ == "__main__":
    sys.exit(main())
