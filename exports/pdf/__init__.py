"""The PDF renderers: a document from models/documents.py in, a PDF's bytes out.

``bind_renderers`` registers them with the printing service; main.py and the GUI's
start-up call it. Binding is cheap: ReportLab is imported the first time a
document is actually rendered, never at start-up.
"""

from __future__ import annotations

from models.documents import AgreementDocument, ClientSummaryDocument, PageSize, RecordDocument


def _agreement(doc: AgreementDocument, page_size: PageSize) -> bytes:
    from exports.pdf.agreement import render_agreement

    return render_agreement(doc, page_size=page_size)


def _record(doc: RecordDocument, page_size: PageSize) -> bytes:
    from exports.pdf.record import render_record

    return render_record(doc, page_size=page_size)


def _summary(doc: ClientSummaryDocument, page_size: PageSize) -> bytes:
    from exports.pdf.summary import render_client_summary

    return render_client_summary(doc, page_size=page_size)


def bind_renderers() -> None:
    """Make the printing service print PDFs (idempotent)."""
    from models.rendering import bind

    bind(AgreementDocument, _agreement)
    bind(RecordDocument, _record)
    bind(ClientSummaryDocument, _summary)
