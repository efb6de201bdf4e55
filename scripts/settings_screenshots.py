"""Regenerate docs/settings.png and docs/settings-dark.png: the Settings window on
the demo book, in the light and the dark scheme, on a real X server.

Run through `./dev shot` (which wraps it in xvfb-run). A throw-away data folder
keeps the user's own book and settings untouched. Each scheme runs in its own
process, as a desktop in that scheme would start the app.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def shoot(out: Path, page: str) -> int:
    scratch = Path(tempfile.mkdtemp(prefix="rapport-shot-"))
    os.environ["XDG_DATA_HOME"] = str(scratch / "data")
    os.environ["XDG_CONFIG_HOME"] = str(scratch / "config")
    from PySide6.QtCore import QTimer

    from exports.pdf import bind_renderers
    from ui.app import RapportApp, ensure_application
    from ui.main.window import MainWindow
    from ui.theme import follow_system

    bind_renderers()  # the demo book's agreements are printed as it is filled
    app = ensure_application()
    follow_system(app)
    rapport = RapportApp(config_dir=scratch / "config")
    if not rapport.open_demo().ok:
        print("could not open the demo book", file=sys.stderr)
        return 1
    window = MainWindow(rapport)
    window.resize(1200, 720)
    window.move(40, 40)
    window.show()
    settings = window.open_settings(page)
    assert settings is not None

    def grab() -> None:
        shot = settings.grab()
        out.parent.mkdir(parents=True, exist_ok=True)
        ok = shot.save(str(out))
        print(f"wrote {out} ({shot.width()}x{shot.height()})" if ok else f"could not write {out}")
        settings.reject()
        window.close()
        rapport.close()
        app.exit(0 if ok else 1)

    QTimer.singleShot(800, grab)
    return app.exec()


def main(folder: Path) -> int:
    if not os.environ.get("DISPLAY"):
        print("settings_screenshots.py needs an X display; run it through ./dev shot")
        return 1
    failed = 0
    for scheme, name, page in (
        ("light", "settings.png", "details"),
        ("dark", "settings-dark.png", "insurer"),
    ):
        env = dict(os.environ, RAPPORT_COLOR_SCHEME=scheme)
        args = [sys.executable, __file__, "--one", str(folder / name), page]
        failed |= subprocess.run(args, env=env, check=False).returncode
    return failed


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--one":
        sys.exit(shoot(Path(sys.argv[2]), sys.argv[3]))
    sys.exit(main(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "docs"))
