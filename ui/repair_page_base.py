"""The page every repair step is built on: its fields, guiding words, inline
errors and skipped note, and what a page may ask of its wizard."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any, Protocol

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
    QWizardPage,
)

from models.repair import (
    FIELDS,
    Step,
)
from models.services.repair import PlanView
from ui.app import RapportApp
from ui.handoff import MailHandoff
from ui.kit.forms import Place, error_label, form_label, show_error, show_errors
from ui.repair_widgets import (
    chain_focus,
    plain_text,
)
from ui.repair_words import (
    GUIDE,
    page_title,
)
from ui.theme import tone


class PageOwner(Protocol):
    """What a page asks of the wizard that holds it (ui/repair_wizard.py): the
    plan as saved, who the consultant is, the other pages' values, and a way to
    say it changed the incident. A protocol, so pages never import the wizard."""

    rapport: RapportApp
    view: PlanView
    my_name: str
    responded_at: datetime | None

    def page_values(self, step: Step) -> dict[str, object]: ...

    def incident_op(self, write: Callable[[], object], *, touched: Callable[[], bool]) -> bool: ...


log = logging.getLogger(__name__)


MUTED = "color: palette(placeholder-text);"


def warn_style() -> str:
    """A warning band in the scheme in force (ui/theme.py)."""
    return (
        f"background:{tone('warn_bg')}; color:{tone('warn_fg')}; "
        "padding:6px 8px; border-radius:3px;"
    )


def skipped_style() -> str:
    return (
        f"background:{tone('quiet_bg')}; color:{tone('quiet_fg')}; "
        "padding:6px 8px; border-radius:3px;"
    )


class RepairPage(QWizardPage):
    """A step's fields, its guiding words, its inline errors and its skipped note."""

    unskip_requested = Signal()

    def __init__(self, owner: PageOwner, step: Step) -> None:
        super().__init__()
        self.owner = owner
        self.step = step
        # What the wizard wants told on every edit: a plain call, never a Qt signal
        # (see ui/repair_widgets.py on why nothing per keystroke may emit one).
        self.notify: Callable[[], None] = lambda: None
        self.read_only = False
        self._filling = False
        self.texts: dict[str, QPlainTextEdit | QLineEdit] = {}
        self.inputs: dict[str, QWidget] = {}
        self.errors: dict[str, QLabel] = {}
        self.controls: list[QWidget] = []  # disabled when the plan is finished
        self.order: list[QWidget] = []  # Tab order
        self.setTitle(page_title(step))
        self.setSubTitle(GUIDE[step])

        self.skipped_label = QLabel(
            "You skipped this step. What is here stays out of the agreement."
        )
        self.skipped_label.setWordWrap(True)
        self.unskip_button = QPushButton("Use this step after all")
        self.unskip_button.clicked.connect(self.unskip_requested)
        self.skipped_bar = QFrame()
        self.skipped_bar.setStyleSheet(f"QFrame {{ {skipped_style()} }}")
        bar = QHBoxLayout(self.skipped_bar)
        bar.setContentsMargins(0, 0, 0, 0)
        bar.addWidget(self.skipped_label, 1)
        bar.addWidget(self.unskip_button)
        self.skipped_bar.hide()
        self.general_error = error_label(reserve=True)

        content = QWidget()
        self.body = QVBoxLayout(content)
        self.body.setContentsMargins(0, 0, 6, 0)
        self.body.setSpacing(8)
        scroll = QScrollArea()
        scroll.setWidget(content)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.scroll = scroll
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(6)
        outer.addWidget(self.skipped_bar)
        outer.addWidget(self.general_error)
        outer.addWidget(scroll, 1)
        self.build()
        chain_focus(self.order)

    # -- building blocks --------------------------------------------------------------

    def build(self) -> None:
        raise NotImplementedError

    def field(
        self, name: str, label: str, widget: QWidget, buddy: QWidget | None = None
    ) -> QWidget:
        """``widget`` under its label with its error line, registered under ``name``."""
        box = QWidget()
        v = QVBoxLayout(box)
        v.setContentsMargins(0, 0, 0, 0)
        v.setSpacing(3)
        v.addWidget(form_label(label, buddy or widget))
        v.addWidget(widget, 1)
        error = error_label(reserve=True)
        v.addWidget(error)
        self.inputs[name] = widget
        self.errors[name] = error
        if isinstance(widget, QPlainTextEdit | QLineEdit):
            self.texts[name] = widget
            widget.textChanged.connect(self._changed)
        if buddy is None:
            self.order.append(widget)
        return box

    def text_field(
        self, name: str, label: str, placeholder: str, height: int = 64, most: int = 0
    ) -> QWidget:
        """A text box at least ``height`` tall; at most ``most`` (when given), so the
        page's spare room goes to the box that needs it."""
        edit = plain_text(placeholder, height)
        if most:
            edit.setMaximumHeight(most)
        return self.field(name, label, edit)

    def line_field(self, name: str, label: str, placeholder: str = "") -> QWidget:
        edit = QLineEdit()
        edit.setPlaceholderText(placeholder)
        return self.field(name, label, edit)

    def row(self, *widgets: QWidget) -> QHBoxLayout:
        h = QHBoxLayout()
        h.setContentsMargins(0, 0, 0, 0)
        h.setSpacing(12)
        for w in widgets:
            h.addWidget(w, 1)
        return h

    def hint(self, text: str) -> QLabel:
        label = QLabel(text)
        label.setWordWrap(True)
        label.setStyleSheet(MUTED)
        return label

    def mail_handoff(self, subject: str, field: str) -> MailHandoff:
        """ "Open in mail app" for the draft in ``field``, then "Log as sent"."""
        return MailHandoff(
            self.owner.rapport,
            lambda: self.owner.view.client_id,
            lambda: subject,
            lambda: self._field_text(field),
            self,
        )

    def _field_text(self, field: str) -> str:
        w = self.texts.get(field)
        return w.toPlainText() if isinstance(w, QPlainTextEdit) else ""

    def control(self, widget: QWidget) -> QWidget:
        self.controls.append(widget)
        return widget

    def _changed(self, *_args: object) -> None:
        if not self._filling and not self.read_only:
            self.notify()

    # -- what the wizard asks of a page --------------------------------------------------

    def values(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for name, w in self.texts.items():
            out[name] = w.toPlainText() if isinstance(w, QPlainTextEdit) else w.text()
        out.update(self.extra_values())
        assert set(out) <= set(FIELDS[self.step]), set(out) - set(FIELDS[self.step])
        return out

    def extra_values(self) -> dict[str, Any]:
        return {}

    def fill(self, answers: dict[str, Any]) -> None:
        self._filling = True
        try:
            for name, w in self.texts.items():
                value = answers.get(name, "")
                value = value if isinstance(value, str) else ""
                current = w.toPlainText() if isinstance(w, QPlainTextEdit) else w.text()
                if current != value:
                    if isinstance(w, QPlainTextEdit):
                        w.setPlainText(value)
                    else:
                        w.setText(value)
            self.fill_extra(answers)
        finally:
            self._filling = False

    def fill_extra(self, answers: dict[str, Any]) -> None:
        return None

    def after_save(self) -> None:
        """Called once what the page holds is in the book."""
        return None

    def set_read_only(self, on: bool) -> None:
        self.read_only = on
        for w in self.texts.values():
            w.setReadOnly(on)
        for w in self.controls:
            w.setEnabled(not on)
        self.unskip_button.setVisible(not on)

    def set_skipped(self, skipped: bool) -> None:
        self.skipped_bar.setVisible(skipped)

    def show_errors(self, errors: dict[str, str], *, focus: bool = False) -> None:
        """Problems next to their fields; anything else above the page. Nothing typed
        is touched."""
        # Fields in the page's input order, so the keyboard lands on the first one.
        places: list[Place] = [(k, self.errors.get(k), w) for k, w in self.inputs.items()]
        places += [(k, label, None) for k, label in self.errors.items() if k not in self.inputs]
        show_errors(
            errors, places, self.general_error, focus=focus, reveal=self.scroll.ensureWidgetVisible
        )

    def show_general(self, message: str) -> None:
        show_error(self.general_error, message)

    def focus_first(self) -> None:
        for w in self.order:
            if w.isEnabled() and w.isVisibleTo(self):
                w.setFocus(Qt.FocusReason.OtherFocusReason)
                if isinstance(w, QLineEdit):  # arriving must not put the text at risk
                    w.deselect()
                    w.end(False)
                return

    def cleanupPage(self) -> None:  # noqa: N802 - Qt API
        """Going Back keeps what the page holds (the wizard saved it)."""
        return None


def first_line(text: str, limit: int = 90) -> str:
    line = next((ln.strip() for ln in text.splitlines() if ln.strip()), "")
    return line if len(line) <= limit else line[: limit - 1] + "…"
