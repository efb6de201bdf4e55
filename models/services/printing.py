"""Printing: which bytes a document comes out as, decided once for the CLI and the GUI.

The core knows what a document says (models/documents.py) but not how it is laid
out: renderers live at the edge (exports/pdf/) and are bound here by whoever builds
the application (main.py, the GUI's start-up, the tests' conftest), so models/
never imports exports/. A renderer takes a document and a page size and returns
bytes.

The decisions made here and nowhere else:
- a final (or superseded) agreement prints as its stored PDF, byte for byte: that
  is the document both sides have, and its hash is in the book; a draft is rendered
  from what it says now;
- the page size comes from the consultant's settings;
- the audience travels with the document (its renderer is given nothing else).

Reads happen when a job is made, rendering when it is called, so the GUI can make
the job on its thread and lay the pages out on a worker thread. Importing this
module loads neither SQLAlchemy nor any renderer.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING

from models.documents import Document, PageSize
from models.rendering import NoRendererError, bind, render, unbind_all

__all__ = [
    "NoRendererError",
    "PrintJob",
    "agreement_job",
    "agreement_preview_job",
    "bind",
    "page_size",
    "record_job",
    "render",
    "renderer_for",
    "repair_job",
    "summary_job",
    "unbind_all",
]

if TYPE_CHECKING:
    from models.db import Book

# Made on the caller's thread (it reads the book), called where the layout may run.
PrintJob = Callable[[], bytes]


def page_size(book: Book) -> PageSize:
    from models.services.consultant import get_settings

    return get_settings(book).page_size


def renderer_for(book: Book) -> Callable[[Document], bytes]:
    """Render at the book's page size (read now, once): what finalising an agreement
    is given, so its stored PDF matches what a preview showed."""
    size = page_size(book)

    def render_at_size(doc: Document) -> bytes:
        return render(doc, size)

    return render_at_size


def agreement_job(book: Book, agreement_id: int) -> PrintJob:
    """The agreement as printed: its stored PDF once final, else its draft rendered."""
    from models.services.agreement_documents import agreement_pdf
    from models.services.agreements import document_for

    stored = agreement_pdf(book, agreement_id)
    if stored is not None:
        return lambda: stored
    document = document_for(book, agreement_id)
    size = page_size(book)
    return lambda: render(document, size)


def agreement_preview_job(book: Book, agreement_id: int) -> PrintJob:
    """What the agreement says now, rendered even when final (the editor's preview)."""
    from models.services.agreements import document_for

    document = document_for(book, agreement_id)
    size = page_size(book)
    return lambda: render(document, size)


def record_job(book: Book, plan_id: int) -> PrintJob:
    """The written record a repair's ending leaves (a preview while under way)."""
    from models.services.repair_records import record_for

    document = record_for(book, plan_id)
    size = page_size(book)
    return lambda: render(document, size)


def repair_job(book: Book, plan_id: int) -> PrintJob:
    """What a repair leaves on paper: its agreement (as stored once final) when it
    ended in one, else its record."""
    from models.enums import RepairEnding
    from models.services.repair import get_plan

    plan = get_plan(book, plan_id)
    if plan.ending is RepairEnding.AGREEMENT and plan.agreement_id is not None:
        return agreement_job(book, plan.agreement_id)
    return record_job(book, plan_id)


def summary_job(book: Book, client_id: int, today: date) -> PrintJob:
    """Everything the book knows about one client, for the consultant's own file."""
    from models.services.summary import client_summary

    document = client_summary(book, client_id, today)
    size = page_size(book)
    return lambda: render(document, size)
