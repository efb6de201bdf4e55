"""The consultant's own details (the "us" party on every document) and the page
size documents print at: validated, stored as settings rows, read back.

A settings aggregate of its own, not an agreement use case: agreements, repair
records, the settings window, the demo and a JSON import all read or write it,
and none of them needs the agreement code to do so.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.db import Book
from models.documents import PageSize, Party
from models.entities import Setting
from models.images import size_problem
from models.limits import text_problem
from models.services.clients import EMAIL_SHAPE, PHONE_SHAPE, ValidationError

if TYPE_CHECKING:
    from models.services.work_settings import WorkSettings

SETTING_MAX = 300
ADDRESS_MAX = 1000
LOGO_MAX_BYTES = 512 * 1024
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


@dataclass(frozen=True)
class ConsultantSettings:
    """The consultant's own details (the "us" party) and how documents print."""

    name: str = ""
    business: str = ""
    address: str = ""
    email: str = ""
    phone: str = ""
    logo_png: bytes | None = None
    page_size: PageSize = PageSize.A4
    # The working week and date locale, when they come with the details (a JSON
    # import); None leaves the stored ones as they are.
    work: WorkSettings | None = None


_KEYS = {
    "name": "consultant.name",
    "business": "consultant.business",
    "address": "consultant.address",
    "email": "consultant.email",
    "phone": "consultant.phone",
    "logo_png": "consultant.logo_png",  # base64 of the PNG bytes
    "page_size": "print.page_size",
}


def consultant_party(me: ConsultantSettings) -> Party:
    """The consultant as every document names them (the "us" party)."""
    return Party(
        name=me.name,
        organisation=me.business,
        address=me.address,
        email=me.email,
        phone=me.phone,
    )


def validate_settings(data: ConsultantSettings) -> dict[str, str]:
    errors: dict[str, str] = {}
    for name in ("name", "business", "email", "phone"):
        if len(getattr(data, name)) > SETTING_MAX:
            errors[name] = f"Keep this under {SETTING_MAX} characters."
        elif problem := text_problem(getattr(data, name), multiline=False):
            errors[name] = problem
    if len(data.address) > ADDRESS_MAX:
        errors["address"] = f"Keep the address under {ADDRESS_MAX} characters."
    elif problem := text_problem(data.address):
        errors["address"] = problem
    if data.email and "email" not in errors and not EMAIL_SHAPE.match(data.email):
        errors["email"] = "That does not look like an email address (name@example.com)."
    if data.phone and "phone" not in errors and not PHONE_SHAPE.match(data.phone):
        errors["phone"] = "That does not look like a phone number."
    if data.logo_png is not None:
        if not data.logo_png.startswith(PNG_MAGIC):
            errors["logo_png"] = "The logo must be a PNG image."
        elif len(data.logo_png) > LOGO_MAX_BYTES:
            errors["logo_png"] = f"Keep the logo under {LOGO_MAX_BYTES // 1024} KB."
        elif problem := size_problem(data.logo_png, "This logo"):
            # A few KB can claim 12 000 x 12 000 pixels: the header says so before
            # anything decodes it (models/images.py).
            errors["logo_png"] = problem
    try:
        PageSize(data.page_size)
    except ValueError:
        errors["page_size"] = "Choose A4 or Letter."
    return errors


def get_settings(book: Book) -> ConsultantSettings:
    with book.reader() as s:
        return _settings(s)


def set_settings(book: Book, data: ConsultantSettings) -> None:
    cleaned = ConsultantSettings(
        name=" ".join(data.name.split()),
        business=" ".join(data.business.split()),
        address="\n".join(line.strip() for line in data.address.strip().splitlines()),
        email=data.email.strip(),
        phone=data.phone.strip(),
        logo_png=data.logo_png or None,
        page_size=data.page_size,
    )
    errors = validate_settings(cleaned)
    if errors:
        raise ValidationError(errors)
    with book.session() as s:
        set_settings_in(s, cleaned)


def set_settings_in(s: Session, cleaned: ConsultantSettings) -> None:
    """Store already-cleaned, already-checked settings inside the caller's unit of
    work: what the settings window, the demo and an import write."""
    for key, value in settings_values(cleaned).items():
        s.merge(Setting(key=key, value=value))


def settings_values(cleaned: ConsultantSettings) -> dict[str, str]:
    """The settings rows (key → stored text) for already-cleaned settings."""
    values = {
        "name": cleaned.name,
        "business": cleaned.business,
        "address": cleaned.address,
        "email": cleaned.email,
        "phone": cleaned.phone,
        "logo_png": base64.b64encode(cleaned.logo_png).decode("ascii") if cleaned.logo_png else "",
        "page_size": PageSize(cleaned.page_size).value,
    }
    rows = {_KEYS[name]: value for name, value in values.items()}
    if cleaned.work is not None:
        from models.services.work_settings import work_values

        rows |= work_values(cleaned.work)
    return rows


def read_settings(s: Session) -> ConsultantSettings:
    """The consultant's settings inside a session the caller owns."""
    return _settings(s)


def _settings(s: Session) -> ConsultantSettings:
    stored = dict(
        s.execute(select(Setting.key, Setting.value).where(Setting.key.in_(_KEYS.values()))).all()
    )

    def get(name: str) -> str:
        return stored.get(_KEYS[name], "")

    logo: bytes | None = None
    if get("logo_png"):
        try:
            logo = base64.b64decode(get("logo_png"), validate=True)
        except (binascii.Error, ValueError):
            logo = None
    try:
        page = PageSize(get("page_size"))
    except ValueError:
        page = PageSize.A4
    return ConsultantSettings(
        name=get("name"),
        business=get("business"),
        address=get("address"),
        email=get("email"),
        phone=get("phone"),
        logo_png=logo,
        page_size=page,
    )


def missing_details(me: ConsultantSettings) -> list[str]:
    """Which of the details a final agreement must name are still empty, in the
    words the consultant knows them by (name, business, email)."""
    return [
        label
        for label, value in (("name", me.name), ("business", me.business), ("email", me.email))
        if not value.strip()
    ]


def details_problem(me: ConsultantSettings) -> str | None:
    """Why an agreement cannot be made final yet for want of the consultant's details."""
    missing = missing_details(me)
    if not missing:
        return None
    words = missing[0] if len(missing) == 1 else ", ".join(missing[:-1]) + " and " + missing[-1]
    return (
        f"Add your {words} in Your details first: a final agreement names who it is "
        "from, and it cannot be changed afterwards."
    )


def stored_page_size(book: Book) -> PageSize | None:
    """The page size the consultant (or the app, once) chose; None before anyone did,
    so the app can pick one from the locale the first time instead of assuming A4."""
    with book.reader() as s:
        value = s.scalar(select(Setting.value).where(Setting.key == _KEYS["page_size"]))
    try:
        return PageSize(value) if value else None
    except ValueError:
        return None
