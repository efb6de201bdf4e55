"""What a printable document says, and for whom, as plain data: the contract between
the book (models/services build these) and the renderers at the edge (exports/pdf/).

Nothing here touches the database or ReportLab, so either side can be tested alone,
and the core never needs to know which output formats exist.

Every document declares its audience (shared/DESIGN.md): the renderer is given only
what that audience may see. ``for_audience`` is that filter; models/rendering.py applies
it to every document on its way to a renderer, so a renderer cannot print what it was
never handed.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import date, datetime


class Audience(enum.StrEnum):
    """Who a document is for; it decides what private preparation may appear in it."""

    CLIENT = "client"
    INSURER = "insurer"
    SUCCESSOR = "successor"
    SELF = "self"


class PageSize(enum.StrEnum):
    A4 = "A4"
    LETTER = "Letter"


@dataclass(frozen=True)
class Party:
    """One side of an agreement: the consultant, or the client."""

    name: str
    organisation: str = ""
    role: str = ""
    address: str = ""  # may span several lines
    email: str = ""
    phone: str = ""


@dataclass(frozen=True)
class CommitmentLine:
    text: str
    due_on: date | None = None
    state: str = "open"  # open, kept, broken


@dataclass(frozen=True)
class AgreementDocument:
    number: str  # e.g. "AG-2026-0007 v2": printed in the title block and every footer
    title: str
    dated: date
    consultant: Party
    client: Party
    context: str = ""
    points: list[str] = field(default_factory=list)
    ours: list[CommitmentLine] = field(default_factory=list)
    theirs: list[CommitmentLine] = field(default_factory=list)
    review_on: date | None = None
    status: str = "draft"  # draft, final, superseded: a draft is marked as such
    logo_png: bytes | None = None
    audience: Audience = Audience.CLIENT  # signed by both sides


@dataclass(frozen=True)
class SummaryFactor:
    """One line of the health score: what it costs (negative) and why."""

    points: int
    reason: str


@dataclass(frozen=True)
class SummaryTouch:
    happened_at: datetime
    channel: str
    summary: str = ""
    next_step: str = ""


@dataclass(frozen=True)
class SummaryEntry:
    """One entry of an incident's timeline (an entry, or a touch while it was open)."""

    happened_at: datetime
    kind: str
    text: str


@dataclass(frozen=True)
class SummaryFile:
    """One evidence file kept with an incident: enough to find it and prove it unchanged."""

    name: str
    size: int  # bytes
    added_at: datetime
    sha256: str  # the full hex digest; the pack prints a prefix


@dataclass(frozen=True)
class SummaryIncident:
    title: str
    category: str
    severity: str
    status: str
    opened_at: datetime
    response_due_at: datetime | None = None
    responded_at: datetime | None = None
    closed_at: datetime | None = None
    client_view: str = ""
    our_view: str = ""
    entries: list[SummaryEntry] = field(default_factory=list)  # newest first
    evidence: list[SummaryFile] = field(default_factory=list)  # oldest first


@dataclass(frozen=True)
class SummaryAgreement:
    number: str
    title: str
    status: str
    dated: date
    review_on: date | None = None
    ours: list[CommitmentLine] = field(default_factory=list)
    theirs: list[CommitmentLine] = field(default_factory=list)


@dataclass(frozen=True)
class ClientSummaryDocument:
    """Everything the book knows about one client, as an evidence pack."""

    today: date
    client: Party
    consultant: Party
    status: str = "active"
    emails: list[str] = field(default_factory=list)
    phones: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    notes: str = ""
    cadence: str = ""  # "Monthly", or "" when no rhythm is set
    last_touch_on: date | None = None
    touch_due_on: date | None = None
    health_score: int | None = None
    health_band: str = ""
    factors: list[SummaryFactor] = field(default_factory=list)
    touches: list[SummaryTouch] = field(default_factory=list)  # newest first
    # How many touches the book holds, when ``touches`` is only the newest of them
    # (a summary prints at most models.limits.PRINT_ROWS_MAX); None: all are there.
    touch_count: int | None = None
    incidents: list[SummaryIncident] = field(default_factory=list)  # newest first
    agreements: list[SummaryAgreement] = field(default_factory=list)  # newest first
    audience: Audience = Audience.SELF  # the consultant's own evidence pack


class Topic(enum.StrEnum):
    """What kind of material a record's section holds: the audience filter's unit."""

    NOTICE = "notice"  # the covering words of a notice
    FACTS = "facts"  # what happened, as facts
    ALLEGATION = "allegation"  # what the client says (their view)
    OUR_VIEW = "our_view"  # how we see it: preparation, not for the client or insurer
    ADMISSION = "admission"  # what we got wrong
    CONTRIBUTION = "contribution"  # what the client contributed (our judgement of them)
    DONE = "done"  # what has been done
    STATE = "state"  # where the work stands
    ACCESS = "access"  # logins, files, who to ask
    GOALS = "goals"  # why they hired us, their priorities
    EVIDENCE = "evidence"  # the files kept
    HISTORY = "history"  # the dated timeline, with the words of each entry
    DATES = "dates"  # when each event happened and what kind it was, without its words
    CLOSING = "closing"  # the closing message
    OWED = "owed"  # what each side still owes
    NOTES = "notes"  # anything else: the consultant's own file only


@dataclass(frozen=True)
class RecordSection:
    """One headed part of a record: prose (blank lines split paragraphs), a list, or both."""

    heading: str
    text: str = ""
    items: list[str] = field(default_factory=list)
    topic: Topic = Topic.NOTES


@dataclass(frozen=True)
class RecordDocument:
    """The written record one of the repair wizard's other endings leaves: a
    hand-over brief, a notice to the insurer, or a closing summary."""

    kind: str  # "Hand-over brief", "Notice to insurer", "Closing summary": the big title
    title: str
    dated: date
    consultant: Party
    client: Party
    addressee: Party | None = None  # who it is for: the successor, the insurer, the client
    reference: str = ""  # e.g. "Policy PI-2291"
    sections: list[RecordSection] = field(default_factory=list)
    logo_png: bytes | None = None
    # The successor, the insurer or the client, as the ending decides (models/repair_records.py).
    audience: Audience = Audience.CLIENT


# Anything the printing service can print.
Document = AgreementDocument | ClientSummaryDocument | RecordDocument


# What each audience may read in a record. The insurer gets facts, dates, the
# client's allegation, what was done and the evidence, never an admission (PI
# policies commonly forbid admitting liability): its dates are the dates and kinds of
# events only, since a timeline note typed in the moment ("my fault, I forgot") is an
# admission too. A successor gets what they need to carry on, the timeline's words
# included; the client gets the closing words and the facts. Unlisted topics
# (``NOTES`` included) reach only the consultant's own file.
RECORD_TOPICS: dict[Audience, frozenset[Topic]] = {
    Audience.INSURER: frozenset(
        {
            Topic.NOTICE,
            Topic.FACTS,
            Topic.ALLEGATION,
            Topic.DONE,
            Topic.EVIDENCE,
            Topic.DATES,
        }
    ),
    Audience.SUCCESSOR: frozenset(
        {
            Topic.FACTS,
            Topic.ALLEGATION,
            Topic.OUR_VIEW,
            Topic.DONE,
            Topic.STATE,
            Topic.ACCESS,
            Topic.GOALS,
            Topic.EVIDENCE,
            Topic.HISTORY,
            Topic.DATES,
        }
    ),
    Audience.CLIENT: frozenset({Topic.FACTS, Topic.CLOSING, Topic.OWED}),
    Audience.SELF: frozenset(Topic),
}


def for_audience(doc: Document) -> Document:
    """The document with only what its audience may see.

    A record keeps the sections whose topic its audience may read. An agreement is
    already the consultant's choice for the client (step 10's tick boxes and the
    editor), so it passes whole. A client summary is the consultant's own file.
    """
    from dataclasses import replace

    if isinstance(doc, RecordDocument):
        allowed = RECORD_TOPICS[Audience(doc.audience)]
        kept = [s for s in doc.sections if s.topic in allowed]
        return doc if len(kept) == len(doc.sections) else replace(doc, sections=kept)
    if isinstance(doc, ClientSummaryDocument) and doc.audience is not Audience.SELF:
        # Shared beyond the consultant, the pack drops our own view of each incident.
        incidents = [replace(i, our_view="") for i in doc.incidents]
        return replace(doc, incidents=incidents, notes="")
    return doc
