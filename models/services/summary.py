"""The client summary (an evidence pack) as plain data: everything the book knows
about one client, for exports.pdf.summary to print. Reads only; one reader session
per part, through the other services where they already answer the question.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy import func, select

from models.db import Book
from models.documents import (
    ClientSummaryDocument,
    CommitmentLine,
    Party,
    SummaryAgreement,
    SummaryEntry,
    SummaryFactor,
    SummaryFile,
    SummaryIncident,
    SummaryTouch,
)
from models.entities import Side, Touch
from models.limits import PRINT_ROWS_MAX
from models.reminders import cadence_label
from models.services.agreements import CommitmentRow, get_agreement, list_agreements
from models.services.clients import get_client
from models.services.consultant import consultant_party, get_settings
from models.services.health import client_health
from models.services.incident_evidence import list_evidence
from models.services.incident_timeline import timeline
from models.services.incidents import get_incident, list_incidents


def newest_touches(
    book: Book, client_id: int, most: int | None = PRINT_ROWS_MAX
) -> tuple[list[SummaryTouch], int]:
    """The newest ``most`` touches with the client (all when None), newest first, and
    how many there are: a summary prints no more than a thousand, so a client with
    100 000 touches is not read whole to print them."""
    with book.reader() as s:
        query = (
            select(Touch)
            .where(Touch.client_id == client_id)
            .order_by(Touch.happened_at.desc(), Touch.id.desc())
        )
        if most is not None:
            query = query.limit(most)
        rows = [
            SummaryTouch(t.happened_at, t.channel.value, t.summary, t.next_step)
            for t in s.scalars(query)
        ]
        if most is None or len(rows) < most:
            return rows, len(rows)
        count = select(func.count()).select_from(Touch).where(Touch.client_id == client_id)
        return rows, int(s.scalar(count) or 0)


def client_summary(
    book: Book, client_id: int, today: date, *, now: datetime | None = None
) -> ClientSummaryDocument:
    """The evidence pack for ``client_id`` as of ``today``; NotFoundError if unknown."""
    client = get_client(book, client_id)
    touches, touch_count = newest_touches(book, client_id)
    me = get_settings(book)
    score = client_health(book, client_id, today, now=now).now

    incidents = []
    for row in list_incidents(book, client_id=client_id, now=now):
        detail = get_incident(book, row.id, now=now)
        incidents.append(
            SummaryIncident(
                title=row.title,
                category=row.category.value,
                severity=row.severity.value,
                status=row.status.value,
                opened_at=row.opened_at,
                response_due_at=row.response_due_at,
                responded_at=row.responded_at,
                closed_at=row.closed_at,
                client_view=detail.client_view,
                our_view=detail.our_view,
                entries=[
                    SummaryEntry(e.happened_at, e.kind, e.text)
                    for e in timeline(book, row.id, now=now)
                ],
                evidence=[
                    SummaryFile(f.name, f.size, f.added_at, f.sha256)
                    for f in list_evidence(book, row.id)
                ],
            )
        )

    agreements = []
    for ag in list_agreements(book, client_id):
        detail = get_agreement(book, ag.id)
        agreements.append(
            SummaryAgreement(
                number=ag.display_number,
                title=ag.title,
                status=ag.status.value,
                dated=ag.dated,
                review_on=ag.review_on,
                ours=_side(detail.commitments, Side.OURS),
                theirs=_side(detail.commitments, Side.THEIRS),
            )
        )

    return ClientSummaryDocument(
        today=today,
        client=Party(
            name=client.name,
            organisation=client.organisation,
            role=client.role,
            email=client.emails[0].value if client.emails else "",
            phone=client.phones[0].value if client.phones else "",
        ),
        consultant=consultant_party(me),
        status=client.status.value,
        emails=[_labelled(c.value, c.label) for c in client.emails],
        phones=[_labelled(c.value, c.label) for c in client.phones],
        tags=list(client.tags),
        notes=client.notes,
        cadence=cadence_label(client.cadence_days) if client.cadence_days else "",
        last_touch_on=client.last_touch_on,
        touch_due_on=client.touch_due_on,
        health_score=score.score,
        health_band=score.band.value,
        factors=[SummaryFactor(f.points, f.reason) for f in score.factors],
        touches=touches,
        touch_count=touch_count,
        incidents=incidents,
        agreements=agreements,
    )


def _side(commitments: Sequence[CommitmentRow], which: Side) -> list[CommitmentLine]:
    return [
        CommitmentLine(c.text, c.due_on, c.state.value)
        for c in sorted(commitments, key=lambda c: c.position)
        if c.side is which
    ]


def _labelled(value: str, label: str) -> str:
    return f"{value} ({label})" if label.strip() else value
