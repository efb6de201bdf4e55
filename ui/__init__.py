"""Rapport's Qt user interface. Everything here talks to the book through models.services."""

from ui.pyside_fix import hold_singletons

# Before any Qt call: see ui/pyside_fix.py (PySide6 6.12.0 on CPython 3.11).
hold_singletons()
