"""The book's vocabulary: every fixed set of values a column may hold.

These live apart from the tables (models/entities.py) so the rules, the start-up
path and the views can name a status or a severity without importing SQLAlchemy,
which costs a third of a second and 30 MB before the first window can be painted.
"""

from __future__ import annotations

import enum


class ClientStatus(enum.StrEnum):
    ACTIVE = "active"
    PAUSED = "paused"
    FORMER = "former"


class ContactKind(enum.StrEnum):
    EMAIL = "email"
    PHONE = "phone"


class Channel(enum.StrEnum):
    CALL = "call"
    EMAIL = "email"
    MEETING = "meeting"
    MESSAGE = "message"
    VISIT = "visit"
    OTHER = "other"


class FollowUpKind(enum.StrEnum):
    MANUAL = "manual"
    NEXT_STEP = "next_step"
    RESPONSE_PROMISE = "response_promise"
    REVIEW = "review"
    COMMITMENT = "commitment"


class IncidentCategory(enum.StrEnum):
    LATE_PAYMENT = "late_payment"
    MISREAD_PRIORITIES = "misread_priorities"
    DELIVERABLE_QUALITY = "deliverable_quality"
    MONEY_SURPRISE = "money_surprise"
    COMMUNICATION = "communication"
    MISSED_DEADLINE = "missed_deadline"
    WRONG_FIT = "wrong_fit"
    BEYOND_SKILLS = "beyond_skills"
    CLAIM_THREATENED = "claim_threatened"
    OTHER = "other"


class Severity(enum.StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"


class IncidentStatus(enum.StrEnum):
    OPEN = "open"
    ACKNOWLEDGED = "acknowledged"
    REPAIRING = "repairing"
    RESOLVED = "resolved"
    LOST = "lost"


class EntryKind(enum.StrEnum):
    NOTE = "note"
    CALL = "call"
    EMAIL = "email"
    MEETING = "meeting"
    DECISION = "decision"


class AgreementStatus(enum.StrEnum):
    DRAFT = "draft"
    FINAL = "final"
    SUPERSEDED = "superseded"


class Side(enum.StrEnum):
    OURS = "ours"
    THEIRS = "theirs"


class CommitmentState(enum.StrEnum):
    OPEN = "open"
    KEPT = "kept"
    BROKEN = "broken"


class RepairPlanStatus(enum.StrEnum):
    ACTIVE = "active"
    FINISHED = "finished"


class RepairEnding(enum.StrEnum):
    AGREEMENT = "agreement"
    HAND_OVER = "hand_over"
    INSURER = "insurer"
    PART_WAYS = "part_ways"
