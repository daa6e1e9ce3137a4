"""Agencies' quarterly reports of the citizens they placed abroad, by country and sector.

Revision ID: 0011
Revises: 0010
"""
import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "placement_reports",
        sa.Column("case_number", sa.String(length=32), sa.ForeignKey("cases.case_number"), primary_key=True),
        sa.Column("period", sa.Integer(), primary_key=True),
        sa.Column("country", sa.String(length=3), primary_key=True),
        sa.Column("sector", sa.String(length=40), primary_key=True),
        sa.Column("placed", sa.Integer(), nullable=False),
        sa.Column("period_ended", sa.DateTime(timezone=True), nullable=False),
        sa.Column("filed_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    )
    op.create_index("ix_placement_reports_period_ended", "placement_reports", ["period_ended"])


def downgrade() -> None:
    op.drop_table("placement_reports")
