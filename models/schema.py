"""The book's schema revisions: the head this build writes and the ones it knows.

Apart from models/db.py so that backups (which must refuse a copy from an unknown
schema) can ask without importing the code that opens books, which itself takes
backups: that was an import cycle. Alembic is imported only when a revision other
than the head has to be looked up.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

# The newest schema this build knows. tests/test_migrations.py checks it against
# Alembic's head so opening an up-to-date book never has to import Alembic.
SCHEMA_HEAD = "0007"

MIGRATIONS_DIR = Path(__file__).with_name("migrations")


def scripts() -> Any:
    """Alembic's view of models/migrations; imported only when a book needs it."""
    from alembic.script import ScriptDirectory

    return ScriptDirectory(str(MIGRATIONS_DIR))


def known_revisions() -> set[str]:
    """Every revision in models/migrations, the head included."""
    return {rev.revision for rev in scripts().walk_revisions()}


def alembic_head() -> str:
    head: str = scripts().get_current_head()
    return head
