"""Printing a document as the PDF it is.

Qt's printer takes paint commands, not PDF, so painting a PDF onto a QPrinter means
rasterising every page (a 5.6 MB JPEG with no text, for "print to file"). The
document already exists as PDF bytes, so:
- "print to file" writes those bytes, unchanged (the final agreement's hash holds);
- with CUPS present (``lp`` or ``lpr`` on PATH), the bytes go to the printer chosen
  in the dialog, and CUPS's own filters print the text as text;
- only without CUPS (or if it refuses) are the pages rendered at the printer's
  resolution, as before.
"""

from __future__ import annotations

import logging
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from PySide6.QtPdf import QPdfDocument
from PySide6.QtPrintSupport import QPrinter

from models.files import write_atomic

log = logging.getLogger(__name__)
CUPS_TIMEOUT_S = 60


class PrintRoute(StrEnum):
    FILE = "file"  # the PDF bytes written where the dialog said
    CUPS = "cups"  # the PDF bytes handed to lp/lpr
    RENDERED = "rendered"  # pages painted at the printer's resolution


@dataclass(frozen=True)
class PrintResult:
    route: PrintRoute
    pages: int
    problem: str = ""  # why the first choice did not work, when it did not


def cups_command(printer_name: str, copies: int, title: str) -> list[str] | None:
    """The command that sends a PDF on standard input to a CUPS printer, if CUPS's
    client is installed; None otherwise."""
    lp = shutil.which("lp")
    if lp:
        cmd = [lp, "-n", str(max(1, copies)), "-t", title]
        if printer_name:
            cmd += ["-d", printer_name]
        return cmd
    lpr = shutil.which("lpr")
    if lpr:
        cmd = [lpr, "-#", str(max(1, copies)), "-T", title]
        if printer_name:
            cmd += ["-P", printer_name]
        return cmd
    return None


def send_to_cups(pdf: bytes, printer_name: str, copies: int, title: str) -> str | None:
    """Hand the PDF to CUPS; None when it took it, else why not (in words)."""
    cmd = cups_command(printer_name, copies, title)
    if cmd is None:
        return "No CUPS printing command (lp or lpr) was found."
    try:
        done = subprocess.run(
            cmd, input=pdf, capture_output=True, timeout=CUPS_TIMEOUT_S, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"The printing system did not answer ({exc})."
    if done.returncode != 0:
        said = done.stderr.decode("utf-8", "replace").strip().splitlines()
        return said[-1] if said else f"{Path(cmd[0]).name} failed ({done.returncode})."
    return None


def print_pdf(
    pdf: bytes,
    printer: QPrinter,
    document: QPdfDocument,
    title: str,
    render: Callable[[QPdfDocument, QPrinter], int],
) -> PrintResult:
    """Print ``pdf`` on the printer the dialog set up, by the best route there is."""
    pages = max(0, document.pageCount())
    target = printer.outputFileName()
    if printer.outputFormat() is QPrinter.OutputFormat.PdfFormat and target:
        path = Path(target)
        if path.suffix.lower() != ".pdf":
            path = path.with_name(path.name + ".pdf")
        write_atomic(path, pdf, mode=0o644)
        return PrintResult(PrintRoute.FILE, pages)
    problem = send_to_cups(pdf, printer.printerName(), printer.copyCount(), title)
    if problem is None:
        return PrintResult(PrintRoute.CUPS, pages)
    log.info("printing by rendering pages: %s", problem)
    return PrintResult(PrintRoute.RENDERED, render(document, printer), problem)
