"""Settings › Backups: how many daily, weekly and monthly copies to keep, where
they are, and a backup taken now, on request, with what came of it."""

from __future__ import annotations

import logging

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QSpinBox, QWidget

from models.backups import (
    KEEP_LIMITS,
    KIND_MANUAL,
    BackupInfo,
    KeepPolicy,
    clients_phrase,
    describe_time,
    list_backups,
    size_text,
    take_backup,
)
from models.changes import Changes
from models.services.backups import get_keep_policy, set_keep_policy
from ui.app import RapportApp
from ui.kit.forms import show_error
from ui.kit.jobs import BackgroundJob
from ui.ops import run_op
from ui.settings.page import SettingsPage

log = logging.getLogger(__name__)


def backup_sentence(info: BackupInfo) -> str:
    """One backup in words: when, how many clients, how big, whether it was checked."""
    checked = "checked and complete" if info.verified else "not checked"
    return (
        f"{describe_time(info.taken_at)}{clients_phrase(info.clients)}, "
        f"{size_text(info.size)}, {checked}"
    )


class BackupsPage(SettingsPage):
    """Keep policy (in the book, through the backups service) and "Back up now"."""

    key = "backups"
    title = "Backups"
    icon_name = "hard-drive"
    saved_message = "Backup settings saved."

    def __init__(self, rapport: RapportApp, parent: QWidget | None = None) -> None:
        super().__init__(rapport, parent)
        book = rapport.book
        assert book is not None
        current = get_keep_policy(book)
        self.job: BackgroundJob | None = None
        self.last_backup: BackupInfo | None = None
        self.add_note(
            "Rapport backs your book up when you start it and every half hour while you "
            "work. Older copies are thinned out: it keeps the newest copy of each day, "
            "week and month, as many as you choose here."
        )
        form = self.add_form()
        self.form = form
        self.spins: dict[str, QSpinBox] = {}
        for name, label in (("daily", "&Days"), ("weekly", "&Weeks"), ("monthly", "&Months")):
            spin = QSpinBox()
            low, high = KEEP_LIMITS[name]
            spin.setRange(low, high)
            spin.setValue(getattr(current, name))
            spin.setAccessibleName(f"Keep {name} backups")
            self.spins[name] = spin
            text = QLabel(label)
            text.setBuddy(spin)
            form.addRow(text, spin)
        folder = QLabel(f"Backups are kept in {book.backups_dir}.")
        folder.setWordWrap(True)
        folder.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        folder.setProperty("role", "hint")
        self.layout_.addWidget(folder)

        self.back_up_button = QPushButton("&Back up now")
        self.back_up_button.setToolTip("Take a checked copy of your book straight away")
        self.back_up_button.clicked.connect(self.back_up_now)
        self.result = QLabel()
        self.result.setWordWrap(True)
        self.result.setTextFormat(Qt.TextFormat.PlainText)
        row = QHBoxLayout()
        row.addWidget(self.back_up_button)
        row.addWidget(self.result, 1)
        self.layout_.addLayout(row)
        newest = list_backups(book.path)
        self.result.setText(
            f"Newest backup: {backup_sentence(newest[0])}." if newest else "No backup yet."
        )
        self.finish()

    def values(self) -> dict[str, int]:
        return {name: spin.value() for name, spin in self.spins.items()}

    def back_up_now(self) -> bool:
        """Copy the book on the thread pool; the page says how it went."""
        book = self.rapport.book
        if book is None or not self.back_up_button.isEnabled():
            return False
        path = book.path
        self.back_up_button.setEnabled(False)
        self.result.setText("Backing up…")
        self.job = BackgroundJob(
            lambda: take_backup(path, kind=KIND_MANUAL), what="Backing up by hand"
        )
        self.job.signals.done.connect(self._backed_up)
        self.job.signals.failed.connect(self._backup_failed)
        self.job.start()
        return True

    def _backed_up(self, info: object) -> None:
        assert isinstance(info, BackupInfo)
        self.last_backup = info
        self.back_up_button.setEnabled(True)
        show_error(self.general_error, None)
        self.result.setText(f"Backed up: {backup_sentence(info)}.")

    def _backup_failed(self, message: str) -> None:
        self.back_up_button.setEnabled(True)
        self.result.setText("")
        show_error(self.general_error, f"The backup failed, so nothing was copied: {message}")

    def save(self) -> bool:
        book = self.rapport.book
        if book is None:
            return False
        policy = KeepPolicy(**self.values())

        def then() -> None:
            self.initial = self.values()
            self.saved.emit()

        # How many copies to keep changes no record: nothing to reload (Changes.NONE).
        return run_op(
            self.rapport,
            lambda: set_keep_policy(book, policy),
            changes=Changes.NONE,
            initiator=self,
            explain=lambda message: show_error(self.general_error, message),
            failed="The backup settings could not be saved; nothing was changed.",
            logger=log,
            log_message="Saving the backup settings failed",
            then=then,
        )
