"""What became of each text: the SMS centre's id for it (`provider_ref`), and, from the centre's
delivery receipt, whether it reached the phone (`delivery`: delivered, undelivered, expired,
rejected or unknown) and when the receipt came (`delivery_at`).

Revision ID: 0019
Revises: 0018
"""
import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("notifications", sa.Column("provider_ref", sa.String(65)))
    op.add_column("notifications", sa.Column("delivery", sa.String(12), nullable=False, server_default=""))
    op.add_column("notifications", sa.Column("delivery_at", sa.DateTime(timezone=True)))
    op.create_index("ix_notifications_provider_ref", "notifications", ["provider_ref"],
                    postgresql_where=sa.text("provider_ref IS NOT NULL"))


def downgrade() -> None:
    op.drop_index("ix_notifications_provider_ref", table_name="notifications")
    op.drop_column("notifications", "delivery_at")
    op.drop_column("notifications", "delivery")
    op.drop_column("notifications", "provider_ref")
