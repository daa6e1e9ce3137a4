"""Tables of the read model, registries and the audit log."""

from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    type_annotation_map = {dict[str, Any]: JSONB, list[str]: ARRAY(String), datetime: DateTime(timezone=True)}


class StaffUser(Base):
    __tablename__ = "staff_users"
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    full_name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(200))
    roles: Mapped[list[str]]
    mission: Mapped[str | None] = mapped_column(String(3))  # a consular officer's mission (country code)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())
    sessions_valid_after: Mapped[datetime | None]  # "sign out everywhere": older sessions are refused


class Case(Base):
    """Where a case is, as the workflow last recorded it, plus the application itself."""

    __tablename__ = "cases"
    case_number: Mapped[str] = mapped_column(String(32), primary_key=True)
    procedure: Mapped[str] = mapped_column(String(32), index=True)
    state: Mapped[str] = mapped_column(String(40), index=True)
    awaiting: Mapped[str] = mapped_column(Text, default="")
    deadline: Mapped[datetime | None]
    last_seq: Mapped[int] = mapped_column(Integer, default=0)
    # The mark of the workflow task that wrote last_seq (workflows/steps/recorder.py): a write from an
    # older attempt of a workflow task (one that never completed) is refused once a newer one has written.
    last_task_mark: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    # The first run ID of the workflow chain serving the case, bound by the first transition that
    # names one (db/repositories/transitions.py): no other workflow writes the case's records.
    workflow_chain: Mapped[str | None] = mapped_column(String(64))
    # Since when the case's workflow does not answer the reconciler (None while it does): the case
    # page then says its processing has stalled instead of offering steps.
    stalled_since: Mapped[datetime | None]
    # Set once Temporal has the case's workflow (started, or found already started): the sweep starts only
    # cases without it, so a case whose workflow never records a step cannot hold others back.
    workflow_started: Mapped[bool] = mapped_column(Boolean, default=False, server_default=text("false"))
    region: Mapped[str] = mapped_column(String(4))
    applicant_name: Mapped[str] = mapped_column(String(320))  # for staff search only
    # The holder's document number, upper case, letters and digits only: for staff search only.
    document_key: Mapped[str] = mapped_column(String(40), default="", server_default="")
    # The diplomatic mission (country code) where the claim was lodged; None: at home.
    mission: Mapped[str | None] = mapped_column(String(3))
    # The language the applicant applied in (ky, ru, en; "" when a client did not say): what a text
    # message about their case is written in (activities/notifications.py).
    lang: Mapped[str] = mapped_column(String(2), default="", server_default="")
    application: Mapped[dict[str, Any]]
    access_code_hash: Mapped[str] = mapped_column(String(64))
    access_seed: Mapped[str] = mapped_column(String(32))
    dedupe_key: Mapped[str] = mapped_column(String(128))
    payload_hash: Mapped[str] = mapped_column(String(64))
    lodged_at: Mapped[datetime] = mapped_column(server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(server_default=func.now())
    __table_args__ = (
        UniqueConstraint("procedure", "dedupe_key", name="uq_cases_dedupe"),
        Index("ix_cases_applicant_name", text("lower(applicant_name) text_pattern_ops")),
        Index("ix_cases_document_key", "document_key", postgresql_where=text("document_key <> ''")),
        Index("ix_cases_name_trgm", text("lower(applicant_name) gin_trgm_ops"), postgresql_using="gin"),
        Index("ix_cases_number_pattern", text("case_number text_pattern_ops")),
        Index("ix_cases_mission", "mission", postgresql_where=text("mission IS NOT NULL")),
        Index("ix_cases_workflow_pending", "lodged_at", "case_number", postgresql_where=text("NOT workflow_started")),
    )


class CaseTransition(Base):
    __tablename__ = "case_transitions"
    case_number: Mapped[str] = mapped_column(ForeignKey("cases.case_number"), primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime]
    state: Mapped[str] = mapped_column(String(40))
    event: Mapped[str] = mapped_column(String(40))
    step: Mapped[str] = mapped_column(String(200), default="")
    outcome: Mapped[str] = mapped_column(String(40), default="")
    actor: Mapped[str] = mapped_column(String(64), default="system")
    actor_role: Mapped[str] = mapped_column(String(32), default="")
    reason: Mapped[str] = mapped_column(Text, default="")
    public_note: Mapped[str] = mapped_column(Text, default="")  # a key of schemas.notes.NOTES
    note_params: Mapped[dict[str, Any]] = mapped_column(default=dict, server_default=text("'{}'::jsonb"))
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)
    task_mark: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    fingerprint: Mapped[str] = mapped_column(String(64), default="", server_default="")


class SupersededTransition(Base):
    """A transition written by a workflow task that never completed, replaced by the one its retry
    wrote under the same seq: kept whole (with its notification, if any) for the auditors."""

    __tablename__ = "superseded_transitions"
    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    case_number: Mapped[str] = mapped_column(ForeignKey("cases.case_number"), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    superseded_at: Mapped[datetime] = mapped_column(server_default=func.now())
    superseded_by_task_mark: Mapped[int] = mapped_column(BigInteger)
    record: Mapped[dict[str, Any]]


class Task(Base):
    """An open (or closed) human step, as shown in officers' inboxes."""

    __tablename__ = "tasks"
    task_id: Mapped[str] = mapped_column(String(96), primary_key=True)
    case_number: Mapped[str] = mapped_column(ForeignKey("cases.case_number"), index=True)
    procedure: Mapped[str] = mapped_column(String(32))
    step: Mapped[str] = mapped_column(String(40))
    role: Mapped[str] = mapped_column(String(32))
    title: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(8), default="task", server_default="task")
    outcomes: Mapped[list[str]]
    due_at: Mapped[datetime | None]
    opened_at: Mapped[datetime]
    closed_at: Mapped[datetime | None]
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    reminded_at: Mapped[datetime | None]
    escalated_at: Mapped[datetime | None]
    clock: Mapped[str] = mapped_column(String(40), default="", server_default="")  # extendable deadline, if any
    __table_args__ = (Index("ix_tasks_open_role_due", "role", "due_at", postgresql_where=text("closed_at IS NULL")),)


class AuditEntry(Base):
    """Append-only, hash-chained: each entry's hash is an HMAC (key `key_id`, held outside the
    database) over its content and the previous hash."""

    __tablename__ = "audit_log"
    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    at: Mapped[datetime]
    case_number: Mapped[str | None] = mapped_column(String(32), index=True)
    actor: Mapped[str] = mapped_column(String(64))
    actor_role: Mapped[str] = mapped_column(String(32), default="")
    action: Mapped[str] = mapped_column(String(48))
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)
    idempotency_key: Mapped[str | None] = mapped_column(String(128), unique=True)
    key_id: Mapped[str] = mapped_column(String(16), default="", server_default="")
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)
    __table_args__ = (Index("ix_audit_log_shown", text("(detail->'shown') jsonb_path_ops"), postgresql_using="gin"),)


class IssuedDocumentRow(Base):
    __tablename__ = "documents"
    number: Mapped[str] = mapped_column(String(40), primary_key=True)
    issue_key: Mapped[str] = mapped_column(String(128), unique=True)
    case_number: Mapped[str] = mapped_column(ForeignKey("cases.case_number"), index=True)
    doc_type: Mapped[str] = mapped_column(String(8))
    issued_at: Mapped[datetime]
    valid_until: Mapped[datetime | None]
    holder_initials: Mapped[str] = mapped_column(String(16))
    member: Mapped[int] = mapped_column(SmallInteger, default=0, server_default="0")  # 0 the holder, n a family member
    doc_kind: Mapped[str] = mapped_column(String(16), default="certificate")  # certificate | decision | letter
    replaces: Mapped[str | None] = mapped_column(String(40))
    replaced_by: Mapped[str | None] = mapped_column(String(40))
    # valid | suspended | revoked | expired; 'expired' is also read from valid_until at any moment.
    status: Mapped[str] = mapped_column(String(16), default="valid")
    status_ground: Mapped[str] = mapped_column(String(60), default="")
    status_at: Mapped[datetime | None]
    seal: Mapped[str] = mapped_column(Text, default="")  # the signed canonical data (the QR code's seal)
    sha256: Mapped[str] = mapped_column(String(64), default="")  # of the stored PDF, as issued


class DocumentFile(Base):
    """The PDF of an issued document, sealed at rest (it names the holder)."""

    __tablename__ = "document_files"
    number: Mapped[str] = mapped_column(ForeignKey("documents.number"), primary_key=True)
    content: Mapped[bytes] = mapped_column(LargeBinary)
    size: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())


class NumberSequence(Base):
    """Gap-free counters: case numbers and document numbers per scope (e.g. 'REF-2026')."""

    __tablename__ = "number_sequences"
    scope: Mapped[str] = mapped_column(String(40), primary_key=True)
    last_value: Mapped[int] = mapped_column(BigInteger)


class CaseFile(Base):
    """A file an applicant uploaded; the workflow sees only its id and digest."""

    __tablename__ = "case_files"
    file_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    case_number: Mapped[str] = mapped_column(ForeignKey("cases.case_number"), index=True)
    filename: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    uploaded_at: Mapped[datetime] = mapped_column(server_default=func.now())


class Notification(Base):
    """Outbox of messages to applicants, written in the same transaction as the transition."""

    __tablename__ = "notifications"
    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    case_number: Mapped[str] = mapped_column(ForeignKey("cases.case_number"), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    message: Mapped[str] = mapped_column(Text)  # a note's key, rendered in the applicant's language when sent
    params: Mapped[dict[str, Any]] = mapped_column(default=dict, server_default=text("'{}'::jsonb"))
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())
    sent_at: Mapped[datetime | None]
    channel: Mapped[str] = mapped_column(String(8), default="", server_default="")  # email | sms | none | refused | stale
    # What the receipts of a text's parts said of the whole text (TextPart; activities/sms_receipts.py).
    delivery: Mapped[str] = mapped_column(String(12), default="", server_default="")
    delivery_at: Mapped[datetime | None]
    __table_args__ = (UniqueConstraint("case_number", "seq", name="uq_notifications_case_seq"),
                      Index("ix_notifications_unsent", "id", postgresql_where=text("sent_at IS NULL")))


class TextPart(Base):
    """One part of a text to an applicant, by its id at the SMS centre, and what the receipt for
    that part said: a text is delivered only when each of its parts is (db/repositories/notifications.py)."""

    __tablename__ = "text_parts"
    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    text_id: Mapped[int] = mapped_column(BigInteger, index=True)  # the first notification the text told of
    notification_ids: Mapped[list[int]] = mapped_column(ARRAY(BigInteger))  # every one it told of
    message_id: Mapped[str] = mapped_column(String(65), index=True)
    part: Mapped[int] = mapped_column(SmallInteger)
    delivery: Mapped[str] = mapped_column(String(12), default="", server_default="")
    delivery_at: Mapped[datetime | None]
    sent_at: Mapped[datetime] = mapped_column(server_default=func.now())


class PlacementReport(Base):
    """What an agency reported for one quarter: citizens placed abroad, by country and sector
    (numbers only, no person); the statistics are summed from here."""

    __tablename__ = "placement_reports"
    case_number: Mapped[str] = mapped_column(ForeignKey("cases.case_number"), primary_key=True)
    period: Mapped[int] = mapped_column(Integer, primary_key=True)
    country: Mapped[str] = mapped_column(String(3), primary_key=True)
    sector: Mapped[str] = mapped_column(String(40), primary_key=True)
    placed: Mapped[int] = mapped_column(Integer)
    period_ended: Mapped[datetime]
    filed_at: Mapped[datetime] = mapped_column(server_default=func.now())


class Payment(Base):
    """The payment ledger: one row per transfer attempt. A person who died is paid for once: at
    most one attempt per deceased is ordered or paid at any time (a failed one frees the slot)."""

    __tablename__ = "payments"
    idempotency_key: Mapped[str] = mapped_column(String(80), primary_key=True)
    case_number: Mapped[str] = mapped_column(ForeignKey("cases.case_number"), index=True)
    attempt: Mapped[int] = mapped_column(Integer)
    deceased_key: Mapped[str] = mapped_column(String(64))
    amount: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    account: Mapped[dict[str, Any]]
    status: Mapped[str] = mapped_column(String(8))  # ordered | paid | failed
    ordered_at: Mapped[datetime]
    settled_at: Mapped[datetime | None]
    bank_reference: Mapped[str] = mapped_column(String(60), default="")
    failure: Mapped[str] = mapped_column(String(200), default="")
    __table_args__ = (Index("uq_payments_one_per_deceased", "deceased_key", unique=True,
                            postgresql_where=text("status <> 'failed'")),)


class QuotaBucket(Base):
    """One region × sector bucket of a year's foreign-labour quota. The counters move only under
    the row's lock, and the database itself refuses an oversold bucket (check constraint)."""

    __tablename__ = "quota_buckets"
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    region: Mapped[str] = mapped_column(String(4), primary_key=True)
    sector: Mapped[str] = mapped_column(String(32), primary_key=True)
    size: Mapped[int] = mapped_column(Integer)
    reserved: Mapped[int] = mapped_column(Integer, default=0)
    consumed: Mapped[int] = mapped_column(Integer, default=0)
    legal_act: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime]
    __table_args__ = (CheckConstraint("reserved >= 0 AND consumed >= 0 AND reserved + consumed <= size",
                                      name="ck_quota_not_oversold"),)


class QuotaUnit(Base):
    """The quota unit a work-permit case holds: reserved, consumed, or released."""

    __tablename__ = "quota_units"
    case_number: Mapped[str] = mapped_column(ForeignKey("cases.case_number"), primary_key=True)
    year: Mapped[int] = mapped_column(Integer)
    region: Mapped[str] = mapped_column(String(4))
    sector: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(10))
    reserved_at: Mapped[datetime]
    consumed_at: Mapped[datetime | None]
    released_at: Mapped[datetime | None]


class QuotaAmendment(Base):
    __tablename__ = "quota_amendments"
    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    year: Mapped[int] = mapped_column(Integer)
    region: Mapped[str] = mapped_column(String(4))
    sector: Mapped[str] = mapped_column(String(32))
    old_size: Mapped[int] = mapped_column(Integer)
    new_size: Mapped[int] = mapped_column(Integer)
    legal_act: Mapped[str] = mapped_column(Text)
    actor: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime]


class CaseHistoryArchive(Base):
    """A closed case's engine history as Temporal stored it (payloads still encrypted)."""

    __tablename__ = "case_history_archive"
    case_number: Mapped[str] = mapped_column(ForeignKey("cases.case_number"), primary_key=True)
    archived_at: Mapped[datetime]
    events: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    history_json: Mapped[str] = mapped_column(Text)


class RevokedToken(Base):
    """A bearer token signed out before it expired (kept until it would have expired)."""

    __tablename__ = "revoked_tokens"
    jti: Mapped[str] = mapped_column(String(64), primary_key=True)
    expires_at: Mapped[datetime]


class SignInLockout(Base):
    """Failed sign-ins per account name: after a few, the account is locked for a growing time."""

    __tablename__ = "sign_in_lockouts"
    username: Mapped[str] = mapped_column(String(64), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer)
    lockouts: Mapped[int] = mapped_column(Integer)
    locked_until: Mapped[datetime | None]
    last_failure_at: Mapped[datetime]


class UpdateKey(Base):
    """What a staff message sent with an Idempotency-Key said (its digest), under the Update ID the
    key makes: the key sent again with another message is refused (`key_reused`), not answered with
    the first message's outcome while the second is silently not taken."""

    __tablename__ = "update_keys"
    case_number: Mapped[str] = mapped_column(String(32), primary_key=True)  # Update IDs are a case's own
    update_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    digest: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())


class ReconcilerRound(Base):
    """How far the reconciler has held the cases that moved against the engine (one row)."""

    __tablename__ = "reconciler_rounds"
    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    checked_through: Mapped[datetime]


class KeyInUse(Base):
    """A key id that has written something (kind: payload, data, audit): every process must hold it."""

    __tablename__ = "keys_in_use"
    kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    kid: Mapped[str] = mapped_column(String(64), primary_key=True)
    first_used_at: Mapped[datetime] = mapped_column(server_default=func.now())
