"""Views declare which changes they show; reloads happen once, and not while hidden.

Six views used to filter ``changed`` by hand, each a little differently. A view
now says its mask once; a change outside it costs nothing, its own change can be
skipped, and a view on a page the user is not looking at only notes that it is
stale and reloads once when it is shown (Anki's tables do the same).
"""

from __future__ import annotations

import contextlib
import inspect
import weakref
from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QWidget

from models.changes import Changes


def _weak(obj: object) -> Callable[[], object]:
    """A weak reference where the object allows one, else the object itself."""
    try:
        return weakref.ref(obj)
    except TypeError:
        return lambda: obj


class ChangeSubscription(QObject):
    """One widget's interest in ``changed``: lives and dies with the widget."""

    def __init__(
        self,
        widget: QObject,
        signal: object,
        mask: Changes,
        slot: Callable[[Changes, object], None],
        *,
        skip_own: bool,
        defer_hidden: bool,
    ) -> None:
        super().__init__(widget)
        # Weak both ways: a window closed with WA_DeleteOnClose must not be kept
        # alive by its own subscription (its Python side would outlive the C++ one).
        self._widget = weakref.ref(widget)
        self._slot: Callable[[], Callable[[Changes, object], None] | None]
        if inspect.ismethod(slot):
            self._slot = weakref.WeakMethod(slot)
        else:
            self._slot = lambda: slot
        self.mask = mask
        self.skip_own = skip_own
        self.defer_hidden = defer_hidden
        # What arrived while hidden, reloaded once on show (None: nothing waiting).
        self.pending: Changes | None = None
        self.pending_initiator: Callable[[], object] = _weak(None)
        self._signal = signal
        signal.connect(self._on_changed)  # type: ignore[attr-defined]
        if defer_hidden and isinstance(widget, QWidget):
            widget.installEventFilter(self)

    def _hidden(self) -> bool:
        """Hidden in a window the user has open (another page, a closed tab): worth
        waiting for. A widget whose window is not shown at all (tray-only, or
        built for a test) reloads at once, as it always did."""
        w = self._widget()
        return isinstance(w, QWidget) and not w.isVisible() and w.window().isVisible()

    def _on_changed(self, what: object, initiator: object) -> None:
        changes = Changes.coerce(what)
        if not changes.anything(self.mask):
            return
        if self.skip_own and initiator is self._widget():
            return
        if self.defer_hidden and self._hidden():
            self.pending = changes if self.pending is None else self.pending | changes
            # Only who caused it, not a reference that would keep a closed window alive.
            self.pending_initiator = _weak(initiator)
            return
        self._call(changes, initiator)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt API
        if watched is self._widget() and event.type() == QEvent.Type.Show and self.pending:
            changes, initiator = self.pending, self.pending_initiator()
            self.pending, self.pending_initiator = None, _weak(None)
            self._call(changes, initiator)
        return False

    def _call(self, changes: Changes, initiator: object) -> None:
        slot = self._slot()
        if slot is not None:
            slot(changes & self.mask, initiator)

    def disconnect_now(self) -> None:
        """Stop listening (a closing window must not reload half torn down)."""
        with contextlib.suppress(RuntimeError, TypeError):
            self._signal.disconnect(self._on_changed)  # type: ignore[attr-defined]


def on_changes(
    widget: QObject,
    signal: object,
    mask: Changes,
    slot: Callable[[Changes, object], None],
    *,
    skip_own: bool = False,
    defer_hidden: bool = True,
) -> ChangeSubscription:
    """Call ``slot(changes & mask, initiator)`` for each change that touches
    ``mask``; skip the widget's own changes with ``skip_own``; while the widget is
    hidden in a shown window, wait and call once when it is shown."""
    return ChangeSubscription(
        widget, signal, mask, slot, skip_own=skip_own, defer_hidden=defer_hidden
    )
