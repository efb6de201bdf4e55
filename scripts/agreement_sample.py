"""Regenerate docs/agreement-page1.png: page 1 of a realistic agreement summary.

Usage: python scripts/agreement_sample.py [OUT.png]. Needs pdftoppm (poppler-utils).
The PDF itself is left beside the PNG's temp folder and its path printed.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from exports.pdf.agreement import render_agreement  # noqa: E402
from models.documents import AgreementDocument, CommitmentLine, Party  # noqa: E402


def sample() -> AgreementDocument:
    return AgreementDocument(
        number="AG-2026-0014 v1",
        title="Getting the shop launch back on track",
        dated=date(2026, 11, 22),
        consultant=Party(
            name="Jonas Weber",
            organisation="Weber Web Studio",
            role="Web developer",
            address="Lindenstraße 12\n10969 Berlin",
            email="jonas@weberweb.example",
            phone="+49 30 5550 1234",
        ),
        client=Party(
            name="Marta Kowalska",
            organisation="Kowalska Bakery",
            role="Owner",
            address="Bergmannstraße 88\n10961 Berlin",
            email="marta@kowalska-bakery.example",
        ),
        context=(
            "The online shop was promised for 1 November, in time for the St Martin's "
            "orders. It did not go live: the payment set-up was left until the last week, "
            "and nobody told Marta about the delay until she asked.\n\n"
            "We met at the bakery on 22 November to agree how to finish the shop and how "
            "we keep each other informed from now on."
        ),
        points=[
            "The missed date cost the bakery its pre-orders for St Martin's; Jonas "
            "takes responsibility for not flagging the delay early.",
            "The Christmas stollen pre-orders are the priority; the blog and recipes can wait.",
            "Card payments go live first; invoice payment for cafés comes later.",
            "Marta wants a short update every Friday, even when nothing has changed.",
        ],
        ours=[
            CommitmentLine(
                "Shop live with card payments and stollen pre-orders", date(2026, 12, 4)
            ),
            CommitmentLine("Friday status e-mail: done, next, blocked", date(2026, 11, 27)),
            CommitmentLine(
                "Launch support: fix any shop problem reported before 10:00 the same day",
                date(2027, 1, 6),
            ),
        ],
        theirs=[
            CommitmentLine(
                "Product photos and prices for the 12 Christmas items", date(2026, 11, 26)
            ),
            CommitmentLine("Payment provider account verified", date(2026, 11, 28)),
            CommitmentLine("Feedback on the test shop within two working days", date(2026, 12, 2)),
        ],
        review_on=date(2027, 2, 22),
        status="final",
    )


def main(out: Path) -> int:
    doc = sample()
    render_agreement(doc)  # warm: fonts registered, modules imported
    start = time.perf_counter()
    data = render_agreement(doc)
    ms = (time.perf_counter() - start) * 1000
    folder = Path(tempfile.mkdtemp(prefix="rapport-agreement-"))
    pdf = folder / "agreement.pdf"
    pdf.write_bytes(data)
    subprocess.run(
        [
            "pdftoppm",
            "-png",
            "-r",
            "80",
            "-f",
            "1",
            "-l",
            "1",
            "-singlefile",
            str(pdf),
            str(folder / "page1"),
        ],
        check=True,
    )
    out.write_bytes((folder / "page1.png").read_bytes())
    print(f"rendered in {ms:.0f} ms (warm); {pdf} -> {out}")
    return 0


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "docs" / "agreement-page1.png"
    raise SystemExit(main(target))
