"""Form helpers every window uses: error labels, invalid marking, one way of
showing a refused save beside its fields.

They lived as private helpers of the client dialog and were imported from there
by a dozen windows; a window now takes them from here, and a refusal looks and
moves the keyboard the same way everywhere.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QLabel, QLineEdit, QWidget

from ui.theme import tone


def form_style() -> str:
    """One look for refused fields in every window: a red border that stands out
    (3:1) on the fields of the scheme in force, asked when the window is built.
    Error text takes theme.tone("error")."""
    return f"""
QLineEdit[invalid="true"], QPlainTextEdit[invalid="true"] {{
    border: 1px solid {tone("field_error")};
    border-radius: 3px;
    padding: 2px;
}}
QLabel[role="hint"] {{ color: palette(placeholder-text); }}
"""

# (field name, its error label or None, the field itself or None)
Place = tuple[str, QLabel | None, QWidget | None]


def set_invalid(widget: QWidget, invalid: bool) -> None:
    """Flag a field for the style sheet; Qt only re-reads properties on re-polish."""
    if bool(widget.property("invalid")) == invalid:
        return
    widget.setProperty("invalid", invalid)
    widget.style().unpolish(widget)
    widget.style().polish(widget)


def error_label(*, reserve: bool = False) -> QLabel:
    """A hidden label styled as an error (the style sheet keys on role=error).

    With ``reserve`` its line is kept even while it is hidden: a message appearing
    used to push the fields below it down, so a click meant for a field landed on
    a label. (Every form should reserve; a form that cannot yet scroll, and would
    grow past a small screen, may leave it off until it does.)"""
    label = QLabel()
    palette = label.palette()
    palette.setColor(QPalette.ColorRole.WindowText, QColor(tone("error")))
    label.setPalette(palette)
    label.setProperty("role", "error")
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.PlainText)
    if reserve:
        label.setMinimumHeight(label.fontMetrics().lineSpacing())
        policy = label.sizePolicy()
        policy.setRetainSizeWhenHidden(True)
        label.setSizePolicy(policy)
    label.hide()
    return label


def form_label(text: str, buddy: QWidget | None = None) -> QLabel:
    """A form label whose Alt+letter reaches the field itself, not its wrapper.

    The small right margin keeps glyphs that overhang their advance (the "s" of
    "Tags" in DejaVu Sans) from being clipped against the field.
    """
    label = QLabel(text)
    if buddy is not None:
        label.setBuddy(buddy)
    label.setContentsMargins(0, 0, 2, 0)
    return label


def show_error(label: QLabel, message: str | None) -> None:
    """Say ``message`` in ``label``, or hide it when there is nothing to say."""
    label.setText(message or "")
    label.setVisible(bool(message))


def show_errors(
    errors: dict[str, str],
    places: Iterable[Place],
    general: QLabel | None,
    *,
    focus: bool = False,
    reveal: Callable[[QWidget], None] | None = None,
    select_all: bool = False,
) -> QWidget | None:
    """Each message beside its field (the field marked invalid), the rest in
    ``general``; with ``focus``, the keyboard goes to the first field in error
    (``reveal`` scrolls it into view, ``select_all`` selects a line's text to be
    typed over). Returns that field. Nothing typed is touched."""
    places = list(places)
    for key, label, widget in places:
        if label is not None:
            show_error(label, errors.get(key))
        if widget is not None:
            set_invalid(widget, key in errors)
    known = {key for key, label, _widget in places if label is not None}
    if general is not None:
        show_error(general, " ".join(m for k, m in errors.items() if k not in known) or None)
    first = next((w for key, _l, w in places if key in errors and w is not None), None)
    if focus and first is not None:
        first.setFocus(Qt.FocusReason.OtherFocusReason)
        if select_all and isinstance(first, QLineEdit):
            first.selectAll()
        if reveal is not None:
            reveal(first)
    return first
