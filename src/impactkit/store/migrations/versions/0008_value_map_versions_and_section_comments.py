"""value map versions and the evaluator's comments per section

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-04 09:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import impactkit.store.types

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

_JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    with op.batch_alter_table("report_version", schema=None) as batch_op:
        batch_op.add_column(sa.Column("section_comments", _JSON, nullable=True))
    op.create_table(
        "value_map_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("value_map", _JSON, nullable=False),
        sa.Column("sroi_ratio", sa.Float(), nullable=True),
        sa.Column("author_user_id", sa.Integer(), nullable=True),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.Column("note", sa.String(length=500), nullable=False),
        sa.Column("created_at", impactkit.store.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["author_user_id"], ["app_user.id"]),
        sa.ForeignKeyConstraint(["report_id"], ["report.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("report_id", "number"),
    )
    with op.batch_alter_table("value_map_version", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_value_map_version_report_id"), ["report_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("value_map_version", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_value_map_version_report_id"))
    op.drop_table("value_map_version")
    with op.batch_alter_table("report_version", schema=None) as batch_op:
        batch_op.drop_column("section_comments")
