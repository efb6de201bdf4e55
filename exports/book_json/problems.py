"""Pydantic's account of what is wrong with a file, told the way users of the
format read it: one line per problem, each with its path in the file
("clients[3].touches[2].happened_at: …"), in the order of the file.

Every field of the models carries ``Words`` (codec_types.py) saying what kind of
value it holds; a problem's sentence is chosen by that kind and pydantic's error
type, with the file's own value quoted where it helps.
"""

from __future__ import annotations

import types
from collections.abc import Iterable, Iterator
from functools import cache
from typing import TYPE_CHECKING, Annotated, Any, Union, get_args, get_origin

from exports.book_json.codec_types import TEXT, Words
from exports.book_json.format import _kind, _q
from models.limits import TEXT_LIMIT, control_char, control_words

if TYPE_CHECKING:
    from pydantic import BaseModel, ValidationError

Loc = tuple[str | int, ...]
# An aggregate as the models checked it (codecs.checker): a dict of its fields,
# with dates, times and choices already in the book's types.
Record = dict[str, Any]
# A problem: where it is, and what is wrong there (without the path).
Problem = tuple[Loc, str]


# --------------------------------------------------------------------------- the fields
@cache
def _fields(model: type[BaseModel]) -> dict[str, tuple[int, Words | None, Words | None, Any]]:
    """Each field of ``model``: (its place, its Words, its list items' Words, the
    model its value or list items are, if any)."""
    out: dict[str, tuple[int, Words | None, Words | None, Any]] = {}
    for n, (name, info) in enumerate(model.model_fields.items()):
        found: dict[str, Any] = {"words": None, "item": None, "model": None}
        _walk(info.annotation, False, found)
        for extra in info.metadata:  # the field's own, outermost of all
            if isinstance(extra, Words):
                found["words"] = extra
        out[name] = (n, found["words"], found["item"], found["model"])
    return out


def _walk(annotation: Any, in_list: bool, found: dict[str, Any]) -> None:
    from pydantic import BaseModel

    origin = get_origin(annotation)
    if origin is Annotated:
        base, *extras = get_args(annotation)
        for extra in extras:
            # The outermost Words wins (extras run from the innermost out).
            if isinstance(extra, Words):
                found["item" if in_list else "words"] = extra
        _walk(base, in_list, found)
    elif origin in (Union, types.UnionType):
        for arg in get_args(annotation):
            _walk(arg, in_list, found)
    elif origin is list:
        _walk(get_args(annotation)[0], True, found)
    elif isinstance(annotation, type) and issubclass(annotation, BaseModel):
        found["model"] = annotation


def _words_at(root: type[BaseModel], loc: Loc) -> Words | None:
    """The Words of the value at ``loc``: a field's own, or, for an entry of a list,
    its items' (or, when the entries are objects, the list's, which says their shape)."""
    model: Any = root
    words: Words | None = None
    item: Words | None = None
    for part in loc:
        if isinstance(part, int):
            words = item or words
            continue
        if model is None:
            return None
        field = _fields(model).get(part)
        if field is None:
            return None
        _n, words, item, model = field
    return words


def order_key(root: type[BaseModel], loc: Loc) -> tuple[int, ...]:
    """Where ``loc`` is in a file, as a sortable key: list positions as they are,
    fields by their place in their model (the order exports are written in)."""
    key: list[int] = []
    model: Any = root
    for part in loc:
        if isinstance(part, int):
            key.append(part)
            continue
        field = _fields(model).get(part) if model is not None else None
        if field is None:
            key.append(10_000)  # an unknown field, or an answer's name: after the rest
            model = None
            continue
        key.append(field[0])
        model = field[3]
    return tuple(key)


def path_of(loc: Iterable[str | int]) -> str:
    """("clients", 3, "touches", 2, "happened_at") as "clients[3].touches[2].happened_at"."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else part
    return out


def sorted_problems(root: type[BaseModel], problems: Iterable[Problem]) -> list[str]:
    """Each problem as its line, in file order (stable: one spot's problems keep theirs)."""
    ordered = sorted(problems, key=lambda p: order_key(root, p[0]))
    return [f"{path_of(loc)}: {text}" if loc else text for loc, text in ordered]


# --------------------------------------------------------------------------- the words
def from_error(root: type[BaseModel], error: ValidationError) -> Iterator[Problem]:
    """Each of pydantic's errors as (where, what is wrong)."""
    for e in error.errors(include_url=False, include_context=True, include_input=True):
        loc: Loc = tuple(e["loc"])
        kind = e["type"]
        if kind == "missing":
            yield loc[:-1], f'missing "{loc[-1]}".'
        elif kind == "extra_forbidden":
            yield loc[:-1], f"unknown field {_q(loc[-1])}."
        else:
            words = _words_at(root, loc) or TEXT
            yield loc, _sentence(words, kind, e["input"], e.get("ctx") or {})


def _sentence(words: Words, kind: str, value: Any, ctx: dict[str, Any]) -> str:
    """What is wrong with ``value`` (pydantic's error ``kind``) in a field of ``words``."""
    told = _SENTENCES.get(words.kind)
    sentence = told(words, kind, value, ctx) if told is not None else None
    return sentence or _general(words, kind, value)


def _general(words: Words, kind: str, value: Any) -> str:
    if kind == "list_type":
        return f"should be a list, not {_kind(value)}."
    if kind in ("model_type", "dict_type", "model_attributes_type"):
        return f"should be {words.shape}, not {_kind(value)}."
    if kind == "string_unicode":
        return "contains a broken character (half of a UTF-16 pair)."
    if kind == "string_too_long":
        return f"is {len(value)} characters long; a field holds at most {TEXT_LIMIT}."
    if kind == "string_type":
        return f"should be text, not {_kind(value)}."
    if kind == "string_pattern_mismatch" and isinstance(value, str):
        char = control_char(value, multiline=words.kind == "text")
        if char is not None:
            return f"contains {control_words(char)}."
    return f"{_q(value)} cannot be read here."


def _uid(words: Words, kind: str, value: Any, ctx: dict[str, Any]) -> str | None:
    if kind == "string_pattern_mismatch":
        return f"{_q(value)} is not a Rapport id (32 characters, each 0-9 or a-f)."
    return None


def _choice(words: Words, kind: str, value: Any, ctx: dict[str, Any]) -> str | None:
    if kind != "enum":
        return None
    if not isinstance(value, str):
        return f"should be text, not {_kind(value)}."
    options = str(ctx.get("expected", "")).replace("'", '"')
    return f"{_q(value)} is not a {words.what}; use {options}."


def _written(words: Words, kind: str, value: Any, ctx: dict[str, Any]) -> str | None:
    what = "a date" if words.kind == "day" else "a date and time"
    if value is None:
        return f"should be {what}, not null."
    if kind == "string_type":
        return f"should be {what} as text, not {_kind(value)}."
    if kind in ("greater_than_equal", "less_than_equal"):
        return f"{_q(value)} is too far in the past or future."
    if kind == "timezone_aware":
        return f'{_q(value)} has no time zone; add one, like "+00:00" or "Z".'
    if words.kind == "day":
        if kind == "string_pattern_mismatch":
            return f'{_q(value)} is not a date in the form YYYY-MM-DD, like "2025-03-14".'
        return f"{_q(value)} is not a day of the calendar."
    if kind == "string_unicode":
        return None
    return f'{_q(value)} is not a date and time in ISO 8601 form, like "2025-03-14T09:30:00+00:00".'


def _link(words: Words, kind: str, value: Any, ctx: dict[str, Any]) -> str | None:
    if kind == "string_type":
        return f"should be a {words.what} id or null, not {_kind(value)}."
    if kind == "string_pattern_mismatch":
        return f"{_q(value)} is not the id of one of {words.where}."
    return None


def _sha256(words: Words, kind: str, value: Any, ctx: dict[str, Any]) -> str | None:
    if kind == "string_pattern_mismatch":
        return f"{_q(value)} is not a SHA-256 (64 characters, each 0-9 or a-f)."
    return None


def _number(words: Words, kind: str, value: Any, ctx: dict[str, Any]) -> str | None:
    if words.kind == "days":
        if isinstance(value, float):
            return f"{_q(value)} is not a whole number of days."
        return f"should be a whole number of days or null, not {_kind(value)}."
    if words.kind == "bytes":
        return f"should be a whole number of bytes, not {_q(value)}."
    if words.kind == "version":
        return f"should be a whole number from 1, not {_q(value)}."
    # A step of the repair.
    if kind == "int_type":
        return f"should be a step number from 1 to 13, not {_kind(value)}."
    return f"{_q(value)} is not a step of the repair; steps go from 1 to 13."


_SENTENCES: dict[str, Any] = {
    "uid": _uid,
    "choice": _choice,
    "day": _written,
    "moment": _written,
    "link": _link,
    "sha256": _sha256,
    "pdf_sha256": lambda w, k, v, c: "should be 64 characters, each 0-9 or a-f, or null.",
    "base64": lambda w, k, v, c: (
        f"should be base64 text or null, not {_kind(v)}." if k == "string_type" else None
    ),
    "agreement_number": lambda w, k, v, c: (
        f'{_q(v)} is not an agreement number like "AG-2026-0007".'
        if k == "string_pattern_mismatch"
        else None
    ),
    "answers": lambda w, k, v, c: (
        f"should be an object of answers (field name: answer), not {_kind(v)}."
    ),
    "clock": lambda w, k, v, c: (
        f'{_q(v)} is not a time of day like "09:00".' if k == "string_pattern_mismatch" else None
    ),
    "days": _number,
    "bytes": _number,
    "version": _number,
    "step": _number,
}
