"""The officers' workspace: the deadline a task runs on (a supervisor extends it from the case
page), sign-out everywhere (sessions before a moment are refused), and
"who saw this case" over inbox lists (one audit entry per list, the case numbers it showed).

Revision ID: 0008
Revises: 0007
"""
import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("staff_users", sa.Column("sessions_valid_after", sa.DateTime(timezone=True), nullable=True))
    op.add_column("tasks", sa.Column("clock", sa.String(length=40), nullable=False, server_default=""))
    op.execute("CREATE INDEX ix_audit_log_shown ON audit_log USING gin ((detail->'shown') jsonb_path_ops)")


def downgrade() -> None:
    op.drop_index("ix_audit_log_shown", "audit_log")
    op.drop_column("tasks", "clock")
    op.drop_column("staff_users", "sessions_valid_after")
