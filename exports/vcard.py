"""Contacts as vCard (2.1 from old Androids, 3.0 from Apple, 4.0 from newer tools).

The parsing itself is vobject's: it unfolds lines, decodes quoted-printable
(with its ``allowQP`` mode, soft line breaks included) and unescapes values.
vobject is imported inside the functions that need it, never when the app starts.

A file is cut into cards before vobject sees it, one card at a time, so one
damaged card is reported as skipped, with its number, instead of ending the
whole file there.

This module is the file as a whole (count, survey, iteration) and each card's
reading; the parts live beside it: vcard_cut (cutting into cards), vcard_quick
(the regex reading of plain cards), vcard_record (vobject and its records),
vcard_write (export).
"""


from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from exports.contacts_io import (
    MAX_FIELD_BYTES,
    READ_CHUNK,
    ContactFile,
    ContactFormat,
    TextInfo,
    open_text,
    scan_text,
)
from exports.vcard_cut import CardText, _Cutter
from exports.vcard_quick import (
    _QP_ANYWHERE,
    _quick_body,
    _quick_record,
    card_identity,
    card_keys,
    plain_keys,
)
from exports.vcard_record import _read_card, _record, _why
from models.services.contact_rows import ContactFileError, ContactRecord, Progress
from models.services.contacts import KEEP_RECORDS, Survey


@dataclass
class VCardContacts:
    """A vCard file looked through once: its encoding, how many cards.

    The cards are not kept: iterating reads the file again as a stream, one card
    at a time, so 100 000 cards never sit in memory together."""

    encoding: str
    path: Path | None = None
    warnings: list[str] = field(default_factory=list)
    count: int = 0
    file: ContactFile | None = field(default=None, repr=False)
    text: TextInfo | None = field(default=None, repr=False)
    # The import's first pass, made while the cards were counted: keys only
    # (models/services/contacts.py, Survey), so an import cuts the file once more.
    survey: Survey | None = field(default=None, repr=False)
    # A small file's records, read on that pass (parse_vcards): iterating gives them.
    kept: list[ContactRecord] | None = field(default=None, repr=False)

    @property
    def format(self) -> ContactFormat:
        return ContactFormat.VCARD

    def __len__(self) -> int:
        return self.count

    def records(self) -> list[ContactRecord]:
        return list(self)

    def __iter__(self) -> Iterator[ContactRecord]:
        if self.kept is not None:
            yield from self.kept
            return
        assert self.file is not None and self.text is not None
        with open_text(self.file, self.text, newline=None) as fh:
            for cut in _cut_text(fh, self.file.name):
                if isinstance(cut, CardText):
                    yield card_record(cut)
                    continue
                number, body = cut
                if "\n " in body or "\n\t" in body:
                    yield card_record(_card_text(number, body))
                else:
                    # What card_record gives for it, without making its CRLF text.
                    yield _whole_record(number, body)

    def identities(self) -> Iterator[ContactRecord]:
        """The cards with only what tells people apart (FN, N, ORG, EMAIL), for an
        import's first pass. A plain card (see ``card_identity``) is scanned for those
        lines alone; any other comes whole from vobject, so the pass still finds a
        card that cannot be read or holds a control character, and says why."""
        assert self.file is not None and self.text is not None
        with open_text(self.file, self.text, newline=None) as fh:
            for card_text in cut_card_text(fh, self.file.name):
                rec = card_identity(card_text)
                yield rec if rec is not None else card_record(card_text)




# A whole card the line-by-line reading would pass through untouched: "BEGIN:VCARD"
# and "END:VCARD" as written, and between them only property lines (each with the
# folded lines that go on it), none a photo (or logo, sound, key), none that begins
# or ends a card. Taken by one regex match instead of a Python step per line (that
# was most of reading a file). What each part can take (a name, its parameters, a
# value up to its LF) ends where the next must start, so giving any of it back can
# never make a card match: the runs of characters are possessive, as not keeping
# the places to go back to is most of a third of the match's cost. The groups'
# repeats are not: Python 3.11.2 (Debian 12's) matches a possessive repeat of a
# group wrongly, and took no card at all whole ("BEGIN:VCARD\nEND:VCARD\n" included).
_NAME = r"(?!(?i:begin|end|profile|photo|logo|sound|key)[;:])[A-Za-z0-9-]++"
_WHOLE_CARD = re.compile(
    r"BEGIN:VCARD\n"
    rf"(?:{_NAME}(?:\.{_NAME})?"
    r"(?:;[A-Za-z0-9-]++(?:=[A-Za-z0-9-]++(?:,[A-Za-z0-9-]++)*)?)*"
    r":[^\x00-\x1f\x7f-\x9f]*+\n(?:[ \t][^\n]*+\n)*)*"
    r"END:VCARD\n"
)
_FOLDED_RUN = re.compile(r"(?:[ \t][^\n]*\n|\n)*")
_HEAD_LEN, _TAIL_LEN = len("BEGIN:VCARD\n"), len("END:VCARD\n")
_QP_LEN = len("printable")


def cut_card_text(fh: TextIO, name: str = "The file") -> Iterator[CardText]:
    """``cut_card_stream`` over a text stream read with universal newlines, giving
    the same cards: a card that needs nothing of the line-by-line reading (see
    _WHOLE_CARD; no quoted-printable, under the field limit) is cut whole, and
    everything else goes through that reading line by line."""
    for cut in _cut_text(fh, name):
        yield cut if isinstance(cut, CardText) else _card_text(*cut)


def _card_text(number: int, body: str) -> CardText:
    """A card cut whole, as CardText: its body's LFs made CRLF, as vobject reads it."""
    crlf = body.replace("\n", "\r\n")
    return CardText(number, f"BEGIN:VCARD\r\n{crlf}END:VCARD\r\n", strict=True)


def _cut_text(fh: TextIO, name: str) -> Iterator[CardText | tuple[int, str]]:
    """``cut_card_text``'s cards, those cut whole as (number, body between BEGIN and
    END with its LFs as read): the two passes of an import read most cards from
    that body, so neither makes the card's CRLF text (exports/vcard.py's callers)."""
    cutter = _Cutter(name)
    match = _WHOLE_CARD.match
    buf = ""
    eof = False
    while not eof:
        chunk = fh.read(READ_CHUNK)
        eof = not chunk
        buf += chunk
        pos, n = 0, len(buf)
        # Where the next "printable" is: a card that ends before it has no
        # quoted-printable, so the buffer is searched once, not once per card.
        qp = -1
        while pos < n:
            if cutter.current is None and buf.startswith("BEGIN:VCARD\n", pos):
                m = match(buf, pos)
                if m is not None and (end := m.end()) - pos <= MAX_FIELD_BYTES:
                    if qp < pos:
                        found = _QP_ANYWHERE.search(buf, pos)
                        qp = found.start() if found is not None else n
                    if qp + _QP_LEN > end:
                        yield cutter.counted(), buf[pos + _HEAD_LEN : end - _TAIL_LEN]
                        pos = end
                        continue
            if cutter.dropping:
                # A photo's folded lines, all at once: the line-by-line reading
                # passes over each of them (and over empty lines) without a look.
                pos = _FOLDED_RUN.match(buf, pos).end()  # type: ignore[union-attr]
                if pos >= n:
                    break
            nl = buf.find("\n", pos)
            if nl < 0:
                # The rest of a line the next chunk holds (all of it, however long).
                line = buf[pos:] + (fh.readline() if not eof else "")
                pos = n
            else:
                line = buf[pos : nl + 1]
                pos = nl + 1
            card = cutter.line(line)
            if card is not None:
                yield card
        buf = buf[pos:]
    last = cutter.end()
    if last is not None:
        yield last


def parse_vcards(
    data: bytes | ContactFile, *, path: Path | None = None, progress: Progress | None = None
) -> VCardContacts:
    """A vCard file looked through once (its cards counted, the limits checked);
    ContactFileError when none of its cards can be read at all.

    Cards are cut on this pass, which is plain string work, and each one's
    identity (FN, N, ORG, EMAIL) goes into the import's Survey, so an import reads
    the file only once more; vobject reads a card whole only until one reads well
    (usually the first), so the file is known to make sense without reading all of
    it twice."""
    file = data if isinstance(data, ContactFile) else ContactFile(path, data=data)
    name = file.name
    text = scan_text(file)
    count = 0
    readable = False
    last_problem = ""
    survey = Survey()
    # A small file's cards are read whole on this pass and kept (as the import keeps
    # the records of a small CSV file), so an import reads it once; a larger one is
    # surveyed by its keys and read again as a stream.
    kept: list[ContactRecord] | None = [] if file.size <= KEEP_BYTES else None
    with open_text(file, text, newline=None) as fh:
        for cut in _cut_text(fh, name):
            count += 1
            if progress is not None and count % 1000 == 0:
                progress(0, 0)
            if kept is not None:
                if count <= KEEP_RECORDS:
                    rec, plain = _kept_record(cut)
                    kept.append(rec)
                    if not readable:
                        readable, last_problem = not rec.problem, rec.problem
                    survey.add(rec, plain=plain)
                    continue
                kept = None  # too many to hold: the rest by their keys alone
            if not isinstance(cut, CardText):
                number, body = cut
                if readable and "\\" not in body and "\n " not in body and "\n\t" not in body:
                    # card_keys or card_identity of its CardText, which is plain.
                    keys = plain_keys(number, body)
                    if isinstance(keys, list):
                        survey.add_keys(keys)
                    else:
                        survey.add(keys, plain=True)
                    continue
                cut = _card_text(number, body)
            card_text = cut
            whole = None
            if not readable:
                whole = card_record(card_text)
                readable, last_problem = not whole.problem, whole.problem
            identity = card_keys(card_text) or card_identity(card_text)
            if identity is not None:
                # A plain card has no control character anywhere (_plain_body).
                survey.add(identity, plain=card_text.text is not None)
            else:
                survey.add(whole if whole is not None else card_record(card_text))
    if not count:
        raise ContactFileError(f"{name} is not a vCard file: there is no contact card in it.")
    if not readable:
        if count > 1:
            raise ContactFileError(f"{name} could not be read: none of its cards makes sense.")
        raise ContactFileError(f"{name} could not be read. {last_problem}")
    warnings = [w for w in (text.warning,) if w]
    return VCardContacts(text.encoding, path, warnings, count, file, text, survey, kept)


# Up to this size a file is read whole on the count pass and its records kept (a
# card without a photo is a few hundred bytes, so KEEP_RECORDS of them fit).
KEEP_BYTES = KEEP_RECORDS * 512


def _kept_record(cut: CardText | tuple[int, str]) -> tuple[ContactRecord, bool]:
    """``card_record`` of a card, and whether it is plain (no control character can
    be in any of its fields, so the Survey need not look: see parse_vcards)."""
    if isinstance(cut, CardText):
        return card_record(cut), False
    number, body = cut
    if "\n " in body or "\n\t" in body:
        return card_record(_card_text(number, body)), False
    return _whole_record(number, body), "\\" not in body


def _whole_record(number: int, body: str) -> ContactRecord:
    """``card_record`` of a card cut whole whose body (LFs as cut) has no folded line:
    _quick_body takes such a card as it is."""
    try:
        return _quick_record(f"card {number}", body, "\n")
    except Exception as exc:  # as card_record says it (the quick reading raises none)
        return ContactRecord(f"card {number}", problem=f"This card could not be read: {_why(exc)}")


def card_record(card_text: CardText) -> ContactRecord:
    """One card as a record, or as a record that says why it was skipped."""
    place = f"card {card_text.number}"
    if card_text.text is None:
        return ContactRecord(place, problem=card_text.problem)
    try:
        body = _quick_body(card_text.text, card_text.strict)
        if body is not None:
            return _quick_record(place, body)
        return _record(place, _read_card(card_text.text))
    # vobject raises many kinds of errors on malformed input (ParseError,
    # UnicodeDecodeError from a bad charset, ValueError, LookupError, ...);
    # each becomes this card's reason to be skipped, shown to the user.
    except Exception as exc:
        return ContactRecord(place, problem=f"This card could not be read: {_why(exc)}")
