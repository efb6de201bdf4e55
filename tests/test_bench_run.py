"""bench/run.py runs end to end and reports every figure; how fast is its business,
not the test suite's (no timings are asserted here)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
REQUIRED = {
    "startup_ratio",
    "due_ms",
    "due_ratio",
    "search_ms",
    "search_ratio",
    "health_ratio",
    "rss_mb_over_floor",
}
PER_SIZE = REQUIRED | {
    "startup_ms",
    "startup_floor_ms",
    "startup_imports_ms",
    "startup_sketch_ms",
    "startup_sketch_ratio",
    "today_ratio",
    "search1_ms",
    "search2_ms",
    "search5_ms",
    "list_ms",
    "list_floor_ms",
    "scroll_ms",
    "health_ms",
}


def test_quick_json_run_on_a_tiny_book_reports_every_figure(tmp_path: Path) -> None:
    env = dict(
        os.environ,
        RAPPORT_BENCH_CACHE=str(tmp_path / "books"),
        QT_QPA_PLATFORM="offscreen",
    )
    args = ["--quick", "--json", "--sizes", "200", "--repeat", "1", "--startup-repeat", "1"]
    args += ["--contacts", "300"]
    result = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "run.py"), *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=280,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    out = json.loads(result.stdout)
    assert REQUIRED | {"pdf_ms", "pdf_ratio", "by_size", "machine"} <= out.keys()
    assert out["contacts_import_ratio"] > 0 and out["contacts_import_peak_mb"] > 0
    assert out["clients"] == 200
    size = out["by_size"]["200"]
    assert size.keys() >= PER_SIZE, PER_SIZE - size.keys()
    for key in REQUIRED | PER_SIZE:
        assert isinstance(size[key], int | float), key
    assert {"cpu", "cores", "python", "qt", "sqlite"} <= out["machine"].keys()
    # The book was built once into the cache, under a name that says what it holds.
    built = [p.name for p in (tmp_path / "books").glob("*.db")]
    assert len(built) == 1 and built[0].startswith("book-200-seed1-"), built
