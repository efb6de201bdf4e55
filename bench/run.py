"""Benchmarks: Rapport against the physical floor, on the same file, in the same run.

    python bench/run.py [--quick] [--json] [--sizes 1000,10000]
    python bench/run.py --pdf [--json]     # the agreement PDF figure only, no books

Every figure is a pair: the app doing the work through its own services, and the
least work that could give the same answer (a hand-written sqlite3 query on the
same book; for the PDF, a bare ReportLab document with the same text). App and
floor runs alternate, and the median of each is kept, so a
busy machine slows both alike and the ratio stays comparable between machines.
"""

from __future__ import annotations

import argparse
import json
import platform
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.make_book import build  # noqa: E402
from exports.agreement_pdf import FAMILY, plain_date, register_fonts, render_agreement  # noqa: E402
from exports.documents import AgreementDocument, CommitmentLine, Party  # noqa: E402
from models.db import Book  # noqa: E402
from models.health import FADE_DAYS  # noqa: E402
from models.services.incidents import all_health  # noqa: E402
from models.services.reminders import due_items  # noqa: E402

TODAY = date(2026, 11, 22)


@dataclass
class Pair:
    name: str
    app_ms: float
    floor_ms: float

    @property
    def ratio(self) -> float:
        return self.app_ms / self.floor_ms if self.floor_ms else float("inf")


def alternate(
    app: Callable[[], object], floor: Callable[[], object], repeat: int
) -> tuple[float, float]:
    """Median milliseconds of ``app`` and ``floor``, run in turn after one warm-up each."""
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
        return (
            raw.execute(RAW_DUE_CLIENTS, (today,)).fetchall()
            + raw.execute(RAW_DUE_FOLLOW_UPS, (today,)).fetchall()
        )

    try:
        app_ms, floor_ms = alternate(lambda: due_items(book, TODAY, horizon_days=0), floor, repeat)
    finally:
        raw.close()
    return Pair("due", app_ms, floor_ms)


# Every visible client with what its score needs from its incidents, aggregated in
# SQL: how many count, their severity points, and how many promises are broken. The
# floor does no Python per client beyond fetching the row.
RAW_HEALTH = """
SELECT c.id, c.cadence_days, c.touch_due_on,
       count(i.id),
       coalesce(sum(CASE i.severity WHEN 'low' THEN 5 WHEN 'medium' THEN 10
                                    WHEN 'high' THEN 20 ELSE 35 END), 0),
       coalesce(sum(i.status != 'resolved'
                    AND i.response_due_at < coalesce(i.responded_at, ?)), 0)
FROM client c
LEFT JOIN incident i ON i.client_id = c.id
     AND (i.status IN ('open', 'acknowledged', 'repairing')
          OR (i.status = 'resolved' AND i.closed_at >= ?))
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

    def floor() -> object:
        return raw.execute(RAW_HEALTH, (now, fade)).fetchall()

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


def run_size(n: int, folder: Path, repeat: int) -> dict[str, Pair]:
    t0 = time.perf_counter()
    book = build(folder / f"bench-{n}.db", n)
    print(f"  built a book of {n} clients in {time.perf_counter() - t0:.1f} s", file=sys.stderr)
    try:
        return {p.name: p for p in [bench_due(book, repeat), bench_health(book, repeat)]}
    finally:
        book.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="10 000 clients only")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--sizes", help="comma-separated client counts")
    parser.add_argument("--repeat", type=int, default=25)
    parser.add_argument(
        "--pdf", action="store_true", help="only the agreement PDF figure (builds no book)"
    )
    args = parser.parse_args()
    print("measuring the agreement PDF…", file=sys.stderr)
    pdf = bench_pdf(args.repeat)
    pdf_out = {
        "pdf_ms": round(pdf.app_ms, 3),
        "pdf_floor_ms": round(pdf.floor_ms, 3),
        "pdf_ratio": round(pdf.ratio, 3),
    }
    if args.pdf:
        if args.json:
            print(json.dumps(pdf_out | {"machine": _machine()}, indent=2))
        else:
            _print_header()
            print(
                f"{'-':>8} {pdf.name:<8} {pdf.app_ms:>9.2f} {pdf.floor_ms:>9.2f} {pdf.ratio:>6.2f}"
            )
        return 0
    sizes = [10_000] if args.quick else [1_000, 10_000, 100_000]
    if args.sizes:
        sizes = [int(x) for x in args.sizes.split(",")]

    by_size: dict[int, dict[str, Pair]] = {}
    with tempfile.TemporaryDirectory(prefix="rapport-bench-") as tmp:
        for n in sizes:
            print(f"measuring {n} clients…", file=sys.stderr)
            by_size[n] = run_size(n, Path(tmp), args.repeat)

    ref = by_size.get(10_000) or by_size[sizes[-1]]
    if args.json:
        out = {
            "due_ms": round(ref["due"].app_ms, 3),
            "due_ratio": round(ref["due"].ratio, 3),
            "health_ms": round(ref["health"].app_ms, 3),
            "health_ratio": round(ref["health"].ratio, 3),
            **pdf_out,
            "by_size": {
                str(n): {f"{k}_ms": round(p.app_ms, 3) for k, p in pairs.items()}
                | {f"{k}_floor_ms": round(p.floor_ms, 3) for k, p in pairs.items()}
                | {f"{k}_ratio": round(p.ratio, 3) for k, p in pairs.items()}
                for n, pairs in by_size.items()
            },
            "machine": _machine(),
        }
        print(json.dumps(out, indent=2))
        return 0
    _print_header()
    print(f"{'-':>8} {pdf.name:<8} {pdf.app_ms:>9.2f} {pdf.floor_ms:>9.2f} {pdf.ratio:>6.2f}")
    for n, pairs in by_size.items():
        for p in pairs.values():
            print(f"{n:>8} {p.name:<8} {p.app_ms:>9.2f} {p.floor_ms:>9.2f} {p.ratio:>6.2f}")
    return 0


def _print_header() -> None:
    print(f"{'clients':>8} {'figure':<8} {'app ms':>9} {'floor ms':>9} {'ratio':>6}")


def _machine() -> str:
    return f"{platform.machine()} {platform.python_version()} sqlite {sqlite3.sqlite_version}"


if __name__ == "__main__":
    sys.exit(main())
