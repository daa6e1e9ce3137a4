"""When a case's workflow stopped answering (its workflow task failing, or no workflow): set by the
reconciler (activities/reconciler.py) and cleared once it answers again, so that the case page says
its processing has stalled instead of offering steps the engine cannot take. And how far the
reconciler's rounds have looked (`reconciler_rounds`), so that a worker that starts takes up from
there instead of querying every case.

Revision ID: 0023
Revises: 0022
"""
import sqlalchemy as sa
from alembic import op

revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("cases", sa.Column("stalled_since", sa.DateTime(timezone=True)))
    op.create_table("reconciler_rounds",
                    sa.Column("name", sa.String(32), primary_key=True),
                    sa.Column("checked_through", sa.DateTime(timezone=True), nullable=False))


def downgrade() -> None:
    op.drop_table("reconciler_rounds")
    op.drop_column("cases", "stalled_since")
