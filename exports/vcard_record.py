"""Reading one card by vobject (the fallback every card can take) and turning vobject's
lines into a ContactRecord, with the label and unescaping rules the quick reader
shares. vobject is imported inside the functions that need it, never when the app
starts."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from typing import Any

from models.services.clients import Contact
from models.services.contact_rows import ContactRecord

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
    if "\\" not in text:
        return text.split(sep)  # nothing escaped: the common case, at C speed
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
    if "\\" not in text:
        return text
    return _ESCAPED.sub(_unescaped, text)


# A backslash and the character after it (a lone backslash at the end stays).
_ESCAPED = re.compile(r"\\(.)", re.DOTALL)


def _unescaped(m: re.Match[str]) -> str:
    nxt = m.group(1)
    return "\n" if nxt in "nN" else nxt


def _unescape_slowly(text: str) -> str:
    """The character-by-character reading _unescape's regex must agree with."""
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

