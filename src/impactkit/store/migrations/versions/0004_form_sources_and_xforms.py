"""form sources and xforms

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-06 12:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import impactkit.store.types

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "form_source",
        sa.Column("form_version_id", sa.Integer(), nullable=False),
        sa.Column("xlsform", sa.LargeBinary(), nullable=False),
        sa.Column("xform", sa.Text(), nullable=False),
        sa.Column("xform_md5", sa.String(length=32), nullable=False),
        sa.Column(
            "media",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("created_at", impactkit.store.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["form_version_id"], ["form_version.id"]),
        sa.PrimaryKeyConstraint("form_version_id"),
    )


def downgrade() -> None:
    op.drop_table("form_source")
