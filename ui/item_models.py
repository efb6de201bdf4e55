"""What every read-only item model in Rapport answers the same way: which index
types a view may pass, how a data row behaves, and its column titles."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt

AnyIndex = QModelIndex | QPersistentModelIndex

# Rows are picked and acted on, never edited in place: edits go through dialogs.
ROW_FLAGS = (
    Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemNeverHasChildren
)


def header_text(
    headers: Sequence[str], section: int, orientation: Qt.Orientation, role: int
) -> str | None:
    """The title of a column for a view's horizontal header, else nothing."""
    if (
        orientation == Qt.Orientation.Horizontal
        and role == Qt.ItemDataRole.DisplayRole
        and 0 <= section < len(headers)
    ):
        return headers[section]
    return None
