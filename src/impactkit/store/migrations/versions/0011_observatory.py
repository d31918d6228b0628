"""observatory: publications, the aggregates cache, the curator role

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06 19:55:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import impactkit.store.types

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("app_user", schema=None) as batch_op:
        batch_op.add_column(sa.Column("is_curator", sa.Boolean(), server_default=sa.false(), nullable=False))
    op.create_table(
        "observatory_publication",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=32), nullable=False),
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column("version_number", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("organisation_name", sa.String(length=200), nullable=False),
        sa.Column("legal_form", sa.String(length=40), nullable=False),
        sa.Column("zone", sa.String(length=60), nullable=False),
        sa.Column("territory_type", sa.String(length=10), nullable=False),
        sa.Column("project_name", sa.String(length=200), nullable=False),
        sa.Column("period_label", sa.String(length=80), nullable=False),
        sa.Column("framework_id", sa.String(length=80), nullable=False),
        sa.Column("framework_version", sa.String(length=40), nullable=False),
        sa.Column("plan_objectives", sa.String(length=400), nullable=False),
        sa.Column("sdg_targets", sa.String(length=400), nullable=False),
        sa.Column("imp_dimensions", sa.String(length=100), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column(
            "facts",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("published_at", impactkit.store.types.UTCDateTime(), nullable=False),
        sa.Column("published_by", sa.Integer(), nullable=True),
        sa.Column("withdrawn_at", impactkit.store.types.UTCDateTime(), nullable=True),
        sa.Column("withdrawn_by", sa.Integer(), nullable=True),
        sa.Column("featured_text", sa.String(length=1000), nullable=False),
        sa.Column("featured_at", impactkit.store.types.UTCDateTime(), nullable=True),
        sa.Column("featured_by", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["report_id"], ["report.id"]),
        sa.ForeignKeyConstraint(["organisation_id"], ["organisation.id"]),
        sa.ForeignKeyConstraint(["published_by"], ["app_user.id"]),
        sa.ForeignKeyConstraint(["withdrawn_by"], ["app_user.id"]),
        sa.ForeignKeyConstraint(["featured_by"], ["app_user.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("slug"),
    )
    with op.batch_alter_table("observatory_publication", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_observatory_publication_report_id"), ["report_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_observatory_publication_organisation_id"), ["organisation_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_observatory_publication_withdrawn_at"), ["withdrawn_at"], unique=False
        )
    op.create_table(
        "observatory_cache",
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("stamp", sa.String(length=80), nullable=False),
        sa.Column(
            "payload",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("computed_at", impactkit.store.types.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )


def downgrade() -> None:
    op.drop_table("observatory_cache")
    with op.batch_alter_table("observatory_publication", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_observatory_publication_withdrawn_at"))
        batch_op.drop_index(batch_op.f("ix_observatory_publication_organisation_id"))
        batch_op.drop_index(batch_op.f("ix_observatory_publication_report_id"))
    op.drop_table("observatory_publication")
    with op.batch_alter_table("app_user", schema=None) as batch_op:
        batch_op.drop_column("is_curator")
