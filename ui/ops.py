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

from PySide6.QtCore import QObject, Qt, SignalInstance, Slot

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
    gone: str | Callable[[], object] | None = None,
    then: Callable[[], object] | None = None,
) -> bool:
    """Run ``write``; on success announce ``changes`` once and return True.

    ``changes`` may be a callable, for an op whose reach is only known once it ran
    (a save that moved a promise touches reminders too). Refusals are explained
    the way ``save_or_explain`` always has: per field, gone, the rule's own words,
    or ``failed`` with the traceback logged. ``then`` runs after a write that went
    through and before the views hear of it (a dialog saying what it saved).
    ``gone`` may be a callable for a window that closes (or a list that reloads)
    when its record was deleted meanwhile, rather than saying so.
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


class _Outcome:
    """What the worker left: the write's result, or the exception it raised (to be
    raised again on the GUI thread, where refusals are explained)."""

    def __init__(self, result: object = None, error: BaseException | None = None) -> None:
        self.result = result
        self.error = error

    def replay(self) -> object:
        if self.error is not None:
            raise self.error
        return self.result


class _Landing(QObject):
    """Made on the GUI thread, so the job's queued signal is handled there."""

    def __init__(self, land: Callable[[object], None]) -> None:
        super().__init__()
        self._land = land

    @Slot(object)
    def arrived(self, outcome: object) -> None:
        self._land(outcome)


class OpJob:
    """A slow op under way: ``ok`` is None until its result has landed on the GUI
    thread, then whether the write went through."""

    def __init__(self) -> None:
        self.ok: bool | None = None
        self.parts: tuple[object, ...] = ()
        self.caller_gone = False

    def forget_caller(self) -> None:
        """The window that started this closed: the write still completes and the
        other views still hear of it, but nothing is said to (or done in) that
        window; a refusal goes to the log."""
        self.caller_gone = True

    @property
    def landed(self) -> bool:
        return self.ok is not None


# Ops under way, kept alive until their result has landed on the GUI thread.
_RUNNING: set[OpJob] = set()


def start_op(
    rapport: HasChanged,
    write: Callable[[], T],
    *,
    changes: Changes | Callable[[], Changes],
    initiator: object = None,
    explain: Callable[[str], None] = log.warning,
    refuse: Callable[[dict[str, str]], None] | None = None,
    failed: str = "That could not be saved. Please try again.",
    log_message: str = "A write failed",
    logger: logging.Logger = log,
    gone: str | Callable[[], object] | None = None,
    then: Callable[[T], object] | None = None,
    settled: Callable[[bool], object] | None = None,
) -> OpJob:
    """``run_op`` for a slow write (finalising a PDF, restoring, a big import):
    ``write`` runs on the thread pool (ui/kit/jobs.py) and must touch no widget;
    refusals are explained, ``then(result)`` runs and the one announcement is made,
    all back on the GUI thread. ``settled(ok)`` runs last either way (to hide a
    busy sign)."""
    from ui.kit.jobs import BackgroundJob

    def work() -> _Outcome:
        try:
            return _Outcome(write())
        except Exception as exc:  # raised again on the GUI thread, explained there
            return _Outcome(error=exc)

    op = OpJob()

    def land(outcome: object) -> None:
        _RUNNING.discard(op)
        assert isinstance(outcome, _Outcome)
        quiet = op.caller_gone
        after = None if then is None or quiet else (lambda: then(outcome.result))  # type: ignore[arg-type]
        op.ok = run_op(
            rapport,
            outcome.replay,
            changes=changes,
            initiator=initiator,
            explain=logger.warning if quiet else explain,
            refuse=None if quiet else refuse,
            failed=failed,
            log_message=log_message,
            logger=logger,
            gone=None if quiet and callable(gone) else gone,
            then=after,
        )
        op.parts = ()
        if settled is not None and not quiet:
            settled(op.ok)

    job = BackgroundJob(work, what=log_message)
    landing = _Landing(land)
    job.signals.done.connect(landing.arrived, Qt.ConnectionType.QueuedConnection)
    op.parts = (job, job.signals, landing)
    _RUNNING.add(op)
    job.start()
    return op
