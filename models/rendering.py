"""The renderers bound at the edge, by kind of document: the core's only link to them.

main.py, the GUI's start-up and the tests' conftest bind exports/pdf here
(``exports.pdf.bind_renderers``); models/ itself never imports exports/. Kept apart
from the printing service so that services which render (finalising an agreement)
and the printing service (which reads settings through them) form no import cycle.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from models.documents import (
    AgreementDocument,
    ClientSummaryDocument,
    Document,
    PageSize,
    RecordDocument,
    for_audience,
)
from models.errors import RapportError

D = TypeVar("D", AgreementDocument, ClientSummaryDocument, RecordDocument)
# A renderer: a document of one kind and a page size in, the file's bytes out.
Renderer = Callable[[Any, PageSize], bytes]

_RENDERERS: dict[type, Renderer] = {}


class NoRendererError(RapportError):
    """Nothing was bound to print this kind of document: a wiring mistake, said plainly."""


def bind(kind: type[D], render: Callable[[D, PageSize], bytes]) -> None:
    """Register the renderer for one kind of document (the last binding wins)."""
    _RENDERERS[kind] = render


def unbind_all() -> None:
    """Forget every renderer (tests that check the wiring use this)."""
    _RENDERERS.clear()


def render(doc: Document, page_size: PageSize) -> bytes:
    """The document's bytes from its bound renderer, given only what the document's
    audience may see (``for_audience``)."""
    doc = for_audience(doc)
    try:
        renderer = _RENDERERS[type(doc)]
    except KeyError:
        raise NoRendererError(
            f"No renderer is bound for {type(doc).__name__}; the application binds them "
            "at start-up (exports.pdf.bind_renderers)."
        ) from None
    return renderer(doc, page_size)
