"""One user action, one announcement, one reload per view.

Finishing a repair used to announce four kinds of change one after another, so
Today, the tray, the incidents page and the incident's own window each read the
book four times. These tests finish a repair through the real wizard and count.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
import shiboken6
from PySide6.QtWidgets import QWizard

from models.changes import AGREEMENTS, BOOK, CLIENTS, DAY, INCIDENTS, REMINDERS, Changes
from models.entities import IncidentCategory, Severity
from models.repair import Step
from models.services.incidents import IncidentInput, open_incident
from tests.helpers import LEFT, NOW, add_client, fixed_clock, open_window
from ui.app import RapportApp
from ui.incident_window import IncidentWindow
from ui.kit.subscribe import on_changes
from ui.main.common import PAGE_INCIDENTS, PAGE_TODAY
from ui.main.window import MainWindow
from ui.repair_wizard import SKIP, RepairWizard, open_repair_wizard, open_wizards
from ui.tray import RapportTray

NEXT = QWizard.WizardButton.NextButton
FINISH = QWizard.WizardButton.FinishButton


@pytest.fixture
def app_clock():  # noqa: ANN201 - the fixture conftest's ``rapport`` asks for
    return fixed_clock


@pytest.fixture
def incident(rapport: RapportApp) -> int:
    ada = add_client(rapport, "Ada Byrne", 30, 90)
    return open_incident(
        rapport.book,
        ada,
        IncidentInput(
            "Monthly report sent late",
            IncidentCategory.COMMUNICATION,
            Severity.HIGH,
            client_view="The March report came a week late.",
            our_view="A data export failed and I waited.",
        ),
        now=NOW - timedelta(days=1),
        promise_hours=24,
    )


@pytest.fixture
def main(qtbot, rapport: RapportApp) -> Iterator[MainWindow]:  # noqa: ANN001
    w = open_window(qtbot, rapport)
    yield w
    for wizard in list(open_wizards(rapport).values()):
        if shiboken6.isValid(wizard):
            wizard._close_now()
    w.close()


class Counter:
    """How many times each view read the book, by wrapping the instance's own
    reload method (the real one still runs)."""

    def __init__(self) -> None:
        self.counts: dict[str, int] = {}

    def watch(self, monkeypatch: pytest.MonkeyPatch, name: str, obj: object, method: str) -> None:
        real = getattr(obj, method)
        self.counts[name] = 0

        def counted(*args: object, **kwargs: object) -> object:
            self.counts[name] += 1
            return real(*args, **kwargs)

        monkeypatch.setattr(obj, method, counted)

    def reset(self) -> None:
        self.counts = dict.fromkeys(self.counts, 0)


def wizard_at_the_last_step(qtbot, rapport: RapportApp, incident: int) -> RepairWizard:  # noqa: ANN001
    w = open_repair_wizard(rapport, incident)
    assert w is not None
    qtbot.waitExposed(w)
    qtbot.keyClicks(w.pages[Step.FACTS].texts["facts"], "The report was late.")
    qtbot.mouseClick(w.button(NEXT), LEFT)
    for _step in range(Step.EVIDENCE, Step.IN_WRITING):
        qtbot.mouseClick(w.button(SKIP), LEFT)
    assert w.currentId() == Step.IN_WRITING
    return w


def test_finishing_a_repair_reloads_each_open_view_once_and_a_hidden_one_when_shown(
    qtbot,  # noqa: ANN001
    rapport: RapportApp,
    main: MainWindow,
    incident: int,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    tray = RapportTray(rapport, main)  # offscreen has no tray, but it still follows the plan
    main.set_tray(tray)
    main.finish_start()
    main.sidebar.setCurrentRow(PAGE_TODAY)
    assert main.today_view.isVisible() and not main.incidents_view.isVisible()
    incident_window = IncidentWindow(rapport, incident)
    qtbot.addWidget(incident_window)
    incident_window.show()
    qtbot.waitExposed(incident_window)

    counter = Counter()
    counter.watch(monkeypatch, "today", main.today_view, "refresh")
    counter.watch(monkeypatch, "tray", tray, "sync")
    counter.watch(monkeypatch, "incidents", main.incidents_view, "refresh")
    counter.watch(monkeypatch, "incident window", incident_window, "reload")
    announced: list[Changes] = []
    rapport.changed.connect(lambda what, _who: announced.append(what))

    w = wizard_at_the_last_step(qtbot, rapport, incident)
    counter.reset()
    announced.clear()
    qtbot.mouseClick(w.button(FINISH), LEFT)
    assert w.read_only
    qtbot.wait(50)  # anything queued behind the click has run

    assert announced == [INCIDENTS | AGREEMENTS | REMINDERS | CLIENTS]
    assert counter.counts == {"today": 1, "tray": 1, "incidents": 0, "incident window": 1}

    main.sidebar.setCurrentRow(PAGE_INCIDENTS)  # shown now: it catches up, once
    assert main.incidents_view.isVisible()
    assert counter.counts["incidents"] == 1
    main.sidebar.setCurrentRow(PAGE_TODAY)
    main.sidebar.setCurrentRow(PAGE_INCIDENTS)  # nothing new happened: no reload
    assert counter.counts == {"today": 1, "tray": 1, "incidents": 1, "incident window": 1}
    tray.hide()


def test_a_subscriber_hears_only_its_flags_and_can_skip_its_own_changes(
    qtbot,  # noqa: ANN001
    rapport: RapportApp,
    main: MainWindow,
) -> None:
    from ui.ops import announce

    heard: list[Changes] = []
    on_changes(main, rapport.changed, CLIENTS | DAY, lambda c, _w: heard.append(c), skip_own=True)
    announce(rapport, AGREEMENTS, None)
    announce(rapport, CLIENTS | REMINDERS, None)
    announce(rapport, DAY, main)  # the window's own change
    announce(rapport, Changes(), None)  # nothing: not even emitted
    assert heard == [CLIENTS]


def test_changes_combine_and_answer_what_they_touch() -> None:
    both = CLIENTS | BOOK
    assert both.clients and both.book and not both.day
    assert both.anything() and not Changes().anything()
    assert both.anything(BOOK | DAY) and not both.anything(DAY)
    assert (both & CLIENTS) == CLIENTS
    assert Changes.of("clients", "book") == both
    assert Changes.EVERYTHING.anything(Changes(settings=True))
    with pytest.raises(ValueError):
        Changes.of("weather")


def test_the_today_count_in_the_sidebar_follows_changes_made_on_another_page(
    qtbot,  # noqa: ANN001
    rapport: RapportApp,
    main: MainWindow,
) -> None:
    from tests.helpers import due_client
    from ui.main.common import PAGE_CLIENTS
    from ui.ops import announce

    main.finish_start()
    main.sidebar.setCurrentRow(PAGE_CLIENTS)
    assert not main.today_view.isVisible()
    due_client(rapport, "Cy Okafor", 2)
    announce(rapport, CLIENTS, None)
    assert main.sidebar.item(PAGE_TODAY).text() == "Today  (1)"
