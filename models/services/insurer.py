"""The consultant's professional indemnity insurer, kept in Settings so a notice is
quick: read, checked and stored as settings rows.

A settings aggregate like the consultant's details (consultant.py), not a repair
use case: the Settings window edits it with no plan in sight, and a plan only
reads it to fill the insurer ending and writes it back when that ending is chosen.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from models.db import Book
from models.entities import Setting
from models.services.clients import ValidationError

INSURER_KEYS = {
    "insurer_name": "insurer.name",
    "insurer_policy": "insurer.policy",
    "insurer_contact": "insurer.contact",
}


@dataclass(frozen=True)
class InsurerDetails:
    name: str = ""
    policy: str = ""
    contact: str = ""


def get_insurer(book: Book) -> InsurerDetails:
    with book.reader() as s:
        stored = insurer_settings(s)
    return InsurerDetails(
        name=stored["insurer_name"],
        policy=stored["insurer_policy"],
        contact=stored["insurer_contact"],
    )


def set_insurer(book: Book, details: InsurerDetails) -> None:
    """The professional indemnity insurer, kept in Settings so a notice is quick."""
    values = {
        "insurer_name": " ".join(details.name.split()),
        "insurer_policy": " ".join(details.policy.split()),
        "insurer_contact": details.contact.strip(),
    }
    errors = {k: "Keep this under 1000 characters." for k, v in values.items() if len(v) > 1000}
    if errors:
        raise ValidationError(errors)
    with book.session() as s:
        for name, value in values.items():
            s.merge(Setting(key=INSURER_KEYS[name], value=value))


def insurer_settings(s: Any) -> dict[str, str]:
    """The stored insurer fields by answer name, "" where unset: a new plan starts from them."""
    stored = dict(
        s.execute(
            select(Setting.key, Setting.value).where(Setting.key.in_(INSURER_KEYS.values()))
        ).all()
    )
    return {name: stored.get(key, "") for name, key in INSURER_KEYS.items()}
