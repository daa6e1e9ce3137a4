"""Cases say whether Temporal has their workflow, so that the sweep that starts the workflows of cases stored
while Temporal was away looks only at those (it used to take the oldest hundred with no step recorded, which a
hundred cases whose workflows never record a step would fill for ever).

Revision ID: 0014
Revises: 0013
"""
import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("cases", sa.Column("workflow_started", sa.Boolean(), nullable=False, server_default=sa.false()))
    # A case with a recorded step has a workflow; the others are checked (and marked) by the next sweep.
    op.execute("UPDATE cases SET workflow_started = true WHERE last_seq > 0")
    op.create_index("ix_cases_workflow_pending", "cases", ["lodged_at", "case_number"],
                    postgresql_where=sa.text("NOT workflow_started"))


def downgrade() -> None:
    op.drop_index("ix_cases_workflow_pending", table_name="cases")
    op.drop_column("cases", "workflow_started")
