"""survey link response counter: the count a link's maximum is enforced against, in the write

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-06 16:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("survey_link", schema=None) as batch_op:
        batch_op.add_column(sa.Column("responses", sa.Integer(), nullable=False, server_default="0"))
    # Responses (not erased) that came through each link so far, stored as "link:<id>".
    op.execute(
        "UPDATE survey_link SET responses = (SELECT count(*) FROM survey_response "
        "WHERE survey_response.source = 'link:' || CAST(survey_link.id AS VARCHAR) "
        "AND survey_response.erased_at IS NULL)"
    )


def downgrade() -> None:
    with op.batch_alter_table("survey_link", schema=None) as batch_op:
        batch_op.drop_column("responses")
