"""The book's tables as typed SQLAlchemy 2.0 models.

Later features add tables here and a matching migration in models/migrations.
"""

from __future__ import annotations

import enum
import uuid
from datetime import date, datetime

from sqlalchemy import (
    Column,
    Date,
    Enum,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from models.enums import (  # noqa: F401 - re-exported: the book's vocabulary lives there
    AgreementStatus,
    Channel,
    ClientStatus,
    CommitmentState,
    ContactKind,
    EntryKind,
    FollowUpKind,
    IncidentCategory,
    IncidentStatus,
    RepairEnding,
    RepairPlanStatus,
    Severity,
    Side,
)
from models.types import UTCDateTime, utcnow

# Named constraints let Alembic's batch mode find and alter them later.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def _enum(cls: type[enum.StrEnum], name: str, length: int = 16) -> Enum:
    """A VARCHAR with a named CHECK constraint: readable in the file, alterable by Alembic."""
    return Enum(
        cls,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=length,
        values_callable=lambda e: [m.value for m in e],
    )


def new_uid() -> str:
    return uuid.uuid4().hex


client_tag = Table(
    "client_tag",
    Base.metadata,
    Column("client_id", ForeignKey("client.id", ondelete="CASCADE"), primary_key=True),
    Column("tag_id", ForeignKey("tag.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class Client(Base):
    __tablename__ = "client"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # Stable across books: JSON import merges on it.
    uid: Mapped[str] = mapped_column(String(32), unique=True, default=new_uid)
    name: Mapped[str] = mapped_column(String(300))
    organisation: Mapped[str] = mapped_column(String(300), default="")
    role: Mapped[str] = mapped_column(String(300), default="")
    notes: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[ClientStatus] = mapped_column(
        _enum(ClientStatus, "status"), default=ClientStatus.ACTIVE
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    # Folded (case, accents) copy of every searchable field, kept by the services,
    # so a search is one pass over one column.
    search_text: Mapped[str] = mapped_column(Text, default="")
    # Keep in touch: the rhythm, and two denormalised dates the services keep right,
    # so "who is due" is one range scan over ix_client_due_rank (which also holds
    # what ranking them needs: models/reads.py reads the index, not the rows).
    cadence_days: Mapped[int | None] = mapped_column(Integer, default=None)
    last_touch_on: Mapped[date | None] = mapped_column(Date, default=None)
    touch_due_on: Mapped[date | None] = mapped_column(Date, default=None)
    # An upset client comes first until this date (set by incidents).
    priority_until: Mapped[date | None] = mapped_column(Date, default=None)

    contacts: Mapped[list[ContactPoint]] = relationship(
        back_populates="client",
        cascade="all, delete-orphan",
        order_by="(ContactPoint.kind, ContactPoint.position)",
    )
    tags: Mapped[list[Tag]] = relationship(secondary=client_tag, order_by="Tag.name")

    __table_args__ = (
        Index("ix_client_archived_name", "archived_at", "name"),
        Index("ix_client_due_rank", "touch_due_on", "cadence_days", "priority_until", "name"),
    )


class ContactPoint(Base):
    """One email address or phone number of a client; a client may have several."""

    __tablename__ = "contact_point"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("client.id", ondelete="CASCADE"), index=True)
    kind: Mapped[ContactKind] = mapped_column(_enum(ContactKind, "kind", 8))
    label: Mapped[str] = mapped_column(String(60), default="")
    value: Mapped[str] = mapped_column(String(320))
    position: Mapped[int] = mapped_column(Integer, default=0)

    client: Mapped[Client] = relationship(back_populates="contacts")


class Tag(Base):
    __tablename__ = "tag"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(80, collation="NOCASE"), unique=True)


class Touch(Base):
    """A contact that happened. ``happened_at`` may be earlier than ``created_at``."""

    __tablename__ = "touch"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uid: Mapped[str] = mapped_column(String(32), unique=True, default=new_uid)
    client_id: Mapped[int] = mapped_column(ForeignKey("client.id", ondelete="CASCADE"))
    happened_at: Mapped[datetime] = mapped_column(UTCDateTime)
    channel: Mapped[Channel] = mapped_column(_enum(Channel, "channel", 10))
    summary: Mapped[str] = mapped_column(Text, default="")
    next_step: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (Index("ix_touch_client_happened", "client_id", "happened_at"),)


class FollowUp(Base):
    """A dated reminder about one client: done, snoozed, or waiting."""

    __tablename__ = "follow_up"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uid: Mapped[str] = mapped_column(String(32), unique=True, default=new_uid)
    client_id: Mapped[int] = mapped_column(ForeignKey("client.id", ondelete="CASCADE"))
    kind: Mapped[FollowUpKind] = mapped_column(
        _enum(FollowUpKind, "kind", 20), default=FollowUpKind.MANUAL
    )
    title: Mapped[str] = mapped_column(String(300))
    note: Mapped[str] = mapped_column(Text, default="")
    due_on: Mapped[date] = mapped_column(Date)
    # The date first asked for; due_on moves when the user snoozes.
    original_due_on: Mapped[date] = mapped_column(Date)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    touch_id: Mapped[int | None] = mapped_column(
        ForeignKey("touch.id", ondelete="SET NULL"), default=None
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    # Open follow-ups by date: the Today view's and the tray's question (with the
    # client, so counting those of archived clients out reads no follow-up row).
    __table_args__ = (Index("ix_follow_up_due_client", "done_at", "due_on", "client_id"),)


class Incident(Base):
    """Something that went wrong with a client, from first report to resolution."""

    __tablename__ = "incident"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uid: Mapped[str] = mapped_column(String(32), unique=True, default=new_uid)
    client_id: Mapped[int] = mapped_column(ForeignKey("client.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(300))
    category: Mapped[IncidentCategory] = mapped_column(_enum(IncidentCategory, "category", 24))
    severity: Mapped[Severity] = mapped_column(_enum(Severity, "severity", 10))
    status: Mapped[IncidentStatus] = mapped_column(
        _enum(IncidentStatus, "status", 14), default=IncidentStatus.OPEN
    )
    client_view: Mapped[str] = mapped_column(Text, default="")
    our_view: Mapped[str] = mapped_column(Text, default="")
    our_mistakes: Mapped[str] = mapped_column(Text, default="")
    client_contribution: Mapped[str] = mapped_column(Text, default="")
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime)
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    # Resolved or lost: when the incident stopped being open.
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    # The promise of a full answer, and when it was actually given.
    response_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    responded_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    promise_follow_up_id: Mapped[int | None] = mapped_column(
        ForeignKey("follow_up.id", ondelete="SET NULL"), default=None
    )
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (Index("ix_incident_status_severity", "status", "severity"),)


class IncidentEntry(Base):
    """One dated line of an incident's timeline; edits keep when they happened."""

    __tablename__ = "incident_entry"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uid: Mapped[str] = mapped_column(String(32), unique=True, default=new_uid)
    incident_id: Mapped[int] = mapped_column(
        ForeignKey("incident.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[EntryKind] = mapped_column(_enum(EntryKind, "kind", 10))
    happened_at: Mapped[datetime] = mapped_column(UTCDateTime)
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    edited_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)


class StoredFile(Base):
    """A file copied into the book's attachments folder, named by its SHA-256.

    Content addressing stores the same file once however often it is attached,
    and lets a backup refer to files without copying them.
    """

    __tablename__ = "stored_file"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    size: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Evidence(Base):
    """A file attached to an incident, under the name the user knew it by."""

    __tablename__ = "evidence"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uid: Mapped[str] = mapped_column(String(32), unique=True, default=new_uid)
    incident_id: Mapped[int] = mapped_column(
        ForeignKey("incident.id", ondelete="CASCADE"), index=True
    )
    file_id: Mapped[int] = mapped_column(
        ForeignKey("stored_file.id", ondelete="RESTRICT"), index=True
    )
    original_name: Mapped[str] = mapped_column(String(255))
    added_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Agreement(Base):
    """What was agreed with a client, one row per version.

    Versions of one agreement share ``number``; a new version points back with
    ``supersedes_id``. A final row is never edited: its PDF and hash are the record.
    Points are prose with no state of their own, so they are one text column (one
    point per line); commitments have due dates and states, so they get a table.
    """

    __tablename__ = "agreement"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uid: Mapped[str] = mapped_column(String(32), unique=True, default=new_uid)
    client_id: Mapped[int] = mapped_column(ForeignKey("client.id", ondelete="CASCADE"), index=True)
    incident_id: Mapped[int | None] = mapped_column(
        ForeignKey("incident.id", ondelete="SET NULL"), default=None
    )
    number: Mapped[str] = mapped_column(String(20))
    version: Mapped[int] = mapped_column(Integer, default=1)
    supersedes_id: Mapped[int | None] = mapped_column(
        ForeignKey("agreement.id", ondelete="SET NULL"), default=None
    )
    title: Mapped[str] = mapped_column(String(300))
    dated: Mapped[date] = mapped_column(Date)
    context: Mapped[str] = mapped_column(Text, default="")
    points: Mapped[str] = mapped_column(Text, default="")
    review_on: Mapped[date | None] = mapped_column(Date, default=None)
    status: Mapped[AgreementStatus] = mapped_column(
        _enum(AgreementStatus, "status", 12), default=AgreementStatus.DRAFT
    )
    pdf: Mapped[bytes | None] = mapped_column(LargeBinary, default=None, deferred=True)
    pdf_sha256: Mapped[str | None] = mapped_column(String(64), default=None)
    finalised_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    review_follow_up_id: Mapped[int | None] = mapped_column(
        ForeignKey("follow_up.id", ondelete="SET NULL"), default=None
    )

    commitments: Mapped[list[Commitment]] = relationship(
        back_populates="agreement",
        cascade="all, delete-orphan",
        order_by="(Commitment.side, Commitment.position)",
    )

    __table_args__ = (UniqueConstraint("number", "version", name="uq_agreement_number_version"),)


class Commitment(Base):
    """One promise in an agreement, ours or the client's, tracked until kept or broken."""

    __tablename__ = "commitment"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uid: Mapped[str] = mapped_column(String(32), unique=True, default=new_uid)
    agreement_id: Mapped[int] = mapped_column(
        ForeignKey("agreement.id", ondelete="CASCADE"), index=True
    )
    side: Mapped[Side] = mapped_column(_enum(Side, "side", 8))
    position: Mapped[int] = mapped_column(Integer, default=0)
    text: Mapped[str] = mapped_column(Text)
    due_on: Mapped[date | None] = mapped_column(Date, default=None)
    state: Mapped[CommitmentState] = mapped_column(
        _enum(CommitmentState, "state", 8), default=CommitmentState.OPEN
    )
    follow_up_id: Mapped[int | None] = mapped_column(
        ForeignKey("follow_up.id", ondelete="SET NULL"), default=None
    )

    agreement: Mapped[Agreement] = relationship(back_populates="commitments")


class RepairPlan(Base):
    """The repair wizard's work on one incident, saved as the user types.

    The answers are one JSON object (field name → text, list or date) because the
    wizard's fields are many, change with the playbook, and are only ever read and
    written whole; what outlives the wizard (the agreement, follow-ups, status
    changes, timeline entries) lands in real tables when the plan is finished.
    At most one plan per incident is active; finished plans stay, read-only.
    """

    __tablename__ = "repair_plan"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uid: Mapped[str] = mapped_column(String(32), unique=True, default=new_uid)
    incident_id: Mapped[int] = mapped_column(
        ForeignKey("incident.id", ondelete="CASCADE"), index=True
    )
    status: Mapped[RepairPlanStatus] = mapped_column(
        _enum(RepairPlanStatus, "status", 10), default=RepairPlanStatus.ACTIVE
    )
    current_step: Mapped[int] = mapped_column(Integer, default=1)
    answers: Mapped[str] = mapped_column(Text, default="{}")
    # Step numbers, comma-separated ("2,5"): the ones the user skipped, and the ones
    # they moved on from (done). Kept apart from the answers because a drafted text
    # does not make a step done; the user's going past it does.
    skipped: Mapped[str] = mapped_column(String(60), default="")
    done: Mapped[str] = mapped_column(String(60), default="")
    ending: Mapped[RepairEnding | None] = mapped_column(
        _enum(RepairEnding, "ending", 12), default=None
    )
    agreement_id: Mapped[int | None] = mapped_column(
        ForeignKey("agreement.id", ondelete="SET NULL"), default=None
    )
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)


class Setting(Base):
    """The consultant's own details and print preferences, one key per row."""

    __tablename__ = "setting"

    key: Mapped[str] = mapped_column(String(60), primary_key=True)
    value: Mapped[str] = mapped_column(Text, default="")
