"""Foundation: clients, their contact points and tags.

Revision ID: 0001
Revises:
Create Date: 2026-11-22
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "client",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uid", sa.String(32), nullable=False),
        sa.Column("name", sa.String(300), nullable=False),
        sa.Column("organisation", sa.String(300), nullable=False),
        sa.Column("role", sa.String(300), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("archived_at", sa.DateTime(), nullable=True),
        sa.Column("search_text", sa.Text(), nullable=False),
        sa.CheckConstraint("status IN ('active', 'paused', 'former')", name="ck_client_status"),
        sa.PrimaryKeyConstraint("id", name="pk_client"),
        sa.UniqueConstraint("uid", name="uq_client_uid"),
    )
    op.create_index("ix_client_archived_name", "client", ["archived_at", "name"])
    op.create_table(
        "tag",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(80, collation="NOCASE"), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_tag"),
        sa.UniqueConstraint("name", name="uq_tag_name"),
    )
    op.create_table(
        "client_tag",
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.Column("tag_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["client_id"], ["client.id"], name="fk_client_tag_client_id_client", ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["tag_id"], ["tag.id"], name="fk_client_tag_tag_id_tag", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("client_id", "tag_id", name="pk_client_tag"),
    )
    op.create_index("ix_client_tag_tag_id", "client_tag", ["tag_id"])
    op.create_table(
        "contact_point",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(8), nullable=False),
        sa.Column("label", sa.String(60), nullable=False),
        sa.Column("value", sa.String(320), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.CheckConstraint("kind IN ('email', 'phone')", name="ck_contact_point_kind"),
        sa.ForeignKeyConstraint(
            ["client_id"],
            ["client.id"],
            name="fk_contact_point_client_id_client",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_contact_point"),
    )
    op.create_index("ix_contact_point_client_id", "contact_point", ["client_id"])


def downgrade() -> None:
    op.drop_table("contact_point")
    op.drop_table("client_tag")
    op.drop_table("tag")
    op.drop_table("client")
