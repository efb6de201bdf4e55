"""A work-around for PySide6 6.12.0 on CPython 3.11, applied once when ui/ is imported.

PySide6 6.12.0 gives back one reference too many to None on every void call into
Qt, and to True/False on every signal emitted from Python (measured here: 200
``QLabel.setText`` calls, 201 references to None gone). Nothing breaks while the
program runs, but once enough are gone the interpreter's final clean-up frees the
singletons and aborts ("bool_dealloc"/"none_dealloc"): a long session, or a test
run, dies at exit. 6.11 does not do this, but PySide6-Pdf exists only as 6.12, so
the fix cannot be a version pin. CPython 3.12 made these objects immortal; this
gives them the same huge reference count on 3.11, once. On 3.12+ it does nothing.
tests/test_qt_runtime.py checks both the leak's harmlessness and the fix.
"""

from __future__ import annotations

import sys

# CPython 3.12's reference count for objects that are never freed.
IMMORTAL_REFS = (1 << 32) - 1 >> 2


def hold_singletons() -> None:
    if sys.version_info >= (3, 12) or sys.implementation.name != "cpython":
        return
    if getattr(sys, "_rapport_singletons_held", False):
        return
    import ctypes

    for obj in (None, True, False):
        # ob_refcnt is the first field of every CPython object.
        ctypes.c_ssize_t.from_address(id(obj)).value += IMMORTAL_REFS
    sys._rapport_singletons_held = True  # type: ignore[attr-defined]
