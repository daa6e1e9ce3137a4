"""Read model at scale: search by part of a name (trigram), by case number prefix and by document
number; the supervisors' escalated inbox on an index of its own.

Revision ID: 0007
Revises: 0006
"""
import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    op.add_column("cases", sa.Column("document_key", sa.String(length=40), nullable=False, server_default=""))
    op.execute("UPDATE cases SET document_key = upper(regexp_replace(coalesce("
               "application->'applicant'->>'document_number', application->'worker'->>'document_number', "
               "application->'head'->>'document_number', ''), '[^A-Za-z0-9]', '', 'g'))")
    op.create_index("ix_cases_document_key", "cases", ["document_key"], postgresql_where=sa.text("document_key <> ''"))
    op.execute("CREATE INDEX ix_cases_name_trgm ON cases USING gin (lower(applicant_name) gin_trgm_ops)")
    op.execute("CREATE INDEX ix_cases_number_pattern ON cases (case_number text_pattern_ops)")
    op.execute("CREATE INDEX ix_tasks_open_escalated ON tasks (due_at) "
               "WHERE closed_at IS NULL AND escalated_at IS NOT NULL")


def downgrade() -> None:
    op.drop_index("ix_tasks_open_escalated", "tasks")
    op.drop_index("ix_cases_number_pattern", "cases")
    op.drop_index("ix_cases_name_trgm", "cases")
    op.drop_index("ix_cases_document_key", "cases")
    op.drop_column("cases", "document_key")
