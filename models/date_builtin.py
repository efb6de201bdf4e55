"""en_GB's date style, compiled (models.dates.compile_table) and kept here so the app
writes dates before any table is compiled (tests/test_date_style.py checks it still
equals a fresh compile)."""

from __future__ import annotations

from typing import Any

EN_GB: dict[str, Any] = {
    "first_week_day": 0,
    "locale": "en_GB",
    "names": {
        "EEE": ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"],
        "EEEE": ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"],
        "MMM": [
            "Jan",
            "Feb",
            "Mar",
            "Apr",
            "May",
            "Jun",
            "Jul",
            "Aug",
            "Sept",
            "Oct",
            "Nov",
            "Dec",
        ],
        "MMMM": [
            "January",
            "February",
            "March",
            "April",
            "May",
            "June",
            "July",
            "August",
            "September",
            "October",
            "November",
            "December",
        ],
        "ccc": ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"],
        "cccc": ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"],
    },
    "patterns": {
        "day_month": [["field", "d", 1], ["chars", " "], ["field", "M", 3]],
        "full": [
            ["field", "E", 4],
            ["chars", ", "],
            ["field", "d", 1],
            ["chars", " "],
            ["field", "M", 4],
            ["chars", " "],
            ["field", "y", 1],
        ],
        "long": [
            ["field", "d", 1],
            ["chars", " "],
            ["field", "M", 4],
            ["chars", " "],
            ["field", "y", 1],
        ],
        "medium": [
            ["field", "d", 1],
            ["chars", " "],
            ["field", "M", 3],
            ["chars", " "],
            ["field", "y", 1],
        ],
        "time": [["field", "H", 2], ["chars", ":"], ["field", "m", 2]],
        "weekday": [["field", "c", 4]],
        "weekday_day_month": [
            ["field", "E", 1],
            ["chars", " "],
            ["field", "d", 1],
            ["chars", " "],
            ["field", "M", 3],
        ],
        "weekday_long": [
            ["field", "E", 4],
            ["chars", " "],
            ["field", "d", 1],
            ["chars", " "],
            ["field", "M", 4],
        ],
        "weekday_medium": [
            ["field", "E", 1],
            ["chars", ", "],
            ["field", "d", 1],
            ["chars", " "],
            ["field", "M", 3],
            ["chars", " "],
            ["field", "y", 1],
        ],
        "weekday_short": [["field", "c", 3]],
    },
}
