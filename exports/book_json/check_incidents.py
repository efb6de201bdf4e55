"""The incident aggregate, checked by the models: the incident dialog's rules,
its timeline, evidence (names tidied so no path gets in) and repair plans (the
wizard's rules), and links that must name rows of the same incident or client."""

from __future__ import annotations

import json
import re
from typing import Any

from exports.book_json.check_history import utc
from exports.book_json.format import _CLOSED, _ENDINGS, INCIDENT_TEXTS, PLAN_LINKS, _kind, _q
from exports.book_json.incoming import (
    _IncomingEntry,
    _IncomingEvidence,
    _IncomingIncident,
    _IncomingPlan,
)
from exports.book_json.problems import Loc, Problem, Record, path_of
from models.entities import RepairEnding, RepairPlanStatus
from models.repair import SKIPPABLE, STEP_OF, TITLES, Step, clean_answers
from models.services.incident_evidence import display_name
from models.services.incidents import TEXT_MAX
from models.services.reminders import TITLE_MAX


def incidents(
    at: Loc,
    items: list[Record],
    problems: list[Problem],
    fu_uids: set[str],
    touch_uids: set[str],
    agreement_uids: set[str],
) -> list[_IncomingIncident]:
    out: list[_IncomingIncident] = []
    promised: dict[str, Loc] = {}
    for j, item in enumerate(items):
        before = len(problems)
        p = (*at, j)
        # The incident dialog's tidying and rules: runs of spaces become one.
        title = " ".join(item["title"].split())
        if not title:
            problems.append(
                ((*p, "title"), 'Give the incident a short title, e.g. "Invoice 42 disputed".')
            )
        elif len(title) > TITLE_MAX:
            problems.append(((*p, "title"), f"Keep the title under {TITLE_MAX} characters."))
        texts = {k: item[k] for k in INCIDENT_TEXTS}
        for k, text in texts.items():
            if len(text) > TEXT_MAX:
                problems.append(((*p, k), f"This can be at most {TEXT_MAX} characters."))
        promise = item["promise_follow_up"]
        if promise is not None:
            if promise not in fu_uids:
                problems.append(
                    (
                        (*p, "promise_follow_up"),
                        f"{_q(promise)} is not the id of one of this client's follow-ups.",
                    )
                )
            elif promise in promised:
                problems.append(
                    (
                        (*p, "promise_follow_up"),
                        f"{_q(promise)} is already the promise of {path_of(promised[promise])}.",
                    )
                )
            promised.setdefault(promise, p)
        timeline = _entries((*p, "timeline"), item["timeline"], problems)
        evidence = _evidence((*p, "evidence"), item["evidence"], problems)
        plans = (
            _plans(
                (*p, "repair_plans"),
                item["repair_plans"],
                problems,
                {
                    "evidence_ids": {e["id"] for e in item["evidence"]},
                    "entry_ids": {e["id"] for e in item["timeline"]},
                    "touch_ids": touch_uids,
                },
                agreement_uids,
            )
            if item["repair_plans"] is not None
            else None
        )
        if len(problems) == before:
            # As the services keep it: closing sets closed_at, reopening clears it.
            closed = item["status"] in _CLOSED
            if closed and item["closed_at"] is None:
                problems.append(
                    ((*p, "closed_at"), f"a {item['status']} incident needs the time it closed.")
                )
            elif not closed and item["closed_at"] is not None:
                problems.append(
                    ((*p, "closed_at"), f"should be null while the incident is {item['status']}.")
                )
        if len(problems) > before:
            continue
        out.append(
            _IncomingIncident(
                item["id"],
                title,
                item["category"],
                item["severity"],
                item["status"],
                texts,
                utc(item["opened_at"]),
                utc(item["acknowledged_at"]),
                utc(item["closed_at"]),
                utc(item["response_due_at"]),
                utc(item["responded_at"]),
                promise,
                utc(item["updated_at"]),
                timeline,
                evidence,
                plans,
            )
        )
    return out


def _entries(at: Loc, items: list[Record], problems: list[Problem]) -> list[_IncomingEntry]:
    out: list[_IncomingEntry] = []
    for j, e in enumerate(items):
        # Trimmed as the timeline's add and edit do.
        text = e["text"].strip()
        if not text:
            problems.append(((*at, j, "text"), "Write what happened."))
            continue
        if len(text) > TEXT_MAX:
            problems.append(((*at, j, "text"), f"Keep an entry under {TEXT_MAX} characters."))
            continue
        out.append(
            _IncomingEntry(
                e["id"],
                e["kind"],
                utc(e["happened_at"]),
                text,
                utc(e["created_at"]),
                utc(e["edited_at"]),
            )
        )
    return out


def _evidence(at: Loc, items: list[Record], problems: list[Problem]) -> list[_IncomingEvidence]:
    out: list[_IncomingEvidence] = []
    for j, ev in enumerate(items):
        if not ev["original_name"].strip():
            problems.append(((*at, j, "original_name"), "is empty; give the file's name."))
            continue
        out.append(
            _IncomingEvidence(
                ev["id"],
                _safe_name(ev["original_name"]),
                ev["sha256"],
                ev["size"],
                utc(ev["added_at"]),
            )
        )
    return out


def _safe_name(name: str) -> str:
    """The name as written when it is one the app could have stored; otherwise tidied
    as attaching a file tidies it (no folders, no control characters, 255 at most),
    so a file cannot smuggle a path into the book."""
    if (
        len(name) <= 255
        and not re.search(r"[\\/\x00-\x1f\x7f-\x9f]", name)
        and name.strip() not in ("", ".", "..")
    ):
        return name
    return display_name(name)


def _plans(
    at: Loc,
    items: list[Record],
    problems: list[Problem],
    links: dict[str, set[str]],
    agreement_uids: set[str],
) -> list[_IncomingPlan]:
    """An incident's repair plans, by the rules the wizard's services keep: steps
    that may be skipped, answers of the right shape, at most one plan still active,
    and an ending (with the time it came) exactly when the plan is finished."""
    out: list[_IncomingPlan] = []
    active: Loc | None = None
    for j, plan in enumerate(items):
        before = len(problems)
        p = (*at, j)
        skipped = sorted(set(plan["skipped"]))
        for n in skipped:
            if Step(n) not in SKIPPABLE:
                problems.append(
                    ((*p, "skipped"), f"step {n} ({TITLES[Step(n)].lower()}) cannot be skipped.")
                )
        if plan["agreement"] is not None and plan["agreement"] not in agreement_uids:
            problems.append(
                (
                    (*p, "agreement"),
                    f"{_q(plan['agreement'])} is not the id of one of this client's agreements.",
                )
            )
        answers = _answers((*p, "answers"), plan["answers"], problems, links)
        if len(problems) > before:
            continue
        if plan["status"] is RepairPlanStatus.FINISHED:
            if plan["ending"] is None:
                problems.append(
                    (
                        (*p, "ending"),
                        "a finished plan says how it ended; use "
                        + ", ".join(f'"{e}"' for e in _ENDINGS[:-1])
                        + f' or "{_ENDINGS[-1]}".',
                    )
                )
            if plan["finished_at"] is None:
                problems.append(
                    ((*p, "finished_at"), "a finished plan needs the time it finished.")
                )
        else:
            for key in ("ending", "finished_at"):
                if plan[key] is not None:
                    problems.append(((*p, key), "should be null while the plan is active."))
            if active is not None:
                problems.append(
                    (
                        (*p, "status"),
                        f"an incident has one active plan at most; {path_of(active)} "
                        "is active too.",
                    )
                )
            active = active or p
        if plan["agreement"] is not None and plan["ending"] is not RepairEnding.AGREEMENT:
            problems.append(
                (
                    (*p, "agreement"),
                    'only a plan that ended in "agreement" links to one; make it null.',
                )
            )
        if len(problems) > before:
            continue
        out.append(
            _IncomingPlan(
                plan["id"],
                plan["status"],
                plan["current_step"],
                answers,
                skipped,
                sorted(set(plan["done"])),
                plan["ending"],
                plan["agreement"],
                utc(plan["started_at"]),
                utc(plan["updated_at"]),
                utc(plan["finished_at"]),
            )
        )
    return out


def _answers(
    at: Loc, value: dict[str, Any], problems: list[Problem], links: dict[str, set[str]]
) -> dict[str, Any]:
    """A plan's answers, each checked and tidied by the wizard's own rules
    (models/repair.py, clean_answers); a link must name a row of this incident
    (or, for touches, of this client) listed in the same file."""
    answers: dict[str, Any] = {}
    for name, answer in value.items():
        here = (*at, name)
        step = STEP_OF.get(name)
        if step is None:
            problems.append((at, f"unknown field {_q(name)}; no step of the repair asks for it."))
            continue
        try:
            json.dumps(answer, ensure_ascii=False).encode("utf-8")
        except UnicodeEncodeError:
            problems.append((here, "contains a broken character (half of a UTF-16 pair)."))
            continue
        if name in PLAN_LINKS:
            what, where = PLAN_LINKS[name]
            if not isinstance(answer, list):
                problems.append((here, f"should be a list, not {_kind(answer)}."))
                continue
            uids: list[str] = []
            for j, uid in enumerate(answer):
                if not isinstance(uid, str):
                    problems.append(
                        ((*here, j), f"should be the id of a {what}, not {_kind(uid)}.")
                    )
                elif uid not in links[name]:
                    problems.append(((*here, j), f"{_q(uid)} is not the id of one of {where}."))
                elif uid not in uids:
                    uids.append(uid)
            answers[name] = uids
            continue
        clean, errors = clean_answers(step, {name: answer})
        problems.extend((here, message) for message in errors.values())
        answers.update(clean)
    return answers
