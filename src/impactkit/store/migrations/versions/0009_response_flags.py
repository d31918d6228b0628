"""response flags: duplicates caught on arrival, responses set aside; answers digest

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06 18:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import impactkit.store.types

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("survey_response", schema=None) as batch_op:
        batch_op.add_column(sa.Column("answers_digest", sa.String(length=64), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_survey_response_answers_digest"), ["answers_digest"], unique=False
        )
    op.create_table(
        "response_flag",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("response_id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("set_key", sa.String(length=80), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("note", sa.String(length=2000), nullable=False),
        sa.Column("created_at", impactkit.store.types.UTCDateTime(), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("decided_at", impactkit.store.types.UTCDateTime(), nullable=True),
        sa.Column("decided_by", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["response_id"], ["survey_response.id"]),
        sa.ForeignKeyConstraint(["organisation_id"], ["organisation.id"]),
        sa.ForeignKeyConstraint(["project_id"], ["project.id"]),
        sa.ForeignKeyConstraint(["created_by"], ["app_user.id"]),
        sa.ForeignKeyConstraint(["decided_by"], ["app_user.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("response_flag", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_response_flag_response_id"), ["response_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_response_flag_set_key"), ["set_key"], unique=False)
        batch_op.create_index(
            "ix_response_flag_scope", ["organisation_id", "project_id", "status"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("response_flag", schema=None) as batch_op:
        batch_op.drop_index("ix_response_flag_scope")
        batch_op.drop_index(batch_op.f("ix_response_flag_set_key"))
        batch_op.drop_index(batch_op.f("ix_response_flag_response_id"))
    op.drop_table("response_flag")
    with op.batch_alter_table("survey_response", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_survey_response_answers_digest"))
        batch_op.drop_column("answers_digest")
