"""Repair plans: the repair wizard's saved work per incident.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "repair_plan",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uid", sa.String(32), nullable=False),
        sa.Column("incident_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("current_step", sa.Integer(), nullable=False),
        sa.Column("answers", sa.Text(), nullable=False),
        sa.Column("skipped", sa.String(60), nullable=False),
        sa.Column("done", sa.String(60), nullable=False),
        sa.Column("ending", sa.String(12), nullable=True),
        sa.Column("agreement_id", sa.Integer(), nullable=True),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("finished_at", sa.DateTime(), nullable=True),
        sa.CheckConstraint("status IN ('active', 'finished')", name="ck_repair_plan_status"),
        sa.CheckConstraint(
            "ending IN ('agreement', 'hand_over', 'insurer', 'part_ways')",
            name="ck_repair_plan_ending",
        ),
        sa.ForeignKeyConstraint(
            ["incident_id"],
            ["incident.id"],
            name="fk_repair_plan_incident_id_incident",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["agreement_id"],
            ["agreement.id"],
            name="fk_repair_plan_agreement_id_agreement",
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_repair_plan"),
        sa.UniqueConstraint("uid", name="uq_repair_plan_uid"),
    )
    op.create_index("ix_repair_plan_incident_id", "repair_plan", ["incident_id"])


def downgrade() -> None:
    op.drop_table("repair_plan")
