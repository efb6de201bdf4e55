"""Agreement rules, as plain functions: status moves, document numbers, overdue
commitments. No database here; models/services/agreements.py feeds these values.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date
from typing import Protocol

from models.enums import AgreementStatus, CommitmentState, Side

NUMBER_PREFIX = "AG"
_NUMBER = re.compile(r"^AG-(\d{4})-(\d{4,})$")

FINAL_EDIT = "This agreement is final; make a new version to change it."
SUPERSEDED_EDIT = "This agreement was replaced by a newer version; it cannot be changed."


def edit_problem(status: AgreementStatus) -> str | None:
    """Why an agreement in ``status`` cannot be edited, or None for a draft."""
    if status is AgreementStatus.DRAFT:
        return None
    if status is AgreementStatus.FINAL:
        return FINAL_EDIT
    return SUPERSEDED_EDIT


def move_problem(
    current: AgreementStatus, target: AgreementStatus, *, by_new_version: bool = False
) -> str | None:
    """Why ``current`` may not become ``target``, or None when the move is allowed.

    Draft → final is the only move a user makes directly; final → superseded
    happens only when a newer version of the same agreement is finalised.
    """
    if current is AgreementStatus.DRAFT and target is AgreementStatus.FINAL:
        return None
    if current is AgreementStatus.FINAL and target is AgreementStatus.SUPERSEDED:
        if by_new_version:
            return None
        return "A final agreement is superseded only by finalising a newer version."
    if current is target:
        return f"This agreement is already {current.value}."
    if current is AgreementStatus.SUPERSEDED:
        return SUPERSEDED_EDIT
    if current is AgreementStatus.FINAL:
        return FINAL_EDIT
    return f"A draft cannot become {target.value}; finalise it first."


def new_version_problem(status: AgreementStatus, *, has_newer: bool) -> str | None:
    """A new version is made from the newest final version, and only once."""
    if has_newer:
        return "A newer version of this agreement already exists; change that one."
    if status is AgreementStatus.DRAFT:
        return "This agreement is still a draft; edit it instead of making a new version."
    if status is AgreementStatus.SUPERSEDED:
        return SUPERSEDED_EDIT
    return None


def parse_number(number: str) -> tuple[int, int] | None:
    """(year, sequence) of "AG-YYYY-NNNN", or None for anything else."""
    m = _NUMBER.match(number)
    return (int(m.group(1)), int(m.group(2))) if m else None


def next_number(existing: Iterable[str], year: int) -> str:
    """The next free number in ``year``: one past the highest already used that
    year (gaps left by deleted agreements are not reused), starting at 0001."""
    used = [seq for y, seq in filter(None, map(parse_number, existing)) if y == year]
    return f"{NUMBER_PREFIX}-{year:04d}-{max(used, default=0) + 1:04d}"


def display_number(number: str, version: int) -> str:
    """What the document prints: "AG-2026-0007", then "AG-2026-0007 v2", …"""
    return number if version <= 1 else f"{number} v{version}"


def points_from_text(text: str) -> list[str]:
    """One point per non-blank line, trimmed."""
    return [line.strip() for line in text.splitlines() if line.strip()]


def points_to_text(points: Iterable[str]) -> str:
    return "\n".join(" ".join(p.split()) for p in points if p.strip())


class _Dated(Protocol):
    @property
    def state(self) -> str: ...

    @property
    def due_on(self) -> date | None: ...


def is_overdue(c: _Dated, today: date) -> bool:
    return c.state == CommitmentState.OPEN and c.due_on is not None and c.due_on < today


def overdue_commitments(commitments: Iterable[_Dated], today: date) -> int:
    """Open commitments, ours and theirs, whose due date is before ``today``.
    A commitment due today is not overdue yet; kept or broken ones never are."""
    return sum(1 for c in commitments if is_overdue(c, today))


def review_title(number: str, client_name: str) -> str:
    return f"Review agreement {number} with {client_name}"


def commitment_title(side: Side, text: str) -> str:
    return f"Due ({Side(side).value}): {' '.join(text.split())}"


# --- the agreement as the timeline mentions it -------------------------------------

AGREED_PREFIX = "Repair agreed in writing: "
_STATE_WORDS = {
    AgreementStatus.DRAFT: "draft",
    AgreementStatus.FINAL: "final",
    AgreementStatus.SUPERSEDED: "superseded",
}


def agreed_entry(number: str, title: str) -> str:
    """The timeline's words when a repair ends in an agreement. No state: the state
    changes after the entry is written, so it is added when read (``live_entry``)."""
    return f"{AGREED_PREFIX}{number} \u201c{title}\u201d."


def live_entry(text: str, current: dict[str, tuple[int, AgreementStatus]]) -> str:
    """A timeline entry with the agreement it names in its state now.

    ``current`` maps an agreement number to its newest version and that version's
    status. Entries written before this rule carry the state they had then
    ("(draft)."); that stale word is replaced rather than contradicted.
    """
    if not text.startswith(AGREED_PREFIX):
        return text
    number = text[len(AGREED_PREFIX) :].split(" ", 1)[0]
    if number not in current:
        return text
    version, status = current[number]
    base = text.removesuffix(".").removesuffix(" (draft)").removesuffix(" (final)")
    which = f"version {version}, " if version > 1 else ""
    return f"{base} (now {which}{_STATE_WORDS[status]})."


_HEADING_MAX = 80


def context_parts(context: str) -> list[tuple[str, str]]:
    """An agreement's context as (heading, body) pairs; heading "" for plain prose.

    The repair wizard writes each part as its label on the first line and the words
    below it ("How Rafael sees it" / "…"); the PDF prints the label as a heading. A
    first line reads as a label only when more lines follow and it is short and
    unpunctuated, so a sentence the consultant typed stays a sentence.
    """
    out: list[tuple[str, str]] = []
    text = context.replace("\r\n", "\n").replace("\r", "\n").strip()
    for para in (p.strip("\n") for p in text.split("\n\n")):
        if not para.strip():
            continue
        head, _, rest = para.partition("\n")
        head = head.strip()
        if rest.strip() and len(head) <= _HEADING_MAX and not head.endswith(tuple(".!?:;,")):
            out.append((head, rest.strip()))
        else:
            out.append(("", para))
    return out
