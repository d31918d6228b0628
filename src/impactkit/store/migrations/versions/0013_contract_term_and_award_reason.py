"""contract term (first and last day, reporting frequency) and the award's reason and officer

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-06 23:05:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("procurement_contract", schema=None) as batch_op:
        batch_op.add_column(sa.Column("starts_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("ends_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("reporting_months", sa.Integer(), nullable=True))
    with op.batch_alter_table("tender", schema=None) as batch_op:
        batch_op.add_column(sa.Column("awarded_by", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("award_reason", sa.String(length=4000), nullable=False, server_default="")
        )
        batch_op.create_foreign_key("fk_tender_awarded_by_app_user", "app_user", ["awarded_by"], ["id"])


def downgrade() -> None:
    with op.batch_alter_table("tender", schema=None) as batch_op:
        batch_op.drop_constraint("fk_tender_awarded_by_app_user", type_="foreignkey")
        batch_op.drop_column("award_reason")
        batch_op.drop_column("awarded_by")
    with op.batch_alter_table("procurement_contract", schema=None) as batch_op:
        batch_op.drop_column("reporting_months")
        batch_op.drop_column("ends_on")
        batch_op.drop_column("starts_on")
