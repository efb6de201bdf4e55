"""The quick vCard reading (a split of unfolded lines) gives the records vobject's
reading gives, on every card it takes, and steps aside for the cards it does not.

vobject is the reference: ``vobject.readOne`` of the card under the raw name, then
``_record``, exactly as a card the quick reading refuses is read."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from exports import vcard_quick, vcard_record
from exports.vcard import card_record, cut_card_text
from exports.vcard_cut import CardText, cut_card_stream, cut_cards
from exports.vcard_quick import card_identity

FIXTURES = Path(__file__).parent / "fixtures" / "contacts"


def by_vobject(text: str, number: int = 1) -> object:
    import vobject

    card = vobject.readOne(vcard_record._unregistered(text), transform=False, allowQP=True)
    return vcard_record._record(f"card {number}", card)


def quick(text: str, number: int = 1) -> object | None:
    body = vcard_quick._quick_body(text)
    return None if body is None else vcard_quick._quick_record(f"card {number}", body)


def card(*lines: str, version: str | None = "3.0") -> str:
    head = ["BEGIN:VCARD"] + ([f"VERSION:{version}"] if version is not None else [])
    return "\r\n".join([*head, *lines, "END:VCARD", ""])


# Cards the quick reading must take, and read as vobject does.
TAKEN = {
    "folded note and name": card(
        "FN:Anna Maria",
        "  Müller",
        "N:Müller;Anna;Maria;;",
        "NOTE:A long note that an address book folded at seventy-five columns, as",
        "  vCard 3.0 asks, with\\nan escaped newline and a comma\\, here",
        "\tand a tab fold too",
    ),
    "escaped commas and semicolons": card(
        "FN:Smith\\, Jones & Co",
        "N:Smith\\;Jones;Bob;;;",
        "ORG:Acme\\, Inc.;Sales\\;East",
        "CATEGORIES:Clients\\,VIP,Region 3,,Golf",
        "TITLE:Head of A\\\\B",
    ),
    "several emails and phones with labels": card(
        "FN:Chloé Dubois",
        "EMAIL;TYPE=INTERNET;TYPE=WORK;TYPE=pref:chloe@work.example",
        "EMAIL;type=INTERNET,HOME:mailto:Chloe@Home.example",
        "item1.EMAIL;type=INTERNET:c@custom.example",
        "item1.X-ABLabel:_$!<Other>!$_",
        "item2.TEL:+33 1 23",
        "item2.X-ABLabel:Studio",
        "TEL;TYPE=CELL:+33 6 12 34",
        "TEL;VOICE;FAX:+33 1 99",
        "TEL;TYPE=X-CUSTOM,ASSISTANT:tel:+33 1 00",
    ),
    "N without FN": card("N:García;José;;;", "ORG:Firm;"),
    "FN without N, TITLE and ROLE": card("FN:Li", "ROLE:Lead", "TITLE:CTO", "TITLE:Other"),
    "empty TITLE before ROLE": card("FN:Ben", "TITLE:", "ROLE:Adviser", "TITLE:CTO"),
    "version 2.1 keeps bare commas": card(
        "FN:Brown, Ben",
        "N:Brown;Ben;;;",
        "NOTE:one, two\\; three \\n \\, end",
        "TEL;CELL;PREF:+44 7700",
        version="2.1",
    ),
    "version 4.0": card(
        "FN:Zoë Ødegaard",
        "N:Ødegaard;Zoë;;;",
        "EMAIL;TYPE=work;PREF=1:zoe@example.no",
        "TEL;VALUE=uri;TYPE=cell:tel:+47-22-00",
        "KIND:individual",
        version="4.0",
    ),
    "charset parameters": card(
        "FN;CHARSET=ISO-8859-1:Jürgen Weiß",
        "N;CHARSET=windows-1252:Weiß;Jürgen;;;",
        "ORG;CHARSET=UTF-8:Bäckerei",
        version="2.1",
    ),
    "no version at all": card("FN:Nobody", "NOTE:a\\nb", version=None),
    "lower-case names and groups": card("fn:Aoife", "email;type=work:a@b.ie", "A.tel:+353 1"),
    "a folded email and tag": card(
        "EMAIL;TYPE=WORK:very.long.address.of.someone@exa",
        " mple.com",
        "CATEGORIES:Clie",
        " nts,Reg",
        " ion 9",
    ),
    "two VERSION lines": card("VERSION:2.1", "NOTE:x\\,y", version="3.0"),
    "escape at a fold": card("FN:Anna", "NOTE:back\\", " ,slash and \\", " n newline"),
}

# Cards only vobject reads right: the quick reading must step aside.
LEFT = {
    "quoted-printable": card("FN;ENCODING=QUOTED-PRINTABLE:J=C3=BCrgen", version="2.1"),
    "quoted-printable in lower case": card("NOTE;quoted-printable:a=3Db", version="2.1"),
    "quoted parameter": card('TEL;TYPE="voice,cell":+1 555'),
    "blank line between folds": card("FN:Anna", "NOTE:a", " ", " b"),
    "empty line": card("FN:Anna", "", "NOTE:b"),
    "fold right after BEGIN": card(" FN:Anna", version=None),
    "control character": card("FN:Anna\x07"),
    "underscore name (Lotus)": card("X_LOTUS:1", "FN:Anna"),
    "nested BEGIN": card("FN:Anna", "BEGIN:VCARD", "FN:Bob", "END:VCARD"),
    "PROFILE line": card("PROFILE:VCARD", "FN:Anna"),
    "not a property line": card("FN:Anna", "just text"),
}


@pytest.mark.parametrize("name", sorted(TAKEN))
def test_quick_reading_takes_the_card_and_reads_it_as_vobject(name: str) -> None:
    text = TAKEN[name]
    got = quick(text)
    assert got is not None, "the quick reading should take this card"
    assert got == by_vobject(text)
    (cut,) = cut_cards(text)
    assert card_record(cut) == got


@pytest.mark.parametrize("name", sorted(LEFT))
def test_quick_reading_steps_aside_for_what_only_vobject_reads(name: str) -> None:
    text = LEFT[name]
    assert vcard_quick._quick_body(text) is None


def test_what_the_quick_reading_gives_in_plain_words() -> None:
    """Not only the same as vobject: the right values (so both cannot be wrong alike)."""
    rec = quick(TAKEN["several emails and phones with labels"])
    assert rec is not None
    assert [(c.value, c.label) for c in rec.emails] == [
        ("chloe@work.example", "work"),
        ("Chloe@Home.example", "home"),
        ("c@custom.example", "other"),
    ]
    assert [(c.value, c.label) for c in rec.phones] == [
        ("+33 1 23", "studio"),
        ("+33 6 12 34", "mobile"),
        ("+33 1 99", "fax"),
        ("+33 1 00", "assistant"),
    ]
    rec = quick(TAKEN["escaped commas and semicolons"])
    assert rec is not None
    assert (rec.name, rec.family, rec.given, rec.organisation, rec.role) == (
        "Smith, Jones & Co",
        "Smith;Jones",
        "Bob",
        "Acme, Inc.",
        "Head of A\\B",
    )
    assert rec.tags == ["Clients,VIP", "Region 3", "Golf"]
    rec = quick(TAKEN["folded note and name"])
    assert rec is not None
    assert rec.name == "Anna Maria Müller"
    assert rec.notes == (
        "A long note that an address book folded at seventy-five columns, as "
        "vCard 3.0 asks, with\nan escaped newline and a comma, hereand a tab fold too"
    )
    rec = quick(TAKEN["version 2.1 keeps bare commas"])
    assert rec is not None
    assert (rec.name, rec.notes) == ("Brown, Ben", "one, two; three \\n \\, end")
    rec = quick(TAKEN["empty TITLE before ROLE"])
    assert rec is not None and rec.role == "CTO"


def test_every_fixture_card_reads_the_same_either_way() -> None:
    taken = 0
    for path in sorted(FIXTURES.glob("*.vcf")):
        text = path.read_bytes().decode("utf-8", "replace")
        for cut in cut_cards(text):
            if cut.text is None:
                continue
            got = quick(cut.text, cut.number)
            if got is None:
                continue
            taken += 1
            assert got == by_vobject(cut.text, cut.number), (path.name, cut.number)
    assert taken >= 3  # the Apple and 4.0 fixtures' cards take the quick way


NAMES = st.sampled_from(
    ["FN", "N", "EMAIL", "TEL", "ORG", "TITLE", "ROLE", "NOTE", "CATEGORIES", "VERSION"]
    + ["item1.EMAIL", "item1.X-ABLabel", "item2.TEL", "X-ABLABEL", "fn", "Email", "KIND"]
)
PARAMS = st.sampled_from(
    ["", ";TYPE=WORK", ";type=CELL;type=pref", ";CELL", ";TYPE=INTERNET,HOME", ";PREF=1"]
    + [";CHARSET=ISO-8859-1", ";TYPE=X-A,B", ";VOICE;FAX", ";ENCODING=b"]
)
VALUES = st.one_of(
    st.text(st.characters(blacklist_categories=("Cs",)), max_size=30),
    st.sampled_from(
        ["Müller;Anna;;;", "a\\,b\\;c", "x\\ny", "mailto:A@B.c", "tel:+1", "_$!<Mobile>!$_"]
        + ["2.1", "4.0", " a  b ", "a,b,,c", "\\", "Ex;Co;Dept", ""]
    ),
)


def folded(line: str, at: list[int], fold: str) -> list[str]:
    """``line`` folded before each of the positions ``at`` (vCard's line folding)."""
    cuts = sorted({p for p in at if 0 < p < len(line)})
    pieces = [line[a:b] for a, b in zip([0, *cuts], [*cuts, len(line)], strict=True)]
    return [pieces[0], *(fold + p for p in pieces[1:])]


@settings(
    max_examples=400,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(
    lines=st.lists(
        st.tuples(NAMES, PARAMS, VALUES, st.lists(st.integers(1, 40), max_size=3)), max_size=9
    ),
    version=st.sampled_from(["2.1", "3.0", "4.0", None]),
    fold=st.sampled_from([" ", "\t"]),
)
@example(lines=[("NOTE", "", "a\\nb, c", [3]), ("FN", "", "Anna", [])], version="3.0", fold=" ")
def test_quick_reading_agrees_with_vobject_on_random_cards(
    lines: list[tuple[str, str, str, list[int]]], version: str | None, fold: str
) -> None:
    physical: list[str] = []
    for name, params, value, at in lines:
        physical += folded(f"{name}{params}:{value}", at, fold)
    text = card(*physical, version=version)
    for cut in cut_cards(text):
        if cut.text is None:
            continue
        got = quick(cut.text, cut.number)
        if got is None:
            continue
        assert got == by_vobject(cut.text, cut.number)
        assert card_record(CardText(cut.number, cut.text)) == got


@pytest.mark.parametrize("name", sorted(TAKEN) + sorted(LEFT))
def test_a_card_cut_whole_reads_as_the_same_card_cut_line_by_line(name: str) -> None:
    """A card cut whole says so (strict) and is then read without its lines being
    checked again: what it reads must be what the line-by-line cut card reads."""
    text = (TAKEN.get(name) or LEFT[name]).replace("\r\n", "\n")
    whole = list(cut_card_text(io.StringIO(text, newline=None)))
    by_line = list(cut_card_stream(io.StringIO(text, newline=None)))
    assert whole == by_line
    assert [card_record(c) for c in whole] == [card_record(c) for c in by_line]
    assert [card_identity(c) for c in whole] == [card_identity(c) for c in by_line]
    if name in TAKEN and "\n " not in text and "\n\t" not in text:
        assert all(c.strict for c in whole)
    if name in LEFT and len(whole) == 1:  # (a nested BEGIN cuts a second, plain card)
        assert all(vcard_quick._quick_body(c.text, c.strict) is None for c in whole if c.text)


@pytest.mark.parametrize("name", sorted(TAKEN) + sorted(LEFT))
def test_the_keys_scan_finds_the_emails_the_identity_reading_finds(name: str) -> None:
    """card_keys (the count pass's reading of a card with an email) gives the
    emails card_identity gives, and steps aside (None) for every other card."""
    from exports.vcard_quick import card_keys

    text = (TAKEN.get(name) or LEFT[name]).replace("\r\n", "\n")
    for cut in cut_card_text(io.StringIO(text, newline=None)):
        keys, identity = card_keys(cut), card_identity(cut)
        if keys is None:
            assert identity is None or not identity.emails
        else:
            assert identity is not None
            assert keys.emails == identity.emails
            assert keys.place == identity.place and not keys.name and not keys.problem


def test_the_count_pass_learns_the_keys_the_first_pass_would() -> None:
    """parse_vcards' Survey (made while counting) equals the import's own first pass
    over the cards' identities: same rows refused, same people, same lonely names."""
    from exports.vcard import parse_vcards
    from models.services.contacts import _survey

    cards = [TAKEN[n] for n in sorted(TAKEN)] + [LEFT[n] for n in sorted(LEFT)]
    cards.append(
        "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Ann\r\nitem1.EMAIL;TYPE=WORK:MAILTO:A@x.org\r\n"
        "END:VCARD\r\nBEGIN:VCARD\r\nVERSION:3.0\r\nFN:Ann B\r\nemail: a@X.org \r\n"
        "END:VCARD\r\nBEGIN:VCARD\r\nVERSION:3.0\r\nFN:No Mail\r\nEND:VCARD\r\n"
        "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Bad\x1b[2J\r\nEMAIL:b@x.org\r\nEND:VCARD\r\n"
    )
    source = parse_vcards("".join(cards).encode("utf-8"))
    made = source.survey
    assert made is not None
    again = _survey(source, lambda i: None)
    assert (made.n, made.problems, made.first_with, made.lonely) == (
        again.n,
        again.problems,
        again.first_with,
        again.lonely,
    )
    assert [made.union.find(i) for i in range(made.n)] == [
        again.union.find(i) for i in range(again.n)
    ]
    assert made.n == len(source) and made.problems and "no mail" in made.lonely


def _survey_fields(sv: object) -> tuple[object, ...]:
    union = sv.union  # type: ignore[attr-defined]
    return (
        sv.n,  # type: ignore[attr-defined]
        sv.problems,  # type: ignore[attr-defined]
        sv.first_with,  # type: ignore[attr-defined]
        sv.lonely,  # type: ignore[attr-defined]
        [union.find(i) for i in range(sv.n)],  # type: ignore[attr-defined]
    )


@settings(
    max_examples=200,
    deadline=None,
    # monkeypatch only sets the chunk size, which every example sets anew.
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(
    cards=st.lists(
        st.lists(
            st.one_of(
                st.tuples(NAMES, PARAMS, VALUES, st.lists(st.integers(1, 40), max_size=2)),
                st.sampled_from(
                    ["PHOTO;ENCODING=b:AAAA", " AAAA", "NOTE;ENCODING=QUOTED-PRINTABLE:a=3D", ""]
                    + ["END:VCARD", "BEGIN:VCARD", "X_LOTUS:1", "NOTE:a\x07b"]
                ),
            ),
            max_size=7,
        ),
        max_size=6,
    ),
    fold=st.sampled_from([" ", "\t"]),
    newline=st.sampled_from(["\r\n", "\n"]),
    chunk=st.sampled_from([5, 64, 1 << 20]),
    keep=st.sampled_from(["none", "the first two", "all"]),
)
@example(
    cards=[[("NOTE", "", "a\\nb", []), ("EMAIL", "", "A@b.org", [])], [("FN", "", "Li", [3])]],
    fold=" ",
    newline="\r\n",
    chunk=1 << 20,
    keep="none",
)
def test_an_import_reads_the_records_and_keys_the_line_by_line_reading_gives(
    cards: list[list[object]],
    fold: str,
    newline: str,
    chunk: int,
    keep: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """An import's two passes read most cards from their bodies as cut (exports/vcard.py,
    without making each card's CRLF text), and a small file's count pass keeps its
    records (all of them, or the first few and then keys alone): the records and the
    count pass's keys must be what cutting line by line and card_record of every
    card give."""
    from exports import vcard
    from exports.vcard import parse_vcards
    from exports.vcard_cut import cut_card_stream
    from models.services.contacts import Survey

    monkeypatch.setattr(vcard, "READ_CHUNK", chunk)
    monkeypatch.setattr(vcard, "KEEP_BYTES", -1 if keep == "none" else 1 << 30)
    monkeypatch.setattr(vcard, "KEEP_RECORDS", 2 if keep == "the first two" else 10**6)
    lines = ["BEGIN:VCARD", "VERSION:3.0", "FN:First", "EMAIL:first@example.org", "END:VCARD"]
    for props in cards:
        lines += ["BEGIN:VCARD", "VERSION:3.0"]
        for prop in props:
            if isinstance(prop, str):
                lines.append(prop)
            else:
                name, params, value, at = prop  # type: ignore[misc]
                lines += folded(f"{name}{params}:{value}", at, fold)
        lines.append("END:VCARD")
    text = newline.join(lines) + newline
    # A file with more than one control character in a hundred is refused as not
    # text at all (scan_text): the first card's note keeps this one below that.
    controls = sum(1 for ch in text if ord(ch) < 32 and ch not in "\r\n\t")
    text = text.replace("FN:First", "FN:First" + newline + "NOTE:" + "x" * 100 * controls, 1)
    source = parse_vcards(text.encode("utf-8"))
    by_line = [card_record(c) for c in cut_card_stream(io.StringIO(text, newline=None))]
    kept_all = keep == "all" or (keep == "the first two" and len(by_line) <= 2)
    assert (source.kept is not None) == kept_all
    assert list(source) == by_line
    expected = Survey()
    for rec in by_line:
        expected.add(rec)
    assert source.survey is not None
    assert _survey_fields(source.survey) == _survey_fields(expected)
