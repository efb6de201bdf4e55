"""The JSON format against its floor: export and import of a whole book.

    python bench/json_book_bench.py BOOK.db [--repeat N] [--json]
    python bench/json_book_bench.py BOOK.db --clients 5000 [--parsed] [--repeat N] [--json]

Floors (the least work that could move the same data):
- **export**: every row of the book's tables read with raw ``sqlite3`` and written
  with ``json.dumps`` (blobs as base64), against ``dumps(export_book(book))``;
- **import**: the same rows written with ``executemany`` into an empty book (same
  schema, same indexes, one transaction), against ``import_book`` of the parsed
  export into an empty book.

Each run imports into a fresh copy of one empty book made beforehand, so neither
side pays for creating the schema. With ``--clients N`` only the import is
measured, of the export's first N clients (issue 18 asks for 5 000), against the
same floor for the rows that import wrote; wall and CPU time both. That import
reads the file from disk through ``import_json``, as the app and the CLI do (the
reading is part of the import: since issue 18 the file is streamed, never parsed
whole), while the floor is given its rows ready in memory; with ``--parsed``, the
figure before issue 18's streaming: ``import_book`` of the document parsed
beforehand, the parsing untimed. (The whole
book is exported first, in this process, so its peak memory says little about the
import's.) App and floor alternate; the median is kept.
Imported with the format package's public names only, so the same file measures
the code before and after a change to it.
"""

from __future__ import annotations

import argparse
import base64
import json
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def _tables(conn: sqlite3.Connection) -> list[str]:
    return [
        r[0]
        for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
            "AND name != 'alembic_version' ORDER BY name"
        )
    ]


def _rows(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    conn = sqlite3.connect(path)
    try:
        return {t: conn.execute(f'SELECT * FROM "{t}"').fetchall() for t in _tables(conn)}
    finally:
        conn.close()


def _blob(value: object) -> str:
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")
    raise TypeError(type(value).__name__)


def floor_export(path: Path) -> str:
    return json.dumps(_rows(path), ensure_ascii=False, indent=2, default=_blob)


def floor_import(rows: dict[str, list[tuple[Any, ...]]], target: Path) -> None:
    conn = sqlite3.connect(target, isolation_level=None)
    try:
        conn.execute("PRAGMA foreign_keys = OFF")  # the rows arrive table by table
        conn.execute("BEGIN")
        for table, values in rows.items():
            if values:
                marks = ", ".join("?" * len(values[0]))
                conn.executemany(f'INSERT INTO "{table}" VALUES ({marks})', values)
        conn.execute("COMMIT")
    finally:
        conn.close()


def _median_ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1000


def measure(book_path: Path, repeat: int = 1) -> dict[str, float]:
    """Export and import figures of the book at ``book_path`` against their floors."""
    from exports.book_json import dumps, export_book, import_book
    from models.db import open_book

    with tempfile.TemporaryDirectory(prefix="rapport-json-bench-") as tmp:
        folder = Path(tmp)
        empty = folder / "empty.db"
        open_book(empty).close()
        book = open_book(book_path, upgrade=False)
        try:
            text = dumps(export_book(book))  # warm-up, and what the import reads
        finally:
            book.close()
        rows = _rows(book_path)
        floor_export(book_path)

        def timed(work: Callable[[], object]) -> float:
            t0 = time.perf_counter()
            work()
            return time.perf_counter() - t0

        def app_export() -> object:
            b = open_book(book_path, upgrade=False)
            try:
                return dumps(export_book(b))
            finally:
                b.close()

        exp_app: list[float] = []
        exp_floor: list[float] = []
        imp_app: list[float] = []
        imp_floor: list[float] = []
        for n in range(repeat):
            exp_app.append(timed(app_export))
            exp_floor.append(timed(lambda: floor_export(book_path)))
            target = folder / f"app-{n}.db"
            shutil.copyfile(empty, target)
            doc = json.loads(text)
            b = open_book(target)
            try:
                imp_app.append(timed(lambda b=b, doc=doc: import_book(b, doc)))
            finally:
                b.close()
            floor_target = folder / f"floor-{n}.db"
            shutil.copyfile(empty, floor_target)
            imp_floor.append(timed(lambda t=floor_target: floor_import(rows, t)))
            target.unlink()
            floor_target.unlink()
    export_ms, export_floor_ms = _median_ms(exp_app), _median_ms(exp_floor)
    import_ms, import_floor_ms = _median_ms(imp_app), _median_ms(imp_floor)
    return {
        "json_export_ms": round(export_ms, 1),
        "json_export_floor_ms": round(export_floor_ms, 1),
        "json_export_ratio": round(export_ms / export_floor_ms, 2),
        "json_import_ms": round(import_ms, 1),
        "json_import_floor_ms": round(import_floor_ms, 1),
        "json_import_ratio": round(import_ms / import_floor_ms, 2),
        "json_bytes": len(text.encode("utf-8")),
    }


def measure_import(
    book_path: Path, clients: int, repeat: int = 3, parsed: bool = False
) -> dict[str, Any]:
    """The import figure for the export's first ``clients`` clients: best and per-run
    wall and CPU seconds of the app and of its floor, alternating."""
    from exports.book_json import dumps, export_book, import_book, import_json
    from models.db import open_book

    book = open_book(book_path, upgrade=False)
    try:
        doc = export_book(book)
    finally:
        book.close()
    doc["clients"] = doc["clients"][:clients]
    text = dumps(doc)
    del doc
    app: list[tuple[float, float]] = []
    floor: list[tuple[float, float]] = []

    def timed(work: Callable[[], object]) -> tuple[float, float]:
        w0, c0 = time.perf_counter(), time.process_time()
        work()
        return time.perf_counter() - w0, time.process_time() - c0

    with tempfile.TemporaryDirectory(prefix="rapport-json-bench-") as tmp:
        folder = Path(tmp)
        empty = folder / "empty.db"
        open_book(empty).close()
        source = folder / "export.json"
        source.write_text(text, encoding="utf-8")
        del text
        rows: dict[str, list[tuple[Any, ...]]] | None = None
        for n in range(repeat):
            target = folder / f"app-{n}.db"
            shutil.copyfile(empty, target)
            doc = json.loads(source.read_text(encoding="utf-8")) if parsed else None
            b = open_book(target)
            try:
                if doc is not None:
                    app.append(timed(lambda b=b, doc=doc: import_book(b, doc)))
                else:
                    app.append(timed(lambda b=b: import_json(b, source)))
            finally:
                b.close()
            del doc
            if rows is None:
                rows = _rows(target)  # the very rows the import wrote
            target.unlink()
            floor_target = folder / f"floor-{n}.db"
            shutil.copyfile(empty, floor_target)
            floor.append(timed(lambda t=floor_target, r=rows: floor_import(r, t)))
            floor_target.unlink()
    best = {
        "app_wall_s": min(w for w, _c in app),
        "app_cpu_s": min(c for _w, c in app),
        "floor_wall_s": min(w for w, _c in floor),
        "floor_cpu_s": min(c for _w, c in floor),
    }
    return {
        "clients": clients,
        **{key: round(value, 2) for key, value in best.items()},
        "ratio_wall": round(best["app_wall_s"] / best["floor_wall_s"], 2),
        "ratio_cpu": round(best["app_cpu_s"] / best["floor_cpu_s"], 2),
        "ratio_wall_per_run": [round(a[0] / f[0], 2) for a, f in zip(app, floor, strict=True)],
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("book", type=Path)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--json", action="store_true")
    parser.add_argument(
        "--clients", type=int, help="only the import, of the export's first N clients"
    )
    parser.add_argument(
        "--parsed",
        action="store_true",
        help="with --clients: time import_book of the parsed document (parsing untimed)",
    )
    args = parser.parse_args()
    figures: dict[str, Any] = (
        measure_import(args.book, args.clients, args.repeat, args.parsed)
        if args.clients
        else measure(args.book, args.repeat)
    )
    if args.json:
        print(json.dumps(figures, indent=2))
    else:
        for key, value in figures.items():
            print(f"{key:<22} {value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
