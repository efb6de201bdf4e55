"""Date and time fields in the consultant's date style.

A QDateEdit draws its own text, so it cannot call models/date_style; it is given a
display format translated from the same CLDR pattern (the medium date, the short
time) and the style's locale, whose month and day names Qt takes from its own copy
of the same CLDR data. A field shows "7 Dec 2026" where the lists say "7 Dec 2026",
"07.12.2026" for de_DE, "Dec 7, 2026" for en_US.
"""

from __future__ import annotations

from PySide6.QtCore import QLocale
from PySide6.QtWidgets import QDateTimeEdit

from models.date_style import DateStyle, current

# CLDR field -> Qt display-format field, by letter and count (Qt has no narrow names).
_QT_FIELDS = {
    "y": lambda n: "yy" if n == 2 else "yyyy",
    "u": lambda n: "yy" if n == 2 else "yyyy",
    "M": lambda n: "M" * min(n, 4),
    "L": lambda n: "M" * min(n, 4),
    "d": lambda n: "d" * min(n, 2),
    "E": lambda n: "dddd" if n == 4 else "ddd",
    "c": lambda n: "dddd" if n == 4 else "ddd",
    "e": lambda n: "dddd" if n == 4 else "ddd",
    "H": lambda n: "H" * min(n, 2),
    "k": lambda n: "H" * min(n, 2),
    "h": lambda n: "h" * min(n, 2),
    "K": lambda n: "h" * min(n, 2),
    "m": lambda _n: "mm",
    "s": lambda _n: "ss",
    "a": lambda _n: "AP",
}


def qt_format(style: DateStyle, *names: str) -> str:
    """The named patterns joined by a space, as a Qt display format."""
    parts: list[str] = []
    for name in names:
        out: list[str] = []
        for token in style.patterns[name]:
            if token[0] == "chars":
                text = str(token[1])
                if text.strip():
                    out.append("'" + text.replace("'", "''") + "'")
                else:
                    out.append(text)
            elif token[1] in _QT_FIELDS:
                out.append(_QT_FIELDS[token[1]](int(token[2])))
        parts.append("".join(out).strip())
    return " ".join(parts)


def style_date_edit(edit: QDateTimeEdit, *, weekday: bool = False, time: bool = False) -> None:
    """Show a date (with its weekday, or a time) field in the date style in force."""
    style = current()
    names = ["weekday_medium" if weekday else "medium"] + (["time"] if time else [])
    edit.setLocale(QLocale(style.locale))
    edit.setDisplayFormat(qt_format(style, *names))
