"""models.files.write_atomic: the one way the app writes a file outside the database."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from models.files import write_atomic


def test_a_failed_write_leaves_the_old_file(tmp_path: Path) -> None:
    out = tmp_path / "book.json"
    out.write_text("old content", encoding="utf-8")
    with pytest.raises(TypeError):
        # A payload that cannot be written stands in for a full disk.
        write_atomic(out, "not bytes")  # type: ignore[arg-type]
    assert out.read_text(encoding="utf-8") == "old content"
    assert sorted(p.name for p in tmp_path.iterdir() if p.is_file()) == ["book.json"]


def test_the_new_file_replaces_the_old_one_whole_and_private(tmp_path: Path) -> None:
    out = tmp_path / "book.json"
    out.write_text("old content, longer than the new one", encoding="utf-8")
    os.chmod(out, 0o644)
    old_umask = os.umask(0)
    try:
        write_atomic(out, "nouveau ✓\n".encode())
    finally:
        os.umask(old_umask)
    assert out.read_bytes() == "nouveau ✓\n".encode()
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert sorted(p.name for p in tmp_path.iterdir()) == ["book.json"]  # no temp left


def test_the_mode_can_be_chosen(tmp_path: Path) -> None:
    out = tmp_path / "entry.desktop"
    write_atomic(out, b"[Desktop Entry]\n", mode=0o644)
    assert out.read_bytes() == b"[Desktop Entry]\n"
    assert stat.S_IMODE(out.stat().st_mode) == 0o644
    assert sorted(p.name for p in tmp_path.iterdir()) == ["entry.desktop"]
