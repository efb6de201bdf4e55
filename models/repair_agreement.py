"""How a repair plan's answers become an agreement: every point the answers offer
(a candidate), which of them the client sees, and the agreement composed from the
ticked ones.

Apart from the playbook because it is the happy path's one output and has its own
rule (private preparation starts unticked); pure, like the playbook: ``today``
comes in as an argument.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from models.repair import (
    SKIPPABLE,
    TITLES,
    PlannedCommitment,
    Step,
    answer_date,
    commitments,
    default_title,
    first_name,
    lines,
    text,
)


@dataclass(frozen=True)
class ComposedAgreement:
    title: str
    context: str
    points: list[str]
    ours: list[PlannedCommitment]
    theirs: list[PlannedCommitment]
    review_on: date | None
    skipped: list[Step] = field(default_factory=list)


@dataclass(frozen=True)
class Candidate:
    """One thing the agreement could say, with whether the client sees it by default.

    Private preparation (how we see it, the apology draft, the evidence we looked
    at, our figures, the check-in draft) starts unticked: it reaches the client's
    agreement only when the consultant ticks it on step 10.
    """

    key: str  # stable: stored in the plan's "shown"/"hidden" lists
    part: str  # "context" (a headed paragraph) or "point" (a bullet)
    label: str  # the heading, or how the point starts
    text: str
    private: bool = False

    @property
    def line(self) -> str:
        """The words as the agreement prints them."""
        if self.part == "context":
            return f"{self.label}\n{self.text}" if self.label else self.text
        return f"{self.label}: {self.text}" if self.label else self.text


def skipped_sentence(skipped: Sequence[Step]) -> str:
    if not skipped:
        return ""
    names = ", ".join(f"{int(s)} ({TITLES[s].lower()})" for s in sorted(skipped))
    word = "step" if len(skipped) == 1 else "steps"
    return f"Repair {word} skipped on the way to this agreement: {names}."


def candidates(
    answers: Mapping[str, Any], skipped: Sequence[Step], *, client_name: str
) -> list[Candidate]:
    """Everything the plan's answers could put in the agreement, in print order.

    A skipped step offers nothing. The context keeps why things fell out of
    alignment; the points keep what was discussed.
    """
    skip = set(skipped)
    them = first_name(client_name)
    out: list[Candidate] = []

    def para(label: str, name: str, step: Step, private: bool = False) -> None:
        value = text(answers, name)
        if value and step not in skip:
            out.append(Candidate(f"context:{name}", "context", label, value, private))

    para("What happened", "facts", Step.FACTS)
    para(f"How {them} sees it", "client_view", Step.FACTS)
    para("How I see it", "our_view", Step.FACTS, private=True)
    para("What I got wrong", "our_mistakes", Step.BOTH_SIDES)
    para(f"What {them} contributed", "client_contribution", Step.BOTH_SIDES)
    para("My apology", "apology", Step.APOLOGY, private=True)
    para("Why things fell out of alignment", "notes", Step.IN_WRITING)
    sentence = skipped_sentence(sorted(skip & SKIPPABLE))
    if sentence:
        out.append(Candidate("context:skipped", "context", "", sentence))

    def point(label: str, name: str, step: Step, private: bool = False) -> None:
        value = " ".join(text(answers, name).split())
        if value and step not in skip:
            out.append(Candidate(f"point:{name}", "point", label, value, private))

    point("Where the project stands", "project_state", Step.STATE)
    point("What has been done", "done_so_far", Step.STATE)
    point("Choices made, and why", "choices", Step.STATE)
    point(f"How {them}'s own choices played in", "client_choices", Step.STATE)
    point(f"Why {them} hired me", "why_hired", Step.GOALS)
    priorities = lines(answers, "priorities") if Step.GOALS not in skip else []
    if priorities:
        ranked = "; ".join(f"{i}. {p}" for i, p in enumerate(priorities, 1))
        label = f"{them}'s priorities, in order"
        out.append(Candidate("point:priorities", "point", label, ranked))
    if Step.EVIDENCE not in skip:
        chosen = sum(len(lines(answers, k)) for k in ("evidence_ids", "entry_ids", "touch_ids"))
        if chosen:
            noun = "item" if chosen == 1 else "items"
            words = f"We went through the record together ({chosen} {noun})."
            out.append(Candidate("point:evidence", "point", "", words, private=True))
        point("Figures", "figures", Step.EVIDENCE, private=True)
    point("Check-in", "check_in", Step.TIMEFRAME, private=True)
    return out


def ticked(candidate: Candidate, answers: Mapping[str, Any]) -> bool:
    """Whether the client sees this candidate: the consultant's choice, else its default."""
    if candidate.key in lines(answers, "shown"):
        return True
    if candidate.key in lines(answers, "hidden"):
        return False
    return not candidate.private


def compose_agreement(
    answers: Mapping[str, Any],
    skipped: Sequence[Step],
    *,
    today: date,
    client_name: str,
) -> ComposedAgreement:
    """What the plan's answers say, arranged as an agreement: only the candidates
    ticked for the client (``candidates``, ``ticked``), then the extra points typed on
    step 10. The context says which steps were skipped, so the written record is
    honest about how it was reached.
    """
    skip = set(skipped)
    chosen = [
        c for c in candidates(answers, skipped, client_name=client_name) if ticked(c, answers)
    ]
    points = [c.line for c in chosen if c.part == "point"]
    points.extend(lines(answers, "points"))
    review_on = answer_date(answers, "review_on") if Step.TIMEFRAME not in skip else None
    return ComposedAgreement(
        title=text(answers, "title") or default_title(today),
        context="\n\n".join(c.line for c in chosen if c.part == "context"),
        points=points,
        ours=commitments(answers, "ours") if Step.OUR_CHANGE not in skip else [],
        theirs=commitments(answers, "theirs") if Step.OUR_REQUEST not in skip else [],
        review_on=review_on,
        skipped=sorted(skip & SKIPPABLE),
    )
