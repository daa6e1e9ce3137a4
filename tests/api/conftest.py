"""The API against real services: embedded PostgreSQL, the Temporal dev server and a worker."""

import httpx
import pytest

from api.app import create_app
from tests.conftest import API_QUEUE, PASSWORD, make_settings


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
