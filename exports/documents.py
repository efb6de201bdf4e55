"""Moved to models/documents.py (the core owns what a document says); this name stays
only so code written against the old path keeps working while branches merge."""

from models.documents import (  # noqa: F401
    AgreementDocument,
    Audience,
    ClientSummaryDocument,
    CommitmentLine,
    PageSize,
    Party,
    RecordDocument,
    RecordSection,
    SummaryAgreement,
    SummaryEntry,
    SummaryFactor,
    SummaryIncident,
    SummaryTouch,
)
