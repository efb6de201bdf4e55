"""Contacts as vCard (2.1 from old Androids, 3.0 from Apple, 4.0 from newer tools).

The parsing itself is vobject's: it unfolds lines, decodes quoted-printable
(with its ``allowQP`` mode, soft line breaks included) and unescapes values.
vobject is imported inside the functions that need it, never when the app starts.

A file is cut into cards before vobject sees it, one card at a time, so one
damaged card is reported as skipped, with its number, instead of ending the
whole file there.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from exports.contacts_io import (
    MAX_CONTACTS,
    MAX_FIELD_BYTES,
    ContactFormat,
    decode_text,
    mixed_encoding_warning,
)
from models import __version__
from models.services.clients import ClientDetail, Contact
from models.services.contacts import ContactFileError, ContactRecord, Progress

_BEGIN = re.compile(r"^begin[ \t]*:[ \t]*vcard[ \t]*$", re.IGNORECASE)
_END = re.compile(r"^end[ \t]*:[ \t]*vcard[ \t]*$", re.IGNORECASE)
# Type words that say nothing a person would choose as a label.
_NOISE_TYPES = {"internet", "pref", "voice", "x400", "msg", "text", "uri"}
_TYPE_LABELS = {
    "cell": "mobile",
    "mobile": "mobile",
    "iphone": "mobile",
    "work": "work",
    "home": "home",
    "other": "other",
    "fax": "fax",
    "pager": "pager",
    "main": "work",
}


@dataclass
class VCardContacts:
    """The cards of a vCard file, already read."""

    cards: list[ContactRecord]
    encoding: str
    path: Path | None = None
    warnings: list[str] = field(default_factory=list)

    @property
    def format(self) -> ContactFormat:
        return ContactFormat.VCARD

    def records(self) -> list[ContactRecord]:
        return list(self.cards)


# Properties that hold binary data (a photo, a logo, a sound, a key): nothing a
# client keeps. They are dropped line by line before vobject sees the card, so an
# 8 MB photo is never unfolded, decoded or held twice.
_BINARY = frozenset({"PHOTO", "LOGO", "SOUND", "KEY"})
_NAME_OF = re.compile(r"^(?:[A-Za-z0-9\-]+\.)?([A-Za-z0-9\-]+)[;:]")


@dataclass
class CardText:
    """One card's text as vobject will read it, or why it will not be read."""

    number: int
    text: str | None
    problem: str = ""


def split_cards(text: str) -> list[tuple[int, str | None]]:
    """Each card's text by its number in the file; None for one that never ends
    (or holds a property too large to be a contact's detail)."""
    return [(c.number, c.text) for c in cut_cards(text)]


def cut_cards(text: str) -> list[CardText]:
    """The file cut into cards, binary properties dropped and others capped."""
    cards: list[CardText] = []
    current: list[str] | None = None
    dropping = False  # inside a PHOTO (or the like): skip to the next property
    size = 0  # of the property being read, folded lines and all
    too_big = ""
    # Not str.splitlines: it also splits on form feeds and U+2028 inside values.
    for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        starts_property = not line[:1].isspace()
        if starts_property and _BEGIN.match(line.strip()):
            if current is not None:
                cards.append(CardText(len(cards) + 1, None, "This card is cut off (no END:VCARD)."))
            current, dropping, size, too_big = ["BEGIN:VCARD"], False, 0, ""
        elif current is not None and starts_property and _END.match(line.strip()):
            number = len(cards) + 1
            if too_big:
                cards.append(CardText(number, None, too_big))
            else:
                current.append("END:VCARD")
                cards.append(CardText(number, "\r\n".join(current) + "\r\n"))
            current = None
            if len(cards) > MAX_CONTACTS:
                raise ContactFileError(
                    f"The file has more than {MAX_CONTACTS:,} cards; import it in parts "
                    f"of up to {MAX_CONTACTS:,}."
                )
        elif current is not None:
            head = _NAME_OF.match(line) if starts_property else None
            if head is not None:
                dropping = head.group(1).upper() in _BINARY
                size = 0
            if dropping or too_big:
                continue
            size += len(line)
            if size > MAX_FIELD_BYTES:
                name = head.group(1).upper() if head is not None else "a property"
                too_big = (
                    f"This card has a field ({name}) over {MAX_FIELD_BYTES // 1024} KB, "
                    "which is not a contact's detail; the card is not read."
                )
                current = []
                continue
            current.append(_upper_qp(line))
    if current is not None:
        cards.append(CardText(len(cards) + 1, None, "This card is cut off (no END:VCARD)."))
    return cards


_PROPERTY_HEAD = re.compile(r"^[A-Za-z0-9.\-]+;[^:]*:")


def _upper_qp(line: str) -> str:
    """vobject only decodes "QUOTED-PRINTABLE" in capitals; Android also writes
    "encoding=quoted-printable". Only a property's parameters are touched."""
    head = _PROPERTY_HEAD.match(line)
    if head is None or "quoted-printable" not in head.group().casefold():
        return line
    fixed = re.sub("quoted-printable", "QUOTED-PRINTABLE", head.group(), flags=re.IGNORECASE)
    return fixed + line[head.end() :]


def parse_vcards(
    data: bytes, *, path: Path | None = None, progress: Progress | None = None
) -> VCardContacts:
    """Every card in a vCard file; ContactFileError when none can be read at all."""
    name = path.name if path is not None else "The file"
    text, encoding = decode_text(data, name)
    warning = mixed_encoding_warning(text)
    try:
        chunks = cut_cards(text)
    except ContactFileError as exc:
        raise ContactFileError(str(exc).replace("The file", name, 1)) from None
    del text
    if not chunks:
        raise ContactFileError(f"{name} is not a vCard file: there is no contact card in it.")

    records: list[ContactRecord] = []
    for card_text in chunks:
        n, chunk = card_text.number, card_text.text
        if progress is not None and n % 100 == 0:
            progress(n, len(chunks))
        place = f"card {n}"
        if chunk is None:
            records.append(ContactRecord(place, problem=card_text.problem))
            continue
        try:
            records.append(_record(place, _read_card(chunk)))
        # vobject raises many kinds of errors on malformed input (ParseError,
        # UnicodeDecodeError from a bad charset, ValueError, LookupError, ...);
        # each becomes this card's reason to be skipped, shown to the user.
        except Exception as exc:
            records.append(
                ContactRecord(place, problem=f"This card could not be read: {_why(exc)}")
            )
    if all(r.problem for r in records):
        if len(records) > 1:
            raise ContactFileError(f"{name} could not be read: none of its cards makes sense.")
        why = records[0].problem
        raise ContactFileError(f"{name} could not be read. {why}")
    return VCardContacts(records, encoding, path, [w for w in (warning,) if w])


# vobject decodes the values of a component it knows (VCARD) by vCard 3.0's rules,
# which cut a 2.1 value at its first bare comma. Under a name it does not know, it
# still unfolds lines, reads parameters and decodes quoted-printable, but leaves
# each value as written; _record then unescapes by the card's own version.
_RAW_NAME = "X-RAPPORT-CARD"


@dataclass(slots=True)
class _Line:
    """The little of vobject's ContentLine that _record reads, built without its
    per-attribute hooks (those were half the time of reading a card)."""

    name: str
    group: str | None
    value: str
    params: dict[str, list[str]]
    singletonparams: list[str]


class _Card:
    def __init__(self, lines: list[Any]) -> None:
        self._lines = lines

    def getChildren(self) -> list[Any]:  # noqa: N802 - vobject's name
        return self._lines


def _read_card(chunk: str) -> Any:
    """One card as vobject.readOne(transform=False) reads it, at a fraction of the cost.

    vobject's own line reading and parsing (getLogicalLines, parseLine) are used
    as they are, and a quoted-printable line still becomes vobject's ContentLine,
    so values come out the same. Only the component around them is skipped; any
    card that needs more (a nested BEGIN, an odd first or last line) is read by
    vobject whole, as before."""
    import vobject
    from vobject.base import getLogicalLines, parseLine, textLineToContentLine

    text = _unregistered(chunk)
    logical = list(getLogicalLines(io.StringIO(text), True))
    if (
        len(logical) < 2
        or logical[0][0] != f"BEGIN:{_RAW_NAME}"
        or logical[-1][0] != f"END:{_RAW_NAME}"
    ):
        return vobject.readOne(text, transform=False, allowQP=True)
    grouped: dict[str, list[Any]] = {}
    for line, n in logical[1:-1]:
        name, params, value, group = parseLine(line, n)
        upper = name.upper()
        if upper in ("BEGIN", "END", "PROFILE"):
            return vobject.readOne(text, transform=False, allowQP=True)
        table: dict[str, list[str]] = {}
        singles: list[str] = []
        for p in params:
            if len(p) == 1:
                singles += p
            else:
                table.setdefault(p[0].upper(), []).extend(p[1:])
        if "QUOTED-PRINTABLE" in singles or "QUOTED-PRINTABLE" in table.get("ENCODING", ()):
            vline: Any = textLineToContentLine(line, n)
        else:
            vline = _Line(upper, group, value, table, singles)
        grouped.setdefault(upper.lower(), []).append(vline)
    return _Card([ln for lines in grouped.values() for ln in lines])


def _unregistered(card: str) -> str:
    body = card.split("\r\n", 1)[1].rsplit("END:VCARD", 1)[0]
    return f"BEGIN:{_RAW_NAME}\r\n{body}END:{_RAW_NAME}\r\n"


def _why(exc: Exception) -> str:
    text = " ".join(str(exc).split())[:120] or type(exc).__name__
    return text if text.endswith(".") else text + "."


def _raw(line: Any) -> str:
    """The line's value as text; anything else (bytes, None, a list) is no text of a
    contact's and becomes "", never "None" or "[...]" stored as a name or a note."""
    value = line.value
    return value if isinstance(value, str) else ""


def _split(text: str, sep: str) -> list[str]:
    """Split on ``sep`` where it is not backslash-escaped (N, ORG, CATEGORIES)."""
    parts, current, i = [], [], 0
    while i < len(text):
        ch = text[i]
        if ch == "\\" and i + 1 < len(text):
            current.append(text[i : i + 2])
            i += 2
            continue
        if ch == sep:
            parts.append("".join(current))
            current = []
        else:
            current.append(ch)
        i += 1
    parts.append("".join(current))
    return parts


def _unescape(text: str, modern: bool) -> str:
    """vCard 3.0 and 4.0 escape \\n \\, \\; and \\\\; version 2.1 escapes only \\; and
    leaves commas bare (vobject's own decoding cuts a 2.1 value at its first comma,
    which is why values are read raw and unescaped here)."""
    if not modern:
        return text.replace("\\;", ";")
    out, i = [], 0
    while i < len(text):
        ch = text[i]
        if ch == "\\" and i + 1 < len(text):
            nxt = text[i + 1]
            out.append("\n" if nxt in "nN" else nxt)
            i += 2
        else:
            out.append(ch)
            i += 1
    return "".join(out)


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _types(line: Any) -> list[str]:
    raw: list[str] = []
    for v in line.params.get("TYPE", []):
        raw += str(v).split(",")
    raw += [str(v) for v in getattr(line, "singletonparams", [])]
    return [t.strip().strip('"').casefold() for t in raw if t.strip()]


def _label(line: Any, group_labels: dict[str, str]) -> str:
    group = (line.group or "").casefold()
    if group and group in group_labels:
        return group_labels[group]
    for t in _types(line):
        if t in _TYPE_LABELS:
            return _TYPE_LABELS[t]
    others = [t for t in _types(line) if t not in _NOISE_TYPES and not t.startswith("x-")]
    return others[0][:60] if others else ""


def _apple_label(value: str) -> str:
    """Apple writes its own labels as "_$!<Mobile>!$_"; a custom one as plain text."""
    m = re.fullmatch(r"_\$!<(.*)>!\$_", value.strip())
    word = (m.group(1) if m else value).strip().casefold()
    return _TYPE_LABELS.get(word, word)[:60]


def _record(place: str, card: Any) -> ContactRecord:
    rec = ContactRecord(place)
    lines = list(card.getChildren())
    version = next((_raw(ln).strip() for ln in lines if ln.name == "VERSION"), "3.0")
    modern = version != "2.1"

    def text(ln: Any) -> str:
        return _unescape(_raw(ln), modern)

    def parts(ln: Any, sep: str) -> list[str]:
        return [_one_line(_unescape(p, modern)) for p in _split(_raw(ln), sep)]

    group_labels = {
        (ln.group or "").casefold(): _apple_label(text(ln))
        for ln in lines
        if ln.name == "X-ABLABEL" and ln.group
    }
    notes: list[str] = []
    for ln in lines:
        name = ln.name
        if name == "FN":
            rec.name = rec.name or _one_line(text(ln))
        elif name == "N":
            family, given, middle = (parts(ln, ";") + ["", "", ""])[:3]
            rec.family, rec.given, rec.middle = family, given, middle
        elif name == "ORG":
            rec.organisation = rec.organisation or parts(ln, ";")[0]
        elif name in ("TITLE", "ROLE"):
            rec.role = rec.role or _one_line(text(ln))
        elif name == "EMAIL":
            value = re.sub(r"^mailto:", "", _one_line(text(ln)), flags=re.IGNORECASE)
            if value:
                rec.emails.append(Contact(value, _label(ln, group_labels)))
        elif name == "TEL":
            value = re.sub(r"^tel:", "", _one_line(text(ln)), flags=re.IGNORECASE)
            if value:
                rec.phones.append(Contact(value, _label(ln, group_labels)))
        elif name == "NOTE":
            note = text(ln).replace("\r\n", "\n").replace("\r", "\n").strip()
            if note:
                notes.append(note)
        elif name == "CATEGORIES":
            rec.tags += [t[:80] for t in parts(ln, ",") if t]
    rec.notes = "\n".join(notes)
    return rec


# -- writing ------------------------------------------------------------------------


def _split_name(name: str) -> tuple[str, str]:
    """(family, given) for N, which vCard 3.0 requires; FN keeps the name as typed.

    Rapport keeps one name field, so this is a guess: the last word is the family
    name. Apps show FN, so the guess only matters to those that sort by N.
    """
    words = name.split()
    if len(words) < 2:
        return name, ""
    return words[-1], " ".join(words[:-1])


def _type_param(label: str, base: Sequence[str]) -> list[str]:
    word = {"mobile": "CELL", "work": "WORK", "home": "HOME"}.get(label.casefold())
    return [*base, word] if word else list(base)


def vcard_bytes(clients: Iterable[ClientDetail]) -> bytes:
    """Clients as vCard 3.0, one card each, UTF-8 (vobject folds and escapes)."""
    import vobject

    out: list[str] = []
    for c in clients:
        card = vobject.vCard()
        card.add("version").value = "3.0"
        card.add("prodid").value = f"-//Rapport//Rapport {__version__}//EN"
        card.add("uid").value = c.uid
        card.add("fn").value = c.name
        family, given = _split_name(c.name)
        card.add("n").value = vobject.vcard.Name(family=family, given=given)
        if c.organisation:
            card.add("org").value = [c.organisation]
        if c.role:
            card.add("title").value = c.role
        for e in c.emails:
            line = card.add("email")
            line.value = e.value
            line.type_paramlist = _type_param(e.label, ["INTERNET"])
        for p in c.phones:
            line = card.add("tel")
            line.value = p.value
            types = _type_param(p.label, [])
            if types:
                line.type_paramlist = types
        if c.notes:
            card.add("note").value = c.notes
        if c.tags:
            card.add("categories").value = list(c.tags)
        out.append(card.serialize())
    return "".join(out).encode("utf-8")
