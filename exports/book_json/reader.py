"""Reading an export a client at a time, so an import needs memory for one batch
of clients, not for the file (issue 18: a 10 000-client export is 175 MB of text
and over a gigabyte once parsed whole).

ijson (its C backend, yajl) walks the ``clients`` list and hands over one client
object at a time. The small top-level parts (format, version, consultant, and
anything a hand-written file adds) are read on their own first, in any order: the
ones before ``clients`` from the start of the file, the ones after it from its end
(see ``_after_clients``), so the clients are walked once when the file is checked
and merged, not twice.

A file ijson cannot read is handed to ``files.read_json`` when it is small
enough, which says exactly what is wrong (line and column) as it always has, and
reads what the standard library reads; a larger broken file is told in ijson's
words.
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from exports.book_json.format import BookFormatError, reading

BOM = b"\xef\xbb\xbf"
# Bytes read at a time: ijson is about a third faster at 1 MiB than at its 64 KiB.
_BUF = 1 << 20
# A broken file up to this size is read whole by read_json for an exact message.
WHOLE_READ_LIMIT = 64 * 1024 * 1024
# Places tried as the end of the clients list, reading back from the file's end.
_TAIL_TRIES = 64
_ESCAPES = re.compile(rb"\\.", re.DOTALL)
_STRINGS = re.compile(rb'"[^"]*"')
_PAIRS = re.compile(rb"\[\]|\{\}")


class Unreadable(Exception):
    """ijson could not read the file (not JSON, not UTF-8, or a number it refuses)."""


# How deep lists and objects may nest (an export's deepest is about 10). ijson keeps
# a path string per level, so its memory grows with the square of the depth: a
# 400 KB file of nested brackets would take it past any memory there is.
MAX_DEPTH = 128
_STRUCTURE = b'"[]{}'
_NOT_STRUCTURE = bytes(b for b in range(256) if b not in _STRUCTURE)


class _Shallow:
    """A binary file that refuses, as ijson reads it, any nesting deeper than
    MAX_DEPTH. Each chunk is cut down to its quotes and brackets at C speed
    (escaped quotes first taken out), strings dropped, and matched pairs of
    brackets removed pass by pass: what is left is the open brackets carried to the
    next chunk, and a chunk that needs more passes, or leaves more open, nests too
    deep."""

    def __init__(self, source: IO[bytes], path: Path) -> None:
        self.source, self.path = source, path
        self.open = b""  # brackets still open, and an unclosed string's part
        self.backslashes = b""  # a run at a chunk's end escapes the next chunk's first byte

    def read(self, size: int = -1) -> bytes:
        data = self.source.read(size)
        chunk = self.backslashes + data if self.backslashes else data
        self.backslashes = b""
        if data.endswith(b"\\"):
            cut = len(chunk.rstrip(b"\\"))
            chunk, self.backslashes = chunk[:cut], chunk[cut:]
        if b"\\" in chunk:  # one byte: a fast search, where two are not
            chunk = _ESCAPES.sub(b"", chunk)
        # Two quotes side by side hold no bracket between them (or close one string
        # and open the next with none between): dropping them keeps the structure.
        marks = self.open + chunk.translate(None, _NOT_STRUCTURE).replace(b'""', b"")
        if b'"' in marks:
            marks = _STRINGS.sub(b"", marks)
        inside = marks.find(b'"')
        rest = b""
        if inside >= 0:
            marks, rest = marks[:inside], marks[inside:]
        for _ in range(MAX_DEPTH):
            fewer = _PAIRS.sub(b"", marks)
            if len(fewer) == len(marks):
                break
            marks = fewer
        else:
            if _PAIRS.search(marks):
                raise self._too_deep()
        if len(marks) > MAX_DEPTH:
            raise self._too_deep()
        self.open = marks + rest
        return data

    def _too_deep(self) -> BookFormatError:
        return BookFormatError(f"{self.path} is nested too deeply to be a Rapport export.")


@dataclass
class Export:
    """An export on disk: its top-level parts, and its clients read on demand."""

    path: Path
    start: int  # where the JSON starts (after a byte-order mark)
    size: int
    # Every top-level entry but the clients' items; "clients" is [] when the file's
    # is a list (then ``clients()`` reads it), else the file's own value.
    top: dict[str, Any]
    streamed: bool
    # Whether ``top`` holds every top-level entry; if not, the ones after the
    # clients list are read once the clients have been (``after_clients``).
    complete: bool

    def clients(self) -> Iterator[Any]:
        """The file's clients, one parsed object at a time, in file order."""
        if not self.streamed:
            return
        import ijson

        with _open(self.path) as fh:
            fh.seek(self.start)
            try:
                yield from ijson.items(
                    _Shallow(fh, self.path), "clients.item", use_float=True, buf_size=_BUF
                )
            except (ijson.JSONError, ValueError, RecursionError) as exc:
                raise Unreadable(str(exc)) from exc


def check_readable(path: Path) -> None:
    """Fail fast, before a book is touched, on a file that is no export at all: the
    reason read_json would give (a missing, empty, broken or non-object file)."""
    try:
        open_export(path)
    except Unreadable as exc:
        whole_or_reason(Path(path), exc)


def whole_or_reason(path: Path, exc: Unreadable) -> dict[str, Any]:
    """A file ijson could not read: read whole by read_json when small enough (it
    raises the exact reason, or reads what the standard library reads), else a
    BookFormatError in ijson's words."""
    from exports.book_json.files import read_json

    if path.stat().st_size > WHOLE_READ_LIMIT:
        reason = next(iter(str(exc).strip().splitlines()), "") or "it ends too soon"
        raise BookFormatError(f"{path} is not valid JSON ({reason}).") from None
    return read_json(path)


def after_clients(export: Export, last: list[Any]) -> dict[str, Any]:
    """The top-level entries after the clients list of a file whose ``top`` is not
    complete, once its clients have been read (``last``: the last two of them)."""
    import ijson

    with _open(export.path) as fh:
        found = _after_clients(fh, export.start, export.size, last, export.path)
        if found is not None:
            return found
        fh.seek(export.start)
        try:
            top, lists = _top_entries(_events(_Shallow(fh, export.path)), False, after=True)
        except (ijson.JSONError, ValueError, RecursionError, StopIteration) as exc:
            raise Unreadable(str(exc)) from exc
    if lists > 1:
        top["clients"] = None
    return top


def open_export(path: Path) -> Export:
    """The file's top-level parts, or a BookFormatError that says plainly why it
    cannot be read, or Unreadable for the caller to hand to read_json."""
    import ijson

    path = Path(path)
    with reading(path), _open(path) as fh:
        size = os.fstat(fh.fileno()).st_size
        head = fh.read(1 << 16)
        if size <= len(head) and not head.strip():
            raise BookFormatError(f"{path} is empty.")
        start = len(BOM) if head.startswith(BOM) else 0
        fh.seek(start)
        try:
            top, lists = _top_entries(_events(_Shallow(fh, path)), True)
            complete = not lists
            if lists and not ("format" in top and "version" in top):
                # The header comes after the clients: read the top level through
                # once first (in Python: slower, but such files are hand-made).
                fh.seek(start)
                top, lists = _top_entries(_events(_Shallow(fh, path)), False)
                complete = True
        except (ijson.JSONError, ValueError, RecursionError, StopIteration) as exc:
            raise Unreadable(str(exc)) from exc
    if lists > 1:
        raise BookFormatError('This export has more than one "clients" list.')
    return Export(path, start, size, top, lists == 1, complete)


def _events(source: IO[bytes] | _Shallow) -> Iterator[tuple[str, str, Any]]:
    import ijson

    events: Iterator[tuple[str, str, Any]] = ijson.parse(source, use_float=True, buf_size=_BUF)
    return events


def _open(path: Path) -> IO[bytes]:
    if path.exists() and not path.is_dir() and not path.is_file():
        # A FIFO or a device would be read forever: only regular files are read.
        raise BookFormatError(f"{path} is not a regular file.")
    fh = open(path, "rb")  # noqa: SIM115 (returned to a with block)
    if not stat.S_ISREG(os.fstat(fh.fileno()).st_mode):
        fh.close()
        raise BookFormatError(f"{path} is not a regular file.")
    return fh


_KINDS = {
    "start_array": "a list",
    "string": "text",
    "number": "a number",
    "boolean": "true/false",
    "null": "null",
}


def _top_entries(
    events: Iterator[tuple[str, str, Any]], stop: bool, *, after: bool = False
) -> tuple[dict[str, Any], int]:
    """The top-level entries of the document ``events`` walk, each built whole but
    the clients list (``[]`` in its place: its items are skipped); with ``stop``,
    only up to the start of the clients list; with ``after``, only those after it.
    Returns them and how many clients lists there were."""
    import ijson

    _prefix, event, value = next(events)
    if event != "start_map":
        raise BookFormatError(
            f"This is not a Rapport book export (the file holds {_KINDS[event]}, "
            "not a JSON object)."
        )
    top: dict[str, Any] = {}
    lists = 0
    for prefix, event, value in events:
        if prefix or event != "map_key":
            if event == "end_map" and not prefix:
                break
            continue  # inside the clients list
        key = value
        prefix, event, value = next(events)
        if key == "clients" and event == "start_array":
            lists += 1
            if after:
                top = {}
            else:
                top["clients"] = []
            if stop:
                return top, lists
            continue
        builder = ijson.ObjectBuilder()
        depth = 0
        while True:
            builder.event(event, value)
            depth += event in ("start_map", "start_array")
            depth -= event in ("end_map", "end_array")
            if depth == 0:
                break
            prefix, event, value = next(events)
        top[key] = builder.value
    for _ in events:  # the end: ijson says if anything but space follows
        pass
    return top, lists


def _after_clients(
    fh: IO[bytes], start: int, size: int, last: list[Any], path: Path
) -> dict[str, Any] | None:
    """The top-level entries after the clients list, read from the end of the file,
    given the list's ``last`` items (already read: the last two).

    The list ends with its last object's closing brace E; what follows is "]",
    perhaps more top-level entries, and the final "}". Going back from the end over
    each "}", E is the first place after which ``{"clients":[{}`` plus the rest is
    a whole JSON document and whose object is ``last`` (a "}" after E leaves the
    document open or closes an object of a later list; one inside the last client
    leaves a brace too many or a broken string). None when no such place is found
    within bounded tries and bytes (no object in the list, or a long tail): the
    caller then reads the top level through.
    """
    import io

    import ijson

    if not last or not isinstance(last[-1], dict):
        return None
    window, tries, budget = 1 << 16, 0, 2 * size + (1 << 20)
    while tries < _TAIL_TRIES and budget > 0:
        lo = max(start, size - window)
        fh.seek(lo)
        tail = fh.read(size - lo)
        end = len(tail)
        while tries < _TAIL_TRIES and budget > 0 and (q := tail.rfind(b"}", 0, end)) >= 0:
            tries, end, budget = tries + 1, q, budget - (len(tail) - q)
            rest = _Shallow(io.BytesIO(b'{"clients":[{}' + tail[q + 1 :]), path)
            try:
                top, lists = _top_entries(_events(rest), False)
            except (ijson.JSONError, ValueError, RecursionError, StopIteration, BookFormatError):
                continue
            if lists and _is_last_client(tail, q, last):
                del top["clients"]
                if lists > 1:
                    top["clients"] = None  # a second list: the caller's to refuse
                return top
        if lo == start:
            return None
        window *= 8
    return None


def _is_last_client(text: bytes, end: int, last: list[Any]) -> bool:
    """Is the object whose closing brace is ``text[end]`` the clients list's last
    item? It must equal the last item read, and follow the one before (or be first
    in a list named "clients"): an object equal to the last client further on, in
    another list, is not taken for it (two clients that equal each other would
    share an id, which the checks refuse)."""
    found = _object_ending_at(text, end)
    if found is None or found[0] != last[-1]:
        return False
    before = text[: found[1]].rstrip()
    if before.endswith(b","):
        if len(last) < 2:
            return False
        earlier = before[:-1].rstrip()
        if not earlier.endswith(b"}"):
            return not isinstance(last[-2], dict | list)  # a scalar before: the checks' to refuse
        previous = _object_ending_at(earlier, len(earlier) - 1)
        return previous is not None and previous[0] == last[-2]
    return len(last) == 1 and before.endswith(b"[") and _named_clients(before[:-1])


def _object_ending_at(text: bytes, end: int) -> tuple[Any, int] | None:
    """(the JSON object whose closing brace is ``text[end]``, where it starts); None
    if it does not parse. Walks back over strings by their quotes (a quote is
    escaped when an odd run of backslashes precedes it)."""
    import json

    depth, i, in_string = 0, end, False
    while i >= 0:
        ch = text[i]
        if ch == 0x22:  # "
            run = 0
            while i - 1 - run >= 0 and text[i - 1 - run] == 0x5C:  # \\
                run += 1
            in_string ^= run % 2 == 0
        elif not in_string and ch in b"}]":
            depth += 1
        elif not in_string and ch in b"{[":
            depth -= 1
            if depth == 0:
                try:
                    return json.loads(text[i : end + 1]), i
                except ValueError:
                    return None
        i -= 1
    return None


def _named_clients(text: bytes) -> bool:
    """Does ``text`` end with the key "clients" and its colon (spaces allowed)?"""
    text = text.rstrip()
    return text.endswith(b":") and text[:-1].rstrip().endswith(b'"clients"')
