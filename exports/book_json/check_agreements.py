"""The agreement aggregate: an agreement with its commitments and stored PDF."""

from __future__ import annotations

import base64
import binascii
import hashlib
from typing import Any

from exports.book_json.check_history import _link
from exports.book_json.fields import (
    _check_keys,
    _choice,
    _day,
    _ids_in,
    _list,
    _moment,
    _objects,
    _text,
    _uid,
)
from exports.book_json.format import (
    _AGREEMENT_STATUSES,
    _COMMITMENT_STATES,
    _SIDES,
    AGREEMENT_FIELDS,
    COMMITMENT_FIELDS,
    REQUIRED_AGREEMENT_FIELDS,
    REQUIRED_COMMITMENT_FIELDS,
    SHA256_SHAPE,
    _kind,
    _q,
)
from exports.book_json.incoming import _IncomingAgreement, _IncomingCommitment
from models.agreements import parse_number
from models.entities import (
    AgreementStatus,
    CommitmentState,
    Side,
)
from models.services.agreements import (
    AgreementInput,
    CommitmentInput,
    validate_agreement,
)


def _base64(value: Any, path: str, problems: list[str]) -> bytes | None:
    if not isinstance(value, str):
        problems.append(f"{path}: should be base64 text or null, not {_kind(value)}.")
        return None
    try:
        return base64.b64decode(value.encode("ascii"), validate=True)
    except (binascii.Error, ValueError, UnicodeEncodeError):
        problems.append(f"{path}: is not valid base64.")
        return None


def _agreements(
    value: Any, path: str, problems: list[str], fu_uids: set[str], incident_uids: set[str]
) -> list[_IncomingAgreement]:
    agreements: list[_IncomingAgreement] = []
    own_uids = _ids_in(value)
    for p, item in _objects(value, path, problems):
        before = len(problems)
        _check_keys(item, AGREEMENT_FIELDS, REQUIRED_AGREEMENT_FIELDS, p, problems)
        uid = _uid(item, p, problems)
        number = _text(item.get("number", ""), f"{p}.number", problems)
        if isinstance(item.get("number"), str) and parse_number(number) is None:
            problems.append(
                f'{p}.number: {_q(number)} is not an agreement number like "AG-2026-0007".'
            )
        version = item.get("version", 1)
        if not isinstance(version, int) or isinstance(version, bool) or version < 1:
            problems.append(f"{p}.version: should be a whole number from 1, not {_q(version)}.")
            version = 1
        title = _text(item.get("title", ""), f"{p}.title", problems)
        dated = _day(item, "dated", p, problems, nullable=False)
        status = _choice(
            item.get("status", AgreementStatus.DRAFT.value),
            _AGREEMENT_STATUSES,
            "status",
            f"{p}.status",
            problems,
        )
        incident = _link(
            item.get("incident"),
            f"{p}.incident",
            problems,
            incident_uids,
            ("incident", "incidents"),
        )
        supersedes = _link(
            item.get("supersedes"),
            f"{p}.supersedes",
            problems,
            own_uids - {uid},
            ("agreement", "other agreements"),
        )
        context = _text(item.get("context", ""), f"{p}.context", problems)
        points = [
            _text(v, f"{p}.points[{j}]", problems)
            for j, v in enumerate(_list(item.get("points", []), f"{p}.points", problems))
        ]
        review_on = _day(item, "review_on", p, problems, nullable=True)
        review_fu = _link(
            item.get("review_follow_up"),
            f"{p}.review_follow_up",
            problems,
            fu_uids,
            ("follow-up", "follow-ups"),
        )
        finalised_at = _moment(item, "finalised_at", p, problems, nullable=True)
        created_at = _moment(item, "created_at", p, problems, nullable=False)
        updated_at = _moment(item, "updated_at", p, problems, nullable=False)
        commitments = _commitments(
            item.get("commitments", []), f"{p}.commitments", problems, fu_uids
        )
        pdf = _base64(item["pdf"], f"{p}.pdf", problems) if item.get("pdf") is not None else None
        sha = item.get("pdf_sha256")
        if sha is not None and not (isinstance(sha, str) and SHA256_SHAPE.fullmatch(sha)):
            problems.append(f"{p}.pdf_sha256: should be 64 characters, each 0-9 or a-f, or null.")
            sha = None
        if len(problems) > before or status is None or dated is None:
            continue
        if status == AgreementStatus.DRAFT.value:
            if item.get("pdf") is not None or sha is not None:
                problems.append(
                    f"{p}.pdf: a draft has no stored PDF; make pdf and pdf_sha256 null."
                )
        elif pdf is None or sha is None:
            problems.append(
                f"{p}.pdf: a {status} agreement carries its stored PDF and its pdf_sha256."
            )
        elif hashlib.sha256(pdf).hexdigest() != sha:
            problems.append(
                f"{p}.pdf: does not match its pdf_sha256; the PDF was changed or damaged."
            )
        data = AgreementInput(
            title=title,
            dated=dated,
            context=context,
            points=points,
            commitments=[CommitmentInput(c.side, c.text, c.due_on) for c in commitments],
            review_on=review_on,
        )
        for key, message in validate_agreement(data).items():
            problems.append(f"{p}.{key}: {message}")
        if len(problems) > before:
            continue
        agreements.append(
            _IncomingAgreement(
                uid,
                number,
                version,
                title,
                dated,
                AgreementStatus(status),
                incident,
                supersedes,
                context,
                "\n".join(points),
                review_on,
                review_fu,
                finalised_at,
                created_at,
                updated_at,
                pdf,
                sha,
                commitments,
            )
        )
    return agreements


def _commitments(
    value: Any, path: str, problems: list[str], fu_uids: set[str]
) -> list[_IncomingCommitment]:
    out: list[_IncomingCommitment] = []
    positions = {Side.OURS: 0, Side.THEIRS: 0}
    for p, item in _objects(value, path, problems):
        before = len(problems)
        _check_keys(item, COMMITMENT_FIELDS, REQUIRED_COMMITMENT_FIELDS, p, problems)
        uid = _uid(item, p, problems)
        side = (
            _choice(item["side"], _SIDES, "side", f"{p}.side", problems) if "side" in item else None
        )
        text = _text(item.get("text", ""), f"{p}.text", problems)
        if isinstance(item.get("text"), str) and not text.strip():
            problems.append(f"{p}.text: is empty; fill it in or remove this commitment.")
        due_on = _day(item, "due_on", p, problems, nullable=True)
        state = _choice(
            item.get("state", CommitmentState.OPEN.value),
            _COMMITMENT_STATES,
            "state",
            f"{p}.state",
            problems,
        )
        follow_up = _link(
            item.get("follow_up"), f"{p}.follow_up", problems, fu_uids, ("follow-up", "follow-ups")
        )
        if len(problems) > before or side is None or state is None:
            continue
        s = Side(side)
        out.append(
            _IncomingCommitment(
                uid, s, positions[s], text, due_on, CommitmentState(state), follow_up
            )
        )
        positions[s] += 1
    return out


