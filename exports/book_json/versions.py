"""Versions of the format: each older version is brought up one pure step at a
time (``UPGRADES[n]`` turns a version-n document into a version n+1 one), so the
checks and the merge know one shape only."""

from __future__ import annotations

from collections.abc import Callable
from copy import copy
from typing import Any

from exports.book_json.format import FORMAT, TOP_LEVEL_FIELDS, VERSION, BookFormatError, _kind, _q

# What a version-1 client is read as having (its keys are new in version 2).
FILL_2: dict[str, Any] = {
    "cadence_days": None,
    "priority_until": None,
    "touches": [],
    "follow_ups": [],
}
NEW_IN_2 = tuple(FILL_2)


def _fill_clients(data: dict[str, Any], fill: dict[str, Any], to: int) -> dict[str, Any]:
    """Give every client object the keys new in version ``to``, with ``fill``'s values.

    A file that already uses one of those keys is refused rather than half-read: its
    writer meant the newer version and should say so. Anything that is not a client
    object is left for the checks to report in the file's own terms.
    """
    clients = data.get("clients")
    if not isinstance(clients, list):
        return {**data, "version": to}
    problems: list[str] = []
    upgraded: list[Any] = []
    for i, c in enumerate(clients):
        if not isinstance(c, dict):
            upgraded.append(c)
            continue
        for key in fill:
            if key in c:
                problems.append(
                    f"clients[{i}]: unknown field {_q(key)} in a version {to - 1} file "
                    f'(it is new in version {to}; say "version": {to}).'
                )
        # A fresh copy per client: no two clients share one list.
        upgraded.append({**c, **{key: copy(value) for key, value in fill.items()}})
    if problems:
        raise BookFormatError(problems)
    return {**data, "version": to, "clients": upgraded}


def _upgrade_1_to_2(data: dict[str, Any]) -> dict[str, Any]:
    """Version 1 knew nothing of keep-in-touch: no rhythm, no priority, no history.

    A version-1 client that already carries a version-2 key is refused rather than
    half-read: the file's writer meant version 2 and should say so.
    Only clients that are objects are given the new keys; anything else is left for
    the checks to report in the file's own terms.
    """
    return _fill_clients(data, FILL_2, 2)


def _upgrade_2_to_3(data: dict[str, Any]) -> dict[str, Any]:
    """Version 2 knew nothing of incidents: each client is read as having none.

    As with version 1, a file that already uses the new key is refused rather than
    half-read; anything that is not a client object is left for the checks.
    """
    return _fill_clients(data, {"incidents": []}, 3)


def _upgrade_3_to_4(data: dict[str, Any]) -> dict[str, Any]:
    """Version 3 knew nothing of agreements or the consultant's details. Unlike the
    earlier steps, no empty list is filled in: a client without "agreements" (and a
    file without "consultant") leaves what the book has alone, so importing an old
    export never throws away a final agreement. A version-3 file that already uses
    the new keys is refused, as before.
    """
    problems: list[str] = []
    if "consultant" in data:
        problems.append(
            'unknown top-level field "consultant" in a version 3 file '
            '(it is new in version 4; say "version": 4).'
        )
    clients = data.get("clients")
    for i, c in enumerate(clients if isinstance(clients, list) else []):
        if isinstance(c, dict) and "agreements" in c:
            problems.append(
                f'clients[{i}]: unknown field "agreements" in a version 3 file '
                '(it is new in version 4; say "version": 4).'
            )
    if problems:
        raise BookFormatError(problems)
    return {**data, "version": 4}


def _upgrade_4_to_5(data: dict[str, Any]) -> dict[str, Any]:
    """Version 4 knew nothing of repair plans. As with agreements, nothing is filled
    in: an incident without "repair_plans" keeps the book's plans as they are, so an
    old export never throws away the wizard's work. A version-4 file that already
    uses the new key is refused.
    """
    problems: list[str] = []
    clients = data.get("clients")
    for i, c in enumerate(clients if isinstance(clients, list) else []):
        incidents = c.get("incidents") if isinstance(c, dict) else None
        for j, inc in enumerate(incidents if isinstance(incidents, list) else []):
            if isinstance(inc, dict) and "repair_plans" in inc:
                problems.append(
                    f'clients[{i}].incidents[{j}]: unknown field "repair_plans" in a version 4 '
                    'file (it is new in version 5; say "version": 5).'
                )
    if problems:
        raise BookFormatError(problems)
    return {**data, "version": 5}


def _upgrade_5_to_6(data: dict[str, Any]) -> dict[str, Any]:
    """Version 5 knew nothing of the consultant's working week and date style. As
    with the consultant's details, nothing is filled in: a file without "work"
    leaves the book's own alone. A version-5 file that already uses it is refused.
    """
    consultant = data.get("consultant")
    if isinstance(consultant, dict) and "work" in consultant:
        raise BookFormatError(
            'consultant: unknown field "work" in a version 5 file '
            '(it is new in version 6; say "version": 6).'
        )
    return {**data, "version": 6}


# One step per old version: UPGRADES[n] turns a version-n document into a
# version n+1 one.
UPGRADES: dict[int, Callable[[dict[str, Any]], dict[str, Any]]] = {
    1: _upgrade_1_to_2,
    2: _upgrade_2_to_3,
    3: _upgrade_3_to_4,
    4: _upgrade_4_to_5,
    5: _upgrade_5_to_6,
}


def upgrade_document(data: dict[str, Any]) -> dict[str, Any]:
    """Bring an older export to VERSION, so checking and merging know one shape only.

    When version 7 arrives, add ``UPGRADES[6]`` (a function from a version-6
    document to a version-7 one) and bump VERSION; nothing else changes.
    """
    version: int = data["version"]
    while version < VERSION:
        data = UPGRADES[version](data)
        version = data["version"]
    return data


def check_header(data: Any) -> dict[str, Any]:
    """Is this a Rapport book export we can read? Fails fast: nothing else is
    worth checking in a file that is something else entirely."""
    if not isinstance(data, dict):
        raise BookFormatError(
            f"This is not a Rapport book export (expected a JSON object, found {_kind(data)})."
        )
    if "format" not in data:
        raise BookFormatError('This is not a Rapport book export (missing "format").')
    if data["format"] != FORMAT:
        raise BookFormatError(
            f'This is not a Rapport book export ("format" is {_q(data["format"])}, '
            f'expected "{FORMAT}").'
        )
    if "version" not in data:
        raise BookFormatError('This Rapport book export has no "version".')
    version = data["version"]
    if not isinstance(version, int) or isinstance(version, bool):
        raise BookFormatError(f'"version" should be a whole number, not {_kind(version)}.')
    if version > VERSION:
        raise BookFormatError(
            f"This export is version {version}; this Rapport reads version {VERSION} or older."
        )
    if version < 1:
        raise BookFormatError(f"This export says version {version}, but versions start at 1.")
    data = upgrade_document(data)
    for key in data:
        if key not in TOP_LEVEL_FIELDS:
            raise BookFormatError(f"This export has an unknown top-level field {_q(key)}.")
    if "clients" not in data:
        raise BookFormatError('This export has no "clients" list.')
    if not isinstance(data["clients"], list):
        raise BookFormatError(f'"clients" should be a list, not {_kind(data["clients"])}.')
    return data


# --------------------------------------------------------------------------- checking
