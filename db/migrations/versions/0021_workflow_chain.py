"""The workflow execution that serves each case: the first run of its chain of runs
(`workflow_chain`, its run ID, the same across continue-as-new and an operator's reset). Bound by
the case's first transition written with one; a write from any other workflow (a twin started
from a copied input, a squatter) is refused. NULL for a case not yet bound.

Revision ID: 0021
Revises: 0020
"""
import sqlalchemy as sa
from alembic import op

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("cases", sa.Column("workflow_chain", sa.String(64)))


def downgrade() -> None:
    op.drop_column("cases", "workflow_chain")
