"""What each staff message sent with an Idempotency-Key said (a digest), under the Update ID the key
makes, so that the key reused for another decision or extension is refused instead of answered
with the first one's outcome.

Revision ID: 0022
Revises: 0021
"""
import sqlalchemy as sa
from alembic import op

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "update_keys",
        sa.Column("case_number", sa.String(32), primary_key=True),
        sa.Column("update_id", sa.String(64), primary_key=True),
        sa.Column("digest", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("update_keys")
