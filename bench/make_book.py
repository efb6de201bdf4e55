"""Build a large synthetic book for benchmarks, deterministic by seed.

    python bench/make_book.py --clients 10000 OUT.db

Rows are written in bulk (the services would take minutes for 500 000 touches),
but every derived column is computed by the same rule functions the services use
(models.reminders.next_touch_due, models.text.fold), so the book is exactly what the
services would have produced; tests/test_bench_book.py checks that on a small book.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from typing import Any  # noqa: E402

from sqlalchemy import insert  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from models.db import Book, open_book  # noqa: E402
from models.entities import (  # noqa: E402
    Channel,
    Client,
    ClientStatus,
    ContactKind,
    ContactPoint,
    FollowUp,
    FollowUpKind,
    Tag,
    Touch,
    client_tag,
)
from models.reminders import CADENCE_PRESETS, later_touch, next_touch_due  # noqa: E402
from models.services.clients import ClientInput, Contact, _search_text, local_date  # noqa: E402

FIRST = [
    "Ada",
    "Ben",
    "Chloé",
    "Dmitri",
    "Elif",
    "Farah",
    "Goran",
    "Hana",
    "Ivo",
    "Jana",
    "Kofi",
    "Lena",
    "Marco",
    "Nia",
    "Omar",
    "Pia",
    "Quinn",
    "Rosa",
    "Sven",
    "Tariq",
    "Uma",
    "Vera",
    "Wim",
    "Xia",
    "Yusuf",
    "Zoë",
    "Łukasz",
    "Søren",
    "Amélie",
    "José",
]
LAST = [
    "Smith",
    "Novak",
    "García",
    "Müller",
    "Rossi",
    "Kowalski",
    "Haddad",
    "Okafor",
    "Tanaka",
    "Silva",
    "Larsen",
    "Dubois",
    "Jansen",
    "Costa",
    "Ivanova",
    "Berg",
    "Moreau",
    "Fischer",
    "Nakamura",
    "Ahmed",
]
ORGS = [
    "Bakery",
    "Studio",
    "Dental",
    "Partners",
    "Consulting",
    "Foundation",
    "Labs",
    "Logistics",
    "Design",
    "Legal",
    "Health",
    "Brewing",
    "Yoga",
    "Architects",
    "Tutoring",
    "Games",
    "Catering",
    "Cycles",
]
TAGS = ["retainer", "project", "vip", "small", "referral", "at-risk", "nonprofit", "colleague"]
CHANNELS = list(Channel)
SUMMARIES = [
    "Quick call about the monthly report",
    "Sent the invoice and a short update",
    "Coffee meeting, talked about next quarter",
    "Answered a question about the budget",
    "Checked in after the launch",
    "Reviewed the draft together",
]


def build(
    path: Path,
    clients: int,
    *,
    touches_per_client: int = 50,
    seed: int = 1,
    today: date | None = None,
) -> Book:
    rng = random.Random(seed)
    today = today or date(2026, 11, 22)
    start = datetime.combine(today - timedelta(days=3 * 365), datetime.min.time(), UTC)
    book = open_book(path)
    presets = list(CADENCE_PRESETS.values())
    with book.session() as s:
        s.execute(insert(Tag), [{"id": i + 1, "name": t} for i, t in enumerate(TAGS)])
        client_rows: list[dict[str, Any]] = []
        contact_rows: list[dict[str, Any]] = []
        tag_rows: list[dict[str, Any]] = []
        touch_rows: list[dict[str, Any]] = []
        fu_rows: list[dict[str, Any]] = []
        touch_id = 0
        for cid in range(1, clients + 1):
            name = f"{rng.choice(FIRST)} {rng.choice(LAST)} {cid}"
            org = f"{rng.choice(LAST)} {rng.choice(ORGS)}"
            email = f"client{cid}@example.org"
            phone = f"+44 20 {rng.randrange(1000, 9999)} {rng.randrange(1000, 9999)}"
            tags = rng.sample(TAGS, rng.randrange(0, 3))
            status = rng.choices(list(ClientStatus), weights=(85, 10, 5))[0]
            cadence = rng.choice(presets) if rng.random() < 0.8 else None
            created = start + timedelta(days=rng.randrange(0, 300), minutes=rng.randrange(600))
            data = ClientInput(
                name=name,
                organisation=org,
                emails=[Contact(email, "work")],
                phones=[Contact(phone, "mobile")],
                tags=tags,
                notes="Prefers email. " * rng.randrange(0, 3),
                status=status,
                cadence_days=cadence,
            )
            last: date | None = None
            n = rng.randrange(touches_per_client // 2, touches_per_client * 3 // 2 + 1)
            span = (datetime.combine(today, datetime.min.time(), UTC) - created).days
            for _ in range(n):
                touch_id += 1
                when = created + timedelta(
                    days=rng.randrange(0, max(span, 1)), minutes=rng.randrange(1440)
                )
                last = later_touch(last, local_date(when))
                touch_rows.append(
                    {
                        "id": touch_id,
                        "uid": f"{touch_id:032x}",
                        "client_id": cid,
                        "happened_at": when,
                        "channel": rng.choice(CHANNELS),
                        "summary": rng.choice(SUMMARIES),
                        "next_step": "",
                        "created_at": when,
                    }
                )
            due = next_touch_due(
                cadence_days=cadence,
                last_touch_on=last,
                added_on=local_date(created),
                status=status,
            )
            client_rows.append(
                {
                    "id": cid,
                    "uid": f"{cid:032x}",
                    "name": name,
                    "organisation": org,
                    "role": "",
                    "notes": data.notes,
                    "status": status,
                    "created_at": created,
                    "updated_at": created,
                    "archived_at": None,
                    "search_text": _search_text(data),
                    "cadence_days": cadence,
                    "last_touch_on": last,
                    "touch_due_on": due,
                    "priority_until": None,
                }
            )
            contact_rows += [
                {
                    "client_id": cid,
                    "kind": ContactKind.EMAIL,
                    "label": "work",
                    "value": email,
                    "position": 0,
                },
                {
                    "client_id": cid,
                    "kind": ContactKind.PHONE,
                    "label": "mobile",
                    "value": phone,
                    "position": 0,
                },
            ]
            tag_rows += [{"client_id": cid, "tag_id": TAGS.index(t) + 1} for t in tags]
            if rng.random() < 0.1:
                fdue = today + timedelta(days=rng.randrange(-20, 20))
                fu_rows.append(
                    {
                        "uid": f"f{cid:031x}",
                        "client_id": cid,
                        "kind": FollowUpKind.MANUAL,
                        "title": "Send the follow-up notes",
                        "note": "",
                        "due_on": fdue,
                        "original_due_on": fdue,
                        "done_at": None,
                        "touch_id": None,
                        "created_at": created,
                    }
                )
            if len(touch_rows) > 50_000:
                _flush(s, client_rows, contact_rows, tag_rows, touch_rows, fu_rows)
        _flush(s, client_rows, contact_rows, tag_rows, touch_rows, fu_rows)
    with book.engine.connect() as conn:
        conn.exec_driver_sql("ANALYZE")
    return book


def _flush(s: Session, *batches: list[dict[str, Any]]) -> None:
    """Insert what is pending, parents before children, and empty the lists."""
    for table, rows in zip(
        (Client, ContactPoint, client_tag, Touch, FollowUp), batches, strict=True
    ):
        if rows:
            s.execute(insert(table), rows)
            rows.clear()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--clients", type=int, default=10_000)
    parser.add_argument("--touches", type=int, default=50, help="average touches per client")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    if args.out.exists():
        print(f"{args.out} exists; choose a new file", file=sys.stderr)
        return 1
    t0 = time.perf_counter()
    build(args.out, args.clients, touches_per_client=args.touches, seed=args.seed).close()
    print(f"wrote {args.out}: {args.clients} clients in {time.perf_counter() - t0:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
