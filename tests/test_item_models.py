"""Every item model in ui/ passes Qt's model tester, with real rows in it.

The list of models is read from the source, so a new model without a check here
fails the first test rather than going untested.
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtCore import QAbstractItemModel, Qt

from exports.contacts_csv import parse_csv
from models.backups import list_backups, take_backup
from models.entities import IncidentCategory, Severity
from models.services.contacts import plan_import
from models.services.incidents import IncidentInput, list_incidents, open_incident
from tests.helpers import NOW, due_client, fixed_clock, open_window
from ui.app import RapportApp

ROOT = Path(__file__).resolve().parents[1]
QT_MODELS = {
    "QAbstractItemModel",
    "QAbstractTableModel",
    "QAbstractListModel",
    "QSortFilterProxyModel",
    "QIdentityProxyModel",
    "QStandardItemModel",
    "QStringListModel",
}


def model_classes() -> set[str]:
    """``module.Class`` for each class in ui/ that derives from a Qt item model,
    directly or through another model of ours."""
    bases: dict[str, set[str]] = {}
    where: dict[str, str] = {}
    for path in sorted((ROOT / "ui").rglob("*.py")):
        module = ".".join(path.relative_to(ROOT).with_suffix("").parts)
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ClassDef):
                names = {
                    b.id if isinstance(b, ast.Name) else getattr(b, "attr", "") for b in node.bases
                }
                bases[node.name] = names
                where[node.name] = f"{module}.{node.name}"
    models: set[str] = set()
    grew = True
    while grew:
        grew = False
        for name, parents in bases.items():
            if name not in models and parents & (QT_MODELS | models):
                models.add(name)
                grew = True
    return {where[n] for n in models}


@pytest.fixture
def app_clock():  # noqa: ANN201 - conftest's ``rapport`` asks for it
    return fixed_clock


@pytest.fixture
def filled(rapport: RapportApp) -> RapportApp:
    """A book with due clients, incidents and a backup: every model has rows."""
    ada = due_client(rapport, "Ada Byrne", 3)
    due_client(rapport, "Bo Lindqvist", 0)
    for title, severity in (("Report late", Severity.HIGH), ("Typo", Severity.LOW)):
        open_incident(
            rapport.book,
            ada,
            IncidentInput(title, IncidentCategory.COMMUNICATION, severity),
            now=NOW,
            promise_hours=24,
        )
    take_backup(rapport.book.path)
    return rapport


def today_model(qtbot, rapport: RapportApp) -> list[QAbstractItemModel]:  # noqa: ANN001
    from ui.today_model import TodayModel

    model = TodayModel()
    model.set_plan(rapport.today_plan(), rapport.today())
    return [model]


def client_models(qtbot, rapport: RapportApp) -> list[QAbstractItemModel]:  # noqa: ANN001
    window = open_window(qtbot, rapport)
    window.finish_start()
    window.show_clients()
    assert window.model.rowCount() == 2
    return [window.model, window.proxy]


def incident_models(qtbot, rapport: RapportApp) -> list[QAbstractItemModel]:  # noqa: ANN001
    from ui.incidents_view import IncidentSortProxy, IncidentTableModel

    model = IncidentTableModel()
    model.set_rows(list_incidents(rapport.book, now=NOW), NOW)
    proxy = IncidentSortProxy()
    proxy.setSourceModel(model)
    proxy.sort(0, Qt.SortOrder.DescendingOrder)
    return [model, proxy]


def import_plan_model(qtbot, rapport: RapportApp) -> list[QAbstractItemModel]:  # noqa: ANN001
    from ui.import_dialog import PlanModel

    csv = "Name,E-mail 1 - Value\nAda Byrne,ada@example.com\nCy New,cy@example.com\n,\n"
    contacts = parse_csv(csv.encode())
    model = PlanModel()
    model.set_rows(plan_import(rapport.book, contacts.records()).rows)
    return [model]


def backup_list_model(qtbot, rapport: RapportApp) -> list[QAbstractItemModel]:  # noqa: ANN001
    from ui.backup_dialog import BackupListModel

    model = BackupListModel()
    model.set_rows(list_backups(rapport.book.path))
    return [model]


CHECKS: dict[str, Callable[..., list[QAbstractItemModel]]] = {
    "ui.today_model.TodayModel": today_model,
    "ui.client_table.ClientTableModel": client_models,
    "ui.client_table.ClientSortProxy": client_models,
    "ui.incidents_view.IncidentTableModel": incident_models,
    "ui.incidents_view.IncidentSortProxy": incident_models,
    "ui.import_dialog.PlanModel": import_plan_model,
    "ui.backup_dialog.BackupListModel": backup_list_model,
}


def test_every_item_model_in_ui_has_a_model_tester_check() -> None:
    found = model_classes()
    assert "ui.import_dialog.PlanModel" in found  # the scan sees through our own bases
    assert found == set(CHECKS)


@pytest.mark.parametrize("name", sorted(CHECKS))
def test_item_model_passes_the_qt_model_tester(
    qtbot,  # noqa: ANN001
    qtmodeltester,  # noqa: ANN001
    filled: RapportApp,
    name: str,
) -> None:
    models = CHECKS[name](qtbot, filled)
    module, _dot, cls = name.rpartition(".")
    checked = [m for m in models if type(m).__name__ == cls]
    assert checked, f"{name} was not built"
    for model in checked:
        assert model.rowCount() > 0, f"{name} is empty: the tester would prove little"
        qtmodeltester.check(model)
