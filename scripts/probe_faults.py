"""A reproducible hostile-input and fault probe of Rapport's command line (issue 18).

    python scripts/probe_faults.py --repo CHECKOUT [--runs 2000] [--seed 18] [--limit 10]

Run it with the checkout's own Python (``CHECKOUT/.venv/bin/python``): it imports
that checkout's ``main`` once, then forks a child for every run, which calls
``main.main(argv)`` exactly as ``python main.py ARGV`` would once started (same
parsing, verbs and error handling; only the interpreter's start-up is shared, so a
few thousand runs fit in minutes on a busy machine). Each run gets its own copy of a
demo book, a time limit (``--limit`` seconds, then SIGKILL: a hang), and is judged:

- traceback: "Traceback" on stderr (the last resort "something went wrong (...)" is
  counted apart: a bug the CLI caught and named in one line);
- wrong exit: killed by a signal we did not send, an exit code other than 0/1/2, or
  a refusal that is not exactly one line on stderr;
- book changed: the command was refused (or is a read verb) and the book is not byte
  for byte as it was, or is no longer at its path;
- outside touched: a file outside the book's folder (a sentinel, a symlink's target)
  changed;
- leftovers: temp files (.part, .restoring) left after the next start.

The categories follow the issue: JSON fuzzing around a real demo export, contacts
files, symlinks, a tiny full tmpfs (when we may mount one), SIGKILL at random moments,
15 time zones and faked clocks (``due --on`` is the CLI's injectable today). The same
seed gives the same commands against any checkout, so two tables compare.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import io
import json
import os
import random
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import traceback
from collections import Counter, defaultdict
from dataclasses import dataclass, field
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
TEMP_MARKS = (".part", ".restoring")


@dataclass
class Outcome:
    category: str
    case: str
    code: int | None  # None: hung (killed after the limit)
    err: str
    out: str
    killed_by_us: bool = False
    book_changed: bool = False
    outside_touched: bool = False
    leftovers: int = 0
    seconds: float = 0.0


@dataclass
class Probe:
    repo: Path
    work: Path
    rng: random.Random
    limit: float
    template: Path = field(init=False)
    export: Path = field(init=False)
    doc: dict[str, Any] = field(init=False)
    client_ids: list[int] = field(init=False)
    tmpfs: Path | None = None
    outside: Path = field(init=False)

    # --- running one command ---------------------------------------------------------

    def run(
        self,
        argv: list[str],
        *,
        tz: str = "UTC",
        kill_after: float | None = None,
        cwd: Path | None = None,
    ) -> tuple[int | None, str, str, bool, float]:
        """(exit code or None if it hung, stdout, stderr, killed by us, seconds)."""
        with tempfile.TemporaryFile() as out_f, tempfile.TemporaryFile() as err_f:
            started = time.monotonic()
            pid = os.fork()
            if pid == 0:  # the child: one CLI run, then out without cleanup handlers
                _child(argv, tz, cwd or self.work, out_f.fileno(), err_f.fileno())
            deadline = started + (kill_after if kill_after is not None else self.limit)
            killed_by_us = False
            status: int | None = None
            while True:
                done, status = os.waitpid(pid, os.WNOHANG)
                if done:
                    break
                if time.monotonic() >= deadline:
                    os.kill(pid, signal.SIGKILL)
                    _, status = os.waitpid(pid, 0)
                    killed_by_us = kill_after is not None
                    if not killed_by_us:
                        status = None
                    break
                time.sleep(0.01)
            seconds = time.monotonic() - started
            out_f.seek(0)
            err_f.seek(0)
            out = out_f.read().decode("utf-8", "replace")
            err = err_f.read().decode("utf-8", "replace")
        if status is None:
            return None, out, err, False, seconds
        return os.waitstatus_to_exitcode(status), out, err, killed_by_us, seconds

    # --- the template book and files -------------------------------------------------

    def setup(self) -> None:
        limit, self.limit = self.limit, 600.0  # making the template is no probe
        try:
            self._setup()
        finally:
            self.limit = limit

    def _setup(self) -> None:
        self.template = self.work / "template" / "rapport.db"
        self.template.parent.mkdir(parents=True)
        code, _out, err, _k, _s = self.run(["--db", str(self.template), "demo"], tz="UTC")
        if code != 0:
            raise SystemExit(f"the demo book could not be made: {err}")
        self.export = self.work / "template-export" / "book.json"
        self.export.parent.mkdir()
        code, _o, err, _k, _s = self.run(
            ["--db", str(self.template), "export", "json", str(self.export)]
        )
        if code != 0:
            raise SystemExit(f"the demo book could not be exported: {err}")
        self.doc = json.loads(self.export.read_text(encoding="utf-8"))
        self.client_ids = list(range(1, len(self.doc["clients"]) + 1))
        self.outside = self.work / "outside"
        self.outside.mkdir()
        (self.outside / "sentinel.txt").write_text("nobody writes here\n")
        self.tmpfs = self._mount_tmpfs()

    def _mount_tmpfs(self) -> Path | None:
        if os.geteuid() != 0:
            return None
        where = self.work / "tiny"
        where.mkdir()
        done = subprocess.run(
            ["mount", "-t", "tmpfs", "-o", "size=3m", "tmpfs", str(where)],
            capture_output=True,
        )
        return where if done.returncode == 0 else None

    def close(self) -> None:
        if self.tmpfs is not None:
            subprocess.run(["umount", "-l", str(self.tmpfs)], capture_output=True)

    def fresh_book(self, folder: Path) -> Path:
        book = folder / "book" / "rapport.db"
        book.parent.mkdir(parents=True)
        shutil.copyfile(self.template, book)
        attachments = self.template.parent / "attachments"
        if attachments.is_dir():
            shutil.copytree(attachments, book.parent / "attachments")
        return book

    def outside_state(self) -> dict[str, str]:
        return {
            p.name: hashlib.sha256(p.read_bytes()).hexdigest()
            for p in self.outside.iterdir()
            if p.is_file()
        }

    # --- the categories ----------------------------------------------------------------

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

    # --- one try -----------------------------------------------------------------------

    def one(self, i: int) -> Outcome:
        folder = self.work / f"run-{i}"
        folder.mkdir()
        try:
            return self._one(folder)
        finally:
            shutil.rmtree(folder, ignore_errors=True)
            if self.tmpfs is not None:
                for p in self.tmpfs.iterdir():
                    if p.is_dir() and not p.is_symlink():
                        shutil.rmtree(p, ignore_errors=True)
                    else:
                        p.unlink(missing_ok=True)

    def _one(self, folder: Path) -> Outcome:
        roll = self.rng.random()
        tz = self.rng.choice(ZONES)
        book = self.fresh_book(folder)
        read_only = False
        kill_after: float | None = None
        if roll < 0.30:
            category, verb, case = self.json_fuzz(folder)
        elif roll < 0.45:
            category, verb, case = self.contacts(folder)
        elif roll < 0.55:
            category, verb, case, book = self.symlinks(folder, book)
            read_only = verb[0] in ("due", "check")
        elif roll < 0.65 and self.tmpfs is not None:
            category, verb, case, book, read_only = self.full_disk(book)
        elif roll < 0.80:
            category, verb, case, book = self.sigkill(folder, book)
            kill_after = self.rng.uniform(0.0, 2.5)
        else:
            category = "time zones" if roll < 0.93 else "faked clock"
            verb, case, read_only = self.dates(tz)
            if category == "faked clock":
                tz = "UTC"
        before = _sha(book)
        outside = self.outside_state()
        argv = ["--db", str(book), *verb]
        code, out, err, ours, seconds = self.run(argv, tz=tz, kill_after=kill_after)
        result = Outcome(category, case, code, err, out, ours, seconds=seconds)
        after = _sha(book)
        refused = code not in (0, None) and not ours
        # A book that was not there before (an import into a new book) cannot change.
        if (refused or read_only) and before != "gone" and after != before:
            result.book_changed = True
        result.outside_touched = self.outside_state() != outside
        if category == "SIGKILL":
            # the next start: a read verb, then a check of what is left
            self.run(["--db", str(book), "due"], tz=tz)
            _c, check_out, _e, _k, _s = self.run(["--db", str(book), "check"])
            if book.exists() and "Integrity: ok" not in check_out:
                result.book_changed = True  # a kill must never leave a damaged book
        result.leftovers = _leftovers(book)
        return result

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


def _child(argv: list[str], tz: str, cwd: Path, out_fd: int, err_fd: int) -> None:
    """One CLI run in a forked child, as ``python main.py ARGV`` would run it."""
    code = 70
    try:
        os.chdir(cwd)
        os.environ["TZ"] = tz
        time.tzset()
        cap = 2 * 1024**3  # the vCard photos went past 1.1 GB
        resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
        os.dup2(out_fd, 1)
        os.dup2(err_fd, 2)
        sys.stdout = io.TextIOWrapper(os.fdopen(1, "wb", closefd=False), "utf-8")
        sys.stderr = io.TextIOWrapper(os.fdopen(2, "wb", closefd=False), "utf-8")
        import main

        code = int(main.main(argv) or 0)
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    except BaseException:
        traceback.print_exc()
        code = 1
    finally:
        with contextlib.suppress(Exception):
            sys.stdout.flush()
            sys.stderr.flush()
        os._exit(code)


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


def _sha(path: Path) -> str | None:
    try:
        return hashlib.sha256(Path(path).read_bytes()).hexdigest()
    except OSError:
        return "gone"


def _leftovers(book: Path) -> int:
    folder = Path(os.path.realpath(book)).parent
    n = 0
    for where in (folder, folder / "backups", folder / "attachments"):
        if where.is_dir():
            n += sum(1 for p in where.iterdir() if any(m in p.name for m in TEMP_MARKS))
    return n


# --- the table -------------------------------------------------------------------------


def judge(o: Outcome) -> dict[str, int]:
    traceback_seen = "Traceback" in o.err
    last_resort = "something went wrong" in o.err
    wrong = False
    if o.code is not None and not o.killed_by_us:
        one_line = len(o.err.strip().splitlines()) == 1
        wrong = o.code not in (0, 1, 2) or (o.code != 0 and not one_line)
    return {
        "tries": 1,
        "tracebacks": int(traceback_seen),
        "last resort": int(last_resort),
        "wrong exits": int(wrong),
        "hangs": int(o.code is None),
        "books changed": int(o.book_changed),
        "outside touched": int(o.outside_touched),
        "raw ESC shown": int("\x1b" in o.out or "\x1b" in o.err),
        "leftovers": o.leftovers,
    }


COLUMNS = [
    "tries",
    "tracebacks",
    "last resort",
    "wrong exits",
    "hangs",
    "books changed",
    "outside touched",
    "raw ESC shown",
    "leftovers",
]


def table(rows: dict[str, Counter[str]]) -> str:
    width = max(len(k) for k in [*rows, "total"]) + 2
    head = "".ljust(width) + "".join(c.rjust(max(len(c), 5) + 2) for c in COLUMNS)
    lines = [head]
    total: Counter[str] = Counter()
    for name in sorted(rows):
        total.update(rows[name])
        lines.append(
            name.ljust(width)
            + "".join(str(rows[name][c]).rjust(max(len(c), 5) + 2) for c in COLUMNS)
        )
    lines.append(
        "total".ljust(width) + "".join(str(total[c]).rjust(max(len(c), 5) + 2) for c in COLUMNS)
    )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repo", type=Path, required=True, help="the checkout to probe")
    parser.add_argument("--runs", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=18)
    parser.add_argument("--limit", type=float, default=10.0, help="seconds per run")
    parser.add_argument("--json-out", type=Path, help="write every finding here")
    args = parser.parse_args(argv)
    repo = args.repo.resolve()
    sys.path.insert(0, str(repo))
    os.chdir(repo)
    work = Path(tempfile.mkdtemp(prefix="rapport-probe-"))
    os.environ["XDG_STATE_HOME"] = str(work / "state")
    os.environ["XDG_DATA_HOME"] = str(work / "data")
    os.environ["XDG_CONFIG_HOME"] = str(work / "config")
    os.environ["XDG_CACHE_HOME"] = str(work / "cache")
    os.environ["QT_QPA_PLATFORM"] = "offscreen"
    import main as rapport_main  # noqa: F401 - loaded once, shared by every fork

    _warm(repo)
    probe = Probe(repo, work, random.Random(args.seed), args.limit)
    rows: dict[str, Counter[str]] = defaultdict(Counter)
    findings: list[dict[str, Any]] = []
    started = time.monotonic()
    try:
        probe.setup()
        for i in range(args.runs):
            outcome = probe.one(i)
            verdict = judge(outcome)
            rows[outcome.category].update(verdict)
            bad = {k: v for k, v in verdict.items() if v and k not in ("tries", "leftovers")}
            if bad:
                findings.append(
                    {
                        "run": i,
                        "category": outcome.category,
                        "case": outcome.case,
                        "code": outcome.code,
                        "found": sorted(bad),
                        "stderr": outcome.err[-600:],
                    }
                )
            if (i + 1) % 100 == 0:
                print(f"{i + 1} runs, {time.monotonic() - started:.0f} s", file=sys.stderr)
    finally:
        probe.close()
        shutil.rmtree(work, ignore_errors=True)
    print(f"Probe of {repo} (seed {args.seed}, {args.runs} runs, {args.limit:g} s limit)")
    print(f"tmpfs: {'yes' if probe.tmpfs is not None else 'no (not root or no mount)'}")
    print(table(rows))
    if args.json_out is not None:
        args.json_out.write_text(
            json.dumps({"rows": rows, "findings": findings}, indent=1, default=str)
        )
    return 0


def _warm(repo: Path) -> None:
    """Import what every verb loads lazily, once, before the forks share it."""
    for name in (
        "models.db",
        "models.backups",
        "models.services.clients",
        "models.services.reminders",
        "exports.book_json",
        "exports.contacts_io",
        "sqlalchemy.orm",
        "alembic",
    ):
        with contextlib.suppress(Exception):
            __import__(name)


if __name__ == "__main__":
    sys.exit(main())
