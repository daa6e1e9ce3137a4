"""How each notification reached its applicant: "email", or "none" when the application gave no
email address (a phone only: the status page is where they read it), "refused" when the mail
server refused the address for good, "stale" when it waited too long to be worth a mail. The
unsent are found fast by a partial index.

Revision ID: 0017
Revises: 0016
"""
import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("notifications", sa.Column("channel", sa.String(8), nullable=False, server_default=""))
    op.create_index("ix_notifications_unsent", "notifications", ["id"], postgresql_where=sa.text("sent_at IS NULL"))


def downgrade() -> None:
    op.drop_index("ix_notifications_unsent", table_name="notifications")
    op.drop_column("notifications", "channel")
