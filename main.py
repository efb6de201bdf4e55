"""Rapport's entry point: open the GUI on a book, or run one command-line verb.

Only the standard library and models/ are imported at module level, so a CLI verb
never pays for Qt and the GUI never pays for ReportLab or Alembic before it needs them.
"""

from __future__ import annotations

import argparse
import errno
import logging
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn, TextIO

from models import __version__
from models.errors import RapportError
from models.limits import terminal_safe

if TYPE_CHECKING:
    from models.db import Book
    from models.lock import BookLock

log = logging.getLogger("rapport.cli")

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_INTERRUPTED = 130
# SQLite's INTEGER is 64-bit; more digits than this is never a real number here.
MAX_ID = 2**63 - 1
MAX_NUMBER_DIGITS = 19
# A contacts import lists the rows it skipped, up to this many.
MAX_SKIPS_LISTED = 50


class CliError(RapportError):
    """A user mistake or refusal: printed as one line, never as a traceback."""


class _SafeStream:
    """stdout or stderr with terminal_safe applied to everything written."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        return self._stream.write(terminal_safe(text))

    def flush(self) -> None:
        self._stream.flush()

    def __getattr__(self, name: str) -> object:
        return getattr(self._stream, name)


class _Parser(argparse.ArgumentParser):
    """argparse, but a mistake is one line on stderr (exit 2), like every other."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: {message} (see {self.prog} --help)\n")


def positive_id(text: str) -> int:
    """A row number: a whole number SQLite can hold (an absurd one is one line, not
    an OverflowError from deep inside the database layer)."""
    if not (text.isascii() and text.isdigit() and len(text) <= MAX_NUMBER_DIGITS):
        raise argparse.ArgumentTypeError(f'"{text[:40]}" is not a number like 12')
    value = int(text)
    if not 1 <= value <= MAX_ID:
        raise argparse.ArgumentTypeError(f'"{text[:40]}" is not a number from 1 to {MAX_ID}')
    return value


def out_file(text: str) -> Path:
    """A file to write: its folder must already exist. Writers make missing folders
    on their way (JSON's attachments folder, a temp file beside OUT), so a typo in
    OUT would otherwise grow a whole tree of folders nobody asked for."""
    path = Path(text).expanduser()
    folder = path.absolute().parent
    if not folder.is_dir():
        what = "is not a folder" if folder.exists() else "does not exist"
        raise argparse.ArgumentTypeError(f"the folder {folder} {what}; create it first")
    if path.is_dir():
        raise argparse.ArgumentTypeError(f"{path} is a folder; give the name of a file in it")
    return path


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="rapport",
        description="Rapport: a client book for solo consultants. "
        "Without a command, it opens the app.",
    )
    parser.add_argument("--version", action="version", version=f"Rapport {__version__}")
    parser.add_argument(
        "--db",
        type=Path,
        metavar="PATH",
        help="the book to use (default: rapport.db in your user data folder)",
    )
    parser.add_argument(
        "-v",
        "--verbose",
        action="store_true",
        help="write debug detail to the log file and to stderr",
    )
    parser.add_argument(
        "--tray",
        action="store_true",
        help="start hidden in the system tray (used by the login autostart entry)",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser(
        "demo",
        help="fill an empty book with realistic demo clients",
        description="Fill an empty book with about 30 realistic demo clients.",
    )
    p.set_defaults(run=cmd_demo)

    p = sub.add_parser(
        "check",
        help="check the book's health and print its schema version",
        description="Run SQLite's integrity and foreign-key checks without changing the "
        "book. Exits 0 only when the book is healthy.",
    )
    p.set_defaults(run=cmd_check)

    p = sub.add_parser(
        "backup",
        help="take a verified backup of the book now",
        description="Copy the book into its backups folder through SQLite, check the copy, "
        "then thin older copies (daily, weekly and monthly ones are kept).",
    )
    p.set_defaults(run=cmd_backup)
    p = sub.add_parser(
        "backups",
        help="list the book's backups, newest first",
        description="List the book's backups with their date, size and number of clients.",
    )
    p.set_defaults(run=cmd_backups)
    p = sub.add_parser(
        "restore",
        help="replace the book with one of its backups",
        description="Replace the book with BACKUP (a name from `rapport backups`, or a "
        "path). The backup and its evidence files are checked first, and the book as it "
        "is now is backed up before it is replaced. Rapport must not have the book open.",
    )
    p.add_argument("backup", metavar="BACKUP", help="the backup's file name or path")
    p.set_defaults(run=cmd_restore)

    p = sub.add_parser(
        "due",
        help="list who and what is due today (or on another day)",
        description="List the clients to get in touch with and the follow-ups that are due "
        "or overdue on a day, most urgent first. Changes nothing in the book.",
    )
    p.add_argument(
        "--on",
        metavar="YYYY-MM-DD",
        help="the day to look at (default: today)",
    )
    p.add_argument("--json", action="store_true", help="print JSON for scripts")
    p.set_defaults(run=cmd_due)

    p = sub.add_parser(
        "pdf",
        help="write a document as PDF",
        description="Write a document of the book as a PDF file.",
    )
    kind = p.add_subparsers(dest="document", metavar="DOCUMENT", required=True)
    pa = kind.add_parser(
        "agreement",
        help="an agreement (a final one exactly as it was finalised)",
        description="Write agreement ID as a PDF. A final or superseded agreement is "
        "written byte for byte as stored when it was finalised; a draft is rendered now "
        "and marked DRAFT.",
    )
    pa.add_argument("id", type=positive_id, metavar="ID", help="the agreement's number in the book")
    pa.add_argument("out", type=out_file, metavar="OUT", help="file to write")
    pa.set_defaults(run=cmd_pdf_agreement)
    pc = kind.add_parser(
        "client",
        help="a client summary: contact details, touches, incidents, agreements",
        description="Write everything the book holds about client ID as one PDF: contact "
        "details, tags, notes, keep-in-touch rhythm, health score, every touch, incidents "
        "with their timelines, and agreements with both sides' commitments.",
    )
    pc.add_argument("id", type=positive_id, metavar="ID", help="the client's number in the book")
    pc.add_argument("out", type=out_file, metavar="OUT", help="file to write")
    pc.set_defaults(run=cmd_pdf_client)
    pr = kind.add_parser(
        "repair",
        help="the record a repair ended in: hand-over brief, notice to insurer, closing summary",
        description="Write the record of the latest repair of incident ID as a PDF: the "
        "hand-over brief, the notice to the insurer or the closing summary. A repair that "
        "ended in an agreement names the agreement to print with 'pdf agreement'.",
    )
    pr.add_argument("id", type=positive_id, metavar="INCIDENT_ID", help="the incident's number")
    pr.add_argument("out", type=out_file, metavar="OUT", help="file to write")
    pr.set_defaults(run=cmd_pdf_repair)

    p = sub.add_parser("export", help="export the whole book", description="Export the book.")
    fmt = p.add_subparsers(dest="format", metavar="FORMAT", required=True)
    pj = fmt.add_parser(
        "json",
        help="as JSON (see docs/json-format.md)",
        description="Write the whole book as JSON (format described in docs/json-format.md).",
    )
    pj.add_argument(
        "out",
        type=out_file,
        metavar="OUT",
        help="file to write; evidence files go to the folder OUT-stem.attachments beside it",
    )
    pj.set_defaults(run=cmd_export_json)
    pi = fmt.add_parser(
        "ics",
        help="upcoming reminders as an iCalendar file",
        description="Write keep-in-touch dates and open follow-ups due in the next days as "
        "all-day events, for your calendar app. Overdue ones are put on today. Exporting "
        "again later updates the same events rather than doubling them.",
    )
    pi.add_argument("out", type=out_file, metavar="OUT", help="file to write (.ics)")
    pi.add_argument(
        "--days",
        type=str,
        default="90",
        metavar="N",
        help="how many days ahead to include (default: 90)",
    )
    pi.set_defaults(run=cmd_export_ics)
    for name, what in (("csv", "CSV (Google Contacts' columns)"), ("vcard", "vCard 3.0")):
        pc = fmt.add_parser(
            name,
            help=f"clients as {what}, for other address books",
            description=f"Write every client who is not archived as {what}. See docs/contacts.md.",
        )
        pc.add_argument("out", type=out_file, metavar="OUT", help="file to write")
        pc.set_defaults(run=cmd_export_contacts, contacts_format=name)

    p = sub.add_parser(
        "import",
        help="import contacts (CSV, vCard) or a Rapport JSON export, all or nothing",
        usage="rapport import [-h] [--dry-run] FILE\n       rapport import json IN",
        description="Import contacts from a CSV file (Google Contacts, Outlook) or a vCard "
        "file (.vcf): clients are matched by email, new ones are added, known ones get "
        "what they lack, and each skipped row is listed with the reason (docs/contacts.md). "
        "A .json file, or `import json IN`, merges a Rapport JSON export instead: clients "
        "with a known id are updated, new ones are added. Nothing is changed if the file "
        "cannot be read.",
    )
    p.add_argument("first", metavar="FILE", help="the file to import (.csv, .vcf, .json)")
    p.add_argument("second", nargs="?", metavar="IN", help=argparse.SUPPRESS)
    p.add_argument(
        "--dry-run",
        action="store_true",
        help="only say what would be created, updated and skipped; change nothing",
    )
    p.set_defaults(run=cmd_import)
    return parser


_GUI_FLAGS = {"-v": "verbose", "--verbose": "verbose", "--tray": "tray"}


def gui_args(argv: Sequence[str]) -> argparse.Namespace | None:
    """The arguments of a plain GUI start (``--db PATH``, ``--tray``, ``-v``), read
    without building the whole parser; None for anything else, which goes to it.

    The desktop and the login entry start the app with only these, and the full
    parser, one sub-parser per verb, costs tens of milliseconds before the first
    paint. tests/test_cli.py holds this to what build_parser makes of the same words.
    """
    values: dict[str, object] = {"db": None, "verbose": False, "tray": False, "command": None}
    words = iter(argv)
    for word in words:
        if word in _GUI_FLAGS:
            values[_GUI_FLAGS[word]] = True
        elif word.startswith("--db="):
            values["db"] = Path(word.removeprefix("--db="))
        elif word == "--db":
            path = next(words, None)
            if path is None or path.startswith("-"):
                return None
            values["db"] = Path(path)
        else:
            return None
    return argparse.Namespace(**values)


def book_path(args: argparse.Namespace) -> Path:
    """The book's canonical path, as the GUI takes it, so both take the same lock."""
    from models.paths import canonical_book_path, default_book_path

    return canonical_book_path(args.db if args.db is not None else default_book_path())


@contextmanager
def opened(path: Path, *, write: bool, must_exist: bool = False) -> Iterator[Book]:
    """Open a book for one verb; a writing verb holds the book's lock throughout, so
    the app and the command line never write the same book at once."""
    from models.db import BookDamagedError, open_book
    from models.lock import BookLock

    if must_exist and not path.exists():
        raise CliError(f"There is no book at {path}.")
    warn_if_network(path)
    lock = BookLock(path)
    if write:
        path.parent.mkdir(parents=True, exist_ok=True)
        if not lock.acquire():
            pid = lock.holder_pid()
            who = f" (process {pid})" if pid else ""
            raise CliError(
                f"This book is open in Rapport{who}. Close it there first, then try again."
            )
    from models.backups import clear_leftovers

    # What killed backups, restores and imports left; with the lock held no restore
    # is running, so its files may go too (models/backups/leftovers.py).
    clear_leftovers(path, locked=write)
    try:
        try:
            book = open_book(path)
        except BookDamagedError as exc:
            raise CliError(damage_message(path, exc.problems, lock)) from exc
        from models.dates import use_locale
        from models.reads import date_locale

        use_locale(date_locale(book))
        try:
            yield book
        finally:
            book.close()
    finally:
        lock.release()


def damage_message(path: Path, problems: list[str], lock: BookLock) -> str:
    """Set a damaged book aside when no one else has it open, and say what to do."""
    from models.backups import report_damage

    return report_damage(path, problems, may_move=lock.acquire()).message()


def warn_if_network(path: Path) -> None:
    from models.backups import network_warning

    warning = network_warning(path)
    if warning:
        print(f"rapport: warning: {warning}", file=sys.stderr)


def cmd_demo(args: argparse.Namespace) -> int:
    from models.demo import fill_demo
    from models.services.clients import count_clients

    with opened(book_path(args), write=True) as book:
        existing = count_clients(book, include_archived=True)
        if existing:
            raise CliError(
                f"This book already has {existing} clients; "
                "the demo only goes into an empty book."
            )
        n = fill_demo(book)
        print(f"Added {n} demo clients to {book.path}.")
    return EXIT_OK


def cmd_check(args: argparse.Namespace) -> int:
    from models.backups import clear_leftovers
    from models.db import SCHEMA_HEAD, check_book

    path = book_path(args)
    clear_leftovers(path, locked=False)
    report = check_book(path)
    if report.revision is None:
        schema = "none (a new, empty book)"
    elif report.current:
        schema = f"{report.revision} (current)"
    else:
        schema = f"{report.revision} (will be upgraded to {SCHEMA_HEAD} when opened)"
    print(f"Book: {path}")
    print(f"Schema version: {schema}")
    print(f"Clients: {report.clients}")
    if report.missing_evidence:
        n = len(report.missing_evidence)
        print(
            f"Evidence files: {n} of {report.evidence} missing or changed: "
            + ", ".join(report.missing_evidence)
        )
    elif report.evidence:
        print(f"Evidence files: ok ({report.evidence})")
    if report.healthy:
        print("Integrity: ok")
        return EXIT_ERROR if report.missing_evidence else EXIT_OK
    print("Integrity: PROBLEMS FOUND")
    for problem in report.problems:
        print(f"  {problem}")
    return EXIT_ERROR


def cmd_backup(args: argparse.Namespace) -> int:
    from models.backups import KIND_MANUAL, size_text, take_backup

    with opened(book_path(args), write=False, must_exist=True) as book:
        info = take_backup(book.path, kind=KIND_MANUAL)
    clients = "" if info.clients is None else f", {info.clients} clients"
    print(
        f"Backed up {book.path} to {info.path} ({size_text(info.size)}{clients}); "
        "the copy passed its check."
    )
    return EXIT_OK


def cmd_backups(args: argparse.Namespace) -> int:
    from models.backups import describe_time, list_backups, size_text

    path = book_path(args)
    found = list_backups(path)
    if not found:
        print(f"There are no backups of {path} yet.")
        return EXIT_OK
    today = datetime.now().astimezone().date()
    print(f"Backups of {path}, newest first:")
    for info in found:
        clients = "?" if info.clients is None else str(info.clients)
        mark = "" if info.verified else "  (not verified)"
        until = info.pinned_until()
        if until is not None and info.pinned(today):
            mark += f"  (pinned until {until:%d %b %Y})"
        print(
            f"  {describe_time(info.taken_at):<24} {info.kind:<15} {clients:>6} clients "
            f"{size_text(info.size):>9}  {info.name}{mark}"
        )
    return EXIT_OK


def cmd_restore(args: argparse.Namespace) -> int:
    from models.backups import (
        clear_leftovers,
        clients_phrase,
        describe_time,
        resolve_backup,
        restore_backup,
    )
    from models.lock import BookLock

    path = book_path(args).absolute()
    warn_if_network(path)
    backup = resolve_backup(path, args.backup)
    path.parent.mkdir(parents=True, exist_ok=True)
    lock = BookLock(path)
    if not lock.acquire():
        pid = lock.holder_pid()
        who = f" (process {pid})" if pid else ""
        raise CliError(f"This book is open in Rapport{who}. Close it there first, then try again.")
    try:
        clear_leftovers(path, locked=True)  # a killed restore's half-made book first
        result = restore_backup(path, backup)
    finally:
        lock.release()
    print(
        f"Restored {path} from the backup of {describe_time(result.backup.taken_at)}"
        f"{clients_phrase(result.counts.get('client'))}."
    )
    if result.before_restore is not None:
        print(f"The book as it was is kept as the backup {result.before_restore.name}.")
    if result.set_aside:
        print(f"The damaged book was set aside unchanged as {result.set_aside[0].name}.")
    if result.missing_evidence:
        print(missing_evidence_text(path, result.missing_evidence))
        for name in result.missing_evidence:
            print(f"  missing: {name}")
    return EXIT_OK


def missing_evidence_text(path: Path, names: list[str]) -> str:
    """What a restore says when the backup's evidence files are not all there."""
    from models.backups import ATTACHMENTS

    n = len(names)
    files = f"{n} evidence file{'s' if n != 1 else ''}"
    return (
        f"Your clients and records were restored, but {files} the backup refers to "
        f"{'are' if n != 1 else 'is'} missing from {path.parent / ATTACHMENTS} (or changed); "
        "attach a copy of one again to its incident and it is whole again:"
    )


def cmd_pdf_agreement(args: argparse.Namespace) -> int:
    from models.files import write_atomic
    from models.services.printing import agreement_job

    with opened(book_path(args), write=False, must_exist=True) as book:
        data = agreement_job(book, args.id)()
    write_atomic(args.out, data)
    print(f"Wrote agreement {args.id} to {args.out} ({len(data) // 1024 + 1} KB).")
    return EXIT_OK


def cmd_pdf_client(args: argparse.Namespace) -> int:
    from models.files import write_atomic
    from models.services.printing import summary_job

    today = datetime.now().astimezone().date()
    with opened(book_path(args), write=False, must_exist=True) as book:
        job = summary_job(book, args.id, today)
    data = job()
    write_atomic(args.out, data)
    print(f"Wrote the summary of client {args.id} to {args.out} ({len(data) // 1024 + 1} KB).")
    return EXIT_OK


def cmd_pdf_repair(args: argparse.Namespace) -> int:
    """The record of the incident's latest repair plan. An agreement is printed by
    `pdf agreement` (a final one exactly as stored), so here it is only named."""
    from models.enums import RepairEnding
    from models.files import write_atomic
    from models.repair import ENDINGS, TITLES
    from models.services.agreements import get_agreement
    from models.services.incidents import get_incident
    from models.services.printing import record_job
    from models.services.repair import latest_plan
    from models.services.repair_records import record_for

    with opened(book_path(args), write=False, must_exist=True) as book:
        get_incident(book, args.id)  # an unknown id is one clear line
        plan = latest_plan(book, args.id)
        if plan is None:
            raise CliError(f"Incident {args.id} has no repair yet, so there is no record to print.")
        if plan.ending is RepairEnding.AGREEMENT:
            if plan.agreement_id is None:
                raise CliError(
                    f"The repair of incident {args.id} ended in an agreement that has since "
                    "been deleted."
                )
            number = get_agreement(book, plan.agreement_id).row.number
            raise CliError(
                f"The repair of incident {args.id} ended in agreement {number}; print it with "
                f"'rapport pdf agreement {plan.agreement_id} OUT'."
            )
        if plan.ending is None and plan.current_step not in ENDINGS:
            step = plan.current_step
            raise CliError(
                f"The repair of incident {args.id} is still under way (step {int(step)}, "
                f"{TITLES[step].lower()}); it has a record once it reaches an ending."
            )
        doc = record_for(book, plan.id)
        job = record_job(book, plan.id)
    data = job()
    write_atomic(args.out, data)
    draft = "" if plan.finished else " (a preview: the repair is not finished)"
    print(
        f"Wrote the {doc.kind.lower()} of incident {args.id} to {args.out}{draft} "
        f"({len(data) // 1024 + 1} KB)."
    )
    return EXIT_OK


def cmd_export_json(args: argparse.Namespace) -> int:
    from exports.book_json import write_json

    with opened(book_path(args), write=False, must_exist=True) as book:
        n = write_json(book, args.out)
    print(f"Exported {n} clients to {args.out}.")
    return EXIT_OK


def parse_day(text: str | None, option: str) -> date:
    """A YYYY-MM-DD date from the command line, or today (the user's local date)."""
    if text is None:
        return datetime.now().astimezone().date()
    from models.limits import MAX_YEAR, MIN_YEAR, date_in_range

    try:
        if len(text) != 10:
            raise ValueError(text)
        day = date.fromisoformat(text)
    except ValueError:
        raise CliError(
            f'{option}: "{text[:40]}" is not a date; write it as YYYY-MM-DD, like 2026-03-14.'
        ) from None
    if not date_in_range(day):
        raise CliError(f"{option}: {text} is outside the years {MIN_YEAR} to {MAX_YEAR}.")
    return day


def cmd_due(args: argparse.Namespace) -> int:
    import json

    from models.reminders import DueKind, cadence_label
    from models.services.reminders import today_plan

    day = parse_day(args.on, "--on")
    with opened(book_path(args), write=False, must_exist=True) as book:
        items = today_plan(book, day).due
    if args.json:
        rows = [
            {
                "client_id": i.client_id,
                "client_name": i.client_name,
                "kind": i.kind.value,
                "title": i.title,
                "due_on": i.due_on.isoformat(),
                "days_overdue": i.overdue(day),
                "follow_up_id": i.follow_up_id,
                "cadence_days": i.cadence_days,
                "priority": i.priority,
            }
            for i in items
        ]
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return EXIT_OK
    when = "today" if args.on is None else f"on {day:%A} {day.day} {day:%B %Y}"
    if not items:
        print(f"Nothing is due {when}. Enjoy the quiet.")
        return EXIT_OK
    print(f"Due {when}: {len(items)} item{'s' if len(items) != 1 else ''}, most urgent first.")
    for i in items:
        late = i.overdue(day)
        lateness = "due today" if late == 0 else f"{late} day{'s' if late != 1 else ''} late"
        if i.kind is DueKind.KEEP_IN_TOUCH:
            rhythm = cadence_label(i.cadence_days).lower()
            what, about = "Keep in touch", f"{i.client_name} ({rhythm})"
        else:
            what, about = "Follow up", f"{i.title} ({i.client_name})"
        flag = "  [priority]" if i.priority else ""
        print(f"  {lateness:>12}  {what:<13}  {about}{flag}")
    return EXIT_OK


def cmd_export_ics(args: argparse.Namespace) -> int:
    from exports.ics import MAX_DAYS, write_ics

    try:
        days = int(args.days)
    except ValueError:
        days = -1
    if not 0 <= days <= MAX_DAYS:
        raise CliError(f'--days: "{args.days[:40]}" should be a whole number from 0 to {MAX_DAYS}.')
    today = datetime.now().astimezone().date()
    with opened(book_path(args), write=False, must_exist=True) as book:
        n = write_ics(book, args.out, today, days)
    plural = "s" if n != 1 else ""
    span = "today only" if days == 0 else f"today and the next {days} days"
    print(f"Exported {n} reminder{plural} ({span}) to {args.out}.")
    return EXIT_OK


def cmd_export_contacts(args: argparse.Namespace) -> int:
    from exports.contacts_io import ExportFormat, export_contacts

    with opened(book_path(args), write=False, must_exist=True) as book:
        n = export_contacts(book, args.out, ExportFormat(args.contacts_format))
    print(f"Exported {n} client{'s' if n != 1 else ''} to {args.out}.")
    return EXIT_OK


def cmd_import(args: argparse.Namespace) -> int:
    """`import FILE` for contacts (or JSON by its extension); `import json IN` as before."""
    if args.first == "json" and args.second is not None:
        src = Path(args.second)
        is_json = True
    elif args.second is not None:
        raise CliError(f'import takes one file; "{args.second}" is one too many.')
    else:
        src = Path(args.first)
        is_json = src.suffix.lower() == ".json"
    if is_json:
        if args.dry_run:
            raise CliError("--dry-run works for contacts files (CSV, vCard), not for JSON.")
        args.src = src
        return cmd_import_json(args)
    return cmd_import_contacts(src, dry_run=args.dry_run, args=args)


def cmd_import_contacts(src: Path, *, dry_run: bool, args: argparse.Namespace) -> int:
    from exports.contacts_csv import CsvContacts
    from exports.contacts_io import load_contacts
    from models.services.contact_rows import Action, ContactFileError
    from models.services.contacts import apply_import, plan_import

    source = load_contacts(src)
    for warning in source.warnings:
        print(f"rapport: warning: {warning}", file=sys.stderr)
    if isinstance(source, CsvContacts) and not source.has_usable_columns():
        raise ContactFileError(
            f"None of the columns of {src.name} is one Rapport knows (a name or an email). "
            "Open it with File > Import contacts in the app to choose them."
        )
    # The source is read as a stream, a batch at a time: memory follows the batch,
    # not the file.
    with opened(book_path(args), write=not dry_run, must_exist=dry_run) as book:
        if dry_run:
            plan = plan_import(book, source, keep_data=False)
        else:
            from models.services.backups import backup_before_import

            backup_before_import(book)  # pinned: the way back, as the app takes it
            plan = apply_import(book, source)
    counts = f"{plan.created} created, {plan.updated} updated, {plan.skipped} skipped"
    if plan.unchanged:
        counts += f" ({plan.unchanged} already up to date)"
    if dry_run:
        print(f"Dry run of {src}, nothing was changed. It would be: {counts}.")
    else:
        print(f"Imported {src}: {counts}.")
    shown = 0
    for row in plan.rows:
        if row.action is not Action.SKIP:
            continue
        if shown == MAX_SKIPS_LISTED:
            print(f"  … and {plan.count(Action.SKIP) - shown} more skipped.")
            break
        who = f" ({row.name})" if row.name else ""
        print(f"  {row.place}{who}: {row.reason}")
        shown += 1
    return EXIT_OK


def cmd_import_json(args: argparse.Namespace) -> int:
    from exports.book_json import attachments_dir_for, import_book, read_json
    from models.services.backups import backup_before_import

    data = read_json(args.src)
    with opened(book_path(args), write=True) as book:
        backup_before_import(book)  # pinned: the way back, as the app takes it
        # Evidence files travel in the folder beside the JSON file (docs/json-format.md).
        result = import_book(book, data, attachments=attachments_dir_for(args.src))
    print(
        f"Imported {args.src}: {result.created} added, {result.updated} updated, "
        f"{result.unchanged} unchanged."
    )
    return EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    """Run the GUI or one verb. A verb's every failure is one line on stderr and a
    non-zero exit: the user's mistakes and the environment's (a full disk, a
    locked file) are told plainly, and anything else is named, not dumped; the
    traceback goes to the log file."""
    from models.logs import setup_logging

    out, err = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = _SafeStream(out), _SafeStream(err)  # type: ignore[assignment]
    try:
        words = sys.argv[1:] if argv is None else argv
        args = gui_args(words) or build_parser().parse_args(words)
        log_path = setup_logging(verbose=args.verbose)
        if args.command is None:
            sys.stdout, sys.stderr = out, err
            return run_app(args)  # the GUI binds the renderers after its first paint
        from exports.pdf import bind_renderers

        bind_renderers()  # the core prints through these; ReportLab loads only on use
        return run_verb(args, log_path)
    finally:
        if isinstance(sys.stdout, _SafeStream):
            sys.stdout.flush()
        sys.stdout, sys.stderr = out, err


def run_verb(args: argparse.Namespace, log_path: Path | None) -> int:
    try:
        code: int = args.run(args)
        return code
    except RapportError as exc:
        log.warning("rapport %s: %s", args.command, exc, exc_info=True)
        return fail(str(exc))
    except OSError as exc:
        log.warning("rapport %s: %s", args.command, exc, exc_info=True)
        where = f": {exc.filename}" if exc.filename else ""
        if exc.errno == errno.ENOSPC:
            return fail(f"The disk is full{where}: free some space and try again.")
        return fail(f"{exc.strerror or exc}{where}")
    except KeyboardInterrupt:
        fail("interrupted; nothing more was done.")
        return EXIT_INTERRUPTED
    except MemoryError:
        log.error("rapport %s ran out of memory", args.command, exc_info=True)
        return fail("ran out of memory; nothing was changed by the unfinished work.")
    # The last resort: a bug or a library's surprise still ends in one line, so a
    # script reading stderr never has to parse a traceback; the log keeps it.
    except Exception as exc:
        log.exception("rapport %s failed unexpectedly", args.command)
        details = f"; the details are in {log_path}" if log_path is not None else ""
        return fail(f"something went wrong ({type(exc).__name__}){details}")


def run_app(args: argparse.Namespace) -> int:
    """The GUI, with every uncaught error logged and shown (ui/crash.py)."""
    from ui.crash import install_crash_hook, report_fatal

    install_crash_hook()
    from ui.gui import run_gui

    try:
        return run_gui(book_path(args), start_hidden=args.tray)
    except Exception as exc:
        report_fatal(exc)
        return EXIT_ERROR


def fail(message: str) -> int:
    """One line on stderr, however many lines the message had."""
    print(f"rapport: {' '.join(message.split())}", file=sys.stderr)
    return EXIT_ERROR


if __name__ == "__main__":
    sys.exit(main())
