"""What opening a book came to, in a module of its own so that windows and tests can
read an outcome without importing the application object's module."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from models.backups import DamageReport


class OpenStatus(enum.Enum):
    OPENED = "opened"
    HANDED_OVER = "handed_over"
    FAILED = "failed"


@dataclass(frozen=True)
class OpenOutcome:
    status: OpenStatus
    message: str = ""
    # Set when the book failed its check: it was set aside, and this says what to offer.
    damage: DamageReport | None = None
    # After a restore: evidence files the backup refers to that were not there.
    missing_evidence: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return self.status is OpenStatus.OPENED


def busy_message(pid: int | None) -> str:
    if pid:
        return f"This book is open in another program (process {pid})."
    return "This book is open in another program."
