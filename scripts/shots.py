"""Regenerate docs/screenshots/: Rapport on the demo book as a laptop shows it.

    ./dev shot                  every variant (it installs Xvfb and openbox if missing)
    python scripts/shots.py OUT [VARIANT...]      VARIANT: light dark light-1.5x dark-1.5x

Each variant runs in its own process on its own X server (xvfb-run) with a window
manager (openbox, when installed), the way a desktop places and frames windows:
1366×768 at normal size, and a 1920×1080 screen at QT_SCALE_FACTOR=1.5 (the usual
150 % laptop), each in the light and the dark scheme. Dark is the app's own
following of the system scheme (ui/theme.py), told "dark" through its supported
switch RAPPORT_COLOR_SCHEME, as a desktop that reports a dark scheme would.

Every picture is the whole screen, grabbed by Qt (no screenshot tool needed), so a
window that does not fit shows as one. A throw-away data folder keeps the user's own
book and settings untouched. PNGs are reduced to a 256-colour palette (Pillow) to
keep the repository small.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

# name: (screen, scale, scheme)
VARIANTS: dict[str, tuple[str, str, str]] = {
    "light": ("1366x768", "1", "light"),
    "dark": ("1366x768", "1", "dark"),
    "light-1.5x": ("1920x1080", "1.5", "light"),
    "dark-1.5x": ("1920x1080", "1.5", "dark"),
}
# Every Settings page is shot at normal size; at 1.5× the first page shows the fit.
SETTINGS_PAGES = ("details", "reminders", "promises", "backups", "insurer", "login")


def optimise(path: Path) -> None:
    """A screen of flat colours and anti-aliased text keeps its look in 256 colours,
    at a fifth of the size."""
    from PIL import Image

    with Image.open(path) as img:
        small = img.convert("RGB").quantize(256, method=Image.Quantize.MEDIANCUT, dither=0)
    small.save(path, optimize=True)


def settle(ms: int = 500) -> None:
    """Let Qt lay out, paint, and the window manager place what was shown."""
    from PySide6.QtCore import QEventLoop, QTimer

    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()


def wait_until(done: Callable[[], bool], limit_ms: int = 15000) -> None:
    waited = 0
    while not done() and waited < limit_ms:
        settle(100)
        waited += 100


class Camera:
    """Grabs the whole screen into OUT/<scene>-<variant>.png."""

    def __init__(self, out: Path, variant: str) -> None:
        self.out, self.variant, self.written = out, variant, []

    def shoot(self, scene: str) -> None:
        from PySide6.QtGui import QGuiApplication

        settle(700)
        screen = QGuiApplication.primaryScreen()
        shot = screen.grabWindow(0)
        path = self.out / f"{scene}-{self.variant}.png"
        if not shot.save(str(path)):
            raise OSError(f"could not write {path}")
        optimise(path)
        self.written.append(path)
        print(f"wrote {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")


def run_variant(out: Path, variant: str) -> int:
    """One variant, in this process (already on its X server, scale and scheme set)."""
    scratch = Path(tempfile.mkdtemp(prefix="rapport-shots-"))
    os.environ["XDG_DATA_HOME"] = str(scratch / "data")
    os.environ["XDG_CONFIG_HOME"] = str(scratch / "config")
    wm = None
    if shutil.which("openbox"):
        wm = subprocess.Popen(["openbox"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(0.8)
    else:
        print("openbox is not installed: windows are shown without frames", file=sys.stderr)
    try:
        return _scenes(out, variant, scratch)
    finally:
        if wm is not None:
            wm.terminate()
            wm.wait(timeout=10)


def _scenes(out: Path, variant: str, scratch: Path) -> int:
    from exports.pdf import bind_renderers
    from models.repair import Step
    from models.services.agreements import list_agreements
    from models.services.incidents import list_incidents
    from models.services.repair import save_step, start_or_resume
    from scripts.shot_answers import INCIDENT, answers
    from ui.app import RapportApp, ensure_application
    from ui.gui import make_gui
    from ui.repair_wizard import RepairWizard
    from ui.theme import follow_system

    bind_renderers()  # the demo book finalises an agreement as it is filled
    app = ensure_application()
    follow_system(app)  # as run_gui does: light or dark as the "desktop" says
    rapport = RapportApp(config_dir=scratch / "config")
    if not rapport.open_demo().ok or rapport.book is None:
        print("could not open the demo book", file=sys.stderr)
        return 1
    book = rapport.book
    window, tray = make_gui(rapport)
    camera = Camera(out, variant)
    wait_until(lambda: rapport.warmup is not None and rapport.warmup.finished)
    settle(800)

    # Today, as it opens: the keyboard on the first row, its actions beside it.
    camera.shoot("today")

    # The client list with the detail pane: a client with an incident and agreement.
    incidents = {row.title: row for row in list_incidents(book)}
    repairing = next(r for r in incidents.values() if r.status.value == "repairing")
    window.show_clients()
    settle()
    window.select_client(repairing.client_id)
    camera.shoot("clients")

    # An incident window with its timeline.
    incident_window = window.open_incident_window(repairing.id)
    assert incident_window is not None
    camera.shoot("incident")
    incident_window.close()

    # The repair wizard on steps 1, 6 and 10, its answers filled in.
    wrong_routes = incidents[INCIDENT]
    plan = start_or_resume(book, wrong_routes.id)
    for n, values in answers(rapport.today()).items():
        save_step(book, plan.id, Step(n), values, go_to=Step(min(n + 1, 10)), mark_done=n < 10)
    for n in range(1, 10):  # every step walked through, none skipped
        save_step(book, plan.id, Step(n), {}, mark_done=True)
    wizard = window.open_repair_wizard(wrong_routes.id)
    assert isinstance(wizard, RepairWizard)
    for step in (Step.IN_WRITING, Step.GOALS, Step.FACTS):
        while wizard.currentId() > step:
            wizard.back()
        if step is Step.GOALS:
            wizard.pages[Step.GOALS].ranked.list.setCurrentRow(1)  # type: ignore[attr-defined]
        if step is Step.IN_WRITING:  # the end of the summary: both sides' commitments
            bar = wizard.pages[Step.IN_WRITING].preview.verticalScrollBar()  # type: ignore[attr-defined]
            bar.setValue(bar.maximum())
        camera.shoot(f"wizard-step{int(step)}")
    wizard._close_now()

    # The agreement editor on the demo's draft, its preview beside it.
    draft = next(a for a in list_agreements(book) if a.status.value == "draft")
    editor = window.open_agreement_window(draft.id)
    assert editor is not None
    editor.preview()  # as the user would: the draft, then the page as it prints
    wait_until(lambda: editor.job is None and editor.pdf_document.status().name == "Ready")
    camera.shoot("agreement")
    editor.close()

    # Settings, a page each.
    pages = SETTINGS_PAGES if "1.5x" not in variant else SETTINGS_PAGES[:1]
    for key in pages:
        settings = window.open_settings(key)
        assert settings is not None
        camera.shoot(f"settings-{key}")
    if window.settings_window is not None:
        window.settings_window.reject()

    settle(300)
    tray.hide()
    window.save_settings()
    rapport.close()
    return 0


def main(out: Path, variants: list[str]) -> int:
    if not shutil.which("xvfb-run"):
        print("shots.py needs xvfb-run (Debian: apt-get install xvfb xauth)", file=sys.stderr)
        return 1
    out.mkdir(parents=True, exist_ok=True)
    failed = 0
    for variant in variants:
        screen, scale, scheme = VARIANTS[variant]
        env = dict(
            os.environ,
            QT_QPA_PLATFORM="xcb",
            QT_SCALE_FACTOR=scale,
            RAPPORT_COLOR_SCHEME=scheme,
        )
        args = ["xvfb-run", "-a", "-s", f"-screen 0 {screen}x24 -nolisten tcp"]
        args += [sys.executable, __file__, "--one", str(out), variant]
        code = subprocess.run(args, env=env, check=False).returncode
        if code:
            print(f"variant {variant} failed ({code})", file=sys.stderr)
        failed |= code
    return failed


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "--optimise":
        for name in sys.argv[2:]:
            optimise(Path(name))
        sys.exit(0)
    if len(sys.argv) > 1 and sys.argv[1] == "--one":
        sys.exit(run_variant(Path(sys.argv[2]), sys.argv[3]))
    folder = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "docs" / "screenshots"
    sys.exit(main(folder, sys.argv[2:] or list(VARIANTS)))
