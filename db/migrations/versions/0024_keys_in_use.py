"""The key ids that have sealed, signed or encrypted something (`keys_in_use`): each process
registers the key it writes with when it starts, so a process that lacks one of them says so by
name (/readyz, the worker's log and metrics) instead of failing on the first case that needs it.

Revision ID: 0024
Revises: 0023
"""
import sqlalchemy as sa
from alembic import op

revision = "0024"
down_revision = "0023"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table("keys_in_use",
                    sa.Column("kind", sa.String(16), primary_key=True),
                    sa.Column("kid", sa.String(64), primary_key=True),
                    sa.Column("first_used_at", sa.DateTime(timezone=True), server_default=sa.func.now(),
                              nullable=False))


def downgrade() -> None:
    op.drop_table("keys_in_use")
