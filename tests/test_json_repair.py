"""JSON format version 5: repair plans travel with their incident, links by id."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from exports.book_json import (
    FORMAT,
    PLAN_FIELDS,
    VERSION,
    BookFormatError,
    ImportResult,
    attachments_dir_for,
    dumps,
    export_book,
    import_book,
    import_json,
    write_json,
)
from models.db import Book, open_book
from models.demo import fill_demo
from models.entities import (
    EntryKind,
    IncidentCategory,
    RepairEnding,
    RepairPlanStatus,
    Severity,
)
from models.repair import FIELDS, Step
from models.services.clients import ClientInput, create_client
from models.services.incident_evidence import attach_file, list_evidence
from models.services.incident_timeline import add_entry, timeline
from models.services.incidents import IncidentInput, list_incidents, open_incident
from models.services.reminders import TouchInput, list_touches, log_touch
from models.services.repair import (
    finish_other,
    finish_with_agreement,
    get_plan,
    latest_plan,
    save_step,
    set_skipped,
    start_or_resume,
)

NOW = datetime(2026, 11, 22, 9, 30, tzinfo=UTC)
ANSWER_ORDER = [name for fields in FIELDS.values() for name in fields]


def _incident(book: Book, folder: Path, name: str) -> tuple[int, int]:
    """A client with one incident, a touch, a timeline entry and an evidence file."""
    cid = create_client(book, ClientInput(name=name), now=NOW - timedelta(days=60))
    log_touch(
        book,
        cid,
        TouchInput(NOW - timedelta(days=5), _channel(), "Long call about the routes", ""),
        now=NOW - timedelta(days=5),
    )
    iid = open_incident(
        book,
        cid,
        IncidentInput(
            f"Wrong routes for {name}",
            IncidentCategory.CLAIM_THREATENED,
            Severity.HIGH,
            client_view="The report sent trucks the long way.",
        ),
        now=NOW - timedelta(days=4),
    )
    add_entry(book, iid, EntryKind.CALL, "Heard him out.", now=NOW - timedelta(days=3))
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "hours.csv").write_text(f"day,hours\n1,{len(name)}\n", encoding="utf-8")
    attach_file(book, iid, folder / "hours.csv", now=NOW - timedelta(days=2))
    return cid, iid


def _channel() -> Any:
    from models.entities import Channel

    return Channel.CALL


def _links(book: Book, cid: int, iid: int) -> dict[str, list[int]]:
    return {
        "evidence_ids": [e.id for e in list_evidence(book, iid)],
        "entry_ids": [t.entry_id for t in timeline(book, iid, now=NOW) if t.entry_id],
        "touch_ids": [t.id for t in list_touches(book, cid, limit=10)],
    }


def _book_with_plans(book: Book, folder: Path) -> dict[str, int]:
    """One plan of every shape the wizard leaves: stopped half way (with links,
    a skipped step, hostile text), finished in an agreement, handed over, told the
    insurer and parted ways, plus a finished plan followed by a new active one."""
    plans: dict[str, int] = {}
    cid, iid = _incident(book, folder / "a", "Rafael Mendes")
    p = start_or_resume(book, iid, now=NOW - timedelta(days=3))
    save_step(
        book,
        p.id,
        Step.FACTS,
        {"facts": "tab:\t <b>&amp; שלום 😀\r\nline two", "our_view": "Our side."},
        now=NOW - timedelta(days=3),
    )
    save_step(book, p.id, Step.EVIDENCE, dict(_links(book, cid, iid), figures="410 km"))
    save_step(book, p.id, Step.GOALS, {"priorities": ["  Fuel  cost ", "", "Drivers home"]})
    save_step(book, p.id, Step.OUR_CHANGE, {"ours": [{"text": "Weekly report", "due_on": None}]})
    set_skipped(book, p.id, Step.APOLOGY, True, now=NOW - timedelta(days=2))
    save_step(book, p.id, Step.STATE, {"project_state": "Half"}, go_to=Step.STATE, mark_done=True)
    plans["active"] = p.id

    for name, ending in (
        ("Grace Tan", Step.IN_WRITING),
        ("Lena Fischer", Step.HAND_OVER),
        ("Olu Adeyemi", Step.INSURER),
        ("Pieter de Vries", Step.PART_WAYS),
    ):
        cid, iid = _incident(book, folder / name, name)
        p = start_or_resume(book, iid, now=NOW - timedelta(days=2))
        save_step(book, p.id, Step.FACTS, {"facts": f"What happened with {name}."})
        save_step(book, p.id, Step.EVIDENCE, _links(book, cid, iid))
        if ending is Step.IN_WRITING:
            save_step(book, p.id, Step.OUR_REQUEST, {"theirs": [{"text": "Feedback in 3 days"}]})
            finish_with_agreement(book, p.id, now=NOW - timedelta(days=1))
        else:
            values = {
                Step.HAND_OVER: {"successor": "Lena", "access_notes": "Vault entry 7"},
                Step.INSURER: {"insurer_name": "Hanse", "insurer_policy": "PI-2291"},
                Step.PART_WAYS: {"we_owe": "A refund"},
            }[ending]
            save_step(book, p.id, ending, values, go_to=ending)
            finish_other(book, p.id, ending, now=NOW - timedelta(days=1))
        plans[ending.name] = p.id
    # Grace's incident gets a second round: a new active plan after the finished one.
    [grace] = [r for r in list_incidents(book, now=NOW) if r.client_name == "Grace Tan"]
    plans["again"] = start_or_resume(book, grace.id, now=NOW).id
    return plans


def _plans(doc: dict[str, Any]) -> list[dict[str, Any]]:
    return [p for c in doc["clients"] for i in c["incidents"] for p in i["repair_plans"]]


def _v4(doc: dict[str, Any]) -> dict[str, Any]:
    old = copy.deepcopy(doc)
    old["version"] = 4
    old["consultant"].pop("work", None)  # new in version 6
    for c in old["clients"]:
        for inc in c["incidents"]:
            del inc["repair_plans"]
    return old


def test_plans_round_trip_byte_identical(book: Book, tmp_path: Path) -> None:
    _book_with_plans(book, tmp_path / "files")
    first = tmp_path / "first.json"
    write_json(book, first)
    target = open_book(tmp_path / "target" / "b.db")
    try:
        assert import_json(target, first, now=NOW) == ImportResult(5, 0, 0)
        second = tmp_path / "second.json"
        write_json(target, second)
        assert second.read_bytes() == first.read_bytes()
        assert import_json(target, first, now=NOW) == ImportResult(0, 0, 5)
        # The wizard picks the imported plans up where they were left.
        doc = json.loads(first.read_text(encoding="utf-8"))
        [active] = [p for p in _plans(doc) if p["current_step"] == 5]
        [inc] = [r for r in list_incidents(target, now=NOW) if r.client_name == "Rafael Mendes"]
        view = start_or_resume(target, inc.id, now=NOW)
        assert view.current_step is Step.STATE and view.skipped == {Step.APOLOGY}
        assert view.answers["evidence_ids"] == [e.id for e in list_evidence(target, inc.id)]
        assert view.value("facts") == "tab:\t <b>&amp; שלום 😀\r\nline two"
        assert active["answers"]["priorities"] == ["Fuel cost", "Drivers home"]
    finally:
        target.close()


def test_export_shape_of_plans(book: Book, tmp_path: Path) -> None:
    ids = _book_with_plans(book, tmp_path / "files")
    doc = export_book(book)
    assert doc["version"] == VERSION == 6
    plans = _plans(doc)
    assert len(plans) == 6
    for p in plans:
        assert tuple(p) == PLAN_FIELDS
        assert list(p["answers"]) == [n for n in ANSWER_ORDER if n in p["answers"]]
    [rafael] = [c for c in doc["clients"] if c["name"] == "Rafael Mendes"]
    [inc] = rafael["incidents"]
    assert list(inc)[-1] == "repair_plans"
    [active] = inc["repair_plans"]
    # The plan the wizard left on Rafael's incident, under its own id.
    assert get_plan(book, ids["active"]).incident_title == inc["title"]
    assert len(active["id"]) == 32 and active["id"] != inc["id"]
    assert active["status"] == "active" and active["ending"] is None
    assert active["current_step"] == 5 and active["skipped"] == [4] and active["done"] == [5]
    # Links to other rows travel as those rows' ids, never as row numbers.
    assert active["answers"]["evidence_ids"] == [e["id"] for e in inc["evidence"]]
    assert active["answers"]["entry_ids"] == [e["id"] for e in inc["timeline"]]
    assert active["answers"]["touch_ids"] == [t["id"] for t in rafael["touches"]]
    assert active["answers"]["ours"] == [{"text": "Weekly report", "due_on": None}]
    assert active["finished_at"] is None

    [grace] = [c for c in doc["clients"] if c["name"] == "Grace Tan"]
    done, again = grace["incidents"][0]["repair_plans"]
    assert done["status"] == "finished" and done["ending"] == "agreement"
    assert done["agreement"] == grace["agreements"][0]["id"]
    assert again["status"] == "active" and again["started_at"] > done["finished_at"]
    endings = {p["ending"] for p in plans if p["status"] == "finished"}
    assert endings == {e.value for e in RepairEnding}


def test_row_numbers_never_leak_between_books(book: Book, tmp_path: Path) -> None:
    """The target book numbers its rows differently; the links still hit the same rows."""
    other = open_book(tmp_path / "other" / "b.db")
    try:
        # Rows in the target first, so its ids are shifted against the source's.
        _incident(other, tmp_path / "shift", "Someone Else")
        ids = _book_with_plans(book, tmp_path / "files")
        out = tmp_path / "x.json"
        write_json(book, out)
        import_json(other, out, now=NOW)
        source = get_plan(book, ids["active"])
        [inc] = [r for r in list_incidents(other, now=NOW) if r.client_name == "Rafael Mendes"]
        target = start_or_resume(other, inc.id, now=NOW)
        assert target.answers["evidence_ids"] != source.answers["evidence_ids"]
        assert target.answers["evidence_ids"] == [e.id for e in list_evidence(other, inc.id)]
        [touch] = list_touches(other, target.client_id, limit=5)
        assert target.answers["touch_ids"] == [touch.id]
    finally:
        other.close()


def test_a_version_4_file_leaves_repair_plans_alone(book: Book, tmp_path: Path) -> None:
    _book_with_plans(book, tmp_path / "files")
    out = tmp_path / "v4.json"
    write_json(book, out)
    before = export_book(book)
    old = _v4(before)
    old["clients"][0]["notes"] = "Changed in the old file."
    out.write_text(dumps(old), encoding="utf-8")
    assert import_json(book, out, now=NOW).updated == 1
    after = export_book(book)
    assert _plans(after) == _plans(before)
    assert after["clients"][0]["notes"] == "Changed in the old file."


def test_a_version_4_file_with_repair_plans_is_refused(book: Book) -> None:
    doc = {
        "format": FORMAT,
        "version": 4,
        "clients": [
            {
                "id": "a" * 32,
                "name": "Anna",
                "incidents": [
                    {
                        "id": "b" * 32,
                        "title": "X",
                        "category": "other",
                        "severity": "low",
                        "opened_at": "2026-01-01T00:00:00+00:00",
                        "repair_plans": [],
                    }
                ],
            }
        ],
    }
    with pytest.raises(BookFormatError) as err:
        import_book(book, doc, now=NOW)
    assert str(err.value) == (
        'clients[0].incidents[0]: unknown field "repair_plans" in a version 4 file '
        '(it is new in version 5; say "version": 5).'
    )
    assert export_book(book)["clients"] == []


def test_plans_merge_by_id_and_only_where_listed(book: Book, tmp_path: Path) -> None:
    _book_with_plans(book, tmp_path / "files")
    out = tmp_path / "out.json"
    write_json(book, out)
    files = attachments_dir_for(out)  # the evidence every import below names
    base = export_book(book)
    # Without the key, an incident's plans stay; with an empty list, they go.
    doc = copy.deepcopy(base)
    for c in doc["clients"]:
        for inc in c["incidents"]:
            if c["name"] == "Rafael Mendes":
                del inc["repair_plans"]
            if c["name"] == "Olu Adeyemi":
                inc["repair_plans"] = []
    assert import_book(book, doc, attachments=files, now=NOW) == ImportResult(0, 1, 4)
    after = export_book(book)
    kept = {c["name"]: c["incidents"][0]["repair_plans"] for c in after["clients"]}
    assert kept["Olu Adeyemi"] == [] and len(kept["Rafael Mendes"]) == 1
    # A changed answer is an update of that client, and only of that one.
    doc = copy.deepcopy(after)
    [rafael] = [c for c in doc["clients"] if c["name"] == "Rafael Mendes"]
    plan = rafael["incidents"][0]["repair_plans"][0]
    plan["answers"]["apology"] = "I am sorry."
    plan["skipped"] = []
    assert import_book(book, doc, attachments=files, now=NOW) == ImportResult(0, 1, 4)
    [row] = [r for r in list_incidents(book, now=NOW) if r.client_name == "Rafael Mendes"]
    view = start_or_resume(book, row.id, now=NOW)
    assert view.value("apology") == "I am sorry." and view.skipped == frozenset()
    # A plan listed under another incident moves there.
    doc = copy.deepcopy(export_book(book))
    [rafael] = [c for c in doc["clients"] if c["name"] == "Rafael Mendes"]
    [olu] = [c for c in doc["clients"] if c["name"] == "Olu Adeyemi"]
    moved = rafael["incidents"][0]["repair_plans"].pop()
    moved["answers"] = {"facts": moved["answers"]["facts"]}
    olu["incidents"][0]["repair_plans"].append(moved)
    assert import_book(book, doc, attachments=files, now=NOW) == ImportResult(0, 2, 3)
    [olu_row] = [r for r in list_incidents(book, now=NOW) if r.client_name == "Olu Adeyemi"]
    assert start_or_resume(book, olu_row.id, now=NOW).value("facts").startswith("tab:")
    assert start_or_resume(book, row.id, now=NOW).id != view.id  # Rafael starts afresh


def test_hand_written_plan_uses_defaults(book: Book) -> None:
    doc = {
        "format": FORMAT,
        "version": VERSION,
        "clients": [
            {
                "id": "a" * 32,
                "name": "Anna",
                "incidents": [
                    {
                        "id": "b" * 32,
                        "title": "Invoice 42 disputed",
                        "category": "late_payment",
                        "severity": "medium",
                        "opened_at": "2026-01-01T00:00:00Z",
                        "repair_plans": [{"id": "c" * 32, "answers": {"facts": "She paid late."}}],
                    }
                ],
            }
        ],
    }
    assert import_book(book, doc, now=NOW) == ImportResult(1, 0, 0)
    [inc] = list_incidents(book, now=NOW)
    view = start_or_resume(book, inc.id, now=NOW)
    assert view.status is RepairPlanStatus.ACTIVE and view.current_step is Step.FACTS
    assert view.answers == {"facts": "She paid late."}
    assert view.started_at == NOW == view.updated_at
    assert view.skipped == frozenset() == view.done and view.ending is None


# --------------------------------------------------------------------------- refusals


def _doc_with_plan(**plan: Any) -> dict[str, Any]:
    base: dict[str, Any] = {"id": "c" * 32, "status": "active", "current_step": 1}
    base.update(plan)
    return {
        "format": FORMAT,
        "version": VERSION,
        "clients": [
            {
                "id": "a" * 32,
                "name": "Anna",
                "touches": [
                    {
                        "id": "1" * 32,
                        "happened_at": "2026-01-01T10:00:00+00:00",
                        "channel": "call",
                    }
                ],
                "incidents": [
                    {
                        "id": "b" * 32,
                        "title": "Invoice 42 disputed",
                        "category": "late_payment",
                        "severity": "medium",
                        "opened_at": "2026-01-01T00:00:00Z",
                        "timeline": [
                            {
                                "id": "2" * 32,
                                "kind": "note",
                                "happened_at": "2026-01-02T00:00:00Z",
                                "text": "Called.",
                            }
                        ],
                        "repair_plans": [base],
                    },
                    {
                        "id": "d" * 32,
                        "title": "Another",
                        "category": "other",
                        "severity": "low",
                        "opened_at": "2026-01-03T00:00:00Z",
                        "timeline": [
                            {
                                "id": "3" * 32,
                                "kind": "note",
                                "happened_at": "2026-01-04T00:00:00Z",
                                "text": "Elsewhere.",
                            }
                        ],
                    },
                ],
            }
        ],
    }


P = "clients[0].incidents[0].repair_plans[0]"


@pytest.mark.parametrize(
    ("plan", "expected"),
    [
        (
            {"current_step": 14},
            f"{P}.current_step: 14 is not a step of the repair; steps go from 1 to 13.",
        ),
        (
            {"current_step": "5"},
            f"{P}.current_step: should be a step number from 1 to 13, not text.",
        ),
        ({"done": [1, 99]}, f"{P}.done[1]: 99 is not a step of the repair; steps go from 1 to 13."),
        ({"skipped": [1]}, f"{P}.skipped: step 1 (what happened) cannot be skipped."),
        (
            {"answers": ["facts", "She paid late."]},
            f"{P}.answers: should be an object of answers (field name: answer), not a list.",
        ),
        (
            {"answers": {"mood": "calm"}},
            f'{P}.answers: unknown field "mood"; no step of the repair asks for it.',
        ),
        ({"answers": {"facts": 42}}, f"{P}.answers.facts: Expected text."),
        ({"answers": {"priorities": "one"}}, f"{P}.answers.priorities: Expected a list."),
        (
            {"answers": {"priorities": ["one", None]}},
            f"{P}.answers.priorities: Expected a list of text.",
        ),
        (
            {"answers": {"facts": "calm\x1b[2J"}},
            f"{P}.answers.facts: This contains a control character (U+001B), which Rapport "
            "does not store; remove it and try again.",
        ),
        (
            {"answers": {"review_on": "next spring"}},
            f"{P}.answers.review_on: That is not a date (use YYYY-MM-DD).",
        ),
        (
            {"answers": {"reply_due_at": "2026-01-02T10:00:00"}},
            f"{P}.answers.reply_due_at: A time needs its time zone.",
        ),
        (
            {"answers": {"facts": "half \ud800 pair"}},
            f"{P}.answers.facts: contains a broken character (half of a UTF-16 pair).",
        ),
        (
            {"answers": {"entry_ids": ["3" * 32]}},
            f'{P}.answers.entry_ids[0]: "{"3" * 32}" is not the id of one of this '
            "incident's timeline entries.",
        ),
        (
            {"answers": {"touch_ids": [1]}},
            f"{P}.answers.touch_ids[0]: should be the id of a touch, not a number.",
        ),
        (
            {"status": "paused"},
            f'{P}.status: "paused" is not a status of a repair plan; use "active" or "finished".',
        ),
        (
            {"status": "finished", "finished_at": "2026-01-05T00:00:00Z"},
            f'{P}.ending: a finished plan says how it ended; use "agreement", "hand_over", '
            '"insurer" or "part_ways".',
        ),
        (
            {"status": "finished", "ending": "insurer"},
            f"{P}.finished_at: a finished plan needs the time it finished.",
        ),
        ({"ending": "hand_over"}, f"{P}.ending: should be null while the plan is active."),
        (
            {"agreement": "9" * 32},
            f'{P}.agreement: "{"9" * 32}" is not the id of one of this client\'s agreements.',
        ),
    ],
)
def test_an_invalid_plan_is_refused_and_nothing_imported(
    book: Book, plan: dict[str, Any], expected: str
) -> None:
    doc = _doc_with_plan(**plan)
    with pytest.raises(BookFormatError) as err:
        import_book(book, doc, now=NOW)
    assert err.value.problems[0] == expected
    assert export_book(book)["clients"] == []
    # The same file with the plan put right goes in whole.
    good = _doc_with_plan(answers={"entry_ids": ["2" * 32], "touch_ids": ["1" * 32]})
    assert import_book(book, good, now=NOW) == ImportResult(1, 0, 0)


def test_two_active_plans_and_a_stray_agreement_link_are_refused(book: Book) -> None:
    doc = _doc_with_plan()
    plans = doc["clients"][0]["incidents"][0]["repair_plans"]
    plans.append({"id": "e" * 32})
    plans.append(
        {
            "id": "f" * 32,
            "status": "finished",
            "ending": "part_ways",
            "finished_at": "2026-01-05T00:00:00Z",
            "agreement": "9" * 32,
        }
    )
    doc["clients"][0]["agreements"] = [
        {"id": "9" * 32, "number": "AG-2026-0001", "title": "T", "dated": "2026-01-05"}
    ]
    with pytest.raises(BookFormatError) as err:
        import_book(book, doc, now=NOW)
    assert err.value.problems == [
        f"clients[0].incidents[0].repair_plans[1].status: an incident has one active plan at "
        f"most; {P} is active too.",
        'clients[0].incidents[0].repair_plans[2].agreement: only a plan that ended in "agreement" '
        "links to one; make it null.",
    ]
    # Plan ids are unique in the whole file, like every other id.
    doc = _doc_with_plan()
    doc["clients"][0]["incidents"][1]["repair_plans"] = [{"id": "c" * 32}]
    with pytest.raises(BookFormatError, match="appears twice"):
        import_book(book, doc, now=NOW)
    assert export_book(book)["clients"] == []


def test_demo_plans_travel(tmp_path: Path) -> None:
    source = open_book(tmp_path / "demo" / "b.db")
    target = open_book(tmp_path / "target" / "b.db")
    try:
        fill_demo(source, now=NOW)
        out = tmp_path / "demo.json"
        write_json(source, out)
        import_json(target, out, now=NOW)
        for book in (source, target):
            rows = {r.client_name: r for r in list_incidents(book, now=NOW)}
            active = start_or_resume(book, rows["Rafael Mendes"].id, now=NOW)
            assert active.current_step is Step.STATE
            assert len(active.answers["evidence_ids"]) == 2
            finished = latest_plan(book, rows["Grace Tan"].id)
            assert finished is not None and finished.ending is RepairEnding.AGREEMENT
            assert finished.agreement_id is not None
    finally:
        source.close()
        target.close()


def test_the_examples_in_the_format_doc_import(book: Book, tmp_path: Path) -> None:
    """docs/json-format.md's example book, with its example plan put on its incident."""
    text = (Path(__file__).resolve().parents[1] / "docs" / "json-format.md").read_text("utf-8")
    blocks = [json.loads(b.split("```", 1)[0]) for b in text.split("```json\n")[1:]]
    [example] = [b for b in blocks if b.get("format") == FORMAT and b["version"] == VERSION]
    [plan] = [b for b in blocks if "current_step" in b]
    example["clients"][0]["incidents"][0]["repair_plans"] = [plan]
    out = tmp_path / "book.json"
    out.write_text(dumps(example), encoding="utf-8")
    attachments_dir_for(out).mkdir()
    sha = example["clients"][0]["incidents"][0]["evidence"][0]["sha256"]
    (attachments_dir_for(out) / sha).write_bytes(b"test")  # the doc's 4-byte send-log.csv
    assert import_json(book, out, now=NOW) == ImportResult(1, 0, 0)
    [inc] = list_incidents(book, now=NOW)
    view = start_or_resume(book, inc.id, now=NOW)
    assert view.current_step is Step.STATE and view.skipped == {Step.BOTH_SIDES}
    assert view.answers["evidence_ids"] == [e.id for e in list_evidence(book, inc.id)]
