"""The demo book: big enough to feel real, varied, deterministic, and searchable."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from exports.book_json import dumps, export_book
from models.db import Book, open_book
from models.demo import DEMO_CLIENTS, DEMO_INCIDENTS, DEMO_RHYTHMS, DemoError, fill_demo
from models.entities import ClientStatus, IncidentStatus, Severity
from models.health import Band
from models.reminders import CADENCE_PRESETS, DueKind, next_touch_due, under_priority
from models.services.client_search import list_clients
from models.services.clients import (
    ClientInput,
    count_clients,
    create_client,
    get_client,
    local_date,
)
from models.services.health import all_health, client_health
from models.services.incident_evidence import list_evidence
from models.services.incident_timeline import timeline
from models.services.incidents import get_incident, list_incidents
from models.services.reminders import list_touches, open_follow_ups, today_plan

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)


def _export_of_fresh_demo(path: Path, seed: int) -> str:
    book = open_book(path)
    try:
        fill_demo(book, seed=seed, now=NOW)
        return dumps(export_book(book))
    finally:
        book.close()


def test_fills_about_thirty_clients(book: Book) -> None:
    n = fill_demo(book, now=NOW)
    assert 25 <= n <= 40
    assert count_clients(book, include_archived=True) == n
    assert count_clients(book) < n  # one former client is archived


def test_same_seed_same_book(tmp_path: Path) -> None:
    first = _export_of_fresh_demo(tmp_path / "a" / "demo.db", seed=7)
    second = _export_of_fresh_demo(tmp_path / "b" / "demo.db", seed=7)
    other = _export_of_fresh_demo(tmp_path / "c" / "demo.db", seed=8)
    assert first == second
    assert other != first


def test_variety(book: Book) -> None:
    fill_demo(book, now=NOW)
    clients = export_book(book)["clients"]
    statuses = [c["status"] for c in clients]
    assert statuses.count(ClientStatus.ACTIVE.value) > len(clients) / 2
    assert ClientStatus.PAUSED.value in statuses
    assert ClientStatus.FORMER.value in statuses
    assert any(c["archived_at"] is not None for c in clients)

    names = [c["name"] for c in clients]
    assert sum(not n.isascii() for n in names) >= 5
    assert any("\u0370" <= ch <= "\u03ff" for n in names for ch in n)  # Greek
    assert any("\u0400" <= ch <= "\u04ff" for n in names for ch in n)  # Cyrillic

    assert any("\n" in c["notes"] for c in clients)
    assert all(len(c["emails"]) <= 3 and len(c["phones"]) <= 3 for c in clients)
    assert any(not c["phones"] for c in clients)
    labels = {p["label"] for c in clients for p in c["emails"] + c["phones"]}
    assert {"work", "mobile", "home"} <= labels
    tags = {t for c in clients for t in c["tags"]}
    assert {"retainer", "project", "vip", "small", "referral", "at-risk", "nonprofit"} <= tags


def test_timestamps_spread_over_three_years(book: Book) -> None:
    fill_demo(book, now=NOW)
    clients = export_book(book)["clients"]
    created = [datetime.fromisoformat(c["created_at"]) for c in clients]
    assert all(NOW - timedelta(days=3 * 365 + 1) <= t <= NOW for t in created)
    assert max(created) - min(created) > timedelta(days=365)
    for c in clients:
        made = datetime.fromisoformat(c["created_at"])
        changed = datetime.fromisoformat(c["updated_at"])
        assert made <= changed <= NOW
        if c["archived_at"] is not None:
            assert changed <= datetime.fromisoformat(c["archived_at"]) <= NOW


def test_search_finds_demo_clients(book: Book) -> None:
    fill_demo(book, now=NOW)
    assert "Kwame Mensah" in [r.name for r in list_clients(book, "nonprofit")]
    assert [r.name for r in list_clients(book, "amelie durand")] == ["Amélie Durand"]
    assert [r.name for r in list_clients(book, "ZOE hartley")] == ["Zoë Hartley"]
    assert [r.name for r in list_clients(book, "ελενη")] == ["Ελένη Παπαδοπούλου"]
    assert [r.name for r in list_clients(book, "at-risk yoga")] == ["Priya Raman"]
    assert list_clients(book, "roofing") == []  # archived: hidden unless asked for
    assert [r.name for r in list_clients(book, "roofing", include_archived=True)] == ["Ben Carter"]


def test_demo_keys_are_unique_handles() -> None:
    keys = [d.key for d in DEMO_CLIENTS]
    assert len(keys) == len(set(keys))


def test_refuses_a_book_with_clients(book: Book) -> None:
    create_client(book, ClientInput(name="A real client"), now=NOW)
    with pytest.raises(DemoError, match="only fill an empty book"):
        fill_demo(book, now=NOW)
    assert count_clients(book, include_archived=True) == 1


def test_needs_an_aware_now(book: Book) -> None:
    with pytest.raises(ValueError, match="aware"):
        fill_demo(book, now=datetime(2026, 1, 1))
    assert count_clients(book, include_archived=True) == 0


# --------------------------------------------------------------------------- keep in touch


@pytest.fixture
def zone(request: pytest.FixtureRequest) -> Iterator[str]:
    """Run in another time zone: the demo must look the same wherever it is opened."""
    old = os.environ.get("TZ")
    os.environ["TZ"] = request.param
    time.tzset()
    try:
        yield request.param
    finally:
        if old is None:
            del os.environ["TZ"]
        else:
            os.environ["TZ"] = old
        time.tzset()


def _by_uid(book: Book) -> dict[str, dict[str, Any]]:
    return {c["id"]: c for c in export_book(book)["clients"]}


def _moment(text: str) -> datetime:
    return datetime.fromisoformat(text)


def test_stored_due_dates_are_what_the_rules_say(book: Book) -> None:
    fill_demo(book, now=NOW)
    exported = _by_uid(book)
    checked = 0
    for row in list_clients(book, include_archived=True):
        detail = get_client(book, row.id)
        touches = [t.happened_at for t in list_touches(book, row.id, limit=1000)]
        assert len(touches) == len(exported[row.uid]["touches"])
        last = max((local_date(t) for t in touches), default=None)
        assert detail.last_touch_on == last, detail.name
        assert detail.touch_due_on == next_touch_due(
            cadence_days=detail.cadence_days,
            last_touch_on=last,
            added_on=local_date(detail.created_at),
            status=detail.status,
            archived=detail.archived_at is not None,
        ), detail.name
        checked += detail.touch_due_on is not None
    assert checked >= 15


def test_history_is_about_a_year_varied_and_plausible(book: Book) -> None:
    fill_demo(book, now=NOW)
    clients = export_book(book)["clients"]
    touches = [t for c in clients for t in c["touches"]]
    assert 150 <= len(touches) <= 600
    happened = [_moment(t["happened_at"]) for t in touches]
    assert min(happened) < NOW - timedelta(days=300)
    assert max(happened) < NOW
    assert len({t["channel"] for t in touches}) == 6
    assert all(t["summary"] and len(t["summary"]) < 120 for t in touches)
    assert len({t["summary"] for t in touches}) >= 25
    assert sum(bool(t["next_step"]) for t in touches) >= 10
    for c in clients:
        for t in c["touches"]:
            assert _moment(c["created_at"]) <= _moment(t["happened_at"]), c["name"]
            assert _moment(t["happened_at"]) <= _moment(t["created_at"]) <= NOW
        touch_ids = {t["id"] for t in c["touches"]}
        for f in c["follow_ups"]:
            assert f["touch"] is None or f["touch"] in touch_ids
            assert _moment(f["created_at"]) <= NOW
            if f["done_at"] is not None:
                assert _moment(f["done_at"]) <= NOW
    follow_ups = [f for c in clients for f in c["follow_ups"]]
    assert sum(f["done_at"] is not None for f in follow_ups) >= 10  # history of done work
    assert any(f["due_on"] != f["original_due_on"] for f in follow_ups)  # one was snoozed
    assert {f["kind"] for f in follow_ups} >= {"manual", "next_step", "review", "commitment"}


def test_cadences_mix_presets_and_leave_some_out(book: Book) -> None:
    fill_demo(book, now=NOW)
    active = [r for r in list_clients(book) if r.status is ClientStatus.ACTIVE]
    cadences = [r.cadence_days for r in active]
    with_rhythm = [c for c in cadences if c is not None]
    assert len(with_rhythm) > len(active) / 2
    assert 2 <= cadences.count(None) <= 6
    assert set(with_rhythm) <= set(CADENCE_PRESETS.values())
    assert len(set(with_rhythm)) >= 5


@pytest.mark.parametrize(
    "zone", ["UTC", "Pacific/Kiritimati", "America/St_Johns", "Pacific/Pago_Pago"], indirect=True
)
@pytest.mark.parametrize(
    "now",
    [
        NOW,
        datetime(2026, 3, 29, 0, 30, tzinfo=UTC),  # a DST change in Europe
        datetime(2027, 1, 1, 23, 59, tzinfo=UTC),
        datetime(2028, 2, 29, 11, 0, tzinfo=UTC),
    ],
)
def test_today_view_has_a_realistic_mix_whenever_opened(
    book: Book, zone: str, now: datetime
) -> None:
    fill_demo(book, now=now)
    today = local_date(now)
    plan = today_plan(book, today)
    keep = [i for i in plan.due if i.kind is DueKind.KEEP_IN_TOUCH]
    overdue = [i for i in keep if i.overdue(today) > 0]
    due_today = [i for i in keep if i.overdue(today) == 0]
    follow_ups = [i for i in plan.due if i.kind is DueKind.FOLLOW_UP]
    assert 3 <= len(overdue) <= 6
    assert any(i.overdue(today) >= (i.cadence_days or 0) / 2 for i in overdue)  # badly late
    assert 1 <= len(due_today) <= 2
    assert 2 <= len(follow_ups) <= 6
    assert any(i.overdue(today) > 0 for i in follow_ups)
    assert len(plan.upcoming) >= 3
    assert {i.kind for i in plan.upcoming} == set(DueKind)

    prioritised = [
        r.name
        for r in list_clients(book)
        if under_priority(get_client(book, r.id).priority_until, today)
    ]
    # The critical claim and the high incident under repair: both unresolved.
    assert sorted(prioritised) == ["Grace Tan", "Rafael Mendes"]
    assert plan.due[0].client_name in prioritised and plan.due[0].priority
    # The broken promise waits in Today, overdue.
    [promise] = [i for i in follow_ups if i.title.startswith("Full answer promised")]
    assert promise.client_name == "Rafael Mendes" and promise.overdue(today) >= 1


def test_a_next_step_due_today_points_at_its_touch(book: Book) -> None:
    fill_demo(book, now=NOW)
    today = local_date(NOW)
    [lawyer] = list_clients(book, "wisniewski")
    [step] = [f for f in open_follow_ups(book, lawyer.id) if f.due_on == today]
    [c] = [c for c in export_book(book)["clients"] if c["id"] == lawyer.uid]
    [fu] = [f for f in c["follow_ups"] if f["title"] == step.title]
    assert fu["kind"] == "next_step"
    assert fu["touch"] == c["touches"][-1]["id"]  # the latest touch
    assert c["touches"][-1]["next_step"] == step.title


def test_every_rhythm_names_a_demo_client() -> None:
    keys = {d.key for d in DEMO_CLIENTS}
    assert set(DEMO_RHYTHMS) <= keys
    for key, rhythm in DEMO_RHYTHMS.items():
        assert rhythm.latest_touch_ago() >= 1, key  # touches are in the past
        assert (rhythm.due_in is None) or rhythm.cadence_days is not None, key


def test_demo_dates_do_not_depend_on_the_clock(tmp_path: Path) -> None:
    """Two demos made a year apart look the same relative to their day."""

    def shape(path: Path, now: datetime) -> list[tuple[str, int]]:
        b = open_book(path)
        try:
            fill_demo(b, now=now)
            today = local_date(now)
            return sorted(
                (r.name, (r.touch_due_on - today).days)
                for r in list_clients(b)
                if r.touch_due_on is not None
            )
        finally:
            b.close()

    first = shape(tmp_path / "a.db", NOW)
    second = shape(tmp_path / "b.db", NOW + timedelta(days=365, hours=5))
    assert first == second


# --------------------------------------------------------------------------- incidents


def _one(book: Book, search: str, *, archived: bool = False) -> int:
    [row] = list_clients(book, search, include_archived=archived)
    return row.id


def test_incidents_colour_the_health_of_their_clients(book: Book) -> None:
    fill_demo(book, now=NOW)
    today = local_date(NOW)
    scores = all_health(book, today, now=NOW)
    logistics, healthtech = _one(book, "Rafael Mendes"), _one(book, "Grace Tan")
    yoga = _one(book, "Priya Raman")

    # Health as the services compute it, client by client and for the whole book.
    for cid in (logistics, healthtech, yoga):
        assert client_health(book, cid, today, now=NOW).now == scores[cid]
    assert scores[logistics].band is Band.RED
    assert scores[healthtech].band is Band.AMBER
    reasons = " / ".join(str(f) for f in scores[logistics].factors)
    assert "critical incident open" in reasons and "promised answer" in reasons
    assert any("promised answer" in f.reason for f in scores[healthtech].factors)

    # The resolved one is fading: it still costs something, less than when fresh.
    [fading] = [f for f in scores[yoga].factors if "resolved" in f.reason]
    age = int(fading.reason.split("resolved ")[1].split()[0])
    assert 10 <= age <= 20 and -10 < fading.points < 0
    assert sum(b.band is Band.RED for b in scores.values()) == 1


def test_incidents_have_the_promised_shapes(book: Book) -> None:
    fill_demo(book, now=NOW)
    rows = {r.client_name: r for r in list_incidents(book, now=NOW)}
    assert len(rows) == len(DEMO_INCIDENTS) == 4

    claim = rows["Rafael Mendes"]
    assert claim.severity is Severity.CRITICAL and claim.status is IncidentStatus.ACKNOWLEDGED
    assert claim.responded_at is None and claim.breach is not None
    assert claim.breach > timedelta(days=1)

    repair = rows["Grace Tan"]
    assert repair.severity is Severity.HIGH and repair.status is IncidentStatus.REPAIRING
    entries = [t for t in timeline(book, repair.id, now=NOW) if t.entry_id is not None]
    assert 3 <= len(entries) <= 5
    assert all(repair.opened_at <= t.happened_at <= NOW for t in entries)

    resolved = rows["Priya Raman"]
    assert resolved.status is IncidentStatus.RESOLVED and resolved.closed_at is not None
    assert timedelta(days=10) <= NOW - resolved.closed_at <= timedelta(days=20)

    lost = rows["Pieter de Vries"]
    assert lost.status is IncidentStatus.LOST
    estate = get_client(book, lost.client_id)
    assert estate.status is ClientStatus.FORMER and estate.priority_until is None
    for r in rows.values():
        assert get_client(book, r.client_id).created_at < r.opened_at


def test_evidence_files_are_real_stored_copies(book: Book) -> None:
    import hashlib

    fill_demo(book, now=NOW)
    evidence = [e for r in list_incidents(book, now=NOW) for e in list_evidence(book, r.id)]
    assert {e.name for e in evidence} >= {"hours-log.csv", "email-from-rafael.txt"}
    for e in evidence:
        content = e.path.read_bytes()
        assert e.path.parent.parent == book.attachments_dir
        assert hashlib.sha256(content).hexdigest() == e.sha256 and len(content) == e.size
    [log] = [e for e in evidence if e.name == "hours-log.csv"]
    lines = log.path.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "date,task,hours" and len(lines) >= 4


def test_one_final_and_one_draft_agreement(book: Book) -> None:
    import hashlib

    from models.entities import AgreementStatus, FollowUpKind
    from models.services.agreement_documents import agreement_pdf
    from models.services.agreements import get_agreement, list_agreements
    from models.services.consultant import get_settings

    fill_demo(book, now=NOW)
    today = local_date(NOW)
    me = get_settings(book)
    assert me.name and me.business and me.email and me.address
    rows = {r.client_name: r for r in list_agreements(book)}
    assert set(rows) == {"Grace Tan", "Margit Oberholzer"}

    final, draft = rows["Grace Tan"], rows["Margit Oberholzer"]
    assert final.status is AgreementStatus.FINAL and draft.status is AgreementStatus.DRAFT
    detail = get_agreement(book, final.id)
    [incident] = [r for r in list_incidents(book, now=NOW) if r.client_name == "Grace Tan"]
    assert incident.status is IncidentStatus.REPAIRING and detail.incident_id == incident.id
    pdf = agreement_pdf(book, final.id)
    assert pdf is not None and pdf.startswith(b"%PDF")
    assert hashlib.sha256(pdf).hexdigest() == detail.pdf_sha256
    assert agreement_pdf(book, draft.id) is None
    for row in (final, draft):
        assert row.dated <= today < row.review_on
        sides = {c.side for c in get_agreement(book, row.id).commitments}
        assert len(sides) == 2
    # Finalising made the review date and dated commitments into reminders.
    kinds = {f.kind for f in open_follow_ups(book, final.client_id)}
    assert {FollowUpKind.REVIEW, FollowUpKind.COMMITMENT} <= kinds


def test_final_agreement_pdf_is_the_same_for_the_same_seed(tmp_path: Path) -> None:
    from models.services.agreement_documents import agreement_pdf
    from models.services.agreements import list_agreements

    pdfs = []
    for name in ("a", "b"):
        book = open_book(tmp_path / name / "demo.db")
        try:
            fill_demo(book, now=NOW)
            [final] = [r for r in list_agreements(book) if r.client_name == "Grace Tan"]
            pdfs.append(agreement_pdf(book, final.id))
        finally:
            book.close()
    assert pdfs[0] == pdfs[1]


# --------------------------------------------------------------------------- repairs


def test_one_repair_to_resume_on_step_five(book: Book) -> None:
    from models.repair import FIELDS, PLAYBOOK, Step, clean_answers, step_done
    from models.services.repair import active_plan, save_step, start_or_resume

    fill_demo(book, now=NOW)
    rows = {r.client_name: r for r in list_incidents(book, now=NOW)}
    claim = rows["Rafael Mendes"]
    plan = active_plan(book, claim.id)
    assert plan is not None and plan.current_step is Step.STATE
    assert plan.done == {Step.FACTS, Step.EVIDENCE, Step.BOTH_SIDES, Step.APOLOGY}
    assert plan.skipped == frozenset() and plan.state(Step.STATE) == "current"
    # Steps 1 to 4 hold real writing; the ones ahead are empty but for the drafts a
    # new plan starts with (review date, check-in, title).
    for step in PLAYBOOK[:4]:
        assert step_done(step, plan.answers), step
    for step in (Step.STATE, Step.GOALS, Step.OUR_CHANGE, Step.OUR_REQUEST):
        assert not step_done(step, plan.answers), step
    assert len(plan.value("facts")) > 100 and "I am sorry" in plan.value("apology")
    assert plan.value("our_view") == get_incident(book, claim.id).our_view
    assert plan.value("reply").startswith("Hello Rafael,")
    assert datetime.fromisoformat(plan.value("reply_due_at")) == claim.response_due_at
    # What step 2 picked are this incident's files and entries and Rafael's own touch.
    assert plan.value("evidence_ids") == [e.id for e in list_evidence(book, claim.id)]
    entries = [t.entry_id for t in timeline(book, claim.id, now=NOW) if t.entry_id]
    assert sorted(plan.value("entry_ids")) == sorted(entries) and len(entries) == 3
    touches = {t.id for t in list_touches(book, claim.client_id, limit=1000)}
    assert len(plan.value("touch_ids")) == 1 and set(plan.value("touch_ids")) <= touches
    # Every answer is what the wizard's autosave would have stored.
    for step, fields in FIELDS.items():
        mine = {k: v for k, v in plan.answers.items() if k in fields}
        assert clean_answers(step, mine) == (mine, {}), step
    assert plan.started_at > claim.opened_at and plan.updated_at < NOW

    # The wizard resumes it rather than starting another, and carries on from there.
    assert start_or_resume(book, claim.id, now=NOW).id == plan.id
    after = save_step(
        book, plan.id, Step.STATE, {"project_state": "Fix on the test server."}, go_to=Step.GOALS
    )
    assert after.current_step is Step.GOALS


def test_one_repair_finished_in_the_final_agreement(book: Book) -> None:
    from models.entities import RepairEnding, RepairPlanStatus
    from models.repair import PLAYBOOK
    from models.services.agreements import get_agreement, list_agreements
    from models.services.repair import active_plan, latest_plan, preview_agreement

    fill_demo(book, now=NOW)
    rows = {r.client_name: r for r in list_incidents(book, now=NOW)}
    repaired = rows["Grace Tan"]
    plan = latest_plan(book, repaired.id)
    assert plan is not None and active_plan(book, repaired.id) is None
    assert plan.status is RepairPlanStatus.FINISHED and plan.ending is RepairEnding.AGREEMENT
    assert plan.done == set(PLAYBOOK) and plan.skipped == frozenset()
    [final] = [r for r in list_agreements(book) if r.client_name == "Grace Tan"]
    assert plan.agreement_id == final.id
    assert plan.started_at < plan.finished_at == plan.updated_at <= NOW
    # What the plan says is what the agreement says.
    agreement = get_agreement(book, final.id)
    composed = preview_agreement(book, plan.id)
    assert composed.title == final.title and composed.review_on == final.review_on
    assert [c.text for c in composed.ours] == [
        c.text for c in agreement.commitments if c.side.value == "ours"
    ]
    assert [c.text for c in composed.theirs] == [
        c.text for c in agreement.commitments if c.side.value == "theirs"
    ]
    assert composed.points[-len(agreement.points) :] == agreement.points
    # The timeline says so, as finishing in the wizard does.
    texts = [t.text for t in timeline(book, repaired.id, now=NOW)]
    # Issue 17: the entry says the agreement's state now, not the state it had when
    # the entry was written (it was a draft then).
    assert f"Repair agreed in writing: {final.number} “{final.title}” (now final)." in texts
    assert not any("(draft)" in t for t in texts)


def test_only_the_two_demo_incidents_have_repairs(book: Book) -> None:
    from models.services.repair import latest_plan

    fill_demo(book, now=NOW)
    plans = {r.client_name: latest_plan(book, r.id) for r in list_incidents(book, now=NOW)}
    assert {name for name, plan in plans.items() if plan is not None} == {
        "Grace Tan",
        "Rafael Mendes",
    }
