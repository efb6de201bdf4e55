"""The client list's columns and data roles, apart from its model (ui/client_table.py).

The main window's parts name them at import time, and the window is painted before
the model's module (with health scoring, incident words and the column fitter behind
it) is loaded: the Clients page is built after the first paint (ui/main/window.py).
"""

from __future__ import annotations

from PySide6.QtCore import Qt

# Health comes last so a header layout saved before it existed still fits.
COL_NAME, COL_ORG, COL_EMAIL, COL_PHONE, COL_TAGS, COL_STATUS, COL_HEALTH = range(7)

SORT_ROLE = Qt.ItemDataRole.UserRole + 1
ID_ROLE = Qt.ItemDataRole.UserRole + 2
ARCHIVED_ROLE = Qt.ItemDataRole.UserRole + 3
