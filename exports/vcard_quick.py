"""The quick reading of a card: plain and simply folded cards split by regex in one pass,
giving the same records as vobject (tests/test_vcard_quick.py holds them to it), and
the keys alone (card_identity, card_keys) for an import's first pass.

Apart from vcard_record, whose rules (labels, unescaping) it shares, so the two
readings cannot drift apart without the equivalence tests seeing it."""

from __future__ import annotations

import functools
import re

from exports.vcard_cut import CardText
from exports.vcard_record import (
    _NOISE_TYPES,
    _TYPE_LABELS,
    _apple_label,
    _one_line,
    _split,
    _unescape,
)
from models.services.clients import Contact
from models.services.contact_rows import ContactRecord

# A card whose every line is ``[group.]NAME[;PARAM[=VALUE[,VALUE]]]...:value`` with
# no folding, no backslash, no control character and no quoted-printable reads
# the same by a plain split as by vobject: nothing in it is unfolded, decoded or
# unescaped, and no field of it can hold a control character. BEGIN, END and
# PROFILE inside a card send vobject down another path, so they are not plain.
_PLAIN_LINE = (
    r"(?:[A-Za-z0-9-]+\.)?(?!(?i:begin|end|profile)[;:])[A-Za-z0-9-]+"
    r"(?:;[A-Za-z0-9-]+(?:=[A-Za-z0-9-]+(?:,[A-Za-z0-9-]+)*)?)*"
    r":[^\\\x00-\x1f\x7f-\x9f]*\r\n"
)
_PLAIN_BODY = re.compile(f"(?:{_PLAIN_LINE})*")
_QP_ANYWHERE = re.compile("printable", re.IGNORECASE)
_IDENTITY_NAMES = frozenset({"FN", "N", "ORG", "EMAIL"})
_CARD_HEAD, _CARD_TAIL = "BEGIN:VCARD\r\n", "END:VCARD\r\n"


def card_identity(card_text: CardText) -> ContactRecord | None:
    """What ``card_record`` gives for name, given, middle, family, organisation and
    emails, by a scan of a plain card's FN, N, ORG and EMAIL lines; None for a card
    that is not plain (then only vobject's reading says what it holds).

    An import's first pass needs only these keys; reading every card whole for them
    made 100 000 vCards cost twice what they cost to import."""
    if card_text.text is None:
        return ContactRecord(f"card {card_text.number}", problem=card_text.problem)
    body = _plain_body(card_text.text, card_text.strict)
    if body is None:
        return None
    return _identity_of(f"card {card_text.number}", body, "\r\n")


def plain_keys(number: int, body: str) -> list[str] | ContactRecord:
    """The keys ``card_keys`` gives (each email as Survey.add keys it: casefolded) of
    a card cut whole (CardText.strict) that is neither folded nor escaped, or, when it
    has no email, ``card_identity``; from its body as cut, lines ending in LF. The
    count pass so reads 100 000 cards without making a text, a record or a Contact
    for each."""
    keys = []
    for value in _EMAIL_VALUE_LF.findall("\n" + body):
        email = " ".join(value.split())
        if email[:1] in "mM":
            email = _MAILTO.sub("", email)
        if email:
            keys.append(email.casefold())
    if keys:
        return keys
    return _identity_of(f"card {number}", body, "\n")


def _identity_of(place: str, body: str, sep: str) -> ContactRecord:
    """FN, N, ORG and EMAIL of a plain body whose lines end in ``sep``."""
    rec = ContactRecord(place)
    # A plain line is [group.]NAME[;PARAM...]:value with no colon before the value's.
    for line in body.split(sep)[:-1]:
        head, _, value = line.partition(":")
        semi = head.find(";")
        name = (head if semi < 0 else head[:semi]).upper()
        if "." in name:
            name = name.split(".")[1]
        if name not in _IDENTITY_NAMES:
            continue
        if name == "FN":
            rec.name = rec.name or _one_line(value)
        elif name == "N":
            family, given, middle = ([_one_line(p) for p in value.split(";")] + ["", "", ""])[:3]
            rec.family, rec.given, rec.middle = family, given, middle
        elif name == "ORG":
            rec.organisation = rec.organisation or _one_line(value.split(";")[0])
        else:
            email = _MAILTO.sub("", _one_line(value))
            if email:
                rec.emails.append(Contact(email, ""))
    return rec

_MAILTO = re.compile(r"^mailto:", re.IGNORECASE)
# A plain card's EMAIL lines and their values (a plain line has no colon before
# its value's, and one group at most).
_EMAIL_VALUE = re.compile(
    r"^(?:[A-Za-z0-9-]+\.)?EMAIL(?:;[^:\r\n]*)?:([^\r\n]*)\r$",
    re.IGNORECASE | re.MULTILINE | re.ASCII,
)
# The same, over LF and a body as it is cut (lines ending in LF, no CR anywhere).
# Starting with a literal LF (not ^ in MULTILINE mode) and spelling EMAIL's case by
# classes lets the regex engine jump from line to line instead of trying every
# position of the card: half the cost of finding a card's emails.
_EMAIL_VALUE_LF = re.compile(
    r"\n(?:[A-Za-z0-9-]+\.)?[Ee][Mm][Aa][Ii][Ll](?:;[^:\n]*)?:([^\n]*)", re.ASCII
)


def card_keys(card_text: CardText) -> ContactRecord | None:
    """``card_identity``'s emails alone, by one search of a plain card, or None for
    a card with no email (its name is then a key) or one that is not plain. An
    import's first pass needs no more of a card that has an email: its keys are
    its emails, and a plain card holds no control character."""
    if card_text.text is None:
        return None
    body = _plain_body(card_text.text, card_text.strict)
    if body is None:
        return None
    emails = [
        Contact(email, "")
        for value in _EMAIL_VALUE.findall(body)
        if (email := _MAILTO.sub("", _one_line(value)))
    ]
    return ContactRecord(f"card {card_text.number}", emails=emails) if emails else None


def _plain_body(text: str, strict: bool = False) -> str | None:
    """The lines between BEGIN and END of a plain card (each ending in CRLF), or None.
    A ``strict`` card (CardText.strict) is plain when it is neither folded nor
    escaped."""
    if not (text.startswith(_CARD_HEAD) and text.endswith(_CARD_TAIL)):
        return None
    body = text[len(_CARD_HEAD) : -len(_CARD_TAIL)]
    if strict and "\\" not in body and "\r\n " not in body and "\r\n\t" not in body:
        return body
    if _PLAIN_BODY.fullmatch(body) is None or _QP_ANYWHERE.search(body) is not None:
        return None
    return body


# What the quick reading takes: a card whose every line, once unfolded, is
# ``[group.]NAME[;PARAM[=VALUE[,VALUE]]]...:value`` with no control character,
# no quoted-printable anywhere and no blank line. Folding and backslash escapes
# are allowed: vobject (read raw, see _RAW_NAME) only unfolds such a card, and
# _record unescapes by the card's version, which _quick_record does the same way.
_QUICK_LINE = (
    r"(?:[A-Za-z0-9-]+\.)?(?!(?i:begin|end|profile)[;:])[A-Za-z0-9-]+"
    r"(?:;[A-Za-z0-9-]+(?:=[A-Za-z0-9-]+(?:,[A-Za-z0-9-]+)*)?)*"
    r":[^\x00-\x1f\x7f-\x9f]*\r\n"
)
_QUICK_BODY = re.compile(f"(?:{_QUICK_LINE})*")
# A line of nothing but white space: vobject ends a logical line there, even
# between a line and its continuation, so such a card is left to it.
_BLANK_LINE = re.compile(r"\n\s*\r\n")


def _quick_body(text: str, strict: bool = False) -> str | None:
    """The unfolded lines between BEGIN and END of a card the quick reading takes
    (each ending in CRLF), or None for one only vobject reads right. A ``strict``
    card (CardText.strict) without folded lines is taken as it is."""
    if not (text.startswith(_CARD_HEAD) and text.endswith(_CARD_TAIL)):
        return None
    body = text[len(_CARD_HEAD) : -len(_CARD_TAIL)]
    if strict and "\r\n " not in body and "\r\n\t" not in body:
        return body
    if _QP_ANYWHERE.search(text) is not None:
        return None
    if "\r\n " in body or "\r\n\t" in body or body.startswith((" ", "\t")):
        if body.startswith((" ", "\t")) or _BLANK_LINE.search(text) is not None:
            return None
        # vobject's unfolding: a line that starts with a space or a tab goes on the
        # line before it, without that one character.
        body = body.replace("\r\n ", "").replace("\r\n\t", "")
    if _QUICK_BODY.fullmatch(body) is None:
        return None
    return body


_TEL_PREFIX = re.compile(r"^tel:", re.IGNORECASE)
_FN, _N, _ORG, _TITLE, _ROLE, _EMAIL, _TEL, _NOTE, _CATEGORIES, _ABLABEL = range(10)
_KIND_OF = {
    "FN": _FN,
    "N": _N,
    "ORG": _ORG,
    "TITLE": _TITLE,
    "ROLE": _ROLE,
    "EMAIL": _EMAIL,
    "TEL": _TEL,
    "NOTE": _NOTE,
    "CATEGORIES": _CATEGORIES,
    "X-ABLABEL": _ABLABEL,
}


# What a line's head ([group.]NAME[;PARAM...], all before the value's colon) says:
# the kind of line, its group and its parameters as written. A file repeats a few
# heads ("EMAIL;TYPE=INTERNET,WORK", "item1.TEL"), so each is worked out once.
_HEADS: dict[str, tuple[int, str, str]] = {}
_HEADS_KEPT = 4096


def _head(head: str) -> tuple[int, str, str]:
    semi = head.find(";")
    name = head if semi < 0 else head[:semi]
    group = ""
    if "." in name:
        group, name = name.split(".")
    known = (_KIND_OF.get(name.upper(), -1), group, head[semi:] if semi >= 0 else "")
    if len(_HEADS) < _HEADS_KEPT:
        _HEADS[head] = known
    return known


def _quick_record(place: str, body: str, sep: str = "\r\n") -> ContactRecord:
    """``_record`` of a card ``_quick_body`` took, read in one pass over its lines
    (each line's kind, group and parameters come from its head, worked out once per
    distinct head): what vobject's ContentLines and _record's generic walk cost per
    line (most of importing 100 000 cards) is spent only on the lines a client
    keeps, and a value without a backslash is never unescaped.

    _record takes vobject's lines name by name in order of first appearance; only
    TITLE against ROLE depends on that order, so each keeps its first value and the
    name seen first wins. Labels of grouped lines wait for the X-ABLabel lines,
    which Apple writes after the line they name; the version matters only to a
    value with a backslash. tests/test_vcard_quick.py holds the two readings to the
    same records. ``sep`` is what ends each line: LF for a body as it is cut
    (exports/vcard.py reads such cards without making their CRLF text)."""
    lines = body.split(sep)
    lines.pop()
    modern = "\\" not in body or _quick_version(lines) != "2.1"
    full = given = middle = family = org = ""
    title: str | None = None
    role: str | None = None
    title_first = True
    emails: list[Contact | None] = []
    phones: list[Contact | None] = []
    tags: list[str] = []
    notes: list[str] = []
    # Grouped addresses and numbers: their place, to be labelled once every
    # X-ABLabel line is known.
    grouped: list[tuple[list[Contact | None], int, str, str, str]] = []
    group_labels: dict[str, str] = {}
    heads = _HEADS
    for line in lines:
        head, _, value = line.partition(":")
        known = heads.get(head)
        if known is None:
            known = _head(head)
        kind, group, params = known
        if kind < 0:
            continue
        if kind in (_EMAIL, _TEL):
            if "\\" in value:
                value = _unescape(value, modern)
            value = " ".join(value.split())
            if value[:1] in "mMtT":  # mailto: or tel:, in any case
                value = (_MAILTO if kind == _EMAIL else _TEL_PREFIX).sub("", value)
            if not value:
                continue
            target = emails if kind == _EMAIL else phones
            if group:
                grouped.append((target, len(target), value, group, params))
                target.append(None)
            else:
                target.append(Contact(value, _label_of(params) if params else ""))
        elif kind == _FN:
            if not full:
                full = " ".join((_unescape(value, modern) if "\\" in value else value).split())
        elif kind == _N:
            if "\\" in value:
                got = [_unescape(p, modern) for p in _split(value, ";")[:3]]
            else:
                got = value.split(";", 3)[:3]
            got += ("", "")
            family = " ".join(got[0].split())
            given = " ".join(got[1].split())
            middle = " ".join(got[2].split())
        elif kind == _ORG:
            if not org:
                if "\\" in value:
                    org = " ".join(_unescape(_split(value, ";")[0], modern).split())
                else:
                    org = " ".join(value.split(";", 1)[0].split())
        elif kind == _NOTE:
            if "\\" in value:
                value = _unescape(value, modern).replace("\r\n", "\n").replace("\r", "\n")
            note = value.strip()  # (a line of a quick body holds no CR of its own)
            if note:
                notes.append(note)
        elif kind == _CATEGORIES:
            if "\\" in value:
                parts = [_unescape(p, modern) for p in _split(value, ",")]
            else:
                parts = value.split(",")
            for part in parts:
                if tag := " ".join(part.split()):
                    tags.append(tag[:80])
        elif kind == _ABLABEL:
            if group:
                group_labels[group.casefold()] = _apple_label(_unescape(value, modern))
        elif kind == _TITLE:
            if title is None and role is None:
                title_first = True
            if not title:
                title = " ".join((_unescape(value, modern) if "\\" in value else value).split())
        else:  # ROLE
            if title is None and role is None:
                title_first = False
            if not role:
                role = " ".join((_unescape(value, modern) if "\\" in value else value).split())
    for target, at, value, group, params in grouped:
        target[at] = Contact(value, _quick_label(group, params, group_labels))
    first, second = (title, role) if title_first else (role, title)
    return ContactRecord(
        place,
        name=full,
        given=given,
        middle=middle,
        family=family,
        organisation=org,
        role=first or second or "",
        notes="\n".join(notes),
        emails=emails,  # type: ignore[arg-type]  # every place is filled above
        phones=phones,  # type: ignore[arg-type]
        tags=tags,
    )


def _quick_version(lines: list[str]) -> str:
    """The card's first VERSION, as _record reads it ("3.0" when there is none)."""
    for line in lines:
        head, _, value = line.partition(":")
        name = head.split(";", 1)[0]
        if name.rsplit(".", 1)[-1].upper() == "VERSION":
            return value.strip()
    return "3.0"


def _quick_label(group: str, params: str, group_labels: dict[str, str]) -> str:
    """``_label`` of a line from its group and its parameters as written."""
    if group and (key := group.casefold()) in group_labels:
        return group_labels[key]
    return _label_of(params) if params else ""


@functools.lru_cache(maxsize=1024)
def _label_of(params: str) -> str:
    """The label a line's parameters give (a file repeats a few of them)."""
    typed: list[str] = []
    singles: list[str] = []
    for param in params[1:].split(";"):
        key, eq, values = param.partition("=")
        if not eq:
            singles.append(key)
        elif key.upper() == "TYPE":
            typed += values.split(",")
    types = [t.strip().strip('"').casefold() for t in typed + singles if t.strip()]
    for t in types:
        if t in _TYPE_LABELS:
            return _TYPE_LABELS[t]
    others = [t for t in types if t not in _NOISE_TYPES and not t.startswith("x-")]
    return others[0][:60] if others else ""

