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
import random
import sys
import time
from dataclasses import replace
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
    EntryKind,
    FollowUp,
    FollowUpKind,
    Incident,
    IncidentCategory,
    IncidentEntry,
    IncidentStatus,
    Severity,
    Tag,
    Touch,
    client_tag,
)
from models.incidents import IncidentFacts, priority_until  # noqa: E402
from models.reminders import CADENCE_PRESETS, later_touch, next_touch_due  # noqa: E402
from models.services.clients import ClientInput, Contact, _search_text, local_date  # noqa: E402
from models.services.incidents import _promise_title  # noqa: E402

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
INCIDENT_SHARE = 0.05
INCIDENT_TITLES = {
    IncidentCategory.LATE_PAYMENT: "Invoice paid seven weeks late",
    IncidentCategory.MISREAD_PRIORITIES: "Built the dashboard nobody asked for",
    IncidentCategory.DELIVERABLE_QUALITY: "Report went out with wrong totals",
    IncidentCategory.MONEY_SURPRISE: "Extra days billed without warning",
    IncidentCategory.COMMUNICATION: "Two weeks without an update",
    IncidentCategory.MISSED_DEADLINE: "Launch slipped past the trade fair",
    IncidentCategory.WRONG_FIT: "They wanted a full-time team",
    IncidentCategory.BEYOND_SKILLS: "Asked for a native mobile app",
    IncidentCategory.CLAIM_THREATENED: "Threatens to claim the lost sales",
    IncidentCategory.OTHER: "Mix-up over the meeting room",
}
ENTRY_TEXTS = [
    "Called to hear their side; mostly listened",
    "Sent a written summary of what went wrong",
    "Agreed a fix and a date with their manager",
    "Checked the fix with them on a call",
    "They replied: better, but still wary",
]
# Status, weight: a book with history has more closed incidents than open ones.
INCIDENT_STATUSES = (
    (IncidentStatus.OPEN, 15),
    (IncidentStatus.ACKNOWLEDGED, 15),
    (IncidentStatus.REPAIRING, 20),
    (IncidentStatus.RESOLVED, 35),
    (IncidentStatus.LOST, 15),
)


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
        ids = _Ids()
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
                        _incident(
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
                _flush(
                    s,
                    client_rows,
                    contact_rows,
                    tag_rows,
                    touch_rows,
                    fu_rows,
                    incident_rows,
                    entry_rows,
                )
        _flush(
            s, client_rows, contact_rows, tag_rows, touch_rows, fu_rows, incident_rows, entry_rows
        )
    _agreements(book, clients, random.Random(f"{seed}/agreements"), today)
    with book.engine.connect() as conn:
        conn.exec_driver_sql("ANALYZE")
    return book


AGREEMENT_SHARE = 0.0105  # of clients without an incident; 20 % of those with one
AGREEMENT_TITLES = [
    "How we work together from here",
    "Monthly reporting and response times",
    "Scope of the shop relaunch",
    "Payment terms and next steps",
    "Support hours and named contacts",
]
AGREEMENT_POINTS = [
    "Updates come in writing every Friday, even when there is little to say.",
    "Questions are collected in one shared list, answered within two working days.",
    "Changes of scope are priced before any work starts.",
    "One named contact on each side; holidays are announced a week ahead.",
    "Invoices go out monthly with the hours per task.",
    "The launch date is fixed only once the content is complete.",
]
OUR_COMMITMENTS = [
    "Send the revised plan with dates",
    "Fix the totals in the quarterly report",
    "Hold a weekly 20-minute call",
    "Credit the extra days billed in March",
    "Write up the handover notes",
]
THEIR_COMMITMENTS = [
    "Send the product photos and texts",
    "Name one person who signs off changes",
    "Pay the open invoice",
]


def _agreements(book: Book, clients: int, rng: random.Random, today: date) -> None:
    """Agreements for about 2 % of clients, written through the agreement services
    themselves (create, finalise with the real PDF renderer, commitments kept or
    broken, a new version now and then): they are few, and finalising renders and
    hashes a PDF, which is exactly what the services must be trusted to do.

    Clients with an incident are likelier to have one, tied to their newest incident,
    dated after it opened. A quarter stay drafts; of the final ones some commitments
    were kept or broken on their due date and the rest are open (overdue ones count
    in health); about one in seven was replaced by a final second version.
    """
    from sqlalchemy import select as _select

    from models.entities import CommitmentState, Incident, Side
    from models.services.agreement_documents import pdf_renderer
    from models.services.agreements import (
        AgreementInput,
        CommitmentInput,
        create_agreement,
        finalise,
        get_agreement,
        new_version,
        set_commitment_state,
        update_draft,
    )
    from models.services.consultant import ConsultantSettings, set_settings

    with book.engine.connect() as conn:
        newest: dict[int, tuple[int, datetime]] = {}
        for cid, iid, opened in conn.execute(
            _select(Incident.client_id, Incident.id, Incident.opened_at).order_by(Incident.id)
        ):
            newest[cid] = (iid, opened)
    set_settings(
        book,
        ConsultantSettings(
            name="Jonas Weber",
            business="Weber Web Studio",
            address="Lindenstraße 12\n10969 Berlin",
            email="jonas@weber-web.example",
            phone="+49 30 5550 1234",
        ),
    )
    from exports.pdf import bind_renderers

    bind_renderers()  # as main.py does: finalising prints through exports/pdf
    render = pdf_renderer(book)
    last_day = today - timedelta(days=1)

    def at(day: date, hour: int) -> datetime:
        return datetime.combine(day, datetime.min.time(), UTC) + timedelta(hours=hour)

    for cid in range(1, clients + 1):
        incident = newest.get(cid)
        if rng.random() >= (0.2 if incident else AGREEMENT_SHARE):
            continue
        if incident is not None:
            dated = min(last_day, local_date(incident[1]) + timedelta(days=rng.randrange(1, 21)))
        else:
            dated = today - timedelta(days=rng.randrange(5, 400))
        commitments = [
            CommitmentInput(
                side,
                text,
                dated + timedelta(days=rng.randrange(7, 120)) if rng.random() < 0.7 else None,
            )
            for side, pool, most in (
                (Side.OURS, OUR_COMMITMENTS, 4),
                (Side.THEIRS, THEIR_COMMITMENTS, 3),
            )
            for text in rng.sample(pool, rng.randint(1, most))
        ]
        data = AgreementInput(
            title=rng.choice(AGREEMENT_TITLES),
            dated=dated,
            context=f"After our call on {dated:%d %B %Y} we agreed how to go on.",
            points=rng.sample(AGREEMENT_POINTS, rng.randint(3, 5)),
            commitments=commitments,
            review_on=dated + timedelta(days=90) if rng.random() < 0.7 else None,
        )
        aid = create_agreement(
            book, cid, data, incident_id=incident[0] if incident else None, now=at(dated, 9)
        )
        if rng.random() < 0.25:
            continue  # still a draft
        finalise(book, aid, render, now=at(dated, 16))
        # A second version a month later replaces the first; until then (or until
        # today) commitments of the first were kept or broken on their due date.
        again = dated + timedelta(days=30)
        renewed = again < last_day and rng.random() < 0.15
        settled_until = again if renewed else today
        for c in get_agreement(book, aid).commitments:
            if c.due_on is not None and c.due_on < settled_until:
                state = rng.choices(
                    (CommitmentState.KEPT, CommitmentState.BROKEN, CommitmentState.OPEN),
                    weights=(60, 10, 30),
                )[0]
                if state is not CommitmentState.OPEN:
                    set_commitment_state(book, c.id, state, now=at(c.due_on, 17))
        if renewed:
            v2 = new_version(book, aid, now=at(again, 9))
            extra = CommitmentInput(
                Side.OURS, "Check in by phone after the review", again + timedelta(days=14)
            )
            # Edited in the editor: the service rewrites the draft's commitment list.
            update_draft(
                book, v2, replace(data, commitments=[*commitments, extra]), now=at(again, 9)
            )
            finalise(book, v2, render, now=at(again, 15))


def _flush(s: Session, *batches: list[dict[str, Any]]) -> None:
    """Insert what is pending, parents before children, and empty the lists."""
    for table, rows in zip(
        (Client, ContactPoint, client_tag, Touch, FollowUp, Incident, IncidentEntry),
        batches,
        strict=True,
    ):
        if rows:
            s.execute(insert(table), rows)
            rows.clear()


class _Ids:
    """Row ids handed out in Python, so a row can point at one not yet inserted."""

    def __init__(self) -> None:
        self._last: dict[str, int] = {}

    def next(self, table: str) -> int:
        self._last[table] = self._last.get(table, 0) + 1
        return self._last[table]


def _incident(
    cid: int,
    created: datetime,
    day_start: datetime,
    rng: random.Random,
    ids: _Ids,
    incident_rows: list[dict[str, Any]],
    entry_rows: list[dict[str, Any]],
    fu_rows: list[dict[str, Any]],
) -> IncidentFacts:
    """One incident as open_incident, set_status, record_response and add_entry would
    have left it; returns the facts the priority rule reads."""
    status = rng.choices(
        [st for st, _ in INCIDENT_STATUSES], weights=[w for _, w in INCIDENT_STATUSES]
    )[0]
    severity = rng.choices(list(Severity), weights=(20, 35, 30, 15))[0]
    category = rng.choice(list(IncidentCategory))
    title = INCIDENT_TITLES[category]
    # Opened in the last 200 days (never before the client was added), all of its
    # life before the start of the benchmark's day.
    earliest = max(created + timedelta(days=1), day_start - timedelta(days=200))
    opened = earliest + (day_start - timedelta(hours=2) - earliest) * rng.random()
    end = day_start - timedelta(minutes=1)
    iid = ids.next("incident")

    def later(after: datetime, hours: float) -> datetime:
        return min(end, after + timedelta(hours=hours))

    acknowledged = None
    if status is not IncidentStatus.OPEN and not (
        status is IncidentStatus.LOST and rng.random() < 0.3
    ):
        acknowledged = later(opened, rng.uniform(0.5, 30))
    promise_hours = rng.choice((None, 4, 24, 24, 48))
    due_at = opened + timedelta(hours=promise_hours) if promise_hours is not None else None
    responded = None
    if acknowledged is not None and due_at is not None and rng.random() < 0.75:
        # Most answers come in time; about a third of them late (a breach on record).
        responded = later(
            acknowledged, rng.uniform(1, promise_hours * (1.6 if rng.random() < 0.35 else 0.9))
        )
        responded = max(responded, acknowledged)
    closed = None
    last = max(t for t in (opened, acknowledged, responded) if t is not None)
    if status in (IncidentStatus.RESOLVED, IncidentStatus.LOST):
        closed = later(last, rng.uniform(24, 24 * 40))
        last = closed

    fu_id = None
    if due_at is not None:
        fu_id = ids.next("follow_up")
        settled = responded or closed  # record_response, or closing, marks it done
        fu_rows.append(
            {
                "id": fu_id,
                "uid": f"e{fu_id:031x}",
                "client_id": cid,
                "kind": FollowUpKind.RESPONSE_PROMISE,
                "title": _promise_title(title),
                "note": "",
                "due_on": local_date(due_at),
                "original_due_on": local_date(due_at),
                "done_at": settled,
                "touch_id": None,
                "created_at": opened,
            }
        )
    incident_rows.append(
        {
            "id": iid,
            "uid": f"1{iid:031x}",
            "client_id": cid,
            "title": title,
            "category": category,
            "severity": severity,
            "status": status,
            "client_view": "They felt left alone with the problem.",
            "our_view": "We should have called the same day.",
            "our_mistakes": "",
            "client_contribution": "",
            "opened_at": opened,
            "acknowledged_at": acknowledged,
            "closed_at": closed,
            "response_due_at": due_at,
            "responded_at": responded,
            "promise_follow_up_id": fu_id,
            "updated_at": last,
        }
    )
    for k in range(rng.randint(2, 5)):
        eid = ids.next("entry")
        happened = opened + (last - opened) * ((k + rng.random()) / 5)
        entry_rows.append(
            {
                "id": eid,
                "uid": f"2{eid:031x}",
                "incident_id": iid,
                "kind": rng.choice(list(EntryKind)),
                "happened_at": happened,
                "text": ENTRY_TEXTS[k],
                "created_at": happened,
                "edited_at": None,
            }
        )
    return IncidentFacts(
        severity=severity,
        status=status,
        closed_on=local_date(closed) if closed is not None else None,
        response_due_at=due_at,
        responded_at=responded,
        category=category,
        title=title,
        opened_on=local_date(opened),
    )


def cache_dir() -> Path:
    """Where built books are kept between runs (the user cache dir, or $RAPPORT_BENCH_CACHE)."""
    import os

    from platformdirs import user_cache_dir

    folder = os.environ.get("RAPPORT_BENCH_CACHE") or str(Path(user_cache_dir("Rapport")) / "bench")
    return Path(folder)


def cached_book(
    clients: int, *, seed: int = 1, touches_per_client: int = 50, folder: Path | None = None
) -> Path:
    """A built book of ``clients`` clients, from the cache when one was built before.

    The cache key is the size, the seed, the touches per client, the schema version
    and this file's own text: change the generator or the schema and the book is
    built again. The book is built under a temporary name and renamed into place
    once closed (no -wal file left), so an interrupted build is never picked up.
    """
    import hashlib
    import os

    from models.db import SCHEMA_HEAD

    folder = folder or cache_dir()
    folder.mkdir(parents=True, exist_ok=True)
    recipe = f"{clients}/{seed}/{touches_per_client}/{SCHEMA_HEAD}/".encode()
    key = hashlib.sha256(recipe + Path(__file__).read_bytes()).hexdigest()[:12]
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
