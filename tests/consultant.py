"""The consultant's own details, as a book needs them before an agreement can be
made final (issue 17: finalising is refused without a name, business and email).
Qt-free, so unit tests can use it."""

from __future__ import annotations

from models.db import Book
from models.services.consultant import ConsultantSettings, get_settings, set_settings

DETAILS = ConsultantSettings(
    name="Mia Consultant", business="Mia Advisory", email="mia@example.com"
)


def give_details(book: Book, **kept: object) -> None:
    """Fill in name, business and email where they are empty; keep what is set."""
    from dataclasses import replace

    now = get_settings(book)
    set_settings(
        book,
        replace(
            now,
            name=now.name or DETAILS.name,
            business=now.business or DETAILS.business,
            email=now.email or DETAILS.email,
            **kept,
        ),
    )
