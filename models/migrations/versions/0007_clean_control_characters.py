"""Control characters out of text that books took in before they were refused.

Since this revision every edge refuses C0 and C1 control characters and DEL in
text (a multi-line field keeps tab and line breaks: models/limits.py). A book
filled earlier, by a contacts file or a JSON import, may still hold them, and its
own JSON export would then be refused by its own import. This step writes such
text as the edges would have accepted it: in a one-line field a tab or line break
becomes a space and any other control character goes; in a multi-line field the
other control characters go. A required field left empty gets a visible stand-in.

An agreement that is final (or superseded by a later version) is left exactly as
it was signed, and so are its commitments: a final agreement never changes.

The rules are written out here, not imported, so this step keeps doing what it
did when the app's own rules move on.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07
"""

import re

from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

_LINE_BREAKS = re.compile(r"[\t\r\n]+")
_LINE_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_NOTES_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
STAND_IN = "(unreadable text)"

# (table, column, multi-line, required); each with the rows to leave alone.
_FIELDS = (
    ("client", "name", False, True),
    ("client", "organisation", False, False),
    ("client", "role", False, False),
    ("client", "notes", True, False),
    ("client", "search_text", True, False),
    ("contact_point", "label", False, False),
    ("contact_point", "value", False, True),
    ("tag", "name", False, True),
    ("touch", "summary", True, False),
    ("touch", "next_step", True, False),
    ("follow_up", "title", True, True),
    ("follow_up", "note", True, False),
    ("incident", "title", False, True),
    ("incident", "client_view", True, False),
    ("incident", "our_view", True, False),
    ("incident", "our_mistakes", True, False),
    ("incident", "client_contribution", True, False),
    ("incident_entry", "text", True, True),
    ("evidence", "original_name", False, True),
    ("agreement", "title", False, False),
    ("agreement", "context", True, False),
    ("commitment", "text", False, True),
)
_SIGNED = {
    "agreement": "status IN ('final', 'superseded')",
    "commitment": "agreement_id IN (SELECT id FROM agreement"
    " WHERE status IN ('final', 'superseded'))",
}


def cleaned(text: str, *, multiline: bool, required: bool) -> str:
    """``text`` as an edge of this revision would have taken it."""
    if multiline:
        text = _NOTES_CONTROL.sub("", text)
    else:
        text = _LINE_CONTROL.sub("", _LINE_BREAKS.sub(" ", text))
    return STAND_IN if required and not text.strip() else text


def upgrade() -> None:
    conn = op.get_bind()
    for table, column, multiline, required in _FIELDS:
        keep = _SIGNED.get(table)
        where = f" WHERE NOT ({keep})" if keep else ""
        rows = conn.exec_driver_sql(f"SELECT rowid, {column} FROM {table}{where}").fetchall()
        pattern = _NOTES_CONTROL if multiline else _LINE_CONTROL
        changes = []
        for rowid, text in rows:
            if isinstance(text, str) and pattern.search(text):
                changes.append((cleaned(text, multiline=multiline, required=required), rowid))
        if table == "tag":
            changes = _unique_tags(conn, changes)
        if changes:
            conn.exec_driver_sql(f"UPDATE {table} SET {column} = ? WHERE rowid = ?", changes)


def _unique_tags(conn: object, changes: list[tuple[str, int]]) -> list[tuple[str, int]]:
    """Tag names are unique whatever their case: a cleaned name that another tag
    already has gets its row number after it, so the upgrade never fails on it."""
    taken = {
        str(name).casefold()
        for (name,) in conn.exec_driver_sql("SELECT name FROM tag").fetchall()  # type: ignore[attr-defined]
    }
    unique = []
    for name, rowid in changes:
        if name.casefold() in taken:
            name = f"{name} {rowid}"
        taken.add(name.casefold())
        unique.append((name, rowid))
    return unique


def downgrade() -> None:
    """Nothing to undo: the text was made valid, and the old revision accepts it."""
