"""The format's shape, one pydantic model per aggregate: the published JSON Schema
(docs/json-format.schema.json) is generated from these, and tests check that the
field order and required fields agree with format.py and that a real export
validates against the schema with an independent validator (jsonschema).

Why pydantic: a schema written by hand drifts from the code; generated from typed
models it cannot, and other tools (editors, scripts in any language) can check a
file before handing it to Rapport. Pydantic is loaded only by the JSON commands
(never at the GUI's start-up): import this module inside the function that needs it.

The messages a user sees on import still come from the checks (check*.py), which
word every problem with its path; these models say what a valid file looks like.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from exports.book_json.format import FORMAT, VERSION
from models.documents import PageSize
from models.entities import (
    AgreementStatus,
    Channel,
    ClientStatus,
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

SCHEMA_ID = "https://rapport.invalid/json-format.schema.json"

Uid = Annotated[str, Field(pattern=r"^[0-9a-f]{32}$", description="A Rapport id")]
Sha256 = Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]
Day = Annotated[date, Field(description="YYYY-MM-DD")]
Moment = Annotated[datetime, Field(description="ISO 8601 with a time zone")]
Step = Annotated[int, Field(ge=1, le=13)]


class _Shape(BaseModel):
    # Unknown keys are refused, not ignored: a typo must not lose data quietly.
    model_config = ConfigDict(extra="forbid")


class ContactCodec(_Shape):
    value: Annotated[str, Field(min_length=1)]
    label: str = ""


class TouchCodec(_Shape):
    id: Uid
    happened_at: Moment
    channel: Channel
    summary: Annotated[str, Field(max_length=5000)] = ""
    next_step: str = ""
    created_at: Moment | None = None


class FollowUpCodec(_Shape):
    id: Uid
    kind: FollowUpKind = FollowUpKind.MANUAL
    title: Annotated[str, Field(min_length=1, max_length=300)]
    note: str = ""
    due_on: Day
    original_due_on: Day | None = None
    done_at: Moment | None = None
    touch: Uid | None = None
    created_at: Moment | None = None


class TimelineEntryCodec(_Shape):
    id: Uid
    kind: EntryKind
    happened_at: Moment
    text: Annotated[str, Field(min_length=1)]
    created_at: Moment | None = None
    edited_at: Moment | None = None


class EvidenceCodec(_Shape):
    id: Uid
    original_name: Annotated[str, Field(min_length=1)]
    sha256: Sha256
    size: Annotated[int, Field(ge=0)]
    added_at: Moment | None = None


class RepairPlanCodec(_Shape):
    id: Uid
    status: RepairPlanStatus = RepairPlanStatus.ACTIVE
    current_step: Step = 1
    answers: dict[str, Any] = Field(default_factory=dict)
    skipped: list[Step] = Field(default_factory=list)
    done: list[Step] = Field(default_factory=list)
    ending: RepairEnding | None = None
    agreement: Uid | None = None
    started_at: Moment | None = None
    updated_at: Moment | None = None
    finished_at: Moment | None = None


class IncidentCodec(_Shape):
    id: Uid
    title: Annotated[str, Field(min_length=1, max_length=300)]
    category: IncidentCategory
    severity: Severity
    status: IncidentStatus = IncidentStatus.OPEN
    client_view: str = ""
    our_view: str = ""
    our_mistakes: str = ""
    client_contribution: str = ""
    opened_at: Moment
    acknowledged_at: Moment | None = None
    closed_at: Moment | None = None
    response_due_at: Moment | None = None
    responded_at: Moment | None = None
    promise_follow_up: Uid | None = None
    updated_at: Moment | None = None
    timeline: list[TimelineEntryCodec] = Field(default_factory=list)
    evidence: list[EvidenceCodec] = Field(default_factory=list)
    repair_plans: list[RepairPlanCodec] | None = Field(
        default=None, description="Absent: the book's plans for this incident are kept."
    )


class CommitmentCodec(_Shape):
    id: Uid
    side: Side
    text: Annotated[str, Field(min_length=1)]
    due_on: Day | None = None
    state: CommitmentState = CommitmentState.OPEN
    follow_up: Uid | None = None


class AgreementCodec(_Shape):
    id: Uid
    number: Annotated[str, Field(pattern=r"^AG-[0-9]{4}-[0-9]{4,}$")]
    version: Annotated[int, Field(ge=1)] = 1
    title: str
    dated: Day
    status: AgreementStatus = AgreementStatus.DRAFT
    incident: Uid | None = None
    supersedes: Uid | None = None
    context: str = ""
    points: list[str] = Field(default_factory=list)
    review_on: Day | None = None
    review_follow_up: Uid | None = None
    finalised_at: Moment | None = None
    created_at: Moment | None = None
    updated_at: Moment | None = None
    commitments: list[CommitmentCodec] = Field(default_factory=list)
    pdf_sha256: Sha256 | None = None
    pdf: Annotated[str, Field(description="base64 of the stored PDF")] | None = None


class ClientCodec(_Shape):
    id: Uid
    name: Annotated[str, Field(min_length=1)]
    organisation: str = ""
    role: str = ""
    status: ClientStatus = ClientStatus.ACTIVE
    notes: str = ""
    emails: list[ContactCodec] = Field(default_factory=list)
    phones: list[ContactCodec] = Field(default_factory=list)
    tags: list[Annotated[str, Field(max_length=80)]] = Field(default_factory=list)
    cadence_days: Annotated[int, Field(ge=1, le=3660)] | None = None
    priority_until: Day | None = None
    created_at: Moment | None = None
    updated_at: Moment | None = None
    archived_at: Moment | None = None
    touches: list[TouchCodec] = Field(default_factory=list)
    follow_ups: list[FollowUpCodec] = Field(default_factory=list)
    incidents: list[IncidentCodec] = Field(default_factory=list)
    agreements: list[AgreementCodec] | None = Field(
        default=None, description="Absent: the book's agreements for this client are kept."
    )


class ConsultantCodec(_Shape):
    name: str = ""
    business: str = ""
    address: str = ""
    email: str = ""
    phone: str = ""
    logo_png: Annotated[str, Field(description="base64 of a PNG")] | None = None
    page_size: PageSize = PageSize.A4


class BookCodec(_Shape):
    format: Literal["rapport-book"] = FORMAT
    version: Annotated[int, Field(ge=1, le=VERSION)]
    consultant: ConsultantCodec | None = Field(
        default=None, description="Absent: the book's own details are kept."
    )
    clients: list[ClientCodec]


# Each aggregate's model by the field-order name format.py uses for it.
AGGREGATES: dict[str, type[BaseModel]] = {
    "CLIENT": ClientCodec,
    "CONTACT": ContactCodec,
    "TOUCH": TouchCodec,
    "FOLLOW_UP": FollowUpCodec,
    "INCIDENT": IncidentCodec,
    "ENTRY": TimelineEntryCodec,
    "EVIDENCE": EvidenceCodec,
    "PLAN": RepairPlanCodec,
    "AGREEMENT": AgreementCodec,
    "COMMITMENT": CommitmentCodec,
    "CONSULTANT": ConsultantCodec,
}


def json_schema() -> dict[str, Any]:
    """The published schema of the current version (Draft 2020-12)."""
    schema = BookCodec.model_json_schema()
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        **schema,
        "title": f"Rapport book export, version {VERSION}",
    }


def schema_text() -> str:
    """The schema file's exact text (docs/json-format.schema.json)."""
    return json.dumps(json_schema(), ensure_ascii=False, indent=2) + "\n"


if __name__ == "__main__":  # python -m exports.book_json.codecs > docs/json-format.schema.json
    print(schema_text(), end="")
