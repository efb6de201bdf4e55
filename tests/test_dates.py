"""One date and time style (issue 17, Build 6): from the consultant's locale via Babel,
the same in the app's words and the PDFs, and never wrapped in a table."""

from __future__ import annotations

import io
import re
from datetime import date, datetime
from pathlib import Path

import pypdf
import pytest

from exports.pdf.common import plain_date
from exports.pdf.summary import render_client_summary
from models.dates import (
    NBSP,
    current_locale,
    default_locale,
    format_date,
    format_datetime,
    format_moment,
    format_short_date,
    format_time,
    locale_problem,
    use_locale,
)
from models.db import open_book
from models.repair import draft_check_in, plain_day
from models.services.summary import client_summary
from models.services.work_settings import WorkSettings, get_work_settings, set_work_settings
from models.working_time import WorkingWeek

DAY = date(2026, 10, 18)
MOMENT = datetime(2026, 10, 18, 14, 1)


@pytest.fixture(autouse=True)
def machine_style():
    use_locale("")
    yield
    use_locale("")


def test_british_and_american_styles() -> None:
    assert format_date(DAY, locale="en_GB") == f"18{NBSP}October{NBSP}2026"
    assert format_date(DAY, locale="en_US") == f"October{NBSP}18,{NBSP}2026"
    assert format_time(MOMENT, locale="en_GB") == "14:01"
    assert format_time(MOMENT, locale="en_US") == "2:01\u202fPM"
    assert format_short_date(date(2026, 12, 2), locale="en_GB") == f"2{NBSP}Dec{NBSP}2026"
    assert format_datetime(MOMENT, locale="en_GB") == f"18{NBSP}October{NBSP}2026{NBSP}14:01"
    # In a sentence meant for an email, ordinary spaces.
    assert format_moment(MOMENT, locale="en_GB") == "Sunday, 18 October 2026 at 14:01"
    assert " " not in format_datetime(MOMENT, locale="en_US")  # nothing to break on


@pytest.mark.parametrize(
    ("system", "style"),
    [("de_DE", "en_DE"), ("en_US", "en_US"), ("", "en_GB"), ("xx_QQ", "en_GB"), ("fr_FR", "en_FR")],
)
def test_the_default_is_english_in_the_machines_country_style(system: str, style: str) -> None:
    assert default_locale(system) == style


def test_an_unknown_locale_is_refused_in_words() -> None:
    assert locale_problem("en_GB") is None
    assert "xx_QQ" in (locale_problem("xx_QQ") or "")
    use_locale("xx_QQ")  # an old or hand-edited setting falls back, it does not crash
    assert current_locale() == default_locale()


def test_the_chosen_style_reaches_the_app_words_and_the_pdf(tmp_path: Path) -> None:
    book = open_book(tmp_path / "b.db")
    try:
        set_work_settings(book, WorkSettings(week=WorkingWeek(), locale="en_US"))
        assert get_work_settings(book).locale == "en_US"
        assert current_locale() == "en_US"
        assert plain_day(DAY) == "Sunday, October 18, 2026"
        assert "October 18, 2026" in draft_check_in("Ana Silva", DAY)
        assert plain_date(DAY) == f"October{NBSP}18,{NBSP}2026"
        set_work_settings(book, WorkSettings(week=WorkingWeek(), locale="de_DE"))
        assert plain_date(DAY) == f"18.{NBSP}Oktober{NBSP}2026"
        set_work_settings(book, WorkSettings(week=WorkingWeek(), locale=""))
        assert current_locale() == default_locale()
    finally:
        book.close()


def test_dates_and_times_do_not_wrap_in_the_client_summary(tmp_path: Path) -> None:
    from exports.pdf import bind_renderers
    from tests.test_client_summary import NOW, TODAY, fill

    bind_renderers()
    use_locale("en_GB")
    book = open_book(tmp_path / "b.db")
    try:
        cid = fill(book)
        data = render_client_summary(client_summary(book, cid, TODAY, now=NOW))
    finally:
        book.close()
    text = "\n".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(data)).pages)
    # Each timeline and touch time sits on one line with its date: "20 November 2026 10:00".
    whole = re.findall(r"\d{1,2}[ \xa0]November[ \xa0]2026[ \xa0]\d\d:\d\d", text)
    assert len(whole) >= 4
    assert not re.search(r"2026[ \xa0]\d?\n", text)  # no time split off its date
    assert not re.search(r"\n\d?:?\d\d\n", text.replace(" ", ""))
    assert format_date(TODAY) in text or format_date(TODAY).replace(NBSP, " ") in text
