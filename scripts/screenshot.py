"""Regenerate docs/screenshot.png: the main window on the demo book, on a real X server.

Run through `./dev shot` (which wraps it in xvfb-run). Everything happens in a
throw-away data folder, so the user's own book and settings are never touched.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main(out: Path) -> int:
    scratch = Path(tempfile.mkdtemp(prefix="rapport-shot-"))
    os.environ["XDG_DATA_HOME"] = str(scratch / "data")
    os.environ["XDG_CONFIG_HOME"] = str(scratch / "config")
    if not os.environ.get("DISPLAY"):
        print("screenshot.py needs an X display; run it through ./dev shot", file=sys.stderr)
        return 1

    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from ui.app import RapportApp, ensure_application
    from ui.main.window import MainWindow

    app: QApplication = ensure_application()
    rapport = RapportApp(config_dir=scratch / "config")
    outcome = rapport.open_demo()
    if not outcome.ok:
        print(f"could not open the demo book: {outcome}", file=sys.stderr)
        return 1
    window = MainWindow(rapport)
    window.resize(1200, 720)
    window.move(40, 40)
    window.show()
    window.table.selectRow(2)

    def shoot() -> None:
        screen = window.screen()
        geo = window.frameGeometry()
        shot = screen.grabWindow(0, geo.x(), geo.y(), geo.width(), geo.height())
        out.parent.mkdir(parents=True, exist_ok=True)
        if not shot.save(str(out)):
            print(f"could not write {out}", file=sys.stderr)
            app.exit(1)
            return
        print(f"wrote {out} ({shot.width()}x{shot.height()})")
        window.close()
        rapport.close()
        app.exit(0)

    QTimer.singleShot(800, shoot)
    return app.exec()


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1] if len(sys.argv) > 1 else ROOT / "docs" / "screenshot.png")))
