"""Handing a drafted message to the consultant's own mail program.

Rapport never sends mail itself: the consultant sends from their usual account, so
the message is in their Sent folder and the client can simply reply. A mailto: link
(RFC 6068) carries the recipient, subject and body; every part is percent-encoded
as UTF-8 and line breaks are CRLF, as the RFC asks.
"""

from __future__ import annotations

from urllib.parse import quote

# Mail programs and desktop launchers cut very long command lines; a longer body is
# left for the clipboard (the caller copies it) rather than silently shortened.
MAILTO_MAX = 8000


def mailto_url(to: str, subject: str, body: str) -> str:
    """mailto:ada@example.test?subject=...&body=..., encoded for any script."""
    crlf = body.replace("\r\n", "\n").replace("\n", "\r\n")
    query = f"subject={quote(subject, safe='')}&body={quote(crlf, safe='')}"
    return f"mailto:{quote(to.strip(), safe='@,')}?{query}"


def fits_in_link(url: str) -> bool:
    return len(url) <= MAILTO_MAX
