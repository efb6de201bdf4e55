"""Byte flips that break an SQLite file's structure, for the corruption tests.

SQLite keeps no page checksums, so a flipped byte inside a text value is invisible
to quick_check (and to any check short of comparing with a backup). These flips
hit what SQLite must parse to read the file at all: the file header, b-tree page
headers (page type, cell count), cell pointers and child page numbers. Each of
them is caught by the open check; the tests say so for every one they use.
"""

from __future__ import annotations

import random
import sqlite3
from dataclasses import dataclass
from pathlib import Path

BTREE_TYPES = {2: "interior index", 5: "interior table", 10: "leaf index", 13: "leaf table"}


@dataclass(frozen=True)
class Flip:
    what: str
    offset: int
    mask: int

    def apply(self, path: Path) -> None:
        with open(path, "r+b") as fh:
            fh.seek(self.offset)
            byte = fh.read(1)[0]
            fh.seek(self.offset)
            fh.write(bytes([byte ^ self.mask]))


def page_size(data: bytes) -> int:
    size = int.from_bytes(data[16:18], "big")
    return 65536 if size == 1 else size


def btree_pages(data: bytes) -> list[tuple[int, int, int]]:
    """(page number, offset of its b-tree header, page type) of every b-tree page."""
    size = page_size(data)
    found = []
    for number in range(1, len(data) // size + 1):
        header = (number - 1) * size + (100 if number == 1 else 0)
        if data[header] in BTREE_TYPES:
            found.append((number, header, data[header]))
    return found


def structural_flips(data: bytes, count: int, *, seed: int = 1) -> list[Flip]:
    """``count`` flips: three in the file header, the rest in b-tree pages, each kind
    of page damage in turn, on pages chosen by ``seed``."""
    flips = [
        Flip("file header: magic string", 0, 0xFF),
        Flip("file header: page size", 16, 0xFF),
        Flip("file header: payload fraction", 21, 0xFF),
    ]
    rng = random.Random(seed)
    pages = btree_pages(data)
    rng.shuffle(pages)
    kinds = ["page type", "cell count", "first cell pointer", "right child pointer"]
    for k, (number, header, kind) in enumerate(pages):
        if len(flips) >= count:
            break
        interior = kind in (2, 5)
        cells = int.from_bytes(data[header + 3 : header + 5], "big")
        what = kinds[k % len(kinds)]
        if what == "right child pointer" and not interior:
            what = "page type"
        if what == "first cell pointer" and cells == 0:
            what = "cell count"
        label = f"page {number} ({BTREE_TYPES[kind]}): {what}"
        if what == "page type":
            flips.append(Flip(label, header, 0xFF))
        elif what == "cell count":
            flips.append(Flip(label, header + 3, 0x7F))
        elif what == "first cell pointer":
            flips.append(Flip(label, header + (12 if interior else 8), 0xF0))
        else:
            flips.append(Flip(label, header + 8, 0xFF))
    assert len(flips) == count, "the book is too small for that many distinct flips"
    return flips


def index_root_flip(path: Path, table: str = "client") -> Flip:
    """The page-type byte of the root page of one of ``table``'s indexes."""
    return _root_flip(path, "index", table)


def table_root_flip(path: Path, table: str = "client") -> Flip:
    """The page-type byte of ``table``'s root page: every read of the table fails."""
    return _root_flip(path, "table", table)


def _root_flip(path: Path, kind: str, table: str) -> Flip:
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        size = conn.execute("PRAGMA page_size").fetchone()[0]
        root = conn.execute(
            "SELECT rootpage FROM sqlite_master WHERE type=? AND tbl_name=? ORDER BY name LIMIT 1",
            (kind, table),
        ).fetchone()[0]
    finally:
        conn.close()
    offset = (root - 1) * size + (100 if root == 1 else 0)
    return Flip(f"root page {root} of {table} ({kind}): page type", offset, 0xFF)


def fold_wal(path: Path) -> None:
    """Checkpoint a closed book so its main file holds everything (test set-up only)."""
    conn = sqlite3.connect(path)
    try:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        conn.close()
