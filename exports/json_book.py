"""Whole-book JSON export and import (format "rapport-book"; see docs/json-format.md).

This file is the user's way out of Rapport and a script's way in, so it is
documented, versioned and strict. An import checks every field of every client
before it writes anything, then merges in one transaction: a bad file never leaves
a half-imported book. An export carries no export time and has a fixed order, so
exporting the same book twice gives the same bytes, and exports diff cleanly.

Evidence files do not go inside the JSON: they travel in a folder beside it, one
file per SHA-256 (the shape of the book's own attachments folder), and an import
checks every one against its hash before it writes anything.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import os
import re
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload, undefer

from exports.documents import PageSize
from models.agreements import parse_number, points_from_text
from models.db import Book
from models.entities import (
    Agreement,
    AgreementStatus,
    Channel,
    Client,
    ClientStatus,
    Commitment,
    CommitmentState,
    ContactKind,
    EntryKind,
    Evidence,
    FollowUp,
    FollowUpKind,
    Incident,
    IncidentCategory,
    IncidentEntry,
    IncidentStatus,
    RepairEnding,
    RepairPlan,
    RepairPlanStatus,
    Setting,
    Severity,
    Side,
    StoredFile,
    Touch,
)
from models.errors import RapportError
from models.files import write_atomic
from models.reminders import later_touch
from models.repair import FIELDS, SKIPPABLE, STEP_OF, TITLES, Kind, Step, clean_answers
from models.services.agreements import (
    AgreementInput,
    CommitmentInput,
    ConsultantSettings,
    read_settings,
    settings_values,
    validate_agreement,
    validate_settings,
)
from models.services.clients import (
    ClientInput,
    Contact,
    apply_input,
    local_date,
    recompute_touch_due,
    validate_client,
)
from models.services.incidents import (
    TEXT_MAX,
    EvidenceError,
    display_name,
    file_digest,
    recompute_priority,
    store_file,
    stored_path,
)
from models.services.reminders import TITLE_MAX, TouchInput, validate_touch
from models.types import utcnow

FORMAT = "rapport-book"
VERSION = 5

UID_SHAPE = re.compile(r"[0-9a-f]{32}")
TOP_LEVEL_FIELDS = ("format", "version", "consultant", "clients")
# Order matters: problems are reported in this order, and exports use it too.
CLIENT_FIELDS = (
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
)
REQUIRED_CLIENT_FIELDS = ("id", "name")
CONTACT_FIELDS = ("value", "label")
TOUCH_FIELDS = ("id", "happened_at", "channel", "summary", "next_step", "created_at")
REQUIRED_TOUCH_FIELDS = ("id", "happened_at", "channel")
FOLLOW_UP_FIELDS = (
    "id",
    "kind",
    "title",
    "note",
    "due_on",
    "original_due_on",
    "done_at",
    "touch",
    "created_at",
)
REQUIRED_FOLLOW_UP_FIELDS = ("id", "title", "due_on")
INCIDENT_FIELDS = (
    "id",
    "title",
    "category",
    "severity",
    "status",
    "client_view",
    "our_view",
    "our_mistakes",
    "client_contribution",
    "opened_at",
    "acknowledged_at",
    "closed_at",
    "response_due_at",
    "responded_at",
    "promise_follow_up",
    "updated_at",
    "timeline",
    "evidence",
    "repair_plans",
)
REQUIRED_INCIDENT_FIELDS = ("id", "title", "category", "severity", "opened_at")
INCIDENT_TEXTS = ("client_view", "our_view", "our_mistakes", "client_contribution")
ENTRY_FIELDS = ("id", "kind", "happened_at", "text", "created_at", "edited_at")
REQUIRED_ENTRY_FIELDS = ("id", "kind", "happened_at", "text")
EVIDENCE_FIELDS = ("id", "original_name", "sha256", "size", "added_at")
REQUIRED_EVIDENCE_FIELDS = ("id", "original_name", "sha256", "size")
PLAN_FIELDS = (
    "id",
    "status",
    "current_step",
    "answers",
    "skipped",
    "done",
    "ending",
    "agreement",
    "started_at",
    "updated_at",
    "finished_at",
)
REQUIRED_PLAN_FIELDS = ("id",)
# The answers that point at other rows of the book, and what they point at: in the
# file they hold ids (uids), in the book row numbers, which differ between books.
PLAN_LINKS = {
    "evidence_ids": ("evidence file", "this incident's evidence files"),
    "entry_ids": ("timeline entry", "this incident's timeline entries"),
    "touch_ids": ("touch", "this client's touches"),
}
CONSULTANT_FIELDS = ("name", "business", "address", "email", "phone", "logo_png", "page_size")
AGREEMENT_FIELDS = (
    "id",
    "number",
    "version",
    "title",
    "dated",
    "status",
    "incident",
    "supersedes",
    "context",
    "points",
    "review_on",
    "review_follow_up",
    "finalised_at",
    "created_at",
    "updated_at",
    "commitments",
    "pdf_sha256",
    "pdf",
)
REQUIRED_AGREEMENT_FIELDS = ("id", "number", "title", "dated")
COMMITMENT_FIELDS = ("id", "side", "text", "due_on", "state", "follow_up")
REQUIRED_COMMITMENT_FIELDS = ("id", "side", "text")
SHA256_SHAPE = re.compile(r"[0-9a-f]{64}")
# Evidence files travel beside the JSON, in "<stem>.attachments/", each named by its hash.
ATTACHMENTS_SUFFIX = ".attachments"
_STATUSES = tuple(s.value for s in ClientStatus)
_CHANNELS = tuple(c.value for c in Channel)
_FOLLOW_UP_KINDS = tuple(k.value for k in FollowUpKind)
_CATEGORIES = tuple(c.value for c in IncidentCategory)
_SEVERITIES = tuple(v.value for v in Severity)
_INCIDENT_STATUSES = tuple(v.value for v in IncidentStatus)
_CLOSED = (IncidentStatus.RESOLVED, IncidentStatus.LOST)
_ENTRY_KINDS = tuple(k.value for k in EntryKind)
_AGREEMENT_STATUSES = tuple(v.value for v in AgreementStatus)
_SIDES = tuple(v.value for v in Side)
_COMMITMENT_STATES = tuple(v.value for v in CommitmentState)
_PLAN_STATUSES = tuple(v.value for v in RepairPlanStatus)
_ENDINGS = tuple(v.value for v in RepairEnding)
_STEP_NUMBERS = tuple(int(step) for step in Step)
# Dates are written one way only, so a file diffs cleanly and "2025-3-1" is caught.
DATE_SHAPE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_SQL_CHUNK = 500


class BookFormatError(RapportError, ValueError):
    """A file that cannot be imported; str() is one line for the user naming the spot.

    ``problems`` keeps every problem found, in file order, for a caller that wants
    to show them all; the message shows the first and how many more there are.
    """

    def __init__(self, problems: str | Iterable[str]) -> None:
        self.problems = [problems] if isinstance(problems, str) else list(problems)
        if not self.problems:
            self.problems = ["This file could not be imported."]
        first, more = self.problems[0], len(self.problems) - 1
        if more:
            first += f" ({more} more problem{'s' if more > 1 else ''} in this file.)"
        super().__init__(first)


@dataclass
class ImportResult:
    created: int
    updated: int
    unchanged: int


# --------------------------------------------------------------------------- export


def export_book(book: Book) -> dict[str, Any]:
    """Every client, archived ones included, in an order that depends only on the data."""
    with book.reader() as s:
        clients = s.scalars(
            select(Client)
            .order_by(Client.uid)
            .options(selectinload(Client.contacts), selectinload(Client.tags))
        ).all()
        touches: dict[int, list[Touch]] = {}
        touch_uids: dict[int, str] = {}
        for t in s.scalars(select(Touch)):
            touches.setdefault(t.client_id, []).append(t)
            touch_uids[t.id] = t.uid
        follow_ups: dict[int, list[FollowUp]] = {}
        fu_uids: dict[int, str] = {}
        for fu in s.scalars(select(FollowUp)):
            follow_ups.setdefault(fu.client_id, []).append(fu)
            fu_uids[fu.id] = fu.uid
        incidents = _incident_docs(s, fu_uids, touches)
        agreements = _agreement_docs(s, fu_uids)
        consultant = _consultant_doc(s)
        docs = [
            _client_doc(
                c,
                touches.get(c.id, []),
                follow_ups.get(c.id, []),
                touch_uids,
                incidents.get(c.id, []),
                agreements.get(c.id, []),
            )
            for c in sorted(clients, key=lambda c: c.uid)
        ]
    return {"format": FORMAT, "version": VERSION, "consultant": consultant, "clients": docs}


def _consultant_doc(s: Session) -> dict[str, Any]:
    """The consultant's own details and print settings (the "us" on every document)."""
    me = read_settings(s)
    return {
        "name": me.name,
        "business": me.business,
        "address": me.address,
        "email": me.email,
        "phone": me.phone,
        "logo_png": base64.b64encode(me.logo_png).decode("ascii") if me.logo_png else None,
        "page_size": PageSize(me.page_size).value,
    }


def _agreement_docs(s: Session, fu_uids: dict[int, str]) -> dict[int, list[dict[str, Any]]]:
    """Every client's agreements, by number then version, each with its commitments
    (ours, then theirs, in their printed order) and a final one's stored PDF."""
    rows = s.scalars(
        select(Agreement).options(undefer(Agreement.pdf), selectinload(Agreement.commitments))
    ).all()
    uids = {a.id: a.uid for a in rows}
    inc_uids = dict(s.execute(select(Incident.id, Incident.uid)).all())
    by_client: dict[int, list[Agreement]] = {}
    for ag in rows:
        by_client.setdefault(ag.client_id, []).append(ag)
    return {
        cid: [
            _agreement_doc(ag, uids, inc_uids, fu_uids)
            for ag in sorted(ags, key=lambda a: (a.number, a.version, a.uid))
        ]
        for cid, ags in by_client.items()
    }


def _agreement_doc(
    ag: Agreement, uids: dict[int, str], inc_uids: dict[int, str], fu_uids: dict[int, str]
) -> dict[str, Any]:
    def link(table: dict[int, str], key: int | None) -> str | None:
        return table.get(key) if key is not None else None

    side_order = {Side.OURS: 0, Side.THEIRS: 1}
    return {
        "id": ag.uid,
        "number": ag.number,
        "version": ag.version,
        "title": ag.title,
        "dated": ag.dated.isoformat(),
        "status": AgreementStatus(ag.status).value,
        "incident": link(inc_uids, ag.incident_id),
        "supersedes": link(uids, ag.supersedes_id),
        "context": ag.context,
        "points": points_from_text(ag.points),
        "review_on": ag.review_on.isoformat() if ag.review_on else None,
        "review_follow_up": link(fu_uids, ag.review_follow_up_id),
        "finalised_at": _iso_or_none(ag.finalised_at),
        "created_at": _iso(ag.created_at),
        "updated_at": _iso(ag.updated_at),
        "commitments": [
            {
                "id": c.uid,
                "side": Side(c.side).value,
                "text": c.text,
                "due_on": c.due_on.isoformat() if c.due_on else None,
                "state": CommitmentState(c.state).value,
                "follow_up": link(fu_uids, c.follow_up_id),
            }
            for c in sorted(
                ag.commitments, key=lambda c: (side_order[Side(c.side)], c.position, c.uid)
            )
        ],
        "pdf_sha256": ag.pdf_sha256,
        "pdf": base64.b64encode(ag.pdf).decode("ascii") if ag.pdf is not None else None,
    }


def _incident_docs(
    s: Session, fu_uids: dict[int, str], touches: dict[int, list[Touch]]
) -> dict[int, list[dict[str, Any]]]:
    """Every client's incidents as file objects, oldest first, each with its
    timeline (by when it happened), evidence (by when it was added) and repair
    plans (by when they were started)."""
    entries: dict[int, list[IncidentEntry]] = {}
    for e in s.scalars(select(IncidentEntry)):
        entries.setdefault(e.incident_id, []).append(e)
    evidence: dict[int, list[tuple[Evidence, StoredFile]]] = {}
    for ev, f in s.execute(
        select(Evidence, StoredFile).join(StoredFile, StoredFile.id == Evidence.file_id)
    ):
        evidence.setdefault(ev.incident_id, []).append((ev, f))
    plans: dict[int, list[RepairPlan]] = {}
    for plan in s.scalars(select(RepairPlan)):
        plans.setdefault(plan.incident_id, []).append(plan)
    agreement_uids: dict[int, str] = dict(s.execute(select(Agreement.id, Agreement.uid)).all())
    by_client: dict[int, list[Incident]] = {}
    for inc in s.scalars(select(Incident)):
        by_client.setdefault(inc.client_id, []).append(inc)
    docs: dict[int, list[dict[str, Any]]] = {}
    for cid, incs in by_client.items():
        touch_uids = {t.id: t.uid for t in touches.get(cid, [])}
        docs[cid] = []
        for inc in sorted(incs, key=lambda i: (i.opened_at, i.uid)):
            inc_entries, inc_evidence = entries.get(inc.id, []), evidence.get(inc.id, [])
            links = {
                "evidence_ids": {ev.id: ev.uid for ev, _f in inc_evidence},
                "entry_ids": {e.id: e.uid for e in inc_entries},
                "touch_ids": touch_uids,
            }
            docs[cid].append(
                _incident_doc(inc, inc_entries, inc_evidence, fu_uids)
                | {
                    "repair_plans": [
                        _plan_doc(plan, links, agreement_uids)
                        for plan in sorted(
                            plans.get(inc.id, []), key=lambda p: (p.started_at, p.uid)
                        )
                    ]
                }
            )
    return docs


def _plan_doc(
    plan: RepairPlan, links: dict[str, dict[int, str]], agreement_uids: dict[int, str]
) -> dict[str, Any]:
    """A repair plan as the file keeps it: its answers in the order the wizard asks
    for them, and every link to another row by that row's id."""
    return {
        "id": plan.uid,
        "status": RepairPlanStatus(plan.status).value,
        "current_step": plan.current_step,
        "answers": _answers_doc(plan.answers, links),
        "skipped": _step_numbers(plan.skipped),
        "done": _step_numbers(plan.done),
        "ending": RepairEnding(plan.ending).value if plan.ending is not None else None,
        "agreement": (
            agreement_uids.get(plan.agreement_id) if plan.agreement_id is not None else None
        ),
        "started_at": _iso(plan.started_at),
        "updated_at": _iso(plan.updated_at),
        "finished_at": _iso_or_none(plan.finished_at),
    }


def _answers_doc(stored: str, links: dict[str, dict[int, str]]) -> dict[str, Any]:
    """The stored answers, step by step in the wizard's order. Links to rows that
    are gone (or belong elsewhere) are left out, as the wizard would not show them."""
    try:
        data = json.loads(stored or "{}")
    except json.JSONDecodeError:
        data = {}
    if not isinstance(data, dict):
        data = {}
    out: dict[str, Any] = {}
    for fields in FIELDS.values():
        for name, kind in fields.items():
            if name not in data:
                continue
            value = data[name]
            if kind is Kind.IDS:
                table = links[name]
                ids = value if isinstance(value, list) else []
                value = [table[i] for i in ids if isinstance(i, int) and i in table]
            elif kind is Kind.COMMITMENTS and isinstance(value, list):
                value = [
                    {"text": c.get("text", ""), "due_on": c.get("due_on")}
                    for c in value
                    if isinstance(c, dict)
                ]
            out[name] = value
    return out


def _step_numbers(stored: str) -> list[int]:
    """ "2,5" as [2, 5]: the steps a plan skipped, or moved on from."""
    found = {int(p) for p in (stored or "").split(",") if p.strip().isdigit()}
    return sorted(n for n in found if n in _STEP_NUMBERS)


def _incident_doc(
    inc: Incident,
    entries: list[IncidentEntry],
    evidence: list[tuple[Evidence, StoredFile]],
    fu_uids: dict[int, str],
) -> dict[str, Any]:
    return {
        "id": inc.uid,
        "title": inc.title,
        "category": IncidentCategory(inc.category).value,
        "severity": Severity(inc.severity).value,
        "status": IncidentStatus(inc.status).value,
        "client_view": inc.client_view,
        "our_view": inc.our_view,
        "our_mistakes": inc.our_mistakes,
        "client_contribution": inc.client_contribution,
        "opened_at": _iso(inc.opened_at),
        "acknowledged_at": _iso_or_none(inc.acknowledged_at),
        "closed_at": _iso_or_none(inc.closed_at),
        "response_due_at": _iso_or_none(inc.response_due_at),
        "responded_at": _iso_or_none(inc.responded_at),
        "promise_follow_up": (
            fu_uids.get(inc.promise_follow_up_id) if inc.promise_follow_up_id is not None else None
        ),
        "updated_at": _iso(inc.updated_at),
        "timeline": [
            {
                "id": e.uid,
                "kind": EntryKind(e.kind).value,
                "happened_at": _iso(e.happened_at),
                "text": e.text,
                "created_at": _iso(e.created_at),
                "edited_at": _iso_or_none(e.edited_at),
            }
            for e in sorted(entries, key=lambda e: (e.happened_at, e.uid))
        ],
        "evidence": [
            {
                "id": ev.uid,
                "original_name": ev.original_name,
                "sha256": f.sha256,
                "size": f.size,
                "added_at": _iso(ev.added_at),
            }
            for ev, f in sorted(evidence, key=lambda pair: (pair[0].added_at, pair[0].uid))
        ],
    }


def _client_doc(
    c: Client,
    touches: list[Touch],
    follow_ups: list[FollowUp],
    touch_uids: dict[int, str],
    incidents: list[dict[str, Any]],
    agreements: list[dict[str, Any]],
) -> dict[str, Any]:
    # last_touch_on and touch_due_on are left out on purpose: they follow from the
    # touches and the rules, and an import recomputes them rather than trusting a file.
    return {
        "id": c.uid,
        "name": c.name,
        "organisation": c.organisation,
        "role": c.role,
        "status": ClientStatus(c.status).value,
        "notes": c.notes,
        "emails": _contacts_doc(c, ContactKind.EMAIL),
        "phones": _contacts_doc(c, ContactKind.PHONE),
        "tags": sorted((t.name for t in c.tags), key=lambda n: (n.casefold(), n)),
        "cadence_days": c.cadence_days,
        "priority_until": c.priority_until.isoformat() if c.priority_until else None,
        "created_at": _iso(c.created_at),
        "updated_at": _iso(c.updated_at),
        "archived_at": _iso(c.archived_at) if c.archived_at is not None else None,
        "touches": [_touch_doc(t) for t in sorted(touches, key=lambda t: (t.happened_at, t.uid))],
        "follow_ups": [
            _follow_up_doc(fu, touch_uids)
            for fu in sorted(follow_ups, key=lambda fu: (fu.due_on, fu.uid))
        ],
        "incidents": incidents,
        "agreements": agreements,
    }


def _touch_doc(t: Touch) -> dict[str, Any]:
    return {
        "id": t.uid,
        "happened_at": _iso(t.happened_at),
        "channel": Channel(t.channel).value,
        "summary": t.summary,
        "next_step": t.next_step,
        "created_at": _iso(t.created_at),
    }


def _follow_up_doc(fu: FollowUp, touch_uids: dict[int, str]) -> dict[str, Any]:
    return {
        "id": fu.uid,
        "kind": FollowUpKind(fu.kind).value,
        "title": fu.title,
        "note": fu.note,
        "due_on": fu.due_on.isoformat(),
        "original_due_on": fu.original_due_on.isoformat(),
        "done_at": _iso(fu.done_at) if fu.done_at is not None else None,
        "touch": touch_uids.get(fu.touch_id) if fu.touch_id is not None else None,
        "created_at": _iso(fu.created_at),
    }


def _contacts_doc(c: Client, kind: ContactKind) -> list[dict[str, str]]:
    points = sorted((p for p in c.contacts if p.kind == kind), key=lambda p: p.position)
    return [{"value": p.value, "label": p.label} for p in points]


def _iso(moment: datetime) -> str:
    # Always microseconds and "+00:00", so the same moment is always the same text.
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def _iso_or_none(moment: datetime | None) -> str | None:
    return _iso(moment) if moment is not None else None


def dumps(doc: dict[str, Any]) -> str:
    """The exact text write_json produces, for callers that print instead of saving."""
    return json.dumps(doc, ensure_ascii=False, indent=2, sort_keys=False) + "\n"


def attachments_dir_for(json_path: Path) -> Path:
    """The folder beside an export that carries its evidence files:
    ``book.json`` -> ``book.attachments/``."""
    json_path = Path(json_path)
    return json_path.with_name(json_path.stem + ATTACHMENTS_SUFFIX)


def write_json(book: Book, out: Path) -> int:
    """Export the book to ``out`` and its evidence files to the folder beside it.

    The files go first, so a JSON file on disk never names a file that is not yet
    beside it; the JSON replaces the old one only once it is complete.
    """
    out = Path(out)
    doc = export_book(book)
    _write_attachments(book, doc, attachments_dir_for(out))
    write_atomic(out, dumps(doc).encode("utf-8"))
    return len(doc["clients"])


def _write_attachments(book: Book, doc: dict[str, Any], folder: Path) -> None:
    """Make ``folder`` hold exactly the evidence files ``doc`` names, each as
    ``<sha256>``: a file already there with the right hash is left as it is, files
    an earlier export left and this one no longer names are removed (only names
    that are a SHA-256: the folder is Rapport's, but nothing else is deleted)."""
    wanted = {
        ev["sha256"]: ev["original_name"]
        for c in doc["clients"]
        for inc in c["incidents"]
        for ev in inc["evidence"]
    }
    if not wanted and not folder.is_dir():
        return
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    for sha, name in sorted(wanted.items()):
        target = folder / sha
        if target.is_file() and file_digest(target)[0] == sha:
            continue
        source = stored_path(book, sha)
        try:
            _copy_atomic(source, target, sha)
        except FileNotFoundError:
            raise EvidenceError(
                f"The evidence file “{name}” is missing from the book's attachments folder "
                f"({source}); nothing was exported."
            ) from None
    for stale in folder.iterdir():
        if SHA256_SHAPE.fullmatch(stale.name) and stale.name not in wanted and stale.is_file():
            stale.unlink()


def _copy_atomic(source: Path, target: Path, sha: str) -> None:
    """Copy ``source`` to ``target`` whole or not at all (temp file beside it, fsync,
    rename; models.files.write_atomic streamed), checking the bytes hash to ``sha``
    on the way: a damaged stored file is reported, not exported."""
    digest = hashlib.sha256()
    fd, tmp_name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".part")
    tmp = Path(tmp_name)
    try:
        with open(source, "rb") as src, os.fdopen(fd, "wb") as out:
            while chunk := src.read(1024 * 1024):
                digest.update(chunk)
                out.write(chunk)
            out.flush()
            os.fsync(out.fileno())
        if digest.hexdigest() != sha:
            raise EvidenceError(
                f"The stored evidence file {source} does not match its SHA-256 any more "
                "(it was changed or damaged); nothing was exported."
            )
        if os.name == "posix":
            os.chmod(tmp, 0o600)
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


# --------------------------------------------------------------------------- reading


def read_json(path: Path) -> dict[str, Any]:
    """The parsed file, or a BookFormatError that says plainly why it cannot be read."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise BookFormatError(f"There is no file at {path}.") from None
    except IsADirectoryError:
        raise BookFormatError(f"{path} is a folder, not a file.") from None
    except OSError as exc:
        raise BookFormatError(f"{path} could not be read: {exc.strerror or exc}.") from None
    if not raw.strip():
        raise BookFormatError(f"{path} is empty.")
    try:
        # utf-8-sig: some Windows editors put a byte-order mark in front of UTF-8.
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise BookFormatError(
            f"{path} is not UTF-8 text (byte {exc.start} is not valid UTF-8)."
        ) from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise BookFormatError(
            f"{path} is not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}."
        ) from None
    except RecursionError:
        raise BookFormatError(f"{path} is nested too deeply to be a Rapport export.") from None
    if not isinstance(data, dict):
        raise BookFormatError(
            f"This is not a Rapport book export (the file holds {_kind(data)}, not a JSON object)."
        )
    return data


# --------------------------------------------------------------------------- versions

_NEW_IN_2 = ("cadence_days", "priority_until", "touches", "follow_ups")


def _upgrade_1_to_2(data: dict[str, Any]) -> dict[str, Any]:
    """Version 1 knew nothing of keep-in-touch: no rhythm, no priority, no history.

    A version-1 client that already carries a version-2 key is refused rather than
    half-read: the file's writer meant version 2 and should say so.
    Only clients that are objects are given the new keys; anything else is left for
    the checks to report in the file's own terms.
    """
    clients = data.get("clients")
    if not isinstance(clients, list):
        return {**data, "version": 2}
    problems: list[str] = []
    upgraded: list[Any] = []
    for i, c in enumerate(clients):
        if not isinstance(c, dict):
            upgraded.append(c)
            continue
        for key in _NEW_IN_2:
            if key in c:
                problems.append(
                    f"clients[{i}]: unknown field {_q(key)} in a version 1 file "
                    '(it is new in version 2; say "version": 2).'
                )
        upgraded.append(
            {**c, "cadence_days": None, "priority_until": None, "touches": [], "follow_ups": []}
        )
    if problems:
        raise BookFormatError(problems)
    return {**data, "version": 2, "clients": upgraded}


def _upgrade_2_to_3(data: dict[str, Any]) -> dict[str, Any]:
    """Version 2 knew nothing of incidents: each client is read as having none.

    As with version 1, a file that already uses the new key is refused rather than
    half-read; anything that is not a client object is left for the checks.
    """
    clients = data.get("clients")
    if not isinstance(clients, list):
        return {**data, "version": 3}
    problems: list[str] = []
    upgraded: list[Any] = []
    for i, c in enumerate(clients):
        if not isinstance(c, dict):
            upgraded.append(c)
            continue
        if "incidents" in c:
            problems.append(
                f'clients[{i}]: unknown field "incidents" in a version 2 file '
                '(it is new in version 3; say "version": 3).'
            )
        upgraded.append({**c, "incidents": []})
    if problems:
        raise BookFormatError(problems)
    return {**data, "version": 3, "clients": upgraded}


def _upgrade_3_to_4(data: dict[str, Any]) -> dict[str, Any]:
    """Version 3 knew nothing of agreements or the consultant's details. Unlike the
    earlier steps, no empty list is filled in: a client without "agreements" (and a
    file without "consultant") leaves what the book has alone, so importing an old
    export never throws away a final agreement. A version-3 file that already uses
    the new keys is refused, as before.
    """
    problems: list[str] = []
    if "consultant" in data:
        problems.append(
            'unknown top-level field "consultant" in a version 3 file '
            '(it is new in version 4; say "version": 4).'
        )
    clients = data.get("clients")
    for i, c in enumerate(clients if isinstance(clients, list) else []):
        if isinstance(c, dict) and "agreements" in c:
            problems.append(
                f'clients[{i}]: unknown field "agreements" in a version 3 file '
                '(it is new in version 4; say "version": 4).'
            )
    if problems:
        raise BookFormatError(problems)
    return {**data, "version": 4}


def _upgrade_4_to_5(data: dict[str, Any]) -> dict[str, Any]:
    """Version 4 knew nothing of repair plans. As with agreements, nothing is filled
    in: an incident without "repair_plans" keeps the book's plans as they are, so an
    old export never throws away the wizard's work. A version-4 file that already
    uses the new key is refused.
    """
    problems: list[str] = []
    clients = data.get("clients")
    for i, c in enumerate(clients if isinstance(clients, list) else []):
        incidents = c.get("incidents") if isinstance(c, dict) else None
        for j, inc in enumerate(incidents if isinstance(incidents, list) else []):
            if isinstance(inc, dict) and "repair_plans" in inc:
                problems.append(
                    f'clients[{i}].incidents[{j}]: unknown field "repair_plans" in a version 4 '
                    'file (it is new in version 5; say "version": 5).'
                )
    if problems:
        raise BookFormatError(problems)
    return {**data, "version": 5}


# One step per old version: _UPGRADES[n] turns a version-n document into a
# version n+1 one.
_UPGRADES: dict[int, Callable[[dict[str, Any]], dict[str, Any]]] = {
    1: _upgrade_1_to_2,
    2: _upgrade_2_to_3,
    3: _upgrade_3_to_4,
    4: _upgrade_4_to_5,
}


def _upgrade_document(data: dict[str, Any]) -> dict[str, Any]:
    """Bring an older export to VERSION, so checking and merging know one shape only.

    When version 6 arrives, add ``_UPGRADES[5]`` (a function from a version-5
    document to a version-6 one) and bump VERSION; nothing else changes.
    """
    version: int = data["version"]
    while version < VERSION:
        data = _UPGRADES[version](data)
        version = data["version"]
    return data


def _check_header(data: Any) -> dict[str, Any]:
    """Is this a Rapport book export we can read? Fails fast: nothing else is
    worth checking in a file that is something else entirely."""
    if not isinstance(data, dict):
        raise BookFormatError(
            f"This is not a Rapport book export (expected a JSON object, found {_kind(data)})."
        )
    if "format" not in data:
        raise BookFormatError('This is not a Rapport book export (missing "format").')
    if data["format"] != FORMAT:
        raise BookFormatError(
            f'This is not a Rapport book export ("format" is {_q(data["format"])}, '
            f'expected "{FORMAT}").'
        )
    if "version" not in data:
        raise BookFormatError('This Rapport book export has no "version".')
    version = data["version"]
    if not isinstance(version, int) or isinstance(version, bool):
        raise BookFormatError(f'"version" should be a whole number, not {_kind(version)}.')
    if version > VERSION:
        raise BookFormatError(
            f"This export is version {version}; this Rapport reads version {VERSION} or older."
        )
    if version < 1:
        raise BookFormatError(f"This export says version {version}, but versions start at 1.")
    data = _upgrade_document(data)
    for key in data:
        if key not in TOP_LEVEL_FIELDS:
            raise BookFormatError(f"This export has an unknown top-level field {_q(key)}.")
    if "clients" not in data:
        raise BookFormatError('This export has no "clients" list.')
    if not isinstance(data["clients"], list):
        raise BookFormatError(f'"clients" should be a list, not {_kind(data["clients"])}.')
    return data


# --------------------------------------------------------------------------- checking


@dataclass
class _IncomingTouch:
    uid: str
    happened_at: datetime
    channel: Channel
    summary: str
    next_step: str
    created_at: datetime | None  # None: not in the file


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


def _check_document(data: Any, now: datetime) -> _Checked:
    """Every client of the file, or a BookFormatError listing every problem found."""
    doc = _check_header(data)
    problems: list[str] = []
    consultant = (
        _consultant(doc["consultant"], "consultant", problems) if "consultant" in doc else None
    )
    incoming: list[_Incoming] = []
    first_client: dict[str, str] = {}
    seen: dict[str, dict[str, str]] = {
        key: {}
        for key in (
            "touches",
            "follow_ups",
            "incidents",
            "timeline",
            "evidence",
            "repair_plans",
            "agreements",
            "commitments",
        )
    }
    numbers: dict[tuple[str, int], str] = {}
    sizes: dict[str, tuple[int, str]] = {}
    for i, raw in enumerate(doc["clients"]):
        inc = _check_client(i, raw, problems, now)
        if inc is not None:
            incoming.append(inc)
        if not isinstance(raw, dict):
            continue
        _note_duplicate(raw, f"clients[{i}]", first_client, problems)
        for path, key, item in _nested_items(raw, f"clients[{i}]"):
            _note_duplicate(item, path, seen[key], problems)
            if key == "evidence":
                _note_size(item, path, sizes, problems)
            if key == "agreements":
                _note_number(item, path, numbers, problems)
    if problems:
        raise BookFormatError(problems)
    return _Checked(incoming, consultant)


def _note_number(
    raw: dict[str, Any], path: str, numbers: dict[tuple[str, int], str], problems: list[str]
) -> None:
    """An agreement's number and version name one document in the whole book."""
    number, version = raw.get("number"), raw.get("version", 1)
    if not (isinstance(number, str) and isinstance(version, int)):
        return
    key = (number, version)
    if key in numbers:
        problems.append(
            f"{path}.number: {_q(number)} version {version} appears twice; "
            f"{numbers[key]} has it too."
        )
    else:
        numbers[key] = path


def _nested_items(raw: dict[str, Any], path: str) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """(path, list name, object) of every touch, follow-up, incident, timeline entry,
    evidence file, repair plan, agreement and commitment of one client object,
    however malformed the rest is."""

    def objects(parent: dict[str, Any], key: str, at: str) -> Iterator[tuple[str, dict[str, Any]]]:
        items = parent.get(key)
        if isinstance(items, list):
            for j, item in enumerate(items):
                if isinstance(item, dict):
                    yield f"{at}.{key}[{j}]", item

    for key in ("touches", "follow_ups"):
        for p, item in objects(raw, key, path):
            yield p, key, item
    for p, incident in objects(raw, "incidents", path):
        yield p, "incidents", incident
        for key in ("timeline", "evidence", "repair_plans"):
            for q, item in objects(incident, key, p):
                yield q, key, item
    for p, agreement in objects(raw, "agreements", path):
        yield p, "agreements", agreement
        for q, item in objects(agreement, "commitments", p):
            yield q, "commitments", item


def _note_size(
    raw: dict[str, Any], path: str, sizes: dict[str, tuple[int, str]], problems: list[str]
) -> None:
    """One hash is one file: two evidence entries with one SHA-256 but different
    sizes cannot both be right."""
    sha, size = raw.get("sha256"), raw.get("size")
    if not (isinstance(sha, str) and isinstance(size, int)):
        return
    if sha in sizes and sizes[sha][0] != size:
        problems.append(
            f"{path}.size: {size} differs from {sizes[sha][1]}, which has the same sha256 "
            f"and says {sizes[sha][0]}."
        )
    else:
        sizes.setdefault(sha, (size, path))


def _note_duplicate(
    raw: dict[str, Any], path: str, seen: dict[str, str], problems: list[str]
) -> None:
    """Ids are unique across the whole file: two entries with one id cannot both be merged."""
    uid = raw.get("id")
    if not (isinstance(uid, str) and UID_SHAPE.fullmatch(uid)):
        return
    if uid in seen:
        problems.append(f"{path}.id: {_q(uid)} appears twice; {seen[uid]} has it too.")
    else:
        seen[uid] = path


def _check_client(i: int, raw: Any, problems: list[str], now: datetime) -> _Incoming | None:
    path = f"clients[{i}]"
    if not isinstance(raw, dict):
        problems.append(f"{path}: should be an object, not {_kind(raw)}.")
        return None
    before = len(problems)
    _check_keys(raw, CLIENT_FIELDS, REQUIRED_CLIENT_FIELDS, path, problems)

    uid = _uid(raw, path, problems)
    name = _text(raw.get("name", ""), f"{path}.name", problems)
    organisation = _text(raw.get("organisation", ""), f"{path}.organisation", problems)
    role = _text(raw.get("role", ""), f"{path}.role", problems)
    status = ClientStatus(
        _choice(
            raw.get("status", ClientStatus.ACTIVE.value),
            _STATUSES,
            "status",
            f"{path}.status",
            problems,
        )
        or ClientStatus.ACTIVE
    )
    notes = _text(raw.get("notes", ""), f"{path}.notes", problems)
    emails = _contacts(raw.get("emails", []), f"{path}.emails", problems)
    phones = _contacts(raw.get("phones", []), f"{path}.phones", problems)
    tags = _tags(raw.get("tags", []), f"{path}.tags", problems)
    cadence_days = _cadence(raw.get("cadence_days"), f"{path}.cadence_days", problems)
    priority_until = _day(raw, "priority_until", path, problems, nullable=True)
    created_at = _moment(raw, "created_at", path, problems, nullable=False)
    updated_at = _moment(raw, "updated_at", path, problems, nullable=False)
    archived_at = _moment(raw, "archived_at", path, problems, nullable=True)

    data = ClientInput(
        name=name,
        organisation=organisation,
        role=role,
        emails=emails,
        phones=phones,
        tags=tags,
        notes=notes,
        status=status,
        cadence_days=cadence_days,
    )
    if len(problems) == before:
        # The same rules as the edit dialog, so an import cannot sneak in a client the
        # user could not have typed.
        for key, message in validate_client(data).items():
            problems.append(f"{path}.{_field_path(key)}: {_straight_quotes(message)}")
    # The history is checked even when the client's own fields are wrong, so one
    # pass over a file reports everything.
    touches = _touches(raw.get("touches", []), f"{path}.touches", problems, now)
    raw_touches = raw.get("touches", [])
    touch_uids = _ids_in(raw_touches)
    follow_ups = _follow_ups(raw.get("follow_ups", []), f"{path}.follow_ups", problems, touch_uids)
    incidents = _incidents(
        raw.get("incidents", []),
        f"{path}.incidents",
        problems,
        _ids_in(raw.get("follow_ups")),
        touch_uids,
        _ids_in(raw.get("agreements")),
    )
    agreements = (
        _agreements(
            raw["agreements"],
            f"{path}.agreements",
            problems,
            _ids_in(raw.get("follow_ups")),
            _ids_in(raw.get("incidents")),
        )
        if "agreements" in raw
        else None
    )
    if len(problems) > before:
        return None
    return _Incoming(
        i,
        uid,
        data.cleaned(),
        created_at,
        updated_at,
        archived_at,
        priority_until,
        touches,
        follow_ups,
        incidents,
        agreements,
    )


def _consultant(value: Any, path: str, problems: list[str]) -> ConsultantSettings | None:
    """The consultant's details, by the rules of the settings dialog."""
    if not isinstance(value, dict):
        problems.append(f"{path}: should be an object, not {_kind(value)}.")
        return None
    before = len(problems)
    _check_keys(value, CONSULTANT_FIELDS, (), path, problems)
    texts = {
        key: _text(value.get(key, ""), f"{path}.{key}", problems)
        for key in ("name", "business", "address", "email", "phone")
    }
    logo: bytes | None = None
    raw_logo = value.get("logo_png")
    if raw_logo is not None:
        logo = _base64(raw_logo, f"{path}.logo_png", problems)
    page = _choice(
        value.get("page_size", PageSize.A4.value),
        tuple(p.value for p in PageSize),
        "page size",
        f"{path}.page_size",
        problems,
    )
    if len(problems) > before or page is None:
        return None
    data = ConsultantSettings(**texts, logo_png=logo, page_size=PageSize(page))
    for key, message in validate_settings(data).items():
        problems.append(f"{path}.{key}: {message}")
    return data if len(problems) == before else None


def _base64(value: Any, path: str, problems: list[str]) -> bytes | None:
    if not isinstance(value, str):
        problems.append(f"{path}: should be base64 text or null, not {_kind(value)}.")
        return None
    try:
        return base64.b64decode(value.encode("ascii"), validate=True)
    except (binascii.Error, ValueError, UnicodeEncodeError):
        problems.append(f"{path}: is not valid base64.")
        return None


def _agreements(
    value: Any, path: str, problems: list[str], fu_uids: set[str], incident_uids: set[str]
) -> list[_IncomingAgreement]:
    agreements: list[_IncomingAgreement] = []
    own_uids = _ids_in(value)
    for p, item in _objects(value, path, problems):
        before = len(problems)
        _check_keys(item, AGREEMENT_FIELDS, REQUIRED_AGREEMENT_FIELDS, p, problems)
        uid = _uid(item, p, problems)
        number = _text(item.get("number", ""), f"{p}.number", problems)
        if isinstance(item.get("number"), str) and parse_number(number) is None:
            problems.append(
                f'{p}.number: {_q(number)} is not an agreement number like "AG-2026-0007".'
            )
        version = item.get("version", 1)
        if not isinstance(version, int) or isinstance(version, bool) or version < 1:
            problems.append(f"{p}.version: should be a whole number from 1, not {_q(version)}.")
            version = 1
        title = _text(item.get("title", ""), f"{p}.title", problems)
        dated = _day(item, "dated", p, problems, nullable=False)
        status = _choice(
            item.get("status", AgreementStatus.DRAFT.value),
            _AGREEMENT_STATUSES,
            "status",
            f"{p}.status",
            problems,
        )
        incident = _link(
            item.get("incident"),
            f"{p}.incident",
            problems,
            incident_uids,
            ("incident", "incidents"),
        )
        supersedes = _link(
            item.get("supersedes"),
            f"{p}.supersedes",
            problems,
            own_uids - {uid},
            ("agreement", "other agreements"),
        )
        context = _text(item.get("context", ""), f"{p}.context", problems)
        points = [
            _text(v, f"{p}.points[{j}]", problems)
            for j, v in enumerate(_list(item.get("points", []), f"{p}.points", problems))
        ]
        review_on = _day(item, "review_on", p, problems, nullable=True)
        review_fu = _link(
            item.get("review_follow_up"),
            f"{p}.review_follow_up",
            problems,
            fu_uids,
            ("follow-up", "follow-ups"),
        )
        finalised_at = _moment(item, "finalised_at", p, problems, nullable=True)
        created_at = _moment(item, "created_at", p, problems, nullable=False)
        updated_at = _moment(item, "updated_at", p, problems, nullable=False)
        commitments = _commitments(
            item.get("commitments", []), f"{p}.commitments", problems, fu_uids
        )
        pdf = _base64(item["pdf"], f"{p}.pdf", problems) if item.get("pdf") is not None else None
        sha = item.get("pdf_sha256")
        if sha is not None and not (isinstance(sha, str) and SHA256_SHAPE.fullmatch(sha)):
            problems.append(f"{p}.pdf_sha256: should be 64 characters, each 0-9 or a-f, or null.")
            sha = None
        if len(problems) > before or status is None or dated is None:
            continue
        if status == AgreementStatus.DRAFT.value:
            if item.get("pdf") is not None or sha is not None:
                problems.append(
                    f"{p}.pdf: a draft has no stored PDF; make pdf and pdf_sha256 null."
                )
        elif pdf is None or sha is None:
            problems.append(
                f"{p}.pdf: a {status} agreement carries its stored PDF and its pdf_sha256."
            )
        elif hashlib.sha256(pdf).hexdigest() != sha:
            problems.append(
                f"{p}.pdf: does not match its pdf_sha256; the PDF was changed or damaged."
            )
        data = AgreementInput(
            title=title,
            dated=dated,
            context=context,
            points=points,
            commitments=[CommitmentInput(c.side, c.text, c.due_on) for c in commitments],
            review_on=review_on,
        )
        for key, message in validate_agreement(data).items():
            problems.append(f"{p}.{key}: {message}")
        if len(problems) > before:
            continue
        agreements.append(
            _IncomingAgreement(
                uid,
                number,
                version,
                title,
                dated,
                AgreementStatus(status),
                incident,
                supersedes,
                context,
                "\n".join(points),
                review_on,
                review_fu,
                finalised_at,
                created_at,
                updated_at,
                pdf,
                sha,
                commitments,
            )
        )
    return agreements


def _commitments(
    value: Any, path: str, problems: list[str], fu_uids: set[str]
) -> list[_IncomingCommitment]:
    out: list[_IncomingCommitment] = []
    positions = {Side.OURS: 0, Side.THEIRS: 0}
    for p, item in _objects(value, path, problems):
        before = len(problems)
        _check_keys(item, COMMITMENT_FIELDS, REQUIRED_COMMITMENT_FIELDS, p, problems)
        uid = _uid(item, p, problems)
        side = (
            _choice(item["side"], _SIDES, "side", f"{p}.side", problems) if "side" in item else None
        )
        text = _text(item.get("text", ""), f"{p}.text", problems)
        if isinstance(item.get("text"), str) and not text.strip():
            problems.append(f"{p}.text: is empty; fill it in or remove this commitment.")
        due_on = _day(item, "due_on", p, problems, nullable=True)
        state = _choice(
            item.get("state", CommitmentState.OPEN.value),
            _COMMITMENT_STATES,
            "state",
            f"{p}.state",
            problems,
        )
        follow_up = _link(
            item.get("follow_up"), f"{p}.follow_up", problems, fu_uids, ("follow-up", "follow-ups")
        )
        if len(problems) > before or side is None or state is None:
            continue
        s = Side(side)
        out.append(
            _IncomingCommitment(
                uid, s, positions[s], text, due_on, CommitmentState(state), follow_up
            )
        )
        positions[s] += 1
    return out


def _ids_in(items: Any) -> set[str]:
    """The ids of a list of objects, whatever else is wrong with it: what a link
    from another entry of the same client may point at."""
    return {
        item["id"]
        for item in (items if isinstance(items, list) else [])
        if isinstance(item, dict) and isinstance(item.get("id"), str)
    }


def _check_keys(
    raw: dict[str, Any],
    known: tuple[str, ...],
    required: tuple[str, ...],
    path: str,
    problems: list[str],
) -> None:
    # Unknown keys are refused, not ignored: a typo must not lose data quietly.
    for key in raw:
        if key not in known:
            problems.append(f"{path}: unknown field {_q(key)}.")
    for key in required:
        if key not in raw:
            problems.append(f'{path}: missing "{key}".')


def _uid(raw: dict[str, Any], path: str, problems: list[str]) -> str:
    uid = _text(raw.get("id", ""), f"{path}.id", problems)
    if "id" in raw and isinstance(raw["id"], str) and not UID_SHAPE.fullmatch(uid):
        problems.append(
            f"{path}.id: {_q(uid)} is not a Rapport id (32 characters, each 0-9 or a-f)."
        )
    return uid


def _list(value: Any, path: str, problems: list[str]) -> list[Any]:
    """``value`` if it is a list; otherwise reported, and read as an empty list."""
    if not isinstance(value, list):
        problems.append(f"{path}: should be a list, not {_kind(value)}.")
        return []
    return value


def _objects(
    value: Any, path: str, problems: list[str], shape: str = "an object"
) -> Iterator[tuple[str, dict[str, Any]]]:
    """Each object of the list ``value`` with its path; anything that is not a list,
    or an entry that is not an object, is reported (as ``shape``) and skipped."""
    for j, item in enumerate(_list(value, path, problems)):
        p = f"{path}[{j}]"
        if not isinstance(item, dict):
            problems.append(f"{p}: should be {shape}, not {_kind(item)}.")
            continue
        yield p, item


def _touches(value: Any, path: str, problems: list[str], now: datetime) -> list[_IncomingTouch]:
    touches: list[_IncomingTouch] = []
    for p, item in _objects(value, path, problems):
        before = len(problems)
        _check_keys(item, TOUCH_FIELDS, REQUIRED_TOUCH_FIELDS, p, problems)
        uid = _uid(item, p, problems)
        happened_at = _moment(item, "happened_at", p, problems, nullable=False)
        channel = (
            _choice(item["channel"], _CHANNELS, "channel", f"{p}.channel", problems)
            if "channel" in item
            else None
        )
        summary = _text(item.get("summary", ""), f"{p}.summary", problems)
        next_step = _text(item.get("next_step", ""), f"{p}.next_step", problems)
        created_at = _moment(item, "created_at", p, problems, nullable=False)
        if len(problems) > before or happened_at is None or channel is None:
            continue
        data = TouchInput(happened_at, Channel(channel), summary, next_step)
        # The rules of the "log a touch" dialog: nothing in the future, summaries that fit.
        for key, message in validate_touch(data, now=now).items():
            problems.append(f"{p}.{key}: {message}")
        if len(problems) > before:
            continue
        touches.append(
            _IncomingTouch(
                uid, happened_at, Channel(channel), summary.strip(), next_step.strip(), created_at
            )
        )
    return touches


def _follow_ups(
    value: Any, path: str, problems: list[str], touch_uids: set[str]
) -> list[_IncomingFollowUp]:
    follow_ups: list[_IncomingFollowUp] = []
    for p, item in _objects(value, path, problems):
        before = len(problems)
        _check_keys(item, FOLLOW_UP_FIELDS, REQUIRED_FOLLOW_UP_FIELDS, p, problems)
        uid = _uid(item, p, problems)
        kind = _choice(
            item.get("kind", FollowUpKind.MANUAL.value),
            _FOLLOW_UP_KINDS,
            "kind of follow-up",
            f"{p}.kind",
            problems,
        )
        title = _follow_up_title(item.get("title", ""), f"{p}.title", problems, "title" in item)
        note = _text(item.get("note", ""), f"{p}.note", problems)
        due_on = _day(item, "due_on", p, problems, nullable=False)
        original_due_on = _day(item, "original_due_on", p, problems, nullable=False)
        done_at = _moment(item, "done_at", p, problems, nullable=True)
        touch_uid = _touch_link(item.get("touch"), f"{p}.touch", problems, touch_uids)
        created_at = _moment(item, "created_at", p, problems, nullable=False)
        if len(problems) > before or due_on is None or kind is None:
            continue
        follow_ups.append(
            _IncomingFollowUp(
                uid,
                FollowUpKind(kind),
                title,
                note,
                due_on,
                original_due_on or due_on,
                done_at,
                touch_uid,
                created_at,
            )
        )
    return follow_ups


def _follow_up_title(value: Any, path: str, problems: list[str], present: bool) -> str:
    """Kept exactly as written: the app makes titles in more than one way (typed, or
    cut from a touch's next step), and an export must come back unchanged."""
    title = _text(value, path, problems)
    if present and isinstance(value, str) and not title.strip():
        problems.append(f"{path}: Say in a few words what to follow up on.")
    elif len(title) > TITLE_MAX:
        problems.append(f"{path}: Keep the title under {TITLE_MAX} characters.")
    return title


def _touch_link(value: Any, path: str, problems: list[str], touch_uids: set[str]) -> str | None:
    """A follow-up may point at the touch it came from, by that touch's id; only a
    touch of the same client, listed in the same file, can be meant."""
    return _link(value, path, problems, touch_uids, ("touch", "touches"))


def _link(
    value: Any, path: str, problems: list[str], uids: set[str], what: tuple[str, str]
) -> str | None:
    """An id or null that must name one of ``uids`` (``what``: singular, plural)."""
    if value is None:
        return None
    if not isinstance(value, str):
        problems.append(f"{path}: should be a {what[0]} id or null, not {_kind(value)}.")
        return None
    if value not in uids:
        problems.append(f"{path}: {_q(value)} is not the id of one of this client's {what[1]}.")
        return None
    return value


def _incidents(
    value: Any,
    path: str,
    problems: list[str],
    fu_uids: set[str],
    touch_uids: set[str],
    agreement_uids: set[str],
) -> list[_IncomingIncident]:
    incidents: list[_IncomingIncident] = []
    promised: dict[str, str] = {}
    for p, item in _objects(value, path, problems):
        before = len(problems)
        _check_keys(item, INCIDENT_FIELDS, REQUIRED_INCIDENT_FIELDS, p, problems)
        uid = _uid(item, p, problems)
        # The incident dialog's tidying and rules: runs of spaces become one.
        title = " ".join(_text(item.get("title", ""), f"{p}.title", problems).split())
        if isinstance(item.get("title"), str) and not title:
            problems.append(
                f'{p}.title: Give the incident a short title, e.g. "Invoice 42 disputed".'
            )
        elif len(title) > TITLE_MAX:
            problems.append(f"{p}.title: Keep the title under {TITLE_MAX} characters.")
        category = _required_choice(item, "category", _CATEGORIES, "category", p, problems)
        severity = _required_choice(item, "severity", _SEVERITIES, "severity", p, problems)
        status = _choice(
            item.get("status", IncidentStatus.OPEN.value),
            _INCIDENT_STATUSES,
            "status of an incident",
            f"{p}.status",
            problems,
        )
        texts = {k: _text(item.get(k, ""), f"{p}.{k}", problems) for k in INCIDENT_TEXTS}
        for k, text in texts.items():
            if len(text) > TEXT_MAX:
                problems.append(f"{p}.{k}: This can be at most {TEXT_MAX} characters.")
        opened_at = _moment(item, "opened_at", p, problems, nullable=False)
        acknowledged_at = _moment(item, "acknowledged_at", p, problems, nullable=True)
        closed_at = _moment(item, "closed_at", p, problems, nullable=True)
        response_due_at = _moment(item, "response_due_at", p, problems, nullable=True)
        responded_at = _moment(item, "responded_at", p, problems, nullable=True)
        updated_at = _moment(item, "updated_at", p, problems, nullable=False)
        promise = _link(
            item.get("promise_follow_up"),
            f"{p}.promise_follow_up",
            problems,
            fu_uids,
            ("follow-up", "follow-ups"),
        )
        if promise is not None:
            if promise in promised:
                problems.append(
                    f"{p}.promise_follow_up: {_q(promise)} is already the promise of "
                    f"{promised[promise]}."
                )
            promised.setdefault(promise, p)
        timeline = _entries(item.get("timeline", []), f"{p}.timeline", problems)
        evidence = _evidence(item.get("evidence", []), f"{p}.evidence", problems)
        plans = (
            _plans(
                item["repair_plans"],
                f"{p}.repair_plans",
                problems,
                {
                    "evidence_ids": _ids_in(item.get("evidence")),
                    "entry_ids": _ids_in(item.get("timeline")),
                    "touch_ids": touch_uids,
                },
                agreement_uids,
            )
            if "repair_plans" in item
            else None
        )
        if status is not None and len(problems) == before:
            # As the services keep it: closing sets closed_at, reopening clears it.
            closed = IncidentStatus(status) in _CLOSED
            if closed and closed_at is None:
                problems.append(f"{p}.closed_at: a {status} incident needs the time it closed.")
            elif not closed and closed_at is not None:
                problems.append(f"{p}.closed_at: should be null while the incident is {status}.")
        if len(problems) > before or None in (category, severity, status, opened_at):
            continue
        assert category is not None and severity is not None and status is not None
        assert opened_at is not None
        incidents.append(
            _IncomingIncident(
                uid,
                title,
                IncidentCategory(category),
                Severity(severity),
                IncidentStatus(status),
                texts,
                opened_at,
                acknowledged_at,
                closed_at,
                response_due_at,
                responded_at,
                promise,
                updated_at,
                timeline,
                evidence,
                plans,
            )
        )
    return incidents


def _required_choice(
    item: dict[str, Any],
    key: str,
    allowed: tuple[str, ...],
    what: str,
    path: str,
    problems: list[str],
) -> str | None:
    """A required choice: absent is reported by _check_keys, so only checked here."""
    if key not in item:
        return None
    return _choice(item[key], allowed, what, f"{path}.{key}", problems)


def _entries(value: Any, path: str, problems: list[str]) -> list[_IncomingEntry]:
    entries: list[_IncomingEntry] = []
    for p, item in _objects(value, path, problems):
        before = len(problems)
        _check_keys(item, ENTRY_FIELDS, REQUIRED_ENTRY_FIELDS, p, problems)
        uid = _uid(item, p, problems)
        kind = _required_choice(item, "kind", _ENTRY_KINDS, "kind of entry", p, problems)
        happened_at = _moment(item, "happened_at", p, problems, nullable=False)
        # Trimmed as the timeline's add and edit do.
        text = _text(item.get("text", ""), f"{p}.text", problems).strip()
        if isinstance(item.get("text"), str) and not text:
            problems.append(f"{p}.text: Write what happened.")
        elif len(text) > TEXT_MAX:
            problems.append(f"{p}.text: Keep an entry under {TEXT_MAX} characters.")
        created_at = _moment(item, "created_at", p, problems, nullable=False)
        edited_at = _moment(item, "edited_at", p, problems, nullable=True)
        if len(problems) > before or kind is None or happened_at is None:
            continue
        entries.append(
            _IncomingEntry(uid, EntryKind(kind), happened_at, text, created_at, edited_at)
        )
    return entries


def _evidence(value: Any, path: str, problems: list[str]) -> list[_IncomingEvidence]:
    files: list[_IncomingEvidence] = []
    for p, item in _objects(value, path, problems):
        before = len(problems)
        _check_keys(item, EVIDENCE_FIELDS, REQUIRED_EVIDENCE_FIELDS, p, problems)
        uid = _uid(item, p, problems)
        name = _text(item.get("original_name", ""), f"{p}.original_name", problems)
        if isinstance(item.get("original_name"), str) and not name.strip():
            problems.append(f"{p}.original_name: is empty; give the file's name.")
        sha = _text(item.get("sha256", ""), f"{p}.sha256", problems)
        if isinstance(item.get("sha256"), str) and not SHA256_SHAPE.fullmatch(sha):
            problems.append(
                f"{p}.sha256: {_q(sha)} is not a SHA-256 (64 characters, each 0-9 or a-f)."
            )
        size = item.get("size", 0)
        if not isinstance(size, int) or isinstance(size, bool) or size < 0:
            problems.append(f"{p}.size: should be a whole number of bytes, not {_q(size)}.")
        added_at = _moment(item, "added_at", p, problems, nullable=False)
        if len(problems) > before:
            continue
        files.append(_IncomingEvidence(uid, _safe_name(name), sha, size, added_at))
    return files


def _plans(
    value: Any,
    path: str,
    problems: list[str],
    links: dict[str, set[str]],
    agreement_uids: set[str],
) -> list[_IncomingPlan]:
    """An incident's repair plans, by the rules the wizard's services keep: known
    steps only, answers of the right shape, at most one plan still active, and an
    ending (with the time it came) exactly when the plan is finished."""
    plans: list[_IncomingPlan] = []
    active: str | None = None
    for p, item in _objects(value, path, problems):
        before = len(problems)
        _check_keys(item, PLAN_FIELDS, REQUIRED_PLAN_FIELDS, p, problems)
        uid = _uid(item, p, problems)
        status = _choice(
            item.get("status", RepairPlanStatus.ACTIVE.value),
            _PLAN_STATUSES,
            "status of a repair plan",
            f"{p}.status",
            problems,
        )
        current = _step(item.get("current_step", int(Step.FACTS)), f"{p}.current_step", problems)
        skipped = _step_set(item.get("skipped", []), f"{p}.skipped", problems)
        for n in skipped:
            if Step(n) not in SKIPPABLE:
                problems.append(
                    f"{p}.skipped: step {n} ({TITLES[Step(n)].lower()}) cannot be skipped."
                )
        done = _step_set(item.get("done", []), f"{p}.done", problems)
        raw_ending = item.get("ending")
        ending = (
            None
            if raw_ending is None
            else _choice(raw_ending, _ENDINGS, "way a repair ends", f"{p}.ending", problems)
        )
        agreement = _link(
            item.get("agreement"),
            f"{p}.agreement",
            problems,
            agreement_uids,
            ("agreement", "agreements"),
        )
        answers = _answers(item.get("answers", {}), f"{p}.answers", problems, links)
        started_at = _moment(item, "started_at", p, problems, nullable=False)
        updated_at = _moment(item, "updated_at", p, problems, nullable=False)
        finished_at = _moment(item, "finished_at", p, problems, nullable=True)
        if len(problems) > before or status is None or current is None:
            continue
        if status == RepairPlanStatus.FINISHED.value:
            if ending is None:
                problems.append(
                    f"{p}.ending: a finished plan says how it ended; use "
                    + ", ".join(f'"{e}"' for e in _ENDINGS[:-1])
                    + f' or "{_ENDINGS[-1]}".'
                )
            if finished_at is None:
                problems.append(f"{p}.finished_at: a finished plan needs the time it finished.")
        else:
            for key, value_ in (("ending", ending), ("finished_at", finished_at)):
                if value_ is not None:
                    problems.append(f"{p}.{key}: should be null while the plan is active.")
            if active is not None:
                problems.append(
                    f"{p}.status: an incident has one active plan at most; {active} is active too."
                )
            active = active or p
        if agreement is not None and ending != RepairEnding.AGREEMENT.value:
            problems.append(
                f'{p}.agreement: only a plan that ended in "agreement" links to one; make it null.'
            )
        if len(problems) > before:
            continue
        plans.append(
            _IncomingPlan(
                uid,
                RepairPlanStatus(status),
                current,
                answers,
                skipped,
                done,
                RepairEnding(ending) if ending is not None else None,
                agreement,
                started_at,
                updated_at,
                finished_at,
            )
        )
    return plans


def _step(value: Any, path: str, problems: list[str]) -> int | None:
    """A step of the repair by its number, 1 to 13 (models/repair.py, Step)."""
    if isinstance(value, bool) or not isinstance(value, int):
        problems.append(f"{path}: should be a step number from 1 to 13, not {_kind(value)}.")
        return None
    if value not in _STEP_NUMBERS:
        problems.append(f"{path}: {value} is not a step of the repair; steps go from 1 to 13.")
        return None
    return value


def _step_set(value: Any, path: str, problems: list[str]) -> list[int]:
    """Step numbers, each once, in order: the wizard keeps them as a set."""
    steps = [_step(v, f"{path}[{j}]", problems) for j, v in enumerate(_list(value, path, problems))]
    return sorted({n for n in steps if n is not None})


def _answers(
    value: Any, path: str, problems: list[str], links: dict[str, set[str]]
) -> dict[str, Any]:
    """A plan's answers, each checked and tidied by the wizard's own rules
    (models/repair.py, clean_answers); a link must name a row of this incident
    (or, for touches, of this client) listed in the same file."""
    if not isinstance(value, dict):
        problems.append(
            f"{path}: should be an object of answers (field name: answer), not {_kind(value)}."
        )
        return {}
    answers: dict[str, Any] = {}
    for name, answer in value.items():
        at = f"{path}.{name}"
        step = STEP_OF.get(name)
        if step is None:
            problems.append(f"{path}: unknown field {_q(name)}; no step of the repair asks for it.")
            continue
        try:
            json.dumps(answer, ensure_ascii=False).encode("utf-8")
        except UnicodeEncodeError:
            problems.append(f"{at}: contains a broken character (half of a UTF-16 pair).")
            continue
        if name in PLAN_LINKS:
            what, where = PLAN_LINKS[name]
            uids: list[str] = []
            for j, uid in enumerate(_list(answer, at, problems)):
                if not isinstance(uid, str):
                    problems.append(f"{at}[{j}]: should be the id of a {what}, not {_kind(uid)}.")
                elif uid not in links[name]:
                    problems.append(f"{at}[{j}]: {_q(uid)} is not the id of one of {where}.")
                elif uid not in uids:
                    uids.append(uid)
            answers[name] = uids
            continue
        clean, errors = clean_answers(step, {name: answer})
        for message in errors.values():
            problems.append(f"{at}: {message}")
        answers.update(clean)
    return answers


def _safe_name(name: str) -> str:
    """The name as written when it is one the app could have stored; otherwise tidied
    as attaching a file tidies it (no folders, no control characters, 255 at most),
    so a file cannot smuggle a path into the book."""
    if (
        len(name) <= 255
        and not re.search(r"[\\/\x00-\x1f\x7f-\x9f]", name)
        and name.strip() not in ("", ".", "..")
    ):
        return name
    return display_name(name)


def _cadence(value: Any, path: str, problems: list[str]) -> int | None:
    if value is None:
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, float):
        problems.append(f"{path}: {_q(value)} is not a whole number of days.")
    else:
        problems.append(f"{path}: should be a whole number of days or null, not {_kind(value)}.")
    return None


def _choice(
    value: Any, allowed: tuple[str, ...], what: str, path: str, problems: list[str]
) -> str | None:
    if isinstance(value, str) and value in allowed:
        return value
    if isinstance(value, str):
        options = ", ".join(f'"{a}"' for a in allowed[:-1]) + f' or "{allowed[-1]}"'
        problems.append(f"{path}: {_q(value)} is not a {what}; use {options}.")
    else:
        problems.append(f"{path}: should be text, not {_kind(value)}.")
    return None


_Parsed = TypeVar("_Parsed")


def _written(
    raw: dict[str, Any],
    key: str,
    path: str,
    problems: list[str],
    *,
    nullable: bool,
    what: str,
    parse: Callable[[str, str, list[str]], _Parsed | None],
) -> _Parsed | None:
    """``raw[key]``, a date or time written as text, read by ``parse``. None when the
    key is absent, null, or not text; the last two are reported (null only when it is
    not allowed), in words that say ``what`` was expected."""
    if key not in raw:
        return None
    value = raw[key]
    path = f"{path}.{key}"
    if value is None:
        if not nullable:
            problems.append(f"{path}: should be {what}, not null.")
        return None
    if not isinstance(value, str):
        problems.append(f"{path}: should be {what} as text, not {_kind(value)}.")
        return None
    return parse(value, path, problems)


def _day(
    raw: dict[str, Any], key: str, path: str, problems: list[str], *, nullable: bool
) -> date | None:
    return _written(raw, key, path, problems, nullable=nullable, what="a date", parse=_as_day)


def _as_day(value: str, path: str, problems: list[str]) -> date | None:
    if not DATE_SHAPE.fullmatch(value):
        problems.append(
            f'{path}: {_q(value)} is not a date in the form YYYY-MM-DD, like "2025-03-14".'
        )
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        problems.append(f"{path}: {_q(value)} is not a day of the calendar.")
        return None


def _text(value: Any, path: str, problems: list[str]) -> str:
    if not isinstance(value, str):
        problems.append(f"{path}: should be text, not {_kind(value)}.")
        return ""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        # JSON can spell half a UTF-16 pair ("\ud800"); no file or database can keep it.
        problems.append(f"{path}: contains a broken character (half of a UTF-16 pair).")
        return ""
    return value


def _contacts(value: Any, path: str, problems: list[str]) -> list[Contact]:
    contacts: list[Contact] = []
    shape = 'an object like {"value": "…", "label": "work"}'
    for p, item in _objects(value, path, problems, shape):
        for key in item:
            if key not in CONTACT_FIELDS:
                problems.append(f"{p}: unknown field {_q(key)}.")
        if "value" not in item:
            problems.append(f'{p}: missing "value".')
            continue
        before = len(problems)
        contact_value = _text(item["value"], f"{p}.value", problems)
        label = _text(item.get("label", ""), f"{p}.label", problems)
        if len(problems) > before:
            continue
        if not contact_value.strip():
            # Blank rows would shift the numbering validate_client reports against.
            problems.append(f"{p}.value: is empty; fill it in or remove this entry.")
            continue
        contacts.append(Contact(contact_value, label))
    return contacts


def _tags(value: Any, path: str, problems: list[str]) -> list[str]:
    return [_text(t, f"{path}[{j}]", problems) for j, t in enumerate(_list(value, path, problems))]


def _moment(
    raw: dict[str, Any], key: str, path: str, problems: list[str], *, nullable: bool
) -> datetime | None:
    return _written(
        raw, key, path, problems, nullable=nullable, what="a date and time", parse=_as_moment
    )


def _as_moment(value: str, path: str, problems: list[str]) -> datetime | None:
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        problems.append(
            f"{path}: {_q(value)} is not a date and time in ISO 8601 form, "
            'like "2025-03-14T09:30:00+00:00".'
        )
        return None
    if moment.utcoffset() is None:
        problems.append(f'{path}: {_q(value)} has no time zone; add one, like "+00:00" or "Z".')
        return None
    try:
        return moment.astimezone(UTC)
    except OverflowError:
        problems.append(f"{path}: {_q(value)} is too far in the past or future.")
        return None


def _field_path(key: str) -> str:
    """validate_client's "emails.2" as the file's "emails[2]"."""
    name, _, index = key.partition(".")
    return f"{name}[{index}]" if index else name


def _straight_quotes(message: str) -> str:
    # The dialog's “curly” quotes read oddly next to JSON paths; match the file.
    return message.replace("“", '"').replace("”", '"')


def _kind(value: Any) -> str:
    """A JSON value's type in plain words."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def _q(value: Any, limit: int = 40) -> str:
    """A value as it would appear in the file, cut short so the message stays one line."""
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return json.dumps(text, ensure_ascii=False) if isinstance(value, str) else text


# --------------------------------------------------------------------------- merging


def import_json(book: Book, path: Path, *, now: datetime | None = None) -> ImportResult:
    """Import the export at ``path``, with the evidence files in the folder beside it."""
    return import_book(book, read_json(path), attachments=attachments_dir_for(path), now=now)


def import_book(
    book: Book,
    data: dict[str, Any],
    *,
    attachments: Path | None = None,
    now: datetime | None = None,
) -> ImportResult:
    """Merge a parsed export into ``book`` by client id, all or nothing.

    Clients already in the book (same id) take the file's fields, contacts, tags,
    timestamps, touches, follow-ups and incidents; new ids are added with the file's
    ids and timestamps; clients that only the book has are left alone. ``now``
    stands in for timestamps a hand-written file leaves out, and is the "now" a
    touch may not be later than.

    Evidence files are read from ``attachments`` (the folder beside the JSON file).
    Every one is checked against its SHA-256 before anything is written; then they
    are copied into the book's attachments folder, and only then is the merge
    committed, so no row ever points at a file that is not there. Should the merge
    fail, the files this import added are removed again.
    """
    now = now or utcnow()
    checked = _check_document(data, now)
    incoming = checked.clients
    needed = _evidence_needed(incoming)
    if needed:
        _verify_evidence(needed, attachments)
    assert attachments is not None or not needed
    added = _store_evidence(book, needed, attachments) if attachments is not None else []
    try:
        return _merge(book, incoming, needed, now, checked.consultant)
    except BaseException:
        for path in added:
            path.unlink(missing_ok=True)
        raise


@dataclass(frozen=True)
class _NeededFile:
    sha256: str
    size: int
    name: str  # the name the first evidence entry with this hash gives it
    where: str  # that entry's place in the file, for messages


def _evidence_needed(incoming: list[_Incoming]) -> dict[str, _NeededFile]:
    """Every file the import's evidence refers to, once per hash. The checks passed,
    so each list holds exactly the file's entries and positions match the file."""
    needed: dict[str, _NeededFile] = {}
    for inc in incoming:
        for j, incident in enumerate(inc.incidents):
            for k, ev in enumerate(incident.evidence):
                where = f"clients[{inc.index}].incidents[{j}].evidence[{k}]"
                needed.setdefault(ev.sha256, _NeededFile(ev.sha256, ev.size, ev.name, where))
    return needed


def _verify_evidence(needed: dict[str, _NeededFile], folder: Path | None) -> None:
    """Every needed file is in ``folder`` with the hash and size the JSON says, or a
    BookFormatError naming each one that is not. Reads only; writes nothing."""
    if folder is None:
        first = next(iter(needed.values()))
        raise BookFormatError(
            f"{first.where}: evidence files travel in the folder beside the JSON file; "
            "import the file itself so Rapport can find them."
        )
    problems: list[str] = []
    for f in sorted(needed.values(), key=lambda f: f.where):
        path = folder / f.sha256
        try:
            sha, size = file_digest(path)
        except FileNotFoundError:
            problems.append(f"{f.where}: the evidence file “{f.name}” is missing: no {path}.")
            continue
        except OSError as exc:
            problems.append(
                f"{f.where}: the evidence file “{f.name}” could not be read at {path} "
                f"({exc.strerror or exc})."
            )
            continue
        if sha != f.sha256:
            problems.append(
                f"{f.where}: {path} (“{f.name}”) does not match its SHA-256; "
                "it was changed or damaged."
            )
        elif size != f.size:
            problems.append(f"{f.where}.size: says {f.size} bytes, but {path} has {size}.")
    if problems:
        raise BookFormatError(problems)


def _store_evidence(book: Book, needed: dict[str, _NeededFile], folder: Path) -> list[Path]:
    """Copy the checked files into the book (content-addressed, as attaching does);
    returns the ones that were not there before, for undoing a failed import."""
    added: list[Path] = []
    try:
        for f in sorted(needed.values(), key=lambda f: f.sha256):
            final = stored_path(book, f.sha256)
            existed = final.exists()
            sha, _size = store_file(book, folder / f.sha256)
            if not existed:
                added.append(stored_path(book, sha))
            if sha != f.sha256:
                raise BookFormatError(
                    f"{f.where}: {folder / f.sha256} (“{f.name}”) changed while it was "
                    "being imported; nothing was imported."
                )
    except BaseException:
        for path in added:
            path.unlink(missing_ok=True)
        raise
    return added


def _merge(
    book: Book,
    incoming: list[_Incoming],
    needed: dict[str, _NeededFile],
    now: datetime,
    consultant: ConsultantSettings | None = None,
) -> ImportResult:
    result = ImportResult(created=0, updated=0, unchanged=0)
    with book.session() as s:
        existing = _clients_by_uid(s, [inc.uid for inc in incoming])
        history = _history(s, [c.id for c in existing.values()])
        file_ids = _stored_file_ids(s, needed, now)
        # Clients whose touches changed: their dates are recomputed once, at the end.
        changed: set[int] = set()
        still: set[str] = set()  # counted unchanged so far
        for inc in incoming:
            client = existing.get(inc.uid)
            if client is not None and _unchanged(client, inc, history.get(client.id)):
                result.unchanged += 1
                still.add(inc.uid)
                continue
            try:
                if client is None:
                    client = Client(uid=inc.uid, created_at=inc.created_at or now)
                    s.add(client)
                    result.created += 1
                else:
                    result.updated += 1
                apply_input(s, client, inc.data, now)
                if inc.created_at is not None:
                    client.created_at = inc.created_at
                client.updated_at = inc.updated_at or now
                client.archived_at = inc.archived_at
                # Flush per client, so a refusal from the database names its client.
                s.flush()
                changed.add(client.id)
                changed |= _replace_history(s, client, inc, now)
                s.flush()
                changed |= _replace_incidents(s, client, inc, file_ids, now)
                s.flush()
            except IntegrityError as exc:
                raise BookFormatError(
                    f"clients[{inc.index}]: the book refused this client ({exc.orig})."
                ) from exc
        later: set[str] = set()
        if any(inc.agreements is not None for inc in incoming):
            later |= _merge_agreements(s, incoming, now)
        if any(ii.plans is not None for inc in incoming for ii in inc.incidents):
            # After the agreements: a finished plan may point at one of them.
            later |= _merge_plans(s, incoming, now)
        # A client whose only change is an agreement or a plan was counted unchanged above.
        moved = len(later & still)
        result.unchanged -= moved
        result.updated += moved
        if consultant is not None:
            for key, value in settings_values(consultant).items():
                s.merge(Setting(key=key, value=value))
        _refresh_touch_dates(s, changed)
        _refresh_priority(s, changed)
    return result


def _merge_plans(s: Session, incoming: list[_Incoming], now: datetime) -> set[str]:
    """Make the repair plans of each incident that lists them exactly the file's,
    matched by id (a plan the book keeps under another incident moves here);
    returns the uids of clients whose plans changed. Runs last, so every incident,
    evidence file, timeline entry, touch and agreement a plan points at is in place.
    """
    wanted = [(inc, ii) for inc in incoming for ii in inc.incidents if ii.plans is not None]
    plans = [plan for _inc, ii in wanted for plan in ii.plans or []]

    def ids(entity: type[Any], uids: Iterable[str]) -> dict[str, int]:
        found: dict[str, int] = {}
        chunked = sorted(set(uids))
        for start in range(0, len(chunked), _SQL_CHUNK):
            chunk = chunked[start : start + _SQL_CHUNK]
            found.update(
                s.execute(select(entity.uid, entity.id).where(entity.uid.in_(chunk))).all()
            )
        return found

    incident_ids = ids(Incident, (ii.uid for _inc, ii in wanted))
    tables = {
        name: ids(entity, (u for plan in plans for u in plan.answers.get(name, [])))
        for name, entity in (
            ("evidence_ids", Evidence),
            ("entry_ids", IncidentEntry),
            ("touch_ids", Touch),
        )
    }
    agreement_ids = ids(Agreement, (p.agreement_uid for p in plans if p.agreement_uid))
    rows: dict[str, RepairPlan] = {}
    plan_uids = sorted(p.uid for p in plans)
    for start in range(0, len(plan_uids), _SQL_CHUNK):
        chunk = plan_uids[start : start + _SQL_CHUNK]
        rows.update(
            (r.uid, r) for r in s.scalars(select(RepairPlan).where(RepairPlan.uid.in_(chunk)))
        )
    keep = set(plan_uids)
    changed: set[str] = set()
    for inc, ii in wanted:
        incident_id = incident_ids[ii.uid]
        for r in s.scalars(select(RepairPlan).where(RepairPlan.incident_id == incident_id)):
            if r.uid not in keep:
                s.delete(r)
                changed.add(inc.uid)
    for inc, ii in wanted:
        incident_id = incident_ids[ii.uid]
        for plan in ii.plans or []:
            answers = {
                name: [tables[name][u] for u in value] if name in tables else value
                for name, value in plan.answers.items()
            }
            values = (
                incident_id,
                plan.status,
                plan.current_step,
                ",".join(str(n) for n in plan.skipped),
                ",".join(str(n) for n in plan.done),
                plan.ending,
                agreement_ids[plan.agreement_uid] if plan.agreement_uid else None,
                plan.finished_at,
            )
            row = rows.get(plan.uid)
            if (
                row is not None
                and _plan_values(row) == values
                and _stored_answers(row.answers) == answers
                and (plan.started_at is None or row.started_at == plan.started_at)
                and (plan.updated_at is None or row.updated_at == plan.updated_at)
            ):
                continue
            changed.add(inc.uid)
            if row is None:
                row = RepairPlan(uid=plan.uid, started_at=plan.started_at or now)
                s.add(row)
            else:
                if row.incident_id != incident_id:
                    # Moving away changes the plans of the incident it leaves, too.
                    changed.add(
                        s.scalars(
                            select(Client.uid)
                            .join(Incident, Incident.client_id == Client.id)
                            .where(Incident.id == row.incident_id)
                        ).one()
                    )
                if plan.started_at is not None:
                    row.started_at = plan.started_at
            (
                row.incident_id,
                row.status,
                row.current_step,
                row.skipped,
                row.done,
                row.ending,
                row.agreement_id,
                row.finished_at,
            ) = values
            # As the services store them (models/services/repair.py).
            row.answers = json.dumps(answers, ensure_ascii=False, sort_keys=True)
            row.updated_at = plan.updated_at or now
    try:
        s.flush()
    except IntegrityError as exc:
        raise BookFormatError(f"The book refused a repair plan of this file ({exc.orig}).") from exc
    return changed


def _plan_values(row: RepairPlan) -> tuple[Any, ...]:
    return (
        row.incident_id,
        RepairPlanStatus(row.status),
        row.current_step,
        row.skipped,
        row.done,
        RepairEnding(row.ending) if row.ending is not None else None,
        row.agreement_id,
        row.finished_at,
    )


def _stored_answers(stored: str) -> Any:
    try:
        return json.loads(stored or "{}")
    except json.JSONDecodeError:
        return None


def _merge_agreements(s: Session, incoming: list[_Incoming], now: datetime) -> set[str]:
    """Make each listed client's agreements exactly the file's, matched by id, with
    their commitments, stored PDFs and links; returns the uids of clients whose
    agreements changed. Runs after every client, touch, follow-up and incident is
    in place, so links by id resolve."""
    wanted = [inc for inc in incoming if inc.agreements is not None]
    clients = _clients_by_uid(s, [inc.uid for inc in wanted])
    fu_ids = dict(s.execute(select(FollowUp.uid, FollowUp.id)).all())
    inc_ids = dict(s.execute(select(Incident.uid, Incident.id)).all())
    all_uids = [a.uid for inc in wanted for a in inc.agreements or []]
    rows: dict[str, Agreement] = {}
    for start in range(0, len(all_uids), _SQL_CHUNK):
        chunk = all_uids[start : start + _SQL_CHUNK]
        for r in s.scalars(
            select(Agreement)
            .where(Agreement.uid.in_(chunk))
            .options(undefer(Agreement.pdf), selectinload(Agreement.commitments))
        ):
            rows[r.uid] = r
    ids_to_uid = dict(s.execute(select(Agreement.id, Agreement.uid)).all())
    changed: set[str] = set()
    keep = set(all_uids)
    for inc in wanted:
        client = clients[inc.uid]
        for r in s.scalars(select(Agreement).where(Agreement.client_id == client.id)):
            if r.uid not in keep:
                s.delete(r)
                changed.add(inc.uid)
    s.flush()
    placed: list[tuple[Agreement, _IncomingAgreement]] = []
    for inc in wanted:
        client = clients[inc.uid]
        for ia in inc.agreements or []:
            row = rows.get(ia.uid)
            values = _agreement_values(ia, fu_ids, inc_ids)
            if (
                row is not None
                and row.client_id == client.id
                and _row_values(row, ids_to_uid) == values
                and (ia.created_at is None or row.created_at == ia.created_at)
            ):
                placed.append((row, ia))
                continue
            changed.add(inc.uid)
            if row is None:
                row = Agreement(uid=ia.uid, client_id=client.id, created_at=ia.created_at or now)
                s.add(row)
            row.client_id = client.id
            if ia.created_at is not None:
                row.created_at = ia.created_at
            (
                row.number,
                row.version,
                row.title,
                row.dated,
                row.status,
                row.incident_id,
                row.context,
                row.points,
                row.review_on,
                row.review_follow_up_id,
                row.finalised_at,
                row.pdf,
                row.pdf_sha256,
            ) = values[:13]
            row.updated_at = ia.updated_at or now
            _replace_commitments(s, row, ia, fu_ids)
            placed.append((row, ia))
    try:
        s.flush()
    except IntegrityError as exc:
        raise BookFormatError(f"The book refused an agreement of this file ({exc.orig}).") from exc
    by_uid = {row.uid: row for row, _ in placed}
    for row, ia in placed:
        target = by_uid[ia.supersedes_uid].id if ia.supersedes_uid else None
        if row.supersedes_id != target:
            row.supersedes_id = target
    return changed


def _agreement_values(
    ia: _IncomingAgreement, fu_ids: dict[str, int], inc_ids: dict[str, int]
) -> tuple[Any, ...]:
    return (
        ia.number,
        ia.version,
        ia.title,
        ia.dated,
        ia.status,
        inc_ids[ia.incident_uid] if ia.incident_uid else None,
        ia.context,
        ia.points,
        ia.review_on,
        fu_ids[ia.review_follow_up_uid] if ia.review_follow_up_uid else None,
        ia.finalised_at,
        ia.pdf,
        ia.pdf_sha256,
        ia.supersedes_uid,
        ia.updated_at,
        [
            (c.uid, c.side, c.position, c.text, c.due_on, c.state)
            + (fu_ids[c.follow_up_uid] if c.follow_up_uid else None,)
            for c in ia.commitments
        ],
    )


def _row_values(row: Agreement, ids_to_uid: dict[int, str]) -> tuple[Any, ...]:
    side_order = {Side.OURS: 0, Side.THEIRS: 1}
    return (
        row.number,
        row.version,
        row.title,
        row.dated,
        AgreementStatus(row.status),
        row.incident_id,
        row.context,
        row.points,
        row.review_on,
        row.review_follow_up_id,
        row.finalised_at,
        row.pdf,
        row.pdf_sha256,
        ids_to_uid.get(row.supersedes_id) if row.supersedes_id is not None else None,
        row.updated_at,
        [
            (c.uid, Side(c.side), c.position, c.text, c.due_on, CommitmentState(c.state))
            + (c.follow_up_id,)
            for c in sorted(
                row.commitments, key=lambda c: (side_order[Side(c.side)], c.position, c.uid)
            )
        ],
    )


def _replace_commitments(
    s: Session, row: Agreement, ia: _IncomingAgreement, fu_ids: dict[str, int]
) -> None:
    """The agreement's commitments exactly the file's, matched by id."""
    uids = [c.uid for c in ia.commitments]
    existing = {c.uid: c for c in row.commitments}
    for start in range(0, len(uids), _SQL_CHUNK):
        chunk = uids[start : start + _SQL_CHUNK]
        for c in s.scalars(select(Commitment).where(Commitment.uid.in_(chunk))):
            existing[c.uid] = c
    keep = set(uids)
    for uid, c in list(existing.items()):
        if uid not in keep:
            if c in row.commitments:
                row.commitments.remove(c)
            else:
                s.delete(c)
            del existing[uid]
    for ic in ia.commitments:
        c = existing.get(ic.uid)
        if c is None:
            c = Commitment(uid=ic.uid)
        if c not in row.commitments:
            row.commitments.append(c)
        c.side, c.position, c.text, c.due_on, c.state = (
            ic.side,
            ic.position,
            ic.text,
            ic.due_on,
            ic.state,
        )
        c.follow_up_id = fu_ids[ic.follow_up_uid] if ic.follow_up_uid else None


def _stored_file_ids(s: Session, needed: dict[str, _NeededFile], now: datetime) -> dict[str, int]:
    """The stored_file row of every needed hash, made for those the book lacks
    (their files were copied in before this transaction began)."""
    ids: dict[str, int] = {}
    shas = sorted(needed)
    for start in range(0, len(shas), _SQL_CHUNK):
        chunk = shas[start : start + _SQL_CHUNK]
        for sha, fid in s.execute(
            select(StoredFile.sha256, StoredFile.id).where(StoredFile.sha256.in_(chunk))
        ):
            ids[sha] = fid
    for sha in shas:
        if sha not in ids:
            row = StoredFile(sha256=sha, size=needed[sha].size, created_at=now)
            s.add(row)
            s.flush()
            ids[sha] = row.id
    return ids


def _replace_incidents(
    s: Session, client: Client, inc: _Incoming, file_ids: dict[str, int], now: datetime
) -> set[int]:
    """Make the client's incidents, their timelines and evidence exactly the file's,
    matched by id, as _replace_history does for touches; returns the clients an
    incident moved away from (their priority changes too)."""
    uids = [i.uid for i in inc.incidents]
    rows = {r.uid: r for r in _rows_for(s, Incident, client.id, uids)}
    keep = set(uids)
    for uid, row in rows.items():
        if uid not in keep:
            s.delete(row)  # its timeline and evidence rows go with it (ON DELETE CASCADE)
    s.flush()
    promise_ids: dict[str, int] = {
        uid: fid
        for uid, fid in s.execute(
            select(FollowUp.uid, FollowUp.id).where(FollowUp.client_id == client.id)
        )
    }
    left: set[int] = set()
    placed: list[tuple[Incident, _IncomingIncident]] = []
    for ii in inc.incidents:
        row = rows.get(ii.uid)
        if row is None:
            row = Incident(uid=ii.uid, client_id=client.id)
            s.add(row)
        elif row.client_id != client.id:
            left.add(row.client_id)
            row.client_id = client.id
        row.title, row.category, row.severity, row.status = (
            ii.title,
            ii.category,
            ii.severity,
            ii.status,
        )
        for key in INCIDENT_TEXTS:
            setattr(row, key, ii.texts[key])
        row.opened_at = ii.opened_at
        row.acknowledged_at = ii.acknowledged_at
        row.closed_at = ii.closed_at
        row.response_due_at = ii.response_due_at
        row.responded_at = ii.responded_at
        row.promise_follow_up_id = promise_ids[ii.promise_uid] if ii.promise_uid else None
        row.updated_at = ii.updated_at or now
        placed.append((row, ii))
    s.flush()  # new incidents get their row ids, which entries and evidence point at
    for row, ii in placed:
        _replace_entries(s, row.id, ii.timeline, now)
        _replace_evidence(s, row.id, ii.evidence, file_ids, now)
    return left


def _children(
    s: Session, entity: type[_Child], incident_id: int, uids: list[str]
) -> dict[str, _Child]:
    """An incident's entries (or evidence), and any elsewhere that has one of ``uids``."""
    rows = {r.uid: r for r in s.scalars(select(entity).where(entity.incident_id == incident_id))}
    for start in range(0, len(uids), _SQL_CHUNK):
        chunk = uids[start : start + _SQL_CHUNK]
        for r in s.scalars(select(entity).where(entity.uid.in_(chunk))):
            rows[r.uid] = r
    keep = set(uids)
    for uid, r in list(rows.items()):
        if uid not in keep:
            s.delete(r)
            del rows[uid]
    s.flush()
    return rows


def _replace_entries(
    s: Session, incident_id: int, entries: list[_IncomingEntry], now: datetime
) -> None:
    rows = _children(s, IncidentEntry, incident_id, [e.uid for e in entries])
    for e in entries:
        row = rows.get(e.uid)
        if row is None:
            row = IncidentEntry(uid=e.uid, incident_id=incident_id, created_at=e.created_at or now)
            s.add(row)
        else:
            row.incident_id = incident_id
            if e.created_at is not None:
                row.created_at = e.created_at
        row.kind, row.happened_at, row.text, row.edited_at = (
            e.kind,
            e.happened_at,
            e.text,
            e.edited_at,
        )


def _replace_evidence(
    s: Session,
    incident_id: int,
    evidence: list[_IncomingEvidence],
    file_ids: dict[str, int],
    now: datetime,
) -> None:
    rows = _children(s, Evidence, incident_id, [e.uid for e in evidence])
    for e in evidence:
        row = rows.get(e.uid)
        if row is None:
            row = Evidence(uid=e.uid, incident_id=incident_id, added_at=e.added_at or now)
            s.add(row)
        else:
            row.incident_id = incident_id
            if e.added_at is not None:
                row.added_at = e.added_at
        row.file_id = file_ids[e.sha256]
        row.original_name = e.name


def _refresh_priority(s: Session, client_ids: set[int]) -> None:
    """Each client's priority window from its incidents as they now stand, by the
    rule the incident services apply: the file's ``priority_until`` is not trusted."""
    ids = sorted(client_ids)
    for start in range(0, len(ids), _SQL_CHUNK):
        chunk = ids[start : start + _SQL_CHUNK]
        for client in s.scalars(select(Client).where(Client.id.in_(chunk))):
            recompute_priority(s, client)


def _clients_by_uid(s: Session, uids: list[str]) -> dict[str, Client]:
    found: dict[str, Client] = {}
    for start in range(0, len(uids), _SQL_CHUNK):
        chunk = uids[start : start + _SQL_CHUNK]
        for c in s.scalars(
            select(Client)
            .where(Client.uid.in_(chunk))
            .options(selectinload(Client.contacts), selectinload(Client.tags))
        ):
            found[c.uid] = c
    return found


@dataclass
class _History:
    touches: list[Touch] = field(default_factory=list)
    follow_ups: list[FollowUp] = field(default_factory=list)
    touch_uids: dict[int, str] = field(default_factory=dict)
    incidents: list[Incident] = field(default_factory=list)
    entries: dict[int, list[IncidentEntry]] = field(default_factory=dict)
    # Per incident id: (evidence row, its file's sha256, its size).
    evidence: dict[int, list[tuple[Evidence, str, int]]] = field(default_factory=dict)


def _history(s: Session, client_ids: list[int]) -> dict[int, _History]:
    """The touches and follow-ups the book holds for these clients, for comparing."""
    found: dict[int, _History] = {}
    for start in range(0, len(client_ids), _SQL_CHUNK):
        chunk = client_ids[start : start + _SQL_CHUNK]
        for t in s.scalars(select(Touch).where(Touch.client_id.in_(chunk))):
            h = found.setdefault(t.client_id, _History())
            h.touches.append(t)
            h.touch_uids[t.id] = t.uid
        for fu in s.scalars(select(FollowUp).where(FollowUp.client_id.in_(chunk))):
            found.setdefault(fu.client_id, _History()).follow_ups.append(fu)
        owner: dict[int, _History] = {}
        for inc in s.scalars(select(Incident).where(Incident.client_id.in_(chunk))):
            h = found.setdefault(inc.client_id, _History())
            h.incidents.append(inc)
            owner[inc.id] = h
        for e in s.scalars(
            select(IncidentEntry)
            .join(Incident, Incident.id == IncidentEntry.incident_id)
            .where(Incident.client_id.in_(chunk))
        ):
            owner[e.incident_id].entries.setdefault(e.incident_id, []).append(e)
        for ev, sha, size in s.execute(
            select(Evidence, StoredFile.sha256, StoredFile.size)
            .join(StoredFile, StoredFile.id == Evidence.file_id)
            .join(Incident, Incident.id == Evidence.incident_id)
            .where(Incident.client_id.in_(chunk))
        ):
            owner[ev.incident_id].evidence.setdefault(ev.incident_id, []).append((ev, sha, size))
    return found


def _replace_history(s: Session, client: Client, inc: _Incoming, now: datetime) -> set[int]:
    """Make the client's touches and follow-ups exactly the file's, matched by id.

    A row the file lists under this client but the book keeps under another moves
    here; the ids of the clients it left are returned, as their dates change too.
    """
    touch_uids = [t.uid for t in inc.touches]
    fu_uids = [f.uid for f in inc.follow_ups]
    touches = {t.uid: t for t in _rows_for(s, Touch, client.id, touch_uids)}
    follow_ups = {f.uid: f for f in _rows_for(s, FollowUp, client.id, fu_uids)}
    # Follow-ups first, so none is left pointing at a touch about to go.
    keep_fu, keep_touch = set(fu_uids), set(touch_uids)
    for uid, fu in follow_ups.items():
        if uid not in keep_fu:
            s.delete(fu)
    for uid, t in touches.items():
        if uid not in keep_touch:
            s.delete(t)
    s.flush()

    left: set[int] = set()
    placed: dict[str, Touch] = {}
    for it in inc.touches:
        row = _place(s, Touch, touches, it.uid, it.created_at, client.id, now, left)
        row.happened_at = it.happened_at
        row.channel = it.channel
        row.summary = it.summary
        row.next_step = it.next_step
        placed[it.uid] = row
    s.flush()  # new touches get their row ids, which follow-ups point at

    for ifu in inc.follow_ups:
        fu = _place(s, FollowUp, follow_ups, ifu.uid, ifu.created_at, client.id, now, left)
        fu.kind = ifu.kind
        fu.title = ifu.title
        fu.note = ifu.note
        fu.due_on = ifu.due_on
        fu.original_due_on = ifu.original_due_on
        fu.done_at = ifu.done_at
        fu.touch_id = placed[ifu.touch_uid].id if ifu.touch_uid is not None else None
    return left


_Row = TypeVar("_Row", Touch, FollowUp, Incident, IncidentEntry)
_Child = TypeVar("_Child", IncidentEntry, Evidence)


def _place(
    s: Session,
    entity: type[_Row],
    rows: dict[str, _Row],
    uid: str,
    created_at: datetime | None,
    client_id: int,
    now: datetime,
    left: set[int],
) -> _Row:
    """The row with ``uid`` filed under ``client_id``: the book's own, moved here from
    another client if need be (that client's id goes into ``left``), or a new one.
    A file without ``created_at`` keeps the book's, or says "now" for a new row."""
    row = rows.get(uid)
    if row is None:
        row = entity(uid=uid, client_id=client_id, created_at=created_at or now)
        s.add(row)
        return row
    if row.client_id != client_id:
        left.add(row.client_id)
        row.client_id = client_id
    if created_at is not None:
        row.created_at = created_at
    return row


def _rows_for(s: Session, entity: type[_Row], client_id: int, uids: list[str]) -> list[_Row]:
    """The client's rows, and any row elsewhere in the book that has one of ``uids``."""
    rows = {r.uid: r for r in s.scalars(select(entity).where(entity.client_id == client_id))}
    for start in range(0, len(uids), _SQL_CHUNK):
        chunk = uids[start : start + _SQL_CHUNK]
        for r in s.scalars(select(entity).where(entity.uid.in_(chunk))):
            rows[r.uid] = r
    return list(rows.values())


def _refresh_touch_dates(s: Session, client_ids: set[int]) -> None:
    """Set each client's latest touch day and next due date as logging its touches
    one by one would have: the latest day any touch happened on, in the user's own
    time zone, then the due rule."""
    ids = sorted(client_ids)
    for start in range(0, len(ids), _SQL_CHUNK):
        chunk = ids[start : start + _SQL_CHUNK]
        latest: dict[int, date] = {}
        for cid, happened_at in s.execute(
            select(Touch.client_id, Touch.happened_at).where(Touch.client_id.in_(chunk))
        ):
            latest[cid] = later_touch(latest.get(cid), local_date(happened_at))
        for client in s.scalars(select(Client).where(Client.id.in_(chunk))):
            client.last_touch_on = latest.get(client.id)
            recompute_touch_due(client)


def _unchanged(c: Client, inc: _Incoming, history: _History | None) -> bool:
    """Would importing ``inc`` change nothing? Tag names compare without case, as
    tags are shared book-wide and an import reuses "VIP" for "vip"."""
    d = inc.data
    h = history or _History()

    def points(kind: ContactKind) -> list[tuple[str, str]]:
        ps = sorted((p for p in c.contacts if p.kind == kind), key=lambda p: p.position)
        return [(p.value, p.label) for p in ps]

    return (
        c.name == d.name
        and c.organisation == d.organisation
        and c.role == d.role
        and c.notes == d.notes
        and ClientStatus(c.status) == d.status
        and points(ContactKind.EMAIL) == [(e.value, e.label) for e in d.emails]
        and points(ContactKind.PHONE) == [(p.value, p.label) for p in d.phones]
        and sorted(t.name.casefold() for t in c.tags) == sorted(t.casefold() for t in d.tags)
        and c.cadence_days == d.cadence_days
        and c.archived_at == inc.archived_at
        and (inc.created_at is None or c.created_at == inc.created_at)
        and (inc.updated_at is None or c.updated_at == inc.updated_at)
        and _same_touches(h.touches, inc.touches)
        and _same_follow_ups(h.follow_ups, inc.follow_ups, h.touch_uids)
        and _same_incidents(h, inc.incidents)
    )


_In = TypeVar("_In", _IncomingTouch, _IncomingFollowUp, _IncomingEntry)


def _same_rows(
    rows: list[_Row],
    incoming: list[_In],
    row_values: Callable[[_Row], tuple[Any, ...]],
    incoming_values: Callable[[_In], tuple[Any, ...]],
) -> bool:
    """Are ``rows`` exactly the file's entries, matched by id? A file without
    ``created_at`` accepts whatever the book has."""
    if len(rows) != len(incoming):
        return False
    by_uid = {r.uid: r for r in rows}
    for inc in incoming:
        row = by_uid.get(inc.uid)
        if row is None or row_values(row) != incoming_values(inc):
            return False
        if inc.created_at is not None and row.created_at != inc.created_at:
            return False
    return True


def _same_touches(rows: list[Touch], incoming: list[_IncomingTouch]) -> bool:
    return _same_rows(
        rows,
        incoming,
        lambda t: (t.happened_at, Channel(t.channel), t.summary, t.next_step),
        lambda it: (it.happened_at, it.channel, it.summary, it.next_step),
    )


def _same_follow_ups(
    rows: list[FollowUp], incoming: list[_IncomingFollowUp], touch_uids: dict[int, str]
) -> bool:
    return _same_rows(
        rows,
        incoming,
        lambda fu: (
            FollowUpKind(fu.kind),
            fu.title,
            fu.note,
            fu.due_on,
            fu.original_due_on,
            fu.done_at,
            touch_uids.get(fu.touch_id) if fu.touch_id is not None else None,
        ),
        lambda ifu: (
            ifu.kind,
            ifu.title,
            ifu.note,
            ifu.due_on,
            ifu.original_due_on,
            ifu.done_at,
            ifu.touch_uid,
        ),
    )


def _same_incidents(h: _History, incoming: list[_IncomingIncident]) -> bool:
    """Are the client's incidents exactly the file's, timelines and evidence too?
    ``priority_until`` is not compared: it follows from these."""
    if len(h.incidents) != len(incoming):
        return False
    fu_uids = {fu.id: fu.uid for fu in h.follow_ups}
    by_uid = {r.uid: r for r in h.incidents}
    for ii in incoming:
        r = by_uid.get(ii.uid)
        if r is None:
            return False
        ours = (
            r.title,
            IncidentCategory(r.category),
            Severity(r.severity),
            IncidentStatus(r.status),
            {k: getattr(r, k) for k in INCIDENT_TEXTS},
            r.opened_at,
            r.acknowledged_at,
            r.closed_at,
            r.response_due_at,
            r.responded_at,
            fu_uids.get(r.promise_follow_up_id) if r.promise_follow_up_id is not None else None,
        )
        theirs = (
            ii.title,
            ii.category,
            ii.severity,
            ii.status,
            ii.texts,
            ii.opened_at,
            ii.acknowledged_at,
            ii.closed_at,
            ii.response_due_at,
            ii.responded_at,
            ii.promise_uid,
        )
        if ours != theirs or (ii.updated_at is not None and r.updated_at != ii.updated_at):
            return False
        if not _same_rows(
            h.entries.get(r.id, []),
            ii.timeline,
            lambda e: (EntryKind(e.kind), e.happened_at, e.text, e.edited_at),
            lambda ie: (ie.kind, ie.happened_at, ie.text, ie.edited_at),
        ):
            return False
        files = {
            ev.uid: (ev.original_name, sha, size, ev.added_at)
            for ev, sha, size in h.evidence.get(r.id, [])
        }
        wanted = {
            e.uid: (
                e.name,
                e.sha256,
                e.size,
                e.added_at if e.added_at is not None else files.get(e.uid, (None,) * 4)[3],
            )
            for e in ii.evidence
        }
        if files != wanted:
            return False
    return True
