"""Shared fixtures: every test gets private data/config folders and a real book file."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

# Qt widgets run without a display; tray tests start their own Xvfb.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from models.db import Book, open_book  # noqa: E402


@pytest.fixture(autouse=True)
def _private_dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Never touch the developer's real book or settings."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg-config"))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))


@pytest.fixture
def book_path(tmp_path: Path) -> Path:
    return tmp_path / "book" / "rapport.db"


@pytest.fixture
def book(book_path: Path) -> Iterator[Book]:
    b = open_book(book_path)
    yield b
    b.close()
