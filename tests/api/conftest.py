"""The API against real services: embedded PostgreSQL, the Temporal dev server and a worker."""

import httpx
import pytest

from api.app import create_app
from stack.demo import seed_demo_accounts
from tests.conftest import make_settings
from worker import build_worker

API_QUEUE = "aryz-api-tests"
PASSWORD = "correct horse battery staple"


@pytest.fixture(scope="session")
async def dev_worker(dev_env, sessions):
    async with build_worker(dev_env.client, sessions, API_QUEUE):
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


@pytest.fixture(scope="session")
async def api(database_url_, dev_env, dev_worker, staff_accounts):
    app = create_app(make_settings(database_url_, API_QUEUE), temporal=dev_env.client)
    async with app.router.lifespan_context(app):
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://aryz.test") as client:
            yield client


@pytest.fixture(scope="session")
async def tokens(api):
    cache = {}

    async def token(username: str) -> dict:
        if username not in cache:
            r = await api.post("/api/v1/auth/token", data={"username": username, "password": PASSWORD})
            assert r.status_code == 200, r.text
            cache[username] = {"Authorization": f"Bearer {r.json()['access_token']}"}
        return cache[username]

    return token
