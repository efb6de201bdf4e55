"""Writing clients as vCard 3.0 (vobject folds and escapes): the export, which shares
nothing with reading a file but the format's name."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from models import __version__
from models.services.clients import ClientDetail


def _split_name(name: str) -> tuple[str, str]:
    """(family, given) for N, which vCard 3.0 requires; FN keeps the name as typed.

    Rapport keeps one name field, so this is a guess: the last word is the family
    name. Apps show FN, so the guess only matters to those that sort by N.
    """
    words = name.split()
    if len(words) < 2:
        return name, ""
    return words[-1], " ".join(words[:-1])


def _type_param(label: str, base: Sequence[str]) -> list[str]:
    word = {"mobile": "CELL", "work": "WORK", "home": "HOME"}.get(label.casefold())
    return [*base, word] if word else list(base)


def vcard_bytes(clients: Iterable[ClientDetail]) -> bytes:
    """Clients as vCard 3.0, one card each, UTF-8 (vobject folds and escapes)."""
    import vobject

    out: list[str] = []
    for c in clients:
        card = vobject.vCard()
        card.add("version").value = "3.0"
        card.add("prodid").value = f"-//Rapport//Rapport {__version__}//EN"
        card.add("uid").value = c.uid
        card.add("fn").value = c.name
        family, given = _split_name(c.name)
        card.add("n").value = vobject.vcard.Name(family=family, given=given)
        if c.organisation:
            card.add("org").value = [c.organisation]
        if c.role:
            card.add("title").value = c.role
        for e in c.emails:
            line = card.add("email")
            line.value = e.value
            line.type_paramlist = _type_param(e.label, ["INTERNET"])
        for p in c.phones:
            line = card.add("tel")
            line.value = p.value
            types = _type_param(p.label, [])
            if types:
                line.type_paramlist = types
        if c.notes:
            card.add("note").value = c.notes
        if c.tags:
            card.add("categories").value = list(c.tags)
        out.append(card.serialize())
    return "".join(out).encode("utf-8")
