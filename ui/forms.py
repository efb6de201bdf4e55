"""What an edit dialog does when the book refuses its Save.

The client dialog and the log-a-touch dialog promise the same thing: a refused
save keeps the dialog open with everything typed, and says why in the user's
words. That promise lives here once, so both dialogs keep it the same way; each
dialog still chooses its own wording for the unexpected failure.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QPushButton

from models.errors import RapportError
from models.services.clients import NotFoundError, ValidationError

CLIENT_GONE = "This client is no longer in the book."


def save_or_explain(
    write: Callable[[], object],
    *,
    refuse: Callable[[dict[str, str]], None],
    explain: Callable[[str], None],
    failed: str,
    log: logging.Logger,
    log_message: str,
    gone: str | Callable[[], object] = CLIENT_GONE,
) -> bool:
    """Run ``write``; True if it went through, otherwise False once the user is told.

    - ValidationError: ``refuse`` gets the per-field messages (the service's rules
      may catch what the form's own check did not).
    - NotFoundError: the record was deleted meanwhile (another window, an import);
      ``gone`` says so, or, given a callable, does what the caller does about it
      (close the window, reload the list).
    - any other RapportError: its message is already written for the user.
    - anything else (the disk, the database file): logged with its traceback under
      ``log_message`` for the developer, and the user sees ``failed``.
    """
    try:
        write()
    except ValidationError as exc:
        refuse(exc.errors)
        return False
    except NotFoundError:
        if callable(gone):
            gone()
        else:
            explain(gone)
        return False
    except RapportError as exc:
        explain(str(exc))
        return False
    except Exception:  # keep the dialog and the typing; nothing was written
        log.exception(log_message)
        explain(failed)
        return False
    return True


def save_cancel_buttons(
    dialog: QDialog, save_text: str | None = None, *, default: bool = True
) -> tuple[QDialogButtonBox, QPushButton]:
    """Save and Cancel wired to the dialog's accept and reject. Every dialog also
    saves on Ctrl+Return, so the Save button's tooltip says so in one place."""
    buttons = QDialogButtonBox(
        QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
    )
    save = buttons.button(QDialogButtonBox.StandardButton.Save)
    if save_text is not None:
        save.setText(save_text)
    save.setToolTip("Save (Ctrl+Return)")
    if default:
        save.setDefault(True)
    buttons.accepted.connect(dialog.accept)
    buttons.rejected.connect(dialog.reject)
    return buttons, save
