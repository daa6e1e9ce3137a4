"""The foreign-labour quota ledger: buckets, the units cases hold, and amendments.

Revision ID: 0004
Revises: 0003
"""
import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "quota_buckets",
        sa.Column("year", sa.Integer(), primary_key=True),
        sa.Column("region", sa.String(length=4), primary_key=True),
        sa.Column("sector", sa.String(length=32), primary_key=True),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("reserved", sa.Integer(), nullable=False),
        sa.Column("consumed", sa.Integer(), nullable=False),
        sa.Column("legal_act", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("reserved >= 0 AND consumed >= 0 AND reserved + consumed <= size",
                           name="ck_quota_not_oversold"),
    )
    op.create_table(
        "quota_units",
        sa.Column("case_number", sa.String(length=32), sa.ForeignKey("cases.case_number"), primary_key=True),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("region", sa.String(length=4), nullable=False),
        sa.Column("sector", sa.String(length=32), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("reserved_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("consumed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("released_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_table(
        "quota_amendments",
        sa.Column("id", sa.BigInteger(), primary_key=True),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("region", sa.String(length=4), nullable=False),
        sa.Column("sector", sa.String(length=32), nullable=False),
        sa.Column("old_size", sa.Integer(), nullable=False),
        sa.Column("new_size", sa.Integer(), nullable=False),
        sa.Column("legal_act", sa.Text(), nullable=False),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("quota_amendments")
    op.drop_table("quota_units")
    op.drop_table("quota_buckets")
