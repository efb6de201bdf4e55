"""What the checks hand the merge: each aggregate of the file, checked and
cleaned, in the book's own types."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from models.entities import (
    AgreementStatus,
    Channel,
    CommitmentState,
    EntryKind,
    FollowUpKind,
    IncidentCategory,
    IncidentStatus,
    RepairEnding,
    RepairPlanStatus,
    Severity,
    Side,
)
from models.services.clients import (
    ClientInput,
)
from models.services.consultant import ConsultantSettings
from models.types import StoredMoment, moment_of


@dataclass(slots=True)
class _IncomingTouch:
    """A touch keeps its moments in the text the book stores (most of a file is
    touches, and the writer takes that text as it is); the datetimes are there for
    the few that are matched against the book's own rows."""

    uid: str
    happened: StoredMoment
    channel: Channel
    summary: str
    next_step: str
    created: StoredMoment | None  # None: not in the file

    @property
    def happened_at(self) -> datetime:
        return moment_of(self.happened)

    @property
    def created_at(self) -> datetime | None:
        return moment_of(self.created) if self.created is not None else None


@dataclass
class _IncomingFollowUp:
    uid: str
    kind: FollowUpKind
    title: str
    note: str
    due_on: date
    original_due_on: date
    done_at: datetime | None
    touch_uid: str | None
    created_at: datetime | None  # None: not in the file


@dataclass
class _IncomingEntry:
    uid: str
    kind: EntryKind
    happened_at: datetime
    text: str
    created_at: datetime | None  # None: not in the file
    edited_at: datetime | None


@dataclass
class _IncomingEvidence:
    uid: str
    name: str
    sha256: str
    size: int
    added_at: datetime | None  # None: not in the file


@dataclass
class _IncomingPlan:
    uid: str
    status: RepairPlanStatus
    current_step: int
    # Checked and tidied as the wizard's autosave tidies them; the linking answers
    # (PLAN_LINKS) still hold the file's ids, turned into row numbers on merging.
    answers: dict[str, Any]
    skipped: list[int]
    done: list[int]
    ending: RepairEnding | None
    agreement_uid: str | None
    started_at: datetime | None  # None: not in the file
    updated_at: datetime | None  # None: not in the file
    finished_at: datetime | None


@dataclass
class _IncomingIncident:
    uid: str
    title: str
    category: IncidentCategory
    severity: Severity
    status: IncidentStatus
    texts: dict[str, str]  # the four INCIDENT_TEXTS, kept exactly
    opened_at: datetime
    acknowledged_at: datetime | None
    closed_at: datetime | None
    response_due_at: datetime | None
    responded_at: datetime | None
    promise_uid: str | None
    updated_at: datetime | None  # None: not in the file
    timeline: list[_IncomingEntry] = field(default_factory=list)
    evidence: list[_IncomingEvidence] = field(default_factory=list)
    plans: list[_IncomingPlan] | None = None  # None: not in the file; left alone


@dataclass
class _IncomingCommitment:
    uid: str
    side: Side
    position: int
    text: str
    due_on: date | None
    state: CommitmentState
    follow_up_uid: str | None


@dataclass
class _IncomingAgreement:
    uid: str
    number: str
    version: int
    title: str
    dated: date
    status: AgreementStatus
    incident_uid: str | None
    supersedes_uid: str | None
    context: str
    points: str  # one point per line, as the book keeps them
    review_on: date | None
    review_follow_up_uid: str | None
    finalised_at: datetime | None
    created_at: datetime | None  # None: not in the file
    updated_at: datetime | None  # None: not in the file
    pdf: bytes | None
    pdf_sha256: str | None
    commitments: list[_IncomingCommitment] = field(default_factory=list)


@dataclass
class _Incoming:
    """One client of the file, checked and cleaned, ready to merge."""

    index: int
    uid: str
    data: ClientInput
    created_at: datetime | None  # None: not in the file
    updated_at: datetime | None  # None: not in the file
    archived_at: datetime | None
    priority_until: date | None = None
    touches: list[_IncomingTouch] = field(default_factory=list)
    follow_ups: list[_IncomingFollowUp] = field(default_factory=list)
    incidents: list[_IncomingIncident] = field(default_factory=list)
    agreements: list[_IncomingAgreement] | None = None  # None: not in the file; left alone


@dataclass
class _Checked:
    clients: list[_Incoming]
    consultant: ConsultantSettings | None  # None: not in the file; left alone
