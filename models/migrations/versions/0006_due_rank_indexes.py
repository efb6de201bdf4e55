"""Indexes that answer Today's first screen on their own.

Ranking who is overdue reads every due client's date, rhythm, priority and name;
through ix_client_touch_due_on each of those rows was a lookup into the client
table (or, as reads.py chose on big books, a scan of all of it): half a second at
100 000 clients, before the first paint. ix_client_due_rank holds all four, so the
ranking reads the index alone. The open follow-ups' counts need the client (to leave
out archived ones): ix_follow_up_due_client carries it, so they read no follow-up row.
Each new index starts with the columns of the one it replaces, which serves every
query the old one did.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-07
"""

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index("ix_client_touch_due_on", table_name="client")
    op.create_index(
        "ix_client_due_rank", "client", ["touch_due_on", "cadence_days", "priority_until", "name"]
    )
    op.drop_index("ix_follow_up_open_due", table_name="follow_up")
    op.create_index("ix_follow_up_due_client", "follow_up", ["done_at", "due_on", "client_id"])


def downgrade() -> None:
    op.drop_index("ix_follow_up_due_client", table_name="follow_up")
    op.create_index("ix_follow_up_open_due", "follow_up", ["done_at", "due_on"])
    op.drop_index("ix_client_due_rank", table_name="client")
    op.create_index("ix_client_touch_due_on", "client", ["touch_due_on"])
