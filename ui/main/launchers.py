"""Dialog launchers for clients: new and edit, touches, follow-ups, contacts
in and out. Dialogs are imported when first opened (ui/warmup.py)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt

from models.errors import NotFoundError, RapportError
from ui.app import RapportApp

# The services (and SQLAlchemy under them) and the dialogs are imported where they are
# first used: the window is built and painted before they are loaded (ui/warmup.py).
if TYPE_CHECKING:
    from PySide6.QtWidgets import QFileDialog

    from models.services.contact_rows import ImportPlan
    from ui.client_dialog import ClientDialog
    from ui.export_dialog import ExportDialog
    from ui.follow_up_dialog import FollowUpDialog
    from ui.import_dialog import ImportDialog
    from ui.touch_dialog import TouchDialog
from ui.main.common import (
    PAGE_TODAY,
    plural,
)


class LaunchersMixin:
    """Opens the client dialogs, one at a time, without blocking.

    A part of MainWindow (ui/main/window.py): it works on the widgets and
    attributes the window's __init__ makes."""

    # The window's own (QMainWindow and the attributes __init__ sets).
    rapport: RapportApp

    def _open_dialog(self, dialog: ClientDialog) -> ClientDialog:
        if self.dialog is not None:
            self.dialog.deleteLater()
        self.dialog = dialog
        dialog.saved.connect(self._on_saved)
        dialog.open()
        # Typing should go to the dialog at once, whatever the window manager does.
        dialog.raise_()
        dialog.activateWindow()
        return dialog

    def new_client_dialog(self) -> ClientDialog | None:
        """Open the new-client dialog without blocking and hand it back."""
        from ui.client_dialog import ClientDialog
        from ui.rhythm_setting import default_cadence

        if self.rapport.book is None:
            return None
        cadence = default_cadence(self.rapport.settings)
        return self._open_dialog(
            ClientDialog(
                self.rapport.book, None, self, rapport=self.rapport, default_cadence=cadence
            )
        )

    def edit_client_dialog(self, client_id: int) -> ClientDialog | None:
        from ui.client_dialog import ClientDialog

        if self.rapport.book is None:
            return None
        try:
            dialog = ClientDialog(self.rapport.book, client_id, self, rapport=self.rapport)
        except NotFoundError:
            self.refresh()
            return None
        return self._open_dialog(dialog)

    def edit_selected(self) -> ClientDialog | None:
        client_id = self.selected_client_id()
        if client_id is None:
            return None
        return self.edit_client_dialog(client_id)

    def log_touch_for_current(self) -> TouchDialog | None:
        """Log a touch for the client in front of the user: the selected Today row on
        Today, the selected client on Clients; otherwise ask who."""
        if self.current_page() == PAGE_TODAY:
            item = self.today_view.selected_item()
            return self.log_touch_dialog(item.client_id if item is not None else None)
        return self.log_touch_dialog(self.selected_client_id())

    def follow_up_for_current(self) -> FollowUpDialog | None:
        """Add a follow-up for the client in front of the user (or ask who)."""
        from ui.follow_up_dialog import FollowUpDialog

        if self.rapport.book is None:
            return None
        client_id = self.selected_client_id()
        if self.current_page() == PAGE_TODAY:
            item = self.today_view.selected_item()
            client_id = item.client_id if item is not None else None
        dialog = FollowUpDialog(self.rapport, client_id, self)
        dialog.saved.connect(lambda _fid: self.statusBar().showMessage("Follow-up added.", 4000))
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        self.follow_up_dialog = dialog
        return dialog

    def log_touch_dialog(
        self, client_id: int | None = None, *, follow_up: tuple[int, str] | None = None
    ) -> TouchDialog | None:
        """Open the touch dialog without blocking and hand it back.

        With the window hidden in the tray it opens on its own, not window-modal on
        a window nobody can see.
        """
        from ui.touch_dialog import TouchDialog

        if self.rapport.book is None:
            return None
        old = self.touch_dialog
        if old is not None and old.isVisible() and client_id is None:
            old.raise_()
            old.activateWindow()
            return old
        if old is not None:
            old.close()
            old.deleteLater()
        parent = self if self.isVisible() else None
        dialog = TouchDialog(self.rapport, client_id, parent, follow_up=follow_up)
        dialog.saved.connect(lambda _tid, d=dialog: self._on_touch_saved(d))
        self.touch_dialog = dialog
        if parent is not None:
            dialog.open()
        else:
            dialog.show()
        dialog.raise_()
        dialog.activateWindow()
        return dialog

    def _on_touch_saved(self, dialog: TouchDialog) -> None:
        client_id = dialog.client_picker.client_id()
        name = dialog.client_picker.currentText().strip() or "the client"
        self.statusBar().showMessage(f"Logged a touch with {name}.", 4000)
        if self.current_page() == PAGE_TODAY:
            self.today_view.tree.setFocus(Qt.FocusReason.OtherFocusReason)
        elif client_id is not None:
            self._show_in_list(client_id)

    def _on_saved(self, client_id: int) -> None:
        from models.services.clients import get_client

        # The dialog's save announced the change (ui/ops.run_op); the list has it.
        self._show_in_list(client_id)
        self.table.setFocus(Qt.FocusReason.OtherFocusReason)
        if self.rapport.book is not None:
            try:
                name = get_client(self.rapport.book, client_id).name
            except NotFoundError:
                return
            self.statusBar().showMessage(f"Saved {name}.", 4000)

    def import_contacts(self) -> QFileDialog:
        """File › Import contacts…: pick a file; the preview opens once it is read."""
        from PySide6.QtWidgets import QFileDialog

        from ui.import_dialog import CHOOSE_FILE_FILTER, start_folder

        dialog = QFileDialog(self, "Import contacts", str(start_folder()))
        dialog.setFileMode(QFileDialog.FileMode.ExistingFile)
        dialog.setOption(QFileDialog.Option.DontUseNativeDialog, True)
        dialog.setNameFilter(CHOOSE_FILE_FILTER)
        dialog.fileSelected.connect(lambda name: self.import_contacts_from(Path(name)))
        self.file_dialog = dialog
        dialog.open()
        return dialog

    def import_contacts_from(self, path: Path) -> ImportDialog | None:
        """Read ``path`` and show what importing it would do; nothing is written yet."""
        if self.rapport.book is None:
            return None
        from ui.import_dialog import ImportDialog, read_contacts

        try:
            source = read_contacts(self, path)
        except RapportError as exc:
            self._show_message("Import contacts", str(exc))
            return None
        dialog = ImportDialog(self.rapport, source, self)
        dialog.imported.connect(self._on_contacts_imported)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.import_dialog = dialog
        dialog.open()
        return dialog

    def _on_contacts_imported(self, plan: ImportPlan) -> None:
        self.import_dialog = None
        self.show_clients(focus=False)
        if plan.created_ids:
            self._show_in_list(plan.created_ids[0])
        self.table.setFocus(Qt.FocusReason.OtherFocusReason)
        self.statusBar().showMessage(
            f"Imported: {plan.created} added, {plan.updated} updated, {plan.skipped} skipped.",
            8000,
        )

    def export_contacts(self, *, selected_first: bool | None = None) -> ExportDialog | None:
        """File › Export contacts…: every client, or those selected in the list."""
        if self.rapport.book is None:
            return None
        from ui.export_dialog import ExportDialog

        dialog = ExportDialog(
            self.rapport, self.selected_client_ids(), self, selected_first=selected_first
        )
        dialog.exported.connect(
            lambda n, name: self.statusBar().showMessage(
                f"Exported {plural(n, 'client')} to {Path(name).name}.", 6000
            )
        )
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.export_dialog = dialog
        dialog.open()
        return dialog
