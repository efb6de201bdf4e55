"""The agreement PDF figure: the app's renderer against a bare ReportLab document
with the same text, on one fixed agreement; no book needed."""

from __future__ import annotations

from datetime import timedelta

from bench.measure import TODAY, Pair, alternate
from exports.pdf.agreement import render_agreement
from exports.pdf.common import FAMILY, plain_date, register_fonts
from models.documents import AgreementDocument, CommitmentLine, Party


def pdf_document() -> AgreementDocument:
    """A realistic agreement: a context of three paragraphs, 10 points discussed and
    8 commitments on each side, some dated, some kept."""
    start = TODAY
    sentences = (
        "The shop launch slipped by two weeks and nobody said so in time.",
        "Card payments were promised for the Christmas market and are still missing.",
        "Margit heard about the delay from a customer, not from us.",
    )
    return AgreementDocument(
        number="AG-2026-0007 v2",
        title="Relaunch of the online shop",
        dated=start,
        consultant=Party(
            name="Jonas Weber",
            organisation="Weber Web Studio",
            address="Lindenstraße 12\n10969 Berlin\nGermany",
            email="jonas@weber-web.example",
            phone="+49 30 5550 1234",
        ),
        client=Party(
            name="Margit Oberholzer",
            organisation="Backstube Oberholzer",
            role="Owner",
            email="margit@backstube-oberholzer.example",
            phone="+44 20 7946 0112",
        ),
        context="\n\n".join(" ".join(sentences[i:] + sentences[:i]) for i in range(3)),
        points=[
            f"Point {i}: {sentences[i % 3]} What we change: weekly written updates, "
            f"a shared list of open questions, and one named contact on each side."
            for i in range(1, 11)
        ],
        ours=[
            CommitmentLine(
                f"Our commitment {i}: ship part {i} of the pre-order page and report on it",
                start + timedelta(days=7 * i) if i % 2 else None,
                "kept" if i < 3 else "open",
            )
            for i in range(1, 9)
        ],
        theirs=[
            CommitmentLine(
                f"Client commitment {i}: answer open questions on part {i} within two days",
                start + timedelta(days=5 * i) if i % 3 else None,
            )
            for i in range(1, 9)
        ],
        review_on=start + timedelta(days=60),
    )


def bare_pdf(doc: AgreementDocument) -> bytes:
    """The floor: the same strings as Paragraphs in a SimpleDocTemplate, in the same
    (embedded) font, with no tables, footer, canvas subclass or per-character check."""
    from io import BytesIO
    from xml.sax.saxutils import escape

    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import Paragraph, SimpleDocTemplate

    register_fonts()
    style = ParagraphStyle("bare", fontName=FAMILY, fontSize=10, leading=14)
    strings = [doc.title, doc.number, plain_date(doc.dated)]
    for party in (doc.consultant, doc.client):
        strings += [party.name, party.organisation, party.role, party.address]
        strings += [party.email, party.phone]
    strings += doc.context.split("\n\n") + list(doc.points)
    for line in doc.ours + doc.theirs:
        strings += [line.text, plain_date(line.due_on) if line.due_on else "", line.state]
    if doc.review_on:
        strings.append(plain_date(doc.review_on))
    out = BytesIO()
    SimpleDocTemplate(out, pagesize=A4, invariant=1).build(
        [Paragraph(escape(t).replace("\n", "<br/>"), style) for t in strings if t]
    )
    return out.getvalue()


def bench_pdf(repeat: int) -> Pair:
    """One realistic agreement through the app's renderer against a bare ReportLab
    document with the same text, both warm (fonts registered, modules imported)."""
    doc = pdf_document()
    app_ms, floor_ms = alternate(lambda: render_agreement(doc), lambda: bare_pdf(doc), repeat)
    return Pair("pdf", app_ms, floor_ms)
