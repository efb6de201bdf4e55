"""Repair wizard use cases: start or resume an incident's plan, save each page as
the user types, skip steps, and finish in an agreement or one of the other
endings (hand over, tell the insurer, part ways). The written record an ending
leaves is read in repair_records.py; the insurer's details live in insurer.py.

Every function is one transaction. Saving is cheap and idempotent so the wizard can
autosave on every pause in typing; finishing does everything the ending implies
(agreement, follow-ups, status changes, a timeline entry) at once or not at all.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select

from models.agreements import agreed_entry
from models.db import Book
from models.entities import (
    Agreement,
    Client,
    ClientStatus,
    EntryKind,
    Incident,
    IncidentEntry,
    IncidentStatus,
    RepairEnding,
    RepairPlan,
    RepairPlanStatus,
    Setting,
    Side,
    new_uid,
)
from models.incidents import DEFAULT_PROMISE_HOURS
from models.repair import (
    ENDINGS,
    FIELDS,
    SKIPPABLE,
    TITLES,
    Step,
    clean_answers,
    default_review_on,
    default_title,
    draft_check_in,
    draft_reply,
    finish_problems,
    text,
)
from models.repair_agreement import (
    Candidate,
    ComposedAgreement,
    candidates,
    compose_agreement,
    ticked,
)
from models.services.agreement_follow_ups import sync_follow_ups
from models.services.agreements import AgreementInput, CommitmentInput, create_in
from models.services.bulk import insert_rows
from models.services.clients import (
    NotFoundError,
    ValidationError,
    client_or_error,
    local_date,
    recompute_touch_due,
)
from models.services.consultant import read_settings
from models.services.incident_writers import recompute_priority
from models.services.incidents import set_promise_in, settle_promise_in
from models.services.insurer import INSURER_KEYS, insurer_settings
from models.services.work_settings import read_working_week
from models.types import utcnow
from models.working_time import due_after_local

ENDING_OF: dict[Step, RepairEnding] = {
    Step.IN_WRITING: RepairEnding.AGREEMENT,
    Step.HAND_OVER: RepairEnding.HAND_OVER,
    Step.INSURER: RepairEnding.INSURER,
    Step.PART_WAYS: RepairEnding.PART_WAYS,
}
STEP_OF_ENDING = {ending: step for step, ending in ENDING_OF.items()}

# Fields an incident already has: the wizard edits them in place, so the incident
# window and the plan never disagree.
MIRRORED = ("client_view", "our_view", "our_mistakes", "client_contribution")


@dataclass(frozen=True)
class PlanView:
    """A plan as the wizard sees it."""

    id: int
    incident_id: int
    client_id: int
    client_name: str
    incident_title: str
    status: RepairPlanStatus
    current_step: Step
    answers: dict[str, Any]
    skipped: frozenset[Step]
    done: frozenset[Step]
    ending: RepairEnding | None
    agreement_id: int | None
    started_at: datetime
    updated_at: datetime
    finished_at: datetime | None

    @property
    def finished(self) -> bool:
        return self.status is RepairPlanStatus.FINISHED

    def value(self, name: str, default: Any = "") -> Any:
        return self.answers.get(name, default)

    def state(self, step: Step) -> str:
        """For the side panel: "current", "skipped", "done" or "todo"."""
        if step == self.current_step and not self.finished:
            return "current"
        if step in self.skipped:
            return "skipped"
        if step in self.done:
            return "done"
        return "todo"


# --- reading -----------------------------------------------------------------------


def active_plan(book: Book, incident_id: int) -> PlanView | None:
    """The plan being worked on for this incident, if any."""
    with book.reader() as s:
        plan = _active(s, incident_id)
        return _view(s, plan) if plan else None


def latest_plan(book: Book, incident_id: int) -> PlanView | None:
    """The active plan, else the most recently finished one (shown read-only)."""
    with book.reader() as s:
        plan = _active(s, incident_id) or s.scalar(
            select(RepairPlan)
            .where(RepairPlan.incident_id == incident_id)
            .order_by(RepairPlan.finished_at.desc(), RepairPlan.id.desc())
            .limit(1)
        )
        return _view(s, plan) if plan else None


def get_plan(book: Book, plan_id: int) -> PlanView:
    with book.reader() as s:
        return _view(s, plan_or_error(s, plan_id))


def preview_agreement(
    book: Book, plan_id: int, *, today: datetime | None = None
) -> ComposedAgreement:
    """What Finish would write into the agreement, for the last page's preview."""
    with book.reader() as s:
        plan = plan_or_error(s, plan_id)
        inc = incident_or_error(s, plan.incident_id)
        client = client_or_error(s, inc.client_id)
        return compose_agreement(
            plan_answers(plan),
            sorted(_steps(plan.skipped)),
            today=local_date(today or utcnow()),
            client_name=client.name,
        )


def agreement_candidates(book: Book, plan_id: int) -> list[tuple[Candidate, bool]]:
    """Everything step 10 offers to put in the agreement, each with its tick (the
    consultant's choice, else the default: private preparation unticked)."""
    with book.reader() as s:
        plan = plan_or_error(s, plan_id)
        inc = incident_or_error(s, plan.incident_id)
        client = client_or_error(s, inc.client_id)
        answers = plan_answers(plan)
        offered = candidates(answers, sorted(_steps(plan.skipped)), client_name=client.name)
        return [(c, ticked(c, answers)) for c in offered]


# --- working on a plan --------------------------------------------------------------


def start_or_resume(book: Book, incident_id: int, *, now: datetime | None = None) -> PlanView:
    """The incident's active plan, or a new one with the drafts filled in.

    A new plan starts from what the incident already says (both views, both
    sides' part), a drafted first reply promising a full answer by the incident's
    promise (or a day from now), a review date three months out and a drafted
    check-in, so the user edits rather than faces empty boxes.
    """
    now = now or utcnow()
    with book.session() as s:
        inc = incident_or_error(s, incident_id)
        plan = _active(s, incident_id)
        if plan is not None:
            return _view(s, plan)
        if inc.status is IncidentStatus.LOST:
            raise ValidationError(
                {"status": "This incident ended with the client lost; it cannot be repaired."}
            )
        client = client_or_error(s, inc.client_id)
        me = read_settings(s)
        week = read_working_week(s)
        due = inc.response_due_at
        if due is None or (inc.responded_at is None and due < now):
            due = due_after_local(now, DEFAULT_PROMISE_HOURS, week)
        review = default_review_on(local_date(now), week)
        answers: dict[str, Any] = {name: getattr(inc, name) for name in MIRRORED}
        answers.update(
            reply=draft_reply(client.name, me.name, due.astimezone()),
            reply_due_at=due.isoformat(),
            review_on=review.isoformat(),
            check_in=draft_check_in(client.name, review),
            title=default_title(local_date(now)),
            **insurer_settings(s),
        )
        row = NewPlan(inc.id, answers, started_at=now, updated_at=now)
        (plan_id,) = add_plans_in(s, [row])
        return _view(s, plan_or_error(s, plan_id))


@dataclass(slots=True)
class NewPlan:
    """One repair plan for ``add_plans_in``: its answers as the wizard holds them
    (ids of evidence, entries and touches are the book's row ids)."""

    incident_id: int
    answers: Mapping[str, Any]
    started_at: datetime
    updated_at: datetime
    status: RepairPlanStatus = RepairPlanStatus.ACTIVE
    current_step: int = int(Step.FACTS)
    skipped: frozenset[int] = frozenset()
    done: frozenset[int] = frozenset()
    ending: RepairEnding | None = None
    agreement_id: int | None = None
    finished_at: datetime | None = None
    uid: str | None = None


def add_plans_in(s: Any, rows: Sequence[NewPlan]) -> list[int]:
    """Write repair plans in one executemany, their answers stored as the wizard's
    autosave stores them; their ids in order."""
    return insert_rows(
        s,
        RepairPlan,
        [
            {
                "uid": r.uid or new_uid(),
                "incident_id": r.incident_id,
                "status": r.status,
                "current_step": r.current_step,
                "answers": _dump(r.answers),
                "skipped": _join({Step(n) for n in r.skipped}),
                "done": _join({Step(n) for n in r.done}),
                "ending": r.ending,
                "agreement_id": r.agreement_id,
                "started_at": r.started_at,
                "updated_at": r.updated_at,
                "finished_at": r.finished_at,
            }
            for r in rows
        ],
    )


def save_step(
    book: Book,
    plan_id: int,
    step: Step,
    values: Mapping[str, Any],
    *,
    go_to: Step | None = None,
    mark_done: bool = False,
    now: datetime | None = None,
) -> PlanView:
    """Store what one page holds (only that page's fields), and optionally where
    the user went next. Step 1's answer time is the incident's response promise,
    so changing it moves the promise (and its reminder) too."""
    step = Step(step)
    now = now or utcnow()
    clean, errors = clean_answers(step, values)
    if errors:
        raise ValidationError(errors)
    with book.session() as s:
        plan = _writable(s, plan_id)
        inc = incident_or_error(s, plan.incident_id)
        answers = plan_answers(plan)
        answers.update(clean)
        plan.answers = _dump(answers)
        for name in MIRRORED:
            if name in clean and getattr(inc, name) != clean[name]:
                setattr(inc, name, clean[name])
                inc.updated_at = now
        due_text = clean.get("reply_due_at")
        if due_text and inc.responded_at is None:  # an answered promise stays settled
            due = datetime.fromisoformat(due_text)
            if inc.response_due_at != due and inc.status not in (
                IncidentStatus.RESOLVED,
                IncidentStatus.LOST,
            ):
                set_promise_in(s, inc, due, now)
                inc.updated_at = now
        if mark_done:
            plan.done = _join(_steps(plan.done) | {step})
        if go_to is not None:
            plan.current_step = int(Step(go_to))
        plan.updated_at = now
        return _view(s, plan)


def set_skipped(
    book: Book, plan_id: int, step: Step, skipped: bool, *, now: datetime | None = None
) -> PlanView:
    step = Step(step)
    if step not in SKIPPABLE:
        raise ValidationError({"step": f"Step {int(step)} ({TITLES[step]}) cannot be skipped."})
    with book.session() as s:
        plan = _writable(s, plan_id)
        steps = _steps(plan.skipped)
        plan.skipped = _join(steps | {step} if skipped else steps - {step})
        plan.updated_at = now or utcnow()
        return _view(s, plan)


def discard_plan(book: Book, plan_id: int) -> None:
    """Throw an unfinished plan away. What it already changed on the incident (its
    views, its promise) stays: those are part of the incident's own record."""
    with book.session() as s:
        s.delete(_writable(s, plan_id))


# --- finishing ------------------------------------------------------------------------


def finish_with_agreement(book: Book, plan_id: int, *, now: datetime | None = None) -> int:
    """The happy path's end: a draft agreement linked to the incident, a follow-up
    for the review date and each dated commitment, the incident moved to
    repairing (the full answer counts as given), and the plan kept read-only.
    Returns the agreement's id."""
    now = now or utcnow()
    with book.session() as s:
        plan = _writable(s, plan_id)
        answers = plan_answers(plan)
        _refuse(finish_problems(answers, Step.IN_WRITING))
        inc = incident_or_error(s, plan.incident_id)
        client = client_or_error(s, inc.client_id)
        composed = compose_agreement(
            answers, sorted(_steps(plan.skipped)), today=local_date(now), client_name=client.name
        )
        data = AgreementInput(
            title=composed.title,
            dated=local_date(now),
            context=composed.context,
            points=composed.points,
            commitments=[CommitmentInput(Side.OURS, c.text, c.due_on) for c in composed.ours]
            + [CommitmentInput(Side.THEIRS, c.text, c.due_on) for c in composed.theirs],
            review_on=composed.review_on,
        )
        ag = create_in(s, client.id, data, incident_id=inc.id, now=now)
        sync_follow_ups(s, ag, now, client=client)
        _answered(s, inc, now)
        if inc.status is not IncidentStatus.REPAIRING:
            _move(inc, IncidentStatus.REPAIRING, now)
        _entry(s, inc, agreed_entry(ag.number, ag.title), now)
        recompute_priority(s, client)
        _close(plan, RepairEnding.AGREEMENT, Step.IN_WRITING, now, agreement=ag)
        return ag.id


def finish_other(book: Book, plan_id: int, ending: Step, *, now: datetime | None = None) -> None:
    """End a plan another way, from any step.

    Hand over: the timeline says who took over. Insurer: the timeline records the
    notice, and the insurer's details are kept in Settings for next time. Part ways:
    the incident ends as lost and the client becomes a former client (no more
    keep-in-touch reminders); any promise still open is settled.
    """
    ending = Step(ending)
    if ending not in ENDINGS:
        raise ValidationError({"ending": f"{TITLES[ending]} is not one of the other endings."})
    now = now or utcnow()
    with book.session() as s:
        plan = _writable(s, plan_id)
        answers = plan_answers(plan)
        _refuse(finish_problems(answers, ending))
        inc = incident_or_error(s, plan.incident_id)
        client = client_or_error(s, inc.client_id)
        if ending is Step.HAND_OVER:
            who = text(answers, "successor")
            _entry(s, inc, f"Handed over to {who}; hand-over brief written.", now)
        elif ending is Step.INSURER:
            for name, key in INSURER_KEYS.items():
                s.merge(Setting(key=key, value=text(answers, name)))
            policy = text(answers, "insurer_policy")
            ref = f" (policy {policy})" if policy else ""
            _entry(s, inc, f"Insurer told: {text(answers, 'insurer_name')}{ref}.", now)
        else:
            _entry(s, inc, "We parted ways; closing summary written.", now)
            settle_promise_in(s, inc, now)
            if inc.status is not IncidentStatus.LOST:
                _move(inc, IncidentStatus.LOST, now)
            client.status = ClientStatus.FORMER
            client.updated_at = now
            recompute_touch_due(client)
        recompute_priority(s, client)
        _close(plan, ENDING_OF[ending], ending, now)


# --- helpers ----------------------------------------------------------------------------


def _active(s: Any, incident_id: int) -> RepairPlan | None:
    plan: RepairPlan | None = s.scalar(
        select(RepairPlan)
        .where(
            RepairPlan.incident_id == incident_id,
            RepairPlan.status == RepairPlanStatus.ACTIVE,
        )
        .order_by(RepairPlan.id)
        .limit(1)
    )
    return plan


def plan_or_error(s: Any, plan_id: int) -> RepairPlan:
    """The plan row, or a NotFoundError the user can read (the wizard and its records)."""
    plan: RepairPlan | None = s.get(RepairPlan, plan_id)
    if plan is None:
        raise NotFoundError(f"There is no repair plan with id {plan_id}.")
    return plan


def _writable(s: Any, plan_id: int) -> RepairPlan:
    plan = plan_or_error(s, plan_id)
    if plan.status is RepairPlanStatus.FINISHED:
        raise ValidationError({"plan": "This repair is finished; its record can no longer change."})
    return plan


def incident_or_error(s: Any, incident_id: int) -> Incident:
    """The plan's incident row, or a NotFoundError the user can read."""
    inc: Incident | None = s.get(Incident, incident_id)
    if inc is None:
        raise NotFoundError(f"There is no incident with id {incident_id}.")
    return inc


def plan_answers(plan: RepairPlan) -> dict[str, Any]:
    """The stored answers as a dict of known fields only; a damaged column reads as none."""
    try:
        data = json.loads(plan.answers or "{}")
    except json.JSONDecodeError:
        return {}
    if not isinstance(data, dict):
        return {}
    # Keep only fields this build knows, so a hand-edited or future plan cannot
    # feed the composer a value of the wrong shape.
    known = {name for names in FIELDS.values() for name in names}
    return {k: v for k, v in data.items() if k in known}


def _dump(answers: Mapping[str, Any]) -> str:
    return json.dumps(dict(answers), ensure_ascii=False, sort_keys=True)


def _steps(stored: str) -> set[Step]:
    out = set()
    for part in (stored or "").split(","):
        if part.strip().isdigit() and int(part) in Step._value2member_map_:
            out.add(Step(int(part)))
    return out


def _join(steps: set[Step]) -> str:
    return ",".join(str(int(s)) for s in sorted(steps))


def _view(s: Any, plan: RepairPlan) -> PlanView:
    inc = incident_or_error(s, plan.incident_id)
    client: Client = client_or_error(s, inc.client_id)
    return PlanView(
        id=plan.id,
        incident_id=inc.id,
        client_id=client.id,
        client_name=client.name,
        incident_title=inc.title,
        status=plan.status,
        current_step=Step(plan.current_step),
        answers=plan_answers(plan),
        skipped=frozenset(_steps(plan.skipped)),
        done=frozenset(_steps(plan.done)),
        ending=plan.ending,
        agreement_id=plan.agreement_id,
        started_at=plan.started_at,
        updated_at=plan.updated_at,
        finished_at=plan.finished_at,
    )


def _refuse(problems: dict[str, str]) -> None:
    if problems:
        raise ValidationError(problems)


def _move(inc: Incident, status: IncidentStatus, now: datetime) -> None:
    """Walk the incident to ``status`` through the allowed moves (an open incident
    is acknowledged on the way to repairing, as the playbook's first reply did)."""
    if status is IncidentStatus.REPAIRING and inc.status is IncidentStatus.OPEN:
        inc.status = IncidentStatus.ACKNOWLEDGED
        inc.acknowledged_at = inc.acknowledged_at or now
    inc.status = status
    if status in (IncidentStatus.RESOLVED, IncidentStatus.LOST):
        inc.closed_at = now
    else:
        inc.closed_at = None
    inc.updated_at = now


def _answered(s: Any, inc: Incident, now: datetime) -> None:
    if inc.responded_at is None and inc.response_due_at is not None:
        inc.responded_at = now
    settle_promise_in(s, inc, now)
    if inc.acknowledged_at is None:
        inc.acknowledged_at = now


def _entry(s: Any, inc: Incident, words: str, now: datetime) -> None:
    s.add(
        IncidentEntry(
            incident_id=inc.id, kind=EntryKind.DECISION, text=words, happened_at=now, created_at=now
        )
    )


def _close(
    plan: RepairPlan,
    ending: RepairEnding,
    step: Step,
    now: datetime,
    *,
    agreement: Agreement | None = None,
) -> None:
    plan.status = RepairPlanStatus.FINISHED
    plan.ending = ending
    plan.current_step = int(step)
    plan.done = _join(_steps(plan.done) | {step})
    plan.agreement_id = agreement.id if agreement is not None else None
    plan.finished_at = now
    plan.updated_at = now
