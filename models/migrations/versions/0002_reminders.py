"""Keep-in-touch reminders: cadence and due dates on clients, touches, follow-ups.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("client") as batch:
        batch.add_column(sa.Column("cadence_days", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("last_touch_on", sa.Date(), nullable=True))
        batch.add_column(sa.Column("touch_due_on", sa.Date(), nullable=True))
        batch.add_column(sa.Column("priority_until", sa.Date(), nullable=True))
        batch.create_index("ix_client_touch_due_on", ["touch_due_on"])
    # Clients that already exist have no cadence yet, so nothing becomes due.

    op.create_table(
        "touch",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uid", sa.String(32), nullable=False),
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.Column("happened_at", sa.DateTime(), nullable=False),
        sa.Column("channel", sa.String(10), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("next_step", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "channel IN ('call', 'email', 'meeting', 'message', 'visit', 'other')",
            name="ck_touch_channel",
        ),
        sa.ForeignKeyConstraint(
            ["client_id"], ["client.id"], name="fk_touch_client_id_client", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_touch"),
        sa.UniqueConstraint("uid", name="uq_touch_uid"),
    )
    op.create_index("ix_touch_client_happened", "touch", ["client_id", "happened_at"])

    op.create_table(
        "follow_up",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uid", sa.String(32), nullable=False),
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("title", sa.String(300), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("original_due_on", sa.Date(), nullable=False),
        sa.Column("done_at", sa.DateTime(), nullable=True),
        sa.Column("touch_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "kind IN ('manual', 'next_step', 'response_promise', 'review', 'commitment')",
            name="ck_follow_up_kind",
        ),
        sa.ForeignKeyConstraint(
            ["client_id"], ["client.id"], name="fk_follow_up_client_id_client", ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["touch_id"], ["touch.id"], name="fk_follow_up_touch_id_touch", ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_follow_up"),
        sa.UniqueConstraint("uid", name="uq_follow_up_uid"),
    )
    op.create_index("ix_follow_up_open_due", "follow_up", ["done_at", "due_on"])


def downgrade() -> None:
    op.drop_table("follow_up")
    op.drop_table("touch")
    with op.batch_alter_table("client") as batch:
        batch.drop_index("ix_client_touch_due_on")
        batch.drop_column("priority_until")
        batch.drop_column("touch_due_on")
        batch.drop_column("last_touch_on")
        batch.drop_column("cadence_days")
