"""Checking a whole document: the models check every field in one pydantic call;
then the rules of the app's forms (the services' own) and the rules across
records (ids unique in the file, links to this client's rows, agreement numbers,
one size per evidence hash) run over what the models accepted. Every problem is
collected, with its path, before anything is written.

When the models refuse something, each client is checked again on its own, so
the form and cross-record rules still run over every client that is fine, and
one pass over a file reports as much as it can.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import suppress
from datetime import datetime
from typing import Any

from exports.book_json.check_agreements import agreements, consultant
from exports.book_json.check_history import follow_ups, touches, utc
from exports.book_json.check_incidents import incidents
from exports.book_json.format import BookFormatError, _q
from exports.book_json.incoming import _Checked, _Incoming
from exports.book_json.problems import (
    Loc,
    Problem,
    Record,
    from_error,
    path_of,
    sorted_problems,
)
from exports.book_json.versions import check_header
from models.services.clients import ClientInput, Contact, validate_client
from models.services.consultant import ConsultantSettings


def _check_document(data: Any, now: datetime) -> _Checked:
    """Every client of the file, or a BookFormatError listing every problem found."""
    from pydantic import ValidationError

    from exports.book_json.codecs import BookCodec, checker

    doc = check_header(data)
    problems: list[Problem] = []
    try:
        book: Record = checker(BookCodec).validate_python(doc)
        clients = list(enumerate(book["clients"]))
        me = book["consultant"]
    except ValidationError as err:
        problems.extend(from_error(BookCodec, err))
        clients, me = _the_valid_parts(doc)
    settings: ConsultantSettings | None = None
    if me is not None:
        settings = consultant(me, problems)
    # The file's own text of each client rides along: a touch's moments are cut
    # from it (check_history.touches). The models kept every list's order.
    raw = doc["clients"]
    incoming = [
        inc
        for i, c in clients
        if (inc := _client(("clients", i), c, raw[i], problems, now)) is not None
    ]
    _across_the_file(clients, problems)
    if problems:
        raise BookFormatError(sorted_problems(BookCodec, problems))
    return _Checked(incoming, settings)


def _the_valid_parts(doc: Record) -> tuple[list[tuple[int, Record]], Record | None]:
    """The clients (with their places) and the consultant that pass the models on
    their own, in a file that as a whole does not."""
    from pydantic import ValidationError

    from exports.book_json.codecs import ClientCodec, ConsultantCodec, checker

    clients: list[tuple[int, Record]] = []
    for i, raw in enumerate(doc["clients"]):
        try:
            clients.append((i, checker(ClientCodec).validate_python(raw)))
        except ValidationError:
            continue
    me = None
    if doc.get("consultant") is not None:
        with suppress(ValidationError):
            me = checker(ConsultantCodec).validate_python(doc["consultant"])
    return clients, me


def _client(
    at: Loc, c: Record, raw: Record, problems: list[Problem], now: datetime
) -> _Incoming | None:
    before = len(problems)
    for key in ("emails", "phones"):
        for j, contact in enumerate(c[key]):
            if not contact["value"].strip():
                # Blank rows would shift the numbering validate_client reports against.
                problems.append(
                    ((*at, key, j, "value"), "is empty; fill it in or remove this entry.")
                )
    data = ClientInput(
        name=c["name"],
        organisation=c["organisation"],
        role=c["role"],
        emails=[Contact(e["value"], e["label"]) for e in c["emails"]],
        phones=[Contact(p["value"], p["label"]) for p in c["phones"]],
        tags=list(c["tags"]),
        notes=c["notes"],
        status=c["status"],
        cadence_days=c["cadence_days"],
    )
    if len(problems) == before:
        # The same rules as the edit dialog, so an import cannot sneak in a client the
        # user could not have typed.
        for key, message in validate_client(data).items():
            problems.append(((*at, *_field_loc(key)), _straight_quotes(message)))
    # The history is checked even when the client's own fields are wrong, so one
    # pass over a file reports everything.
    touch_uids = (
        {t["id"] for t in c["touches"]} if any(f["touch"] for f in c["follow_ups"]) else set()
    )
    fu_uids = {f["id"] for f in c["follow_ups"]}
    history = touches((*at, "touches"), c["touches"], raw.get("touches", ()), problems, now)
    promises = follow_ups((*at, "follow_ups"), c["follow_ups"], problems, touch_uids)
    own_incidents = incidents(
        (*at, "incidents"),
        c["incidents"],
        problems,
        fu_uids,
        {t["id"] for t in c["touches"]}
        if any(i["repair_plans"] for i in c["incidents"])
        else set(),
        {a["id"] for a in c["agreements"] or ()},
    )
    own_agreements = (
        agreements(
            (*at, "agreements"),
            c["agreements"],
            problems,
            fu_uids,
            {i["id"] for i in c["incidents"]},
        )
        if c["agreements"] is not None
        else None
    )
    if len(problems) > before:
        return None
    return _Incoming(
        int(at[-1]),
        c["id"],
        data.cleaned(),
        utc(c["created_at"]),
        utc(c["updated_at"]),
        utc(c["archived_at"]),
        c["priority_until"],
        history,
        promises,
        own_incidents,
        own_agreements,
    )


def _field_loc(key: str) -> Loc:
    """validate_client's "emails.2" as the file's ("emails", 2)."""
    name, _, index = key.partition(".")
    return (name, int(index)) if index else (name,)


def _straight_quotes(message: str) -> str:
    # The dialog's “curly” quotes read oddly next to JSON paths; match the file.
    return message.replace("“", '"').replace("”", '"')


# --------------------------------------------------------------------------- across the file
_LISTS = (
    "follow_ups",
    "incidents",
    "timeline",
    "evidence",
    "repair_plans",
    "agreements",
    "commitments",
)


def _across_the_file(clients: list[tuple[int, Record]], problems: list[Problem]) -> None:
    """What must hold across the whole file: ids unique (each kind of entry has its
    own table; clients and touches in _unique_ids), one number and version per
    agreement, one size per evidence hash."""
    _unique_ids(clients, problems)
    seen: dict[str, dict[str, Loc]] = {key: {} for key in _LISTS}
    numbers: dict[tuple[str, int], Loc] = {}
    sizes: dict[str, tuple[int, Loc]] = {}
    for i, c in clients:
        for loc, key, item in _entries(c, ("clients", i)):
            _note_duplicate(item["id"], loc, seen[key], problems)
            if key == "evidence":
                sha, size = item["sha256"], item["size"]
                if sha in sizes and sizes[sha][0] != size:
                    problems.append(
                        (
                            (*loc, "size"),
                            f"{size} differs from {path_of(sizes[sha][1])}, which has the "
                            f"same sha256 and says {sizes[sha][0]}.",
                        )
                    )
                else:
                    sizes.setdefault(sha, (size, loc))
            elif key == "agreements":
                number = (item["number"], item["version"])
                if number in numbers:
                    problems.append(
                        (
                            (*loc, "number"),
                            f"{_q(item['number'])} version {item['version']} appears twice; "
                            f"{path_of(numbers[number])} has it too.",
                        )
                    )
                else:
                    numbers[number] = loc


def _unique_ids(clients: list[tuple[int, Record]], problems: list[Problem]) -> None:
    """Clients and touches, most of a file, are checked for a repeated id at C speed
    first; only a file that repeats one is gone through to say where."""
    client_ids = [c["id"] for _i, c in clients]
    if len(set(client_ids)) < len(client_ids):
        seen: dict[str, Loc] = {}
        for i, c in clients:
            _note_duplicate(c["id"], ("clients", i), seen, problems)
    touch_ids = [t["id"] for _i, c in clients for t in c["touches"]]
    if len(set(touch_ids)) < len(touch_ids):
        seen = {}
        for i, c in clients:
            for j, t in enumerate(c["touches"]):
                _note_duplicate(t["id"], ("clients", i, "touches", j), seen, problems)


def _entries(c: Record, at: Loc) -> Iterator[tuple[Loc, str, Any]]:
    """(where, list name, entry) of every follow-up, incident, timeline entry,
    evidence file, repair plan, agreement and commitment of one client."""
    # .get: a client the models accepted may leave out a list that has a default
    # (a re-read of the file's own objects, check_stream.FileCheck.finish).
    for j, f in enumerate(c.get("follow_ups") or ()):
        yield (*at, "follow_ups", j), "follow_ups", f
    for j, inc in enumerate(c.get("incidents") or ()):
        p = (*at, "incidents", j)
        yield p, "incidents", inc
        for key in ("timeline", "evidence", "repair_plans"):
            for k, item in enumerate(inc.get(key) or ()):
                yield (*p, key, k), key, item
    for j, ag in enumerate(c.get("agreements") or ()):
        p = (*at, "agreements", j)
        yield p, "agreements", ag
        for k, item in enumerate(ag.get("commitments") or ()):
            yield (*p, "commitments", k), "commitments", item


def _note_duplicate(uid: str, at: Loc, seen: dict[str, Loc], problems: list[Problem]) -> None:
    """Ids are unique across the whole file: two entries with one id cannot both be merged."""
    if uid in seen:
        problems.append(((*at, "id"), f"{_q(uid)} appears twice; {path_of(seen[uid])} has it too."))
    else:
        seen[uid] = at
