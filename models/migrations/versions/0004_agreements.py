"""Agreements: versioned agreements with their commitments, and the consultant's settings.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "agreement",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uid", sa.String(32), nullable=False),
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.Column("incident_id", sa.Integer(), nullable=True),
        sa.Column("number", sa.String(20), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("supersedes_id", sa.Integer(), nullable=True),
        sa.Column("title", sa.String(300), nullable=False),
        sa.Column("dated", sa.Date(), nullable=False),
        sa.Column("context", sa.Text(), nullable=False),
        sa.Column("points", sa.Text(), nullable=False),
        sa.Column("review_on", sa.Date(), nullable=True),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("pdf", sa.LargeBinary(), nullable=True),
        sa.Column("pdf_sha256", sa.String(64), nullable=True),
        sa.Column("finalised_at", sa.DateTime(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("review_follow_up_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "status IN ('draft', 'final', 'superseded')", name="ck_agreement_status"
        ),
        sa.ForeignKeyConstraint(
            ["client_id"], ["client.id"], name="fk_agreement_client_id_client", ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["incident_id"],
            ["incident.id"],
            name="fk_agreement_incident_id_incident",
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["supersedes_id"],
            ["agreement.id"],
            name="fk_agreement_supersedes_id_agreement",
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["review_follow_up_id"],
            ["follow_up.id"],
            name="fk_agreement_review_follow_up_id_follow_up",
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_agreement"),
        sa.UniqueConstraint("uid", name="uq_agreement_uid"),
        sa.UniqueConstraint("number", "version", name="uq_agreement_number_version"),
    )
    op.create_index("ix_agreement_client_id", "agreement", ["client_id"])
    op.create_table(
        "commitment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uid", sa.String(32), nullable=False),
        sa.Column("agreement_id", sa.Integer(), nullable=False),
        sa.Column("side", sa.String(8), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=True),
        sa.Column("state", sa.String(8), nullable=False),
        sa.Column("follow_up_id", sa.Integer(), nullable=True),
        sa.CheckConstraint("side IN ('ours', 'theirs')", name="ck_commitment_side"),
        sa.CheckConstraint("state IN ('open', 'kept', 'broken')", name="ck_commitment_state"),
        sa.ForeignKeyConstraint(
            ["agreement_id"],
            ["agreement.id"],
            name="fk_commitment_agreement_id_agreement",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["follow_up_id"],
            ["follow_up.id"],
            name="fk_commitment_follow_up_id_follow_up",
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_commitment"),
        sa.UniqueConstraint("uid", name="uq_commitment_uid"),
    )
    op.create_index("ix_commitment_agreement_id", "commitment", ["agreement_id"])
    op.create_table(
        "setting",
        sa.Column("key", sa.String(60), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("key", name="pk_setting"),
    )


def downgrade() -> None:
    op.drop_table("setting")
    op.drop_table("commitment")
    op.drop_table("agreement")
