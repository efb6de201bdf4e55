"""The format's codecs, one aggregate at a time: what each model accepts, what it
makes of it, and how each refusal is worded, with its path, before any rule of
the app's forms or any cross-record rule (tests/test_json_*.py cover those
through whole imports)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from pydantic import BaseModel, ValidationError

from exports.book_json.codecs import (
    AgreementCodec,
    BookCodec,
    ClientCodec,
    ConsultantCodec,
    FollowUpCodec,
    IncidentCodec,
    RepairPlanCodec,
    TouchCodec,
    checker,
)
from exports.book_json.problems import from_error, sorted_problems
from models.documents import PageSize
from models.entities import (
    AgreementStatus,
    Channel,
    ClientStatus,
    CommitmentState,
    EntryKind,
    FollowUpKind,
    RepairPlanStatus,
    Side,
)
from models.limits import TEXT_LIMIT

U1, U2, U3 = "1" * 32, "2" * 32, "3" * 32
SHA = "c" * 64


def problems(model: type[BaseModel], value: Any) -> list[str]:
    """What the codec says about ``value``: nothing when it passes."""
    try:
        checker(model).validate_python(value)
    except ValidationError as err:
        return sorted_problems(model, from_error(model, err))
    return []


def checked(model: type[BaseModel], value: Any) -> dict[str, Any]:
    record: dict[str, Any] = checker(model).validate_python(value)
    # The dict validator and the model itself agree on every value.
    assert model.model_validate(value).model_dump() == record
    return record


# --------------------------------------------------------------------------- client
def test_client_defaults_and_types() -> None:
    c = checked(ClientCodec, {"id": U1, "name": "Anna", "cadence_days": 30})
    assert c["status"] is ClientStatus.ACTIVE
    assert (c["emails"], c["tags"], c["touches"], c["incidents"]) == ([], [], [], [])
    assert c["agreements"] is None  # absent: the book's are kept
    assert c["created_at"] is None and c["priority_until"] is None
    # An open-ended priority (date.max) is a day the format keeps.
    assert checked(ClientCodec, {"id": U1, "name": "A", "priority_until": "9999-12-31"})[
        "priority_until"
    ] == date(9999, 12, 31)


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"name": 5}, ["name: should be text, not a number."]),
        ({"cadence_days": 7.0}, ["cadence_days: 7.0 is not a whole number of days."]),
        (
            {"cadence_days": False},
            ["cadence_days: should be a whole number of days or null, not true/false."],
        ),
        (
            {"emails": [{"value": "a@b.example", "kind": "x"}]},
            ['emails[0]: unknown field "kind".'],
        ),
        (
            {"phones": [7]},
            ['phones[0]: should be an object like {"value": "…", "label": "work"}, not a number.'],
        ),
        ({"tags": ["ok", None]}, ["tags[1]: should be text, not null."]),
        (
            {"status": "gone"},
            ['status: "gone" is not a status; use "active", "paused" or "former".'],
        ),
        ({"created_at": None}, ["created_at: should be a date and time, not null."]),
        # Both problems at once, in the order of the file.
        (
            {"touches": 3, "name": None},
            ["name: should be text, not null.", "touches: should be a list, not a number."],
        ),
    ],
)
def test_client_refusals(fields: dict[str, Any], expected: list[str]) -> None:
    assert problems(ClientCodec, {"id": U1, "name": "Anna"} | fields) == expected


def test_client_without_id_or_name() -> None:
    assert problems(ClientCodec, {}) == ['missing "id".', 'missing "name".']


# --------------------------------------------------------------------------- touch
def touch(**fields: Any) -> dict[str, Any]:
    return {"id": U2, "happened_at": "2025-06-01T10:00:00+02:00", "channel": "call"} | fields


def test_touch_times_are_read_in_their_zone() -> None:
    t = checked(TouchCodec, touch(summary="Spoke", created_at="2025-06-01T08:00:00Z"))
    assert t["channel"] is Channel.CALL
    assert t["happened_at"] == datetime(2025, 6, 1, 8, 0, tzinfo=UTC)
    assert t["happened_at"].utcoffset() == timedelta(hours=2)
    assert t["created_at"] == t["happened_at"]


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        # Numbers, and text pydantic would read as a Unix time, are not times here.
        ({"happened_at": 1700000000}, "should be a date and time as text, not a number."),
        (
            {"happened_at": "1700000000"},
            '"1700000000" is not a date and time in ISO 8601 form, '
            'like "2025-03-14T09:30:00+00:00".',
        ),
        (
            {"happened_at": "2025-06-01T10:00:00"},
            '"2025-06-01T10:00:00" has no time zone; add one, like "+00:00" or "Z".',
        ),
        (
            {"happened_at": "1899-12-31T23:00:00+00:00"},
            '"1899-12-31T23:00:00+00:00" is too far in the past or future.',
        ),
        (
            {"happened_at": "2201-01-01T00:00:00+00:00"},
            '"2201-01-01T00:00:00+00:00" is too far in the past or future.',
        ),
        (
            {"channel": "fax"},
            '"fax" is not a channel; use "call", "email", "meeting", "message", "visit" '
            'or "other".',
        ),
        ({"channel": 1}, "should be text, not a number."),
        ({"id": "T1"}, '"T1" is not a Rapport id (32 characters, each 0-9 or a-f).'),
    ],
)
def test_touch_refusals(fields: dict[str, Any], expected: str) -> None:
    [problem] = problems(TouchCodec, touch(**fields))
    key = next(iter(fields))
    assert problem == f"{key}: {expected}"


def test_text_cap_and_broken_characters() -> None:
    assert problems(TouchCodec, touch(summary="x" * TEXT_LIMIT)) == []
    assert problems(TouchCodec, touch(summary="x" * (TEXT_LIMIT + 1))) == [
        f"summary: is {TEXT_LIMIT + 1} characters long; a field holds at most {TEXT_LIMIT}."
    ]
    assert problems(TouchCodec, touch(next_step="half \ud800")) == [
        "next_step: contains a broken character (half of a UTF-16 pair)."
    ]
    # Text is kept exactly, tab and line breaks and all; control characters are
    # refused (models/limits.py, the one rule of every edge), by their code point.
    assert checked(TouchCodec, touch(summary="tab\ttab\r\n"))["summary"] == "tab\ttab\r\n"
    for char in "\x00\x1b\x7f\x9b\x0b":
        assert problems(TouchCodec, touch(summary=f"a{char}b")) == [
            f"summary: contains a control character (U+{ord(char):04X})."
        ]


# --------------------------------------------------------------------------- follow-up
def test_follow_up() -> None:
    f = checked(FollowUpCodec, {"id": U3, "title": "Call", "due_on": "2026-02-28"})
    assert f["kind"] is FollowUpKind.MANUAL and f["due_on"] == date(2026, 2, 28)
    assert f["original_due_on"] is None and f["touch"] is None
    base = {"id": U3, "title": "Call", "due_on": "2026-02-28"}
    assert problems(FollowUpCodec, base | {"due_on": "2026-02-30"}) == [
        'due_on: "2026-02-30" is not a day of the calendar.'
    ]
    assert problems(FollowUpCodec, base | {"due_on": "1899-12-31"}) == [
        'due_on: "1899-12-31" is too far in the past or future.'
    ]
    assert problems(FollowUpCodec, base | {"original_due_on": None}) == [
        "original_due_on: should be a date, not null."
    ]
    assert problems(FollowUpCodec, base | {"due_on": 20260228}) == [
        "due_on: should be a date as text, not a number."
    ]
    assert problems(FollowUpCodec, base | {"touch": 3, "done_at": "soon"}) == [
        'done_at: "soon" is not a date and time in ISO 8601 form, '
        'like "2025-03-14T09:30:00+00:00".',
        "touch: should be a touch id or null, not a number.",
    ]
    assert problems(FollowUpCodec, base | {"touch": "t1"}) == [
        'touch: "t1" is not the id of one of this client\'s touches.'
    ]


# --------------------------------------------------------------------------- incident
def incident(**fields: Any) -> dict[str, Any]:
    return {
        "id": U1,
        "title": "Late",
        "category": "late_payment",
        "severity": "high",
        "opened_at": "2026-01-01T00:00:00Z",
    } | fields


def test_incident_with_timeline_and_evidence() -> None:
    inc = checked(
        IncidentCodec,
        incident(
            timeline=[
                {"id": U2, "kind": "call", "happened_at": "2026-01-02T00:00:00Z", "text": "Hi"}
            ],
            evidence=[{"id": U3, "original_name": "a.pdf", "sha256": SHA, "size": 0}],
        ),
    )
    assert inc["timeline"][0]["kind"] is EntryKind.CALL
    assert inc["evidence"][0]["size"] == 0
    assert inc["repair_plans"] is None  # absent: the book's plans are kept
    assert problems(
        IncidentCodec,
        incident(
            severity="dire",
            timeline=[{"id": U2, "kind": "mood", "text": "x"}],
            evidence=[{"id": U3, "original_name": "a", "sha256": "../x", "size": -1}],
        ),
    ) == [
        'severity: "dire" is not a severity; use "low", "medium", "high" or "critical".',
        'timeline[0]: missing "happened_at".',
        'timeline[0].kind: "mood" is not a kind of entry; use "note", "call", "email", '
        '"meeting" or "decision".',
        'evidence[0].sha256: "../x" is not a SHA-256 (64 characters, each 0-9 or a-f).',
        "evidence[0].size: should be a whole number of bytes, not -1.",
    ]


# --------------------------------------------------------------------------- repair plan
def test_repair_plan() -> None:
    plan = checked(RepairPlanCodec, {"id": U1, "skipped": [5, 3], "answers": {"facts": "x"}})
    assert plan["status"] is RepairPlanStatus.ACTIVE and plan["current_step"] == 1
    assert plan["skipped"] == [5, 3]  # the checks sort and de-duplicate them
    assert problems(
        RepairPlanCodec,
        {"id": U1, "current_step": 0, "done": [2, "3"], "answers": [], "ending": "won"},
    ) == [
        "current_step: 0 is not a step of the repair; steps go from 1 to 13.",
        "answers: should be an object of answers (field name: answer), not a list.",
        "done[1]: should be a step number from 1 to 13, not text.",
        'ending: "won" is not a way a repair ends; use "agreement", "hand_over", '
        '"insurer" or "part_ways".',
    ]


# --------------------------------------------------------------------------- agreement
def agreement(**fields: Any) -> dict[str, Any]:
    return {"id": U1, "number": "AG-2026-0001", "title": "T", "dated": "2026-01-05"} | fields


def test_agreement_with_commitments() -> None:
    ag = checked(
        AgreementCodec,
        agreement(commitments=[{"id": U2, "side": "theirs", "text": "Pay", "due_on": None}]),
    )
    assert ag["status"] is AgreementStatus.DRAFT and ag["version"] == 1
    [c] = ag["commitments"]
    assert c["side"] is Side.THEIRS and c["state"] is CommitmentState.OPEN
    assert problems(
        AgreementCodec,
        agreement(
            number="42",
            version=0,
            points=["ok", 3],
            commitments=[{"id": U2, "side": "both", "text": "x"}],
            pdf_sha256="abc",
            pdf=5,
        ),
    ) == [
        'number: "42" is not an agreement number like "AG-2026-0007".',
        "version: should be a whole number from 1, not 0.",
        "points[1]: should be text, not a number.",
        'commitments[0].side: "both" is not a side; use "ours" or "theirs".',
        "pdf_sha256: should be 64 characters, each 0-9 or a-f, or null.",
        "pdf: should be base64 text or null, not a number.",
    ]


# --------------------------------------------------------------------------- consultant
def test_consultant_settings() -> None:
    me = checked(ConsultantCodec, {"name": "Me"})
    assert me["page_size"] is PageSize.A4 and me["logo_png"] is None
    # An unknown key is told first, as it is about the whole object.
    assert problems(ConsultantCodec, {"page_size": "A5", "logo_png": 5, "fax": ""}) == [
        'unknown field "fax".',
        "logo_png: should be base64 text or null, not a number.",
        'page_size: "A5" is not a page size; use "A4" or "Letter".',
    ]


# --------------------------------------------------------------------------- the book
def test_book_paths_run_from_the_top() -> None:
    doc = {
        "format": "rapport-book",
        "version": 5,
        "consultant": [],
        "clients": [{"id": U1, "name": "A", "touches": [touch(happened_at="x")]}],
    }
    assert problems(BookCodec, doc) == [
        "consultant: should be an object, not a list.",
        'clients[0].touches[0].happened_at: "x" is not a date and time in ISO 8601 form, '
        'like "2025-03-14T09:30:00+00:00".',
    ]


# --------------------------------------------------------------------------- the text
def test_dumps_writes_what_the_standard_library_would() -> None:
    """The file's bytes are written in Rust; they must be the standard library's."""
    import json

    from exports.book_json import dumps

    doc = {
        "text": 'NUL:\x00 \x01\x1f\x7f\x80\x9f \u2028\u2029 é 😀 "q" \\ / \b\f\n\r\t',
        "empty": [],
        "nothing": {},
        "mixed": [1, None, True, False, "x", {"a": [{}]}],
        "big": 10**20,
        "negative": -5,
    }
    assert dumps(doc) == json.dumps(doc, ensure_ascii=False, indent=2) + "\n"
