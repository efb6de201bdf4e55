"""The book's tables as typed SQLAlchemy 2.0 models.

Later features add tables here and a matching migration in models/migrations.
"""

from __future__ import annotations

import enum
import uuid
from datetime import datetime

from sqlalchemy import (
    Column,
    Enum,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

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


class ClientStatus(enum.StrEnum):
    ACTIVE = "active"
    PAUSED = "paused"
    FORMER = "former"


class ContactKind(enum.StrEnum):
    EMAIL = "email"
    PHONE = "phone"


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
        Enum(
            ClientStatus,
            name="status",
            native_enum=False,
            create_constraint=True,
            length=16,
            values_callable=lambda e: [m.value for m in e],
        ),
        default=ClientStatus.ACTIVE,
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    # Folded (case, accents) copy of every searchable field, kept by the services,
    # so a search is one pass over one column.
    search_text: Mapped[str] = mapped_column(Text, default="")

    contacts: Mapped[list[ContactPoint]] = relationship(
        back_populates="client",
        cascade="all, delete-orphan",
        order_by="(ContactPoint.kind, ContactPoint.position)",
    )
    tags: Mapped[list[Tag]] = relationship(secondary=client_tag, order_by="Tag.name")

    __table_args__ = (
        Index("ix_client_archived_name", "archived_at", "name"),
    )


class ContactPoint(Base):
    """One email address or phone number of a client; a client may have several."""

    __tablename__ = "contact_point"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    client_id: Mapped[int] = mapped_column(
        ForeignKey("client.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[ContactKind] = mapped_column(
        Enum(
            ContactKind,
            name="kind",
            native_enum=False,
            create_constraint=True,
            length=8,
            values_callable=lambda e: [m.value for m in e],
        )
    )
    label: Mapped[str] = mapped_column(String(60), default="")
    value: Mapped[str] = mapped_column(String(320))
    position: Mapped[int] = mapped_column(Integer, default=0)

    client: Mapped[Client] = relationship(back_populates="contacts")


class Tag(Base):
    __tablename__ = "tag"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(80, collation="NOCASE"), unique=True)
