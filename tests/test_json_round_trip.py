"""Whole-book JSON: any book that can be made survives export then import."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from exports.book_json import (
    ImportResult,
    attachments_dir_for,
    import_json,
    write_json,
)
from models.db import Book, open_book
from models.entities import (
    Channel,
    ClientStatus,
    EntryKind,
    FollowUpKind,
    IncidentCategory,
    IncidentStatus,
    Severity,
)
from models.reminders import CADENCE_PRESETS
from models.repair import SKIPPABLE, Step
from models.services.client_search import list_clients
from models.services.clients import (
    EMAIL_SHAPE,
    ClientInput,
    Contact,
    archive_client,
    create_client,
    get_client,
    update_client,
    validate_client,
)
from models.services.incident_evidence import attach_file, list_evidence
from models.services.incident_timeline import add_entry, timeline
from models.services.incidents import IncidentInput, open_incident, record_response, set_status
from models.services.reminders import (
    TouchInput,
    add_follow_up,
    complete_follow_up,
    list_touches,
    log_touch,
    snooze_follow_up,
)
from models.services.repair import (
    finish_other,
    finish_with_agreement,
    save_step,
    set_skipped,
    start_or_resume,
)
from tests.json_kit import folder_contents

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
        carried = folder_contents(attachments_dir_for(first))
        assert folder_contents(attachments_dir_for(second)) == carried
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
