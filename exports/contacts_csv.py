"""Contacts as CSV: Google Contacts' and Outlook's exports in, a spreadsheet-safe file out.

A CSV has no schema, only a header row, so reading one means knowing the header
sets the big address books write (both of Google's, Outlook's classic and
Outlook.com's) and letting the user say what any other column holds. Columns we
recognise but do not keep (birthdays, street addresses) are known too, so the
user is only asked about columns that might matter.

Writing: any cell that starts with = + - @ or a tab or carriage return is
prefixed with a single quote, so a spreadsheet shows it as text instead of
running it as a formula (CSV injection). Only the file is changed; the book keeps
"+49 170 …". Reading a CSV drops that quote again, so our own exports round-trip.
"""

from __future__ import annotations

import csv
import functools
import io
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from exports.contacts_io import (
    MAX_CONTACTS,
    MAX_FIELD_BYTES,
    ContactFile,
    ContactFormat,
    TextInfo,
    open_text,
    scan_text,
)
from exports.csv_columns import ColumnRole, Field, guess_roles
from models.limits import LINE_CONTROL
from models.reads import many_small_objects
from models.services.clients import ClientDetail, Contact
from models.services.contact_rows import ContactFileError, ContactRecord
from models.services.contacts import Survey

DELIMITERS = ",;\t|"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Google writes several values into one cell, and labels with a star for "primary".
MULTI_SEPARATOR = " ::: "
SYSTEM_LABELS = {"mycontacts", "starred"}
# What spreadsheets and data tools write for "no value" (pandas' nan, a database's
# NULL, Python's None, Excel's #N/A). Stored, they would read as a name or a note.
NOT_A_VALUE = frozenset({"None", "none", "nan", "NaN", "NULL", "null", "#N/A", "undefined"})




_LABELS = {
    "work": "work",
    "business": "work",
    "office": "work",
    "home": "home",
    "personal": "home",
    "private": "home",
    "mobile": "mobile",
    "cell": "mobile",
    "iphone": "mobile",
    "other": "other",
    "main": "work",
}


@functools.lru_cache(maxsize=4096)
def normal_label(raw: str) -> str:
    """ "* Work" / "Mobile" / "CELL" as the app's own words (work, mobile, …)."""
    words = raw.replace("*", " ").strip().casefold()
    words = " ".join(words.split())
    return _LABELS.get(words, words)[:60]


def unguard(cell: str) -> str:
    """Undo the formula guard of a CSV we (or a careful tool) wrote."""
    if len(cell) > 1 and cell[0] == "'" and cell[1] in FORMULA_STARTS:
        return cell[1:]
    return cell


def guard(cell: str) -> str:
    return "'" + cell if cell.startswith(FORMULA_STARTS) else cell


def sniff_delimiter(first_line: str) -> str:
    """The separator the header row uses most, outside quotes (comma on a tie)."""
    counts = dict.fromkeys(DELIMITERS, 0)
    quoted = False
    for ch in first_line:
        if ch == '"':
            quoted = not quoted
        elif not quoted and ch in counts:
            counts[ch] += 1
    best = max(DELIMITERS, key=lambda d: (counts[d], d == ","))
    return best if counts[best] else ","


@dataclass
class CsvContacts:
    """A CSV file's header and what each column is taken to mean (changeable).

    The rows are not kept: iterating reads the file again as a stream, so the
    records of a 100 000-row file exist a batch at a time, never all at once. What
    the preview needs of the rows (which unknown columns hold anything, an example
    of each) was noted on the first pass."""

    header: list[str]
    roles: list[ColumnRole]
    encoding: str
    delimiter: str
    path: Path | None = None
    warnings: list[str] = field(default_factory=list)
    count: int = 0
    file: ContactFile | None = field(default=None, repr=False)
    text: TextInfo | None = field(default=None, repr=False)
    # Columns with something in them, and the first such value of each.
    samples: dict[int, str] = field(default_factory=dict)
    # The import's first pass, made while the rows were counted, and the columns
    # it was made for: keys only (models/services/contacts.py, Survey).
    first_survey: Survey | None = field(default=None, repr=False)
    surveyed_roles: list[ColumnRole] = field(default_factory=list, repr=False)

    @property
    def survey(self) -> Survey | None:
        """The keys learnt while counting, while the columns still mean what they
        meant then; once the user changes one, the import learns them again."""
        return self.first_survey if self.surveyed_roles == self.roles else None

    @property
    def format(self) -> ContactFormat:
        return ContactFormat.CSV

    def __len__(self) -> int:
        return self.count

    def unknown_columns(self) -> list[int]:
        """Columns we could not place that have something in them: the user's call."""
        return [i for i, role in enumerate(self.roles) if not role.known and i in self.samples]

    def sample(self, column: int) -> str:
        """The first value in ``column``, to show what it holds ("" when none)."""
        return self.samples.get(column, "")

    def set_field(self, column: int, fld: Field) -> None:
        """The user's choice for a column; it keeps its place among the unknown ones."""
        self.roles[column] = ColumnRole(fld, known=False)

    def has_usable_columns(self) -> bool:
        useful = {Field.NAME, Field.GIVEN, Field.FAMILY, Field.EMAIL, Field.ORGANISATION}
        return any(r.field in useful for r in self.roles)

    def records(self) -> list[ContactRecord]:
        with many_small_objects():
            return list(self)

    def _kept(self) -> list[tuple[int, int, str, str, int | None]]:
        return _kept(self.roles)

    def _body(self) -> Iterator[tuple[int, list[str]]]:
        assert self.file is not None and self.text is not None
        width = len(self.header)
        rows = _rows(self.file, self.text, self.delimiter, self.file.name)
        next(rows, None)  # the header
        for n, row in rows:
            if len(row) != width:
                row = (row + [""] * width)[:width]
            yield n, row

    def __iter__(self) -> Iterator[ContactRecord]:
        kept = self._kept()
        for n, row in self._body():
            yield _record(n, row, kept)

    def identities(self) -> Iterator[ContactRecord]:
        """The records with only what tells people apart (names, organisation,
        emails): an import's first pass needs no more. A row with a control
        character anywhere comes whole, so that pass still finds it and says why."""
        kept = self._kept()
        light = _light(kept)
        for n, row in self._body():
            yield _identity(n, row, kept, light)


def _kept(roles: list[ColumnRole]) -> list[tuple[int, int, str, str, int | None]]:
    """The columns that hold something we keep, each with what it is decided
    once here rather than once per row."""
    kept: list[tuple[int, int, str, str, int | None]] = []
    for i, role in enumerate(roles):
        f = role.field
        if f is not Field.IGNORE:
            kept.append((i, _KIND.get(f, _ATTR), f.value, role.label, role.label_column))
    return kept


def _light(
    kept: list[tuple[int, int, str, str, int | None]],
) -> list[tuple[int, int, str, str, int | None]]:
    return [k for k in kept if k[1] == _EMAIL or (k[1] == _ATTR and k[2] in _IDENTITY)]


def _identity(
    n: int,
    row: list[str],
    kept: list[tuple[int, int, str, str, int | None]],
    light: list[tuple[int, int, str, str, int | None]],
) -> ContactRecord:
    whole = _ANY_CONTROL.search("".join(row)) is not None
    return _record(n, row, kept if whole else light)


_IDENTITY = frozenset({"name", "given", "middle", "family", "organisation"})
_ANY_CONTROL = re.compile(LINE_CONTROL)  # any control character at all: models/limits.py
_ATTR, _EMAIL, _PHONE, _TAGS, _NOTES = range(5)
_KIND = {Field.EMAIL: _EMAIL, Field.PHONE: _PHONE, Field.TAGS: _TAGS, Field.NOTES: _NOTES}


def _record(
    number: int, row: list[str], kept: list[tuple[int, int, str, str, int | None]]
) -> ContactRecord:
    fields: dict[str, str] = {}
    emails: list[Contact] = []
    phones: list[Contact] = []
    tags: list[str] = []
    notes: list[str] = []
    for i, kind, attr, label, label_column in kept:
        value = row[i]
        if not value:
            continue
        if value[0] == "'":
            value = unguard(value)
        value = value.strip()
        if not value or value in NOT_A_VALUE:
            continue
        if kind == _ATTR:
            if attr not in fields:
                fields[attr] = value
            continue
        if label_column is not None and label_column < len(row):
            label = normal_label(row[label_column].split(MULTI_SEPARATOR)[0])
        if kind == _EMAIL:
            emails += [Contact(v, label) for v in _split_multi(value)]
        elif kind == _PHONE:
            phones += [Contact(v, label) for v in _split_multi(value)]
        elif kind == _TAGS:
            tags += _tags(value)
        else:
            notes.append(value)
    return ContactRecord(
        f"row {number}",
        **fields,
        notes="\n".join(notes),
        emails=emails,
        phones=phones,
        tags=tags,
    )


def _split_multi(value: str) -> list[str]:
    if MULTI_SEPARATOR not in value and value[:1] != "'":
        return [value]  # already stripped, and not a placeholder (the caller checked)
    parts = (unguard(v).strip() for v in value.split(MULTI_SEPARATOR))
    return [v for v in parts if v and v not in NOT_A_VALUE]


@functools.lru_cache(maxsize=4096)
def _tags(value: str) -> tuple[str, ...]:
    """The tags of a cell; a few distinct cells repeat over thousands of rows."""
    return tuple(_read_tags(value))


def _read_tags(value: str) -> list[str]:
    parts = value.split(MULTI_SEPARATOR) if MULTI_SEPARATOR in value else re.split(r"[;,]", value)
    tags = []
    for p in parts:
        p = p.strip()
        system = p.startswith("* ")
        p = p.removeprefix("* ").strip()
        if p and not (system and p.casefold() in SYSTEM_LABELS) and p.casefold() != "mycontacts":
            tags.append(p[:80])
    return tags


def parse_csv(data: bytes | ContactFile, *, path: Path | None = None) -> CsvContacts:
    """A CSV file's header with a guess for every column, after one pass through
    its rows (to count them and check the limits); the rows are not kept.

    Raises ContactFileError when there is no table to speak of: no text, no
    header, or no row of data under it.
    """
    file = data if isinstance(data, ContactFile) else ContactFile(path, data=data)
    name = path.name if path is not None else "The file"
    text = scan_text(file)
    if text.blank:
        raise ContactFileError(f"{name} is empty.")
    with open_text(file, text) as fh:
        first_line = ""
        for line in fh:
            if line.strip("\r\n"):
                first_line = line.rstrip("\r\n")
                break
    delimiter = sniff_delimiter(first_line)
    rows = _rows(file, text, delimiter, name)
    first = next(rows, None)
    if first is None:
        raise ContactFileError(f"{name} is empty.")
    header = first[1]
    roles = guess_roles(header)
    watch = [i for i, role in enumerate(roles) if not role.known]
    samples: dict[int, str] = {}
    count = 0
    # Each row's keys go into the import's Survey on this pass (as ``identities``
    # reads them), so an import with the guessed columns reads the file once more.
    kept = _kept(roles)
    light = _light(kept)
    width = len(header)
    survey = Survey()
    for n, row in rows:
        count += 1
        for i in watch:
            if i < len(row) and i not in samples and row[i].strip():
                samples[i] = row[i].strip()
        if len(row) != width:
            row = (row + [""] * width)[:width]
        if _ANY_CONTROL.search("".join(row)) is None:
            survey.add(_record(n, row, light), plain=True)  # no control character in it
        else:
            survey.add(_record(n, row, kept))
    if not count:
        raise ContactFileError(f"{name} has a header row but no contacts under it.")
    return CsvContacts(
        header=list(header),
        roles=roles,
        encoding=text.encoding,
        delimiter=delimiter,
        path=path,
        warnings=[w for w in (text.warning,) if w],
        count=count,
        file=file,
        text=text,
        samples=samples,
        first_survey=survey,
        surveyed_roles=list(roles),
    )


def _rows(
    file: ContactFile, text: TextInfo, delimiter: str, name: str = "The file"
) -> Iterator[tuple[int, list[str]]]:
    """The non-blank rows by their row number, read as a stream within the limits."""
    old_limit = csv.field_size_limit(MAX_FIELD_BYTES)
    try:
        with open_text(file, text) as fh:
            reader = csv.reader(fh, delimiter=delimiter)
            found = 0
            for n, row in enumerate(reader, start=1):
                # Blank rows (nothing but white space in any cell) are not contacts.
                if (joined := "".join(row)) and not joined.isspace():
                    found += 1
                    if found > MAX_CONTACTS + 1:
                        raise ContactFileError(
                            f"{name} has more than {MAX_CONTACTS:,} contacts; import it in "
                            f"parts of up to {MAX_CONTACTS:,}."
                        )
                    yield n, row
    except csv.Error as exc:
        if "field larger than field limit" in str(exc):
            raise ContactFileError(
                f"{name} has a field over {MAX_FIELD_BYTES // 1024} KB near line "
                f"{reader.line_num}; that is not a contact's detail, so the file is not read."
            ) from None
        raise ContactFileError(
            f"{name} could not be read as CSV (near line {reader.line_num}): {exc}."
        ) from None
    finally:
        # The limit is the module's, shared by every reader: this one's lasts
        # while it is being read.
        csv.field_size_limit(old_limit)


def csv_bytes(clients: Sequence[ClientDetail]) -> bytes:
    """Clients as CSV with Google Contacts' column names (so Google, Outlook and
    Rapport itself read it back), UTF-8 with a BOM so Excel gets the accents right."""
    n_emails = max([len(c.emails) for c in clients] + [1])
    n_phones = max([len(c.phones) for c in clients] + [1])
    header = ["Name", "Organization Name", "Organization Title"]
    for i in range(1, n_emails + 1):
        header += [f"E-mail {i} - Label", f"E-mail {i} - Value"]
    for i in range(1, n_phones + 1):
        header += [f"Phone {i} - Label", f"Phone {i} - Value"]
    header += ["Notes", "Labels"]
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    for c in clients:
        row = [c.name, c.organisation, c.role]
        for i in range(n_emails):
            e = c.emails[i] if i < len(c.emails) else Contact("")
            row += [e.label.capitalize(), e.value]
        for i in range(n_phones):
            p = c.phones[i] if i < len(c.phones) else Contact("")
            row += [p.label.capitalize(), p.value]
        row += [c.notes, MULTI_SEPARATOR.join(c.tags)]
        writer.writerow([guard(cell) for cell in row])
    return out.getvalue().encode("utf-8-sig")
