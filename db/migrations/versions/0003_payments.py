"""The payment ledger for repatriation reimbursements.

Revision ID: 0003
Revises: 0002
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "payments",
        sa.Column("idempotency_key", sa.String(length=80), primary_key=True),
        sa.Column("case_number", sa.String(length=32), sa.ForeignKey("cases.case_number"), nullable=False),
        sa.Column("attempt", sa.Integer(), nullable=False),
        sa.Column("deceased_key", sa.String(length=64), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("account", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("status", sa.String(length=8), nullable=False),
        sa.Column("ordered_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("settled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("bank_reference", sa.String(length=60), nullable=False),
        sa.Column("failure", sa.String(length=200), nullable=False),
    )
    op.create_index("ix_payments_case_number", "payments", ["case_number"])
    op.create_index("uq_payments_one_per_deceased", "payments", ["deceased_key"], unique=True,
                    postgresql_where=sa.text("status <> 'failed'"))


def downgrade() -> None:
    op.drop_table("payments")
