"""The agreement aggregate, checked by the models: the agreement editor's rules,
commitments, links to this client's rows, and the stored PDF of a final one
(present, and matching its hash: a final agreement never changes). Also the
consultant's details, by the rules of the settings dialog."""

from __future__ import annotations

import base64
import binascii
import hashlib
from datetime import time

from exports.book_json.check_history import utc
from exports.book_json.format import WEEKDAYS, _q
from exports.book_json.incoming import _IncomingAgreement, _IncomingCommitment
from exports.book_json.problems import Loc, Problem, Record
from models.entities import AgreementStatus, Side
from models.services.agreements import AgreementInput, CommitmentInput, validate_agreement
from models.services.consultant import ConsultantSettings, validate_settings
from models.services.work_settings import WorkSettings, work_problems
from models.working_time import WorkingWeek


def _base64(value: str, at: Loc, problems: list[Problem]) -> bytes | None:
    try:
        return base64.b64decode(value.encode("ascii"), validate=True)
    except (binascii.Error, ValueError, UnicodeEncodeError):
        problems.append((at, "is not valid base64."))
        return None


def _link(at: Loc, uid: str | None, uids: set[str], where: str, problems: list[Problem]) -> None:
    if uid is not None and uid not in uids:
        problems.append((at, f"{_q(uid)} is not the id of one of {where}."))


def agreements(
    at: Loc,
    items: list[Record],
    problems: list[Problem],
    fu_uids: set[str],
    incident_uids: set[str],
) -> list[_IncomingAgreement]:
    out: list[_IncomingAgreement] = []
    own_uids = {a["id"] for a in items}
    for j, item in enumerate(items):
        before = len(problems)
        p = (*at, j)
        _link(
            (*p, "incident"), item["incident"], incident_uids, "this client's incidents", problems
        )
        _link(
            (*p, "supersedes"),
            item["supersedes"],
            own_uids - {item["id"]},
            "this client's other agreements",
            problems,
        )
        _link(
            (*p, "review_follow_up"),
            item["review_follow_up"],
            fu_uids,
            "this client's follow-ups",
            problems,
        )
        commitments = _commitments((*p, "commitments"), item["commitments"], problems, fu_uids)
        pdf = _base64(item["pdf"], (*p, "pdf"), problems) if item["pdf"] is not None else None
        if len(problems) > before:
            continue
        if item["status"] is AgreementStatus.DRAFT:
            if item["pdf"] is not None or item["pdf_sha256"] is not None:
                problems.append(
                    ((*p, "pdf"), "a draft has no stored PDF; make pdf and pdf_sha256 null.")
                )
        elif pdf is None or item["pdf_sha256"] is None:
            problems.append(
                (
                    (*p, "pdf"),
                    f"a {item['status']} agreement carries its stored PDF and its pdf_sha256.",
                )
            )
        elif hashlib.sha256(pdf).hexdigest() != item["pdf_sha256"]:
            problems.append(
                ((*p, "pdf"), "does not match its pdf_sha256; the PDF was changed or damaged.")
            )
        data = AgreementInput(
            title=item["title"],
            dated=item["dated"],
            context=item["context"],
            points=list(item["points"]),
            commitments=[CommitmentInput(c.side, c.text, c.due_on) for c in commitments],
            review_on=item["review_on"],
        )
        problems.extend(((*p, key), message) for key, message in validate_agreement(data).items())
        if len(problems) > before:
            continue
        out.append(
            _IncomingAgreement(
                item["id"],
                item["number"],
                item["version"],
                item["title"],
                item["dated"],
                item["status"],
                item["incident"],
                item["supersedes"],
                item["context"],
                "\n".join(item["points"]),
                item["review_on"],
                item["review_follow_up"],
                utc(item["finalised_at"]),
                utc(item["created_at"]),
                utc(item["updated_at"]),
                pdf,
                item["pdf_sha256"],
                commitments,
            )
        )
    return out


def _commitments(
    at: Loc, items: list[Record], problems: list[Problem], fu_uids: set[str]
) -> list[_IncomingCommitment]:
    out: list[_IncomingCommitment] = []
    positions = {Side.OURS: 0, Side.THEIRS: 0}
    for j, c in enumerate(items):
        before = len(problems)
        if not c["text"].strip():
            problems.append(((*at, j, "text"), "is empty; fill it in or remove this commitment."))
        _link((*at, j, "follow_up"), c["follow_up"], fu_uids, "this client's follow-ups", problems)
        if len(problems) > before:
            continue
        out.append(
            _IncomingCommitment(
                c["id"],
                c["side"],
                positions[c["side"]],
                c["text"],
                c["due_on"],
                c["state"],
                c["follow_up"],
            )
        )
        positions[c["side"]] += 1
    return out


def consultant(value: Record, problems: list[Problem]) -> ConsultantSettings | None:
    """The consultant's details, by the rules of the settings dialog."""
    at: Loc = ("consultant",)
    before = len(problems)
    logo = (
        _base64(value["logo_png"], (*at, "logo_png"), problems)
        if value["logo_png"] is not None
        else None
    )
    if len(problems) > before:
        return None
    data = ConsultantSettings(
        name=value["name"],
        business=value["business"],
        address=value["address"],
        email=value["email"],
        phone=value["phone"],
        logo_png=logo,
        page_size=value["page_size"],
        work=_work(value["work"], (*at, "work"), problems) if value["work"] else None,
    )
    problems.extend(((*at, key), message) for key, message in validate_settings(data).items())
    return data if len(problems) == before else None


# The work settings' fields by the names the file gives them.
_WORK_FIELDS = {
    "days": "days",
    "start": "starts",
    "end": "ends",
    "country": "holiday_country",
    "subdivision": "holiday_subdivision",
    "locale": "date_locale",
}


def _work(value: Record, at: Loc, problems: list[Problem]) -> WorkSettings | None:
    """The working week and date style, by the rules of the settings page."""
    days = frozenset(WEEKDAYS.index(day) for day in value["days"])
    week = WorkingWeek(
        days=days,
        start=time.fromisoformat(value["starts"]),
        end=time.fromisoformat(value["ends"]),
        country=value["holiday_country"].strip().upper(),
        subdivision=value["holiday_subdivision"].strip(),
    )
    data = WorkSettings(week=week, locale=value["date_locale"].strip())
    errors = work_problems(data)
    problems.extend(((*at, _WORK_FIELDS.get(key, key)), text) for key, text in errors.items())
    return None if errors else data
