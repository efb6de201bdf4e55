"""A realistic demo book, so a first-time user (and a screenshot) sees a lived-in book.

The data is in ``models.demo_data``; everything here is written through the
services' own session-level writers (``add_clients_in``, ``log_touch_in``,
``add_follow_ups_in``, ``add_incidents_in``, ``add_entries_in``,
``add_evidence_in``, ``add_agreements_in``, ``finalise_in``, ``add_plans_in``), so
the demo's rows are the rows the app writes. Timestamps and ids come from a seeded
generator: the same seed and ``now`` give the same book, byte for byte in an export.

Keep-in-touch data is laid out backwards from the day the demo is made, so the
Today view looks lived-in whenever it is first opened. Incidents: one critical and
still open with its promised answer overdue, one high being repaired, one resolved a
fortnight ago and one that lost a client, with evidence files the demo writes
itself. Their promises are counted in working time by the app's own rule, so none
falls on a day off or outside working hours. The incident being repaired went
through the whole wizard and ended in the final agreement; the critical claim has a
plan stopped on step 5, ready to resume.
"""

from __future__ import annotations

import random
import tempfile
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models.agreements import agreed_entry, points_from_text
from models.db import Book
from models.demo_data import (  # noqa: F401 - re-exported: tests and callers read them here
    DEMO_AGREEMENTS,
    DEMO_CLIENTS,
    DEMO_CONSULTANT,
    DEMO_FILES,
    DEMO_FOLLOW_UPS,
    DEMO_INCIDENTS,
    DEMO_RHYTHMS,
    HISTORY_DAYS,
    NEWEST_DAYS,
    NEXT_STEPS,
    SUMMARIES,
    TOUCH_HISTORY_DAYS,
    DemoClient,
    DemoIncident,
    DemoRhythm,
    finished_answers,
    resumed_answers,
)
from models.entities import (
    Agreement,
    Channel,
    Client,
    EntryKind,
    Evidence,
    FollowUp,
    FollowUpKind,
    Incident,
    IncidentEntry,
    RepairEnding,
    RepairPlanStatus,
    Side,
    Touch,
)
from models.errors import RapportError
from models.repair import PLAYBOOK, Step, default_review_on
from models.services.agreement_documents import Renderer, pdf_renderer
from models.services.agreements import NewAgreement, NewCommitment, add_agreements_in, finalise_in
from models.services.clients import (
    NewClient,
    add_clients_in,
    local_date,
    recompute_touch_due,
    validate_client,
)
from models.services.consultant import set_settings_in, validate_settings
from models.services.incident_evidence import store_file
from models.services.incident_writers import (
    NewEntry,
    NewEvidence,
    NewIncident,
    add_entries_in,
    add_evidence_in,
    add_incidents_in,
    refresh_priority_in,
    stored_files_in,
)
from models.services.incidents import _promise_title
from models.services.reminders import NewFollowUp, TouchInput, add_follow_ups_in, log_touch_in
from models.services.repair import NewPlan, add_plans_in
from models.services.work_settings import read_working_week
from models.types import utcnow
from models.working_time import WorkingWeek, due_after_local


class DemoError(RapportError, ValueError):
    """The demo cannot go into this book; the message says why, for the user."""


def fill_demo(book: Book, *, seed: int = 7, now: datetime | None = None) -> int:
    """Fill an empty book with the demo clients, in one unit of work.

    The same ``seed`` and ``now`` give the same ids and timestamps, so tests (and
    screenshots) can rely on them. Refuses a book that already has clients rather
    than mixing invented people into real ones.
    """
    now = now or utcnow()
    if now.utcoffset() is None:
        raise ValueError("fill_demo needs an aware datetime for now.")
    rng = random.Random(seed)
    render = pdf_renderer(book)  # before the unit of work: it reads the settings itself
    stored = _store_files(book, local_date(now))
    with book.session() as s:
        if s.scalar(select(func.count(Client.id))):
            raise DemoError("The demo can only fill an empty book; this one already has clients.")
        clients = _add_clients(s, rng, now)
        # A generator per part, so adding one part leaves the others' ids and dates
        # exactly what they were.
        _fill_reminders(s, clients, random.Random(f"{seed}/reminders"), now)
        week = read_working_week(s)
        _fill_incidents(s, stored, clients, random.Random(f"{seed}/incidents"), now, week)
        _fill_agreements(s, clients, random.Random(f"{seed}/agreements"), now, render)
        _fill_repairs(s, clients, random.Random(f"{seed}/repairs"), now)
    return len(DEMO_CLIENTS)


def _uid(rng: random.Random) -> str:
    return uuid.UUID(int=rng.getrandbits(128), version=4).hex


def _at(day: date, rng: random.Random) -> datetime:
    """A moment during working hours on ``day`` in the user's own time zone, so the
    touch lands on that calendar day whatever the zone."""
    local = datetime(day.year, day.month, day.day, rng.randint(8, 17), rng.randrange(60))
    return local.astimezone().astimezone(UTC)


def _add_clients(s: Session, rng: random.Random, now: datetime) -> dict[str, Client]:
    rows: list[NewClient] = []
    for demo in DEMO_CLIENTS:
        data = demo.as_input()
        errors = validate_client(data)
        if errors:  # a mistake in the table, not the user's
            raise ValueError(f"Demo client {demo.key!r} is invalid: {errors}")
        uid = _uid(rng)
        created_at = now - timedelta(
            days=rng.uniform(NEWEST_DAYS, HISTORY_DAYS), seconds=rng.randrange(86_400)
        )
        updated_at = created_at + (now - created_at) * rng.random()
        archived_at = updated_at + (now - updated_at) * rng.random() if demo.archived else None
        rows.append(NewClient(data.cleaned(), created_at, updated_at, uid, archived_at))
    ids = add_clients_in(s, rows)
    found = {c.id: c for c in s.scalars(select(Client).where(Client.id.in_(ids)))}
    return {demo.key: found[cid] for demo, cid in zip(DEMO_CLIENTS, ids, strict=True)}


# --------------------------------------------------------------------------- touches


def _fill_reminders(
    s: Session, clients: dict[str, Client], rng: random.Random, now: datetime
) -> None:
    """Touches through ``log_touch_in`` (the dialog's writer) and the curated open
    follow-ups through ``add_follow_ups_in``."""
    today = local_date(now)
    for key, rhythm in DEMO_RHYTHMS.items():
        client = clients[key]
        client.cadence_days = rhythm.cadence_days
        recompute_touch_due(client)
        last_day = today - timedelta(days=rhythm.latest_touch_ago())
        if local_date(client.created_at) >= last_day:
            # Nobody is touched before they are added: this one goes back further.
            client.created_at = _at(last_day - timedelta(days=rng.randint(30, 200)), rng)
            client.updated_at = max(client.updated_at, client.created_at)
            recompute_touch_due(client)
        # From the day after the client was added, so no touch comes before it.
        added_next_day = local_date(client.created_at) + timedelta(days=1)
        first_day = max(added_next_day, today - timedelta(TOUCH_HISTORY_DAYS))
        for day in _history_days(rhythm, first_day, last_day, rng):
            _log_touch(s, client, rhythm, day, last_day, today, rng, now)
    rows: list[NewFollowUp] = []
    for fu in DEMO_FOLLOW_UPS:
        due_on = today + timedelta(days=fu.due_in)
        original = today + timedelta(days=fu.snoozed_from) if fu.snoozed_from else due_on
        created_at = min(now, _at(today - timedelta(days=fu.created_ago), rng))
        rows.append(
            NewFollowUp(
                clients[fu.key].id,
                fu.kind,
                fu.title,
                due_on,
                created_at,
                note=fu.note,
                original_due_on=original,
                uid=_uid(rng),
            )
        )
    add_follow_ups_in(s, rows)


def _history_days(
    rhythm: DemoRhythm, first_day: date, last_day: date, rng: random.Random
) -> list[date]:
    """About one touch per cadence (a bit early more often than late), oldest first."""
    days = [last_day]
    day = last_day
    while True:
        if rhythm.cadence_days is not None:
            gap = round(rhythm.cadence_days * rng.uniform(0.7, 1.15))
        else:
            gap = rng.randint(20, 60)
        day -= timedelta(days=max(gap, 1))
        if day < first_day:
            return days[::-1]
        days.append(day)


def _log_touch(
    s: Session,
    client: Client,
    rhythm: DemoRhythm,
    day: date,
    last_day: date,
    today: date,
    rng: random.Random,
    now: datetime,
) -> None:
    """One touch of the history; a next step that is past is marked done a few days
    after it was due. The random draws keep their order, so the demo stays the same
    book."""
    channel: Channel = rng.choice(rhythm.channels)
    if day == last_day and rhythm.last_channel is not None:
        channel = rhythm.last_channel
    summary = rng.choice(SUMMARIES[channel])
    next_step, next_step_on, done = "", None, True
    if day == last_day:
        summary = rhythm.last_summary or summary
        next_step = rhythm.last_next_step
        if rhythm.last_next_step_in is not None:
            next_step_on = today + timedelta(days=rhythm.last_next_step_in)
            done = False
    elif rng.random() < 0.25:
        next_step = rng.choice(NEXT_STEPS)
        next_step_on = day + timedelta(days=rng.choice((3, 7, 14)))
        if next_step_on > today - timedelta(days=4):
            # Open follow-ups are the curated ones; a recent next step stays a
            # note, so the Today view is the same every time.
            next_step_on = None
    happened_at = _at(day, rng)
    logged_at = min(now, happened_at + timedelta(minutes=rng.randint(5, 240)))
    touch_uid = _uid(rng)
    done_at = None
    follow_up_uid = None
    if next_step_on is not None:
        if done:
            done_at = min(now, _at(next_step_on + timedelta(days=rng.randint(-2, 3)), rng))
            done_at = max(done_at, logged_at)
        follow_up_uid = _uid(rng)
    log_touch_in(
        s,
        client,
        TouchInput(happened_at, channel, summary, next_step, next_step_on),
        now=now,
        logged_at=logged_at,
        touch_uid=touch_uid,
        follow_up_uid=follow_up_uid,
        next_step_done_at=done_at,
    )


# --------------------------------------------------------------------------- incidents


def _store_files(book: Book, today: date) -> dict[str, tuple[str, int]]:
    """The evidence files, copied in by the services' content-addressed store before
    any row points at them."""
    stored: dict[str, tuple[str, int]] = {}
    with tempfile.TemporaryDirectory(prefix="rapport-demo-") as tmp:
        for name, make in DEMO_FILES.items():
            path = Path(tmp) / name
            path.write_text(make(today), encoding="utf-8")
            stored[name] = store_file(book, path)
    return stored


def promise_due(opened: datetime, hours: float, week: WorkingWeek) -> datetime:
    """When a promise made at ``opened`` falls due: the app's own working-time rule
    (open_incident uses it), never on a day off or outside working hours."""
    return due_after_local(opened, hours, week)


def _opened(demo: DemoIncident, now: datetime, week: WorkingWeek) -> datetime:
    """When the incident was opened. A promise still unanswered is placed so it is
    overdue by at least a day whatever the weekday: a weekend or holiday in between
    would otherwise leave it not yet due."""
    opened = now - timedelta(days=demo.opened_ago)
    if demo.promise_hours is None or demo.answered_late_by is not None:
        return opened
    latest = local_date(now) - timedelta(days=2)
    for _ in range(14):
        if local_date(promise_due(opened, demo.promise_hours, week)) <= latest:
            break
        opened -= timedelta(days=1)
    return opened


def _fill_incidents(
    s: Session,
    stored: dict[str, tuple[str, int]],
    clients: dict[str, Client],
    rng: random.Random,
    now: datetime,
    week: WorkingWeek,
) -> None:
    """The demo incidents, as open_incident, set_status, record_response, add_entry
    and attach_file leave them, through the same writers."""
    file_ids = stored_files_in(s, dict(stored.values()), now)
    for demo in DEMO_INCIDENTS:
        client = clients[demo.key]
        opened = _opened(demo, now, week)
        if client.created_at > opened - timedelta(days=1):
            # Nobody has an incident before they are a client: this one goes back further.
            client.created_at = opened - timedelta(days=rng.randint(30, 200))
            recompute_touch_due(client)
        due = None if demo.promise_hours is None else promise_due(opened, demo.promise_hours, week)
        responded = None
        if due is not None and demo.answered_late_by is not None:
            responded = due + timedelta(hours=demo.answered_late_by)
        closed = now - timedelta(days=demo.closed_ago) if demo.closed_ago is not None else None
        acknowledged = None
        if demo.acknowledged_after is not None:
            acknowledged = opened + timedelta(hours=demo.acknowledged_after)
        promise_id = None
        incident_uid = _uid(rng)
        if due is not None:
            day = local_date(due)
            promise = NewFollowUp(
                client.id,
                FollowUpKind.RESPONSE_PROMISE,
                _promise_title(demo.title),
                day,
                opened,
                done_at=responded or closed,  # settled by the answer, or by closing
                uid=_uid(rng),
            )
            (promise_id,) = add_follow_ups_in(s, [promise])
        row = NewIncident(
            client.id,
            demo.title,
            demo.category,
            demo.severity,
            opened_at=opened,
            updated_at=max(t for t in (opened, responded, closed) if t is not None),
            status=demo.status,
            client_view=demo.client_view,
            our_view=demo.our_view,
            our_mistakes=demo.our_mistakes,
            client_contribution=demo.client_contribution,
            acknowledged_at=acknowledged,
            closed_at=closed,
            response_due_at=due,
            responded_at=responded,
            promise_follow_up_id=promise_id,
            uid=incident_uid,
        )
        (incident_id,) = add_incidents_in(s, [row])
        entries = []
        for ago, kind, text in demo.timeline:
            happened = now - timedelta(days=ago)
            created = min(now, happened + timedelta(minutes=rng.randint(5, 90)))
            entries.append(NewEntry(incident_id, kind, text, happened, created, uid=_uid(rng)))
        add_entries_in(s, entries)
        evidence = [
            NewEvidence(
                incident_id,
                file_ids[stored[name][0]],
                name,
                opened + timedelta(hours=3, minutes=k),
                uid=_uid(rng),
            )
            for k, name in enumerate(demo.files)
        ]
        add_evidence_in(s, evidence)
    refresh_priority_in(s, [c.id for c in clients.values()])


# --------------------------------------------------------------------------- agreements


def _fill_agreements(
    s: Session, clients: dict[str, Client], rng: random.Random, now: datetime, render: Renderer
) -> None:
    """The consultant's own details, one final agreement (its PDF rendered and
    stored by finalise_in) and one draft, dated relative to ``now``."""
    errors = validate_settings(DEMO_CONSULTANT)
    if errors:  # a mistake in the table, not the user's
        raise ValueError(f"The demo consultant is invalid: {errors}")
    set_settings_in(s, DEMO_CONSULTANT)
    today = local_date(now)
    for n, demo in enumerate(DEMO_AGREEMENTS, start=1):
        client = clients[demo.key]
        incident_id = None
        if demo.incident_title is not None:
            incident_id = _demo_incident(s, client, demo.incident_title).id
        dated = today - timedelta(days=demo.dated_ago)
        created = now - timedelta(days=demo.dated_ago, hours=rng.randint(1, 6))
        uid = _uid(rng)
        commitments = [
            NewCommitment(
                side,
                position,
                text,
                None if due_in is None else today + timedelta(days=due_in),
                uid=_uid(rng),
            )
            for side, lines in ((Side.OURS, demo.ours), (Side.THEIRS, demo.theirs))
            for position, (text, due_in) in enumerate(lines)
        ]
        row = NewAgreement(
            client.id,
            f"AG-{dated.year:04d}-{n:04d}",
            demo.title,
            dated,
            created_at=created,
            updated_at=created,
            incident_id=incident_id,
            context=demo.context,
            points="\n".join(demo.points),
            review_on=today + timedelta(days=demo.review_in),
            commitments=tuple(commitments),
            uid=uid,
        )
        (agreement_id,) = add_agreements_in(s, [row])
        if demo.final:
            ag = s.get(Agreement, agreement_id)
            assert ag is not None
            finalise_in(s, ag, render, now - timedelta(days=demo.dated_ago))
            # finalise_in makes its follow-ups with random uids; the demo's are seeded.
            ids = [ag.review_follow_up_id] + [c.follow_up_id for c in ag.commitments]
            for fid in filter(None, ids):
                fu = s.get(FollowUp, fid)
                if fu is not None:
                    fu.uid = _uid(rng)


# --------------------------------------------------------------------------- repairs


def _fill_repairs(
    s: Session, clients: dict[str, Client], rng: random.Random, now: datetime
) -> None:
    """Two repairs, as the wizard's services leave them: Grace's finished in the
    final agreement (step 10 and every step before it done), and Rafael's stopped on
    step 5 after the first four were written, ready to resume."""
    me = DEMO_CONSULTANT.name
    grace = clients["healthtech"]
    inc = _demo_incident(s, grace, "Audit fixes broke the screen reader on sign-up")
    ag = s.scalars(
        select(Agreement).where(Agreement.client_id == grace.id, Agreement.incident_id == inc.id)
    ).one()
    started = inc.opened_at + timedelta(hours=2)
    due = inc.response_due_at or started + timedelta(hours=24)
    review_on = ag.review_on or default_review_on(local_date(ag.created_at))
    answers: dict[str, Any] = finished_answers(grace.name, me, inc, due, review_on)
    answers |= {
        "evidence_ids": _ids(s, Evidence, inc),
        "entry_ids": _ids(s, IncidentEntry, inc)[:2],
        "touch_ids": [],
        "ours": _planned(ag, Side.OURS),
        "theirs": _planned(ag, Side.THEIRS),
        "title": ag.title,
        "points": points_from_text(ag.points),
    }
    finished = ag.created_at
    plan = NewPlan(
        inc.id,
        answers,
        started_at=started,
        updated_at=finished,
        status=RepairPlanStatus.FINISHED,
        current_step=int(Step.IN_WRITING),
        done=frozenset(int(step) for step in PLAYBOOK),
        ending=RepairEnding.AGREEMENT,
        agreement_id=ag.id,
        finished_at=finished,
        uid=_uid(rng),
    )
    add_plans_in(s, [plan])
    entry = NewEntry(
        inc.id,
        EntryKind.DECISION,
        agreed_entry(ag.number, ag.title),
        finished,
        finished,
        uid=_uid(rng),
    )
    add_entries_in(s, [entry])

    rafael = clients["logistics"]
    inc = _demo_incident(
        s, rafael, "Wrong routes in the delivery report: he wants the costs covered"
    )
    started = inc.opened_at + timedelta(hours=3)
    due = inc.response_due_at or started + timedelta(hours=24)
    review_on = default_review_on(local_date(started))
    latest_touch = s.scalars(
        select(Touch.id).where(Touch.client_id == rafael.id).order_by(Touch.happened_at.desc())
    ).first()
    answers = resumed_answers(rafael.name, me, inc, due, review_on, local_date(started))
    answers |= {
        "evidence_ids": _ids(s, Evidence, inc),
        "entry_ids": _ids(s, IncidentEntry, inc),
        "touch_ids": [latest_touch] if latest_touch is not None else [],
    }
    plan = NewPlan(
        inc.id,
        answers,
        started_at=started,
        updated_at=now - timedelta(hours=rng.randint(3, 20)),
        current_step=int(Step.STATE),
        done=frozenset({1, 2, 3, 4}),
        uid=_uid(rng),
    )
    add_plans_in(s, [plan])


def _demo_incident(s: Session, client: Client, title: str) -> Incident:
    inc: Incident = s.scalars(
        select(Incident).where(Incident.client_id == client.id, Incident.title == title)
    ).one()
    return inc


def _ids(s: Session, entity: type[Evidence] | type[IncidentEntry], inc: Incident) -> list[int]:
    """The incident's evidence or timeline rows, oldest first, as step 2 lists them."""
    when = entity.added_at if entity is Evidence else entity.happened_at  # type: ignore[union-attr]
    return list(
        s.scalars(select(entity.id).where(entity.incident_id == inc.id).order_by(when, entity.id))
    )


def _planned(ag: Agreement, side: Side) -> list[dict[str, str | None]]:
    """An agreement's commitments as the wizard's steps 7 and 8 hold them."""
    return [
        {"text": c.text, "due_on": c.due_on.isoformat() if c.due_on else None}
        for c in sorted(ag.commitments, key=lambda c: c.position)
        if c.side is side
    ]
