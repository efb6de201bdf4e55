"""Use-case functions. The UI and the command line call these; nothing else writes."""

from __future__ import annotations

import importlib

# What the app loads on a worker thread once its first window is painted
# (ui/warmup.py): the services the windows and dialogs call, and the ORM under them.
# Not contacts or summary: they bring in the import/export and PDF code.
APP_SERVICES = (
    "models.services.clients",
    "models.services.client_list",
    "models.services.reminders",
    "models.services.incidents",
    "models.services.incident_timeline",
    "models.services.incident_evidence",
    "models.services.health",
    "models.services.agreements",
    "models.services.repair",
    "models.services.repair_records",
    "models.services.backups",
)


def load_app_services() -> None:
    """Import SQLAlchemy, the entities and the app's services, and configure the
    mappers, so the first save or query after start-up finds them ready."""
    for name in APP_SERVICES:
        importlib.import_module(name)
    from sqlalchemy.orm import configure_mappers

    configure_mappers()
