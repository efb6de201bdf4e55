"""Settings › Your details: the consultant's own name, business and contact
details, the logo and the page size printed on every agreement.

A page of the Settings window (ui/settings/window.py); it was a dialog of its own.

Kept in the book, not in the app's settings file, because they belong to the
documents: a demo book or a second business prints its own details.
"""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QLocale, Qt
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from exports.documents import PageSize
from models.changes import AGREEMENTS
from models.images import size_problem
from models.limits import IMAGE_MAX_SIDE
from models.services.consultant import (
    LOGO_MAX_BYTES,
    ConsultantSettings,
    get_settings,
    set_settings,
    stored_page_size,
    validate_settings,
)
from ui.app import RapportApp
from ui.kit.forms import error_label, form_label, set_invalid, show_error
from ui.ops import run_op
from ui.settings.page import SettingsPage

log = logging.getLogger(__name__)

LETTER_TERRITORIES = {QLocale.Country.UnitedStates, QLocale.Country.Canada}
LOGO_SIDE = 64


def locale_page_size(locale: QLocale | None = None) -> PageSize:
    """Letter where paper is Letter (the US and Canada); A4 everywhere else."""
    territory = (locale or QLocale()).territory()
    return PageSize.LETTER if territory in LETTER_TERRITORIES else PageSize.A4


class YourDetailsPage(SettingsPage):
    """Edit the consultant's details; ``saved`` fires once they are in the book."""

    key = "details"
    title = "Your details"
    icon_name = "user"
    saved_message = "Your details are saved."

    def __init__(self, rapport: RapportApp, parent: QWidget | None = None) -> None:
        super().__init__(rapport, parent)
        book = rapport.book
        assert book is not None
        current = get_settings(book)
        if stored_page_size(book) is None:
            # First time: take the page size from the locale and keep it, so the
            # PDF the CLI makes matches the one the app makes.
            current = ConsultantSettings(
                name=current.name,
                business=current.business,
                address=current.address,
                email=current.email,
                phone=current.phone,
                logo_png=current.logo_png,
                page_size=locale_page_size(),
            )
            try:
                set_settings(book, current)
            except Exception:  # a stored value that no longer passes; the user fixes it
                log.warning("Could not store the default page size", exc_info=True)
        self.logo_png: bytes | None = current.logo_png

        self.fields: dict[str, QLineEdit] = {}
        self.errors: dict[str, QLabel] = {}
        self.add_note("Printed on every agreement you make from now on.")
        form = self.add_form()
        self.form = form
        for key, label, hint in (
            ("name", "&Name", "Your name as it is signed"),
            ("business", "&Business", "Your business or trading name"),
        ):
            edit = QLineEdit(getattr(current, key))
            edit.setPlaceholderText(hint)
            self.fields[key] = edit
            form.addRow(form_label(label, edit), self._with_error(key, edit))
        self.address_edit = QPlainTextEdit(current.address)
        self.address_edit.setPlaceholderText("Street, town, postcode")
        self.address_edit.setTabChangesFocus(True)
        self.address_edit.setFixedHeight(72)
        form.addRow(
            form_label("&Address", self.address_edit),
            self._with_error("address", self.address_edit),
        )
        for key, label, hint in (
            ("email", "&Email", "name@example.com"),
            ("phone", "&Phone", "+44 20 7946 0000"),
        ):
            edit = QLineEdit(getattr(current, key))
            edit.setPlaceholderText(hint)
            self.fields[key] = edit
            form.addRow(form_label(label, edit), self._with_error(key, edit))

        self.logo_preview = QLabel()
        self.logo_preview.setFixedSize(LOGO_SIDE, LOGO_SIDE)
        self.logo_preview.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.logo_preview.setStyleSheet("border: 1px solid palette(mid);")
        self.logo_button = QPushButton("Choose…")
        self.logo_button.setToolTip(
            f"A PNG image under {LOGO_MAX_BYTES // 1024} KB and "
            f"{IMAGE_MAX_SIDE:,} pixels on its longest side"
        )
        self.logo_button.clicked.connect(self.choose_logo)
        self.remove_logo_button = QPushButton("Remove")
        self.remove_logo_button.clicked.connect(lambda: self.set_logo(None))
        logo_row = QHBoxLayout()
        logo_row.setContentsMargins(0, 0, 0, 0)
        logo_row.addWidget(self.logo_preview)
        logo_row.addWidget(self.logo_button)
        logo_row.addWidget(self.remove_logo_button)
        logo_row.addStretch(1)
        logo_box = QWidget()
        logo_box.setLayout(logo_row)
        form.addRow(form_label("&Logo", self.logo_button), self._with_error("logo_png", logo_box))

        self.page_combo = QComboBox()
        for size in PageSize:
            self.page_combo.addItem(size.value, size.value)
        self.page_combo.setCurrentIndex(max(0, self.page_combo.findData(current.page_size.value)))
        form.addRow(form_label("Page si&ze", self.page_combo), self.page_combo)
        self.set_logo(self.logo_png)
        self.finish()

    def _with_error(self, key: str, field: QWidget) -> QWidget:
        box = QWidget()
        v = QVBoxLayout(box)
        v.setContentsMargins(0, 0, 0, 0)
        v.setSpacing(2)
        v.addWidget(field)
        error = error_label()
        v.addWidget(error)
        self.errors[key] = error
        return box

    def set_logo(self, data: bytes | None) -> None:
        self.logo_png = data or None
        pixmap = QPixmap()
        # A stored logo too large to decode (an old book) is named, never decoded.
        problem = size_problem(data, "The stored logo") if data else None
        oversized = problem is not None
        show_error(
            self.errors["logo_png"], f"{problem} Until then it is left out." if problem else None
        )
        if data and not oversized and pixmap.loadFromData(data):
            self.logo_preview.setPixmap(
                pixmap.scaled(
                    LOGO_SIDE - 4,
                    LOGO_SIDE - 4,
                    Qt.AspectRatioMode.KeepAspectRatio,
                    Qt.TransformationMode.SmoothTransformation,
                )
            )
        else:
            self.logo_preview.clear()
            self.logo_preview.setText("Too large" if oversized else "No logo")
        self.remove_logo_button.setEnabled(self.logo_png is not None)

    def choose_logo(self) -> None:
        name, _ = QFileDialog.getOpenFileName(self, "Choose a logo", "", "PNG images (*.png)")
        if name:
            self.load_logo(Path(name))

    def load_logo(self, path: Path) -> bool:
        try:
            data = path.read_bytes()
        except OSError as exc:
            show_error(self.errors["logo_png"], f"The file could not be read ({exc.strerror}).")
            return False
        problems = validate_settings(ConsultantSettings(logo_png=data))
        show_error(self.errors["logo_png"], problems.get("logo_png"))
        if "logo_png" in problems:
            return False
        self.set_logo(data)
        return True

    def values(self) -> ConsultantSettings:
        return ConsultantSettings(
            name=self.fields["name"].text(),
            business=self.fields["business"].text(),
            address=self.address_edit.toPlainText(),
            email=self.fields["email"].text().strip(),
            phone=self.fields["phone"].text().strip(),
            logo_png=self.logo_png,
            page_size=PageSize(str(self.page_combo.currentData())),
        )

    def _refuse(self, errors: dict[str, str]) -> None:
        for key, label in self.errors.items():
            show_error(label, errors.get(key))
            if key in self.fields:
                set_invalid(self.fields[key], key in errors)
        set_invalid(self.address_edit, "address" in errors)
        others = " ".join(m for k, m in errors.items() if k not in self.errors)
        show_error(self.general_error, others)
        for key in ("name", "business", "email", "phone"):
            if key in errors:
                self.fields[key].setFocus(Qt.FocusReason.OtherFocusReason)
                break

    def save(self) -> bool:
        book = self.rapport.book
        if book is None:
            return False
        data = self.values()
        problems = validate_settings(data)
        if problems:
            self._refuse(problems)
            return False

        def then() -> None:
            self.initial = self.values()
            self.saved.emit()

        return run_op(
            self.rapport,
            lambda: set_settings(book, data),
            changes=AGREEMENTS,
            initiator=self,
            refuse=self._refuse,
            explain=lambda message: show_error(self.general_error, message),
            failed="Your details could not be saved; nothing was changed. Please try again.",
            logger=log,
            log_message="Saving the consultant's details failed",
            then=then,
        )
