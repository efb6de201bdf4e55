"""What a printable document says, as plain data: the contract between the book
(models/services build these) and the PDF renderer (exports/agreement_pdf.py).

Nothing here touches the database or ReportLab, so either side can be tested alone.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import date


class PageSize(enum.StrEnum):
    A4 = "A4"
    LETTER = "Letter"


@dataclass(frozen=True)
class Party:
    """One side of an agreement: the consultant, or the client."""

    name: str
    organisation: str = ""
    role: str = ""
    address: str = ""  # may span several lines
    email: str = ""
    phone: str = ""


@dataclass(frozen=True)
class CommitmentLine:
    text: str
    due_on: date | None = None
    state: str = "open"  # open, kept, broken


@dataclass(frozen=True)
class AgreementDocument:
    number: str  # e.g. "AG-2026-0007 v2": printed in the title block and every footer
    title: str
    dated: date
    consultant: Party
    client: Party
    context: str = ""
    points: list[str] = field(default_factory=list)
    ours: list[CommitmentLine] = field(default_factory=list)
    theirs: list[CommitmentLine] = field(default_factory=list)
    review_on: date | None = None
    status: str = "draft"  # draft, final, superseded: a draft is marked as such
    logo_png: bytes | None = None
