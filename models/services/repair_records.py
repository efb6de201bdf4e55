"""The written record a repair's ending leaves (hand-over brief, insurer's notice,
closing summary), gathered from the book: the plan's answers, the incident's
evidence and timeline, both parties' details.

A reader apart from the wizard's writers: it runs for an active plan (the ending
pages preview it) and a finished one (printed again any time), and the printing
service is its main caller. The composing itself is pure, in models/repair_records.py.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from models.agreements import live_entry
from models.dates import format_short_date
from models.db import Book
from models.documents import RecordDocument
from models.entities import EntryKind, Evidence, IncidentEntry, StoredFile
from models.incidents import CATEGORY_LABELS, ENTRY_KIND_LABELS
from models.repair import ENDINGS, Step
from models.repair_records import RecordFacts, compose_record
from models.services.clients import ValidationError, client_or_error, client_party, local_date
from models.services.consultant import consultant_party, read_settings
from models.services.incident_timeline import agreement_states
from models.services.repair import STEP_OF_ENDING, incident_or_error, plan_answers, plan_or_error
from models.text import human_size
from models.types import utcnow


def record_for(book: Book, plan_id: int, *, today: date | None = None) -> RecordDocument:
    """The written record an ending leaves, as plain data for exports/pdf/record.py.

    Works for an active plan too (the ending pages preview it) and for a finished
    one (read-only, printed again any time)."""
    with book.reader() as s:
        plan = plan_or_error(s, plan_id)
        ending = STEP_OF_ENDING[plan.ending] if plan.ending is not None else Step(plan.current_step)
        if ending not in ENDINGS:
            raise ValidationError(
                {"plan": "This repair has not reached an ending yet, so it has no record."}
            )
        inc = incident_or_error(s, plan.incident_id)
        client = client_or_error(s, inc.client_id)
        me = read_settings(s)
        evidence = [
            f"{name} ({human_size(size)}, added {format_short_date(local_date(added))}, "
            f"SHA-256 {sha[:12]}…)"
            for name, size, added, sha in s.execute(
                select(
                    Evidence.original_name, StoredFile.size, Evidence.added_at, StoredFile.sha256
                )
                .join(StoredFile, StoredFile.id == Evidence.file_id)
                .where(Evidence.incident_id == inc.id)
                .order_by(Evidence.added_at, Evidence.id)
            )
        ]
        current = agreement_states(s, inc.id)
        entries = s.execute(
            select(IncidentEntry.happened_at, IncidentEntry.kind, IncidentEntry.text)
            .where(IncidentEntry.incident_id == inc.id)
            .order_by(IncidentEntry.happened_at, IncidentEntry.id)
        ).all()
        history = [
            f"{format_short_date(local_date(when))}: {' '.join(live_entry(words, current).split())}"
            for when, _kind, words in entries
        ]
        dates = [
            f"{format_short_date(local_date(when))}: {ENTRY_KIND_LABELS[EntryKind(kind)]}"
            for when, kind, _words in entries
        ]
        facts = RecordFacts(
            incident_title=inc.title,
            incident_opened=local_date(inc.opened_at),
            category=CATEGORY_LABELS[inc.category],
            severity=inc.severity.value,
            client=client_party(client),
            consultant=consultant_party(me),
            evidence=evidence,
            history=history,
            dates=dates,
        )
        day = today or (local_date(plan.finished_at) if plan.finished_at else local_date(utcnow()))
        doc = compose_record(ending, plan_answers(plan), facts, day)
    from dataclasses import replace

    return replace(doc, logo_png=me.logo_png)
