"""The contacts import against its floor: a Google Contacts CSV into an empty book.

    python bench/contacts.py [--rows 5000] [--repeat 5] [--kind csv|vcard|photos] [--json]
    python bench/run.py --contacts 5000      # the same, from the benchmark runner

``--kind vcard`` makes the same people as vCard 3.0 cards (folded, escaped, as
Apple writes them); ``--kind photos`` is ``--rows`` cards each carrying an 8 MB
photo (the issue's case is three). Their floor reads the cards with plain string
work (unfold, split, take FN, ORG, TITLE, EMAIL, TEL, NOTE, CATEGORIES) and inserts
the same rows the same way.

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


def google_vcf(path: Path, rows: int, seed: int = 18) -> None:
    """The same people as ``google_csv`` writes, as vCard 3.0 cards."""
    rnd = random.Random(seed)
    with path.open("w", newline="", encoding="utf-8") as fh:
        for i in range(rows):
            given, family = rnd.choice(GIVEN), rnd.choice(FAMILY)
            role = rnd.choice(["Director", "CTO", "Head of Sales", ""])
            fh.write(
                "BEGIN:VCARD\r\nVERSION:3.0\r\n"
                f"N:{family};{given};;;\r\nFN:{given} {family}\r\nORG:Firm {i % 400};\r\n"
                + (f"TITLE:{role}\r\n" if role else "")
                + f"EMAIL;TYPE=INTERNET,WORK:{given.lower()}.{i}@example{i % 50}.com\r\n"
                f"TEL;TYPE=CELL:+49 170 {i:07d}\r\n"
                f"NOTE:Met at the {i % 12 + 1}/2025 meetup.\r\n"
                f"CATEGORIES:Clients,Region {i % 9}\r\nEND:VCARD\r\n"
            )


PHOTO_BYTES = 8 * 1024 * 1024


def photos_vcf(path: Path, cards: int) -> None:
    """``cards`` cards, each with an 8 MB JPEG-sized photo folded at 75 columns."""
    import base64

    blob = base64.b64encode(random.Random(7).randbytes(PHOTO_BYTES)).decode()
    line = "PHOTO;ENCODING=b;TYPE=JPEG:" + blob
    folded = "\r\n ".join(line[i : i + 74] for i in range(0, len(line), 74))
    with path.open("w", newline="", encoding="utf-8") as fh:
        for n in range(cards):
            fh.write(
                f"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Person {n}\r\n"
                f"EMAIL:p{n}@example.com\r\n{folded}\r\nNOTE:after the photo\r\n"
                "CATEGORIES:Clients,Photos\r\nEND:VCARD\r\n"
            )


def _vcf_rows(src: Path) -> list[list[str]]:
    """The floor's reading of a vCard file: the CSV floor's columns, by plain string
    work (no parameters, no escapes, no quoted-printable)."""
    with src.open(encoding="utf-8", newline="") as fh:
        text = fh.read().replace("\r\n ", "").replace("\r\n\t", "")
    rows: list[list[str]] = []
    for card in text.split("BEGIN:VCARD\r\n")[1:]:
        row = [""] * len(HEADER)
        for line in card.split("\r\n"):
            head, _, value = line.partition(":")
            name = head.split(";", 1)[0]
            if name == "FN":
                row[0] = value
            elif name == "ORG":
                row[3] = value.split(";")[0]
            elif name == "TITLE":
                row[4] = value
            elif name == "EMAIL":
                row[6] = value
            elif name == "TEL":
                row[8] = value
            elif name == "NOTE":
                row[9] = value
            elif name == "CATEGORIES":
                row[10] = " ::: ".join(["* myContacts", *value.split(",")])
        rows.append(row)
    return rows


def _floor(src: Path, book: Path) -> int:
    """Parse with csv, insert the same rows with executemany; returns clients stored."""
    import sqlite3

    if src.suffix == ".vcf":
        rows = _vcf_rows(src)
    else:
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
            [(i, "email", "work", r[6]) for i, r in enumerate(rows, start=1) if r[6]]
            + [(i, "phone", "mobile", r[8]) for i, r in enumerate(rows, start=1) if r[8]],
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
        # The source itself, as the command line passes it: read as a stream.
        plan = apply_import(book, load_contacts(src))
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
    from sqlalchemy.orm import configure_mappers

    import exports.contacts_csv  # noqa: F401
    import exports.contacts_io  # noqa: F401
    import exports.vcard  # noqa: F401 - loaded lazily by the app, as contacts_csv is
    import models.services.contacts  # noqa: F401
    from models.db import open_book

    # SQLAlchemy works out its mappers once per process, on the first ORM query
    # (26 ms here): the app has done it long before a user imports anything (its
    # warm-up reads the book), so it is loading, not the import's work.
    configure_mappers()

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

    kind: str = "csv"

    def line(self) -> str:
        what = {"csv": "rows", "vcard": "vCards", "photos": "vCards with an 8 MB photo"}
        return (
            f"contacts import, {self.rows} {what.get(self.kind, 'rows')}: app {self.app_ms:.0f} ms "
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


def bench_contacts(
    rows: int = 5000, repeat: int = 5, kind: str = "csv", best: bool = False
) -> ContactsFigure:
    """Median (or with ``best``, least) time and the peak memory of the app's import
    and of its floor, measured in turn in the same run."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        if kind == "csv":
            src = folder / "google.csv"
            google_csv(src, rows)
        elif kind == "vcard":
            src = folder / "google.vcf"
            google_vcf(src, rows)
        else:
            src = folder / "photos.vcf"
            photos_vcf(src, rows)
        app: list[dict[str, float]] = []
        floor: list[dict[str, float]] = []
        for n in range(repeat):
            app.append(_run("app", src, folder / f"app{n}.db"))
            floor.append(_run("floor", src, folder / f"floor{n}.db"))
        for run in app + floor:
            if run["stored"] != rows:
                raise RuntimeError(f"a run stored {run['stored']} of {rows} clients")
    pick = min if best else statistics.median
    return ContactsFigure(
        rows,
        pick(r["ms"] for r in app),
        pick(r["ms"] for r in floor),
        max(r["peak_kb"] for r in app) / 1024,
        max(r["peak_kb"] for r in floor) / 1024,
        pick(r["cpu_ms"] for r in app),
        pick(r["cpu_ms"] for r in floor),
        kind,
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--kind", choices=("csv", "vcard", "photos"), default="csv")
    parser.add_argument("--best", action="store_true", help="the least time of the runs")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--child", nargs=3, metavar=("KIND", "CSV", "BOOK"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        kind, src, book = args.child
        return child(kind, Path(src), Path(book))
    fig = bench_contacts(args.rows, args.repeat, args.kind, args.best)
    if args.json:
        print(json.dumps(fig.figures(), indent=2))
    else:
        print(fig.line())
    return 0


if __name__ == "__main__":
    sys.exit(main())
