"""The incident aggregate: an incident with its timeline, evidence and repair plans."""

from __future__ import annotations

import json
from typing import Any

from exports.book_json.check_history import _link
from exports.book_json.fields import (
    _check_keys,
    _choice,
    _ids_in,
    _list,
    _moment,
    _objects,
    _safe_name,
    _text,
    _uid,
)
from exports.book_json.format import (
    _CATEGORIES,
    _CLOSED,
    _ENDINGS,
    _ENTRY_KINDS,
    _INCIDENT_STATUSES,
    _PLAN_STATUSES,
    _SEVERITIES,
    _STEP_NUMBERS,
    ENTRY_FIELDS,
    EVIDENCE_FIELDS,
    INCIDENT_FIELDS,
    INCIDENT_TEXTS,
    PLAN_FIELDS,
    PLAN_LINKS,
    REQUIRED_ENTRY_FIELDS,
    REQUIRED_EVIDENCE_FIELDS,
    REQUIRED_INCIDENT_FIELDS,
    REQUIRED_PLAN_FIELDS,
    SHA256_SHAPE,
    _kind,
    _q,
)
from exports.book_json.incoming import (
    _IncomingEntry,
    _IncomingEvidence,
    _IncomingIncident,
    _IncomingPlan,
)
from models.entities import (
    EntryKind,
    IncidentCategory,
    IncidentStatus,
    RepairEnding,
    RepairPlanStatus,
    Severity,
)
from models.repair import SKIPPABLE, STEP_OF, TITLES, Step, clean_answers
from models.services.incidents import (
    TEXT_MAX,
)
from models.services.reminders import TITLE_MAX


def _incidents(
    value: Any,
    path: str,
    problems: list[str],
    fu_uids: set[str],
    touch_uids: set[str],
    agreement_uids: set[str],
) -> list[_IncomingIncident]:
    incidents: list[_IncomingIncident] = []
    promised: dict[str, str] = {}
    for p, item in _objects(value, path, problems):
        before = len(problems)
        _check_keys(item, INCIDENT_FIELDS, REQUIRED_INCIDENT_FIELDS, p, problems)
        uid = _uid(item, p, problems)
        # The incident dialog's tidying and rules: runs of spaces become one.
        title = " ".join(_text(item.get("title", ""), f"{p}.title", problems).split())
        if isinstance(item.get("title"), str) and not title:
            problems.append(
                f'{p}.title: Give the incident a short title, e.g. "Invoice 42 disputed".'
            )
        elif len(title) > TITLE_MAX:
            problems.append(f"{p}.title: Keep the title under {TITLE_MAX} characters.")
        category = _required_choice(item, "category", _CATEGORIES, "category", p, problems)
        severity = _required_choice(item, "severity", _SEVERITIES, "severity", p, problems)
        status = _choice(
            item.get("status", IncidentStatus.OPEN.value),
            _INCIDENT_STATUSES,
            "status of an incident",
            f"{p}.status",
            problems,
        )
        texts = {k: _text(item.get(k, ""), f"{p}.{k}", problems) for k in INCIDENT_TEXTS}
        for k, text in texts.items():
            if len(text) > TEXT_MAX:
                problems.append(f"{p}.{k}: This can be at most {TEXT_MAX} characters.")
        opened_at = _moment(item, "opened_at", p, problems, nullable=False)
        acknowledged_at = _moment(item, "acknowledged_at", p, problems, nullable=True)
        closed_at = _moment(item, "closed_at", p, problems, nullable=True)
        response_due_at = _moment(item, "response_due_at", p, problems, nullable=True)
        responded_at = _moment(item, "responded_at", p, problems, nullable=True)
        updated_at = _moment(item, "updated_at", p, problems, nullable=False)
        promise = _link(
            item.get("promise_follow_up"),
            f"{p}.promise_follow_up",
            problems,
            fu_uids,
            ("follow-up", "follow-ups"),
        )
        if promise is not None:
            if promise in promised:
                problems.append(
                    f"{p}.promise_follow_up: {_q(promise)} is already the promise of "
                    f"{promised[promise]}."
                )
            promised.setdefault(promise, p)
        timeline = _entries(item.get("timeline", []), f"{p}.timeline", problems)
        evidence = _evidence(item.get("evidence", []), f"{p}.evidence", problems)
        plans = (
            _plans(
                item["repair_plans"],
                f"{p}.repair_plans",
                problems,
                {
                    "evidence_ids": _ids_in(item.get("evidence")),
                    "entry_ids": _ids_in(item.get("timeline")),
                    "touch_ids": touch_uids,
                },
                agreement_uids,
            )
            if "repair_plans" in item
            else None
        )
        if status is not None and len(problems) == before:
            # As the services keep it: closing sets closed_at, reopening clears it.
            closed = IncidentStatus(status) in _CLOSED
            if closed and closed_at is None:
                problems.append(f"{p}.closed_at: a {status} incident needs the time it closed.")
            elif not closed and closed_at is not None:
                problems.append(f"{p}.closed_at: should be null while the incident is {status}.")
        if len(problems) > before or None in (category, severity, status, opened_at):
            continue
        assert category is not None and severity is not None and status is not None
        assert opened_at is not None
        incidents.append(
            _IncomingIncident(
                uid,
                title,
                IncidentCategory(category),
                Severity(severity),
                IncidentStatus(status),
                texts,
                opened_at,
                acknowledged_at,
                closed_at,
                response_due_at,
                responded_at,
                promise,
                updated_at,
                timeline,
                evidence,
                plans,
            )
        )
    return incidents


def _required_choice(
    item: dict[str, Any],
    key: str,
    allowed: tuple[str, ...],
    what: str,
    path: str,
    problems: list[str],
) -> str | None:
    """A required choice: absent is reported by _check_keys, so only checked here."""
    if key not in item:
        return None
    return _choice(item[key], allowed, what, f"{path}.{key}", problems)


def _entries(value: Any, path: str, problems: list[str]) -> list[_IncomingEntry]:
    entries: list[_IncomingEntry] = []
    for p, item in _objects(value, path, problems):
        before = len(problems)
        _check_keys(item, ENTRY_FIELDS, REQUIRED_ENTRY_FIELDS, p, problems)
        uid = _uid(item, p, problems)
        kind = _required_choice(item, "kind", _ENTRY_KINDS, "kind of entry", p, problems)
        happened_at = _moment(item, "happened_at", p, problems, nullable=False)
        # Trimmed as the timeline's add and edit do.
        text = _text(item.get("text", ""), f"{p}.text", problems).strip()
        if isinstance(item.get("text"), str) and not text:
            problems.append(f"{p}.text: Write what happened.")
        elif len(text) > TEXT_MAX:
            problems.append(f"{p}.text: Keep an entry under {TEXT_MAX} characters.")
        created_at = _moment(item, "created_at", p, problems, nullable=False)
        edited_at = _moment(item, "edited_at", p, problems, nullable=True)
        if len(problems) > before or kind is None or happened_at is None:
            continue
        entries.append(
            _IncomingEntry(uid, EntryKind(kind), happened_at, text, created_at, edited_at)
        )
    return entries


def _evidence(value: Any, path: str, problems: list[str]) -> list[_IncomingEvidence]:
    files: list[_IncomingEvidence] = []
    for p, item in _objects(value, path, problems):
        before = len(problems)
        _check_keys(item, EVIDENCE_FIELDS, REQUIRED_EVIDENCE_FIELDS, p, problems)
        uid = _uid(item, p, problems)
        name = _text(item.get("original_name", ""), f"{p}.original_name", problems)
        if isinstance(item.get("original_name"), str) and not name.strip():
            problems.append(f"{p}.original_name: is empty; give the file's name.")
        sha = _text(item.get("sha256", ""), f"{p}.sha256", problems)
        if isinstance(item.get("sha256"), str) and not SHA256_SHAPE.fullmatch(sha):
            problems.append(
                f"{p}.sha256: {_q(sha)} is not a SHA-256 (64 characters, each 0-9 or a-f)."
            )
        size = item.get("size", 0)
        if not isinstance(size, int) or isinstance(size, bool) or size < 0:
            problems.append(f"{p}.size: should be a whole number of bytes, not {_q(size)}.")
        added_at = _moment(item, "added_at", p, problems, nullable=False)
        if len(problems) > before:
            continue
        files.append(_IncomingEvidence(uid, _safe_name(name), sha, size, added_at))
    return files


def _plans(
    value: Any,
    path: str,
    problems: list[str],
    links: dict[str, set[str]],
    agreement_uids: set[str],
) -> list[_IncomingPlan]:
    """An incident's repair plans, by the rules the wizard's services keep: known
    steps only, answers of the right shape, at most one plan still active, and an
    ending (with the time it came) exactly when the plan is finished."""
    plans: list[_IncomingPlan] = []
    active: str | None = None
    for p, item in _objects(value, path, problems):
        before = len(problems)
        _check_keys(item, PLAN_FIELDS, REQUIRED_PLAN_FIELDS, p, problems)
        uid = _uid(item, p, problems)
        status = _choice(
            item.get("status", RepairPlanStatus.ACTIVE.value),
            _PLAN_STATUSES,
            "status of a repair plan",
            f"{p}.status",
            problems,
        )
        current = _step(item.get("current_step", int(Step.FACTS)), f"{p}.current_step", problems)
        skipped = _step_set(item.get("skipped", []), f"{p}.skipped", problems)
        for n in skipped:
            if Step(n) not in SKIPPABLE:
                problems.append(
                    f"{p}.skipped: step {n} ({TITLES[Step(n)].lower()}) cannot be skipped."
                )
        done = _step_set(item.get("done", []), f"{p}.done", problems)
        raw_ending = item.get("ending")
        ending = (
            None
            if raw_ending is None
            else _choice(raw_ending, _ENDINGS, "way a repair ends", f"{p}.ending", problems)
        )
        agreement = _link(
            item.get("agreement"),
            f"{p}.agreement",
            problems,
            agreement_uids,
            ("agreement", "agreements"),
        )
        answers = _answers(item.get("answers", {}), f"{p}.answers", problems, links)
        started_at = _moment(item, "started_at", p, problems, nullable=False)
        updated_at = _moment(item, "updated_at", p, problems, nullable=False)
        finished_at = _moment(item, "finished_at", p, problems, nullable=True)
        if len(problems) > before or status is None or current is None:
            continue
        if status == RepairPlanStatus.FINISHED.value:
            if ending is None:
                problems.append(
                    f"{p}.ending: a finished plan says how it ended; use "
                    + ", ".join(f'"{e}"' for e in _ENDINGS[:-1])
                    + f' or "{_ENDINGS[-1]}".'
                )
            if finished_at is None:
                problems.append(f"{p}.finished_at: a finished plan needs the time it finished.")
        else:
            for key, value_ in (("ending", ending), ("finished_at", finished_at)):
                if value_ is not None:
                    problems.append(f"{p}.{key}: should be null while the plan is active.")
            if active is not None:
                problems.append(
                    f"{p}.status: an incident has one active plan at most; {active} is active too."
                )
            active = active or p
        if agreement is not None and ending != RepairEnding.AGREEMENT.value:
            problems.append(
                f'{p}.agreement: only a plan that ended in "agreement" links to one; make it null.'
            )
        if len(problems) > before:
            continue
        plans.append(
            _IncomingPlan(
                uid,
                RepairPlanStatus(status),
                current,
                answers,
                skipped,
                done,
                RepairEnding(ending) if ending is not None else None,
                agreement,
                started_at,
                updated_at,
                finished_at,
            )
        )
    return plans


def _step(value: Any, path: str, problems: list[str]) -> int | None:
    """A step of the repair by its number, 1 to 13 (models/repair.py, Step)."""
    if isinstance(value, bool) or not isinstance(value, int):
        problems.append(f"{path}: should be a step number from 1 to 13, not {_kind(value)}.")
        return None
    if value not in _STEP_NUMBERS:
        problems.append(f"{path}: {value} is not a step of the repair; steps go from 1 to 13.")
        return None
    return value


def _step_set(value: Any, path: str, problems: list[str]) -> list[int]:
    """Step numbers, each once, in order: the wizard keeps them as a set."""
    steps = [_step(v, f"{path}[{j}]", problems) for j, v in enumerate(_list(value, path, problems))]
    return sorted({n for n in steps if n is not None})


def _answers(
    value: Any, path: str, problems: list[str], links: dict[str, set[str]]
) -> dict[str, Any]:
    """A plan's answers, each checked and tidied by the wizard's own rules
    (models/repair.py, clean_answers); a link must name a row of this incident
    (or, for touches, of this client) listed in the same file."""
    if not isinstance(value, dict):
        problems.append(
            f"{path}: should be an object of answers (field name: answer), not {_kind(value)}."
        )
        return {}
    answers: dict[str, Any] = {}
    for name, answer in value.items():
        at = f"{path}.{name}"
        step = STEP_OF.get(name)
        if step is None:
            problems.append(f"{path}: unknown field {_q(name)}; no step of the repair asks for it.")
            continue
        try:
            json.dumps(answer, ensure_ascii=False).encode("utf-8")
        except UnicodeEncodeError:
            problems.append(f"{at}: contains a broken character (half of a UTF-16 pair).")
            continue
        if name in PLAN_LINKS:
            what, where = PLAN_LINKS[name]
            uids: list[str] = []
            for j, uid in enumerate(_list(answer, at, problems)):
                if not isinstance(uid, str):
                    problems.append(f"{at}[{j}]: should be the id of a {what}, not {_kind(uid)}.")
                elif uid not in links[name]:
                    problems.append(f"{at}[{j}]: {_q(uid)} is not the id of one of {where}.")
                elif uid not in uids:
                    uids.append(uid)
            answers[name] = uids
            continue
        clean, errors = clean_answers(step, {name: answer})
        for message in errors.values():
            problems.append(f"{at}: {message}")
        answers.update(clean)
    return answers


