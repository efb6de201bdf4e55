"""Step 10's tick boxes: what the client sees in the agreement.

Every candidate point the plan's answers offer (models/repair_agreement.candidates) is listed
with a tick. Private preparation (our view, the apology draft, the evidence looked
at, our figures, the check-in draft) starts unticked and is marked as such; the
consultant's changes are saved as the plan's ``shown`` and ``hidden`` lists, so a
default can still change later without overriding a choice made here.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QWidget,
)

from models.repair_agreement import Candidate
from ui.app import RapportApp
from ui.theme import css
from ui.your_details import FILL_IN, missing_details, open_your_details

NOTE_BOX = "padding:6px 8px; border-radius:3px;"

KEY = Qt.ItemDataRole.UserRole
PRIVATE = Qt.ItemDataRole.UserRole + 1
PRIVATE_MARK = "Private preparation"
LINE_MAX = 110


def candidate_text(candidate: Candidate) -> str:
    """One line for the list: the label and the start of the words."""
    words = " ".join(candidate.text.split())
    line = f"{candidate.label}: {words}" if candidate.label else words
    if len(line) > LINE_MAX:
        line = line[: LINE_MAX - 1] + "\u2026"
    return f"{line}  ({PRIVATE_MARK.lower()})" if candidate.private else line


class ClientChoices(QListWidget):
    """The candidates with their ticks; ``on_change`` is told when one is toggled."""

    def __init__(self) -> None:
        super().__init__()
        self.setAccessibleName("What the client sees")
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setWordWrap(True)
        self.setUniformItemSizes(False)
        self.on_change: Callable[[], None] = lambda: None
        self.loaded = False
        self._filling = False
        self.itemChanged.connect(self._on_item)

    def set_candidates(self, offered: list[tuple[Candidate, bool]]) -> None:
        """Show ``offered`` (candidate, ticked) without telling anyone: this is what
        the book already holds."""
        row = self.currentRow()
        self._filling = True
        try:
            self.clear()
            for candidate, on in offered:
                item = QListWidgetItem(candidate_text(candidate))
                item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
                item.setCheckState(Qt.CheckState.Checked if on else Qt.CheckState.Unchecked)
                item.setData(KEY, candidate.key)
                item.setData(PRIVATE, candidate.private)
                item.setToolTip(candidate.line)
                self.addItem(item)
            if 0 <= row < self.count():
                self.setCurrentRow(row)
        finally:
            self._filling = False
        self.loaded = True

    def item_for(self, key: str) -> QListWidgetItem | None:
        for i in range(self.count()):
            if self.item(i).data(KEY) == key:
                return self.item(i)
        return None

    def choices(self) -> dict[str, list[str]]:
        """The ticks that differ from their defaults, as the plan stores them."""
        shown: list[str] = []
        hidden: list[str] = []
        for i in range(self.count()):
            item = self.item(i)
            on = item.checkState() == Qt.CheckState.Checked
            if item.data(PRIVATE) and on:
                shown.append(str(item.data(KEY)))
            elif not item.data(PRIVATE) and not on:
                hidden.append(str(item.data(KEY)))
        return {"shown": shown, "hidden": hidden}

    def _on_item(self, _item: QListWidgetItem) -> None:
        if not self._filling:
            self.on_change()


class DetailsBar(QFrame):
    """Step 10's reminder, shown while the consultant's own details are missing: the
    agreement this page writes cannot be made final without them."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        # A yellow note in light, a dark amber one in dark (ui/theme.py).
        self.setStyleSheet(f"QFrame {{ {css('paused_fg', 'paused_bg')} {NOTE_BOX} }}")
        self.label = QLabel()
        self.label.setWordWrap(True)
        self.label.setTextFormat(Qt.TextFormat.PlainText)
        self.button = QPushButton(FILL_IN)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.label, 1)
        row.addWidget(self.button)
        self.rapport: RapportApp | None = None
        self.button.clicked.connect(self.ask)
        self.hide()

    def refresh(self, rapport: RapportApp) -> None:
        self.rapport = rapport
        reason = missing_details(rapport)
        self.label.setText(reason or "")
        self.setVisible(bool(reason))

    def ask(self) -> None:
        if self.rapport is None:
            return
        rapport = self.rapport
        open_your_details(
            rapport, self.window(), self.label.text(), then=lambda: self.refresh(rapport)
        )
