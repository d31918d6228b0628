"""openrosa: collector access, response attachments, response versions

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06 18:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import impactkit.store.types

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "collector_access",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("period_id", sa.Integer(), nullable=True),
        sa.Column("wave", sa.String(length=20), nullable=True),
        sa.Column("label", sa.String(length=200), nullable=False),
        sa.Column(
            "form_ids",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("nonce", sa.String(length=64), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", impactkit.store.types.UTCDateTime(), nullable=False),
        sa.Column("revoked_at", impactkit.store.types.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["created_by"], ["app_user.id"]),
        sa.ForeignKeyConstraint(["organisation_id"], ["organisation.id"]),
        sa.ForeignKeyConstraint(["period_id"], ["reporting_period.id"]),
        sa.ForeignKeyConstraint(["project_id"], ["project.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("token_hash"),
    )
    with op.batch_alter_table("collector_access", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_collector_access_organisation_id"), ["organisation_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_collector_access_project_id"), ["project_id"], unique=False)

    op.create_table(
        "response_attachment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("instance_id", sa.String(length=36), nullable=False),
        sa.Column("field", sa.String(length=300), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("content_type", sa.String(length=100), nullable=True),
        sa.Column("size", sa.Integer(), nullable=True),
        sa.Column("sha256", sa.String(length=64), nullable=True),
        sa.Column("received_at", impactkit.store.types.UTCDateTime(), nullable=True),
        sa.Column("created_at", impactkit.store.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["organisation_id"], ["organisation.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("instance_id", "filename"),
    )
    with op.batch_alter_table("response_attachment", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_response_attachment_instance_id"), ["instance_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_response_attachment_organisation_id"), ["organisation_id"], unique=False
        )

    with op.batch_alter_table("survey_response", schema=None) as batch_op:
        batch_op.add_column(sa.Column("version", sa.Integer(), server_default="1", nullable=False))
        batch_op.add_column(sa.Column("previous_instance_id", sa.String(length=36), nullable=True))
        batch_op.add_column(sa.Column("replaced_at", impactkit.store.types.UTCDateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("survey_response", schema=None) as batch_op:
        batch_op.drop_column("replaced_at")
        batch_op.drop_column("previous_instance_id")
        batch_op.drop_column("version")
    op.drop_table("response_attachment")
    op.drop_table("collector_access")
