"""Configuration, read from ARYZ_* environment variables (pydantic-settings)."""

from functools import lru_cache
from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

ROOT = Path(__file__).resolve().parent


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="ARYZ_", extra="ignore")

    # Unset means "start the embedded one under var_dir" (see stack/).
    database_url: str | None = None  # the application's role: INSERT and SELECT only on the audit log
    migration_database_url: str | None = None  # the schema owner's, for `aryz migrate` only
    app_db_password: SecretStr | None = None  # set on the application's role by `aryz migrate`
    temporal_address: str | None = None
    temporal_namespace: str = "default"
    temporal_tls: bool = False
    # Mutual TLS to a self-hosted cluster (PEM files); the CA is the cluster's, not the system's.
    temporal_tls_ca: Path | None = None
    temporal_tls_cert: Path | None = None
    temporal_tls_key: Path | None = None
    temporal_tls_server_name: str | None = None
    # Temporal Cloud's API key, or the JWT a self-hosted cluster's authorizer checks ("Bearer").
    temporal_api_key: SecretStr | None = None
    task_queue: str = "aryz-cases"

    var_dir: Path = ROOT / "var"
    secret_key: SecretStr | None = None
    # "kid:base64key,..." (first encrypts); see stack/codec.py. `aryz run` generates one under var/.
    payload_keys: SecretStr | None = None
    # Ed25519 "kid:base64 seed": API processes only; every staff and applicant message to a
    # workflow is signed with it (schemas/proof.py). Workers and replayers get the public keys.
    message_signing_key: SecretStr | None = None
    message_public_keys: str = ""  # "kid:base64 public key,…"; keep rotated-out keys here
    # Ed25519 "kid:base64 seed,…" that sign issued documents (workers only; the first signs, the
    # others stay published after a rotation so old documents still verify). `aryz run` makes one.
    document_signing_keys: SecretStr | None = None
    # "kid:base64 public key,…": what /verify and `aryz verify` check documents with (API processes).
    document_public_keys: str = ""
    # Where the public reaches aryz: printed in every document's QR code as its verification address.
    public_url: str = "http://127.0.0.1:8000"
    # Processes a worker renders PDFs in (0: a thread of the worker itself, as the tests do). Two, so
    # that a family's documents, issued side by side, render side by side.
    document_render_processes: int = Field(default=2, ge=0, le=64)
    # AES-256-GCM keys for personal data at rest (grounds, accounts, decision data, scans), "kid:base64,…".
    data_keys: SecretStr | None = None
    # HMAC keys of the audit chain, "kid:base64 32 bytes,…" (first seals); outside the database.
    audit_keys: SecretStr | None = None
    # Checkpoints of the chain's head, outside PostgreSQL (default var_dir/audit-checkpoints).
    audit_checkpoint_dir: Path | None = None
    audit_checkpoint_seconds: float = 60.0  # 0: only `aryz audit checkpoint` takes them
    # "development" (aryz run on 127.0.0.1) or "production": Secure cookies and HSTS in production.
    environment: str = "development"
    # Rate limits per client address ("limits" notation) and sign-in lockouts per account.
    limit_sign_in_per_client: str = "30/minute"
    limit_access_code_per_client: str = "60/minute"
    limit_access_code_failures_per_case: str = "10/15 minutes"
    limit_submissions_per_client: str = "20/hour"
    limit_verification_per_client: str = "120/minute"
    sign_in_failures_before_lockout: int = 5
    sign_in_lockout_seconds: int = 60  # doubles with each lockout in a row, up to an hour
    # /metrics answers the local network, or anyone with this bearer token (a Prometheus scraper).
    metrics_token: SecretStr | None = None
    codec_cors_origins: str = "http://127.0.0.1:8233,http://localhost:8233"  # Temporal Web UI
    token_minutes: int = 30  # bearer tokens of the JSON API
    # Staff pages: a session ends after this long without a request, and in any case this long
    # after signing in (a working day), whatever the activity.
    session_idle_minutes: int = Field(default=30, ge=1, le=240)
    session_absolute_minutes: int = Field(default=600, ge=5, le=720)
    # Status answers an API process keeps in memory until their case changes (api/status_cache.py);
    # 0 keeps none (each look-up reads PostgreSQL). An answer is a few kilobytes.
    status_cache_entries: int = Field(default=10_000, ge=0, le=1_000_000)
    due_soon_days: int = Field(default=3, ge=1, le=30)  # the inbox colours a task 'due soon' this close
    demo_password: SecretStr | None = None
    http_host: str = "127.0.0.1"
    http_port: int = 8000
    # API processes on the one socket (`aryz api`; `aryz run --api-workers`): one that crashes is
    # replaced by uvicorn while the others answer.
    api_workers: int = Field(default=1, ge=1, le=32)
    # Where `aryz run` writes how each of its parts is (stack/supervisor.py): /readyz and /metrics read it.
    stack_status_file: Path | None = None
    forwarded_allow_ips: str = "127.0.0.1"  # the reverse proxy whose X-Forwarded-For is believed
    worker_metrics_address: str | None = None  # e.g. "0.0.0.0:9464": the Temporal SDK's Prometheus metrics
    # Upper bound on one uploaded document; a scan of a passport page is well under this.
    max_upload_bytes: int = 10 * 1024 * 1024
    log_level: str = "INFO"
    # How long a decision waits for the engine before its outcome is reported as unknown (202).
    decision_timeout_seconds: float = 10.0
    # How often the API starts workflows for cases stored while Temporal was down (0: never).
    pending_sweep_seconds: float = 30.0
    # The mail server that tells applicants there is news on their case (activities/notifications.py).
    # With neither a mail server nor an SMS centre, the notifications wait in the outbox until one is set;
    # with only one, an applicant it cannot reach is told nothing ("none") and reads the status page.
    smtp_host: str = ""
    smtp_port: int = Field(default=587, ge=1, le=65535)
    smtp_starttls: bool = True  # upgrade to TLS before signing in (port 587); False for a local relay
    smtp_user: str = ""
    smtp_password: SecretStr | None = None
    smtp_from: str = "aryz@127.0.0.1"
    smtp_timeout_seconds: float = Field(default=10.0, gt=0, le=120)
    # The SMS centre (SMPP 3.4) that texts applicants who gave a phone and no email (activities/sms.py).
    smpp_host: str = ""
    smpp_port: int = Field(default=2775, ge=1, le=65535)
    smpp_system_id: str = Field(default="", max_length=16)
    smpp_password: SecretStr | None = None
    smpp_source: str = Field(default="MIGRATION", min_length=1, max_length=20)  # the sender applicants see
    smpp_timeout_seconds: float = Field(default=10.0, gt=0, le=120)
    # Ask the centre for delivery receipts; each worker then binds a receiver to record them.
    smpp_receipts: bool = True
    notification_seconds: float = Field(default=15.0, gt=0)  # how often the outbox is looked at
    # How often a worker holds the cases moved since its last look against the engine's history
    # (activities/reconciler.py), and how long a case must stay out of step before it is changed.
    reconcile_seconds: float = Field(default=60.0, gt=0)
    reconcile_grace_seconds: float = Field(default=15.0, ge=0, le=600)
    # How old news must be before it is sent: a decision's document follows it within seconds, and
    # both are told in one mail or text.
    notification_settle_seconds: float = Field(default=20.0, ge=0, le=3600)
    # News older than this is not mailed (it would be when mail is first set up): the status page has it.
    notification_max_age_days: int = Field(default=7, ge=1, le=365)


@lru_cache
def get_settings() -> Settings:
    return Settings()


def audit_keys(settings: Settings):
    from db.repositories.audit import AuditKeys

    if settings.audit_keys is None:
        raise RuntimeError("ARYZ_AUDIT_KEYS is not set: audit entries must be sealed with a key kept outside the database")
    return AuditKeys.from_spec(settings.audit_keys.get_secret_value())


def data_sealer(settings: Settings):
    from db.sealing import Sealer

    if settings.data_keys is None:
        raise RuntimeError("ARYZ_DATA_KEYS is not set: personal data at rest must be encrypted")
    return Sealer.from_spec(settings.data_keys.get_secret_value())


def checkpoint_dir(settings: Settings) -> Path:
    return settings.audit_checkpoint_dir or settings.var_dir / "audit-checkpoints"


def document_signer(settings: Settings):
    from documents.seal import DocumentSigner

    if settings.document_signing_keys is None:
        raise RuntimeError("ARYZ_DOCUMENT_SIGNING_KEYS is not set: the worker could not sign the documents it issues")
    return DocumentSigner.from_spec(settings.document_signing_keys.get_secret_value())


def document_public_keys(settings: Settings) -> dict[str, bytes]:
    """The keys documents are checked with: those configured, and the signing keys' public halves."""
    from documents.seal import parse_public_keys

    keys = parse_public_keys(settings.document_public_keys) if settings.document_public_keys.strip() else {}
    if settings.document_signing_keys is not None:
        keys = {**document_signer(settings).public_keys(), **keys}
    return keys


def held_keys(settings: Settings) -> dict[str, list[str]]:
    """The key ids this process holds, by kind, the one it writes with first (payload, data, audit)."""
    from schemas.keyring import parse_key_spec

    held: dict[str, list[str]] = {}
    for kind, spec in (("payload", settings.payload_keys), ("data", settings.data_keys), ("audit", settings.audit_keys)):
        if spec is not None:
            held[kind] = list(parse_key_spec(spec.get_secret_value(), 32, f"{kind} key"))
    return held
