"""The consular route: where a claim was lodged (a diplomatic mission, by country code) and which
mission a consular officer serves.

Revision ID: 0012
Revises: 0011
"""
import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("cases", sa.Column("mission", sa.String(length=3), nullable=True))
    op.create_index("ix_cases_mission", "cases", ["mission"], postgresql_where=sa.text("mission IS NOT NULL"))
    op.add_column("staff_users", sa.Column("mission", sa.String(length=3), nullable=True))


def downgrade() -> None:
    op.drop_column("staff_users", "mission")
    op.drop_index("ix_cases_mission", table_name="cases")
    op.drop_column("cases", "mission")
