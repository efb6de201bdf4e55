"""An agreement's reminders: its review date and each dated open commitment kept
as one follow-up, created, moved, reworded or removed as the agreement changes.

Its own module because it writes another aggregate's rows (follow-ups) on the
agreement's behalf; the repair wizard's finish calls it as well as finalising.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy.orm import Session

from models.agreements import commitment_title, display_number, review_title
from models.entities import Agreement, Client, CommitmentState, FollowUp, FollowUpKind
from models.services.clients import client_or_error

FOLLOW_UP_TITLE_MAX = 300


def _add_follow_up(
    s: Session,
    client_id: int,
    kind: FollowUpKind,
    title: str,
    due_on: date,
    note: str,
    now: datetime,
) -> int:
    fu = FollowUp(
        client_id=client_id,
        kind=kind,
        title=title[:FOLLOW_UP_TITLE_MAX],
        note=note,
        due_on=due_on,
        original_due_on=due_on,
        created_at=now,
    )
    s.add(fu)
    s.flush()
    return fu.id


def sync_follow_ups(s: Session, ag: Agreement, now: datetime, client: Client | None = None) -> None:
    """Make the review date and every dated open commitment a follow-up, reusing
    the ones that exist (moved to the current date and wording) so finalising a
    draft that already has reminders never doubles them; a follow-up whose date
    was removed is deleted unless it was already done."""
    client = client or client_or_error(s, ag.client_id)
    shown = display_number(ag.number, ag.version)
    note = f"Agreement {shown}: {ag.title}"
    ag.review_follow_up_id = _upsert_follow_up(
        s,
        ag.review_follow_up_id,
        client.id,
        FollowUpKind.REVIEW,
        review_title(shown, client.name),
        ag.review_on,
        note,
        now,
    )
    for c in ag.commitments:
        due = c.due_on if c.state is CommitmentState.OPEN else None
        c.follow_up_id = _upsert_follow_up(
            s,
            c.follow_up_id,
            client.id,
            FollowUpKind.COMMITMENT,
            commitment_title(c.side, c.text),
            due,
            note,
            now,
        )


def _upsert_follow_up(
    s: Session,
    existing_id: int | None,
    client_id: int,
    kind: FollowUpKind,
    title: str,
    due_on: date | None,
    note: str,
    now: datetime,
) -> int | None:
    fu = s.get(FollowUp, existing_id) if existing_id else None
    if due_on is None:
        if fu is not None and fu.done_at is None:
            s.delete(fu)
            return None
        return fu.id if fu is not None else None
    if fu is None:
        return _add_follow_up(s, client_id, kind, title, due_on, note, now)
    fu.title = title[:FOLLOW_UP_TITLE_MAX]
    fu.note = note
    if fu.original_due_on != due_on:
        fu.due_on = fu.original_due_on = due_on
    return fu.id


def close_follow_ups(s: Session, ag: Agreement, now: datetime) -> None:
    """Mark a superseded version's open reminders done: the new version brings its own."""
    ids = [ag.review_follow_up_id] + [c.follow_up_id for c in ag.commitments]
    for fid in filter(None, ids):
        fu = s.get(FollowUp, fid)
        if fu is not None and fu.done_at is None:
            fu.done_at = now
