"""The repair playbook as plain rules: its steps, what each step asks for, which
steps may be skipped, the texts the wizard drafts, and what must be filled in
before a plan can end. How the answers become an agreement is in
repair_agreement.py; the other endings' written records are in repair_records.py.

Everything here is pure (``today`` and ``now`` come in as arguments), so the
wizard's logic is tested without a book or a display. The services in
models/services/repair.py store and apply it.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from models.dates import format_date, format_moment
from models.limits import text_problem
from models.working_time import WorkingWeek, working_day_on_or_after

TEXT_MAX = 20_000
LIST_MAX = 100
REVIEW_MONTHS = 3


class Step(enum.IntEnum):
    """The wizard's pages: the ten playbook steps, then the three other endings.

    The numbers are stored in the book (a plan's current step, its skipped steps),
    so they never change meaning.
    """

    FACTS = 1
    EVIDENCE = 2
    BOTH_SIDES = 3
    APOLOGY = 4
    STATE = 5
    GOALS = 6
    OUR_CHANGE = 7
    OUR_REQUEST = 8
    TIMEFRAME = 9
    IN_WRITING = 10
    HAND_OVER = 11
    INSURER = 12
    PART_WAYS = 13


PLAYBOOK: tuple[Step, ...] = tuple(Step(n) for n in range(1, 11))
ENDINGS: tuple[Step, ...] = (Step.HAND_OVER, Step.INSURER, Step.PART_WAYS)
# The first step is the record of what happened and the last is the writing-down:
# without either there is nothing to repair or nothing agreed.
SKIPPABLE = frozenset(PLAYBOOK) - {Step.FACTS, Step.IN_WRITING}

TITLES: dict[Step, str] = {
    Step.FACTS: "What happened",
    Step.EVIDENCE: "Evidence",
    Step.BOTH_SIDES: "Both sides",
    Step.APOLOGY: "Apology",
    Step.STATE: "Where things stand",
    Step.GOALS: "Their goals",
    Step.OUR_CHANGE: "Our change",
    Step.OUR_REQUEST: "Our request",
    Step.TIMEFRAME: "Timeframe",
    Step.IN_WRITING: "In writing",
    Step.HAND_OVER: "Hand over",
    Step.INSURER: "Tell the insurer",
    Step.PART_WAYS: "Part ways",
}


class Kind(enum.StrEnum):
    """The shape of one answer, as stored in the plan's JSON."""

    TEXT = "text"  # str
    LINES = "lines"  # list[str], one line each, in order
    IDS = "ids"  # list[int]
    COMMITMENTS = "commitments"  # list[{"text": str, "due_on": "YYYY-MM-DD" | None}]
    DATE = "date"  # "YYYY-MM-DD" or ""
    DATETIME = "datetime"  # ISO 8601 with offset, or ""


FIELDS: dict[Step, dict[str, Kind]] = {
    Step.FACTS: {
        "facts": Kind.TEXT,
        "client_view": Kind.TEXT,
        "our_view": Kind.TEXT,
        "reply": Kind.TEXT,
        "reply_due_at": Kind.DATETIME,
    },
    Step.EVIDENCE: {
        "evidence_ids": Kind.IDS,
        "entry_ids": Kind.IDS,
        "touch_ids": Kind.IDS,
        "figures": Kind.TEXT,
    },
    Step.BOTH_SIDES: {"our_mistakes": Kind.TEXT, "client_contribution": Kind.TEXT},
    Step.APOLOGY: {"apology": Kind.TEXT},
    Step.STATE: {
        "project_state": Kind.TEXT,
        "done_so_far": Kind.TEXT,
        "choices": Kind.TEXT,
        "client_choices": Kind.TEXT,
    },
    Step.GOALS: {"why_hired": Kind.TEXT, "priorities": Kind.LINES},
    Step.OUR_CHANGE: {"ours": Kind.COMMITMENTS},
    Step.OUR_REQUEST: {"theirs": Kind.COMMITMENTS},
    Step.TIMEFRAME: {"review_on": Kind.DATE, "check_in": Kind.TEXT},
    # shown/hidden: the keys of candidate points (``candidates``) the consultant ticked
    # or unticked against their default; everything else keeps its default.
    Step.IN_WRITING: {
        "title": Kind.TEXT,
        "points": Kind.LINES,
        "notes": Kind.TEXT,
        "shown": Kind.LINES,
        "hidden": Kind.LINES,
    },
    Step.HAND_OVER: {
        "successor": Kind.TEXT,
        "successor_contact": Kind.TEXT,
        "handover_state": Kind.TEXT,
        "access_notes": Kind.TEXT,
    },
    Step.INSURER: {
        "insurer_name": Kind.TEXT,
        "insurer_policy": Kind.TEXT,
        "insurer_contact": Kind.TEXT,
        "notice": Kind.TEXT,
    },
    Step.PART_WAYS: {"we_owe": Kind.TEXT, "they_owe": Kind.TEXT, "closing_message": Kind.TEXT},
}

STEP_OF: dict[str, Step] = {name: step for step, names in FIELDS.items() for name in names}


# --- answers ---------------------------------------------------------------------


@dataclass(frozen=True)
class PlannedCommitment:
    text: str
    due_on: date | None = None


def clean_answers(step: Step, values: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """Check and normalise what a page sends, before it is stored.

    Returns (clean values, errors by field). Text is kept exactly as typed (an
    autosave must not move the cursor's ground under the user); lists drop empty
    lines; dates must be real dates. A field of another step is an error, so a
    page cannot overwrite its neighbour's answers by accident.
    """
    allowed = FIELDS[Step(step)]
    clean: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for name, value in values.items():
        kind = allowed.get(name)
        if kind is None:
            errors[name] = "This field does not belong to this step."
            continue
        try:
            clean[name] = _clean(kind, value)
        except (TypeError, ValueError) as exc:
            errors[name] = str(exc) or "This value cannot be saved."
    return clean, errors


def _clean(kind: Kind, value: Any) -> Any:
    if kind is Kind.TEXT:
        if not isinstance(value, str):
            raise TypeError("Expected text.")
        if len(value) > TEXT_MAX:
            raise ValueError(f"Keep this under {TEXT_MAX} characters.")
        if problem := text_problem(value):
            raise ValueError(problem)
        return value
    if kind is Kind.LINES:
        items = _list(value)
        if not all(isinstance(v, str) for v in items):
            # Not "None" or "5" stored as if typed: the wizard sends text only.
            raise TypeError("Expected a list of text.")
        lines = [" ".join(v.split()) for v in items]
        for line in lines:
            if problem := text_problem(line, multiline=False):
                raise ValueError(problem)
        return [line[:TEXT_MAX] for line in lines if line]
    if kind is Kind.IDS:
        ids = []
        for v in _list(value):
            if isinstance(v, bool) or not isinstance(v, int):
                raise TypeError("Expected numbers.")
            if v not in ids:
                ids.append(v)
        return ids
    if kind is Kind.COMMITMENTS:
        out = []
        for item in _list(value):
            if isinstance(item, PlannedCommitment):
                item = {"text": item.text, "due_on": item.due_on}
            if not isinstance(item, Mapping):
                raise TypeError("Expected commitments.")
            text = item.get("text", "")
            if not isinstance(text, str):
                raise TypeError("Expected text.")
            if len(text) > TEXT_MAX:
                raise ValueError(f"Keep each commitment under {TEXT_MAX} characters.")
            due = _date_text(item.get("due_on"))
            if text.strip() or due:
                out.append({"text": text, "due_on": due or None})
        return out
    if kind is Kind.DATE:
        return _date_text(value)
    if kind is Kind.DATETIME:
        if value in (None, ""):
            return ""
        moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
        if moment.tzinfo is None:
            raise ValueError("A time needs its time zone.")
        return moment.isoformat()
    raise AssertionError(kind)  # pragma: no cover - every Kind is handled above


def _list(value: Any) -> list[Any]:
    if not isinstance(value, list | tuple):
        raise TypeError("Expected a list.")
    if len(value) > LIST_MAX:
        raise ValueError(f"Keep this to {LIST_MAX} items or fewer.")
    return list(value)


def _date_text(value: Any) -> str:
    if value in (None, ""):
        return ""
    if isinstance(value, datetime):
        raise TypeError("Expected a date, not a time.")
    if isinstance(value, date):
        return value.isoformat()
    try:
        return date.fromisoformat(str(value)).isoformat()
    except ValueError:
        raise ValueError("That is not a date (use YYYY-MM-DD).") from None


def text(answers: Mapping[str, Any], name: str) -> str:
    value = answers.get(name, "")
    return value.strip() if isinstance(value, str) else ""


def lines(answers: Mapping[str, Any], name: str) -> list[str]:
    value = answers.get(name, [])
    return [str(v) for v in value] if isinstance(value, list) else []


def commitments(answers: Mapping[str, Any], name: str) -> list[PlannedCommitment]:
    out = []
    for item in answers.get(name, []) or []:
        words = " ".join(str(item.get("text", "")).split())
        if words:
            due = item.get("due_on")
            out.append(PlannedCommitment(words, date.fromisoformat(due) if due else None))
    return out


def answer_date(answers: Mapping[str, Any], name: str) -> date | None:
    value = answers.get(name) or ""
    return date.fromisoformat(value) if value else None


def step_done(step: Step, answers: Mapping[str, Any]) -> bool:
    """A step counts as done once any of its fields holds something."""
    return any(_filled(answers.get(name)) for name in FIELDS[step])


def _filled(value: Any) -> bool:
    if isinstance(value, str):
        return bool(value.strip())
    return bool(value)


# --- drafts the wizard offers ----------------------------------------------------


def first_name(full_name: str) -> str:
    words = full_name.split()
    return words[0] if words else "there"


def default_review_on(today: date, week: WorkingWeek | None = None) -> date:
    """Three months on, the playbook's usual pause before looking again; with the
    consultant's working week, moved to the next working day (never a Saturday or a
    bank holiday).

    dateutil keeps month-end dates honest (30 November → 28 February).
    """
    from dateutil.relativedelta import relativedelta

    review: date = today + relativedelta(months=REVIEW_MONTHS)
    return review if week is None else working_day_on_or_after(review, week)


def plain_day(day: date) -> str:
    """ "Monday, 8 March 2027" in the consultant's date style, for a sentence."""
    return format_date(day, weekday=True, keep_together=False)


def plain_moment(moment: datetime) -> str:
    """ "Monday, 7 December 2026 at 16:00" on the consultant's clock and style."""
    return format_moment(moment)


def draft_reply(client_name: str, my_name: str, answer_by: datetime | None) -> str:
    """The quick first reply: heard, taking it seriously, a full answer by a time."""
    when = f"by {plain_moment(answer_by)}" if answer_by else "very soon"
    sign = f"\n\n{my_name}" if my_name.strip() else ""
    return (
        f"Hello {first_name(client_name)},\n\n"
        "Thank you for telling me. I have read your message and I take it seriously. "
        f"I want to give you a proper answer, not a rushed one, so I will come back to you "
        f"in full {when}.{sign}"
    )


def draft_apology(client_name: str, our_mistakes: str, my_name: str) -> str:
    """An apology that names our actual mistakes and nothing else.

    Without a list of mistakes there is nothing honest to apologise for yet, so the
    draft says so instead of inventing a vague "sorry for any inconvenience".
    """
    mistakes = [" ".join(m.split()).rstrip(".") for m in our_mistakes.splitlines() if m.strip()]
    if not mistakes:
        return ""
    if len(mistakes) == 1:
        named = "a mistake: " + _lower_first(mistakes[0]) + "."
    else:
        named = "these mistakes:\n" + "\n".join(f"- {m}" for m in mistakes)
    sign = f"\n\n{my_name}" if my_name.strip() else ""
    return (
        f"Hello {first_name(client_name)},\n\n"
        f"I am sorry. I made {named}\n\n"
        "That was my part, and I own it. Here is what I am changing so it does not "
        f"happen again.{sign}"
    )


def _lower_first(words: str) -> str:
    if len(words) > 1 and words[1].islower():
        return words[0].lower() + words[1:]
    return words


def draft_check_in(client_name: str, review_on: date | None) -> str:
    when = plain_day(review_on) if review_on else "in a few months"
    return (
        f"Hello {first_name(client_name)}, as we agreed, I am checking in on {when}: "
        "how are things going on your side, and is there anything we should adjust?"
    )


def default_title(day: date) -> str:
    """A title the client can read without knowing our incident's name (which is our
    own shorthand, often a complaint in the client's words)."""
    return f"Our agreement \u2014 {format_date(day, keep_together=False)}"


# --- ready to end -----------------------------------------------------------------


def finish_problems(answers: Mapping[str, Any], ending: Step) -> dict[str, str]:
    """What must be filled in before a plan can end this way; empty when ready."""
    problems: dict[str, str] = {}
    if not text(answers, "facts"):
        problems["facts"] = "Write down what happened (step 1) before finishing."
    if ending is Step.HAND_OVER and not text(answers, "successor"):
        problems["successor"] = "Say who takes the work over."
    if ending is Step.INSURER and not text(answers, "insurer_name"):
        problems["insurer_name"] = "Name the insurer (you can keep it in Settings)."
    return problems
