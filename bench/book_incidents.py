"""The incidents of the benchmark book: about 5 % of clients have one (sometimes
two), each written as the incident services would leave it after its life so far,
with its promise follow-up and a short timeline. Apart from the client generator
because it has its own random stream and its own rules (models/incidents.py)."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any

from bench.book_rows import Ids
from models.entities import (
    EntryKind,
    FollowUpKind,
    IncidentCategory,
    IncidentStatus,
    Severity,
)
from models.incidents import IncidentFacts
from models.services.clients import local_date
from models.services.incidents import _promise_title

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


def incident_rows_for(
    cid: int,
    created: datetime,
    day_start: datetime,
    rng: random.Random,
    ids: Ids,
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
