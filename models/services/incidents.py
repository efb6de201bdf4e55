"""Incident use cases: open (with a response promise), move through its statuses,
keep a timeline, attach evidence files, and keep the client's priority window.

Evidence files are copied into the book's attachments folder under their SHA-256
before the row that points to them is committed, so a crash can leave an unused
file behind but never a row that points to nothing.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.agreements import live_entry
from models.db import Book
from models.entities import (
    Agreement,
    AgreementStatus,
    Client,
    EntryKind,
    Evidence,
    FollowUp,
    FollowUpKind,
    Incident,
    IncidentCategory,
    IncidentEntry,
    IncidentStatus,
    Severity,
    StoredFile,
    Touch,
    new_uid,
)
from models.errors import RapportError
from models.files import temp_prefix
from models.incidents import (
    ACTIVE_STATUSES,
    DEFAULT_PROMISE_HOURS,
    IncidentFacts,
    move_problem,
    priority_until,
    promise_breach,
)
from models.limits import LINE_CONTROL, text_problem
from models.services.bulk import SQL_CHUNK, insert_rows, update_rows
from models.services.clients import (
    NotFoundError,
    ValidationError,
    client_or_error,
    local_date,
)
from models.services.reminders import NewFollowUp, add_follow_ups_in
from models.services.work_settings import read_working_week
from models.types import utcnow
from models.working_time import due_after_local

TITLE_MAX = 300
TEXT_MAX = 20_000
NAME_MAX = 255
LARGE_FILE_BYTES = 100 * 1024 * 1024  # the UI asks before attaching more than this
_CHUNK = 1024 * 1024
_CONTROL = re.compile(LINE_CONTROL)  # what a file name drops: the one rule of models/limits.py


class EvidenceError(RapportError):
    pass


@dataclass
class IncidentInput:
    title: str
    category: IncidentCategory
    severity: Severity
    client_view: str = ""
    our_view: str = ""
    our_mistakes: str = ""
    client_contribution: str = ""


@dataclass(frozen=True)
class IncidentRow:
    id: int
    uid: str
    client_id: int
    client_name: str
    title: str
    category: IncidentCategory
    severity: Severity
    status: IncidentStatus
    opened_at: datetime
    acknowledged_at: datetime | None
    closed_at: datetime | None
    response_due_at: datetime | None
    responded_at: datetime | None
    breach: timedelta | None  # how late the promised answer is (or was); None if on time


@dataclass(frozen=True)
class IncidentDetail:
    row: IncidentRow
    client_view: str
    our_view: str
    our_mistakes: str
    client_contribution: str

    def as_input(self) -> IncidentInput:
        r = self.row
        return IncidentInput(
            r.title,
            r.category,
            r.severity,
            self.client_view,
            self.our_view,
            self.our_mistakes,
            self.client_contribution,
        )


@dataclass(frozen=True)
class TimelineRow:
    """An incident entry, or a touch logged with the client while it was open."""

    happened_at: datetime
    kind: str  # an EntryKind value, or "touch:<channel>"
    text: str
    entry_id: int | None = None
    touch_id: int | None = None
    edited_at: datetime | None = None


@dataclass(frozen=True)
class EvidenceRow:
    id: int
    incident_id: int
    name: str
    size: int
    sha256: str
    added_at: datetime
    path: Path


def validate_incident(data: IncidentInput) -> dict[str, str]:
    errors: dict[str, str] = {}
    title = " ".join(data.title.split())
    if not title:
        errors["title"] = "Give the incident a short title, e.g. “Invoice 42 disputed”."
    elif len(title) > TITLE_MAX:
        errors["title"] = f"Keep the title under {TITLE_MAX} characters."
    elif problem := text_problem(title, multiline=False):
        errors["title"] = problem
    for name in ("client_view", "our_view", "our_mistakes", "client_contribution"):
        if len(getattr(data, name)) > TEXT_MAX:
            errors[name] = f"This can be at most {TEXT_MAX} characters."
        elif problem := text_problem(getattr(data, name)):
            errors[name] = problem
    return errors


def _checked(data: IncidentInput) -> IncidentInput:
    errors = validate_incident(data)
    if errors:
        raise ValidationError(errors)
    return IncidentInput(
        " ".join(data.title.split()),
        IncidentCategory(data.category),
        Severity(data.severity),
        data.client_view,
        data.our_view,
        data.our_mistakes,
        data.client_contribution,
    )


def open_incident(
    book: Book,
    client_id: int,
    data: IncidentInput,
    *,
    promise_hours: float | None = DEFAULT_PROMISE_HOURS,
    now: datetime | None = None,
) -> int:
    """Record what went wrong; a promised full answer becomes a follow-up so it shows
    in Today and the tray like every other promise."""
    d = _checked(data)
    now = now or utcnow()
    with book.session() as s:
        client = client_or_error(s, client_id)
        row = NewIncident(
            client.id,
            d.title,
            d.category,
            d.severity,
            opened_at=now,
            updated_at=now,
            client_view=d.client_view,
            our_view=d.our_view,
            our_mistakes=d.our_mistakes,
            client_contribution=d.client_contribution,
        )
        (incident_id,) = add_incidents_in(s, [row])
        inc = _incident(s, incident_id)
        if promise_hours is not None:
            # Counted in working time: a promise made on Friday afternoon is not due
            # on Saturday, and never at night.
            due = due_after_local(now, promise_hours, read_working_week(s))
            _set_promise(s, inc, due, now)
        _recompute_priority(s, client)
        return inc.id


def update_incident(
    book: Book, incident_id: int, data: IncidentInput, *, now: datetime | None = None
) -> None:
    d = _checked(data)
    with book.session() as s:
        inc = _incident(s, incident_id)
        inc.title, inc.category, inc.severity = d.title, d.category, d.severity
        inc.client_view, inc.our_view = d.client_view, d.our_view
        inc.our_mistakes, inc.client_contribution = d.our_mistakes, d.client_contribution
        inc.updated_at = now or utcnow()
        if inc.promise_follow_up_id is not None:
            fu = s.get(FollowUp, inc.promise_follow_up_id)
            if fu is not None:
                fu.title = _promise_title(inc.title)
        _recompute_priority(s, client_or_error(s, inc.client_id))


def set_status(
    book: Book, incident_id: int, status: IncidentStatus, *, now: datetime | None = None
) -> None:
    """Move an incident along open → acknowledged → repairing → resolved | lost."""
    now = now or utcnow()
    status = IncidentStatus(status)
    with book.session() as s:
        inc = _incident(s, incident_id)
        problem = move_problem(inc.status, status)
        if problem:
            raise ValidationError({"status": problem})
        inc.status = status
        if status is IncidentStatus.ACKNOWLEDGED and inc.acknowledged_at is None:
            inc.acknowledged_at = now
        if status in (IncidentStatus.RESOLVED, IncidentStatus.LOST):
            inc.closed_at = now
            _settle_promise(s, inc, now)
        elif status in ACTIVE_STATUSES:
            inc.closed_at = None
        inc.updated_at = now
        _recompute_priority(s, client_or_error(s, inc.client_id))


def set_promise(
    book: Book, incident_id: int, due_at: datetime | None, *, now: datetime | None = None
) -> None:
    """Promise (or re-promise) a full answer by ``due_at``; None withdraws it."""
    now = now or utcnow()
    with book.session() as s:
        inc = _incident(s, incident_id)
        if due_at is None:
            inc.response_due_at = None
            if inc.promise_follow_up_id is not None:
                fu = s.get(FollowUp, inc.promise_follow_up_id)
                if fu is not None and fu.done_at is None:
                    s.delete(fu)
                inc.promise_follow_up_id = None
        else:
            _set_promise(s, inc, due_at, now)
        inc.updated_at = now


def record_response(book: Book, incident_id: int, *, now: datetime | None = None) -> None:
    """The full answer was given: the promise is settled (kept, or broken by how much)."""
    now = now or utcnow()
    with book.session() as s:
        inc = _incident(s, incident_id)
        if inc.responded_at is None:
            inc.responded_at = now
        _settle_promise(s, inc, now)
        if inc.status is IncidentStatus.OPEN:
            inc.status = IncidentStatus.ACKNOWLEDGED
            inc.acknowledged_at = inc.acknowledged_at or now
        inc.updated_at = now


def _promise_title(title: str) -> str:
    return f"Full answer promised: {title}"[:TITLE_MAX]


def _set_promise(s: Session, inc: Incident, due_at: datetime, now: datetime) -> None:
    inc.response_due_at = due_at
    day = local_date(due_at)
    fu = s.get(FollowUp, inc.promise_follow_up_id) if inc.promise_follow_up_id else None
    if fu is None:
        promise = NewFollowUp(
            inc.client_id, FollowUpKind.RESPONSE_PROMISE, _promise_title(inc.title), day, now
        )
        (inc.promise_follow_up_id,) = add_follow_ups_in(s, [promise])
    else:
        fu.due_on = day
        fu.done_at = None


def _settle_promise(s: Session, inc: Incident, now: datetime) -> None:
    if inc.promise_follow_up_id is not None:
        fu = s.get(FollowUp, inc.promise_follow_up_id)
        if fu is not None and fu.done_at is None:
            fu.done_at = now


def _facts(inc: Incident) -> IncidentFacts:
    return IncidentFacts(
        severity=inc.severity,
        status=inc.status,
        closed_on=local_date(inc.closed_at) if inc.closed_at else None,
        response_due_at=inc.response_due_at,
        responded_at=inc.responded_at,
        category=inc.category,
        title=inc.title,
        opened_on=local_date(inc.opened_at),
    )


def _recompute_priority(s: Session, client: Client) -> None:
    s.flush()
    incidents = s.scalars(select(Incident).where(Incident.client_id == client.id))
    client.priority_until = priority_until(_facts(i) for i in incidents)


# --- timeline -----------------------------------------------------------------


def _entry_text(text: str) -> str:
    """A timeline entry's text as stored, or a ValidationError saying why not: the
    same rules for a new entry and an edited one."""
    text = text.strip()
    if not text:
        raise ValidationError({"text": "Write what happened."})
    if len(text) > TEXT_MAX:
        raise ValidationError({"text": f"Keep an entry under {TEXT_MAX} characters."})
    if problem := text_problem(text):
        raise ValidationError({"text": problem})
    return text


def add_entry(
    book: Book,
    incident_id: int,
    kind: EntryKind,
    text: str,
    *,
    happened_at: datetime | None = None,
    now: datetime | None = None,
) -> int:
    now = now or utcnow()
    text = _entry_text(text)
    with book.session() as s:
        _incident(s, incident_id)
        entry = NewEntry(incident_id, EntryKind(kind), text, happened_at or now, now)
        (entry_id,) = add_entries_in(s, [entry])
        return entry_id


def edit_entry(
    book: Book,
    entry_id: int,
    text: str,
    *,
    happened_at: datetime | None = None,
    kind: EntryKind | None = None,
    now: datetime | None = None,
) -> None:
    """Change an entry; the edit time is kept so the record stays honest."""
    text = _entry_text(text)
    with book.session() as s:
        entry = s.get(IncidentEntry, entry_id)
        if entry is None:
            raise NotFoundError(f"There is no timeline entry with id {entry_id}.")
        entry.text = text
        if happened_at is not None:
            entry.happened_at = happened_at
        if kind is not None:
            entry.kind = EntryKind(kind)
        entry.edited_at = now or utcnow()


def delete_entry(book: Book, entry_id: int) -> None:
    with book.session() as s:
        entry = s.get(IncidentEntry, entry_id)
        if entry is not None:
            s.delete(entry)


def agreement_states(s: Session, incident_id: int) -> dict[str, tuple[int, AgreementStatus]]:
    """Each agreement number linked to the incident, with its newest version and that
    version's status: what the timeline says about it today (``live_entry``)."""
    out: dict[str, tuple[int, AgreementStatus]] = {}
    rows = s.execute(
        select(Agreement.number, Agreement.version, Agreement.status)
        .where(Agreement.incident_id == incident_id)
        .order_by(Agreement.number, Agreement.version)
    )
    for number, version, status in rows:
        out[number] = (version, status)
    return out


def timeline(book: Book, incident_id: int, *, now: datetime | None = None) -> list[TimelineRow]:
    """Entries and the client's touches while the incident was open, newest first."""
    now = now or utcnow()
    with book.reader() as s:
        inc = _incident(s, incident_id)
        current = agreement_states(s, inc.id)
        rows = [
            TimelineRow(
                e.happened_at,
                e.kind.value,
                live_entry(e.text, current),
                entry_id=e.id,
                edited_at=e.edited_at,
            )
            for e in s.scalars(select(IncidentEntry).where(IncidentEntry.incident_id == inc.id))
        ]
        end = inc.closed_at or now
        for t in s.scalars(
            select(Touch).where(
                Touch.client_id == inc.client_id,
                Touch.happened_at >= inc.opened_at,
                Touch.happened_at <= end,
            )
        ):
            text = t.summary or "(no summary)"
            if t.next_step:
                text += f"\nNext step: {t.next_step}"
            rows.append(TimelineRow(t.happened_at, f"touch:{t.channel.value}", text, touch_id=t.id))
    rows.sort(key=lambda r: (r.happened_at, r.entry_id or 0, r.touch_id or 0), reverse=True)
    return rows


# --- evidence -----------------------------------------------------------------


def display_name(name: str) -> str:
    """A file name safe to store and show: no folders, no control characters,
    at most 255 characters with the extension kept."""
    base = re.split(r"[\\/]", name)[-1]
    base = _CONTROL.sub("", base).strip().lstrip(".") or "file"
    if base in ("", ".", ".."):
        base = "file"
    if len(base) > NAME_MAX:
        stem, dot, ext = base.rpartition(".")
        if dot and 0 < len(ext) <= 16:
            base = stem[: NAME_MAX - len(ext) - 2] + "…." + ext
        else:
            base = base[: NAME_MAX - 1] + "…"
    return base


def stored_path(book: Book, sha256: str) -> Path:
    return book.attachments_dir / sha256[:2] / sha256


def _copy_in(book: Book, source: Path) -> tuple[str, int]:
    """Copy ``source`` into the attachments folder under its hash; returns (sha, size).

    The copy and the hash are made in one read, into a temp file beside its final
    name, synced, then renamed; a file already stored is not written again.
    """
    try:
        src = open(source, "rb")  # noqa: SIM115 - closed below, errors explained
    except FileNotFoundError as exc:
        raise EvidenceError(f"“{source.name}” was not found; nothing was attached.") from exc
    except IsADirectoryError as exc:
        raise EvidenceError(f"“{source.name}” is a folder; attach files one by one.") from exc
    except OSError as exc:
        raise EvidenceError(
            f"“{source.name}” could not be read ({exc.strerror}); nothing was attached."
        ) from exc
    folder = book.attachments_dir
    digest = hashlib.sha256()
    size = 0
    fd, tmp_name = tempfile.mkstemp(prefix=temp_prefix("incoming"), suffix=".part", dir=folder)
    tmp = Path(tmp_name)
    try:
        with src, os.fdopen(fd, "wb") as out:
            while chunk := src.read(_CHUNK):
                digest.update(chunk)
                out.write(chunk)
                size += len(chunk)
            out.flush()
            os.fsync(out.fileno())
        sha = digest.hexdigest()
        final = stored_path(book, sha)
        if final.exists() and final.stat().st_size == size:
            tmp.unlink()
        else:
            final.parent.mkdir(mode=0o700, exist_ok=True)
            os.chmod(tmp, 0o600)
            os.replace(tmp, final)
        return sha, size
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise EvidenceError(
            f"“{source.name}” could not be copied into the book ({exc.strerror}); "
            "nothing was attached."
        ) from exc
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def file_digest(path: Path) -> tuple[str, int]:
    """(SHA-256, size) of a file, read in chunks without copying it: for checking
    files that claim a hash (an import's evidence) before anything is written."""
    digest = hashlib.sha256()
    size = 0
    with open(path, "rb") as fh:
        while chunk := fh.read(_CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def store_file(book: Book, source: Path) -> tuple[str, int]:
    """Copy ``source`` into the book's attachments folder as attach_file does
    (content-addressed, synced, renamed into place) and return (sha256, size).

    For callers that write the evidence rows in their own unit of work (the JSON
    import, the demo): the file is in place before any row points at it, and a
    file stored for a unit of work that then fails is only an unused copy.
    """
    return _copy_in(book, Path(source))


def set_promise_in(s: Session, inc: Incident, due_at: datetime, now: datetime) -> None:
    """``set_promise`` inside a unit of work the caller owns (the repair wizard's
    first reply sets the promise while it saves the page)."""
    _set_promise(s, inc, due_at, now)


def settle_promise_in(s: Session, inc: Incident, now: datetime) -> None:
    """Mark the promise's reminder done inside the caller's unit of work."""
    _settle_promise(s, inc, now)


def recompute_priority(s: Session, client: Client) -> None:
    """Set ``client.priority_until`` from its incidents by the rule every incident
    service applies, inside the caller's session (an import's transaction)."""
    _recompute_priority(s, client)


# --- session-level writers: one row or many, the same code for every caller ----


@dataclass(slots=True)
class NewIncident:
    """One incident for ``add_incidents_in``, as stored (a new uid when None)."""

    client_id: int
    title: str
    category: IncidentCategory
    severity: Severity
    opened_at: datetime
    updated_at: datetime
    status: IncidentStatus = IncidentStatus.OPEN
    client_view: str = ""
    our_view: str = ""
    our_mistakes: str = ""
    client_contribution: str = ""
    acknowledged_at: datetime | None = None
    closed_at: datetime | None = None
    response_due_at: datetime | None = None
    responded_at: datetime | None = None
    promise_follow_up_id: int | None = None
    uid: str | None = None


@dataclass(slots=True)
class NewEntry:
    """One timeline entry for ``add_entries_in``."""

    incident_id: int
    kind: EntryKind
    text: str
    happened_at: datetime
    created_at: datetime
    edited_at: datetime | None = None
    uid: str | None = None


@dataclass(slots=True)
class NewEvidence:
    """One evidence row for ``add_evidence_in``; its file is already stored."""

    incident_id: int
    file_id: int
    original_name: str
    added_at: datetime
    uid: str | None = None


_INCIDENT_COLUMNS = tuple(f for f in NewIncident.__dataclass_fields__ if f != "uid")


def add_incidents_in(s: Session, rows: Sequence[NewIncident]) -> list[int]:
    """Write incidents in one executemany and return their ids in order: the writer
    behind ``open_incident``, the demo and an import. The client's priority window
    is the caller's to refresh (``recompute_priority``, ``refresh_priority_in``)."""
    return insert_rows(
        s,
        Incident,
        [
            {"uid": r.uid or new_uid(), **{k: getattr(r, k) for k in _INCIDENT_COLUMNS}}
            for r in rows
        ],
    )


def add_entries_in(s: Session, rows: Sequence[NewEntry]) -> list[int]:
    """Write timeline entries in one executemany; their ids in order."""
    return insert_rows(
        s,
        IncidentEntry,
        [
            {
                "uid": r.uid or new_uid(),
                "incident_id": r.incident_id,
                "kind": r.kind,
                "text": r.text,
                "happened_at": r.happened_at,
                "created_at": r.created_at,
                "edited_at": r.edited_at,
            }
            for r in rows
        ],
    )


def add_evidence_in(s: Session, rows: Sequence[NewEvidence]) -> list[int]:
    """Write evidence rows in one executemany; their ids in order."""
    return insert_rows(
        s,
        Evidence,
        [
            {
                "uid": r.uid or new_uid(),
                "incident_id": r.incident_id,
                "file_id": r.file_id,
                "original_name": r.original_name,
                "added_at": r.added_at,
            }
            for r in rows
        ],
    )


def stored_files_in(s: Session, files: Mapping[str, int], now: datetime) -> dict[str, int]:
    """The stored_file row id of every SHA-256 in ``files`` (hash to size), made for
    those the book lacks. The files themselves must be in place already
    (``store_file``): a row never points at a file that is not there."""
    ids: dict[str, int] = {}
    shas = sorted(files)
    for start in range(0, len(shas), SQL_CHUNK):
        chunk = shas[start : start + SQL_CHUNK]
        found = select(StoredFile.sha256, StoredFile.id).where(StoredFile.sha256.in_(chunk))
        ids.update((sha, file_id) for sha, file_id in s.execute(found))
    missing = [sha for sha in shas if sha not in ids]
    rows = [{"sha256": sha, "size": files[sha], "created_at": now} for sha in missing]
    ids.update(zip(missing, insert_rows(s, StoredFile, rows), strict=True))
    return ids


def refresh_priority_in(s: Session, client_ids: Iterable[int]) -> None:
    """Each client's priority window from its incidents as they now stand, by the
    rule every incident service applies; what a writer of many incidents calls
    once, at the end."""
    ids = sorted(set(client_ids))
    s.flush()
    incident = Incident.__table__
    for start in range(0, len(ids), SQL_CHUNK):
        chunk = ids[start : start + SQL_CHUNK]
        facts: dict[int, list[IncidentFacts]] = {}
        for row in s.execute(select(incident).where(incident.c.client_id.in_(chunk))):
            facts.setdefault(row.client_id, []).append(_facts(row))  # type: ignore[arg-type]
        changes = []
        for cid, before in s.execute(
            select(Client.id, Client.priority_until).where(Client.id.in_(chunk))
        ):
            after = priority_until(facts.get(cid, []))
            if after != before:
                changes.append((cid, {"priority_until": after}))
        update_rows(s, Client, changes)


def attach_file(book: Book, incident_id: int, source: Path, *, now: datetime | None = None) -> int:
    """Attach a copy of ``source``; the same file attached twice is stored once."""
    source = Path(source)
    with book.reader() as s:
        _incident(s, incident_id)
    sha, size = _copy_in(book, source)
    now = now or utcnow()
    with book.session() as s:
        file_id = stored_files_in(s, {sha: size}, now)[sha]
        existing = s.scalars(
            select(Evidence.id).where(
                Evidence.incident_id == incident_id, Evidence.file_id == file_id
            )
        ).first()
        if existing is not None:
            return existing
        row = NewEvidence(incident_id, file_id, display_name(source.name), now)
        (evidence_id,) = add_evidence_in(s, [row])
        return evidence_id


def list_evidence(book: Book, incident_id: int) -> list[EvidenceRow]:
    with book.reader() as s:
        rows = s.execute(
            select(Evidence, StoredFile)
            .join(StoredFile, StoredFile.id == Evidence.file_id)
            .where(Evidence.incident_id == incident_id)
            .order_by(Evidence.added_at, Evidence.id)
        )
        return [
            EvidenceRow(
                e.id,
                e.incident_id,
                e.original_name,
                f.size,
                f.sha256,
                e.added_at,
                stored_path(book, f.sha256),
            )
            for e, f in rows
        ]


def viewing_copy(row: EvidenceRow, *, folder: Path | None = None) -> Path:
    """A read-only copy of an evidence file under its own name, for the system viewer.

    The stored copy is named by its hash and has no extension, so a desktop could
    not tell a PDF from a spreadsheet; and a viewer that saves changes must never
    alter the evidence. The copy lives in the user's private cache folder.
    """
    from models.paths import cache_dir, ensure_private_dir

    if not row.path.exists():
        raise EvidenceError(f"The stored copy of “{row.name}” is missing from the book's folder.")
    target_dir = ensure_private_dir((folder or cache_dir()) / "opened" / row.sha256[:16])
    target = target_dir / display_name(row.name)
    if not (target.exists() and target.stat().st_size == row.size):
        # Streamed, not read whole: evidence files may be hundreds of megabytes.
        tmp = target.with_name(target.name + ".part")
        shutil.copyfile(row.path, tmp)
        os.chmod(tmp, 0o400)
        os.replace(tmp, target)
    return target


def unlink_evidence(book: Book, evidence_id: int) -> None:
    """Detach a file from an incident. The stored copy stays: another incident or
    a backup may still refer to it, and only backup thinning knows which."""
    with book.session() as s:
        ev = s.get(Evidence, evidence_id)
        if ev is not None:
            s.delete(ev)


# --- reading ------------------------------------------------------------------


def _row(inc: Incident, client_name: str, now: datetime) -> IncidentRow:
    return IncidentRow(
        id=inc.id,
        uid=inc.uid,
        client_id=inc.client_id,
        client_name=client_name,
        title=inc.title,
        category=inc.category,
        severity=inc.severity,
        status=inc.status,
        opened_at=inc.opened_at,
        acknowledged_at=inc.acknowledged_at,
        closed_at=inc.closed_at,
        response_due_at=inc.response_due_at,
        responded_at=inc.responded_at,
        breach=promise_breach(inc.response_due_at, inc.responded_at, now),
    )


def list_incidents(
    book: Book,
    *,
    statuses: Sequence[IncidentStatus] | None = None,
    severities: Sequence[Severity] | None = None,
    breached_only: bool = False,
    client_id: int | None = None,
    now: datetime | None = None,
) -> list[IncidentRow]:
    """Incidents across the book (or one client), newest first, filtered."""
    now = now or utcnow()
    stmt = select(Incident, Client.name).join(Client, Client.id == Incident.client_id)
    if statuses:
        stmt = stmt.where(Incident.status.in_(list(statuses)))
    if severities:
        stmt = stmt.where(Incident.severity.in_(list(severities)))
    if client_id is not None:
        stmt = stmt.where(Incident.client_id == client_id)
    stmt = stmt.order_by(Incident.opened_at.desc(), Incident.id.desc())
    with book.reader() as s:
        rows = [_row(inc, name, now) for inc, name in s.execute(stmt)]
    if breached_only:
        rows = [r for r in rows if r.breach is not None]
    return rows


def get_incident(book: Book, incident_id: int, *, now: datetime | None = None) -> IncidentDetail:
    with book.reader() as s:
        inc = _incident(s, incident_id)
        name = client_or_error(s, inc.client_id).name
        return IncidentDetail(
            _row(inc, name, now or utcnow()),
            inc.client_view,
            inc.our_view,
            inc.our_mistakes,
            inc.client_contribution,
        )


def _incident(s: Session, incident_id: int) -> Incident:
    inc = s.get(Incident, incident_id)
    if inc is None:
        raise NotFoundError(f"There is no incident with id {incident_id}.")
    return inc
