"""Trust: audit entries name their HMAC key; revoked bearer tokens; sign-in lockouts.

Revision ID: 0006
Revises: 0005
"""
import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Entries written before this revision had plain SHA-256 hashes; nothing was deployed, so a
    # development database from before verifies as broken at its first entry (start it afresh).
    op.add_column("audit_log", sa.Column("key_id", sa.String(length=16), nullable=False, server_default=""))
    op.create_table(
        "revoked_tokens",
        sa.Column("jti", sa.String(length=64), primary_key=True),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "sign_in_lockouts",
        sa.Column("username", sa.String(length=64), primary_key=True),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("lockouts", sa.Integer(), nullable=False),
        sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_failure_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("sign_in_lockouts")
    op.drop_table("revoked_tokens")
    op.drop_column("audit_log", "key_id")
