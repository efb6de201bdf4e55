"""Which column of a contacts CSV means what: the header sets Google Contacts and
Outlook write, the ones they write that hold nothing a client keeps, and the
guess made from a header row.

Apart from reading rows (contacts_csv.py) because it grows with every address
book's export we learn, never with how a file is read; the import dialog's column
menu needs only this."""

from __future__ import annotations

import enum
import re
from collections.abc import Sequence
from dataclasses import dataclass


class Field(enum.StrEnum):
    """What a column holds, as far as a client in Rapport is concerned."""

    IGNORE = "ignore"
    NAME = "name"
    GIVEN = "given"
    MIDDLE = "middle"
    FAMILY = "family"
    EMAIL = "email"
    PHONE = "phone"
    ORGANISATION = "organisation"
    ROLE = "role"
    NOTES = "notes"
    TAGS = "tags"


FIELD_LABELS: dict[Field, str] = {
    Field.IGNORE: "Don’t import",
    Field.NAME: "Full name",
    Field.GIVEN: "First name",
    Field.MIDDLE: "Middle name",
    Field.FAMILY: "Last name",
    Field.EMAIL: "Email",
    Field.PHONE: "Phone",
    Field.ORGANISATION: "Organisation",
    Field.ROLE: "Role",
    Field.NOTES: "Notes",
    Field.TAGS: "Tags",
}


@dataclass(frozen=True)
class ColumnRole:
    field: Field
    # The label its emails or phones get ("mobile" for Outlook's Mobile Phone) ...
    label: str = ""
    # ... or the column beside it that says (Google's "E-mail 1 - Label").
    label_column: int | None = None
    # False for a header we have never seen: the user is asked about it.
    known: bool = True


def _key(header: str) -> str:
    return " ".join(header.replace("\ufeff", "").strip().strip('"').casefold().split())


_NAMED: dict[str, tuple[Field, str]] = {
    "name": (Field.NAME, ""),
    "full name": (Field.NAME, ""),
    "display name": (Field.NAME, ""),
    "given name": (Field.GIVEN, ""),
    "first name": (Field.GIVEN, ""),
    "additional name": (Field.MIDDLE, ""),
    "middle name": (Field.MIDDLE, ""),
    "family name": (Field.FAMILY, ""),
    "last name": (Field.FAMILY, ""),
    "surname": (Field.FAMILY, ""),
    "organization 1 - name": (Field.ORGANISATION, ""),
    "organization name": (Field.ORGANISATION, ""),
    "organization": (Field.ORGANISATION, ""),
    "organisation": (Field.ORGANISATION, ""),
    "company": (Field.ORGANISATION, ""),
    "organization 1 - title": (Field.ROLE, ""),
    "organization title": (Field.ROLE, ""),
    "job title": (Field.ROLE, ""),
    "role": (Field.ROLE, ""),
    "notes": (Field.NOTES, ""),
    "labels": (Field.TAGS, ""),
    "group membership": (Field.TAGS, ""),
    "categories": (Field.TAGS, ""),
    "tags": (Field.TAGS, ""),
    "email": (Field.EMAIL, ""),
    "e-mail": (Field.EMAIL, ""),
    "email address": (Field.EMAIL, ""),
    "e-mail address": (Field.EMAIL, ""),
    "e-mail 2 address": (Field.EMAIL, ""),
    "e-mail 3 address": (Field.EMAIL, ""),
    "phone": (Field.PHONE, ""),
    "telephone": (Field.PHONE, ""),
    "primary phone": (Field.PHONE, ""),
    "mobile phone": (Field.PHONE, "mobile"),
    "mobile": (Field.PHONE, "mobile"),
    "home phone": (Field.PHONE, "home"),
    "home phone 2": (Field.PHONE, "home"),
    "business phone": (Field.PHONE, "work"),
    "business phone 2": (Field.PHONE, "work"),
    "company main phone": (Field.PHONE, "work"),
    "other phone": (Field.PHONE, "other"),
    "car phone": (Field.PHONE, "car"),
    "assistant's phone": (Field.PHONE, "assistant"),
}

# Headers Google and Outlook write that hold nothing a client here keeps.
_IGNORED_WORDS = {
    "title",
    "suffix",
    "initials",
    "web page",
    "gender",
    "birthday",
    "anniversary",
    "location",
    "language",
    "internet free busy",
    "e-mail type",
    "e-mail display name",
    "e-mail 2 type",
    "e-mail 2 display name",
    "e-mail 3 type",
    "e-mail 3 display name",
    "pager",
    "home fax",
    "business fax",
    "other fax",
    "callback",
    "radio phone",
    "telex",
    "tty/tdd phone",
    "isdn",
    "account",
    "assistant's name",
    "billing information",
    "business address po box",
    "children",
    "directory server",
    "government id number",
    "hobby",
    "home address po box",
    "keywords",
    "manager's name",
    "mileage",
    "office location",
    "organizational id number",
    "other address po box",
    "priority",
    "private",
    "profession",
    "referred by",
    "sensitivity",
    "spouse",
    "user 1",
    "user 2",
    "user 3",
    "user 4",
    "department",
    "nickname",
    "given yomi",
    "surname yomi",
    "company yomi",
    "imaddress",
    "personal web page",
    "schools",
    "yomi name",
    "given name yomi",
    "additional name yomi",
    "family name yomi",
    "name prefix",
    "name suffix",
    "short name",
    "maiden name",
    "occupation",
    "subject",
    "photo",
    "file as",
    "phonetic first name",
    "phonetic middle name",
    "phonetic last name",
    "organization department",
}
_IGNORED_PATTERN = re.compile(
    r"^(?:(?:business|home|other) (?:street(?: \d)?|city|state|postal code|country/region)"
    r"|(?:address|organization|website|relation|event|custom field|im|external id|"
    r"e-?mail|phone) \d+ - .+)$"
)
_EMAIL_VALUE = re.compile(r"^e-?mail (\d+) - value$")
_PHONE_VALUE = re.compile(r"^phone (\d+) - value$")


def guess_roles(header: Sequence[str]) -> list[ColumnRole]:
    """What each column holds, from its header; unknown ones are left for the user."""
    keys = [_key(h) for h in header]
    where = {k: i for i, k in reversed(list(enumerate(keys)))}
    roles: list[ColumnRole] = []
    for k in keys:
        if k in _NAMED:
            fld, label = _NAMED[k]
            roles.append(ColumnRole(fld, label))
        elif m := _EMAIL_VALUE.match(k):
            n = m.group(1)
            partner = where.get(f"e-mail {n} - label", where.get(f"e-mail {n} - type"))
            partner = partner if partner is not None else where.get(f"email {n} - label")
            roles.append(ColumnRole(Field.EMAIL, label_column=partner))
        elif m := _PHONE_VALUE.match(k):
            n = m.group(1)
            partner = where.get(f"phone {n} - label", where.get(f"phone {n} - type"))
            roles.append(ColumnRole(Field.PHONE, label_column=partner))
        elif k in _IGNORED_WORDS or _IGNORED_PATTERN.match(k):
            roles.append(ColumnRole(Field.IGNORE))
        else:
            roles.append(ColumnRole(Field.IGNORE, known=False))
    return roles

