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
15 time zones and faked clocks (``due --on`` is the CLI's injectable today); each
category's scenarios are in probe_cases.py, beside this file, and this file runs
them and keeps the tallies. The same seed gives the same commands against any
checkout, so two tables compare.
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

from probe_cases import ZONES, Scenarios

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
class Probe(Scenarios):
    """One probe: the template book and files, and runs forked from this process;
    the scenarios of each category are probe_cases.Scenarios."""

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
