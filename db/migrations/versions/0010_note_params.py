"""Notes to applicants are message keys with parameters, rendered in the reader's language when
read: the parameters of each transition's note, and of each notification in the outbox.

Revision ID: 0010
Revises: 0009
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("case_transitions", sa.Column("note_params", postgresql.JSONB(), nullable=False,
                                                server_default=sa.text("'{}'::jsonb")))
    op.add_column("notifications", sa.Column("params", postgresql.JSONB(), nullable=False,
                                             server_default=sa.text("'{}'::jsonb")))


def downgrade() -> None:
    op.drop_column("notifications", "params")
    op.drop_column("case_transitions", "note_params")
