"""PostgreSQL says when what an applicant's status look-up shows has changed: a case's row, its
transitions or its documents. Each write to them sends NOTIFY aryz_case_changed with the case
number (at commit, once per case per transaction); an API process keeps the status answers it
has given in memory and forgets a case's as soon as it hears of it (api/status_cache.py).
A trigger and not the writers themselves, so that no writer, today's or tomorrow's, a repair made
by hand in psql included, can change a case without the API hearing of it. TRUNCATE says "*": all.

Revision ID: 0016
Revises: 0015
"""
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

TABLES = ("cases", "case_transitions", "documents")


def upgrade() -> None:
    op.execute("""
        CREATE FUNCTION aryz_case_changed() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP = 'TRUNCATE' THEN
                PERFORM pg_notify('aryz_case_changed', '*');
            ELSIF TG_OP = 'DELETE' THEN
                PERFORM pg_notify('aryz_case_changed', OLD.case_number);
            ELSE
                PERFORM pg_notify('aryz_case_changed', NEW.case_number);
                IF TG_OP = 'UPDATE' AND OLD.case_number IS DISTINCT FROM NEW.case_number THEN
                    PERFORM pg_notify('aryz_case_changed', OLD.case_number);
                END IF;
            END IF;
            RETURN NULL;
        END $$""")
    for table in TABLES:
        op.execute(f"CREATE TRIGGER aryz_case_changed AFTER INSERT OR UPDATE OR DELETE ON {table} "
                   "FOR EACH ROW EXECUTE FUNCTION aryz_case_changed()")
        op.execute(f"CREATE TRIGGER aryz_case_truncated AFTER TRUNCATE ON {table} "
                   "FOR EACH STATEMENT EXECUTE FUNCTION aryz_case_changed()")


def downgrade() -> None:
    for table in TABLES:
        op.execute(f"DROP TRIGGER aryz_case_truncated ON {table}")
        op.execute(f"DROP TRIGGER aryz_case_changed ON {table}")
    op.execute("DROP FUNCTION aryz_case_changed()")
