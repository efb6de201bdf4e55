"""Checking a file a batch of clients at a time (issue 18: memory bounded by the
batch, not the file).

The header (format, version, consultant) is checked once; each batch of clients
is brought up to this version, checked by the models in one pydantic call, then
by the forms' rules (check._client). The rules across the file keep only what
they need between batches: the ids seen so far, each kind in a set of integers
(an id is 32 hex digits), the agreement numbers and the evidence sizes. Where a
repeated id was first seen is not kept: the few repeated ones are looked up by
reading the clients once more (``finish``), only for a file that repeats one.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from contextlib import suppress
from datetime import datetime
from typing import Any

from exports.book_json.check import _client, _entries
from exports.book_json.check_agreements import consultant
from exports.book_json.format import FORMAT, VERSION, BookFormatError, _q
from exports.book_json.incoming import _Checked, _Incoming
from exports.book_json.problems import Loc, Problem, Record, from_error, path_of, sorted_problems
from exports.book_json.versions import UPGRADES, check_header
from models.services.consultant import ConsultantSettings

# A batch: (place in the file, the file's own object) of consecutive clients.
Batch = list[tuple[int, Any]]
_PLACE = re.compile(r"^clients\[(\d+)\]")


class FileCheck:
    """The checks of one file, batch by batch; ``problems`` gathers them all."""

    def __init__(self, top: dict[str, Any], now: datetime) -> None:
        """``top``: the file's top-level entries, with ``"clients": []`` standing in
        for a list read batch by batch. Fails fast on a file that is not an export."""
        self.now = now
        self.problems: list[Problem] = []
        self.header_problems: list[Problem] = []
        self.upgrade_problems: dict[int, list[str]] = {}
        self.settings: ConsultantSettings | None = None
        self._header(top)
        self.version: int = top["version"]
        self.ids: dict[str, set[int]] = {}
        self.repeats: list[tuple[str, int, Loc]] = []  # (kind, id, where it came again)
        self.invalid: set[int] = set()  # clients the models refused (skipped on a re-read)
        self.numbers: dict[tuple[str, int], Loc] = {}
        self.sizes: dict[str, tuple[int, Loc]] = {}

    @property
    def failed(self) -> bool:
        return bool(self.problems or self.header_problems or self.upgrade_problems or self.repeats)

    def _header(self, top: dict[str, Any]) -> None:
        from pydantic import ValidationError

        from exports.book_json.codecs import BookCodec, ConsultantCodec, checker

        doc = {**check_header(top), "clients": []}
        problems: list[Problem] = []
        me: Record | None = None
        try:
            me = checker(BookCodec).validate_python(doc)["consultant"]
        except ValidationError as err:
            problems.extend(from_error(BookCodec, err))
            if doc.get("consultant") is not None:
                with suppress(ValidationError):
                    me = checker(ConsultantCodec).validate_python(doc["consultant"])
        self.settings = consultant(me, problems) if me is not None else None
        self.header_problems = problems

    def late_header(self, top: dict[str, Any], after: dict[str, Any]) -> None:
        """Entries the file put after its clients list: checked as if they came first."""
        if not after:
            return
        for key in after:
            if key in top:
                raise BookFormatError(f"This export gives {_q(key)} twice.")
        self._header({**top, **after})

    # ------------------------------------------------------------------ clients
    def batch(self, batch: Batch) -> list[_Incoming]:
        """Check one batch; returns its clients that passed (none once the file
        has failed: later batches are only checked, for the report)."""
        from pydantic import ValidationError

        from exports.book_json.codecs import BookCodec, ClientCodec, checker

        if not batch:
            return []
        first = batch[0][0]
        raws = self._upgraded([raw for _i, raw in batch], first)
        if raws is None:
            return []
        try:
            valid = checker(BookCodec).validate_python(
                {"format": FORMAT, "version": VERSION, "clients": raws}
            )["clients"]
            clients = [(first + k, c) for k, c in enumerate(valid)]
        except ValidationError as err:
            for loc, text in from_error(BookCodec, err):
                if len(loc) > 1 and loc[0] == "clients" and isinstance(loc[1], int):
                    loc = ("clients", loc[1] + first, *loc[2:])
                self.problems.append((loc, text))
            clients = []
            for k, raw in enumerate(raws):
                try:
                    clients.append((first + k, checker(ClientCodec).validate_python(raw)))
                except ValidationError:
                    self.invalid.add(first + k)
        out = [
            inc
            for i, c in clients
            if (inc := _client(("clients", i), c, raws[i - first], self.problems, self.now))
            is not None
        ]
        self._across(clients)
        return [] if self.failed else out

    def _upgraded(self, raws: list[Any], first: int) -> list[Any] | None:
        """The batch brought up to this version (UPGRADES), or None once a step refused
        a client; the steps' problems are kept, with the file's own places."""
        data: dict[str, Any] = {"format": FORMAT, "version": self.version, "clients": raws}
        version = self.version
        while version < VERSION:
            try:
                data = UPGRADES[version](data)
            except BookFormatError as exc:
                self.upgrade_problems.setdefault(version, []).extend(
                    _PLACE.sub(lambda m: f"clients[{int(m[1]) + first}]", p) for p in exc.problems
                )
                return None
            version = data["version"]
        return None if self.upgrade_problems else list(data["clients"])

    def _across(self, clients: list[tuple[int, Record]]) -> None:
        """What must hold across the whole file (see check._across_the_file): ids
        unique, one number and version per agreement, one size per evidence hash."""
        for kind, found in _ids(clients):
            seen = self.ids.setdefault(kind, set())
            keys = [int(uid, 16) for uid, _loc in found]
            if seen.isdisjoint(keys) and len(set(keys)) == len(keys):
                seen.update(keys)
                continue
            for key, (_uid, loc) in zip(keys, found, strict=True):
                if key in seen:
                    self.repeats.append((kind, key, loc))
                else:
                    seen.add(key)
        for i, c in clients:
            for loc, key, item in _entries(c, ("clients", i)):
                if key == "evidence":
                    sha, size = item["sha256"], item["size"]
                    if sha in self.sizes and self.sizes[sha][0] != size:
                        self.problems.append(
                            (
                                (*loc, "size"),
                                f"{size} differs from {path_of(self.sizes[sha][1])}, which "
                                f"has the same sha256 and says {self.sizes[sha][0]}.",
                            )
                        )
                    else:
                        self.sizes.setdefault(sha, (size, loc))
                elif key == "agreements":
                    number = (item["number"], item["version"])
                    if number in self.numbers:
                        self.problems.append(
                            (
                                (*loc, "number"),
                                f"{_q(item['number'])} version {item['version']} appears "
                                f"twice; {path_of(self.numbers[number])} has it too.",
                            )
                        )
                    else:
                        self.numbers[number] = loc

    # ------------------------------------------------------------------ the end
    def finish(self, again: Callable[[], Iterable[Batch]]) -> None:
        """Raise every problem found, in file order; ``again`` reads the clients once
        more, only when an id came twice, to say where it came first."""
        from exports.book_json.codecs import BookCodec

        if self.upgrade_problems:
            raise BookFormatError(self.upgrade_problems[min(self.upgrade_problems)])
        if self.repeats:
            self._place_repeats(again)
        if self.problems or self.header_problems:
            raise BookFormatError(sorted_problems(BookCodec, self.header_problems + self.problems))

    def _place_repeats(self, again: Callable[[], Iterable[Batch]]) -> None:
        wanted = {(kind, key) for kind, key, _loc in self.repeats}
        first: dict[tuple[str, int], Loc] = {}
        for batch in again():
            raws = self._upgraded([raw for _i, raw in batch], batch[0][0]) if batch else None
            clients = [
                (i, raw)
                for (i, _r), raw in zip(batch, raws or [], strict=False)
                if i not in self.invalid
            ]
            for kind, found in _ids(clients):
                for uid, loc in found:
                    if (kind, key := int(uid, 16)) in wanted:
                        first.setdefault((kind, key), loc)
        for kind, key, loc in self.repeats:
            self.problems.append(
                (
                    (*loc, "id"),
                    f'"{key:032x}" appears twice; {path_of(first[(kind, key)])} has it too.',
                )
            )


def _ids(clients: list[tuple[int, Record]]) -> Iterator[tuple[str, list[tuple[str, Loc]]]]:
    """Each kind of entry of ``clients``, with (id, place) of every one: clients,
    touches, and the lists of check._entries (each kind has its own table)."""
    yield "clients", [(c["id"], ("clients", i)) for i, c in clients]
    yield (
        "touches",
        [
            (t["id"], ("clients", i, "touches", j))
            for i, c in clients
            for j, t in enumerate(c.get("touches") or ())
        ],
    )
    by_kind: dict[str, list[tuple[str, Loc]]] = {}
    for i, c in clients:
        for loc, key, item in _entries(c, ("clients", i)):
            by_kind.setdefault(key, []).append((item["id"], loc))
    yield from by_kind.items()


def _check_document(data: Any, now: datetime) -> _Checked:
    """Every client of a parsed file, or a BookFormatError listing every problem
    found: the file as one batch of check_stream.FileCheck."""
    check_header(data)  # fails fast on a file that is not an export
    batch = list(enumerate(data["clients"]))  # brought up to this version by FileCheck
    checks = FileCheck({**data, "clients": []}, now)
    incoming = checks.batch(batch)
    checks.late_header({}, {})
    checks.finish(lambda: [batch])
    return _Checked(incoming, checks.settings)
