"""The audit log's own copy of each closed case's engine history (it outlives Temporal's retention).

Revision ID: 0005
Revises: 0004
"""
import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "case_history_archive",
        sa.Column("case_number", sa.String(length=32), sa.ForeignKey("cases.case_number"), primary_key=True),
        sa.Column("archived_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("events", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("history_json", sa.Text(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("case_history_archive")
