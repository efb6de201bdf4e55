"""Incidents, repairs and agreements opened from the main window, one window
per record (ui/kit/registry.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import (
    QWidget,
)

from models.errors import NotFoundError, ValidationError
from ui.app import RapportApp
from ui.kit.registry import INCIDENT, forget, open_windows, remember

# The services (and SQLAlchemy under them) and the dialogs are imported where they are
# first used: the window is built and painted before they are loaded (ui/warmup.py).
if TYPE_CHECKING:
    from ui.agreement_window import AgreementWindow
    from ui.incident_dialog import IncidentDialog
    from ui.incident_window import IncidentWindow
from ui.main.common import (
    PAGE_INCIDENTS,
    PAGE_TODAY,
    PICK_A_CLIENT,
)


class RecordsMixin:
    """Opens incident, repair and agreement windows for the current client.

    A part of MainWindow (ui/main/window.py): it works on the widgets and
    attributes the window's __init__ makes."""

    # The window's own (QMainWindow and the attributes __init__ sets).
    rapport: RapportApp

    def report_incident_for_current(self) -> IncidentDialog | None:
        """Report an incident for the client in front of the user: the selected
        Today row on Today, the selected client otherwise."""
        if self.rapport.book is not None and self.current_page() == PAGE_INCIDENTS:
            # No client in front of the user: the dialog asks which one.
            return self.report_incident_dialog(None)
        client_id = self._client_for_incident()
        return self.report_incident_dialog(client_id) if client_id is not None else None

    def repair_for_current(self) -> IncidentDialog | None:
        """Start a repair from a client: what went wrong is recorded first, as an
        incident, and the repair wizard opens on it."""
        client_id = self._client_for_incident()
        if client_id is None:
            return None
        return self.report_incident_dialog(client_id, then_repair=True)

    def _client_for_incident(self) -> int | None:
        if self.rapport.book is None:
            return None
        client_id = self.selected_client_id()
        if self.current_page() == PAGE_TODAY:
            item = self.today_view.selected_item()
            client_id = item.client_id if item is not None else None
        elif self.current_page() == PAGE_INCIDENTS:
            client_id = None
        if client_id is None:
            self.statusBar().showMessage(PICK_A_CLIENT, 5000)
        return client_id

    def report_incident_dialog(
        self, client_id: int | None, *, then_repair: bool = False
    ) -> IncidentDialog | None:
        from models.services.clients import get_client
        from ui.incident_dialog import IncidentDialog

        book = self.rapport.book
        if book is None:
            return None
        try:
            name = get_client(book, client_id).name if client_id is not None else ""
        except NotFoundError:
            self.refresh()
            return None
        if self.incident_dialog is not None:
            self.incident_dialog.deleteLater()
        dialog = IncidentDialog(self.rapport, client_id, name, self)
        if then_repair:
            dialog.setWindowTitle(f"Start a repair with {name}: what went wrong?")
            dialog.saved.connect(self.open_repair_wizard)
        else:
            dialog.saved.connect(self._on_incident_saved)
        self.incident_dialog = dialog
        dialog.open()
        dialog.raise_()
        dialog.activateWindow()
        return dialog

    def _on_incident_saved(self, incident_id: int) -> None:
        self.statusBar().showMessage("Incident recorded.", 4000)
        self.open_incident_window(incident_id)

    def open_incident_window(self, incident_id: int) -> IncidentWindow | None:
        """The incident's window, opened or brought forward if it is already open."""
        from ui.incident_window import IncidentWindow

        if self.rapport.book is None:
            return None
        window = self.incident_windows.get(incident_id)
        if window is None:
            window = IncidentWindow(self.rapport, incident_id, self)
            if window.detail is None:  # deleted meanwhile; it closed itself
                return None
            window.closed.connect(
                lambda iid, gone=window: forget(self.rapport, INCIDENT, iid, gone)
            )
            remember(self.rapport, INCIDENT, incident_id, window)
        window.bring_to_front()
        return window

    @property
    def incident_windows(self) -> dict[int, QWidget]:
        """One window per incident (ui/kit/registry.py): opening it again brings
        that window forward."""
        return open_windows(self.rapport, INCIDENT)

    def open_repair_wizard(self, incident_id: int) -> QWidget | None:
        """The incident's repair wizard (imported here: only needed when opened)."""
        if self.rapport.book is None:
            return None
        from ui.repair_wizard import open_repair_wizard

        try:
            return open_repair_wizard(self.rapport, incident_id, self)
        except ValidationError as exc:
            self.statusBar().showMessage(" ".join(exc.errors.values()), 6000)
        except NotFoundError:
            self.refresh()
        return None

    def new_agreement_for_current(self) -> AgreementWindow | None:
        """A new agreement for the client in front of the user (Today row or list)."""
        client_id = self.selected_client_id()
        if self.current_page() == PAGE_TODAY:
            item = self.today_view.selected_item()
            client_id = item.client_id if item is not None else None
        elif self.current_page() == PAGE_INCIDENTS:
            client_id = None
        if client_id is None or self.rapport.book is None:
            self.statusBar().showMessage(PICK_A_CLIENT, 5000)
            return None
        # Imported here: QtPdf is not needed until an agreement is opened.
        from ui.agreement_window import new_agreement_window

        return new_agreement_window(self.rapport, client_id, parent=self)

    def open_agreement_window(self, agreement_id: int) -> AgreementWindow | None:
        from ui.agreement_window import open_agreement_window

        return open_agreement_window(self.rapport, agreement_id, self)
