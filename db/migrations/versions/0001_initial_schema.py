"""initial schema

Revision ID: 0001
Revises: 
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('audit_log',
    sa.Column('id', sa.BigInteger(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('case_number', sa.String(length=32), nullable=True),
    sa.Column('actor', sa.String(length=64), nullable=False),
    sa.Column('actor_role', sa.String(length=32), nullable=False),
    sa.Column('action', sa.String(length=48), nullable=False),
    sa.Column('detail', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('idempotency_key', sa.String(length=128), nullable=True),
    sa.Column('prev_hash', sa.String(length=64), nullable=False),
    sa.Column('hash', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('hash'),
    sa.UniqueConstraint('idempotency_key')
    )
    op.create_index(op.f('ix_audit_log_case_number'), 'audit_log', ['case_number'], unique=False)
    op.create_table('cases',
    sa.Column('case_number', sa.String(length=32), nullable=False),
    sa.Column('procedure', sa.String(length=32), nullable=False),
    sa.Column('state', sa.String(length=40), nullable=False),
    sa.Column('awaiting', sa.Text(), nullable=False),
    sa.Column('deadline', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_seq', sa.Integer(), nullable=False),
    sa.Column('region', sa.String(length=4), nullable=False),
    sa.Column('applicant_name', sa.String(length=320), nullable=False),
    sa.Column('application', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('access_code_hash', sa.String(length=64), nullable=False),
    sa.Column('access_seed', sa.String(length=32), nullable=False),
    sa.Column('dedupe_key', sa.String(length=128), nullable=False),
    sa.Column('payload_hash', sa.String(length=64), nullable=False),
    sa.Column('lodged_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.PrimaryKeyConstraint('case_number'),
    sa.UniqueConstraint('procedure', 'dedupe_key', name='uq_cases_dedupe')
    )
    op.create_index('ix_cases_applicant_name', 'cases', [sa.literal_column('lower(applicant_name) text_pattern_ops')], unique=False)
    op.create_index(op.f('ix_cases_procedure'), 'cases', ['procedure'], unique=False)
    op.create_index(op.f('ix_cases_state'), 'cases', ['state'], unique=False)
    op.create_table('number_sequences',
    sa.Column('scope', sa.String(length=40), nullable=False),
    sa.Column('last_value', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('scope')
    )
    op.create_table('staff_users',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('username', sa.String(length=64), nullable=False),
    sa.Column('full_name', sa.String(length=200), nullable=False),
    sa.Column('password_hash', sa.String(length=200), nullable=False),
    sa.Column('roles', postgresql.ARRAY(sa.String()), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('username')
    )
    op.create_table('case_files',
    sa.Column('file_id', sa.String(length=36), nullable=False),
    sa.Column('case_number', sa.String(length=32), nullable=False),
    sa.Column('filename', sa.String(length=200), nullable=False),
    sa.Column('content_type', sa.String(length=100), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('content', sa.LargeBinary(), nullable=False),
    sa.Column('uploaded_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['case_number'], ['cases.case_number'], ),
    sa.PrimaryKeyConstraint('file_id')
    )
    op.create_index(op.f('ix_case_files_case_number'), 'case_files', ['case_number'], unique=False)
    op.create_table('case_transitions',
    sa.Column('case_number', sa.String(length=32), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('state', sa.String(length=40), nullable=False),
    sa.Column('event', sa.String(length=40), nullable=False),
    sa.Column('step', sa.String(length=40), nullable=False),
    sa.Column('outcome', sa.String(length=40), nullable=False),
    sa.Column('actor', sa.String(length=64), nullable=False),
    sa.Column('actor_role', sa.String(length=32), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('public_note', sa.Text(), nullable=False),
    sa.Column('detail', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.ForeignKeyConstraint(['case_number'], ['cases.case_number'], ),
    sa.PrimaryKeyConstraint('case_number', 'seq')
    )
    op.create_table('documents',
    sa.Column('number', sa.String(length=40), nullable=False),
    sa.Column('issue_key', sa.String(length=128), nullable=False),
    sa.Column('case_number', sa.String(length=32), nullable=False),
    sa.Column('doc_type', sa.String(length=8), nullable=False),
    sa.Column('issued_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('valid_until', sa.DateTime(timezone=True), nullable=True),
    sa.Column('holder_initials', sa.String(length=16), nullable=False),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['case_number'], ['cases.case_number'], ),
    sa.PrimaryKeyConstraint('number'),
    sa.UniqueConstraint('issue_key')
    )
    op.create_index(op.f('ix_documents_case_number'), 'documents', ['case_number'], unique=False)
    op.create_table('notifications',
    sa.Column('id', sa.BigInteger(), nullable=False),
    sa.Column('case_number', sa.String(length=32), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('message', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['case_number'], ['cases.case_number'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('case_number', 'seq', name='uq_notifications_case_seq')
    )
    op.create_index(op.f('ix_notifications_case_number'), 'notifications', ['case_number'], unique=False)
    op.create_table('tasks',
    sa.Column('task_id', sa.String(length=96), nullable=False),
    sa.Column('case_number', sa.String(length=32), nullable=False),
    sa.Column('procedure', sa.String(length=32), nullable=False),
    sa.Column('step', sa.String(length=40), nullable=False),
    sa.Column('role', sa.String(length=32), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('outcomes', postgresql.ARRAY(sa.String()), nullable=False),
    sa.Column('due_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('opened_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('claimed_by', sa.String(length=64), nullable=True),
    sa.Column('reminded_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('escalated_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['case_number'], ['cases.case_number'], ),
    sa.PrimaryKeyConstraint('task_id')
    )
    op.create_index(op.f('ix_tasks_case_number'), 'tasks', ['case_number'], unique=False)
    op.create_index('ix_tasks_open_role_due', 'tasks', ['role', 'due_at'], unique=False, postgresql_where=sa.text('closed_at IS NULL'))


    # The audit log is append-only in the database itself, whatever the application does.
    op.execute("CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ "
               "BEGIN RAISE EXCEPTION 'audit_log is append-only'; END $$")
    op.execute("CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log "
               "FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()")
    op.execute("CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log "
               "FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only()")


def downgrade() -> None:
    op.execute("DROP TRIGGER audit_log_no_truncate ON audit_log")
    op.execute("DROP TRIGGER audit_log_no_change ON audit_log")
    op.execute("DROP FUNCTION audit_log_append_only()")
    op.drop_index('ix_tasks_open_role_due', table_name='tasks', postgresql_where=sa.text('closed_at IS NULL'))
    op.drop_index(op.f('ix_tasks_case_number'), table_name='tasks')
    op.drop_table('tasks')
    op.drop_index(op.f('ix_notifications_case_number'), table_name='notifications')
    op.drop_table('notifications')
    op.drop_index(op.f('ix_documents_case_number'), table_name='documents')
    op.drop_table('documents')
    op.drop_table('case_transitions')
    op.drop_index(op.f('ix_case_files_case_number'), table_name='case_files')
    op.drop_table('case_files')
    op.drop_table('staff_users')
    op.drop_table('number_sequences')
    op.drop_index(op.f('ix_cases_state'), table_name='cases')
    op.drop_index(op.f('ix_cases_procedure'), table_name='cases')
    op.drop_index('ix_cases_applicant_name', table_name='cases')
    op.drop_table('cases')
    op.drop_index(op.f('ix_audit_log_case_number'), table_name='audit_log')
    op.drop_table('audit_log')
