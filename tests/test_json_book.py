"""Whole-book JSON export/import: round trips, merging, all-or-nothing, clear errors."""

from __future__ import annotations

import copy
import hashlib
import json
import os
import stat
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from exports.book_json import (
    FORMAT,
    VERSION,
    BookFormatError,
    ImportResult,
    attachments_dir_for,
    dumps,
    export_book,
    import_book,
    import_json,
    read_json,
    versions,
    write_json,
)
from models.db import Book, open_book
from models.demo import fill_demo
from models.entities import (
    Channel,
    ClientStatus,
    EntryKind,
    FollowUpKind,
    IncidentCategory,
    IncidentStatus,
    Severity,
)
from models.reminders import CADENCE_PRESETS, next_touch_due
from models.repair import SKIPPABLE, Step
from models.services.clients import (
    EMAIL_SHAPE,
    ClientInput,
    Contact,
    archive_client,
    count_clients,
    create_client,
    get_client,
    list_clients,
    local_date,
    update_client,
    validate_client,
)
from models.services.incidents import (
    IncidentInput,
    add_entry,
    attach_file,
    list_evidence,
    open_incident,
    record_response,
    set_status,
    timeline,
)
from models.services.reminders import (
    TouchInput,
    add_follow_up,
    complete_follow_up,
    list_touches,
    log_touch,
    open_follow_ups,
    set_cadence,
    snooze_follow_up,
)
from models.services.repair import (
    finish_other,
    finish_with_agreement,
    save_step,
    set_skipped,
    start_or_resume,
)

NOW = datetime(2026, 11, 22, 9, 30, 0, 123456, tzinfo=UTC)
UID_A = "a" * 32
UID_B = "b" * 32
UID_C = "c" * 32


def other_book(tmp_path: Path, name: str = "other") -> Book:
    return open_book(tmp_path / name / "rapport.db")


def client_doc(uid: str, name: str, /, **fields: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "id": uid,
        "name": name,
        "organisation": "",
        "role": "",
        "status": "active",
        "notes": "",
        "emails": [],
        "phones": [],
        "tags": [],
        "cadence_days": None,
        "priority_until": None,
        "created_at": "2025-01-02T03:04:05.000006+00:00",
        "updated_at": "2025-02-03T04:05:06.000007+00:00",
        "archived_at": None,
        "touches": [],
        "follow_ups": [],
        "incidents": [],
    }
    doc.update(fields)
    return doc


def book_doc(*clients: dict[str, Any]) -> dict[str, Any]:
    return {"format": FORMAT, "version": VERSION, "clients": list(clients)}


def export_text(book: Book) -> str:
    return dumps(export_book(book))


# --------------------------------------------------------------------------- export


def test_demo_round_trip_is_byte_identical(book: Book, tmp_path: Path) -> None:
    fill_demo(book, now=NOW)
    first = tmp_path / "first.json"
    assert write_json(book, first) == count_clients(book, include_archived=True)
    files = _folder_contents(attachments_dir_for(first))
    assert len(files) >= 2  # the demo's evidence travels beside the JSON

    target = other_book(tmp_path)
    try:
        result = import_json(target, first)
        assert result == ImportResult(
            created=count_clients(book, include_archived=True), updated=0, unchanged=0
        )
        second = tmp_path / "second.json"
        write_json(target, second)
        assert second.read_bytes() == first.read_bytes()
        assert _folder_contents(attachments_dir_for(second)) == files
        # Importing the same file again changes nothing and says so.
        again = import_json(target, first)
        assert again == ImportResult(created=0, updated=0, unchanged=result.created)
        assert export_text(target) == first.read_text(encoding="utf-8")
    finally:
        target.close()


def test_export_shape(book: Book) -> None:
    cid = create_client(
        book,
        ClientInput(
            name="  Amélie Durand ",
            organisation="Cabinet du Parc",
            role="Manager",
            emails=[Contact("b@x.example", "home"), Contact("a@x.example", "work")],
            phones=[Contact("+33 1 99 00 00 01", "mobile")],
            tags=["vip", "Alpha", "beta"],
            notes="line one\nline two",
            status=ClientStatus.PAUSED,
        ),
        now=datetime(2025, 5, 1, 12, 0, tzinfo=UTC),
    )
    archive_client(book, cid, now=datetime(2025, 6, 1, 8, 0, 0, 5, tzinfo=UTC))

    doc = export_book(book)
    assert list(doc) == ["format", "version", "consultant", "clients"]
    assert doc["format"] == "rapport-book" and doc["version"] == 6
    [c] = doc["clients"]
    assert list(c) == [
        "id",
        "name",
        "organisation",
        "role",
        "status",
        "notes",
        "emails",
        "phones",
        "tags",
        "cadence_days",
        "priority_until",
        "created_at",
        "updated_at",
        "archived_at",
        "touches",
        "follow_ups",
        "incidents",
        "agreements",
    ]
    assert c["id"] == get_client(book, cid).uid
    assert c["name"] == "Amélie Durand"
    assert c["status"] == "paused"
    assert c["emails"] == [
        {"value": "b@x.example", "label": "home"},
        {"value": "a@x.example", "label": "work"},
    ]
    assert c["phones"] == [{"value": "+33 1 99 00 00 01", "label": "mobile"}]
    assert c["tags"] == ["Alpha", "beta", "vip"]
    assert c["created_at"] == "2025-05-01T12:00:00.000000+00:00"
    assert c["updated_at"] == "2025-05-01T12:00:00.000000+00:00"
    assert c["archived_at"] == "2025-06-01T08:00:00.000005+00:00"
    assert c["cadence_days"] is None and c["priority_until"] is None
    assert c["touches"] == [] and c["follow_ups"] == [] and c["incidents"] == []
    assert c["agreements"] == []


def test_export_sorts_clients_by_id(book: Book) -> None:
    import_book(
        book, book_doc(client_doc(UID_C, "C"), client_doc(UID_A, "A"), client_doc(UID_B, "B"))
    )
    assert [c["id"] for c in export_book(book)["clients"]] == [UID_A, UID_B, UID_C]


def test_write_json_is_private_atomic_and_plain_utf8(book: Book, tmp_path: Path) -> None:
    create_client(book, ClientInput(name="Søren Kragh", notes="😀"), now=NOW)
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    out = out_dir / "book.json"
    out.write_text("old content", encoding="utf-8")
    os.chmod(out, 0o644)

    assert write_json(book, out) == 1
    raw = out.read_bytes()
    assert raw.endswith(b"}\n")
    assert "Søren Kragh".encode() in raw and "😀".encode() in raw  # not \u-escaped
    assert raw.decode("utf-8") == export_text(book)
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert sorted(p.name for p in out_dir.iterdir()) == ["book.json"]  # no temp left


# --------------------------------------------------------------------------- round trip


@dataclass
class TouchSpec:
    happened_at: datetime
    channel: Channel
    summary: str
    next_step: str
    next_step_on: date | None


@dataclass
class FollowUpSpec:
    title: str
    due_on: date
    note: str
    kind: FollowUpKind
    snoozed_to: date | None
    done_at: datetime | None


@dataclass
class PlanSpec:
    """A repair plan, walked through the wizard's services."""

    facts: str
    apology: str
    priorities: list[str]
    ours: list[tuple[str, date | None]]
    link: bool  # pick every evidence file, timeline entry and touch the wizard offers
    skip: list[Step]
    # How it ends: IN_WRITING (an agreement), HAND_OVER, INSURER, PART_WAYS; None: active.
    ending: Step | None


@dataclass
class IncidentSpec:
    data: IncidentInput
    opened_at: datetime
    promise_hours: float | None
    responded: bool
    path: list[IncidentStatus]  # the statuses it moves through, a day apart
    entries: list[tuple[EntryKind, str]] = field(default_factory=list)
    files: list[tuple[str, bytes]] = field(default_factory=list)  # (name, content)
    plan: PlanSpec | None = None  # never on a lost incident: the wizard refuses those


@dataclass
class ClientSpec:
    data: ClientInput
    created_at: datetime
    updated_at: datetime
    archived_at: datetime | None
    touches: list[TouchSpec] = field(default_factory=list)
    follow_ups: list[FollowUpSpec] = field(default_factory=list)
    incidents: list[IncidentSpec] = field(default_factory=list)


# Touches are logged "now" in the test's world; far enough ahead for every moment
# the strategies draw, so none is refused as being in the future.
LOG_NOW = datetime(2100, 1, 1, tzinfo=UTC)


def _valid_name(name: str) -> bool:
    return "name" not in validate_client(ClientInput(name=name))


def _email(local: str, domain: str, tld: str) -> str:
    return f"{local}@{domain}.{tld}"


# Text as the forms let it through: no control characters (models/limits.py refuses
# them at every edge), and in multi-line text tab and line breaks as well.
lines = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=60)
texts = st.text(
    alphabet=st.one_of(st.characters(blacklist_categories=("Cs", "Cc")), st.sampled_from("\t\n\r")),
    max_size=60,
)
moments = st.datetimes(
    min_value=datetime(1990, 1, 1), max_value=datetime(2090, 1, 1), timezones=st.just(UTC)
)
labels = st.one_of(st.sampled_from(["", "work", "home", "mobile"]), lines.map(lambda t: t[:20]))
emails = st.builds(
    _email,
    st.text(
        alphabet=st.characters(
            blacklist_categories=("Cs", "Cc", "Zs", "Zl", "Zp"), blacklist_characters="@"
        ),
        min_size=1,
        max_size=12,
    ),
    st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789-", min_size=1, max_size=12),
    st.sampled_from(["com", "org", "example", "de", "jp"]),
).filter(lambda e: EMAIL_SHAPE.match(e) is not None)
phones = st.from_regex(r"\+?[0-9][0-9 ()./-]{2,16}[0-9]", fullmatch=True)
client_inputs = st.builds(
    ClientInput,
    # Control characters are refused in names by design; any other character goes.
    name=st.text(
        alphabet=st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=80
    ).filter(_valid_name),
    organisation=lines.map(lambda t: t[:40]),
    role=lines.map(lambda t: t[:40]),
    emails=st.lists(st.builds(Contact, emails, labels), max_size=3),
    phones=st.lists(st.builds(Contact, phones, labels), max_size=3),
    tags=st.lists(lines.map(lambda t: t[:20]).filter(bool), max_size=4),
    notes=st.text(
        alphabet=st.one_of(
            st.characters(blacklist_categories=("Cs", "Cc")), st.sampled_from("\t\n\r")
        ),
        max_size=10_000,
    ),
    status=st.sampled_from(list(ClientStatus)),
    cadence_days=st.one_of(
        st.none(), st.sampled_from(sorted(CADENCE_PRESETS.values())), st.integers(1, 3660)
    ),
).filter(lambda d: not validate_client(d))
days = st.dates(min_value=date(1990, 1, 1), max_value=date(2090, 1, 1))


@st.composite
def touch_specs(draw: st.DrawFn) -> TouchSpec:
    next_step = draw(texts.map(lambda t: t[:30]))
    next_step_on = draw(st.one_of(st.none(), days)) if next_step.strip() else None
    return TouchSpec(
        draw(moments),
        draw(st.sampled_from(list(Channel))),
        draw(texts),
        next_step,
        next_step_on,
    )


follow_up_specs = st.builds(
    FollowUpSpec,
    title=lines.map(lambda t: t[:40]).filter(lambda t: bool(t.strip())),
    due_on=days,
    note=texts,
    kind=st.sampled_from(list(FollowUpKind)),
    snoozed_to=st.one_of(st.none(), days),
    done_at=st.one_of(st.none(), moments),
)


# Every way the services can walk an incident, from open.
_PATHS = [
    [],
    [IncidentStatus.ACKNOWLEDGED],
    [IncidentStatus.ACKNOWLEDGED, IncidentStatus.REPAIRING],
    [IncidentStatus.ACKNOWLEDGED, IncidentStatus.RESOLVED],
    [IncidentStatus.ACKNOWLEDGED, IncidentStatus.REPAIRING, IncidentStatus.RESOLVED],
    [
        IncidentStatus.ACKNOWLEDGED,
        IncidentStatus.RESOLVED,
        IncidentStatus.REPAIRING,
        IncidentStatus.LOST,
    ],
    [IncidentStatus.LOST],
]
file_names = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="/\\"),
    min_size=1,
    max_size=20,
).filter(lambda n: n.strip(" .") != "" and len(n.encode()) < 200)
incident_specs = st.builds(
    IncidentSpec,
    data=st.builds(
        IncidentInput,
        title=lines.filter(lambda t: bool(t.split())),
        category=st.sampled_from(list(IncidentCategory)),
        severity=st.sampled_from(list(Severity)),
        client_view=texts,
        our_view=texts,
        our_mistakes=texts.map(lambda t: t[:20]),
        client_contribution=texts.map(lambda t: t[:20]),
    ),
    opened_at=moments,
    promise_hours=st.one_of(st.none(), st.sampled_from([4, 24, 48])),
    responded=st.booleans(),
    path=st.sampled_from(_PATHS),
    entries=st.lists(
        st.tuples(
            st.sampled_from(list(EntryKind)),
            texts.map(lambda t: t[:40]).filter(lambda t: bool(t.strip())),
        ),
        max_size=3,
    ),
    files=st.lists(st.tuples(file_names, st.binary(max_size=300)), max_size=2),
    plan=st.one_of(
        st.none(),
        st.builds(
            PlanSpec,
            facts=texts.filter(lambda t: bool(t.strip())),
            apology=texts,
            priorities=st.lists(texts.map(lambda t: t[:20]), max_size=3),
            ours=st.lists(
                st.tuples(
                    texts.map(lambda t: t[:20]).filter(lambda t: bool(t.split())),
                    st.one_of(st.none(), days),
                ),
                max_size=2,
            ),
            link=st.booleans(),
            skip=st.lists(st.sampled_from(sorted(SKIPPABLE)), max_size=2, unique=True),
            ending=st.sampled_from(
                [None, Step.IN_WRITING, Step.HAND_OVER, Step.INSURER, Step.PART_WAYS]
            ),
        ),
    ),
).filter(lambda spec: spec.plan is None or IncidentStatus.LOST not in spec.path)


@st.composite
def client_specs(draw: st.DrawFn) -> ClientSpec:
    data = draw(client_inputs)
    created = draw(moments)
    updated = created + draw(st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=900)))
    archived = draw(st.one_of(st.none(), st.just(updated + timedelta(seconds=1))))
    return ClientSpec(
        data,
        created,
        updated,
        archived,
        draw(st.lists(touch_specs(), max_size=3)),
        draw(st.lists(follow_up_specs, max_size=2)),
        draw(st.lists(incident_specs, max_size=2)),
    )


# Every hard case at once: the longest note, emoji, right-to-left text with
# direction marks, combining accents, a name in Hebrew and an email with non-ASCII.
# (A NUL is no longer among them: every edge refuses control characters now.)
_HARD_NOTE = (
    "emoji:😀👩‍💻🇳🇴 RTL:\u202eשלום עולם\u202c مرحبا بالعالم "
    "combining: e\u0301 tab:\t newline:\n CRLF:\r\n "
)
HARD = ClientSpec(
    data=ClientInput(
        name="Zoë 🌱 שרה כהן",
        organisation="\u200fמשרד עורכי דין\u200f",
        role="Партнёр",
        emails=[Contact("zoë@例え.jp", "работа"), Contact("a@b.example", "")],
        phones=[Contact("+972 (3) 555-0100", "נייד")],
        tags=["vip", "🌱 green", "Ωmega"],
        notes=(_HARD_NOTE * 200)[:10_000],
        status=ClientStatus.FORMER,
        cadence_days=30,
    ),
    created_at=datetime(2024, 2, 29, 23, 59, 59, 999999, tzinfo=UTC),
    updated_at=datetime(2025, 1, 1, tzinfo=UTC),
    archived_at=datetime(2025, 1, 2, tzinfo=UTC),
    touches=[
        TouchSpec(
            datetime(2024, 3, 1, 23, 30, tzinfo=UTC),
            Channel.VISIT,
            _HARD_NOTE,
            "Call back; then, maybe 📞\nagain",
            date(2024, 3, 4),
        ),
        TouchSpec(datetime(2024, 2, 1, tzinfo=UTC), Channel.OTHER, "older, back-dated", "", None),
    ],
    follow_ups=[
        FollowUpSpec(
            "Send it, please; 😀",
            date(2024, 3, 10),
            _HARD_NOTE,
            FollowUpKind.COMMITMENT,
            date(2024, 3, 17),
            None,
        )
    ],
    incidents=[
        IncidentSpec(
            IncidentInput(
                "Threatens  to claim 😀",
                IncidentCategory.CLAIM_THREATENED,
                Severity.CRITICAL,
                _HARD_NOTE,
                "\u202eשלום",
                "",
                "tab:\t",
            ),
            datetime(2024, 2, 29, 23, 59, tzinfo=UTC),
            24,
            False,
            [IncidentStatus.ACKNOWLEDGED, IncidentStatus.REPAIRING, IncidentStatus.RESOLVED],
            [(EntryKind.CALL, " Called; she was calm 📞\nthen not "), (EntryKind.DECISION, "x")],
            [("hours 😀.csv", b"day,hours\n1,2\n"), ("..hidden", b"\x00\xff"), ("b", b"")],
            PlanSpec(
                _HARD_NOTE,
                "\u202eשלום <b>&amp;",
                ["  two  spaces ", "", "😀"],
                [("Weekly report 📞", date(2024, 3, 20)), ("No date", None)],
                True,
                [Step.APOLOGY],
                None,
            ),
        )
    ],
)


def _fill_from_specs(book: Book, specs: list[ClientSpec], files: Path) -> None:
    """Through the services only, so the book holds exactly what the app would."""
    for spec in specs:
        cid = create_client(book, spec.data, now=spec.created_at)
        for t in spec.touches:
            log_touch(
                book,
                cid,
                TouchInput(t.happened_at, t.channel, t.summary, t.next_step, t.next_step_on),
                now=LOG_NOW,
            )
        for f in spec.follow_ups:
            fid = add_follow_up(book, cid, f.title, f.due_on, note=f.note, kind=f.kind, now=LOG_NOW)
            if f.snoozed_to is not None:
                snooze_follow_up(book, fid, f.snoozed_to)
            if f.done_at is not None:
                complete_follow_up(book, fid, now=f.done_at)
        for n, inc in enumerate(spec.incidents):
            _open_from_spec(book, cid, inc, files / f"{cid}-{n}")
        update_client(book, cid, spec.data, now=spec.updated_at)
        if spec.archived_at is not None:
            archive_client(book, cid, now=spec.archived_at)


def _open_from_spec(book: Book, client_id: int, spec: IncidentSpec, folder: Path) -> int:
    """An incident through the incident services only, its files attached from ``folder``."""
    at = spec.opened_at
    iid = open_incident(book, client_id, spec.data, promise_hours=spec.promise_hours, now=at)
    if spec.responded:
        at += timedelta(hours=1)
        record_response(book, iid, now=at)
    for status in spec.path:
        at += timedelta(days=1)
        if status is IncidentStatus.ACKNOWLEDGED and spec.responded:
            continue  # answering already acknowledged it
        set_status(book, iid, status, now=at)
    for kind, text in spec.entries:
        add_entry(book, iid, kind, text, happened_at=at, now=LOG_NOW)
    for k, (name, content) in enumerate(spec.files):
        path = folder / str(k) / name
        path.parent.mkdir(parents=True)
        path.write_bytes(content)
        attach_file(book, iid, path, now=at + timedelta(minutes=k))
    if spec.plan is not None:
        _repair_from_spec(book, client_id, iid, spec.plan, at + timedelta(hours=1))
    return iid


def _repair_from_spec(book: Book, client_id: int, iid: int, spec: PlanSpec, at: datetime) -> None:
    """A repair plan through the wizard's services only, step by step."""
    plan = start_or_resume(book, iid, now=at)
    save_step(book, plan.id, Step.FACTS, {"facts": spec.facts}, go_to=Step.EVIDENCE, now=at)
    if spec.link:
        links = {
            "evidence_ids": [e.id for e in list_evidence(book, iid)],
            "entry_ids": [t.entry_id for t in timeline(book, iid, now=at) if t.entry_id],
            "touch_ids": [t.id for t in list_touches(book, client_id, limit=10)],
        }
        save_step(book, plan.id, Step.EVIDENCE, links, mark_done=True, now=at)
    save_step(book, plan.id, Step.APOLOGY, {"apology": spec.apology}, now=at)
    save_step(book, plan.id, Step.GOALS, {"priorities": spec.priorities}, now=at)
    ours = [{"text": text, "due_on": due} for text, due in spec.ours]
    save_step(book, plan.id, Step.OUR_CHANGE, {"ours": ours}, go_to=Step.OUR_REQUEST, now=at)
    for step in spec.skip:
        set_skipped(book, plan.id, step, True, now=at)
    done = at + timedelta(hours=1)
    if spec.ending is Step.IN_WRITING:
        finish_with_agreement(book, plan.id, now=done)
    elif spec.ending is not None:
        values = {
            Step.HAND_OVER: {"successor": "Lena Fischer"},
            Step.INSURER: {"insurer_name": "Hanse Indemnity", "insurer_policy": "PI-1"},
            Step.PART_WAYS: {"we_owe": "A refund"},
        }[spec.ending]
        save_step(book, plan.id, spec.ending, values, go_to=spec.ending, now=at)
        finish_other(book, plan.id, spec.ending, now=done)


def _priorities(book: Book) -> dict[str, date | None]:
    return {
        r.uid: get_client(book, r.id).priority_until
        for r in list_clients(book, include_archived=True)
    }


def _folder_contents(folder: Path) -> dict[str, bytes]:
    if not folder.exists():
        return {}
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def _reminder_dates(book: Book) -> dict[str, tuple[date | None, date | None]]:
    """Each client's stored last-touch and due dates, by uid."""
    return {
        r.uid: (get_client(book, r.id).last_touch_on, r.touch_due_on)
        for r in list_clients(book, include_archived=True)
    }


@settings(
    max_examples=25,
    deadline=None,
    # The autouse fixture only points XDG folders somewhere private; sharing it
    # between examples is harmless, every example opens its own books.
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(specs=st.lists(client_specs(), max_size=4))
@example(specs=[HARD])
def test_round_trip_any_content(
    tmp_path_factory: pytest.TempPathFactory, specs: list[ClientSpec]
) -> None:
    assert len(HARD.data.notes) == 10_000
    folder = tmp_path_factory.mktemp("roundtrip")
    source = open_book(folder / "source.db")
    target = open_book(folder / "target.db")
    try:
        _fill_from_specs(source, specs, folder / "files")
        first, second = folder / "first.json", folder / "second.json"
        write_json(source, first)
        text = first.read_text(encoding="utf-8")
        result = import_json(target, first, now=LOG_NOW)
        assert result == ImportResult(created=len(specs), updated=0, unchanged=0)
        write_json(target, second)
        assert second.read_text(encoding="utf-8") == text
        # The evidence files came along, into the book and out again, byte for byte.
        carried = _folder_contents(attachments_dir_for(first))
        assert _folder_contents(attachments_dir_for(second)) == carried
        assert set(carried) == {
            hashlib.sha256(content).hexdigest()
            for spec in specs
            for inc in spec.incidents
            for _, content in inc.files
        }
        # What came out is what went in (after the dialog's trimming); notes are
        # kept exactly, tabs and line breaks and all.
        exported = json.loads(text)["clients"]
        for spec in specs:
            clean = spec.data.cleaned()
            assert any(c["name"] == clean.name and c["notes"] == spec.data.notes for c in exported)
        assert sum(len(c["touches"]) for c in exported) == sum(len(s.touches) for s in specs)
        assert sum(len(c["incidents"]) for c in exported) == sum(len(s.incidents) for s in specs)
        plans = [p for c in exported for i in c["incidents"] for p in i["repair_plans"]]
        assert len(plans) == sum(inc.plan is not None for s in specs for inc in s.incidents)
        # Importing the same file again finds every plan already there.
        assert import_json(target, first, now=LOG_NOW) == ImportResult(0, 0, len(specs))
        # The dates an import recomputes are the ones the services produced.
        assert _reminder_dates(target) == _reminder_dates(source)
        assert _priorities(target) == _priorities(source)
    finally:
        source.close()
        target.close()


# --------------------------------------------------------------------------- merging


def test_merge_updates_by_id_inserts_new_and_counts(book: Book) -> None:
    import_book(
        book,
        book_doc(
            client_doc(
                UID_A,
                "Anna Old",
                emails=[{"value": "old@a.example", "label": "work"}],
                tags=["small"],
            ),
            client_doc(UID_B, "Bruno Same", tags=["vip"]),
        ),
    )
    local_id = create_client(book, ClientInput(name="Only In Book"), now=NOW)
    anna_id = next(r.id for r in list_clients(book, "anna"))

    result = import_book(
        book,
        book_doc(
            client_doc(
                UID_A,
                "Anna New",
                organisation="Fresh Org",
                status="paused",
                emails=[{"value": "new@a.example", "label": "home"}],
                phones=[{"value": "+44 20 7946 0001", "label": "mobile"}],
                tags=["retainer"],
                notes="moved house",
                created_at="2020-01-01T00:00:00.000000+00:00",
                updated_at="2026-01-01T00:00:00.000000+00:00",
                archived_at="2026-02-01T00:00:00.000000+00:00",
            ),
            client_doc(UID_B, "Bruno Same", tags=["VIP"]),  # tag case does not matter
            client_doc(UID_C, "Carla New"),
        ),
    )
    assert result == ImportResult(created=1, updated=1, unchanged=1)

    anna = get_client(book, anna_id)  # same row, updated in place
    assert anna.uid == UID_A
    assert anna.name == "Anna New" and anna.organisation == "Fresh Org"
    assert anna.status == ClientStatus.PAUSED
    assert anna.emails == [Contact("new@a.example", "home")]
    assert anna.phones == [Contact("+44 20 7946 0001", "mobile")]
    assert anna.tags == ["retainer"]
    assert anna.created_at == datetime(2020, 1, 1, tzinfo=UTC)
    assert anna.updated_at == datetime(2026, 1, 1, tzinfo=UTC)
    assert anna.archived_at == datetime(2026, 2, 1, tzinfo=UTC)
    # search_text was rebuilt: the new details are findable, the old ones are gone.
    assert [r.id for r in list_clients(book, "moved fresh", include_archived=True)] == [anna_id]
    assert list_clients(book, "old@a.example", include_archived=True) == []

    assert get_client(book, local_id).name == "Only In Book"  # untouched
    assert count_clients(book, include_archived=True) == 4
    carla = [c for c in export_book(book)["clients"] if c["id"] == UID_C]
    assert carla[0]["created_at"] == "2025-01-02T03:04:05.000006+00:00"


def test_unchanged_only_when_everything_matches(book: Book) -> None:
    base = client_doc(UID_A, "Anna", emails=[{"value": "a@a.example", "label": "work"}])
    import_book(book, book_doc(base))
    assert import_book(book, book_doc(base)) == ImportResult(0, 0, 1)
    relabelled = copy.deepcopy(base)
    relabelled["emails"][0]["label"] = "home"
    assert import_book(book, book_doc(relabelled)) == ImportResult(0, 1, 0)
    touched = dict(relabelled, updated_at="2026-05-05T00:00:00+00:00")
    assert import_book(book, book_doc(touched)) == ImportResult(0, 1, 0)


def test_hand_written_file_uses_defaults(book: Book) -> None:
    result = import_book(
        book,
        book_doc({"id": UID_A, "name": "  Minimal  ", "tags": ["a", " a ", "", "B"]}),
        now=NOW,
    )
    assert result == ImportResult(1, 0, 0)
    [c] = export_book(book)["clients"]
    assert c["name"] == "Minimal"
    assert c["status"] == "active" and c["notes"] == "" and c["emails"] == []
    assert c["tags"] == ["a", "B"]
    assert c["created_at"] == c["updated_at"] == "2026-11-22T09:30:00.123456+00:00"
    assert c["archived_at"] is None
    # Without timestamps in the file, an identical client counts as unchanged.
    assert import_book(
        book,
        book_doc({"id": UID_A, "name": "Minimal", "tags": ["A", "b"]}),
        now=NOW + timedelta(days=1),
    ) == ImportResult(0, 0, 1)


def test_other_time_zones_are_stored_as_utc(book: Book) -> None:
    import_book(
        book,
        book_doc(
            client_doc(
                UID_A,
                "Anna",
                created_at="2025-03-14T11:30:00+02:00",
                updated_at="2025-03-14T09:30:00Z",
            )
        ),
    )
    [c] = export_book(book)["clients"]
    assert c["created_at"] == "2025-03-14T09:30:00.000000+00:00"
    assert c["updated_at"] == "2025-03-14T09:30:00.000000+00:00"


# --------------------------------------------------------------------------- all or nothing


def test_invalid_last_client_leaves_book_unchanged(book: Book) -> None:
    fill_demo(book, now=NOW)
    before = export_text(book)
    existing = export_book(book)["clients"][0]
    doc = book_doc(
        dict(existing, name="Renamed"),
        client_doc(UID_A, "New Person"),
        client_doc(UID_B, "Anna", emails=[{"value": "anna.example.com", "label": "work"}]),
    )
    with pytest.raises(BookFormatError) as err:
        import_book(book, doc)
    assert str(err.value) == (
        'clients[2].emails[0]: "anna.example.com" does not look like an email address.'
    )
    assert export_text(book) == before


def test_database_refusal_mid_import_rolls_everything_back(book: Book) -> None:
    import_book(book, book_doc(client_doc(UID_C, "Already Here", tags=["keep"])))
    before = export_text(book)
    # A rule only the database knows, so the refusal comes after the first client
    # has been written inside the transaction.
    with book.engine.begin() as conn:
        conn.exec_driver_sql(
            "CREATE TRIGGER refuse_boom BEFORE INSERT ON client WHEN NEW.name = 'Boom' "
            "BEGIN SELECT RAISE(ABORT, 'no clients called Boom'); END"
        )
    doc = book_doc(
        client_doc(
            UID_A, "Fine", tags=["brand-new-tag"], emails=[{"value": "fine@x.example", "label": ""}]
        ),
        client_doc(UID_C, "Already Here, renamed"),
        client_doc(UID_B, "Boom"),
    )
    with pytest.raises(BookFormatError) as err:
        import_book(book, doc)
    assert str(err.value) == "clients[2]: the book refused this client (no clients called Boom)."
    assert export_text(book) == before
    assert list_clients(book, "fine", include_archived=True) == []
    with book.engine.connect() as conn:
        tags = [r[0] for r in conn.exec_driver_sql("SELECT name FROM tag ORDER BY name")]
        contacts = conn.exec_driver_sql("SELECT count(*) FROM contact_point").scalar()
    assert tags == ["keep"]
    assert contacts == 0


def test_every_problem_is_collected(book: Book) -> None:
    doc = book_doc(
        client_doc(UID_A, ""),
        client_doc("nope", "Bad Id", status="retired"),
        client_doc(UID_B, "Ok"),
    )
    with pytest.raises(BookFormatError) as err:
        import_book(book, doc)
    assert err.value.problems == [
        "clients[0].name: Please give the client a name.",
        'clients[1].id: "nope" is not a Rapport id (32 characters, each 0-9 or a-f).',
        'clients[1].status: "retired" is not a status; use "active", "paused" or "former".',
    ]
    assert str(err.value) == (
        "clients[0].name: Please give the client a name. (2 more problems in this file.)"
    )
    assert count_clients(book, include_archived=True) == 0


# --------------------------------------------------------------------------- clear errors


def _import_error(book: Book, doc: Any) -> str:
    with pytest.raises(BookFormatError) as err:
        import_book(book, doc)
    assert count_clients(book, include_archived=True) == 0
    return str(err.value)


def test_read_json_not_json(tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    path.write_text('{\n  "format": "rapport-book",\n  "version": 1\n  "clients": []\n}\n')
    with pytest.raises(BookFormatError) as err:
        read_json(path)
    assert str(err.value) == (
        f"{path} is not valid JSON: Expecting ',' delimiter at line 4, column 3."
    )


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (None, "There is no file at {path}."),
        (b"", "{path} is empty."),
        (b'{"name": "Bj\xf6rn"}', "{path} is not UTF-8 text (byte 12 is not valid UTF-8)."),
        (
            b"[1, 2]",
            "This is not a Rapport book export (the file holds a list, not a JSON object).",
        ),
    ],
)
def test_read_json_errors(tmp_path: Path, content: bytes | None, expected: str) -> None:
    path = tmp_path / "in.json"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(BookFormatError) as err:
        read_json(path)
    assert str(err.value) == expected.format(path=path)


def test_read_json_accepts_a_byte_order_mark(tmp_path: Path) -> None:
    path = tmp_path / "bom.json"
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps(book_doc()).encode())
    assert read_json(path) == book_doc()


def test_read_json_folder(tmp_path: Path) -> None:
    with pytest.raises(BookFormatError, match="is a folder, not a file"):
        read_json(tmp_path)


@pytest.mark.parametrize(
    ("doc", "expected"),
    [
        ([], "This is not a Rapport book export (expected a JSON object, found a list)."),
        ({"version": 1, "clients": []}, 'This is not a Rapport book export (missing "format").'),
        (
            {"format": "vcard", "version": 1, "clients": []},
            'This is not a Rapport book export ("format" is "vcard", expected "rapport-book").',
        ),
        ({"format": FORMAT, "clients": []}, 'This Rapport book export has no "version".'),
        (
            {"format": FORMAT, "version": "1", "clients": []},
            '"version" should be a whole number, not text.',
        ),
        (
            {"format": FORMAT, "version": 7, "clients": []},
            "This export is version 7; this Rapport reads version 6 or older.",
        ),
        (
            {"format": FORMAT, "version": 0, "clients": []},
            "This export says version 0, but versions start at 1.",
        ),
        ({"format": FORMAT, "version": 1}, 'This export has no "clients" list.'),
        (
            {"format": FORMAT, "version": 1, "clients": {}},
            '"clients" should be a list, not an object.',
        ),
        (
            {"format": FORMAT, "version": 1, "clients": [], "exported_at": "now"},
            'This export has an unknown top-level field "exported_at".',
        ),
    ],
)
def test_header_errors(book: Book, doc: Any, expected: str) -> None:
    assert _import_error(book, doc) == expected


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        (
            {"created_at": "2025-13-01T00:00:00+00:00"},
            'clients[0].created_at: "2025-13-01T00:00:00+00:00" is not a date and time in '
            'ISO 8601 form, like "2025-03-14T09:30:00+00:00".',
        ),
        (
            {"updated_at": "2025-03-01T10:00:00"},
            'clients[0].updated_at: "2025-03-01T10:00:00" has no time zone; add one, '
            'like "+00:00" or "Z".',
        ),
        (
            {"archived_at": 1700000000},
            "clients[0].archived_at: should be a date and time as text, not a number.",
        ),
        ({"created_at": None}, "clients[0].created_at: should be a date and time, not null."),
        (
            {"id": "A" * 32},
            f'clients[0].id: "{"A" * 32}" is not a Rapport id (32 characters, each 0-9 or a-f).',
        ),
        ({"id": 7}, "clients[0].id: should be text, not a number."),
        (
            {"status": "retired"},
            'clients[0].status: "retired" is not a status; use "active", "paused" or "former".',
        ),
        ({"organization": "typo"}, 'clients[0]: unknown field "organization".'),
        ({"tags": "vip"}, "clients[0].tags: should be a list, not text."),
        (
            {"emails": {"value": "a@b.example"}},
            "clients[0].emails: should be a list, not an object.",
        ),
        ({"tags": ["ok", 3]}, "clients[0].tags[1]: should be text, not a number."),
        ({"tags": ["x" * 81]}, "clients[0].tags: A tag can be at most 80 characters."),
        (
            {"emails": ["a@b.example"]},
            'clients[0].emails[0]: should be an object like {"value": "…", "label": "work"}, '
            "not text.",
        ),
        ({"emails": [{"label": "work"}]}, 'clients[0].emails[0]: missing "value".'),
        (
            {"emails": [{"value": " ", "label": "work"}]},
            "clients[0].emails[0].value: is empty; fill it in or remove this entry.",
        ),
        (
            {"phones": [{"value": "+44 1632 960000"}, {"value": "call me", "kind": "x"}]},
            'clients[0].phones[1]: unknown field "kind".',
        ),
        (
            {"phones": [{"value": "call me"}]},
            'clients[0].phones[0]: "call me" does not look like a phone number '
            "(digits, spaces, + ( ) - . / are fine).",
        ),
        ({"name": "Tab\there"}, "clients[0].name: contains a control character (U+0009)."),
        (
            {"notes": "half a pair: \ud800"},
            "clients[0].notes: contains a broken character (half of a UTF-16 pair).",
        ),
    ],
)
def test_client_errors(book: Book, fields: dict[str, Any], expected: str) -> None:
    doc = book_doc(client_doc(UID_A, "Anna", **fields))
    assert _import_error(book, doc) == expected


def test_missing_required_fields(book: Book) -> None:
    assert _import_error(book, book_doc({"name": "No Id"})) == 'clients[0]: missing "id".'
    assert _import_error(book, book_doc({"id": UID_A})) == 'clients[0]: missing "name".'
    assert _import_error(book, book_doc("Anna")) == "clients[0]: should be an object, not text."


def test_duplicate_ids(book: Book) -> None:
    doc = book_doc(
        client_doc(UID_A, "Anna"), client_doc(UID_B, "Bo"), client_doc(UID_A, "Anna again")
    )
    assert _import_error(book, doc) == (
        f'clients[2].id: "{UID_A}" appears twice; clients[0] has it too.'
    )


# --------------------------------------------------------------------------- versions


def test_older_versions_are_upgraded_step_by_step(monkeypatch: pytest.MonkeyPatch) -> None:
    """Rehearse the day version 6 arrives: a version-1 file goes through UPGRADES[1]
    to UPGRADES[5], in that order."""

    def five_to_six(doc: dict[str, Any]) -> dict[str, Any]:
        assert doc["version"] == 5
        assert "touches" in doc["clients"][0] and doc["clients"][0]["incidents"] == []
        # Version 3 files leave the book's agreements alone: no list is filled in.
        assert "agreements" not in doc["clients"][0]
        return {**doc, "version": 6, "clients": [dict(c, upgraded=True) for c in doc["clients"]]}

    monkeypatch.setattr(versions, "VERSION", 6)
    monkeypatch.setitem(versions.UPGRADES, 5, five_to_six)
    v1 = {"format": FORMAT, "version": 1, "clients": [{"id": UID_A, "name": "Anna"}]}
    upgraded = versions.upgrade_document(v1)
    assert upgraded["version"] == 6
    assert upgraded["clients"][0]["upgraded"] is True
    assert v1 == {"format": FORMAT, "version": 1, "clients": [{"id": UID_A, "name": "Anna"}]}


def test_format_errors_are_user_errors() -> None:
    """The command line and the GUI show any RapportError as one line; so must these."""
    from models.errors import RapportError

    assert issubclass(BookFormatError, RapportError)
    assert issubclass(BookFormatError, ValueError)


# --------------------------------------------------------------------------- keep in touch

T1, T2, T3 = "1" * 32, "2" * 32, "3" * 32
F1, F2 = "e" * 32, "f" * 32
I1, I2 = "d" * 32, "9" * 32


def incident_doc(uid: str, title: str, /, **fields: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "id": uid,
        "title": title,
        "category": "late_payment",
        "severity": "high",
        "status": "open",
        "opened_at": "2025-06-01T10:00:00+00:00",
    }
    doc.update(fields)
    return doc


def touch_doc(uid: str, happened_at: str, /, **fields: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "id": uid,
        "happened_at": happened_at,
        "channel": "call",
        "summary": "",
        "next_step": "",
        "created_at": "2026-01-01T00:00:00.000000+00:00",
    }
    doc.update(fields)
    return doc


def follow_up_doc(uid: str, title: str, due_on: str, /, **fields: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "id": uid,
        "kind": "manual",
        "title": title,
        "note": "",
        "due_on": due_on,
        "original_due_on": due_on,
        "done_at": None,
        "touch": None,
        "created_at": "2026-01-01T00:00:00.000000+00:00",
    }
    doc.update(fields)
    return doc


def _detail_by_uid(book: Book, uid: str) -> Any:
    [row] = [r for r in list_clients(book, include_archived=True) if r.uid == uid]
    return get_client(book, row.id)


def _expected_due(detail: Any, touches: list[datetime]) -> date | None:
    """The rules applied by hand to what the file says."""
    last = max((local_date(t) for t in touches), default=None)
    return next_touch_due(
        cadence_days=detail.cadence_days,
        last_touch_on=last,
        added_on=local_date(detail.created_at),
        status=detail.status,
        archived=detail.archived_at is not None,
    )


def test_history_round_trips_with_links_and_dates(book: Book, tmp_path: Path) -> None:
    cid = create_client(
        book,
        ClientInput(name="Ada Lovelace", cadence_days=30),
        now=datetime(2026, 1, 5, tzinfo=UTC),
    )
    log_touch(
        book,
        cid,
        TouchInput(
            datetime(2026, 3, 2, 15, 0, tzinfo=UTC),
            Channel.MEETING,
            "  Planning, budget; next quarter 📅\nSecond line ",
            "Send the plan",
            date(2026, 3, 9),
        ),
        now=NOW,
    )
    log_touch(book, cid, TouchInput(datetime(2026, 2, 1, tzinfo=UTC), Channel.EMAIL), now=NOW)
    manual = add_follow_up(book, cid, "Invoice question", date(2026, 4, 1), note="a, b; c", now=NOW)
    snooze_follow_up(book, manual, date(2026, 4, 8))
    iid = open_incident(
        book,
        cid,
        IncidentInput("Invoice lost", IncidentCategory.OTHER, Severity.HIGH),
        promise_hours=None,
        now=NOW,
    )
    set_status(book, iid, IncidentStatus.ACKNOWLEDGED, now=NOW)
    set_status(book, iid, IncidentStatus.RESOLVED, now=datetime(2026, 11, 24, 12, tzinfo=UTC))

    [c] = export_book(book)["clients"]
    assert c["cadence_days"] == 30 and c["priority_until"] == "2026-12-24"
    assert "last_touch_on" not in c and "touch_due_on" not in c  # derived, never exported
    assert [t["happened_at"][:10] for t in c["touches"]] == ["2026-02-01", "2026-03-02"]
    assert c["touches"][1]["summary"] == "Planning, budget; next quarter 📅\nSecond line"
    assert c["touches"][1]["channel"] == "meeting"
    step, invoice = c["follow_ups"]
    assert step["kind"] == "next_step" and step["touch"] == c["touches"][1]["id"]
    assert invoice["touch"] is None
    assert (invoice["due_on"], invoice["original_due_on"]) == ("2026-04-08", "2026-04-01")

    out = tmp_path / "book.json"
    write_json(book, out)
    target = other_book(tmp_path)
    try:
        import_book(target, read_json(out))
        assert export_text(target) == out.read_text(encoding="utf-8")
        ada = _detail_by_uid(target, c["id"])
        assert ada.last_touch_on == local_date(datetime(2026, 3, 2, 15, 0, tzinfo=UTC))
        assert ada.touch_due_on == get_client(book, cid).touch_due_on
        assert ada.priority_until == date(2026, 12, 24)
        [fu_step, fu_invoice] = open_follow_ups(target, ada.id)
        assert fu_step.kind == FollowUpKind.NEXT_STEP and fu_invoice.note == "a, b; c"
    finally:
        target.close()


def test_import_recomputes_dates_from_the_file_not_from_the_book(book: Book) -> None:
    """The book's stored dates are never trusted over the file's touches."""
    doc = book_doc(
        client_doc(
            UID_A,
            "Anna",
            cadence_days=14,
            touches=[
                touch_doc(T2, "2025-05-01T10:00:00+00:00"),
                touch_doc(T1, "2025-06-01T10:00:00+00:00"),
            ],
        )
    )
    import_book(book, doc, now=NOW)
    anna = _detail_by_uid(book, UID_A)
    june = datetime(2025, 6, 1, 10, tzinfo=UTC)
    assert anna.last_touch_on == local_date(june)
    assert anna.touch_due_on == _expected_due(anna, [june]) == local_date(june) + timedelta(14)

    # The file drops the June touch: the file's set replaces the book's, so the due
    # date follows the May touch now (unlike logging a back-dated touch).
    doc["clients"][0]["touches"] = [touch_doc(T2, "2025-05-01T10:00:00+00:00")]
    assert import_book(book, doc, now=NOW) == ImportResult(0, 1, 0)
    anna = _detail_by_uid(book, UID_A)
    may = datetime(2025, 5, 1, 10, tzinfo=UTC)
    assert [t.happened_at for t in list_touches(book, anna.id)] == [may]
    assert anna.touch_due_on == _expected_due(anna, [may])

    # Paused in the file: no due date, whatever the touches say.
    doc["clients"][0]["status"] = "paused"
    import_book(book, doc, now=NOW)
    assert _detail_by_uid(book, UID_A).touch_due_on is None


def test_history_merges_by_id(book: Book) -> None:
    bruno = client_doc(UID_B, "Bruno", cadence_days=7)  # the same in both files
    import_book(
        book,
        book_doc(
            client_doc(
                UID_A,
                "Anna",
                cadence_days=30,
                touches=[
                    touch_doc(T1, "2025-05-01T10:00:00+00:00", summary="first"),
                    touch_doc(T2, "2025-06-01T10:00:00+00:00", next_step="send it"),
                ],
                follow_ups=[
                    follow_up_doc(F1, "send it", "2025-06-08", kind="next_step", touch=T2),
                    follow_up_doc(F2, "old one", "2025-01-01"),
                ],
            ),
            bruno,
        ),
        now=NOW,
    )
    anna_id = _detail_by_uid(book, UID_A).id
    touch_ids = {t.summary: t.id for t in list_touches(book, anna_id)}

    # Edit one touch, drop one, add one; move the edited touch's follow-up along.
    doc = book_doc(
        client_doc(
            UID_A,
            "Anna",
            cadence_days=30,
            touches=[
                touch_doc(T1, "2025-05-01T10:00:00+00:00", summary="first, edited"),
                touch_doc(T3, "2025-07-01T10:00:00+00:00", channel="visit"),
            ],
            follow_ups=[
                follow_up_doc(
                    F1, "send it", "2025-06-08", kind="next_step", touch=T1, done_at=_iso_now()
                )
            ],
        ),
        bruno,
    )
    assert import_book(book, doc, now=NOW) == ImportResult(created=0, updated=1, unchanged=1)
    touches = list_touches(book, anna_id)
    assert [(t.summary, t.channel) for t in touches] == [
        ("", Channel.VISIT),
        ("first, edited", Channel.CALL),
    ]
    assert touches[1].id == touch_ids["first"]  # the same row, updated in place
    assert open_follow_ups(book, anna_id) == []  # F1 done, F2 gone
    exported = export_book(book)["clients"][0]
    assert [f["id"] for f in exported["follow_ups"]] == [F1]
    assert exported["follow_ups"][0]["touch"] == T1
    anna = _detail_by_uid(book, UID_A)
    assert anna.touch_due_on == _expected_due(anna, [datetime(2025, 7, 1, 10, tzinfo=UTC)])
    # Importing the same file again finds nothing to change.
    assert import_book(book, doc, now=NOW) == ImportResult(0, 0, 2)


def _iso_now() -> str:
    return NOW.isoformat()


def test_a_touch_can_move_to_another_client(book: Book) -> None:
    """Ids are book-wide: a file that files a touch under another client moves it,
    and the client it left gets its dates recomputed too, even though that client
    is not in the file."""
    moved = touch_doc(T1, "2025-06-01T10:00:00+00:00")
    import_book(
        book,
        book_doc(
            client_doc(UID_A, "Anna", cadence_days=30, touches=[moved]),
            client_doc(UID_B, "Bruno", cadence_days=30),
        ),
        now=NOW,
    )
    assert _detail_by_uid(book, UID_A).last_touch_on is not None
    assert import_book(
        book, book_doc(client_doc(UID_B, "Bruno", cadence_days=30, touches=[moved])), now=NOW
    ) == ImportResult(0, 1, 0)
    anna, bruno = _detail_by_uid(book, UID_A), _detail_by_uid(book, UID_B)
    assert list_touches(book, anna.id) == []
    assert anna.last_touch_on is None
    assert anna.touch_due_on == _expected_due(anna, [])
    assert bruno.last_touch_on == local_date(datetime(2025, 6, 1, 10, tzinfo=UTC))
    assert [t.client_id for t in list_touches(book, bruno.id)] == [bruno.id]


def test_any_change_in_history_counts_as_updated(book: Book) -> None:
    base = client_doc(
        UID_A,
        "Anna",
        touches=[touch_doc(T1, "2025-06-01T10:00:00+00:00")],
        follow_ups=[follow_up_doc(F1, "Check in", "2025-07-01")],
    )
    import_book(book, book_doc(base), now=NOW)
    assert import_book(book, book_doc(base), now=NOW) == ImportResult(0, 0, 1)
    changes: list[dict[str, Any]] = [
        {"cadence_days": 30},
        {"incidents": [incident_doc(I1, "Late invoice")]},
        {"touches": [touch_doc(T1, "2025-06-01T10:00:00+00:00", channel="email")]},
        {"touches": []},
        {"follow_ups": [follow_up_doc(F1, "Check in", "2025-07-02")]},
        {"follow_ups": [follow_up_doc(F1, "Check in", "2025-07-01", touch=T1)]},
    ]
    for change in changes:
        changed = dict(base, **change)
        assert import_book(book, book_doc(changed), now=NOW) == ImportResult(0, 1, 0), change
        assert import_book(book, book_doc(base), now=NOW) == ImportResult(0, 1, 0), change


def test_version_1_files_still_import(book: Book) -> None:
    v1 = {
        "format": FORMAT,
        "version": 1,
        "clients": [
            {
                "id": UID_A,
                "name": "Anna",
                "created_at": "2025-01-02T03:04:05+00:00",
                "updated_at": "2025-01-02T03:04:05+00:00",
            }
        ],
    }
    assert import_book(book, v1, now=NOW) == ImportResult(1, 0, 0)
    [c] = export_book(book)["clients"]
    assert c["cadence_days"] is None and c["priority_until"] is None
    assert c["touches"] == [] and c["follow_ups"] == []
    assert import_book(book, v1, now=NOW) == ImportResult(0, 0, 1)


def test_version_1_file_replaces_the_history_of_its_clients(book: Book) -> None:
    """A version-1 file says a client has no rhythm and no touches, so merging one
    clears them for that client (documented in docs/json-format.md)."""
    cid = create_client(book, ClientInput(name="Anna", cadence_days=30), now=NOW)
    log_touch(book, cid, TouchInput(NOW - timedelta(days=3), Channel.CALL), now=NOW)
    [c] = export_book(book)["clients"]
    v1_client = {
        k: v for k, v in c.items() if k not in (*versions.NEW_IN_2, "incidents", "agreements")
    }
    result = import_book(book, {"format": FORMAT, "version": 1, "clients": [v1_client]})
    assert result == ImportResult(0, 1, 0)
    assert list_touches(book, cid) == []
    assert get_client(book, cid).touch_due_on is None


def test_version_1_file_with_version_2_fields_is_refused(book: Book) -> None:
    doc = {"format": FORMAT, "version": 1, "clients": [client_doc(UID_A, "Anna")]}
    with pytest.raises(BookFormatError) as err:
        import_book(book, doc)
    assert str(err.value) == (
        'clients[0]: unknown field "cadence_days" in a version 1 file (it is new in version 2; '
        'say "version": 2). (3 more problems in this file.)'
    )


def test_a_bad_touch_leaves_the_book_unchanged(book: Book) -> None:
    fill_demo(book, now=NOW)
    before = export_text(book)
    clients = export_book(book)["clients"]
    edited = [dict(c, touches=[], follow_ups=[]) for c in clients[:5]]  # would wipe five
    bad = client_doc(UID_A, "New", touches=[touch_doc(T1, "2025-06-01T10:00:00+00:00")])
    bad["touches"][0]["channel"] = "pigeon"
    with pytest.raises(BookFormatError, match=r"clients\[5\]\.touches\[0\]\.channel"):
        import_book(book, book_doc(*edited, bad), now=NOW)
    assert export_text(book) == before


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"cadence_days": 0}, "clients[0].cadence_days: Choose a rhythm between 1 and 3660 days."),
        (
            {"cadence_days": "30"},
            "clients[0].cadence_days: should be a whole number of days or null, not text.",
        ),
        ({"cadence_days": 30.5}, "clients[0].cadence_days: 30.5 is not a whole number of days."),
        (
            {"cadence_days": True},
            "clients[0].cadence_days: should be a whole number of days or null, not true/false.",
        ),
        (
            {"priority_until": "2026-2-1"},
            'clients[0].priority_until: "2026-2-1" is not a date in the form YYYY-MM-DD, '
            'like "2025-03-14".',
        ),
        (
            {"priority_until": "2026-02-30"},
            'clients[0].priority_until: "2026-02-30" is not a day of the calendar.',
        ),
        (
            {"priority_until": 20260201},
            "clients[0].priority_until: should be a date as text, not a number.",
        ),
        ({"touches": {}}, "clients[0].touches: should be a list, not an object."),
        ({"touches": ["call"]}, "clients[0].touches[0]: should be an object, not text."),
        (
            {"touches": [{"id": T1, "channel": "call"}]},
            'clients[0].touches[0]: missing "happened_at".',
        ),
        (
            {"touches": [touch_doc(T1, None)]},  # type: ignore[arg-type]
            "clients[0].touches[0].happened_at: should be a date and time, not null.",
        ),
        (
            {"touches": [touch_doc(T1, "2025-06-01T10:00:00+00:00", channel="pigeon")]},
            'clients[0].touches[0].channel: "pigeon" is not a channel; use "call", "email", '
            '"meeting", "message", "visit" or "other".',
        ),
        (
            {"touches": [touch_doc(T1, "2025-06-01T10:00:00")]},
            'clients[0].touches[0].happened_at: "2025-06-01T10:00:00" has no time zone; '
            'add one, like "+00:00" or "Z".',
        ),
        (
            {"touches": [touch_doc(T1, "2027-06-01T10:00:00+00:00")]},
            "clients[0].touches[0].happened_at: A touch is something that already happened; "
            "pick a past time.",
        ),
        (
            {"touches": [touch_doc(T1, "2025-06-01T10:00:00+00:00", summary="x" * 5001)]},
            "clients[0].touches[0].summary: Keep the summary under 5000 characters.",
        ),
        (
            {"touches": [touch_doc("t1", "2025-06-01T10:00:00+00:00")]},
            'clients[0].touches[0].id: "t1" is not a Rapport id (32 characters, each 0-9 or a-f).',
        ),
        (
            {"touches": [touch_doc(T1, "2025-06-01T10:00:00+00:00", mood="good")]},
            'clients[0].touches[0]: unknown field "mood".',
        ),
        (
            {"follow_ups": [follow_up_doc(F1, "Call", "2025-07-01", kind="someday")]},
            'clients[0].follow_ups[0].kind: "someday" is not a kind of follow-up; use "manual", '
            '"next_step", "response_promise", "review" or "commitment".',
        ),
        (
            {"follow_ups": [follow_up_doc(F1, "  ", "2025-07-01")]},
            "clients[0].follow_ups[0].title: Say in a few words what to follow up on.",
        ),
        (
            {"follow_ups": [follow_up_doc(F1, "x" * 301, "2025-07-01")]},
            "clients[0].follow_ups[0].title: Keep the title under 300 characters.",
        ),
        (
            {"follow_ups": [follow_up_doc(F1, "Call", "2025-07-01", due_on="01/07/2025")]},
            'clients[0].follow_ups[0].due_on: "01/07/2025" is not a date in the form '
            'YYYY-MM-DD, like "2025-03-14".',
        ),
        (
            {"follow_ups": [follow_up_doc(F1, "Call", "2025-07-01", due_on=None)]},
            "clients[0].follow_ups[0].due_on: should be a date, not null.",
        ),
        (
            {"follow_ups": [{"id": F1, "title": "Call"}]},
            'clients[0].follow_ups[0]: missing "due_on".',
        ),
        ({"follow_ups": "soon"}, "clients[0].follow_ups: should be a list, not text."),
        ({"follow_ups": [None]}, "clients[0].follow_ups[0]: should be an object, not null."),
        (
            {"follow_ups": [follow_up_doc(F1, "Call", "2025-07-01", done_at="yesterday")]},
            'clients[0].follow_ups[0].done_at: "yesterday" is not a date and time in ISO 8601 '
            'form, like "2025-03-14T09:30:00+00:00".',
        ),
        (
            {"follow_ups": [follow_up_doc(F1, "Call", "2025-07-01", touch=T3)]},
            f'clients[0].follow_ups[0].touch: "{T3}" is not the id of one of this '
            "client's touches.",
        ),
        (
            {"follow_ups": [follow_up_doc(F1, "Call", "2025-07-01", touch=3)]},
            "clients[0].follow_ups[0].touch: should be a touch id or null, not a number.",
        ),
    ],
)
def test_history_errors(book: Book, fields: dict[str, Any], expected: str) -> None:
    doc = book_doc(client_doc(UID_A, "Anna", **fields))
    with pytest.raises(BookFormatError) as err:
        import_book(book, doc, now=NOW)
    assert str(err.value) == expected
    assert count_clients(book, include_archived=True) == 0


def test_touch_and_follow_up_ids_are_unique_in_the_whole_file(book: Book) -> None:
    doc = book_doc(
        client_doc(UID_A, "Anna", touches=[touch_doc(T1, "2025-06-01T10:00:00+00:00")]),
        client_doc(
            UID_B,
            "Bo",
            touches=[touch_doc(T1, "2025-06-02T10:00:00+00:00")],
            follow_ups=[follow_up_doc(F1, "a", "2025-07-01"), follow_up_doc(F1, "b", "2025-07-02")],
        ),
    )
    with pytest.raises(BookFormatError) as err:
        import_book(book, doc, now=NOW)
    assert err.value.problems == [
        f'clients[1].touches[0].id: "{T1}" appears twice; clients[0].touches[0] has it too.',
        f'clients[1].follow_ups[1].id: "{F1}" appears twice; clients[1].follow_ups[0] has it too.',
    ]


def test_hand_written_history_uses_defaults(book: Book) -> None:
    doc = book_doc(
        {
            "id": UID_A,
            "name": "Anna",
            "touches": [
                {
                    "id": T1,
                    "happened_at": "2025-06-01T10:00:00Z",
                    "channel": "email",
                    "summary": "  sent the plan  ",
                }
            ],
            "follow_ups": [{"id": F1, "title": "Call back", "due_on": "2025-06-10"}],
        }
    )
    import_book(book, doc, now=NOW)
    [c] = export_book(book)["clients"]
    assert c["touches"] == [
        {
            "id": T1,
            "happened_at": "2025-06-01T10:00:00.000000+00:00",
            "channel": "email",
            "summary": "sent the plan",
            "next_step": "",
            "created_at": "2026-11-22T09:30:00.123456+00:00",
        }
    ]
    assert c["follow_ups"] == [
        {
            "id": F1,
            "kind": "manual",
            "title": "Call back",
            "note": "",
            "due_on": "2025-06-10",
            "original_due_on": "2025-06-10",
            "done_at": None,
            "touch": None,
            "created_at": "2026-11-22T09:30:00.123456+00:00",
        }
    ]


def test_cadence_set_in_the_book_survives_a_round_trip(book: Book, tmp_path: Path) -> None:
    cid = create_client(book, ClientInput(name="Anna"), now=NOW)
    set_cadence(book, cid, 61)
    [c] = export_book(book)["clients"]
    assert c["cadence_days"] == 61
    target = other_book(tmp_path)
    try:
        import_book(target, export_book(book))
        assert _detail_by_uid(target, c["id"]).cadence_days == 61
        assert _detail_by_uid(target, c["id"]).touch_due_on == get_client(book, cid).touch_due_on
    finally:
        target.close()
