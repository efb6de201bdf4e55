"""Incidents: the incident log, its timeline and content-addressed evidence files.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

CATEGORIES = (
    "'late_payment', 'misread_priorities', 'deliverable_quality', 'money_surprise', "
    "'communication', 'missed_deadline', 'wrong_fit', 'beyond_skills', 'claim_threatened', "
    "'other'"
)


def upgrade() -> None:
    op.create_table(
        "stored_file",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_stored_file"),
        sa.UniqueConstraint("sha256", name="uq_stored_file_sha256"),
    )
    op.create_table(
        "incident",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uid", sa.String(32), nullable=False),
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(300), nullable=False),
        sa.Column("category", sa.String(24), nullable=False),
        sa.Column("severity", sa.String(10), nullable=False),
        sa.Column("status", sa.String(14), nullable=False),
        sa.Column("client_view", sa.Text(), nullable=False),
        sa.Column("our_view", sa.Text(), nullable=False),
        sa.Column("our_mistakes", sa.Text(), nullable=False),
        sa.Column("client_contribution", sa.Text(), nullable=False),
        sa.Column("opened_at", sa.DateTime(), nullable=False),
        sa.Column("acknowledged_at", sa.DateTime(), nullable=True),
        sa.Column("closed_at", sa.DateTime(), nullable=True),
        sa.Column("response_due_at", sa.DateTime(), nullable=True),
        sa.Column("responded_at", sa.DateTime(), nullable=True),
        sa.Column("promise_follow_up_id", sa.Integer(), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(f"category IN ({CATEGORIES})", name="ck_incident_category"),
        sa.CheckConstraint(
            "severity IN ('low', 'medium', 'high', 'critical')", name="ck_incident_severity"
        ),
        sa.CheckConstraint(
            "status IN ('open', 'acknowledged', 'repairing', 'resolved', 'lost')",
            name="ck_incident_status",
        ),
        sa.ForeignKeyConstraint(
            ["client_id"], ["client.id"], name="fk_incident_client_id_client", ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["promise_follow_up_id"],
            ["follow_up.id"],
            name="fk_incident_promise_follow_up_id_follow_up",
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_incident"),
        sa.UniqueConstraint("uid", name="uq_incident_uid"),
    )
    op.create_index("ix_incident_client_id", "incident", ["client_id"])
    op.create_index("ix_incident_status_severity", "incident", ["status", "severity"])
    op.create_table(
        "incident_entry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uid", sa.String(32), nullable=False),
        sa.Column("incident_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column("happened_at", sa.DateTime(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("edited_at", sa.DateTime(), nullable=True),
        sa.CheckConstraint(
            "kind IN ('note', 'call', 'email', 'meeting', 'decision')",
            name="ck_incident_entry_kind",
        ),
        sa.ForeignKeyConstraint(
            ["incident_id"],
            ["incident.id"],
            name="fk_incident_entry_incident_id_incident",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_incident_entry"),
        sa.UniqueConstraint("uid", name="uq_incident_entry_uid"),
    )
    op.create_index("ix_incident_entry_incident_id", "incident_entry", ["incident_id"])
    op.create_table(
        "evidence",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uid", sa.String(32), nullable=False),
        sa.Column("incident_id", sa.Integer(), nullable=False),
        sa.Column("file_id", sa.Integer(), nullable=False),
        sa.Column("original_name", sa.String(255), nullable=False),
        sa.Column("added_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["incident_id"],
            ["incident.id"],
            name="fk_evidence_incident_id_incident",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["file_id"],
            ["stored_file.id"],
            name="fk_evidence_file_id_stored_file",
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_evidence"),
        sa.UniqueConstraint("uid", name="uq_evidence_uid"),
    )
    op.create_index("ix_evidence_file_id", "evidence", ["file_id"])
    op.create_index("ix_evidence_incident_id", "evidence", ["incident_id"])


def downgrade() -> None:
    op.drop_table("evidence")
    op.drop_table("incident_entry")
    op.drop_table("incident")
    op.drop_table("stored_file")
