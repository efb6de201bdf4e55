"""Checking one client: the rules of the app's forms (the services' own) over
what the models accepted, and the links within the client (to its own touches,
follow-ups, incidents and agreements). check_stream runs the models a batch at a
time and the rules across the file (ids unique in the file, agreement numbers,
one size per evidence hash), and ``check_stream._check_document`` checks a
parsed file as one batch. Every problem is collected, with its path.

When the models refuse something, each client is checked again on its own, so
the form and cross-record rules still run over every client that is fine, and
one pass over a file reports as much as it can.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from exports.book_json.check_agreements import agreements
from exports.book_json.check_history import follow_ups, touches, utc
from exports.book_json.check_incidents import incidents
from exports.book_json.incoming import _Incoming
from exports.book_json.problems import (
    Loc,
    Problem,
    Record,
)
from models.services.clients import ClientInput, Contact, validate_client


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
