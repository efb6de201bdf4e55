"""Agreement use cases: draft, edit, finalise (with its PDF), new versions,
commitment tracking, and the reads the windows list them with.

The consultant's details live in consultant.py, the agreement's follow-ups in
agreement_follow_ups.py, and what it prints in agreement_documents.py.

Each function is one transaction. Finalising renders the PDF inside that
transaction through an injected ``render`` (the printing service's, bound to
exports/pdf in the app), so a final row never exists without its bytes and hash.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from models.agreements import (
    display_number,
    edit_problem,
    move_problem,
    new_version_problem,
    next_number,
    points_from_text,
    points_to_text,
)
from models.db import Book
from models.documents import AgreementDocument
from models.entities import (
    Agreement,
    AgreementStatus,
    Client,
    Commitment,
    CommitmentState,
    FollowUp,
    Incident,
    Side,
    new_uid,
)
from models.limits import text_problem
from models.services.agreement_documents import Renderer, agreement_document
from models.services.agreement_follow_ups import close_follow_ups, sync_follow_ups
from models.services.bulk import insert_rows
from models.services.clients import NotFoundError, ValidationError, client_or_error
from models.services.consultant import details_problem, read_settings
from models.types import utcnow

TITLE_MAX = 300
TEXT_MAX = 20_000
POINTS_MAX = 200
COMMITMENTS_MAX = 200

# --- inputs and rows -------------------------------------------------------------


@dataclass(frozen=True)
class CommitmentInput:
    side: Side
    text: str
    due_on: date | None = None


@dataclass(frozen=True)
class AgreementInput:
    """What the agreement editor wants a draft to say."""

    title: str
    dated: date
    context: str = ""
    points: list[str] = field(default_factory=list)
    commitments: list[CommitmentInput] = field(default_factory=list)
    review_on: date | None = None


@dataclass(frozen=True)
class CommitmentRow:
    id: int
    side: Side
    position: int
    text: str
    due_on: date | None
    state: CommitmentState
    follow_up_id: int | None


@dataclass(frozen=True)
class AgreementRow:
    id: int
    uid: str
    client_id: int
    client_name: str
    number: str
    version: int
    title: str
    dated: date
    status: AgreementStatus
    review_on: date | None
    finalised_at: datetime | None

    @property
    def display_number(self) -> str:
        return display_number(self.number, self.version)


@dataclass(frozen=True)
class AgreementDetail:
    row: AgreementRow
    incident_id: int | None
    supersedes_id: int | None
    context: str
    points: list[str]
    commitments: list[CommitmentRow]
    pdf_sha256: str | None
    review_follow_up_id: int | None
    created_at: datetime
    updated_at: datetime

    def as_input(self) -> AgreementInput:
        return AgreementInput(
            title=self.row.title,
            dated=self.row.dated,
            context=self.context,
            points=list(self.points),
            commitments=[CommitmentInput(c.side, c.text, c.due_on) for c in self.commitments],
            review_on=self.row.review_on,
        )


# --- validation ------------------------------------------------------------------


def _clean(data: AgreementInput) -> AgreementInput:
    return AgreementInput(
        title=" ".join(data.title.split()),
        dated=data.dated,
        context=data.context.strip(),
        points=points_from_text(points_to_text(data.points)),
        commitments=[
            CommitmentInput(Side(c.side), " ".join(c.text.split()), c.due_on)
            for c in data.commitments
            if c.text.strip()
        ],
        review_on=data.review_on,
    )


def validate_agreement(data: AgreementInput) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not data.title.strip():
        errors["title"] = "Give the agreement a title."
    elif len(data.title) > TITLE_MAX:
        errors["title"] = f"Keep the title under {TITLE_MAX} characters."
    elif problem := text_problem(data.title, multiline=False):
        errors["title"] = problem
    if len(data.context) > TEXT_MAX:
        errors["context"] = f"Keep the context under {TEXT_MAX} characters."
    elif problem := text_problem(data.context):
        errors["context"] = problem
    if len(data.points) > POINTS_MAX or sum(len(p) for p in data.points) > TEXT_MAX:
        errors["points"] = "That is too many points for one agreement."
    elif problem := _first_problem(data.points, multiline=True):
        errors["points"] = problem
    if len(data.commitments) > COMMITMENTS_MAX:
        errors["commitments"] = "That is too many commitments for one agreement."
    elif any(len(c.text) > TEXT_MAX for c in data.commitments):
        errors["commitments"] = f"Keep each commitment under {TEXT_MAX} characters."
    elif problem := _first_problem((c.text for c in data.commitments), multiline=False):
        errors["commitments"] = problem
    if data.review_on is not None and data.review_on < data.dated:
        errors["review_on"] = "The review date cannot be before the agreement's date."
    return errors


def _first_problem(texts: Iterable[str], *, multiline: bool) -> str | None:
    """The control-character rule (models/limits.py) over a list: its first problem."""
    for text in texts:
        if problem := text_problem(text, multiline=multiline):
            return problem
    return None


def _checked(data: AgreementInput) -> AgreementInput:
    cleaned = _clean(data)
    errors = validate_agreement(cleaned)
    if errors:
        raise ValidationError(errors)
    return cleaned


def _apply(s: Session, ag: Agreement, data: AgreementInput) -> None:
    """Write a draft's contents. A commitment that is still there (same side and
    words) keeps its follow-up; the follow-ups of removed ones go with them, so a
    draft that already has reminders (the repair wizard's) never leaves strays."""
    ag.title = data.title
    ag.dated = data.dated
    ag.context = data.context
    ag.points = points_to_text(data.points)
    ag.review_on = data.review_on
    kept = {(c.side, c.text): c.follow_up_id for c in ag.commitments if c.follow_up_id}
    ag.commitments.clear()
    positions = {Side.OURS: 0, Side.THEIRS: 0}
    for c in data.commitments:
        ag.commitments.append(
            Commitment(
                side=c.side,
                position=positions[c.side],
                text=c.text,
                due_on=c.due_on,
                follow_up_id=kept.pop((c.side, c.text), None),
            )
        )
        positions[c.side] += 1
    for fid in kept.values():
        fu = s.get(FollowUp, fid)
        if fu is not None and fu.done_at is None:
            s.delete(fu)


# --- session-level writer: the dialog's draft, the demo's and an import's rows ---


@dataclass(slots=True)
class NewCommitment:
    """One commitment of a ``NewAgreement``, as stored."""

    side: Side
    position: int
    text: str
    due_on: date | None = None
    state: CommitmentState = CommitmentState.OPEN
    follow_up_id: int | None = None
    uid: str | None = None


@dataclass(slots=True)
class NewAgreement:
    """One agreement for ``add_agreements_in``, as stored. A final one arrives with
    its PDF and hash; ``finalise_in`` is how a draft becomes final in the book."""

    client_id: int
    number: str
    title: str
    dated: date
    created_at: datetime
    updated_at: datetime
    version: int = 1
    status: AgreementStatus = AgreementStatus.DRAFT
    incident_id: int | None = None
    supersedes_id: int | None = None
    context: str = ""
    points: str = ""
    review_on: date | None = None
    review_follow_up_id: int | None = None
    finalised_at: datetime | None = None
    pdf: bytes | None = None
    pdf_sha256: str | None = None
    commitments: tuple[NewCommitment, ...] = ()
    uid: str | None = None


_AGREEMENT_COLUMNS = tuple(
    f for f in NewAgreement.__dataclass_fields__ if f not in ("uid", "commitments")
)


def add_agreements_in(s: Session, rows: Sequence[NewAgreement]) -> list[int]:
    """Write agreements and their commitments, one executemany per table; their
    ids in order."""
    ids = insert_rows(
        s,
        Agreement,
        [
            {"uid": r.uid or new_uid(), **{k: getattr(r, k) for k in _AGREEMENT_COLUMNS}}
            for r in rows
        ],
    )
    insert_rows(
        s,
        Commitment,
        [
            {
                "uid": c.uid or new_uid(),
                "agreement_id": agreement_id,
                "side": c.side,
                "position": c.position,
                "text": c.text,
                "due_on": c.due_on,
                "state": c.state,
                "follow_up_id": c.follow_up_id,
            }
            for agreement_id, r in zip(ids, rows, strict=True)
            for c in r.commitments
        ],
    )
    return ids


# --- use cases -------------------------------------------------------------------


def create_agreement(
    book: Book,
    client_id: int,
    data: AgreementInput,
    *,
    incident_id: int | None = None,
    now: datetime | None = None,
) -> int:
    """A new draft, numbered AG-<year of its date>-NNNN, version 1."""
    now = now or utcnow()
    data = _checked(data)
    with book.session() as s:
        return create_in(s, client_id, data, incident_id=incident_id, now=now).id


def create_in(
    s: Session,
    client_id: int,
    data: AgreementInput,
    *,
    incident_id: int | None,
    now: datetime,
) -> Agreement:
    """``create_agreement`` inside a unit of work the caller owns (the repair wizard's
    finish creates the agreement, its follow-ups and the incident's move at once)."""
    data = _checked(data)
    client_or_error(s, client_id)
    if incident_id is not None:
        inc = s.get(Incident, incident_id)
        if inc is None:
            raise NotFoundError(f"There is no incident with id {incident_id}.")
        if inc.client_id != client_id:
            raise ValidationError({"incident": "That incident belongs to another client."})
    prefix = f"AG-{data.dated.year:04d}-%"
    used = s.scalars(select(Agreement.number).where(Agreement.number.like(prefix)).distinct())
    positions = {Side.OURS: 0, Side.THEIRS: 0}
    commitments: list[NewCommitment] = []
    for c in data.commitments:
        commitments.append(NewCommitment(c.side, positions[c.side], c.text, c.due_on))
        positions[c.side] += 1
    row = NewAgreement(
        client_id,
        next_number(used, data.dated.year),
        data.title,
        data.dated,
        created_at=now,
        updated_at=now,
        incident_id=incident_id,
        context=data.context,
        points=points_to_text(data.points),
        review_on=data.review_on,
        commitments=tuple(commitments),
    )
    (agreement_id,) = add_agreements_in(s, [row])
    return _agreement(s, agreement_id)


def update_draft(
    book: Book, agreement_id: int, data: AgreementInput, now: datetime | None = None
) -> None:
    """Replace what a draft says. A final (or superseded) agreement is refused."""
    now = now or utcnow()
    with book.session() as s:
        ag = _agreement(s, agreement_id)
        problem = edit_problem(ag.status)
        if problem:
            raise ValidationError({"status": problem})
        _apply(s, ag, _checked(data))
        ag.updated_at = now
        if ag.review_follow_up_id is not None or any(c.follow_up_id for c in ag.commitments):
            sync_follow_ups(s, ag, now)


def delete_draft(book: Book, agreement_id: int) -> None:
    """Throw a draft away; final agreements are part of the record and stay."""
    with book.session() as s:
        ag = _agreement(s, agreement_id)
        problem = edit_problem(ag.status)
        if problem:
            raise ValidationError({"status": problem})
        for fid in [ag.review_follow_up_id] + [c.follow_up_id for c in ag.commitments]:
            fu = s.get(FollowUp, fid) if fid else None
            if fu is not None and fu.done_at is None:
                s.delete(fu)
        s.delete(ag)


def finalise(book: Book, agreement_id: int, render: Renderer, now: datetime | None = None) -> str:
    """Make a draft final: render its PDF, store the bytes and their SHA-256, turn
    its review date and dated commitments into follow-ups, and mark the version it
    replaces superseded (that version's PDF is left exactly as it was). Returns the
    hash. If rendering fails nothing changes."""
    now = now or utcnow()
    with book.session() as s:
        return finalise_in(s, _agreement(s, agreement_id), render, now)


class MissingDetailsError(ValidationError):
    """Finalising needs the consultant's own details: a final agreement is signed
    by a named person, and its PDF can never be changed afterwards."""


def finalise_in(s: Session, ag: Agreement, render: Renderer, now: datetime) -> str:
    """``finalise`` inside a unit of work the caller owns (the demo book uses it)."""
    problem = move_problem(ag.status, AgreementStatus.FINAL)
    if problem:
        raise ValidationError({"status": problem})
    problem = details_problem(read_settings(s))
    if problem:
        raise MissingDetailsError({"consultant": problem})
    client = client_or_error(s, ag.client_id)
    doc = agreement_document(s, ag, status=AgreementStatus.FINAL)
    pdf = render(doc)
    if not isinstance(pdf, bytes) or not pdf:
        raise ValueError("The renderer returned no document.")
    digest = hashlib.sha256(pdf).hexdigest()
    ag.pdf = pdf
    ag.pdf_sha256 = digest
    ag.status = AgreementStatus.FINAL
    ag.finalised_at = now
    ag.updated_at = now
    sync_follow_ups(s, ag, now, client=client)
    if ag.supersedes_id is not None:
        old = _agreement(s, ag.supersedes_id)
        problem = move_problem(old.status, AgreementStatus.SUPERSEDED, by_new_version=True)
        if problem:
            raise ValidationError({"status": problem})
        old.status = AgreementStatus.SUPERSEDED
        old.updated_at = now
        # The old version's reminders are replaced by the new version's own.
        close_follow_ups(s, old, now)
    return digest


def new_version(book: Book, agreement_id: int, now: datetime | None = None) -> int:
    """A draft copy of a final agreement: same number, version + 1, pointing back.
    The final one stays final until this draft is finalised."""
    now = now or utcnow()
    with book.session() as s:
        ag = _agreement(s, agreement_id)
        has_newer = (
            s.scalar(select(Agreement.id).where(Agreement.supersedes_id == ag.id).limit(1))
            is not None
        )
        problem = new_version_problem(ag.status, has_newer=has_newer)
        if problem:
            raise ValidationError({"status": problem})
        copy = Agreement(
            client_id=ag.client_id,
            incident_id=ag.incident_id,
            number=ag.number,
            version=ag.version + 1,
            supersedes_id=ag.id,
            title=ag.title,
            dated=ag.dated,
            context=ag.context,
            points=ag.points,
            review_on=ag.review_on,
            status=AgreementStatus.DRAFT,
            created_at=now,
            updated_at=now,
        )
        for c in ag.commitments:
            copy.commitments.append(
                Commitment(
                    side=c.side, position=c.position, text=c.text, due_on=c.due_on, state=c.state
                )
            )
        s.add(copy)
        s.flush()
        return copy.id


def set_commitment_state(
    book: Book, commitment_id: int, state: CommitmentState, *, now: datetime | None = None
) -> None:
    """Mark a commitment kept, broken or open again. Its follow-up (if any) is done
    while the commitment is settled and open again when it is reopened. The PDF is
    not touched: it records what was agreed, not what happened since."""
    state = CommitmentState(state)
    now = now or utcnow()
    with book.session() as s:
        c = s.get(Commitment, commitment_id)
        if c is None:
            raise NotFoundError(f"There is no commitment with id {commitment_id}.")
        if c.agreement.status is AgreementStatus.SUPERSEDED:
            raise ValidationError(
                {"state": "This agreement was replaced; track the commitment on the newer version."}
            )
        c.state = state
        if c.follow_up_id is not None:
            fu = s.get(FollowUp, c.follow_up_id)
            if fu is not None:
                if state is CommitmentState.OPEN:
                    fu.done_at = None
                elif fu.done_at is None:
                    fu.done_at = now


def list_agreements(book: Book, client_id: int | None = None) -> list[AgreementRow]:
    """Newest first: by date, then number, then version."""
    with book.reader() as s:
        q = (
            select(Agreement, Client.name)
            .join(Client, Client.id == Agreement.client_id)
            .order_by(Agreement.dated.desc(), Agreement.number.desc(), Agreement.version.desc())
        )
        if client_id is not None:
            q = q.where(Agreement.client_id == client_id)
        return [_row(ag, name) for ag, name in s.execute(q)]


def get_agreement(book: Book, agreement_id: int) -> AgreementDetail:
    with book.reader() as s:
        ag = _agreement(s, agreement_id)
        client = client_or_error(s, ag.client_id)
        return AgreementDetail(
            row=_row(ag, client.name),
            incident_id=ag.incident_id,
            supersedes_id=ag.supersedes_id,
            context=ag.context,
            points=points_from_text(ag.points),
            commitments=[
                CommitmentRow(c.id, c.side, c.position, c.text, c.due_on, c.state, c.follow_up_id)
                for c in ag.commitments
            ],
            pdf_sha256=ag.pdf_sha256,
            review_follow_up_id=ag.review_follow_up_id,
            created_at=ag.created_at,
            updated_at=ag.updated_at,
        )


def document_for(book: Book, agreement_id: int) -> AgreementDocument:
    """The plain data the PDF renderer prints, for a preview or a final copy."""
    with book.reader() as s:
        ag = _agreement(s, agreement_id)
        return agreement_document(s, ag, status=ag.status)


# --- helpers ---------------------------------------------------------------------


def _agreement(s: Session, agreement_id: int) -> Agreement:
    ag = s.get(Agreement, agreement_id, options=[selectinload(Agreement.commitments)])
    if ag is None:
        raise NotFoundError(f"There is no agreement with id {agreement_id}.")
    return ag


def _row(ag: Agreement, client_name: str) -> AgreementRow:
    return AgreementRow(
        id=ag.id,
        uid=ag.uid,
        client_id=ag.client_id,
        client_name=client_name,
        number=ag.number,
        version=ag.version,
        title=ag.title,
        dated=ag.dated,
        status=ag.status,
        review_on=ag.review_on,
        finalised_at=ag.finalised_at,
    )
