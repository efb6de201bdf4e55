"""Text for the detail pane that never breaks where a reader would stumble.

The pane used to wrap anywhere, so a narrow pane showed "Acknowled/ged",
"AG-2026-0/001" and an email split at its hyphen, and a wide table pushed out a
horizontal scroll bar. Here an id, an email, a state or a date is kept whole on
one line, and a word too long for the pane is shortened with "…", the full text
in its tooltip. The pane says how many characters a line holds (``limit``).
"""

from __future__ import annotations

import html

# Characters a line of the pane holds when nobody has measured it.
DEFAULT_LIMIT = 40
ELLIPSIS = "…"
WORD_JOINER = "\u2060"  # invisible; forbids a line break on either side


def _e(text: str) -> str:
    return html.escape(text, quote=True)


def _joined_up(text: str) -> str:
    """Escaped, with a word joiner after each hyphen and slash: "nowrap" keeps spaces
    from breaking, but a line may still break after "AG-2026-" or "a-b@c"."""
    return _e(text).replace("-", "-" + WORD_JOINER).replace("/", "/" + WORD_JOINER)


def whole(text: str, limit: int = DEFAULT_LIMIT, style: str = "", *, token: bool = True) -> str:
    """``text`` on one line, never broken inside; shortened with a tooltip when it is
    longer than ``limit`` characters. A ``token`` (an id, an email, a date) does not
    break at its hyphens either; a word of prose may, as in any text."""
    limit = max(4, limit)
    escape = _joined_up if token else _e
    if len(text) > limit:
        shown = escape(text[: limit - 1]) + ELLIPSIS
        return f'<span style="white-space:nowrap; {style}" title="{_e(text)}">{shown}</span>'
    return f'<span style="white-space:nowrap; {style}">{escape(text)}</span>'


def words(text: str, limit: int = DEFAULT_LIMIT) -> str:
    """``text`` free to wrap between its words, each word kept whole (a word longer
    than a line is shortened, with the full text as the tooltip)."""
    return " ".join(whole(word, limit, token=False) for word in text.split(" ") if word)


def lines(text: str, limit: int = DEFAULT_LIMIT) -> str:
    """Several lines (notes): each wraps between words; line breaks are kept."""
    return "<br>".join(words(line, limit) for line in text.split("\n"))


def joined(*parts: str) -> str:
    """Pieces already made whole, side by side with a middle dot between them."""
    return " · ".join(p for p in parts if p)
