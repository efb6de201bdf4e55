"""ui.forms.save_or_explain: what a dialog shows when the book refuses its Save."""

from __future__ import annotations

import logging

import pytest

from models.errors import RapportError
from models.services.clients import NotFoundError, ValidationError
from ui.forms import CLIENT_GONE, save_or_explain

LOG = logging.getLogger("tests.forms")


class Seen:
    """Stands in for a dialog: remembers what it was asked to show."""

    def __init__(self) -> None:
        self.refused: list[dict[str, str]] = []
        self.explained: list[str] = []

    def save(self, exc: BaseException | None) -> bool:
        def write() -> None:
            if exc is not None:
                raise exc

        return save_or_explain(
            write,
            refuse=self.refused.append,
            explain=self.explained.append,
            failed="The thing could not be saved; nothing was changed.",
            log=LOG,
            log_message="Saving the thing failed",
        )


def test_a_save_that_goes_through_shows_nothing() -> None:
    seen = Seen()
    assert seen.save(None) is True
    assert seen.refused == [] and seen.explained == []


def test_validation_errors_go_to_the_fields() -> None:
    seen = Seen()
    assert seen.save(ValidationError({"name": "Please give the client a name."})) is False
    assert seen.refused == [{"name": "Please give the client a name."}]
    assert seen.explained == []


def test_a_vanished_client_is_said_plainly() -> None:
    seen = Seen()
    assert seen.save(NotFoundError("There is no client with id 7.")) is False
    assert seen.explained == ["This client is no longer in the book."] == [CLIENT_GONE]
    assert seen.refused == []


def test_a_rapport_error_shows_its_own_message() -> None:
    seen = Seen()
    assert seen.save(RapportError("The book is read-only.")) is False
    assert seen.explained == ["The book is read-only."]


def test_anything_else_is_logged_and_the_user_told_nothing_changed(
    caplog: pytest.LogCaptureFixture,
) -> None:
    seen = Seen()
    with caplog.at_level(logging.ERROR, logger="tests.forms"):
        assert seen.save(OSError(28, "No space left on device")) is False
    assert seen.explained == ["The thing could not be saved; nothing was changed."]
    [record] = caplog.records
    assert record.name == "tests.forms" and record.getMessage() == "Saving the thing failed"
    assert record.exc_info is not None and isinstance(record.exc_info[1], OSError)


def test_keyboard_interrupt_is_not_swallowed() -> None:
    seen = Seen()
    with pytest.raises(KeyboardInterrupt):
        seen.save(KeyboardInterrupt())
    assert seen.explained == []
