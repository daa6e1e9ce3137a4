"""Documents as signed PDFs: what each document's signature covers, the one it replaces, how
its life ended (revoked, expired, suspended, and why), and its PDF's bytes (sealed at rest).

Revision ID: 0009
Revises: 0008
"""
import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("documents", sa.Column("doc_kind", sa.String(length=16), nullable=False, server_default="certificate"))
    op.add_column("documents", sa.Column("replaces", sa.String(length=40), nullable=True))
    op.add_column("documents", sa.Column("replaced_by", sa.String(length=40), nullable=True))
    op.add_column("documents", sa.Column("status", sa.String(length=16), nullable=False, server_default="valid"))
    op.add_column("documents", sa.Column("status_ground", sa.String(length=60), nullable=False, server_default=""))
    op.add_column("documents", sa.Column("status_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("documents", sa.Column("seal", sa.Text(), nullable=False, server_default=""))
    op.add_column("documents", sa.Column("sha256", sa.String(length=64), nullable=False, server_default=""))
    op.execute("UPDATE documents SET status = 'revoked', status_at = revoked_at WHERE revoked_at IS NOT NULL")
    op.drop_column("documents", "revoked_at")  # superseded by status and status_at
    op.create_table(
        "document_files",
        sa.Column("number", sa.String(length=40), sa.ForeignKey("documents.number"), primary_key=True),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    )


def downgrade() -> None:
    op.add_column("documents", sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True))
    op.execute("UPDATE documents SET revoked_at = status_at WHERE status = 'revoked'")
    op.drop_table("document_files")
    for column in ("sha256", "seal", "status_at", "status_ground", "status", "replaced_by", "replaces", "doc_kind"):
        op.drop_column("documents", column)
