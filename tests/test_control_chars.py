"""Control characters are refused at every edge by one rule (models/limits.py): the
services every form goes through, the JSON format and the contacts import. Notes
and other multi-line text keep tab and line breaks; nothing refused is stored."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest

from models.db import Book, open_book
from models.entities import Channel, EntryKind, IncidentCategory, Severity, Side
from models.errors import ValidationError
from models.limits import control_char, one_line_break, text_problem

NOW = datetime(2026, 11, 22, 9, 30, tzinfo=UTC)
# NUL, ESC (starts a terminal escape), DEL, and CSI's one-byte C1 twin.
BAD = ["\x00", "\x1b", "\x7f", "\x9b"]


def code(char: str) -> str:
    return f"U+{ord(char):04X}"


def words(char: str) -> str:
    return (
        f"This contains a control character ({code(char)}), which Rapport does not store; "
        "remove it and try again."
    )


def dump(path: Path) -> str:
    """Every row of every table, as one hash: what a refusal must leave alone."""
    conn = sqlite3.connect(path)
    try:
        digest = hashlib.sha256()
        for (table,) in conn.execute(
            "SELECT name FROM sqlite_master WHERE type='table' ORDER BY name"
        ):
            for row in conn.execute(f'SELECT * FROM "{table}" ORDER BY 1'):
                digest.update(repr((table, row)).encode())
        return digest.hexdigest()
    finally:
        conn.close()


# --------------------------------------------------------------------------- the rule
def test_the_one_rule() -> None:
    for char in [*BAD, "\x01", "\x0b", "\x0c", "\x1f", "\x80", "\x9f"]:
        assert control_char(f"a{char}b") == char
        assert control_char(f"a{char}b", multiline=True) == char
    for char in "\t\n\r":
        assert control_char(f"a{char}b") == char  # a line keeps none of them
        assert control_char(f"a{char}b", multiline=True) is None
    # Printable text, however unusual, is text.
    for text in ("é 😀 שלום \u202e \u00a0 \u00ad \u2028", "plain"):
        assert control_char(text) is None and text_problem(text) is None
    assert text_problem("a\x00b") == words("\x00")
    assert text_problem("a\tb") is None and text_problem("a\tb", multiline=False) == words("\t")
    assert one_line_break("one\r\ntwo\rthree\nfour") == "one\ntwo\nthree\nfour"


# --------------------------------------------------------------------------- services
def _client(book: Book) -> int:
    from models.services.clients import ClientInput, create_client

    return create_client(book, ClientInput(name="Anna"), now=NOW)


@pytest.mark.parametrize("char", BAD)
def test_client_fields_refuse_a_control_character_and_nothing_is_saved(
    book: Book, char: str
) -> None:
    from models.services.clients import (
        ClientInput,
        Contact,
        count_clients,
        create_client,
        get_client,
        update_client,
    )

    cid = _client(book)
    cases: list[tuple[dict[str, Any], str, str]] = [
        ({"organisation": f"Acme{char}"}, "organisation", words(char)),
        ({"role": f"{char}Boss"}, "role", words(char)),
        ({"notes": f"a note{char}"}, "notes", words(char)),
        ({"tags": [f"vip{char}"]}, "tags", words(char)),
        ({"emails": [Contact(f"a{char}@example.com")]}, "emails.0", words(char)),
        ({"emails": [Contact("a@example.com", f"work{char}")]}, "emails.0", words(char)),
        ({"phones": [Contact("+44 1632 960000", f"m{char}")]}, "phones.0", words(char)),
        ({"name": f"Bo{char}b"}, "name", "The name contains invisible control characters."),
    ]
    before = dump(book.path)
    for fields, key, message in cases:
        data = ClientInput(**{"name": "Bob", **fields})
        with pytest.raises(ValidationError) as err:
            create_client(book, data, now=NOW)
        assert err.value.errors == {key: message}, fields
        with pytest.raises(ValidationError):
            update_client(book, cid, data, now=NOW)
    assert dump(book.path) == before
    assert count_clients(book) == 1
    # Notes keep tab and line breaks (a carriage return too).
    update_client(book, cid, ClientInput(name="Anna", notes="a\tb\nc\r\nd"), now=NOW)
    assert get_client(book, cid).notes == "a\tb\nc\r\nd"


@pytest.mark.parametrize("char", BAD)
def test_touches_and_follow_ups_refuse_a_control_character(book: Book, char: str) -> None:
    from models.services.reminders import TouchInput, add_follow_up, log_touch, open_follow_ups

    cid = _client(book)
    before = dump(book.path)
    for fields, key in (
        ({"summary": f"We spoke{char}"}, "summary"),
        ({"next_step": f"Call{char}"}, "next_step"),
    ):
        with pytest.raises(ValidationError) as err:
            log_touch(
                book, cid, TouchInput(happened_at=NOW, channel=Channel.CALL, **fields), now=NOW
            )
        assert err.value.errors == {key: words(char)}
    with pytest.raises(ValidationError) as err:
        add_follow_up(book, cid, f"Send{char} it", NOW.date(), now=NOW)
    assert err.value.errors == {"title": words(char)}
    with pytest.raises(ValidationError) as err:
        add_follow_up(book, cid, "Send it", NOW.date(), note=f"n{char}", now=NOW)
    assert err.value.errors == {"note": words(char)}
    assert dump(book.path) == before and open_follow_ups(book, cid) == []
    log_touch(
        book,
        cid,
        TouchInput(happened_at=NOW, channel=Channel.CALL, summary="line\n\tindented"),
        now=NOW,
    )
    add_follow_up(book, cid, "Send it", NOW.date(), note="one\n\ttwo", now=NOW)
    [row] = open_follow_ups(book, cid)
    assert row.note == "one\n\ttwo"


@pytest.mark.parametrize("char", BAD)
def test_incidents_and_their_timeline_refuse_a_control_character(book: Book, char: str) -> None:
    from models.services.incident_timeline import add_entry, edit_entry, timeline
    from models.services.incidents import IncidentInput, get_incident, open_incident

    cid = _client(book)
    good = IncidentInput("Late report", IncidentCategory.COMMUNICATION, Severity.LOW)
    iid = open_incident(book, cid, good, now=NOW)
    eid = add_entry(book, iid, EntryKind.NOTE, "first", now=NOW)
    before = dump(book.path)
    for fields, key in (
        ({"title": f"Late{char}"}, "title"),
        ({"client_view": f"upset{char}"}, "client_view"),
        ({"our_mistakes": f"{char}"}, "our_mistakes"),
    ):
        bad = IncidentInput(**{**good.__dict__, **fields})
        with pytest.raises(ValidationError) as err:
            open_incident(book, cid, bad, now=NOW)
        assert err.value.errors == {key: words(char)}
    for write in (
        lambda: add_entry(book, iid, EntryKind.NOTE, f"rang{char}", now=NOW),
        lambda: edit_entry(book, eid, f"rang{char}", now=NOW),
    ):
        with pytest.raises(ValidationError) as err:
            write()
        assert err.value.errors == {"text": words(char)}
    assert dump(book.path) == before
    add_entry(book, iid, EntryKind.NOTE, "she said:\n\t“no”", now=NOW)
    assert "she said:\n\t“no”" in [r.text for r in timeline(book, iid, now=NOW)]
    assert get_incident(book, iid, now=NOW).row.title == "Late report"


@pytest.mark.parametrize("char", BAD)
def test_agreements_settings_and_the_wizard_refuse_a_control_character(
    book: Book, char: str
) -> None:
    from models.repair import Step
    from models.services.agreements import AgreementInput, CommitmentInput, create_agreement
    from models.services.consultant import ConsultantSettings, get_settings, set_settings
    from models.services.incidents import IncidentInput, open_incident
    from models.services.repair import save_step, start_or_resume

    cid = _client(book)
    iid = open_incident(
        book, cid, IncidentInput("Late", IncidentCategory.COMMUNICATION, Severity.LOW), now=NOW
    )
    plan = start_or_resume(book, iid, now=NOW)
    before = dump(book.path)
    day = date(2026, 11, 22)
    for fields, key in (
        ({"title": f"Terms{char}"}, "title"),
        ({"context": f"ctx{char}"}, "context"),
        ({"points": [f"point{char}"]}, "points"),
        ({"commitments": [CommitmentInput(Side.OURS, f"call{char}")]}, "commitments"),
    ):
        data = AgreementInput(**{"title": "Terms", "dated": day, **fields})
        with pytest.raises(ValidationError) as err:
            create_agreement(book, cid, data, now=NOW)
        assert err.value.errors == {key: words(char)}
    for fields, key in (
        ({"name": f"Me{char}"}, "name"),
        ({"address": f"1 Road\n{char}"}, "address"),
    ):
        with pytest.raises(ValidationError) as err:
            set_settings(book, ConsultantSettings(**fields))
        assert err.value.errors == {key: words(char)}
    for values in ({"facts": f"it broke{char}"}, {"priorities": [f"speed{char}"]}):
        step = Step.FACTS if "facts" in values else Step.GOALS
        with pytest.raises(ValidationError) as err:
            save_step(book, plan.id, step, values, now=NOW)
        assert err.value.errors == {next(iter(values)): words(char)}
    assert dump(book.path) == before
    set_settings(book, ConsultantSettings(name="Me", address="1 Road\nTown"))
    assert get_settings(book).address == "1 Road\nTown"
    assert (
        save_step(book, plan.id, Step.FACTS, {"facts": "a\n\tb"}, now=NOW).answers["facts"]
        == "a\n\tb"
    )


# --------------------------------------------------------------------------- JSON
def _book_file(tmp_path: Path) -> tuple[Path, dict[str, Any]]:
    from exports.book_json import export_book
    from models.demo import fill_demo

    path = tmp_path / "book" / "b.db"
    book = open_book(path)
    try:
        fill_demo(book, now=NOW)
        doc = export_book(book)
    finally:
        book.close()
    return path, doc


def _files(book_path: Path) -> dict[str, str]:
    found = sorted(p for p in book_path.parent.rglob("*") if p.is_file())
    return {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest()
        for p in found
        if not p.name.endswith(("-wal", "-shm"))
    }


@pytest.mark.parametrize("char", BAD)
def test_a_json_import_names_every_control_character_and_leaves_the_book_alone(
    tmp_path: Path, char: str
) -> None:
    from exports.book_json import BookFormatError, import_json

    path, doc = _book_file(tmp_path)
    before = _files(path)
    c = doc["clients"][3]
    c["organisation"] += char  # a line
    c["notes"] += char  # multi-line text
    c["tags"] = ["ok", f"t{char}"]
    c["emails"] = [{"value": "x@example.com", "label": f"w{char}"}]
    touched = next(i for i, x in enumerate(doc["clients"]) if x["touches"])
    doc["clients"][touched]["touches"][0]["summary"] = f"s{char}"
    with_incident = next(i for i, x in enumerate(doc["clients"]) if x["incidents"])
    incident = doc["clients"][with_incident]["incidents"][0]
    incident["title"] = f"T{char}"
    if incident["timeline"]:
        incident["timeline"][0]["text"] = f"e{char}"
    doc["consultant"]["name"] = f"Me{char}"
    source = tmp_path / "in.json"
    source.write_text(json.dumps(doc), encoding="utf-8")
    book = open_book(path)
    try:
        with pytest.raises(BookFormatError) as err:
            import_json(book, source, now=NOW)
    finally:
        book.close()
    said = f"contains a control character ({code(char)})."
    lines = err.value.problems
    expected = {
        f"clients[3].organisation: {said}",
        f"clients[3].notes: {said}",
        f"clients[3].tags[1]: {said}",
        f"clients[3].emails[0].label: {said}",
        f"clients[{touched}].touches[0].summary: {said}",
        f"clients[{with_incident}].incidents[0].title: {said}",
        f"consultant.name: {said}",
    }
    if incident["timeline"]:
        expected.add(f"clients[{with_incident}].incidents[0].timeline[0].text: {said}")
    assert expected <= set(lines), lines  # all at once, each with its path
    assert _files(path) == before


def test_json_text_keeps_tab_and_line_breaks_but_a_line_keeps_none(tmp_path: Path) -> None:
    from exports.book_json import FORMAT, BookFormatError, export_book, import_json

    doc = {
        "format": FORMAT,
        "version": 5,
        "clients": [
            {"id": "a" * 32, "name": "Anna", "notes": "one\ttwo\r\nthree\n"},
            {"id": "b" * 32, "name": "Bob", "role": "Boss\tof all"},
        ],
    }
    source = tmp_path / "in.json"
    source.write_text(json.dumps(doc), encoding="utf-8")
    book = open_book(tmp_path / "b.db")
    try:
        with pytest.raises(BookFormatError) as err:
            import_json(book, source, now=NOW)
        assert err.value.problems == ["clients[1].role: contains a control character (U+0009)."]
        del doc["clients"][1]
        source.write_text(json.dumps(doc), encoding="utf-8")
        import_json(book, source, now=NOW)
        [c] = export_book(book)["clients"]
        assert c["notes"] == "one\ttwo\r\nthree\n"  # the file's text, exactly
    finally:
        book.close()


# --------------------------------------------------------------------------- contacts
def test_a_contacts_import_turns_crlf_in_notes_into_lf(book: Book) -> None:
    from exports.contacts_csv import parse_csv
    from models.services.client_search import list_clients
    from models.services.clients import get_client
    from models.services.contact_rows import Action
    from models.services.contacts import apply_import

    data = b'Name,Notes\r\nAnna,"one\r\ntwo\rthree\tfour"\r\nBert,"x\x1by"\r\n'
    plan = apply_import(book, parse_csv(data).records())
    assert plan.created == 1 and plan.skipped == 1
    [skipped] = [r for r in plan.rows if r.action is Action.SKIP]
    assert skipped.place == "row 3" and "U+001B" in skipped.reason and "the notes" in skipped.reason
    [anna] = list_clients(book)
    assert get_client(book, anna.id).notes == "one\ntwo\nthree\tfour"


def test_rapports_own_csv_and_vcard_exports_import_cleanly(book: Book, tmp_path: Path) -> None:
    """What the book holds, however unusual, comes back through its own contact
    exports: every client created, none refused, notes with tabs and lines intact."""
    from exports.contacts_io import ExportFormat, export_contacts, load_contacts
    from models.demo import fill_demo
    from models.services.client_search import list_clients
    from models.services.clients import ClientInput, Contact, create_client, get_client
    from models.services.contacts import apply_import

    fill_demo(book, now=NOW)
    create_client(
        book,
        ClientInput(
            name="Zoë “Q” O'Brien, Jr.",
            organisation='\u200fמשרד; "quoted", comma',
            role="Партнёр\u00a0lead",
            emails=[Contact("zoë@example.com", "работа")],
            phones=[Contact("+972 (3) 555-0100", "נייד")],
            tags=["vip", "🌱 green"],
            notes='line one\n\tindented; semi, comma "q"\nback\\slash 😀',
        ),
        now=NOW,
    )
    originals = {get_client(book, r.id).name: get_client(book, r.id) for r in list_clients(book)}
    for kind, name in ((ExportFormat.CSV, "book.csv"), (ExportFormat.VCARD, "book.vcf")):
        out = tmp_path / name
        export_contacts(book, out, kind)
        other = open_book(tmp_path / f"{name}.db")
        try:
            plan = apply_import(other, load_contacts(out).records())
            assert plan.skipped == 0, [r.reason for r in plan.rows if r.reason]
            assert plan.created == len(originals)
            again = {
                get_client(other, r.id).name: get_client(other, r.id) for r in list_clients(other)
            }
        finally:
            other.close()
        assert set(again) == set(originals)
        zoe = again["Zoë “Q” O'Brien, Jr."]
        assert zoe.notes == originals[zoe.name].notes
        assert zoe.organisation == originals[zoe.name].organisation
        for c in again.values():
            for text in (c.name, c.organisation, c.role, *c.tags):
                assert control_char(text) is None
            assert control_char(c.notes, multiline=True) is None
