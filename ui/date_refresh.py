"""The book's date style, in force from the first paint when it was compiled before.

A book whose style has no compiled table yet (the first start on this machine, a
new Babel) opens with dates in en_GB's style; once the warm-up is over, Babel
compiles the right table on a worker thread and every view writes its dates again
(``Changes.dates``). Babel never loads before the first paint (tests/test_startup.py).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from ui.kit.jobs import BackgroundJob

if TYPE_CHECKING:
    from ui.app import RapportApp

log = logging.getLogger(__name__)


def refresh_date_style(rapport: RapportApp) -> None:
    """Compile a style that was missing at start-up, off the GUI thread."""
    setting = rapport.date_style_wanted
    if setting is None or rapport.date_style_job is not None:
        return
    from models.dates import prepare_style

    job = BackgroundJob(lambda: prepare_style(setting), what="Compiling the date style")

    def done(_table: object) -> None:
        rapport.date_style_job = None
        if rapport.date_style_wanted == setting:
            rapport.date_style_wanted = None
            rapport.date_style_ready()
        else:  # another book opened meanwhile, with another style
            refresh_date_style(rapport)

    def failed(_message: str) -> None:
        rapport.date_style_job = None

    job.signals.done.connect(done)
    job.signals.failed.connect(failed)
    rapport.date_style_job = job
    job.start()
