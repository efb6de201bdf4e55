"""The app's date formatter (models/date_style.py, no Babel) against models/dates.py
(Babel, what the PDFs print): the same text for the same setting, in every locale
the app is tried in, and a compiled table kept and found again without Babel."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

import pytest

from models import date_style, dates
from models.date_builtin import EN_GB

ROOT = Path(__file__).resolve().parents[1]
LOCALES = ("en_GB", "en_US", "de_DE", "fr_FR", "ar", "he", "en_DE", "ja_JP")
DAYS = (date(2026, 12, 7), date(2026, 1, 1), date(1900, 2, 28), date(2200, 12, 31))
MOMENTS = (
    datetime(2026, 12, 7, 0, 5, tzinfo=UTC),
    datetime(2026, 3, 7, 12, 0),
    datetime(2026, 7, 31, 23, 59, tzinfo=timezone(timedelta(hours=-5))),
    datetime(2026, 10, 18, 14, 1, tzinfo=timezone(timedelta(hours=2))),
)


@pytest.mark.parametrize("locale", LOCALES)
def test_the_app_writes_every_date_and_time_as_the_pdfs_do(locale: str) -> None:
    style = date_style.DateStyle(dates.compile_table(locale, ""))
    assert style.locale == locale
    for day in DAYS:
        assert date_style.format_date(day, style=style) == dates.format_date(day, locale=locale)
        assert date_style.format_date(day, style=style, weekday=True) == dates.format_date(
            day, locale=locale, weekday=True
        )
        assert date_style.format_date(day, style=style, keep=False) == dates.format_date(
            day, locale=locale, keep_together=False
        )
        assert date_style.format_short_date(day, style=style) == dates.format_short_date(
            day, locale=locale
        )
        for name in date_style.DATE_PATTERNS:
            assert date_style.format_named(name, day, style=style) == dates.format_pattern(
                name, day, locale=locale
            ), name
    for moment in MOMENTS:
        assert date_style.format_time(moment, style=style) == dates.format_time(
            moment, locale=locale
        )
        assert date_style.format_datetime(moment, style=style) == dates.format_datetime(
            moment, locale=locale
        )
        assert date_style.format_moment(moment, style=style) == dates.format_moment(
            moment, locale=locale
        )
        assert date_style.format_named("time", moment, style=style) == dates.format_pattern(
            "time", moment, locale=locale
        )


def test_the_locales_really_differ_and_keep_together() -> None:
    """The comparison above could pass on identical English tables: it does not."""
    day = date(2026, 12, 7)
    written = {
        loc: date_style.format_date(day, style=date_style.DateStyle(dates.compile_table(loc, "")))
        for loc in ("en_GB", "en_US", "de_DE", "fr_FR", "ar", "he")
    }
    assert written["en_GB"] == "7\u00a0December\u00a02026"
    assert written["en_US"] == "December\u00a07,\u00a02026"
    assert written["de_DE"] == "7.\u00a0Dezember\u00a02026"
    assert written["fr_FR"] == "7\u00a0décembre\u00a02026"
    assert "ديسمبر" in written["ar"] and "בדצמבר" in written["he"]
    assert len(set(written.values())) == 6
    assert all(" " not in text for text in written.values())  # no breakable space
    us = date_style.DateStyle(dates.compile_table("en_US", ""))
    assert date_style.format_time(datetime(2026, 1, 1, 14, 1), style=us) == "2:01\u202fPM"
    assert date_style.format_time(datetime(2026, 1, 1, 0, 1), style=us) == "12:01\u202fAM"


def test_the_built_in_en_gb_table_is_what_babel_compiles_today() -> None:
    fresh = dates.compile_table("en_GB", "")
    assert {k: fresh[k] for k in EN_GB} == EN_GB
    assert date_style.trivially("", "C") == "en_GB"
    assert date_style.trivially("", "en_GB") == "en_GB"
    assert date_style.trivially("", "de_DE") is None  # en_DE needs Babel to resolve
    assert date_style.trivially("de_DE", "en_GB") is None


def test_a_style_is_compiled_once_then_read_back_without_babel(tmp_path: Path) -> None:
    folder = tmp_path / "styles"
    assert dates.open_style("de_DE", folder) is False  # nothing compiled yet: en_GB meanwhile
    assert date_style.current().locale == "en_GB"
    table = dates.prepare_style("de_DE", folder)
    assert table is not None and date_style.current().locale == "de_DE"
    kept = list(folder.glob("*.json"))
    assert [p.name for p in kept] == ["de_DE.json"]
    date_style.install(date_style.builtin())
    assert dates.open_style("de_DE", folder) is True
    assert date_style.format_date(date(2026, 12, 7)) == "7.\u00a0Dezember\u00a02026"
    # A table from another Babel (its stamp differs) is compiled again, not trusted.
    stale = json.loads(kept[0].read_text(encoding="utf-8"))
    stale["stamp"] = "another babel"
    kept[0].write_text(json.dumps(stale), encoding="utf-8")
    assert dates.open_style("de_DE", folder) is False
    # A damaged file is no crash either.
    kept[0].write_text("{not json", encoding="utf-8")
    assert dates.open_style("de_DE", folder) is False
    date_style.install(date_style.builtin())


def test_a_table_is_read_in_a_fresh_process_without_importing_babel(tmp_path: Path) -> None:
    folder = tmp_path / "styles"
    dates.prepare_style("fr_FR", folder)
    date_style.install(date_style.builtin())
    code = (
        "import sys\n"
        "from pathlib import Path\n"
        "from datetime import date\n"
        "from models.dates import open_style\n"
        "from models.date_style import format_date\n"
        f"ok = open_style('fr_FR', Path({str(folder)!r}))\n"
        "print(ok, format_date(date(2026, 12, 7)), 'babel' in sys.modules)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "True 7\u00a0décembre\u00a02026 False"


def test_a_locale_whose_patterns_the_app_cannot_fill_is_refused() -> None:
    with pytest.raises(ValueError, match="not supported"):
        dates.compile_table("zh_Hant_TW", "")
