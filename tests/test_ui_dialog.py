"""The create/edit dialog, driven by typing into its real widgets, against a real book."""

from __future__ import annotations

import logging

import pytest
from PySide6.QtCore import Qt

from models.entities import ClientStatus
from models.errors import RapportError
from models.services.clients import (
    ClientInput,
    Contact,
    NotFoundError,
    count_clients,
    create_client,
    get_client,
)
from tests.helpers import LEFT, shown
from ui.app import CHANGED_CLIENTS
from ui.client_dialog import ClientDialog
from ui.main.window import MainWindow


def names(window: MainWindow) -> list[str]:
    return [window.proxy.index(r, 0).data() for r in range(window.proxy.rowCount())]


def new_dialog(qtbot, window: MainWindow) -> ClientDialog:
    return shown(qtbot, window.new_client_dialog())


@pytest.fixture
def anna(rapport) -> int:
    cid = create_client(
        rapport.book,
        ClientInput(
            name="Anna Novák",
            organisation="Brightwater",
            emails=[Contact("anna@brightwater.example", "Work")],
            phones=[Contact("+44 20 7946 0012", "Mobile")],
            tags=["retainer"],
            notes="Tuesdays.",
        ),
    )
    rapport.changed.emit(CHANGED_CLIENTS, None)
    return cid


def test_create_a_client_by_typing(qtbot, window, rapport) -> None:
    dialog = new_dialog(qtbot, window)
    assert dialog.windowTitle() == "New client"
    # QTest can only type ASCII; an accented name goes in the way an input method would.
    qtbot.keyClicks(dialog.name_edit, "Anna Nov")
    dialog.name_edit.insert("ák")
    qtbot.keyClicks(dialog.organisation_edit, "Brightwater Ltd")
    qtbot.keyClicks(dialog.role_edit, "Head of Marketing")
    dialog.status_combo.setCurrentIndex(dialog.status_combo.findData(ClientStatus.PAUSED))
    qtbot.keyClicks(dialog.emails.rows[0].value_edit, "anna@brightwater.example")
    qtbot.mouseClick(dialog.emails.add_button, LEFT)
    assert len(dialog.emails.rows) == 2
    dialog.emails.rows[1].label_combo.setCurrentText("home")
    qtbot.keyClicks(dialog.emails.rows[1].value_edit, "anna@home.example")
    qtbot.keyClicks(dialog.phones.rows[0].value_edit, "+44 20 7946 0012")
    qtbot.keyClicks(dialog.tags_edit, "retainer, design")
    qtbot.keyClicks(dialog.notes_edit, "Prefers calls.")

    with qtbot.waitSignal(dialog.saved, timeout=2000) as saved:
        qtbot.mouseClick(dialog.save_button, LEFT)
    assert not dialog.isVisible()

    cid = saved.args[0]
    stored = get_client(rapport.book, cid)
    assert stored.name == "Anna Novák"
    assert stored.organisation == "Brightwater Ltd"
    assert stored.role == "Head of Marketing"
    assert stored.status == ClientStatus.PAUSED
    assert stored.emails == [
        Contact("anna@brightwater.example", "work"),
        Contact("anna@home.example", "home"),
    ]
    assert stored.phones == [Contact("+44 20 7946 0012", "mobile")]
    assert sorted(stored.tags) == ["design", "retainer"]
    assert stored.notes == "Prefers calls."

    assert names(window) == ["Anna Novák"]
    assert window.selected_client_id() == cid
    assert "Brightwater Ltd" in window.detail.browser.toPlainText()


def test_remove_a_contact_row(qtbot, window, rapport) -> None:
    dialog = new_dialog(qtbot, window)
    qtbot.keyClicks(dialog.name_edit, "Bjorn")
    qtbot.keyClicks(dialog.phones.rows[0].value_edit, "12345")
    qtbot.mouseClick(dialog.phones.add_button, LEFT)
    qtbot.keyClicks(dialog.phones.rows[1].value_edit, "67890")
    qtbot.mouseClick(dialog.phones.rows[0].remove_button, LEFT)
    with qtbot.waitSignal(dialog.saved) as saved:
        qtbot.mouseClick(dialog.save_button, LEFT)
    assert get_client(rapport.book, saved.args[0]).phones == [Contact("67890", "mobile")]


def test_edit_through_the_dialog_with_ctrl_return(qtbot, window, rapport, anna) -> None:
    window.select_client(anna)
    dialog = shown(qtbot, window.edit_selected())
    assert dialog.windowTitle() == "Edit Anna Novák"
    assert dialog.emails.rows[0].value == "anna@brightwater.example"
    assert dialog.tags_edit.text() == "retainer"
    dialog.organisation_edit.clear()
    qtbot.keyClicks(dialog.organisation_edit, "Nordlicht GmbH")
    dialog.notes_edit.setFocus()
    qtbot.keyClick(dialog.notes_edit, Qt.Key.Key_End, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(dialog.notes_edit, " And Thursdays.")
    with qtbot.waitSignal(dialog.saved, timeout=2000):
        qtbot.keyClick(dialog.notes_edit, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert not dialog.isVisible()
    stored = get_client(rapport.book, anna)
    assert stored.organisation == "Nordlicht GmbH"
    assert stored.notes == "Tuesdays. And Thursdays."
    assert stored.emails == [Contact("anna@brightwater.example", "Work")]
    assert count_clients(rapport.book) == 1
    org_index = window.proxy.index(0, 1)
    assert org_index.data() == "Nordlicht GmbH"


def test_empty_name_and_bad_email_are_shown_inline(qtbot, window, rapport) -> None:
    before = count_clients(rapport.book, include_archived=True)
    dialog = new_dialog(qtbot, window)
    qtbot.keyClicks(dialog.emails.rows[0].value_edit, "anna.example.com")
    qtbot.mouseClick(dialog.save_button, LEFT)

    assert dialog.isVisible()
    name_error = dialog.error_labels["name"]
    assert name_error.isVisible()
    assert name_error.text() == "Please give the client a name."
    email_error = dialog.emails.rows[0].error_label
    assert email_error.isVisible()
    assert email_error.text() == "“anna.example.com” does not look like an email address."
    assert dialog.name_edit.property("invalid") is True
    assert dialog.focusWidget() is dialog.name_edit
    assert count_clients(rapport.book, include_archived=True) == before

    # After a refused save the messages follow the typing.
    qtbot.keyClicks(dialog.name_edit, "Anna")
    assert not name_error.isVisible()
    assert email_error.isVisible()
    dialog.emails.rows[0].value_edit.clear()
    qtbot.keyClicks(dialog.emails.rows[0].value_edit, "anna@example.com")
    assert not email_error.isVisible()
    assert not dialog.emails.rows[0].value_edit.property("invalid")

    with qtbot.waitSignal(dialog.saved):
        qtbot.mouseClick(dialog.save_button, LEFT)
    assert count_clients(rapport.book, include_archived=True) == before + 1


def test_error_lands_on_the_right_row_past_blank_ones(qtbot, window, rapport) -> None:
    """The service numbers filled rows only; a blank first row must not shift the message."""
    dialog = new_dialog(qtbot, window)
    qtbot.keyClicks(dialog.name_edit, "Chidi")
    qtbot.mouseClick(dialog.phones.add_button, LEFT)
    qtbot.keyClicks(dialog.phones.rows[1].value_edit, "call me maybe")
    qtbot.mouseClick(dialog.save_button, LEFT)
    assert dialog.isVisible()
    assert not dialog.phones.rows[0].error_label.isVisible()
    assert dialog.phones.rows[1].error_label.isVisible()
    assert "does not look like a phone number" in dialog.phones.rows[1].error_label.text()
    assert dialog.focusWidget() is dialog.phones.rows[1].value_edit
    assert count_clients(rapport.book) == 0


def test_bad_email_on_edit_leaves_the_client_unchanged(qtbot, window, rapport, anna) -> None:
    before = get_client(rapport.book, anna)
    dialog = window.edit_client_dialog(anna)
    assert dialog is not None
    qtbot.waitExposed(dialog)
    dialog.name_edit.clear()
    qtbot.keyClicks(dialog.name_edit, "Anna Changed")
    dialog.emails.rows[0].value_edit.clear()
    qtbot.keyClicks(dialog.emails.rows[0].value_edit, "broken@")
    qtbot.mouseClick(dialog.save_button, LEFT)
    assert dialog.isVisible()
    assert dialog.emails.rows[0].error_label.isVisible()
    assert get_client(rapport.book, anna) == before


@pytest.mark.parametrize(
    ("error", "message"),
    [
        (NotFoundError("There is no client with id 1."), "This client is no longer in the book."),
        (RapportError("The book is read-only."), "The book is read-only."),
        (
            OSError(28, "No space left on device"),
            "The client could not be saved; nothing was changed. Please try again in a moment.",
        ),
    ],
)
def test_a_failed_save_keeps_the_dialog_and_says_why(
    qtbot, window, rapport, anna, monkeypatch, caplog, error, message
) -> None:
    def refuse(*_args, **_kwargs) -> None:
        raise error

    monkeypatch.setattr("ui.client_dialog.update_client", refuse)
    dialog = window.edit_client_dialog(anna)
    assert dialog is not None
    qtbot.waitExposed(dialog)
    qtbot.keyClicks(dialog.notes_edit, " More.")
    with caplog.at_level(logging.ERROR, logger="ui.client_dialog"):
        qtbot.mouseClick(dialog.save_button, LEFT)
    assert dialog.isVisible()
    assert dialog.general_error.isVisible()
    assert dialog.general_error.text() == message
    logged = [(r.name, r.getMessage()) for r in caplog.records]
    if isinstance(error, OSError):
        assert logged == [("ui.client_dialog", "Saving a client failed")]
    else:
        assert logged == []
    assert get_client(rapport.book, anna).notes == "Tuesdays."
    dialog.done(0)  # close without the "discard changes?" question


def test_escape_closes_an_untouched_dialog(qtbot, window, rapport) -> None:
    dialog = new_dialog(qtbot, window)
    qtbot.keyClick(dialog.name_edit, Qt.Key.Key_Escape)
    assert not dialog.isVisible()
    assert dialog.discard_box is None


def test_escape_asks_before_discarding_typing(qtbot, window, rapport) -> None:
    dialog = new_dialog(qtbot, window)
    qtbot.keyClicks(dialog.name_edit, "Half typed")
    qtbot.keyClick(dialog.name_edit, Qt.Key.Key_Escape)
    box = dialog.discard_box
    assert box is not None and box.isVisible()
    assert box.text() == "Discard changes?"

    keep = next(b for b in box.buttons() if b.text() == "Keep editing")
    qtbot.mouseClick(keep, LEFT)
    assert dialog.isVisible()
    assert dialog.name_edit.text() == "Half typed"

    qtbot.keyClick(dialog.name_edit, Qt.Key.Key_Escape)
    box = dialog.discard_box
    assert box is not None and box.isVisible()
    qtbot.mouseClick(dialog.discard_button, LEFT)
    assert not dialog.isVisible()
    assert count_clients(rapport.book) == 0


def test_tag_completion_offers_existing_tags(qtbot, window, rapport, anna) -> None:
    dialog = new_dialog(qtbot, window)
    qtbot.keyClicks(dialog.tags_edit, "design, ret")
    completer = dialog.tags_edit.tag_completer
    assert completer.completionPrefix() == "ret"
    assert completer.currentCompletion() == "retainer"
    dialog.tags_edit.insert_completion("retainer")
    assert dialog.tags_edit.text() == "design, retainer, "


def test_fields_the_dialog_does_not_show_survive_an_edit(qtbot, window, rapport) -> None:
    """A save from this dialog must not wipe what other screens keep on the client."""
    cid = create_client(rapport.book, ClientInput(name="Dana", cadence_days=14))
    rapport.changed.emit(CHANGED_CLIENTS, None)
    dialog = window.edit_client_dialog(cid)
    assert dialog is not None
    qtbot.keyClicks(dialog.role_edit, "Owner")
    with qtbot.waitSignal(dialog.saved):
        qtbot.mouseClick(dialog.save_button, LEFT)
    stored = get_client(rapport.book, cid)
    assert stored.role == "Owner"
    assert stored.cadence_days == 14


# -- keep-in-touch rhythm -----------------------------------------------------------


def choose(combo, text: str) -> None:
    index = combo.findText(text)
    assert index >= 0, text
    combo.setCurrentIndex(index)


def test_cadence_round_trips_through_the_dialog(qtbot, window, rapport) -> None:
    dialog = new_dialog(qtbot, window)
    cadence = dialog.cadence_edit
    texts = [cadence.combo.itemText(i) for i in range(cadence.combo.count())]
    assert texts == [
        "No reminder",
        "Weekly",
        "Every 2 weeks",
        "Monthly",
        "Every 2 months",
        "Quarterly",
        "Twice a year",
        "Custom…",
    ]
    # Issue 16: a new client starts on the default rhythm (monthly), not "No reminder".
    assert cadence.combo.currentText() == "Monthly"
    assert not cadence.spin.isVisible()
    qtbot.keyClicks(dialog.name_edit, "Rhythm Client")
    choose(cadence.combo, "Weekly")
    choose(cadence.combo, "Monthly")
    with qtbot.waitSignal(dialog.saved) as saved:
        qtbot.mouseClick(dialog.save_button, LEFT)
    cid = saved.args[0]
    assert get_client(rapport.book, cid).cadence_days == 30

    dialog = window.edit_client_dialog(cid)
    qtbot.waitUntil(dialog.isActiveWindow)
    assert dialog.cadence_edit.combo.currentText() == "Monthly"
    choose(dialog.cadence_edit.combo, "Custom…")
    assert dialog.cadence_edit.spin.isVisible()
    assert dialog.focusWidget() is dialog.cadence_edit.spin
    dialog.cadence_edit.spin.clear()
    qtbot.keyClicks(dialog.cadence_edit.spin, "45")
    with qtbot.waitSignal(dialog.saved):
        qtbot.keyClick(
            dialog.cadence_edit.spin, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier
        )
    assert get_client(rapport.book, cid).cadence_days == 45

    dialog = window.edit_client_dialog(cid)
    assert dialog.cadence_edit.combo.currentText() == "Custom…"
    assert dialog.cadence_edit.spin.value() == 45
    choose(dialog.cadence_edit.combo, "No reminder")
    with qtbot.waitSignal(dialog.saved):
        qtbot.mouseClick(dialog.save_button, LEFT)
    assert get_client(rapport.book, cid).cadence_days is None
    assert get_client(rapport.book, cid).touch_due_on is None


def test_cadence_spin_keeps_to_the_allowed_range(qtbot, window) -> None:
    dialog = new_dialog(qtbot, window)
    spin = dialog.cadence_edit.spin
    assert (spin.minimum(), spin.maximum()) == (1, 3660)
    choose(dialog.cadence_edit.combo, "Custom…")
    spin.setValue(99999)
    assert dialog.cadence_edit.days() == 3660
    spin.setValue(0)
    assert dialog.cadence_edit.days() == 1
    dialog.reject()


def test_a_preset_number_of_days_shows_as_the_preset(qtbot, window, rapport) -> None:
    weekly = create_client(rapport.book, ClientInput(name="Wes", cadence_days=7))
    odd = create_client(rapport.book, ClientInput(name="Odette", cadence_days=10))
    rapport.changed.emit(CHANGED_CLIENTS, None)
    dialog = window.edit_client_dialog(weekly)
    assert dialog.cadence_edit.combo.currentText() == "Weekly"
    assert not dialog.has_changes()
    dialog.reject()
    dialog = window.edit_client_dialog(odd)
    assert dialog.cadence_edit.combo.currentText() == "Custom…"
    assert dialog.cadence_edit.spin.value() == 10
    assert not dialog.has_changes()
    dialog.reject()


def test_a_validation_message_never_moves_the_fields_below_it(qtbot, window) -> None:
    """Issue 16: an error appears in a line kept for it, so a click aimed at the next
    field still lands on that field."""
    dialog = new_dialog(qtbot, window)
    below = [dialog.organisation_edit, dialog.role_edit, dialog.emails.rows[0].value_edit]
    where = [w.mapTo(dialog, w.rect().topLeft()) for w in below]
    name_error = dialog.error_labels["name"]
    assert not name_error.isVisible()
    assert name_error.height() >= name_error.fontMetrics().lineSpacing()  # kept while hidden
    qtbot.mouseClick(dialog.save_button, LEFT)
    assert name_error.isVisible() and name_error.text()
    qtbot.wait(10)  # let the layout settle as it would on screen
    assert [w.mapTo(dialog, w.rect().topLeft()) for w in below] == where


def test_a_pasted_control_character_is_refused_next_to_its_field(qtbot, window, rapport) -> None:
    """A paste can carry what no keyboard types (an ESC from a terminal, a NUL): the
    dialog says which character and where, and saves nothing (models/limits.py)."""
    before = count_clients(rapport.book, include_archived=True)
    dialog = new_dialog(qtbot, window)
    qtbot.keyClicks(dialog.name_edit, "Anna")
    dialog.organisation_edit.setText("Bright\x1b[2Jwater")
    dialog.notes_edit.setPlainText("Fine\tline\nand a NUL\x00")
    qtbot.mouseClick(dialog.save_button, LEFT)

    assert dialog.isVisible()
    org_error = dialog.error_labels["organisation"]
    assert org_error.isVisible()
    assert org_error.text() == (
        "This contains a control character (U+001B), which Rapport does not store; "
        "remove it and try again."
    )
    assert dialog.general_error.text() == (
        "Notes: This contains a control character (U+0000), which Rapport does not store; "
        "remove it and try again."
    )
    assert count_clients(rapport.book, include_archived=True) == before

    dialog.organisation_edit.setText("Brightwater")
    dialog.notes_edit.setPlainText("Fine\tline\nand no NUL")
    with qtbot.waitSignal(dialog.saved):
        qtbot.mouseClick(dialog.save_button, LEFT)
    assert count_clients(rapport.book, include_archived=True) == before + 1
