"""The working week on the Promises and working hours page: which days, which
hours, whose public holidays. Promises and default dates count only working time
(models/working_time.py); this is where the consultant says what that is."""

from __future__ import annotations

from PySide6.QtCore import QLocale, QTime
from PySide6.QtWidgets import (
    QCheckBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QTimeEdit,
    QWidget,
)

from models.services.work_settings import WorkSettings
from models.working_time import WorkingWeek
from ui.kit.forms import error_label, form_label, show_error


class WorkingHoursFields:
    """The fields, added to a form; ``values`` is what would be stored."""

    def __init__(self, form: QFormLayout, current: WorkSettings) -> None:
        self.locale = current.locale
        self.subdivision = current.week.subdivision
        week = current.week
        locale = QLocale()
        self.day_checks: list[QCheckBox] = []
        days_box = QWidget()
        row = QHBoxLayout(days_box)
        row.setContentsMargins(0, 0, 0, 0)
        for day in range(7):  # Monday = 0, as the rule counts
            name = locale.dayName(day + 1, QLocale.FormatType.ShortFormat)
            check = QCheckBox(name)
            check.setChecked(day in week.days)
            check.setAccessibleName(locale.dayName(day + 1))
            self.day_checks.append(check)
            row.addWidget(check)
        row.addStretch(1)
        form.addRow(form_label("Working &days", self.day_checks[0]), days_box)

        self.start = QTimeEdit(QTime(week.start.hour, week.start.minute))
        self.end = QTimeEdit(QTime(week.end.hour, week.end.minute))
        hours_box = QWidget()
        hours = QHBoxLayout(hours_box)
        hours.setContentsMargins(0, 0, 0, 0)
        for edit in (self.start, self.end):
            edit.setDisplayFormat("HH:mm")
        self.start.setAccessibleName("Working day starts")
        self.end.setAccessibleName("Working day ends")
        hours.addWidget(self.start)
        hours.addWidget(QLabel("to"))
        hours.addWidget(self.end)
        hours.addStretch(1)
        form.addRow(form_label("Working &hours", self.start), hours_box)

        self.country = QLineEdit(week.country)
        self.country.setMaxLength(3)
        self.country.setPlaceholderText("None")
        self.country.setToolTip("A country code such as GB, DE or US; empty for none")
        form.addRow(form_label("Public holidays &of", self.country), self.country)
        self.error = error_label()
        form.addRow(self.error)

    def values(self) -> WorkSettings:
        start, end = self.start.time(), self.end.time()
        from datetime import time

        return WorkSettings(
            week=WorkingWeek(
                days=frozenset(d for d, c in enumerate(self.day_checks) if c.isChecked()),
                start=time(start.hour(), start.minute()),
                end=time(end.hour(), end.minute()),
                country=self.country.text().strip().upper(),
                subdivision=self.subdivision if self.country.text().strip() else "",
            ),
            locale=self.locale,
        )

    def refuse(self, errors: dict[str, str]) -> None:
        show_error(self.error, " ".join(errors.values()) or None)
