"""What an empty book shows instead of an empty table: a welcome and two ways forward."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from ui.icons import app_icon

WELCOME = "Your client book is empty."
WHY = (
    "Rapport keeps the people you work for, how to reach them and what you know "
    "about them in one private file on this computer."
)


class FirstRunPage(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        icon = QLabel()
        icon.setPixmap(app_icon().pixmap(96, 96))
        icon.setAlignment(Qt.AlignmentFlag.AlignCenter)

        self.title = QLabel(WELCOME)
        font = self.title.font()
        font.setPointSizeF(font.pointSizeF() * 1.6)
        font.setBold(True)
        self.title.setFont(font)
        self.title.setAlignment(Qt.AlignmentFlag.AlignCenter)

        self.why = QLabel(WHY)
        self.why.setWordWrap(True)
        self.why.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.why.setFixedWidth(460)

        self.add_button = QPushButton("Add client")
        self.add_button.setDefault(True)
        self.demo_button = QPushButton("Open demo book")
        self.demo_button.setToolTip("Look around with made-up clients; your own book stays empty.")
        for b in (self.add_button, self.demo_button):
            b.setMinimumWidth(150)
            b.setMinimumHeight(34)

        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.add_button)
        buttons.addSpacing(8)
        buttons.addWidget(self.demo_button)
        buttons.addStretch(1)

        column = QVBoxLayout()
        column.addStretch(2)
        column.addWidget(icon)
        column.addSpacing(12)
        column.addWidget(self.title)
        column.addSpacing(4)
        column.addWidget(self.why, 0, Qt.AlignmentFlag.AlignHCenter)
        column.addSpacing(20)
        column.addLayout(buttons)
        column.addStretch(3)

        outer = QHBoxLayout(self)
        outer.addStretch(1)
        outer.addLayout(column)
        outer.addStretch(1)
