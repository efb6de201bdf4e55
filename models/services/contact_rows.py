"""The row rules of a contact import: what a record is, what the plan says of it, and
how one record becomes (or merges into) a client's input, or why it cannot.

Pure functions over records and ClientInput: no session, no SQL. The preview, the
dry run and the import all reach their verdicts through these, which is why they
sit apart from the passes that read the book (contacts.py) and the batched
writer (contact_writer.py)."""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from models.errors import RapportError
from models.limits import control_char, control_words, one_line_break
from models.services.clients import (
    ClientInput,
    Contact,
    validate_cleaned,
)
from models.text import digits_only

# (done, total): called now and then during long work. A caller that wants to stop
# raises ImportCancelled from it; an import then rolls back whole.
Progress = Callable[[int, int], None]


# Control characters are refused by the one rule of every edge (models/limits.py):
# no field of a contact holds one; notes keep tab and line breaks, which are text
# there. A row holding one is skipped, named in the preview with the field and the
# character, and the rest of the file imports: dropping the character quietly would
# change a contact without the user seeing what, and a file that holds one is
# often damaged or hostile (terminal escapes), which the user should hear about.
_FIELD_WORDS = {
    "name": "the name",
    "given": "the first name",
    "middle": "the middle name",
    "family": "the last name",
    "organisation": "the organisation",
    "role": "the role",
}


def control_problem(rec: ContactRecord) -> str:
    """Why ``rec`` is refused for a control character in one of its fields, or "".

    Checked at the edge, before any rule of ours sees the record, so the preview
    names the row and the field instead of the book storing what no one can see.
    Every field is looked at with one search first (almost no record has any), and
    field by field only to say which."""
    fields = [rec.name, rec.given, rec.middle, rec.family, rec.organisation, rec.role]
    fields += [c.value + c.label for c in rec.emails]
    fields += [c.value + c.label for c in rec.phones]
    if (
        control_char("".join(fields + rec.tags)) is None
        and control_char(rec.notes, multiline=True) is None
    ):
        return ""
    found: tuple[str, str] | None = None
    for attr, word in _FIELD_WORDS.items():
        if char := control_char(getattr(rec, attr)):
            found = (word, char)
            break
    else:
        if char := control_char(rec.notes, multiline=True):
            found = ("the notes", char)
        else:
            for what, contacts in (("an email", rec.emails), ("a phone number", rec.phones)):
                for c in contacts:
                    if char := (control_char(c.value) or control_char(c.label)):
                        found = (what, char)
                        break
                if found:
                    break
            else:
                for tag in rec.tags:
                    if char := control_char(tag):
                        found = ("a tag", char)
                        break
    if found is None:
        return ""
    where, char = found
    return (
        f"A{control_words(char)[1:]} in {where}: Rapport does not store control "
        "characters; fix the file and import again."
    )


class ContactFileError(RapportError, ValueError):
    """A contacts file that cannot be read at all; the book is never touched."""


class ImportCancelled(RapportError):
    """The user stopped an import; nothing of it was saved."""

    def __init__(self) -> None:
        super().__init__("The import was cancelled. Nothing was changed.")


class ImportFailed(RapportError):
    """The book refused a write half-way; the whole import was rolled back."""


class Action(enum.StrEnum):
    CREATE = "create"
    UPDATE = "update"
    UNCHANGED = "unchanged"
    SKIP = "skip"


@dataclass(slots=True)
class ContactRecord:
    """One contact as a file had it, before any rule of ours is applied."""

    # Where it is in the file, in the user's words ("row 4", "card 2").
    place: str
    name: str = ""
    given: str = ""
    middle: str = ""
    family: str = ""
    organisation: str = ""
    role: str = ""
    notes: str = ""
    emails: list[Contact] = field(default_factory=list)
    phones: list[Contact] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    # Set when this entry of the file could not be read; it is skipped with this.
    problem: str = ""

    def full_name(self) -> str:
        """The name as written, else built from its parts, else the organisation
        (address books keep companies as contacts with only that filled in)."""
        name = " ".join(self.name.split())
        if not name:
            name = " ".join(p for p in (self.given, self.middle, self.family) if p.strip())
            name = " ".join(name.split())
        return name or " ".join(self.organisation.split())


@dataclass(frozen=True, slots=True)
class PlannedRow:
    place: str
    name: str
    emails: tuple[str, ...]
    action: Action
    reason: str
    client_id: int | None = None
    data: ClientInput | None = None


@dataclass
class ImportPlan:
    rows: list[PlannedRow]
    created_ids: list[int] = field(default_factory=list)

    def count(self, *actions: Action) -> int:
        return sum(1 for r in self.rows if r.action in actions)

    @property
    def created(self) -> int:
        return self.count(Action.CREATE)

    @property
    def updated(self) -> int:
        return self.count(Action.UPDATE)

    @property
    def unchanged(self) -> int:
        return self.count(Action.UNCHANGED)

    @property
    def skipped(self) -> int:
        """Everything not written: already up to date, merged, or refused."""
        return self.count(Action.SKIP, Action.UNCHANGED)



# -- planning ---------------------------------------------------------------------


def _email_key(value: str) -> str:
    return value.strip().casefold()


def _phone_key(value: str) -> str:
    return digits_only(value) or value.strip().casefold()


def _unique(contacts: list[Contact], key: Callable[[str], str]) -> list[Contact]:
    if len(contacts) == 1:
        # Most records have one email and one phone: nothing to compare with.
        c = contacts[0]
        value = " ".join(c.value.split())
        if not value:
            return []
        label = c.label
        if " " in label or not label.isprintable() or label != label.strip():
            label = " ".join(label.split())
        return [c if value == c.value and label == c.label else Contact(value, label)]
    seen: set[str] = set()
    out: list[Contact] = []
    for c in contacts:
        value = " ".join(c.value.split())
        k = key(value)
        if value and k not in seen:
            seen.add(k)
            label = c.label
            if " " in label or not label.isprintable() or label != label.strip():
                label = " ".join(label.split())
            out.append(c if value == c.value and label == c.label else Contact(value, label))
    return out


def _email_keys(rec: ContactRecord) -> list[str]:
    """The keys ``_as_input(rec).emails`` would have, without building it."""
    return [_email_key(v) for c in rec.emails if (v := " ".join(c.value.split()))]


def _as_input(rec: ContactRecord) -> ClientInput:
    """The record as a client would be typed in, already as ``cleaned()`` leaves it
    (names and values trimmed, blanks and repeated tags dropped), so an import
    need not clean it again row by row."""
    tags: list[str] = []
    if rec.tags:
        seen: set[str] = set()
        for t in rec.tags:
            t = " ".join(t.split())
            if t and (key := t.casefold()) not in seen:
                seen.add(key)
                tags.append(t)
    return ClientInput(
        name=rec.full_name(),
        organisation=" ".join(rec.organisation.split()),
        role=" ".join(rec.role.split()),
        emails=_unique(rec.emails, _email_key) if rec.emails else [],
        phones=_unique(rec.phones, _phone_key) if rec.phones else [],
        tags=tags,
        notes=one_line_break(rec.notes.strip()),
    )


@dataclass
class _Merge:
    """``merged`` is ``base`` with another input's new bits added; ``added`` says which."""

    merged: ClientInput
    added: list[str]


def _merge(base: ClientInput, extra: ClientInput) -> _Merge:
    """Add what ``extra`` knows and ``base`` does not; never overwrite a value."""
    added: list[str] = []
    values = {}
    for name in ("name", "organisation", "role", "notes"):
        mine, theirs = getattr(base, name), getattr(extra, name)
        if not mine.strip() and theirs.strip():
            values[name] = theirs
            added.append(name)
    emails = _unique([*base.emails, *extra.emails], _email_key)
    phones = _unique([*base.phones, *extra.phones], _phone_key)
    known_tags = {t.casefold() for t in base.tags}
    new_tags = []
    for t in extra.tags:
        if t.casefold() not in known_tags:
            known_tags.add(t.casefold())
            new_tags.append(t)
    new_emails = len(emails) - len(_unique(base.emails, _email_key))
    new_phones = len(phones) - len(_unique(base.phones, _phone_key))
    if new_emails:
        added.append(_plural(new_emails, "email"))
    if new_phones:
        added.append(_plural(new_phones, "phone number"))
    if new_tags:
        added.append(_plural(len(new_tags), "tag"))
    if not added:
        return _Merge(base, [])
    merged = replace(
        base,
        emails=emails if new_emails else list(base.emails),
        phones=phones if new_phones else list(base.phones),
        tags=[*base.tags, *new_tags],
        **values,
    )
    return _Merge(merged, added)


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _what_is_added(added: list[str]) -> str:
    fields = [a for a in added if a in ("name", "organisation", "role", "notes")]
    counts = [a for a in added if a not in fields]
    parts = []
    if counts:
        parts.append("adds " + ", ".join(counts))
    if fields:
        parts.append("fills in " + ", ".join(fields))
    text = "; ".join(parts)
    return text[:1].upper() + text[1:] + "."


def _refusal(data: ClientInput) -> str | None:
    """Why ``data`` could not be saved, in one line, or None when it can."""
    return _checked(data)[1]


def _checked(data: ClientInput, clean: bool = True) -> tuple[ClientInput, str | None]:
    """``data`` cleaned, and why it could not be saved (None when it can). Input
    straight from ``_as_input`` is clean already (``clean=False``)."""
    cleaned = data.cleaned() if clean else data
    errors = validate_cleaned(cleaned)
    if not errors:
        return cleaned, None
    if "name" in errors and not data.name.strip():
        return cleaned, "It has no name (nor an organisation) to file it under."
    return cleaned, " ".join(dict.fromkeys(errors.values()))

