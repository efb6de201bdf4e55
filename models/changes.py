"""What a write touched, as plain data.

A view should not have to guess from the name of the dialog that saved whether
its rows moved: every user action says what it touched, once, with these flags
(after Anki's OpChanges). The services keep their own return values; the op that
calls them declares the Changes, so this module stays free of Qt and of the
services' signatures.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import ClassVar


@dataclass(frozen=True)
class Changes:
    """Flags for what a write (or the world) changed; combine them with ``|``."""

    # Clients added, edited, archived, imported: the list and every count.
    clients: bool = False
    # Touches logged, follow-ups done, snoozed or reopened: what is due moved.
    reminders: bool = False
    # An incident opened, moved, answered, or its timeline or evidence changed.
    incidents: bool = False
    # An agreement drafted, edited, finalised, versioned, a commitment settled.
    agreements: bool = False
    # A setting that changes how records read (page size, working week…).
    settings: bool = False
    # A different book (or none): nothing of the old one may linger.
    book: bool = False
    # The local date moved on (midnight, a wake-up, a clock change).
    day: bool = False
    # How dates are written (the date style): every date on screen is written again.
    dates: bool = False

    NONE: ClassVar[Changes]
    EVERYTHING: ClassVar[Changes]

    def __or__(self, other: Changes) -> Changes:
        if not isinstance(other, Changes):
            return NotImplemented
        return Changes(**{n: getattr(self, n) or getattr(other, n) for n in _NAMES})

    def __and__(self, other: Changes) -> Changes:
        if not isinstance(other, Changes):
            return NotImplemented
        return Changes(**{n: getattr(self, n) and getattr(other, n) for n in _NAMES})

    def __eq__(self, other: object) -> bool:
        """Equal flags; a plain kind name ("clients") equals the Changes of that one
        kind, as the ``changed`` signal carried before it carried Changes."""
        if isinstance(other, str):
            return self.names() == (other,)
        if isinstance(other, Changes):
            return self.names() == other.names()
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self.names())

    def __bool__(self) -> bool:
        return self.anything()

    def anything(self, mask: Changes | None = None) -> bool:
        """True if any flag is set (or any of ``mask``'s flags, when given)."""
        names = self.names()
        if mask is None:
            return bool(names)
        return any(getattr(mask, n) for n in names)

    def names(self) -> tuple[str, ...]:
        """The flags set, in declaration order (for logs and messages)."""
        return tuple(f.name for f in fields(self) if getattr(self, f.name))

    @classmethod
    def of(cls, *names: str) -> Changes:
        """Changes from flag names; an unknown name is a programming error."""
        known = {f.name for f in fields(cls)}
        unknown = set(names) - known
        if unknown:
            raise ValueError(f"unknown change kinds: {sorted(unknown)}")
        return cls(**dict.fromkeys(names, True))

    @classmethod
    def coerce(cls, value: object) -> Changes:
        """A Changes from what a ``changed`` signal carried: Changes, or one flag's
        name as older callers (and scripts) still send."""
        if isinstance(value, Changes):
            return value
        if isinstance(value, str):
            return cls.of(value)
        raise TypeError(f"not a Changes: {value!r}")

    def __repr__(self) -> str:
        return f"Changes({', '.join(self.names()) or 'none'})"


_NAMES = tuple(f.name for f in fields(Changes))
Changes.NONE = Changes()
Changes.EVERYTHING = Changes(**{f.name: True for f in fields(Changes)})

CLIENTS = Changes(clients=True)
REMINDERS = Changes(reminders=True)
INCIDENTS = Changes(incidents=True)
AGREEMENTS = Changes(agreements=True)
SETTINGS = Changes(settings=True)
BOOK = Changes(book=True)
DAY = Changes(day=True)
DATES = Changes(dates=True)

__all__ = [
    "AGREEMENTS",
    "BOOK",
    "CLIENTS",
    "DATES",
    "DAY",
    "INCIDENTS",
    "REMINDERS",
    "SETTINGS",
    "Changes",
]
