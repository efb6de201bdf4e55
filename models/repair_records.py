"""The written records the other endings leave: a hand-over brief, a notice to the
insurer, a closing summary when we part ways.

Apart from the playbook because each is a document for a reader outside the
repair (successor, insurer, client), with sections tagged by topic so the printing
service can keep each audience to what it may see (models/documents.py). Pure:
``today`` comes in as an argument.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from models.documents import Audience, Party, RecordDocument, RecordSection, Topic
from models.repair import Step, first_name, lines, plain_day, text


@dataclass(frozen=True)
class RecordFacts:
    """What the book knows that the records need besides the plan's answers."""

    incident_title: str
    incident_opened: date
    category: str
    severity: str
    client: Party
    consultant: Party
    evidence: list[str] = field(default_factory=list)  # "name (size, added day)"
    history: list[str] = field(default_factory=list)  # "day: text", oldest first
    dates: list[str] = field(default_factory=list)  # "day: kind", oldest first: no words


def _section(
    heading: str, body: str = "", items: Sequence[str] = (), *, topic: str
) -> RecordSection | None:
    body = body.strip()
    items = [i for i in items if i.strip()]
    if not body and not items:
        return None
    return RecordSection(heading=heading, text=body, items=list(items), topic=Topic(topic))


def _sections(*parts: RecordSection | None) -> list[RecordSection]:
    return [p for p in parts if p is not None]


INSURER_NO_ADMISSIONS = (
    "The notice keeps to facts, dates, what the client says and what was done, with the "
    "evidence list. It leaves out what you think you got wrong, and lists your timeline "
    "by date and kind without your notes' words: professional indemnity policies usually "
    "ask you not to admit fault before the insurer has looked at it."
)


def compose_record(
    ending: Step, answers: Mapping[str, Any], facts: RecordFacts, today: date
) -> RecordDocument:
    """The written record an ending leaves: a hand-over brief for whoever takes
    the work over, a dated notice to the insurer with the evidence list, or a
    closing summary of what each side still owes.

    Each section says what kind of material it is (its topic); the printing service
    keeps only the topics the document's audience may see (models/documents.py), so
    even a section composed here by mistake never reaches the page.
    """
    them = first_name(facts.client.name)
    what = _section("What happened", text(answers, "facts"), topic="facts")
    client_view = _section(f"How {them} sees it", text(answers, "client_view"), topic="allegation")
    if ending is Step.HAND_OVER:
        successor = Party(name=text(answers, "successor"), email=text(answers, "successor_contact"))
        state = text(answers, "handover_state") or "\n\n".join(
            v for v in (text(answers, "project_state"), text(answers, "done_so_far")) if v
        )
        return RecordDocument(
            kind="Hand-over brief",
            title=f"{facts.client.name}: {facts.incident_title}",
            dated=today,
            consultant=facts.consultant,
            client=facts.client,
            addressee=successor,
            audience=Audience.SUCCESSOR,
            sections=_sections(
                _section("Where things stand", state, topic="state"),
                _section("Access and accounts", text(answers, "access_notes"), topic="access"),
                _section(
                    f"What matters to {them}",
                    text(answers, "why_hired"),
                    lines(answers, "priorities"),
                    topic="goals",
                ),
                what,
                client_view,
                _section("How I see it", text(answers, "our_view"), topic="our_view"),
                _section("History", items=facts.history, topic="history"),
            ),
        )
    if ending is Step.INSURER:
        insurer = Party(
            name=text(answers, "insurer_name"),
            address=text(answers, "insurer_contact"),
        )
        policy = text(answers, "insurer_policy")
        opened = plain_day(facts.incident_opened)
        return RecordDocument(
            kind="Notice to insurer",
            title=f"Possible claim: {facts.client.name}",
            dated=today,
            consultant=facts.consultant,
            client=facts.client,
            addressee=insurer,
            audience=Audience.INSURER,
            reference=f"Policy {policy}" if policy else "",
            sections=_sections(
                _section(
                    "Notice",
                    text(answers, "notice")
                    or (
                        "I am writing to let you know early about a dispute with a client "
                        f"that may lead to a claim. The matter was first recorded on {opened}."
                    ),
                    topic="notice",
                ),
                what,
                _section(f"What {them} says", text(answers, "client_view"), topic="allegation"),
                _section("What has been done", text(answers, "done_so_far"), topic="done"),
                _section(
                    "Evidence kept",
                    items=facts.evidence or ["No files attached yet."],
                    topic="evidence",
                ),
                # Dates and kinds only: a note's words may admit fault (issue 17).
                _section("Dates", items=facts.dates, topic="dates"),
            ),
        )
    if ending is Step.PART_WAYS:
        return RecordDocument(
            kind="Closing summary",
            title=f"Ending our work together: {facts.client.name}",
            dated=today,
            consultant=facts.consultant,
            client=facts.client,
            addressee=facts.client,
            audience=Audience.CLIENT,
            sections=_sections(
                _section("Closing message", text(answers, "closing_message"), topic="closing"),
                _section(
                    "What I still owe you", text(answers, "we_owe") or "Nothing.", topic="owed"
                ),
                _section(
                    "What you still owe me", text(answers, "they_owe") or "Nothing.", topic="owed"
                ),
                what,
            ),
        )
    raise ValueError(f"{ending!r} is not one of the other endings.")
