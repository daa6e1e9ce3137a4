"""The language each applicant applied in, so that a text message about their case is written in it
(a text message has room for one language; a mail carries all three). Cases lodged before have ""
and are texted in Kyrgyz and Russian. A notification may now go by "sms".

Revision ID: 0018
Revises: 0017
"""
import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("cases", sa.Column("lang", sa.String(2), nullable=False, server_default=""))


def downgrade() -> None:
    op.drop_column("cases", "lang")
