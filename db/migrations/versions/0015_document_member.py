"""Documents say whose they are within the case: 0 the holder, n the n-th family member named in the
application. A family's documents are issued at the same moment and side by side (their numbers are
taken in whichever order their renders start), so the holder's first and the members' in the
application's order is read from here rather than from the numbers.

Revision ID: 0015
Revises: 0014
"""
import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("documents", sa.Column("member", sa.SmallInteger(), nullable=False, server_default="0"))
    # The issue key names the member's series: "<case>:<type>.m<n>:<count>" (workflows/steps/paperwork.py).
    op.execute(r"UPDATE documents SET member = substring(issue_key from '\.m(\d+):')::smallint "
               r"WHERE issue_key ~ '\.m\d+:'")


def downgrade() -> None:
    op.drop_column("documents", "member")
