"""Writing a book as a document: every client, archived ones included, in an order
that depends only on the data, and no export time, so exporting the same book
twice gives the same bytes and exports diff cleanly."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import String, select, type_coerce
from sqlalchemy.orm import Session, selectinload, undefer

from exports.book_json.format import _STEP_NUMBERS, FORMAT, VERSION, WEEKDAYS
from models.agreements import points_from_text
from models.db import Book
from models.documents import PageSize
from models.entities import (
    Agreement,
    AgreementStatus,
    Client,
    ClientStatus,
    CommitmentState,
    ContactKind,
    EntryKind,
    Evidence,
    FollowUp,
    FollowUpKind,
    Incident,
    IncidentCategory,
    IncidentEntry,
    IncidentStatus,
    RepairEnding,
    RepairPlan,
    RepairPlanStatus,
    Severity,
    Side,
    StoredFile,
    Touch,
)
from models.repair import FIELDS, Kind
from models.services.consultant import read_settings
from models.services.work_settings import read_work_settings

# Times and the channel as the book stores them (text), not as Python objects: a
# book's touches are most of its rows, and their stored text turns straight into
# the file's (_stored_iso), where a datetime would be made only to be written again.
_TOUCH_COLUMNS = select(
    Touch.id,
    Touch.client_id,
    Touch.uid,
    type_coerce(Touch.happened_at, String),
    type_coerce(Touch.channel, String),
    Touch.summary,
    Touch.next_step,
    type_coerce(Touch.created_at, String),
)
_FOLLOW_UP_COLUMNS = select(
    FollowUp.id,
    FollowUp.client_id,
    FollowUp.uid,
    FollowUp.kind,
    FollowUp.title,
    FollowUp.note,
    FollowUp.due_on,
    FollowUp.original_due_on,
    FollowUp.done_at,
    FollowUp.touch_id,
    FollowUp.created_at,
)


def export_book(book: Book) -> dict[str, Any]:
    """Every client, archived ones included, in an order that depends only on the data."""
    with book.reader() as s:
        clients = s.scalars(
            select(Client)
            .order_by(Client.uid)
            .options(selectinload(Client.contacts), selectinload(Client.tags))
        ).all()
        # Plain rows, not ORM objects: the history is most of a book, and the
        # documents only read these columns. Each touch is kept as (when, id, its
        # object), so sorting a client's touches never compares the objects.
        touches: dict[int, list[tuple[str, str, dict[str, Any]]]] = {}
        touch_uids: dict[int, str] = {}
        client_touches: dict[int, dict[int, str]] = {}
        for tid, cid, uid, happened, channel, summary, next_step, created in s.execute(
            _TOUCH_COLUMNS
        ):
            at = _stored_iso(happened)
            doc = {
                "id": uid,
                "happened_at": at,
                "channel": channel,
                "summary": summary,
                "next_step": next_step,
                "created_at": _stored_iso(created),
            }
            touches.setdefault(cid, []).append((at, uid, doc))
            touch_uids[tid] = uid
            client_touches.setdefault(cid, {})[tid] = uid
        follow_ups: dict[int, list[Any]] = {}
        fu_uids: dict[int, str] = {}
        for fu in s.execute(_FOLLOW_UP_COLUMNS):
            follow_ups.setdefault(fu.client_id, []).append(fu)
            fu_uids[fu.id] = fu.uid
        incidents = _incident_docs(s, fu_uids, client_touches)
        agreements = _agreement_docs(s, fu_uids)
        consultant = _consultant_doc(s)
        docs = [
            _client_doc(
                c,
                touches.get(c.id, []),
                follow_ups.get(c.id, []),
                touch_uids,
                incidents.get(c.id, []),
                agreements.get(c.id, []),
            )
            for c in sorted(clients, key=lambda c: c.uid)
        ]
    return {"format": FORMAT, "version": VERSION, "consultant": consultant, "clients": docs}


def _consultant_doc(s: Session) -> dict[str, Any]:
    """The consultant's own details and print settings (the "us" on every document)."""
    me = read_settings(s)
    return {
        "name": me.name,
        "business": me.business,
        "address": me.address,
        "email": me.email,
        "phone": me.phone,
        "logo_png": base64.b64encode(me.logo_png).decode("ascii") if me.logo_png else None,
        "page_size": PageSize(me.page_size).value,
        "work": _work_doc(s),
    }


def _work_doc(s: Session) -> dict[str, Any]:
    """The working week and date style as the book applies them (defaults filled)."""
    work = read_work_settings(s)
    week = work.week
    return {
        "days": [WEEKDAYS[d] for d in sorted(week.days)],
        "starts": week.start.strftime("%H:%M"),
        "ends": week.end.strftime("%H:%M"),
        "holiday_country": week.country,
        "holiday_subdivision": week.subdivision,
        "date_locale": work.locale,
    }


def _agreement_docs(s: Session, fu_uids: dict[int, str]) -> dict[int, list[dict[str, Any]]]:
    """Every client's agreements, by number then version, each with its commitments
    (ours, then theirs, in their printed order) and a final one's stored PDF."""
    rows = s.scalars(
        select(Agreement).options(undefer(Agreement.pdf), selectinload(Agreement.commitments))
    ).all()
    uids = {a.id: a.uid for a in rows}
    inc_uids = dict(s.execute(select(Incident.id, Incident.uid)).all())
    by_client: dict[int, list[Agreement]] = {}
    for ag in rows:
        by_client.setdefault(ag.client_id, []).append(ag)
    return {
        cid: [
            _agreement_doc(ag, uids, inc_uids, fu_uids)
            for ag in sorted(ags, key=lambda a: (a.number, a.version, a.uid))
        ]
        for cid, ags in by_client.items()
    }


def _agreement_doc(
    ag: Agreement, uids: dict[int, str], inc_uids: dict[int, str], fu_uids: dict[int, str]
) -> dict[str, Any]:
    def link(table: dict[int, str], key: int | None) -> str | None:
        return table.get(key) if key is not None else None

    side_order = {Side.OURS: 0, Side.THEIRS: 1}
    return {
        "id": ag.uid,
        "number": ag.number,
        "version": ag.version,
        "title": ag.title,
        "dated": ag.dated.isoformat(),
        "status": AgreementStatus(ag.status).value,
        "incident": link(inc_uids, ag.incident_id),
        "supersedes": link(uids, ag.supersedes_id),
        "context": ag.context,
        "points": points_from_text(ag.points),
        "review_on": ag.review_on.isoformat() if ag.review_on else None,
        "review_follow_up": link(fu_uids, ag.review_follow_up_id),
        "finalised_at": _iso_or_none(ag.finalised_at),
        "created_at": _iso(ag.created_at),
        "updated_at": _iso(ag.updated_at),
        "commitments": [
            {
                "id": c.uid,
                "side": Side(c.side).value,
                "text": c.text,
                "due_on": c.due_on.isoformat() if c.due_on else None,
                "state": CommitmentState(c.state).value,
                "follow_up": link(fu_uids, c.follow_up_id),
            }
            for c in sorted(
                ag.commitments, key=lambda c: (side_order[Side(c.side)], c.position, c.uid)
            )
        ],
        "pdf_sha256": ag.pdf_sha256,
        "pdf": base64.b64encode(ag.pdf).decode("ascii") if ag.pdf is not None else None,
    }


def _incident_docs(
    s: Session, fu_uids: dict[int, str], client_touches: dict[int, dict[int, str]]
) -> dict[int, list[dict[str, Any]]]:
    """Every client's incidents as file objects, oldest first, each with its
    timeline (by when it happened), evidence (by when it was added) and repair
    plans (by when they were started)."""
    entries: dict[int, list[IncidentEntry]] = {}
    for e in s.scalars(select(IncidentEntry)):
        entries.setdefault(e.incident_id, []).append(e)
    evidence: dict[int, list[tuple[Evidence, StoredFile]]] = {}
    for ev, f in s.execute(
        select(Evidence, StoredFile).join(StoredFile, StoredFile.id == Evidence.file_id)
    ):
        evidence.setdefault(ev.incident_id, []).append((ev, f))
    plans: dict[int, list[RepairPlan]] = {}
    for plan in s.scalars(select(RepairPlan)):
        plans.setdefault(plan.incident_id, []).append(plan)
    agreement_uids: dict[int, str] = dict(s.execute(select(Agreement.id, Agreement.uid)).all())
    by_client: dict[int, list[Incident]] = {}
    for inc in s.scalars(select(Incident)):
        by_client.setdefault(inc.client_id, []).append(inc)
    docs: dict[int, list[dict[str, Any]]] = {}
    for cid, incs in by_client.items():
        touch_uids = client_touches.get(cid, {})
        docs[cid] = []
        for inc in sorted(incs, key=lambda i: (i.opened_at, i.uid)):
            inc_entries, inc_evidence = entries.get(inc.id, []), evidence.get(inc.id, [])
            links = {
                "evidence_ids": {ev.id: ev.uid for ev, _f in inc_evidence},
                "entry_ids": {e.id: e.uid for e in inc_entries},
                "touch_ids": touch_uids,
            }
            docs[cid].append(
                _incident_doc(inc, inc_entries, inc_evidence, fu_uids)
                | {
                    "repair_plans": [
                        _plan_doc(plan, links, agreement_uids)
                        for plan in sorted(
                            plans.get(inc.id, []), key=lambda p: (p.started_at, p.uid)
                        )
                    ]
                }
            )
    return docs


def _plan_doc(
    plan: RepairPlan, links: dict[str, dict[int, str]], agreement_uids: dict[int, str]
) -> dict[str, Any]:
    """A repair plan as the file keeps it: its answers in the order the wizard asks
    for them, and every link to another row by that row's id."""
    return {
        "id": plan.uid,
        "status": RepairPlanStatus(plan.status).value,
        "current_step": plan.current_step,
        "answers": _answers_doc(plan.answers, links),
        "skipped": _step_numbers(plan.skipped),
        "done": _step_numbers(plan.done),
        "ending": RepairEnding(plan.ending).value if plan.ending is not None else None,
        "agreement": (
            agreement_uids.get(plan.agreement_id) if plan.agreement_id is not None else None
        ),
        "started_at": _iso(plan.started_at),
        "updated_at": _iso(plan.updated_at),
        "finished_at": _iso_or_none(plan.finished_at),
    }


def _answers_doc(stored: str, links: dict[str, dict[int, str]]) -> dict[str, Any]:
    """The stored answers, step by step in the wizard's order. Links to rows that
    are gone (or belong elsewhere) are left out, as the wizard would not show them."""
    try:
        data = json.loads(stored or "{}")
    except json.JSONDecodeError:
        data = {}
    if not isinstance(data, dict):
        data = {}
    out: dict[str, Any] = {}
    for fields in FIELDS.values():
        for name, kind in fields.items():
            if name not in data:
                continue
            value = data[name]
            if kind is Kind.IDS:
                table = links[name]
                ids = value if isinstance(value, list) else []
                value = [table[i] for i in ids if isinstance(i, int) and i in table]
            elif kind is Kind.COMMITMENTS and isinstance(value, list):
                value = [
                    {"text": c.get("text", ""), "due_on": c.get("due_on")}
                    for c in value
                    if isinstance(c, dict)
                ]
            out[name] = value
    return out


def _step_numbers(stored: str) -> list[int]:
    """ "2,5" as [2, 5]: the steps a plan skipped, or moved on from."""
    found = {int(p) for p in (stored or "").split(",") if p.strip().isdigit()}
    return sorted(n for n in found if n in _STEP_NUMBERS)


def _incident_doc(
    inc: Incident,
    entries: list[IncidentEntry],
    evidence: list[tuple[Evidence, StoredFile]],
    fu_uids: dict[int, str],
) -> dict[str, Any]:
    return {
        "id": inc.uid,
        "title": inc.title,
        "category": IncidentCategory(inc.category).value,
        "severity": Severity(inc.severity).value,
        "status": IncidentStatus(inc.status).value,
        "client_view": inc.client_view,
        "our_view": inc.our_view,
        "our_mistakes": inc.our_mistakes,
        "client_contribution": inc.client_contribution,
        "opened_at": _iso(inc.opened_at),
        "acknowledged_at": _iso_or_none(inc.acknowledged_at),
        "closed_at": _iso_or_none(inc.closed_at),
        "response_due_at": _iso_or_none(inc.response_due_at),
        "responded_at": _iso_or_none(inc.responded_at),
        "promise_follow_up": (
            fu_uids.get(inc.promise_follow_up_id) if inc.promise_follow_up_id is not None else None
        ),
        "updated_at": _iso(inc.updated_at),
        "timeline": [
            {
                "id": e.uid,
                "kind": EntryKind(e.kind).value,
                "happened_at": _iso(e.happened_at),
                "text": e.text,
                "created_at": _iso(e.created_at),
                "edited_at": _iso_or_none(e.edited_at),
            }
            for e in sorted(entries, key=lambda e: (e.happened_at, e.uid))
        ],
        "evidence": [
            {
                "id": ev.uid,
                "original_name": ev.original_name,
                "sha256": f.sha256,
                "size": f.size,
                "added_at": _iso(ev.added_at),
            }
            for ev, f in sorted(evidence, key=lambda pair: (pair[0].added_at, pair[0].uid))
        ],
    }


def _client_doc(
    c: Client,
    touches: list[tuple[str, str, dict[str, Any]]],
    follow_ups: list[Any],
    touch_uids: dict[int, str],
    incidents: list[dict[str, Any]],
    agreements: list[dict[str, Any]],
) -> dict[str, Any]:
    # last_touch_on and touch_due_on are left out on purpose: they follow from the
    # touches and the rules, and an import recomputes them rather than trusting a file.
    return {
        "id": c.uid,
        "name": c.name,
        "organisation": c.organisation,
        "role": c.role,
        "status": ClientStatus(c.status).value,
        "notes": c.notes,
        "emails": _contacts_doc(c, ContactKind.EMAIL),
        "phones": _contacts_doc(c, ContactKind.PHONE),
        "tags": sorted((t.name for t in c.tags), key=lambda n: (n.casefold(), n)),
        "cadence_days": c.cadence_days,
        "priority_until": c.priority_until.isoformat() if c.priority_until else None,
        "created_at": _iso(c.created_at),
        "updated_at": _iso(c.updated_at),
        "archived_at": _iso(c.archived_at) if c.archived_at is not None else None,
        "touches": [doc for _at, _uid, doc in sorted(touches)],
        "follow_ups": [
            _follow_up_doc(fu, touch_uids)
            for fu in sorted(follow_ups, key=lambda fu: (fu.due_on, fu.uid))
        ],
        "incidents": incidents,
        "agreements": agreements,
    }


def _follow_up_doc(fu: Any, touch_uids: dict[int, str]) -> dict[str, Any]:
    return {
        "id": fu.uid,
        "kind": FollowUpKind(fu.kind).value,
        "title": fu.title,
        "note": fu.note,
        "due_on": fu.due_on.isoformat(),
        "original_due_on": fu.original_due_on.isoformat(),
        "done_at": _iso(fu.done_at) if fu.done_at is not None else None,
        "touch": touch_uids.get(fu.touch_id) if fu.touch_id is not None else None,
        "created_at": _iso(fu.created_at),
    }


def _contacts_doc(c: Client, kind: ContactKind) -> list[dict[str, str]]:
    points = sorted((p for p in c.contacts if p.kind == kind), key=lambda p: p.position)
    return [{"value": p.value, "label": p.label} for p in points]


def _iso(moment: datetime) -> str:
    # Always microseconds and "+00:00", so the same moment is always the same text.
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def _stored_iso(stored: str) -> str:
    """A time as the book stores it ("2025-03-14 09:30:00.000000", naive UTC) in the
    file's form ("2025-03-14T09:30:00.000000+00:00"), which _iso gives too; text
    stored some other way is read and written the long way."""
    if len(stored) == 26 and stored[10] == " " and stored[19] == ".":
        return f"{stored[:10]}T{stored[11:]}+00:00"
    return _iso(datetime.fromisoformat(stored).replace(tzinfo=UTC))


def _iso_or_none(moment: datetime | None) -> str | None:
    return _iso(moment) if moment is not None else None
