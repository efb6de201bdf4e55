"""Shared fixtures: every test gets private data/config folders and a real book file."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

# Qt widgets run without a display; tray tests start their own Xvfb.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from exports.pdf import bind_renderers  # noqa: E402
from models.db import Book, open_book  # noqa: E402

# What main.py and the GUI do at start-up: the core prints through exports/pdf.
bind_renderers()

if TYPE_CHECKING:
    from ui.app import RapportApp
    from ui.main.window import MainWindow


@pytest.fixture(autouse=True)
def _private_dirs(
    tmp_path: Path, tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Never touch the developer's real book, settings or log.

    The state folder (where the log goes) sits outside ``tmp_path``, so a test that
    checks a command left its own folder untouched is not misled by the log.
    """
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg-config"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg-cache"))
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path_factory.mktemp("xdg-state")))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))


@pytest.fixture(autouse=True)
def _default_date_style() -> Iterator[None]:
    """Each test starts and ends in the default date style: a test that chose
    de_DE must not leave it to the next (the style is module state, as in the app)."""
    from models import date_style
    from models.dates import use_locale

    yield
    use_locale("")
    date_style.reset()


@pytest.fixture
def shots_dir(tmp_path: Path) -> Path:
    """Where screenshot tests save their pictures: the test's own folder, or
    RAPPORT_SHOTS_DIR when a person wants to look at them afterwards."""
    folder = Path(os.environ.get("RAPPORT_SHOTS_DIR") or tmp_path / "shots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture
def book_path(tmp_path: Path) -> Path:
    return tmp_path / "book" / "rapport.db"


@pytest.fixture
def book(book_path: Path) -> Iterator[Book]:
    b = open_book(book_path)
    yield b
    b.close()


@pytest.fixture
def books(tmp_path: Path) -> Iterator[tuple[Book, Book]]:
    """Two empty books side by side: one to export from, one to import into."""
    source, target = open_book(tmp_path / "a" / "a.db"), open_book(tmp_path / "b" / "b.db")
    try:
        yield source, target
    finally:
        source.close()
        target.close()


# -- the app and its window (Qt is imported only by the tests that ask for these) ----------


@pytest.fixture
def app_clock() -> Callable[[], datetime] | None:
    """The clock ``rapport`` runs on: the real one. A module that needs a fixed day
    overrides this fixture with ``tests.helpers.fixed_clock``."""
    return None


@pytest.fixture
def rapport(
    qapp: object, book_path: Path, tmp_path: Path, app_clock: Callable[[], datetime] | None
) -> Iterator[RapportApp]:
    """A RapportApp on a fresh book with private settings, closed after the test."""
    from ui.app import RapportApp

    app = RapportApp(config_dir=tmp_path / "config")
    if app_clock is not None:
        app.clock = app_clock
    assert app.open(book_path).ok
    yield app
    app.close()


@pytest.fixture
def window(qtbot: object, rapport: RapportApp) -> Iterator[MainWindow]:
    """The main window on ``rapport``, shown and active; closed after the test."""
    from tests.helpers import open_window

    w = open_window(qtbot, rapport)
    yield w
    w.close()
