"""Build a large synthetic book for benchmarks, deterministic by seed.

    python bench/make_book.py --clients 10000 OUT.db

Rows are written in bulk (the services would take minutes for 500 000 touches),
but every derived column is computed by the same rule functions the services use
(models.reminders.next_touch_due, models.text.fold, models.incidents.priority_until),
so the book is exactly what the services would have produced;
tests/test_bench_book.py checks that on a small book.

About 5 % of clients have incidents (one, sometimes two), each written as the
incident services would leave it after its life so far: opened with a promised
answer (a response-promise follow-up), acknowledged, answered on time or late or
not at all, repaired, resolved or lost, with a short timeline.
"""

from __future__ import annotations

import argparse
import ast
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

from bench.book_agreements import add_agreements  # noqa: E402
from bench.book_incidents import INCIDENT_SHARE, incident_rows_for  # noqa: E402
from bench.book_rows import Ids, flush  # noqa: E402
from models.db import Book, open_book  # noqa: E402
from models.entities import (  # noqa: E402
    Channel,
    ClientStatus,
    ContactKind,
    FollowUpKind,
    Tag,
)
from models.incidents import IncidentFacts, priority_until  # noqa: E402
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
        incident_rows: list[dict[str, Any]] = []
        entry_rows: list[dict[str, Any]] = []
        touch_id = 0
        ids = Ids()
        # A generator of its own, so the clients and touches are the same as in a
        # book built before incidents existed.
        inc_rng = random.Random(f"{seed}/incidents")
        day_start = datetime.combine(today, datetime.min.time()).astimezone(UTC)
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
            facts: list[IncidentFacts] = []
            if inc_rng.random() < INCIDENT_SHARE:
                for _ in range(1 if inc_rng.random() < 0.8 else 2):
                    facts.append(
                        incident_rows_for(
                            cid,
                            created,
                            day_start,
                            inc_rng,
                            ids,
                            incident_rows,
                            entry_rows,
                            fu_rows,
                        )
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
                    "priority_until": priority_until(facts),
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
                        "id": ids.next("follow_up"),
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
                flush(
                    s,
                    client_rows,
                    contact_rows,
                    tag_rows,
                    touch_rows,
                    fu_rows,
                    incident_rows,
                    entry_rows,
                )
        flush(
            s, client_rows, contact_rows, tag_rows, touch_rows, fu_rows, incident_rows, entry_rows
        )
    add_agreements(book, clients, random.Random(f"{seed}/agreements"), today)
    with book.engine.connect() as conn:
        conn.exec_driver_sql("ANALYZE")
    return book


def cache_dir() -> Path:
    """Where built books are kept between runs (the user cache dir, or $RAPPORT_BENCH_CACHE)."""
    import os

    from platformdirs import user_cache_dir

    folder = os.environ.get("RAPPORT_BENCH_CACHE") or str(Path(user_cache_dir("Rapport")) / "bench")
    return Path(folder)


HERE = Path(__file__).resolve().parent
# The modules whose code decides what a built book holds.
GENERATOR = ("make_book.py", "book_rows.py", "book_incidents.py", "book_agreements.py")


def generator_digest(folder: Path | None = None) -> bytes:
    """The generator's code as the cache key sees it: every top-level statement of
    its modules but imports and docstrings, as Python parses it (comments and
    layout do not count), sorted so that the module a statement is in does not count.

    Moving a definition from one generator module to another, rewording a comment
    or a docstring, or changing where a name is imported from leaves the key as it
    was, so the 100 000-client book is not rebuilt for a refactor; a change to what
    any statement does makes a new key. A new Python whose parser dumps trees
    differently makes new keys once.
    """
    statements: list[str] = []
    for name in GENERATOR:
        tree = ast.parse(((folder or HERE) / name).read_text(encoding="utf-8"))
        for node in tree.body:
            if isinstance(node, ast.Import | ast.ImportFrom) or _is_docstring(node):
                continue
            for inner in ast.walk(node):
                body = getattr(inner, "body", None)
                if isinstance(body, list) and body and _is_docstring(body[0]):
                    inner.body = body[1:] or [ast.Pass()]
            statements.append(ast.dump(node))
    return "\n".join(sorted(statements)).encode()


def _is_docstring(node: ast.AST) -> bool:
    return (
        isinstance(node, ast.Expr)
        and isinstance(node.value, ast.Constant)
        and isinstance(node.value.value, str)
    )


def cached_book(
    clients: int, *, seed: int = 1, touches_per_client: int = 50, folder: Path | None = None
) -> Path:
    """A built book of ``clients`` clients, from the cache when one was built before.

    The cache key is the size, the seed, the touches per client, the schema version
    and what the generator does (``generator_digest``): change the generator or the
    schema and the book is built again. The book is built under a temporary name and
    renamed into place once closed (no -wal file left), so an interrupted build is
    never picked up.
    """
    import hashlib
    import os

    from models.db import SCHEMA_HEAD

    folder = folder or cache_dir()
    folder.mkdir(parents=True, exist_ok=True)
    recipe = f"{clients}/{seed}/{touches_per_client}/{SCHEMA_HEAD}/".encode()
    key = hashlib.sha256(recipe + generator_digest()).hexdigest()[:12]
    path = folder / f"book-{clients}-seed{seed}-{key}.db"
    if path.exists():
        return path
    part = folder / f"building-{os.getpid()}-{path.name}"
    for leftover in (part, Path(f"{part}-wal"), Path(f"{part}-shm")):
        leftover.unlink(missing_ok=True)
    t0 = time.perf_counter()
    build(part, clients, touches_per_client=touches_per_client, seed=seed).close()
    os.replace(part, path)
    print(
        f"  built {path.name} ({clients} clients) in {time.perf_counter() - t0:.1f} s",
        file=sys.stderr,
    )
    return path


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
