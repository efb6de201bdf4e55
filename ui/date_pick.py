"""The small date dialog behind Today's "Snooze until…".

Apart from the delegate so the first paint never imports it: PySide builds the
Python enums of a Qt class (QCalendarWidget and QDialogButtonBox have dozens) the
first time its name is imported, and Today's paint needs none of them."""

from __future__ import annotations

from datetime import date, timedelta

from PySide6.QtCore import QDate
from PySide6.QtWidgets import QCalendarWidget, QDialog, QDialogButtonBox, QVBoxLayout, QWidget


class DatePickDialog(QDialog):
    """A calendar for "Snooze until…": only days after today can be picked."""

    def __init__(self, today: date, current: date, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Snooze until")
        self.calendar = QCalendarWidget()
        tomorrow = today + timedelta(days=1)
        self.calendar.setMinimumDate(QDate(tomorrow.year, tomorrow.month, tomorrow.day))
        start = max(current, tomorrow)
        self.calendar.setSelectedDate(QDate(start.year, start.month, start.day))
        self.calendar.setGridVisible(False)
        self.calendar.activated.connect(self.accept)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Snooze")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.calendar)
        layout.addWidget(buttons)

    def chosen(self) -> date:
        d = self.calendar.selectedDate()
        return date(d.year(), d.month(), d.day())
