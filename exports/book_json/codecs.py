"""The format, one pydantic model per aggregate: an import is checked by these
models in one call (pydantic-core does the work), and the published JSON Schema
(docs/json-format.schema.json) is generated from them, so the two cannot drift.
Tests check that the field order and required fields agree with format.py, and
that a real export meets the schema as an independent validator (jsonschema) reads it.

What a model holds is what the file may hold: types, choices, ids, dates in the
app's years, text within the one cap, no unknown
keys. The rules of the app's forms (a name, a tag of at most 80 characters, a
touch that already happened) stay with the services that every form goes
through; the checks apply them to the checked models (check*.py), and the schema
documents them. Each field carries the ``Words`` its problems are told in.

Pydantic is loaded only by the JSON commands (never at the GUI's start-up):
import this module inside the function that needs it.
"""

from __future__ import annotations

import enum
import json
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field
from pydantic_core import SchemaValidator, core_schema

from exports.book_json.codec_types import (
    Day,
    Line,
    MaybeDay,
    MaybeMoment,
    Moment,
    OpenEndedDay,
    Sha256,
    Text,
    Uid,
    Words,
    choice,
    link,
)
from exports.book_json.format import FORMAT, VERSION, WEEKDAYS
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

Step = Annotated[int, Field(strict=True, ge=1, le=13), Words("step")]
Base64 = Annotated[str, Field(strict=True), Words("base64")]


def _form(**rules: Any) -> Any:
    """A rule of the app's forms, documented in the schema; the services enforce it
    (with the words the forms use), so the model does not."""
    return Field(json_schema_extra=rules)


def _list(item: Any, shape: str = "an object") -> Any:
    return Annotated[list[item], Words("list", shape=shape)]  # type: ignore[valid-type]


class _Shape(BaseModel):
    # Unknown keys are refused, not ignored: a typo must not lose data quietly.
    model_config = ConfigDict(extra="forbid")


class ContactCodec(_Shape):
    value: Annotated[Line, _form(minLength=1)]
    label: Line = ""


class TouchCodec(_Shape):
    id: Uid
    happened_at: Moment
    channel: Annotated[Channel, choice("channel")]
    summary: Annotated[Text, _form(maxLength=5000)] = ""
    next_step: Text = ""
    created_at: Moment = None


class FollowUpCodec(_Shape):
    id: Uid
    kind: Annotated[FollowUpKind, choice("kind of follow-up")] = FollowUpKind.MANUAL
    title: Annotated[Text, _form(minLength=1, maxLength=300)]
    note: Text = ""
    due_on: Day
    original_due_on: Day = None
    done_at: MaybeMoment = None
    touch: link("touch", "this client's touches") = None
    created_at: Moment = None


class TimelineEntryCodec(_Shape):
    id: Uid
    kind: Annotated[EntryKind, choice("kind of entry")]
    happened_at: Moment
    text: Annotated[Text, _form(minLength=1)]
    created_at: Moment = None
    edited_at: MaybeMoment = None


class EvidenceCodec(_Shape):
    id: Uid
    original_name: Annotated[Line, _form(minLength=1)]
    sha256: Sha256
    size: Annotated[int, Field(strict=True, ge=0), Words("bytes")]
    added_at: Moment = None


class RepairPlanCodec(_Shape):
    id: Uid
    status: Annotated[RepairPlanStatus, choice("status of a repair plan")] = RepairPlanStatus.ACTIVE
    current_step: Step = 1
    answers: Annotated[dict[str, Any], Words("answers")] = Field(default_factory=dict)
    skipped: _list(Step) = Field(default_factory=list)
    done: _list(Step) = Field(default_factory=list)
    ending: Annotated[RepairEnding, choice("way a repair ends")] | None = None
    agreement: link("agreement", "this client's agreements") = None
    started_at: Moment = None
    updated_at: Moment = None
    finished_at: MaybeMoment = None


class IncidentCodec(_Shape):
    id: Uid
    title: Annotated[Line, _form(minLength=1, maxLength=300)]
    category: Annotated[IncidentCategory, choice("category")]
    severity: Annotated[Severity, choice("severity")]
    status: Annotated[IncidentStatus, choice("status of an incident")] = IncidentStatus.OPEN
    client_view: Annotated[Text, _form(maxLength=20_000)] = ""
    our_view: Annotated[Text, _form(maxLength=20_000)] = ""
    our_mistakes: Annotated[Text, _form(maxLength=20_000)] = ""
    client_contribution: Annotated[Text, _form(maxLength=20_000)] = ""
    opened_at: Moment
    acknowledged_at: MaybeMoment = None
    closed_at: MaybeMoment = None
    response_due_at: MaybeMoment = None
    responded_at: MaybeMoment = None
    promise_follow_up: link("follow-up", "this client's follow-ups") = None
    updated_at: Moment = None
    timeline: _list(TimelineEntryCodec) = Field(default_factory=list)
    evidence: _list(EvidenceCodec) = Field(default_factory=list)
    repair_plans: _list(RepairPlanCodec) | None = Field(
        default=None, description="Absent: the book's plans for this incident are kept."
    )


class CommitmentCodec(_Shape):
    id: Uid
    side: Annotated[Side, choice("side")]
    text: Annotated[Line, _form(minLength=1)]
    due_on: MaybeDay = None
    state: Annotated[CommitmentState, choice("state")] = CommitmentState.OPEN
    follow_up: link("follow-up", "this client's follow-ups") = None


class AgreementCodec(_Shape):
    id: Uid
    number: Annotated[
        str, Field(strict=True, pattern=r"^AG-[0-9]{4}-[0-9]{4,}$"), Words("agreement_number")
    ]
    version: Annotated[int, Field(strict=True, ge=1), Words("version")] = 1
    title: Line
    dated: Day
    status: Annotated[AgreementStatus, choice("status")] = AgreementStatus.DRAFT
    incident: link("incident", "this client's incidents") = None
    supersedes: link("agreement", "this client's other agreements") = None
    context: Text = ""
    points: _list(Text) = Field(default_factory=list)
    review_on: MaybeDay = None
    review_follow_up: link("follow-up", "this client's follow-ups") = None
    finalised_at: MaybeMoment = None
    created_at: Moment = None
    updated_at: Moment = None
    commitments: _list(CommitmentCodec) = Field(default_factory=list)
    pdf_sha256: Annotated[Sha256, Words("pdf_sha256")] | None = None
    pdf: Annotated[Base64, Field(description="base64 of the stored PDF")] | None = None


CONTACT_SHAPE = 'an object like {"value": "…", "label": "work"}'


class ClientCodec(_Shape):
    id: Uid
    name: Annotated[Line, _form(minLength=1)]
    organisation: Line = ""
    role: Line = ""
    status: Annotated[ClientStatus, choice("status")] = ClientStatus.ACTIVE
    notes: Text = ""
    emails: _list(ContactCodec, CONTACT_SHAPE) = Field(default_factory=list)
    phones: _list(ContactCodec, CONTACT_SHAPE) = Field(default_factory=list)
    tags: _list(Annotated[Line, _form(maxLength=80)]) = Field(default_factory=list)
    cadence_days: (
        Annotated[int, Field(strict=True), _form(minimum=1, maximum=3660), Words("days")] | None
    ) = None
    priority_until: OpenEndedDay = None
    created_at: Moment = None
    updated_at: Moment = None
    archived_at: MaybeMoment = None
    touches: _list(TouchCodec) = Field(default_factory=list)
    follow_ups: _list(FollowUpCodec) = Field(default_factory=list)
    incidents: _list(IncidentCodec) = Field(default_factory=list)
    agreements: _list(AgreementCodec) | None = Field(
        default=None, description="Absent: the book's agreements for this client are kept."
    )


Weekday = enum.StrEnum("Weekday", {name.upper(): name for name in WEEKDAYS})  # type: ignore[misc]
Clock = Annotated[
    str, Field(strict=True, pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$"), Words("clock")
]


class WorkCodec(_Shape):
    """The working week (promises and default dates keep to it) and the locale
    dates are written in (empty: the computer's)."""

    days: _list(Annotated[Weekday, choice("day of the week")])
    starts: Clock
    ends: Clock
    holiday_country: Annotated[
        Line, Field(description='An ISO 3166 code, like "GB"; empty: no public holidays')
    ]
    holiday_subdivision: Line
    date_locale: Annotated[Line, Field(description='Like "en_GB"; empty: the computer\'s')]


class ConsultantCodec(_Shape):
    name: Line = ""
    business: Line = ""
    address: Text = ""
    email: Line = ""
    phone: Line = ""
    logo_png: Annotated[Base64, Field(description="base64 of a PNG")] | None = None
    page_size: Annotated[PageSize, choice("page size")] = PageSize.A4
    work: WorkCodec | None = Field(
        default=None, description="Absent: the book's working week and date style are kept."
    )


class BookCodec(_Shape):
    format: Literal["rapport-book"] = FORMAT
    version: Annotated[int, Field(strict=True, ge=1, le=VERSION)]
    consultant: ConsultantCodec | None = Field(
        default=None, description="Absent: the book's own details are kept."
    )
    clients: _list(ClientCodec)


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
    "WORK": WorkCodec,
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


_CHECKERS: dict[type[BaseModel], SchemaValidator] = {}


def checker(model: type[BaseModel]) -> SchemaValidator:
    """``model``'s validator, with the model's every check, built to give plain dicts
    instead of model objects: an import checks half a million touches, and a dict
    is several times cheaper to make in pydantic-core than a model. The problems it
    finds, and where, are the model's own (same fields, same checks)."""
    if model not in _CHECKERS:
        _CHECKERS[model] = SchemaValidator(_as_dicts(model.__pydantic_core_schema__))
    return _CHECKERS[model]


def _as_dicts(schema: Any) -> Any:
    """``schema`` with every model made a typed dict of the same fields."""
    if isinstance(schema, list):
        return [_as_dicts(s) for s in schema]
    if not isinstance(schema, dict):
        return schema
    if schema.get("type") == "model":
        inner = schema["schema"]
        fields = {
            name: core_schema.typed_dict_field(
                _as_dicts(field["schema"]), required=field["schema"]["type"] != "default"
            )
            for name, field in inner["fields"].items()
        }
        return core_schema.typed_dict_schema(fields, extra_behavior="forbid", ref=schema.get("ref"))
    return {key: _as_dicts(value) for key, value in schema.items()}
