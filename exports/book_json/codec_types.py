"""The kinds of value the format holds (text, ids, dates, times, links), as
pydantic types whose checks run in pydantic-core, each carrying the ``Words`` a
problem with it is told in (see problems.py).

Dates and times are text in the file, so they are checked as text first (strict:
a number is not a date, even where pydantic would read one as a Unix time) and
then parsed, both steps in pydantic-core, and kept to the years the whole app
accepts (models/limits.py), but for a day that may be open-ended.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Annotated, Any

from pydantic import Field, GetCoreSchemaHandler, GetJsonSchemaHandler
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import core_schema

from models.limits import (
    FIRST_DAY,
    LAST_DAY,
    LINE_CONTROL,
    MAX_YEAR,
    MIN_YEAR,
    NOTES_CONTROL,
    TEXT_LIMIT,
)

UID_PATTERN = r"^[0-9a-f]{32}$"
SHA256_PATTERN = r"^[0-9a-f]{64}$"
DAY_PATTERN = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
# A time starts with its day: this keeps out what pydantic would read as a Unix
# time ("1700000000") and years of more than four digits.
MOMENT_PATTERN = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}"
# Text without the control characters no field keeps (models/limits.py, the one
# rule): multi-line text keeps tab and line breaks, a line keeps none. Matched in
# pydantic-core, which also catches half of a UTF-16 pair on the way.
ANY_TEXT = rf"^[^{NOTES_CONTROL[1:-1]}]*$"
ANY_LINE = rf"^[^{LINE_CONTROL[1:-1]}]*$"


@dataclass(frozen=True)
class Words:
    """How problems with one field are told (problems.py words each kind).

    ``kind``: text, line, uid, choice, day, moment, link, sha256, pdf_sha256, base64,
    days (a rhythm), bytes, version, step, list, answers. ``what`` and ``where``
    fill the sentence ("is not a {what}", "one of {where}"); ``shape`` says what
    each entry of a list should be.
    """

    kind: str
    what: str = ""
    where: str = ""
    shape: str = "an object"


TEXT = Words("text")
LINE = Words("line")

# Text is kept exactly as written (a carriage return too: the file is the book's
# own); the one cap bounds it, and the pattern refuses control characters but tab
# and line breaks. A Line (a name, a title, a label) refuses those as well.
Text = Annotated[str, Field(strict=True, max_length=TEXT_LIMIT, pattern=ANY_TEXT), TEXT]
Line = Annotated[str, Field(strict=True, max_length=TEXT_LIMIT, pattern=ANY_LINE), LINE]
Uid = Annotated[
    str, Field(strict=True, pattern=UID_PATTERN, description="A Rapport id"), Words("uid")
]
Sha256 = Annotated[str, Field(strict=True, pattern=SHA256_PATTERN), Words("sha256")]


def choice(what: str) -> Words:
    """A choice among an enum's values, called ``what`` in messages ("status")."""
    return Words("choice", what=what)


def link(what: str, where: str) -> Any:
    """The id of another entry of the file (a ``what`` among ``where``), or null."""
    return (
        Annotated[str, Field(strict=True, pattern=UID_PATTERN), Words("link", what, where)] | None
    )


_MIN_MOMENT = datetime(MIN_YEAR, 1, 1, tzinfo=UTC)
_MAX_MOMENT = datetime(MAX_YEAR, 12, 31, 23, 59, 59, 999999, tzinfo=UTC)


@dataclass(frozen=True)
class _Written:
    """A date ("date") or a date and time ("date-time") written as text."""

    format: str
    nullable: bool
    # False for a day that may be open-ended (a priority "until further notice").
    bounded: bool = True

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        if self.format == "date":
            text = core_schema.str_schema(strict=True, pattern=DAY_PATTERN)
            parsed = (
                core_schema.date_schema(ge=FIRST_DAY, le=LAST_DAY)
                if self.bounded
                else core_schema.date_schema()
            )
        else:
            text = core_schema.str_schema(strict=True, pattern=MOMENT_PATTERN)
            parsed = core_schema.datetime_schema(
                tz_constraint="aware", ge=_MIN_MOMENT, le=_MAX_MOMENT
            )
        schema = core_schema.chain_schema([text, parsed])
        return core_schema.nullable_schema(schema) if self.nullable else schema

    def __get_pydantic_json_schema__(
        self, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        shape = {"type": "string", "format": self.format}
        return {"anyOf": [shape, {"type": "null"}]} if self.nullable else shape


# Required, or absent (None); never null. Checked times come back in the zone the
# file wrote them in: the checks turn them to UTC, as the book keeps them.
Day = Annotated[date, _Written("date", nullable=False), Words("day")]
Moment = Annotated[datetime, _Written("date-time", nullable=False), Words("moment")]
# May be null.
MaybeDay = Annotated[date | None, _Written("date", nullable=True), Words("day")]
MaybeMoment = Annotated[datetime | None, _Written("date-time", nullable=True), Words("moment")]
# A day that may be date.max: "until further notice" (models/incidents.py).
OpenEndedDay = Annotated[date | None, _Written("date", nullable=True, bounded=False), Words("day")]
