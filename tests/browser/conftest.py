"""A live aryz on 127.0.0.1 and the system Chromium driven by Playwright."""

import asyncio
import os
import shutil
import socket
from pathlib import Path

import pytest
import uvicorn

from api.app import create_app
from tests.conftest import API_QUEUE, make_settings

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]


def chromium_path() -> str | None:
    return os.environ.get("ARYZ_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="session")
async def live_url(database_url_, dev_env, dev_worker, staff_accounts):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    app = create_app(make_settings(database_url_, API_QUEUE), temporal=dev_env.client)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on"))
    task = asyncio.create_task(server.serve())
    while not server.started:
        await asyncio.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    await task


@pytest.fixture(scope="session")
async def browser():
    path = chromium_path()
    if path is None:  # never a silent skip: the suite is not whole without the browser tests
        pytest.fail("Chromium is not installed: run `sudo apt-get install -y chromium` (as .ci/run does), "
                    "or point ARYZ_CHROMIUM at a Chromium binary")
    from playwright.async_api import async_playwright

    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        yield browser
        await browser.close()


SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-output" / "screenshots"


@pytest.fixture
async def page(browser, request):
    """A fresh page; when the test ends its last screen is kept in test-output/screenshots/, and
    anything the Content-Security-Policy blocked (a style or script the pages should not need)
    fails the test."""
    context = await browser.new_context(viewport={"width": 1100, "height": 900})
    page = await context.new_page()
    blocked: list[str] = []
    page.on("console", lambda m: blocked.append(m.text) if "Content Security Policy" in m.text else None)
    yield page
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(SCREENSHOTS / f"{request.node.name}.png"), full_page=True)
    await context.close()
    assert not blocked, blocked
