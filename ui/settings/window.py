"""The Settings window: one place for every setting, a page each, chosen from a
list on the left.

Settings used to be a menu of switches and three small dialogs whose titles did not
fit. Each page here saves through its own service; Save stores the pages the user
changed (all or none shown as saved: a refused page is brought forward with its
reason and the window stays open).
"""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFrame,
    QHBoxLayout,
    QListWidget,
    QListWidgetItem,
    QScrollArea,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from ui.app import RapportApp
from ui.icons import icon
from ui.kit.screen import fit_on_show
from ui.settings.backups import BackupsPage
from ui.settings.details import YourDetailsPage
from ui.settings.insurer import InsurerPage
from ui.settings.login import StartAtLoginPage
from ui.settings.page import SettingsPage
from ui.settings.promises import PromisesPage
from ui.settings.reminders import RemindersPage

# The size the window asks for on a screen with room; smaller screens get less.
PREFERRED = QSize(780, 540)


class SettingsWindow(QDialog):
    """Every setting, a page each; ``saved`` carries what the status bar says."""

    saved = Signal(str)

    def __init__(
        self,
        rapport: RapportApp,
        parent: QWidget | None = None,
        *,
        pause_action: QAction | None = None,
        tray_available: bool = True,
    ) -> None:
        super().__init__(parent)
        self.rapport = rapport
        self.setWindowTitle("Settings")
        self.pages: list[SettingsPage] = [
            YourDetailsPage(rapport),
            RemindersPage(rapport, pause_action=pause_action),
            PromisesPage(rapport),
            BackupsPage(rapport),
            InsurerPage(rapport),
            StartAtLoginPage(rapport, tray_available=tray_available),
        ]
        self.nav = QListWidget()
        self.nav.setObjectName("settings_nav")
        self.nav.setIconSize(QSize(18, 18))
        self.nav.setFrameShape(QFrame.Shape.NoFrame)
        self.nav.setAccessibleName("Settings pages")
        self.stack = QStackedWidget()
        for page in self.pages:
            item = QListWidgetItem(icon(page.icon_name), page.title)
            item.setData(Qt.ItemDataRole.UserRole, page.key)
            self.nav.addItem(item)
            scroll = QScrollArea()
            scroll.setWidgetResizable(True)
            scroll.setFrameShape(QFrame.Shape.NoFrame)
            scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
            scroll.setWidget(page)
            self.stack.addWidget(scroll)
        # The list is as wide as its longest title, never eliding one.
        widest = max(self.nav.sizeHintForColumn(0), 120)
        self.nav.setFixedWidth(widest + 2 * self.nav.frameWidth() + 24)
        self.nav.currentRowChanged.connect(self.stack.setCurrentIndex)
        self.nav.setCurrentRow(0)
        # Keyboard first: Up and Down choose the page, Tab goes into it.
        self.nav.setFocus(Qt.FocusReason.OtherFocusReason)

        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        body = QHBoxLayout()
        body.setContentsMargins(0, 0, 0, 0)
        body.setSpacing(0)
        body.addWidget(self.nav)
        body.addWidget(self.stack, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addLayout(body, 1)
        layout.addWidget(self.buttons)
        # The window kit's one fitting rule: as large as asked where the screen has
        # room, never past the screen it opens on, all of its frame on that screen.
        fit_on_show(self, PREFERRED)

    def page(self, key: str) -> SettingsPage:
        return next(p for p in self.pages if p.key == key)

    def show_page(self, key: str) -> SettingsPage:
        """Bring the page forward (the menus open the window on their own page)."""
        page = self.page(key)
        self.nav.setCurrentRow(self.pages.index(page))
        return page

    def current_page(self) -> SettingsPage:
        return self.pages[self.nav.currentRow()]

    def save(self) -> bool:
        """Save every changed page; stop at the first refusal and show its page."""
        done: list[SettingsPage] = []
        for page in self.pages:
            if not page.changed():
                continue
            if not page.save():
                self.show_page(page.key)
                return False
            done.append(page)
        if len(done) == 1:
            self.saved.emit(done[0].saved_message)
        elif done:
            self.saved.emit("Your settings are saved.")
        super().accept()
        return True

    def accept(self) -> None:
        self.save()
