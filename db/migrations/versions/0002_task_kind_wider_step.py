"""Tasks are either work due in an inbox or actions available on a case; a transition may name
several steps opened together.

Revision ID: 0002
Revises: 0001
"""
import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("tasks", sa.Column("kind", sa.String(length=8), nullable=False, server_default="task"))
    op.alter_column("case_transitions", "step", type_=sa.String(length=200))


def downgrade() -> None:
    op.alter_column("case_transitions", "step", type_=sa.String(length=40))
    op.drop_column("tasks", "kind")
