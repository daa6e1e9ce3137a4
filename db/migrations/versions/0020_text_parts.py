"""Each part of a text and what its delivery receipt said. A text in Cyrillic is two parts (a part
holds 70 characters of it), each with its own id at the SMS centre and its own receipt; the phone
shows the text only once it has them all. A text is delivered when every part is, and not
delivered as soon as one part is not. Before, only the last part's receipt was kept.

A text is known by the first notification it told of (`text_id`), not by a centre's id: centres
number their messages as they please and may give a number again (a small one after its restart).
A receipt is matched to the latest part of its id sent within a week that has no receipt yet. Texts sent before are one part
each here, with what their receipt said.

Revision ID: 0020
Revises: 0019
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "text_parts",
        sa.Column("id", sa.BigInteger, primary_key=True),
        sa.Column("text_id", sa.BigInteger, nullable=False),
        sa.Column("notification_ids", postgresql.ARRAY(sa.BigInteger), nullable=False),
        sa.Column("message_id", sa.String(65), nullable=False),
        sa.Column("part", sa.SmallInteger, nullable=False),
        sa.Column("delivery", sa.String(12), nullable=False, server_default=""),
        sa.Column("delivery_at", sa.DateTime(timezone=True)),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    )
    op.create_index("ix_text_parts_message_id", "text_parts", ["message_id"])
    op.create_index("ix_text_parts_text_id", "text_parts", ["text_id"])
    op.execute("""
        INSERT INTO text_parts (text_id, notification_ids, message_id, part, delivery, delivery_at, sent_at)
        SELECT min(id), array_agg(id ORDER BY id), provider_ref, 1, max(delivery), max(delivery_at), sent_at
        FROM notifications WHERE provider_ref IS NOT NULL AND channel = 'sms'
        GROUP BY provider_ref, sent_at""")
    # The parts hold the ids now: the notifications' copy of one of them would only go stale.
    op.drop_index("ix_notifications_provider_ref", table_name="notifications")
    op.drop_column("notifications", "provider_ref")


def downgrade() -> None:
    op.add_column("notifications", sa.Column("provider_ref", sa.String(65)))
    op.execute("""
        UPDATE notifications n SET provider_ref = (
            SELECT p.message_id FROM text_parts p WHERE n.id = ANY(p.notification_ids) ORDER BY p.part DESC LIMIT 1)""")
    op.create_index("ix_notifications_provider_ref", "notifications", ["provider_ref"],
                    postgresql_where=sa.text("provider_ref IS NOT NULL"))
    op.drop_table("text_parts")
