"""Printing sends the real PDF (issue 17, Build 5): "print to file" writes the stored
bytes (text, small), and with CUPS the bytes go to the chosen printer through `lp`.
The lp here is a stand-in script on PATH (an external program, not our code) that
records its arguments and the bytes it was given."""

from __future__ import annotations

import io
import stat
from pathlib import Path

import pytest
from pypdf import PdfReader
from PySide6.QtPrintSupport import QPrinter

from models.services.agreement_documents import agreement_pdf
from tests.test_ui_agreements import _final, _wait_pdf, add_client, open_agreement_window
from ui.print_pdf import PrintRoute, cups_command, send_to_cups


def fake_lp(folder: Path, name: str = "lp", code: int = 0) -> Path:
    folder.mkdir(exist_ok=True)
    script = folder / name
    script.write_text(
        "#!/bin/sh\n"
        f'printf "%s\\n" "$@" > "{folder}/args"\n'
        f'/bin/cat > "{folder}/received.pdf"\n'
        + (f'echo "lp: The printer is on fire" >&2\nexit {code}\n' if code else "exit 0\n")
    )
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return script


@pytest.fixture
def only_our_path(monkeypatch, tmp_path: Path) -> Path:
    """PATH holding nothing but the stand-in folder, so a real CUPS client on the
    machine is not used (the stand-ins call /bin/cat by its full path)."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    monkeypatch.setenv("PATH", str(bin_dir))
    return bin_dir


def test_print_to_file_writes_the_stored_pdf(qtbot, rapport, tmp_path: Path) -> None:
    cid = add_client(rapport, "Ada Byrne", 30, 10)
    aid = _final(rapport, cid)
    w = open_agreement_window(rapport, aid)
    qtbot.addWidget(w)
    _wait_pdf(qtbot, w)
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    out = tmp_path / "printed.pdf"
    printer.setOutputFileName(str(out))
    assert w.print_to(printer) == w.pdf_document.pageCount() >= 1
    assert w.last_print.route is PrintRoute.FILE
    data = out.read_bytes()
    assert data == agreement_pdf(rapport.book, aid)  # byte for byte: the hash holds
    assert len(data) < 200 * 1024
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)
    assert "Ada Byrne" in text
    assert b"/DCTDecode" not in data  # not one big JPEG per page


def test_the_dialog_suggests_the_documents_number(qtbot, rapport) -> None:
    cid = add_client(rapport, "Ada Byrne", 30, 10)
    aid = _final(rapport, cid)
    w = open_agreement_window(rapport, aid)
    qtbot.addWidget(w)
    _wait_pdf(qtbot, w)
    name = w.suggested_name()
    assert name.startswith("AG-") and name.endswith(".pdf") and name != "print.pdf"


def test_with_cups_the_pdf_goes_to_the_chosen_printer(
    qtbot, rapport, only_our_path: Path
) -> None:
    fake_lp(only_our_path)
    cid = add_client(rapport, "Ada Byrne", 30, 10)
    aid = _final(rapport, cid)
    w = open_agreement_window(rapport, aid)
    qtbot.addWidget(w)
    _wait_pdf(qtbot, w)
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.NativeFormat)
    printer.setPrinterName("Office_Laser")
    printer.setCopyCount(2)
    w.print_to(printer)
    if printer.outputFormat() is not QPrinter.OutputFormat.NativeFormat:
        # Without any printer known to Qt, it keeps PDF output: test the CUPS step alone.
        assert send_to_cups(w.pdf_bytes, "Office_Laser", 2, "AG-2026-0001") is None
    else:
        assert w.last_print.route is PrintRoute.CUPS
    args = (only_our_path / "args").read_text().split("\n")
    assert "-d" in args and args[args.index("-d") + 1] == "Office_Laser"
    assert "-n" in args and args[args.index("-n") + 1] == "2"
    assert (only_our_path / "received.pdf").read_bytes() == agreement_pdf(rapport.book, aid)


def test_lpr_when_there_is_no_lp_and_nothing_without_either(only_our_path: Path) -> None:
    assert cups_command("Office", 1, "AG-1") is None
    assert "lp or lpr" in (send_to_cups(b"%PDF", "Office", 1, "AG-1") or "")
    fake_lp(only_our_path, "lpr")
    assert cups_command("Office", 3, "AG-1")[1:] == ["-#", "3", "-T", "AG-1", "-P", "Office"]
    assert send_to_cups(b"%PDF-1.4 test", "Office", 3, "AG-1") is None
    assert (only_our_path / "received.pdf").read_bytes() == b"%PDF-1.4 test"


def test_a_refusing_printer_says_why(only_our_path: Path) -> None:
    fake_lp(only_our_path, code=1)
    assert send_to_cups(b"%PDF", "Office", 1, "AG-1") == "lp: The printer is on fire"
