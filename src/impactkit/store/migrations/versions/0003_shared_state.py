"""shared state: rate limit hits and the authentication epoch

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-06 16:47:33.474081
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

# One call per counted request: the hits of one key are serialised by an advisory lock (the
# key's hash), the key's hits older than the window leave, and the hit is recorded only if the
# window has room. Returns 0 (allowed) or the seconds until the oldest hit leaves the window.
# The clock is the database's, the same for every server process on every machine.
RATE_LIMIT_FUNCTION = """
CREATE OR REPLACE FUNCTION impactkit_rate_limit_hit(p_key text, p_limit integer, p_window double precision)
RETURNS double precision
LANGUAGE plpgsql AS $$
DECLARE
    now_s double precision := extract(epoch FROM clock_timestamp());
    hits integer;
    oldest double precision;
BEGIN
    PERFORM pg_advisory_xact_lock(hashtextextended('impactkit-rate-limit:' || p_key, 0));
    DELETE FROM rate_limit_hit WHERE key = p_key AND at <= now_s - p_window;
    SELECT count(*), min(at) INTO hits, oldest FROM rate_limit_hit WHERE key = p_key;
    IF hits >= p_limit THEN
        RETURN greatest(oldest + p_window - now_s, 0.001);
    END IF;
    INSERT INTO rate_limit_hit (key, at) VALUES (p_key, now_s);
    IF random() < 0.001 THEN  -- now and then, the hits of addresses that never came back
        DELETE FROM rate_limit_hit WHERE at <= now_s - 3600;
    END IF;
    RETURN 0;
END
$$
"""


def upgrade() -> None:
    postgresql = op.get_context().dialect.name == "postgresql"
    op.create_table(
        "auth_epoch",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("value", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.execute("INSERT INTO auth_epoch (id, value) VALUES (1, 0)")
    op.create_table(
        "rate_limit_hit",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("at", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        prefixes=["UNLOGGED"] if postgresql else [],
    )
    with op.batch_alter_table("rate_limit_hit", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_rate_limit_hit_at"), ["at"], unique=False)
        batch_op.create_index("ix_rate_limit_hit_key_at", ["key", "at"], unique=False)
    if postgresql:
        op.execute(RATE_LIMIT_FUNCTION)


def downgrade() -> None:
    if op.get_context().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS impactkit_rate_limit_hit(text, integer, double precision)")
    with op.batch_alter_table("rate_limit_hit", schema=None) as batch_op:
        batch_op.drop_index("ix_rate_limit_hit_key_at")
        batch_op.drop_index(batch_op.f("ix_rate_limit_hit_at"))
    op.drop_table("rate_limit_hit")
    op.drop_table("auth_epoch")
