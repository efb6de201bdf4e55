"""Merging repair plans (runs last: a plan points at everything else)."""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from exports.book_json.format import _SQL_CHUNK, BookFormatError
from exports.book_json.incoming import _Incoming
from models.entities import (
    Agreement,
    Client,
    Evidence,
    Incident,
    IncidentEntry,
    RepairEnding,
    RepairPlan,
    RepairPlanStatus,
    Touch,
)
from models.services.bulk import RowRefused
from models.services.repair import NewPlan, add_plans_in


def _merge_plans(s: Session, incoming: list[_Incoming], now: datetime) -> set[str]:
    """Make the repair plans of each incident that lists them exactly the file's,
    matched by id (a plan the book keeps under another incident moves here);
    returns the uids of clients whose plans changed. Runs last, so every incident,
    evidence file, timeline entry, touch and agreement a plan points at is in place.
    """
    wanted = [(inc, ii) for inc in incoming for ii in inc.incidents if ii.plans is not None]
    plans = [plan for _inc, ii in wanted for plan in ii.plans or []]

    def ids(entity: type[Any], uids: Iterable[str]) -> dict[str, int]:
        found: dict[str, int] = {}
        chunked = sorted(set(uids))
        for start in range(0, len(chunked), _SQL_CHUNK):
            chunk = chunked[start : start + _SQL_CHUNK]
            found.update(
                s.execute(select(entity.uid, entity.id).where(entity.uid.in_(chunk))).all()
            )
        return found

    incident_ids = ids(Incident, (ii.uid for _inc, ii in wanted))
    tables = {
        name: ids(entity, (u for plan in plans for u in plan.answers.get(name, [])))
        for name, entity in (
            ("evidence_ids", Evidence),
            ("entry_ids", IncidentEntry),
            ("touch_ids", Touch),
        )
    }
    agreement_ids = ids(Agreement, (p.agreement_uid for p in plans if p.agreement_uid))
    rows: dict[str, RepairPlan] = {}
    plan_uids = sorted(p.uid for p in plans)
    for start in range(0, len(plan_uids), _SQL_CHUNK):
        chunk = plan_uids[start : start + _SQL_CHUNK]
        rows.update(
            (r.uid, r) for r in s.scalars(select(RepairPlan).where(RepairPlan.uid.in_(chunk)))
        )
    keep = set(plan_uids)
    changed: set[str] = set()
    for inc, ii in wanted:
        incident_id = incident_ids[ii.uid]
        for r in s.scalars(select(RepairPlan).where(RepairPlan.incident_id == incident_id)):
            if r.uid not in keep:
                s.delete(r)
                changed.add(inc.uid)
    for inc, ii in wanted:
        incident_id = incident_ids[ii.uid]
        for plan in ii.plans or []:
            answers = {
                name: [tables[name][u] for u in value] if name in tables else value
                for name, value in plan.answers.items()
            }
            values = (
                incident_id,
                plan.status,
                plan.current_step,
                ",".join(str(n) for n in plan.skipped),
                ",".join(str(n) for n in plan.done),
                plan.ending,
                agreement_ids[plan.agreement_uid] if plan.agreement_uid else None,
                plan.finished_at,
            )
            row = rows.get(plan.uid)
            if (
                row is not None
                and _plan_values(row) == values
                and _stored_answers(row.answers) == answers
                and (plan.started_at is None or row.started_at == plan.started_at)
                and (plan.updated_at is None or row.updated_at == plan.updated_at)
            ):
                continue
            changed.add(inc.uid)
            if row is None:
                fresh = NewPlan(
                    incident_id,
                    answers,
                    started_at=plan.started_at or now,
                    updated_at=plan.updated_at or now,
                    status=plan.status,
                    current_step=plan.current_step,
                    skipped=frozenset(plan.skipped),
                    done=frozenset(plan.done),
                    ending=plan.ending,
                    agreement_id=values[6],
                    finished_at=plan.finished_at,
                    uid=plan.uid,
                )
                try:
                    add_plans_in(s, [fresh])
                except RowRefused as exc:
                    raise BookFormatError(
                        f"The book refused a repair plan of this file ({exc.reason})."
                    ) from exc
                continue
            else:
                if row.incident_id != incident_id:
                    # Moving away changes the plans of the incident it leaves, too.
                    changed.add(
                        s.scalars(
                            select(Client.uid)
                            .join(Incident, Incident.client_id == Client.id)
                            .where(Incident.id == row.incident_id)
                        ).one()
                    )
                if plan.started_at is not None:
                    row.started_at = plan.started_at
            (
                row.incident_id,
                row.status,
                row.current_step,
                row.skipped,
                row.done,
                row.ending,
                row.agreement_id,
                row.finished_at,
            ) = values
            # As the services store them (models/services/repair.py).
            row.answers = json.dumps(answers, ensure_ascii=False, sort_keys=True)
            row.updated_at = plan.updated_at or now
    try:
        s.flush()
    except IntegrityError as exc:
        raise BookFormatError(f"The book refused a repair plan of this file ({exc.orig}).") from exc
    return changed


def _plan_values(row: RepairPlan) -> tuple[Any, ...]:
    return (
        row.incident_id,
        RepairPlanStatus(row.status),
        row.current_step,
        row.skipped,
        row.done,
        RepairEnding(row.ending) if row.ending is not None else None,
        row.agreement_id,
        row.finished_at,
    )


def _stored_answers(stored: str) -> Any:
    try:
        return json.loads(stored or "{}")
    except json.JSONDecodeError:
        return None
