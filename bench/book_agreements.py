"""The agreements of the benchmark book, written through the agreement services
themselves (finalising renders and hashes a real PDF). Apart from the bulk row
generator because it runs after it, on its own random stream, through services
rather than executemany."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

from models.db import Book
from models.services.clients import local_date

AGREEMENT_SHARE = 0.0105  # of clients without an incident; 20 % of those with one
AGREEMENT_TITLES = [
    "How we work together from here",
    "Monthly reporting and response times",
    "Scope of the shop relaunch",
    "Payment terms and next steps",
    "Support hours and named contacts",
]
AGREEMENT_POINTS = [
    "Updates come in writing every Friday, even when there is little to say.",
    "Questions are collected in one shared list, answered within two working days.",
    "Changes of scope are priced before any work starts.",
    "One named contact on each side; holidays are announced a week ahead.",
    "Invoices go out monthly with the hours per task.",
    "The launch date is fixed only once the content is complete.",
]
OUR_COMMITMENTS = [
    "Send the revised plan with dates",
    "Fix the totals in the quarterly report",
    "Hold a weekly 20-minute call",
    "Credit the extra days billed in March",
    "Write up the handover notes",
]
THEIR_COMMITMENTS = [
    "Send the product photos and texts",
    "Name one person who signs off changes",
    "Pay the open invoice",
]


def add_agreements(book: Book, clients: int, rng: random.Random, today: date) -> None:
    """Agreements for about 2 % of clients, written through the agreement services
    themselves (create, finalise with the real PDF renderer, commitments kept or
    broken, a new version now and then): they are few, and finalising renders and
    hashes a PDF, which is exactly what the services must be trusted to do.

    Clients with an incident are likelier to have one, tied to their newest incident,
    dated after it opened. A quarter stay drafts; of the final ones some commitments
    were kept or broken on their due date and the rest are open (overdue ones count
    in health); about one in seven was replaced by a final second version.
    """
    from sqlalchemy import select as _select

    from models.entities import CommitmentState, Incident, Side
    from models.services.agreement_documents import pdf_renderer
    from models.services.agreements import (
        AgreementInput,
        CommitmentInput,
        create_agreement,
        finalise,
        get_agreement,
        new_version,
        set_commitment_state,
        update_draft,
    )
    from models.services.consultant import ConsultantSettings, set_settings

    with book.engine.connect() as conn:
        newest: dict[int, tuple[int, datetime]] = {}
        for cid, iid, opened in conn.execute(
            _select(Incident.client_id, Incident.id, Incident.opened_at).order_by(Incident.id)
        ):
            newest[cid] = (iid, opened)
    set_settings(
        book,
        ConsultantSettings(
            name="Jonas Weber",
            business="Weber Web Studio",
            address="Lindenstraße 12\n10969 Berlin",
            email="jonas@weber-web.example",
            phone="+49 30 5550 1234",
        ),
    )
    from exports.pdf import bind_renderers

    bind_renderers()  # as main.py does: finalising prints through exports/pdf
    render = pdf_renderer(book)
    last_day = today - timedelta(days=1)

    def at(day: date, hour: int) -> datetime:
        return datetime.combine(day, datetime.min.time(), UTC) + timedelta(hours=hour)

    for cid in range(1, clients + 1):
        incident = newest.get(cid)
        if rng.random() >= (0.2 if incident else AGREEMENT_SHARE):
            continue
        if incident is not None:
            dated = min(last_day, local_date(incident[1]) + timedelta(days=rng.randrange(1, 21)))
        else:
            dated = today - timedelta(days=rng.randrange(5, 400))
        commitments = [
            CommitmentInput(
                side,
                text,
                dated + timedelta(days=rng.randrange(7, 120)) if rng.random() < 0.7 else None,
            )
            for side, pool, most in (
                (Side.OURS, OUR_COMMITMENTS, 4),
                (Side.THEIRS, THEIR_COMMITMENTS, 3),
            )
            for text in rng.sample(pool, rng.randint(1, most))
        ]
        data = AgreementInput(
            title=rng.choice(AGREEMENT_TITLES),
            dated=dated,
            context=f"After our call on {dated:%d %B %Y} we agreed how to go on.",
            points=rng.sample(AGREEMENT_POINTS, rng.randint(3, 5)),
            commitments=commitments,
            review_on=dated + timedelta(days=90) if rng.random() < 0.7 else None,
        )
        aid = create_agreement(
            book, cid, data, incident_id=incident[0] if incident else None, now=at(dated, 9)
        )
        if rng.random() < 0.25:
            continue  # still a draft
        finalise(book, aid, render, now=at(dated, 16))
        # A second version a month later replaces the first; until then (or until
        # today) commitments of the first were kept or broken on their due date.
        again = dated + timedelta(days=30)
        renewed = again < last_day and rng.random() < 0.15
        settled_until = again if renewed else today
        for c in get_agreement(book, aid).commitments:
            if c.due_on is not None and c.due_on < settled_until:
                state = rng.choices(
                    (CommitmentState.KEPT, CommitmentState.BROKEN, CommitmentState.OPEN),
                    weights=(60, 10, 30),
                )[0]
                if state is not CommitmentState.OPEN:
                    set_commitment_state(book, c.id, state, now=at(c.due_on, 17))
        if renewed:
            v2 = new_version(book, aid, now=at(again, 9))
            extra = CommitmentInput(
                Side.OURS, "Check in by phone after the review", again + timedelta(days=14)
            )
            # Edited in the editor: the service rewrites the draft's commitment list.
            update_draft(
                book, v2, replace(data, commitments=[*commitments, extra]), now=at(again, 9)
            )
            finalise(book, v2, render, now=at(again, 15))
