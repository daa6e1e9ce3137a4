"""Transitions written by a local activity inside a workflow task: which workflow task wrote each one (its
mark: the run's start and the history's length), a fingerprint of what it says, and the transitions a retried workflow task
superseded because the attempt that wrote them never completed.

Revision ID: 0013
Revises: 0012
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("cases", sa.Column("last_task_mark", sa.BigInteger(), nullable=False, server_default="0"))
    op.add_column("case_transitions", sa.Column("task_mark", sa.BigInteger(), nullable=False,
                                                server_default="0"))
    op.add_column("case_transitions", sa.Column("fingerprint", sa.String(length=64), nullable=False,
                                                server_default=""))
    op.create_table(
        "superseded_transitions",
        sa.Column("id", sa.BigInteger(), primary_key=True),
        sa.Column("case_number", sa.String(length=32), sa.ForeignKey("cases.case_number"), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("superseded_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.Column("superseded_by_task_mark", sa.BigInteger(), nullable=False),
        sa.Column("record", JSONB(), nullable=False),
    )
    op.create_index("ix_superseded_transitions_case_number", "superseded_transitions", ["case_number"])


def downgrade() -> None:
    op.drop_table("superseded_transitions")
    op.drop_column("case_transitions", "fingerprint")
    op.drop_column("case_transitions", "task_mark")
    op.drop_column("cases", "last_task_mark")
