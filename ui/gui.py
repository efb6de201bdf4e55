"""The composition root: the app object, its windows, the tray, the warm-up and
the backups, built and wired in one place.

Windows import the app object; the app object imports no window. Only this module
knows them all, so no import cycle can run through ``ui/app.py``.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QCoreApplication, QEvent, QThreadPool

from ui.app import APP_NAME, OpenStatus, RapportApp, ensure_application
from ui.auto_backup import AutoBackup
from ui.date_refresh import refresh_date_style
from ui.main.window import MainWindow
from ui.theme import follow_system
from ui.tray import RapportTray
from ui.warmup import Warmup

__all__ = ["make_gui", "run_gui"]


def make_gui(rapport: RapportApp, *, start_hidden: bool = False) -> tuple[MainWindow, RapportTray]:
    """The window and the tray icon, wired together, as run_gui and the tray tests use them.

    The window is shown unless ``start_hidden`` asks for the tray only; without a
    system tray there would be no way back to a hidden window, so it is shown then too.
    It is built from plain reads (Today, the counts) and painted first; the client
    list, the incidents page and the code behind them load after that (ui/warmup.py).
    """
    try:
        window = MainWindow(rapport, defer_lists=True)
    except Exception:
        # Damage is told to the window built next, not to the half-built one.
        if not rapport.read_failed(rapport.book, announce=False):
            raise
        window = MainWindow(rapport, defer_lists=True)
    tray = RapportTray(rapport, window)
    window.set_tray(tray)
    rapport.due_clock.start()
    shown = not start_hidden or not tray.available
    # The window opens on Today, which already says who is due: no popup for that.
    # The badge (synced as the tray was made) needs only the counts and the first
    # rows; the whole plan (the tooltip's "and 3 more", marking it all as announced:
    # a key per due item written to the settings) and the menu wait for the paint.
    if not shown:  # the tray is all there is: its menu and notifications now
        tray.sync(notify=True, whole=True)
        tray.fill_menu()
    # Backups start once the window is up, on a worker thread.
    rapport.auto_backup = AutoBackup(rapport, rapport)
    rapport.auto_backup.finished.connect(window.on_backup_finished)
    rapport.auto_backup.failed.connect(window.on_backup_failed)
    rapport.warmup = Warmup(rapport, window)
    # Documents print through exports/pdf (ReportLab loads on first use). Bound as the
    # warm-up begins, the first turn after the paint: nothing prints before the
    # Clients or Incidents page is built, and binding imports every document's model.
    rapport.warmup.begun.connect(_bind_renderers)
    # The single-instance server (QtNetwork) is not needed to paint either.
    rapport.warmup.begun.connect(rapport.listen_now)
    rapport.warmup.done.connect(rapport.auto_backup.start)
    # A date style not compiled yet is compiled behind the first paint.
    rapport.warmup.done.connect(lambda: refresh_date_style(rapport))
    rapport.date_style_missing.connect(lambda: refresh_date_style(rapport))
    if shown:
        # The tray's menu cannot be opened before the window is painted: built then.
        rapport.warmup.begun.connect(lambda: (tray.sync(quietly=True), tray.fill_menu()))
    if shown:
        rapport.warmup.start_after_paint()
        window.show()
    else:
        rapport.warmup.start_soon()
    if rapport.pending_damage is not None:
        from ui.backup_dialog import offer_backup

        window.damage_dialog = offer_backup(rapport, rapport.pending_damage, window)
        rapport.pending_damage = None
    if rapport.network_warning:
        from ui.backup_dialog import network_warning_once

        window.network_dialog = network_warning_once(rapport, window)
    return window, tray


def _bind_renderers() -> None:
    from exports.pdf import bind_renderers

    bind_renderers()


def run_gui(book_path: Path, *, start_hidden: bool = False, config_dir: Path | None = None) -> int:
    """Open ``book_path`` in a window and run until the user quits; returns an exit code.

    A second start on the same book brings the first window forward and returns 0.
    """
    qapp = ensure_application()
    follow_system(qapp)  # light or dark as the desktop says, readable in both
    rapport = RapportApp(config_dir=config_dir)
    rapport.listen_later = True
    outcome = rapport.open(book_path)
    if outcome.status is OpenStatus.HANDED_OVER:
        rapport.close()
        return 0
    if outcome.status is OpenStatus.FAILED and outcome.damage is not None:
        from ui.backup_dialog import offer_backup

        dialog = offer_backup(rapport, outcome.damage, None)
        dialog.exec()
        if rapport.book is None:  # the user chose to quit, or the restore failed
            rapport.close()
            return 1
    elif outcome.status is OpenStatus.FAILED:
        from PySide6.QtWidgets import QMessageBox  # only when the book cannot be opened

        rapport.close()
        QMessageBox.critical(None, APP_NAME, outcome.message)
        return 1

    window, tray = make_gui(rapport, start_hidden=start_hidden)
    rapport.quit_requested.connect(qapp.quit)
    # With a tray, closing the window only hides it, and a dialog opened from the
    # tray may be the last window for a while: only Quit ends the program.
    qapp.setQuitOnLastWindowClosed(not tray.available)
    try:
        return qapp.exec()
    finally:
        window.save_settings()
        tray.hide()
        rapport.close()
        end_cleanly(window)


def end_cleanly(window: MainWindow) -> None:
    """Leave nothing for the interpreter's exit to tear down in its own order.

    Once ``exec`` has returned no event loop runs, so ``deleteLater`` would never
    happen: the window, its dialogs and the tray would be destroyed while Python
    shuts down, some after the QApplication, and a worker still importing (the
    date style's Babel compile) would be cut short mid-import. Both crashed the
    process at exit now and then (a segfault after the last line was printed).
    Here the pool's workers finish first, then the window and everything it owns
    go, while the QApplication is still whole.
    """
    QThreadPool.globalInstance().waitForDone()
    window.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
