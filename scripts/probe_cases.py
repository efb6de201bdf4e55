"""The probe's scenarios, one method per category of issue 18: JSON fuzzed around the
demo export, hostile contacts files, symlinks, a nearly full tmpfs, SIGKILL at a random
moment, and dates in 15 time zones or on a faked clock.

Each returns the command to run and how to judge it, and draws only from the
probe's seeded ``rng``, so the same seed gives the same commands against any
checkout. Apart from the runner and the tallies (probe_faults.py) so that adding a
case is an edit here only: how a run is forked, timed and judged does not change.
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

ZONES = [
    "UTC",
    "Europe/London",
    "Europe/Berlin",
    "Europe/Moscow",
    "Asia/Kolkata",
    "Asia/Kathmandu",
    "Asia/Tokyo",
    "Australia/Lord_Howe",
    "Pacific/Chatham",
    "Pacific/Kiritimati",
    "Pacific/Pago_Pago",
    "America/New_York",
    "America/St_Johns",
    "America/Sao_Paulo",
    "America/Los_Angeles",
]
DAYS = [
    "9999-12-25",
    "9999-12-31",
    "0001-01-01",
    "1899-12-31",
    "1900-01-01",
    "2200-12-31",
    "2201-01-01",
    "99999-01-01",
    "2026-02-29",
    "2028-02-29",
    "2026-03-29",
    "2026-10-25",
    "2026-03-08",
    "2026-11-01",
    "2026-12-31",
    "2027-01-01",
    "26-1-1",
    "2026-1-1",
    "",
    "today",
    "-1",
    "2026-13-01",
    "2026-00-10",
    "１９９９-01-01",
]
HOSTILE_VALUES: list[Any] = [
    None,
    True,
    0,
    -1,
    2**63,
    2**80,
    10**30,
    1.5,
    float("nan"),
    float("inf"),
    "",
    "x" * 200_000,
    "\x00",
    "\x1b]0;owned\x07\x1b[2J",
    "\u202e",
    "99999-12-31",
    "0001-01-01T00:00:00+00:00",
    "9999-12-31T23:59:59-14:00",
    "../../../etc/passwd",
    "/etc/passwd",
    [],
    {},
    [1, 2],
    {"a": 1},
    "final",
    "superseded",
    "0" * 64,
]


class Scenarios:
    """The categories, mixed into probe_faults.Probe: they use its seeded ``rng``,
    its template files (``export``, ``doc``, ``client_ids``, ``outside``, ``tmpfs``),
    its ``work`` folder and its ``run`` (for the runs a case needs first)."""

    rng: random.Random
    work: Path
    export: Path
    doc: dict[str, Any]
    client_ids: list[int]
    outside: Path
    tmpfs: Path | None
    run: Callable[..., tuple[int | None, str, str, bool, float]]

    def json_fuzz(self, folder: Path) -> tuple[str, list[str], str]:
        doc = json.loads(json.dumps(self.doc))
        doc["clients"] = self.rng.sample(doc["clients"], k=min(6, len(doc["clients"])))
        paths: list[tuple[Any, ...]] = []
        _walk(doc, (), paths)
        cases = []
        for _ in range(self.rng.randint(1, 4)):
            path = self.rng.choice(paths)
            node = _get(doc, path[:-1])
            if node is None:
                continue
            roll = self.rng.random()
            try:
                if roll < 0.15 and isinstance(node, dict | list):
                    del node[path[-1]]
                    cases.append("delete")
                elif roll < 0.3:
                    ids = [p for p in paths if p[-1] == "id"]
                    node[path[-1]] = _get(doc, self.rng.choice(ids)) if ids else None
                    cases.append("same id")
                else:
                    node[path[-1]] = self.rng.choice(HOSTILE_VALUES)
                    cases.append("value")
            except (KeyError, IndexError, TypeError):
                continue
        src = folder / "in" / "book.json"
        src.parent.mkdir(parents=True)
        shutil.copytree(
            self.export.with_name("book.attachments"), src.with_name("book.attachments")
        )
        text = json.dumps(doc, ensure_ascii=False, allow_nan=True)
        if self.rng.random() < 0.05:
            src.write_bytes(text.encode("utf-8")[: len(text) // 2])
            cases.append("truncated")
        else:
            src.write_text(text, encoding="utf-8")
        return "json", ["import", "json", str(src)], "+".join(sorted(set(cases))) or "same"

    def contacts(self, folder: Path) -> tuple[str, list[str], str]:
        src = folder / "in"
        src.mkdir()
        roll = self.rng.random()
        nasty = self.rng.choice(
            ["\x1b]0;owned\x07", "\x1b[2J", "\x00", "\u202e", "A" * 300_000, "Jürgen", "\x9b31m"]
        )
        if roll < 0.6:
            path = src / "contacts.csv"
            rows = ["Name,E-mail,Organization,Notes"]
            for i in range(self.rng.randint(1, 30)):
                rows.append(f"{nasty}{i},p{i}@example.org,{nasty},{nasty}")
            data = "\n".join(rows).encode("utf-8")
            if self.rng.random() < 0.3:
                data += "\nJ\u00fcrgen,j@example.org,Mix,x".encode("latin-1")
            path.write_bytes(data)
            case = "csv"
        else:
            path = src / "contacts.vcf"
            photo = "A" * self.rng.choice([10, 200_000, 3_000_000])
            cards = []
            for i in range(self.rng.randint(1, 5)):
                cards.append(
                    f"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:{nasty}{i}\r\nN:{nasty};x;;;\r\n"
                    f"EMAIL:v{i}@example.org\r\nPHOTO;ENCODING=b;TYPE=JPEG:{photo}\r\n"
                    f"END:VCARD\r\n"
                )
            path.write_text("".join(cards), encoding="utf-8")
            case = f"vcard photo {len(photo)}"
        return "contacts", ["import", str(path)], case

    def symlinks(self, folder: Path, book: Path) -> tuple[str, list[str], str, Path]:
        roll = self.rng.random()
        if roll < 0.4:  # the lock file planted as a link to a file outside
            victim = self.outside / "victim.txt"
            victim.write_text("must stay\n")
            os.symlink(victim, book.with_name(book.name + ".lock"))
            src = folder / "one.csv"
            src.write_text("Name,E-mail\nAda,ada@example.org\n")
            return "symlinks", ["import", str(src)], "lock link", book
        if roll < 0.75:  # the book reached through a link
            link_dir = folder / "linked"
            link_dir.mkdir()
            link = link_dir / "rapport.db"
            os.symlink(book, link)
            verb = self.rng.choice([["due"], ["backup"], ["check"]])
            return "symlinks", verb, f"book link {verb[0]}", link
        # an evidence file beside an import that is a link to a device or a file outside
        src = folder / "in" / "book.json"
        src.parent.mkdir(parents=True)
        att = src.with_name("book.attachments")
        shutil.copytree(self.export.with_name("book.attachments"), att)
        victims = sorted(att.iterdir())
        if not victims:
            return "symlinks", ["due"], "no evidence", book
        doc = json.loads(json.dumps(self.doc))
        doc["clients"] = [
            c for c in doc["clients"] if any(i.get("evidence") for i in c.get("incidents", []))
        ][:2]
        wanted = {
            e["sha256"] for c in doc["clients"] for i in c["incidents"] for e in i["evidence"]
        }
        target = next((v for v in victims if v.name in wanted), victims[0])
        target.unlink()
        os.symlink(
            "/dev/zero" if self.rng.random() < 0.5 else self.outside / "sentinel.txt", target
        )
        src.write_text(json.dumps(doc), encoding="utf-8")
        empty = folder / "empty" / "rapport.db"
        empty.parent.mkdir()
        return "symlinks", ["import", "json", str(src)], "evidence link", empty

    def full_disk(self, book: Path) -> tuple[str, list[str], str, Path, bool]:
        assert self.tmpfs is not None
        home = self.tmpfs / "book"
        home.mkdir()
        target = home / "rapport.db"
        shutil.copyfile(book, target)
        if (book.parent / "attachments").is_dir():  # or `check` rightly reports them missing
            shutil.copytree(book.parent / "attachments", home / "attachments")
        backup = None
        if self.rng.random() < 0.5:
            code, _o, _e, _k, _s = self.run(["--db", str(target), "backup"])
            listed = sorted((home / "backups").glob("*.db")) if code == 0 else []
            backup = listed[0].name if listed else None
        free = shutil.disk_usage(self.tmpfs).free
        keep = self.rng.choice([0, 4096, 32_768, 200_000])
        filler = self.tmpfs / "filler"
        with open(filler, "wb") as fh, contextlib.suppress(OSError):
            fh.write(b"\0" * max(0, free - keep))
        verbs: list[tuple[list[str], bool]] = [
            (["due"], True),
            (["check"], True),
            (["import", "json", str(self.export)], False),
            (["export", "json", str(self.tmpfs / "out.json")], True),
            (["backup"], True),
        ]
        if backup:
            verbs.append((["restore", backup], False))
        verb, read_only = self.rng.choice(verbs)
        return "full disk", verb, f"{verb[0]} {keep // 1024} KB free", target, read_only

    def sigkill(self, folder: Path, book: Path) -> tuple[str, list[str], str, Path]:
        roll = self.rng.random()
        if roll < 0.3:
            return "SIGKILL", ["backup"], "backup", book
        if roll < 0.55:
            code, _o, _e, _k, _s = self.run(["--db", str(book), "backup"])
            listed = sorted((book.parent / "backups").glob("*.db"))
            if code == 0 and listed:
                return "SIGKILL", ["restore", listed[0].name], "restore", book
            return "SIGKILL", ["backup"], "backup", book
        empty = folder / "empty" / "rapport.db"
        empty.parent.mkdir()
        if roll < 0.8:
            return "SIGKILL", ["import", "json", str(self.export)], "import json", empty
        return "SIGKILL", ["demo"], "demo", empty

    def dates(self, tz: str) -> tuple[list[str], str, bool]:
        roll = self.rng.random()
        if roll < 0.6:
            day = self.rng.choice(DAYS + [f"{self.rng.randint(1, 99999):04d}-12-25"])
            extra = ["--json"] if self.rng.random() < 0.3 else []
            return ["due", *extra, f"--on={day}"], f"due --on {day[:10]}", True
        if roll < 0.8:
            cid = self.rng.choice(self.client_ids + [0, 2**63, 10**30])
            out = str(self.work / "outside-pdf" / "c.pdf")
            Path(out).parent.mkdir(exist_ok=True)
            return ["pdf", "client", str(cid), out], "pdf client", True
        days = self.rng.choice(["0", "7", "365", "36500", "-1", "1e9", "99999999999999999999"])
        out = str(self.work / "outside-pdf" / "r.ics")
        Path(out).parent.mkdir(exist_ok=True)
        return ["export", "ics", out, "--days", days], f"ics --days {days[:8]}", True


def _walk(node: Any, here: tuple[Any, ...], into: list[tuple[Any, ...]]) -> None:
    items: Any
    if isinstance(node, dict):
        items = list(node.items())
    elif isinstance(node, list):
        items = list(enumerate(node))
    else:
        return
    for key, value in items:
        into.append((*here, key))
        _walk(value, (*here, key), into)


def _get(doc: Any, path: tuple[Any, ...]) -> Any:
    node = doc
    for key in path:
        try:
            node = node[key]
        except (KeyError, IndexError, TypeError):
            return None
    return node
