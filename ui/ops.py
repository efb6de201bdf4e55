"""The one path for UI writes: run the service call, explain a refusal, say once
what changed.

Before this module each caller picked which kinds of change to announce, so a
repair finish announced four and every view reloaded four times. Now an op
declares the Changes it touches and ``run_op`` emits exactly one
``changed(Changes, initiator)`` when it went through. Nothing else in ui/ may emit
``changed``: the day rolling over and a book switch go through ``announce`` here.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Protocol, TypeVar

from PySide6.QtCore import SignalInstance

from models.changes import Changes

log = logging.getLogger(__name__)

T = TypeVar("T")


class HasChanged(Protocol):
    """What ``announce`` needs of the app object (kept structural so this module
    never imports ui.app and no import cycle can form)."""

    @property
    def changed(self) -> SignalInstance: ...


def announce(rapport: HasChanged, changes: Changes, initiator: object = None) -> None:
    """Tell every view what changed, once. An empty Changes says nothing."""
    if changes:
        rapport.changed.emit(changes, initiator)


def _ignore_fields(_errors: dict[str, str]) -> None:
    """The default ``refuse`` for ops whose form has no per-field errors."""


def run_op(
    rapport: HasChanged,
    write: Callable[[], object],
    *,
    changes: Changes | Callable[[], Changes],
    initiator: object = None,
    explain: Callable[[str], None] = log.warning,
    refuse: Callable[[dict[str, str]], None] | None = None,
    failed: str = "That could not be saved. Please try again.",
    log_message: str = "A write failed",
    logger: logging.Logger = log,
    gone: str | None = None,
    then: Callable[[], object] | None = None,
) -> bool:
    """Run ``write``; on success announce ``changes`` once and return True.

    ``changes`` may be a callable, for an op whose reach is only known once it ran
    (a save that moved a promise touches reminders too). Refusals are explained
    the way ``save_or_explain`` always has: per field, gone, the rule's own words,
    or ``failed`` with the traceback logged. ``then`` runs after a write that went
    through and before the views hear of it (a dialog saying what it saved).
    """
    # The services (and SQLAlchemy behind them) load after the first paint, not
    # with the module every window imports.
    from ui.forms import CLIENT_GONE, save_or_explain

    if refuse is None:

        def refuse(errors: dict[str, str]) -> None:
            explain(" ".join(errors.values()))

    ok = save_or_explain(
        write,
        refuse=refuse,
        explain=explain,
        failed=failed,
        log=logger,
        log_message=log_message,
        gone=CLIENT_GONE if gone is None else gone,
    )
    if ok:
        if then is not None:
            then()
        announce(rapport, changes() if callable(changes) else changes, initiator)
    return ok
