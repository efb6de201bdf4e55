"""The format's names and shapes: its identity and version, the fields of each
aggregate in file order (problems are reported, and exports written, in this
order), and the one error every problem becomes."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from models.entities import (
    IncidentStatus,
    RepairEnding,
)
from models.errors import RapportError
from models.repair import Step

FORMAT = "rapport-book"
VERSION = 6

TOP_LEVEL_FIELDS = ("format", "version", "consultant", "clients")
# Order matters: problems are reported in this order, and exports use it too.
CLIENT_FIELDS = (
    "id",
    "name",
    "organisation",
    "role",
    "status",
    "notes",
    "emails",
    "phones",
    "tags",
    "cadence_days",
    "priority_until",
    "created_at",
    "updated_at",
    "archived_at",
    "touches",
    "follow_ups",
    "incidents",
    "agreements",
)
REQUIRED_CLIENT_FIELDS = ("id", "name")
CONTACT_FIELDS = ("value", "label")
REQUIRED_CONTACT_FIELDS = ("value",)
TOUCH_FIELDS = ("id", "happened_at", "channel", "summary", "next_step", "created_at")
REQUIRED_TOUCH_FIELDS = ("id", "happened_at", "channel")
FOLLOW_UP_FIELDS = (
    "id",
    "kind",
    "title",
    "note",
    "due_on",
    "original_due_on",
    "done_at",
    "touch",
    "created_at",
)
REQUIRED_FOLLOW_UP_FIELDS = ("id", "title", "due_on")
INCIDENT_FIELDS = (
    "id",
    "title",
    "category",
    "severity",
    "status",
    "client_view",
    "our_view",
    "our_mistakes",
    "client_contribution",
    "opened_at",
    "acknowledged_at",
    "closed_at",
    "response_due_at",
    "responded_at",
    "promise_follow_up",
    "updated_at",
    "timeline",
    "evidence",
    "repair_plans",
)
REQUIRED_INCIDENT_FIELDS = ("id", "title", "category", "severity", "opened_at")
INCIDENT_TEXTS = ("client_view", "our_view", "our_mistakes", "client_contribution")
ENTRY_FIELDS = ("id", "kind", "happened_at", "text", "created_at", "edited_at")
REQUIRED_ENTRY_FIELDS = ("id", "kind", "happened_at", "text")
EVIDENCE_FIELDS = ("id", "original_name", "sha256", "size", "added_at")
REQUIRED_EVIDENCE_FIELDS = ("id", "original_name", "sha256", "size")
PLAN_FIELDS = (
    "id",
    "status",
    "current_step",
    "answers",
    "skipped",
    "done",
    "ending",
    "agreement",
    "started_at",
    "updated_at",
    "finished_at",
)
REQUIRED_PLAN_FIELDS = ("id",)
# The answers that point at other rows of the book, and what they point at: in the
# file they hold ids (uids), in the book row numbers, which differ between books.
PLAN_LINKS = {
    "evidence_ids": ("evidence file", "this incident's evidence files"),
    "entry_ids": ("timeline entry", "this incident's timeline entries"),
    "touch_ids": ("touch", "this client's touches"),
}
CONSULTANT_FIELDS = (
    "name",
    "business",
    "address",
    "email",
    "phone",
    "logo_png",
    "page_size",
    "work",
)
# The consultant's working week and how dates are written (new in version 6).
WORK_FIELDS = ("days", "starts", "ends", "holiday_country", "holiday_subdivision", "date_locale")
REQUIRED_WORK_FIELDS = WORK_FIELDS
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
AGREEMENT_FIELDS = (
    "id",
    "number",
    "version",
    "title",
    "dated",
    "status",
    "incident",
    "supersedes",
    "context",
    "points",
    "review_on",
    "review_follow_up",
    "finalised_at",
    "created_at",
    "updated_at",
    "commitments",
    "pdf_sha256",
    "pdf",
)
REQUIRED_AGREEMENT_FIELDS = ("id", "number", "title", "dated")
COMMITMENT_FIELDS = ("id", "side", "text", "due_on", "state", "follow_up")
REQUIRED_COMMITMENT_FIELDS = ("id", "side", "text")
SHA256_SHAPE = re.compile(r"[0-9a-f]{64}")
# Evidence files travel beside the JSON, in "<stem>.attachments/", each named by its hash.
ATTACHMENTS_SUFFIX = ".attachments"
_CLOSED = (IncidentStatus.RESOLVED, IncidentStatus.LOST)
_ENDINGS = tuple(v.value for v in RepairEnding)
_STEP_NUMBERS = tuple(int(step) for step in Step)
_SQL_CHUNK = 500


class BookFormatError(RapportError, ValueError):
    """A file that cannot be imported; str() is one line for the user naming the spot.

    ``problems`` keeps every problem found, in file order, for a caller that wants
    to show them all; the message shows the first and how many more there are.
    """

    def __init__(self, problems: str | Iterable[str]) -> None:
        self.problems = [problems] if isinstance(problems, str) else list(problems)
        if not self.problems:
            self.problems = ["This file could not be imported."]
        first, more = self.problems[0], len(self.problems) - 1
        if more:
            first += f" ({more} more problem{'s' if more > 1 else ''} in this file.)"
        super().__init__(first)


@contextmanager
def reading(path: Path) -> Iterator[None]:
    """Turn the errors of opening and reading an export into one plain sentence: the
    whole-file reader and the streaming one say the same for the same file."""
    try:
        yield
    except FileNotFoundError:
        raise BookFormatError(f"There is no file at {path}.") from None
    except IsADirectoryError:
        raise BookFormatError(f"{path} is a folder, not a file.") from None
    except OSError as exc:
        raise BookFormatError(f"{path} could not be read: {exc.strerror or exc}.") from None


@dataclass
class ImportResult:
    created: int
    updated: int
    unchanged: int


# --------------------------------------------------------------------------- export
def _kind(value: Any) -> str:
    """A JSON value's type in plain words."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def _q(value: Any, limit: int = 40) -> str:
    """A value as it would appear in the file, cut short so the message stays one line."""
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return json.dumps(text, ensure_ascii=False) if isinstance(value, str) else text
