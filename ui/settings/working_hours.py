"""The working week on the Promises and working hours page: which days, which
hours, whose public holidays. Promises and default dates count only working time
(models/working_time.py); this is where the consultant says what that is. The same
page chooses how dates are written (the date style, models/dates.py): it belongs to
the book beside the working week."""

from __future__ import annotations

from PySide6.QtCore import QLocale, QTime
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
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

# Date styles offered by name; any other locale already chosen is listed too.
DATE_STYLES = (
    "en_GB", "en_US", "en_IE", "en_AU", "en_CA", "en_IN", "de_DE", "fr_FR", "es_ES",
    "it_IT", "nl_NL", "pt_BR", "pl_PL", "sv_SE", "ar", "he",
)  # fmt: skip
SAMPLE_DAY = (2026, 12, 7)


def style_label(setting: str) -> str:
    """ "de_DE · 7. Dezember 2026 · 14:30": the style by its example. Loads Babel
    (the settings window is never part of start-up)."""
    from datetime import date, datetime

    from models.dates import default_locale, format_date, format_time

    name = setting or default_locale()
    example = f"{format_date(date(*SAMPLE_DAY), locale=name)} · "
    example += format_time(datetime(*SAMPLE_DAY, 14, 30), locale=name)
    if not setting:
        return f"As this computer suggests ({name}) · {example}"
    return f"{setting} · {example}"


class WorkingHoursFields:
    """The fields, added to a form; ``values`` is what would be stored."""

    def __init__(self, form: QFormLayout, current: WorkSettings) -> None:
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
        self.date_style = QComboBox()
        self.date_style.setAccessibleName("Date style")
        # As wide as the form allows, not as its longest example: the page never
        # scrolls sideways (the open list shows the examples whole).
        self.date_style.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.date_style.setMinimumContentsLength(18)
        self.date_style.setToolTip("How dates and times are written, in the app and in documents")
        for setting in ("", *DATE_STYLES, *([current.locale] if current.locale else [])):
            if self.date_style.findData(setting) < 0:
                self.date_style.addItem(style_label(setting), setting)
        self.date_style.setCurrentIndex(max(0, self.date_style.findData(current.locale)))
        form.addRow(form_label("Date st&yle", self.date_style), self.date_style)
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
            locale=str(self.date_style.currentData() or ""),
        )

    def refuse(self, errors: dict[str, str]) -> None:
        show_error(self.error, " ".join(errors.values()) or None)
