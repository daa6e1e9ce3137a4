"""Abuse from outside, each as a test that now does no harm: guessing passwords and access codes,
flooding submissions, cross-site requests, forms without their token, stale tokens, scraping
metrics, formulas in exports and direction tricks in names."""

import asyncio
import uuid
from datetime import datetime, timezone

import httpx
import pytest
from pydantic import SecretStr
from sqlalchemy import func, select

from api.app import create_app
from api.security import hash_password
from api.services.timeline import TimelineItem, as_csv
from db.models import AuditEntry, Case
from db.repositories.users import ensure_user
from tests.api.helpers import Browser
from tests.conftest import API_QUEUE, PASSWORD, make_settings
from tests.factories import refugee_application

URL = "/api/v1/applications/refugee"


@pytest.fixture
async def strict(database_url_, dev_env, dev_worker, staff_accounts):
    """An API process with the production limits tightened so a test can reach them quickly."""
    settings = make_settings(database_url_, API_QUEUE).model_copy(update={
        "limit_sign_in_per_client": "40/minute", "limit_access_code_per_client": "1000/minute",
        "limit_access_code_failures_per_case": "5/15 minutes", "limit_submissions_per_client": "3/hour",
        "limit_verification_per_client": "10/minute",
        "sign_in_failures_before_lockout": 5, "sign_in_lockout_seconds": 2, "environment": "production"})
    app = create_app(settings, temporal=dev_env.client)
    async with app.router.lifespan_context(app):
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://aryz.test") as client:
            yield client


async def test_repeated_wrong_passwords_lock_the_account_even_against_the_right_one(strict, sessions):
    name = f"lock{uuid.uuid4().hex[:6]}"
    async with sessions.begin() as s:
        await ensure_user(s, name, "Locked out", ["registrar"], hash_password(PASSWORD))
    answers = [await strict.post("/api/v1/auth/token", data={"username": name, "password": f"guess{i}"})
               for i in range(31)]
    assert [a.status_code for a in answers[:5]] == [401] * 5
    assert answers[30].status_code == 429 and int(answers[30].headers["Retry-After"]) >= 1
    right = await strict.post("/api/v1/auth/token", data={"username": name, "password": PASSWORD})
    assert right.status_code == 429, "the right password must wait for the lockout to end"
    async with sessions() as s:
        failures = await s.scalar(select(func.count()).select_from(AuditEntry).where(
            AuditEntry.actor == name, AuditEntry.action == "sign_in_failed"))
    assert failures == 5
    await asyncio.sleep(2.2)
    assert (await strict.post("/api/v1/auth/token", data={"username": name, "password": PASSWORD})).status_code == 200


async def test_document_checks_are_limited_per_client(strict):
    """The public verification answers anyone; a client walking the number space is slowed down."""
    codes = [(await strict.get(f"/verify/AC-GB-2026-{i:06d}?format=json")).status_code for i in range(11)]
    assert codes[:10] == [200] * 10 and codes[10] == 429
    refused = await strict.post("/verify", data={"seal": "ARYZ1.a.b.c"})
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) >= 1


async def test_sign_in_attempts_are_limited_per_client(strict):
    codes = [(await strict.post("/api/v1/auth/token", data={"username": f"nobody{i}", "password": "x"})).status_code
             for i in range(41)]
    assert codes[:40] == [401] * 40 and codes[40] == 429


async def test_guessing_access_codes_is_cut_off_per_case(strict, api):
    case = (await api.post(URL, json=refugee_application(), headers={"Idempotency-Key": str(uuid.uuid4())})).json()
    url = f"/api/v1/cases/{case['case_number']}/status"
    wrong = [(await strict.get(url, headers={"X-Access-Code": f"AAAA-BBBB-{i:04d}"})).status_code for i in range(6)]
    assert wrong[:5] == [404] * 5 and wrong[5] == 429
    refused = await strict.get(url, headers={"X-Access-Code": case["access_code"]})
    assert refused.status_code == 429 and "Retry-After" in refused.headers


async def test_anonymous_submissions_are_limited_per_client(strict, sessions):
    async with sessions() as s:
        before = await s.scalar(select(func.count()).select_from(Case))
    codes = [(await strict.post(URL, json=refugee_application(grounds=f"Flood test number {i} {uuid.uuid4()}"),
                                headers={"Idempotency-Key": str(uuid.uuid4())})).status_code for i in range(4)]
    assert codes == [201, 201, 201, 429]
    async with sessions() as s:
        assert await s.scalar(select(func.count()).select_from(Case)) == before + 3


async def test_no_cors_outside_the_codec_route(api):
    ui = "http://127.0.0.1:8233"
    for path in ("/api/v1/cases", "/api/v1/auth/token", "/staff/inbox", "/"):
        pre = await api.options(path, headers={"Origin": ui, "Access-Control-Request-Method": "POST"})
        got = await api.get(path, headers={"Origin": ui})
        assert "access-control-allow-origin" not in pre.headers and "access-control-allow-origin" not in got.headers
        assert "access-control-allow-credentials" not in got.headers
    pre = await api.options("/codec/decode", headers={"Origin": ui, "Access-Control-Request-Method": "POST"})
    assert pre.headers.get("access-control-allow-origin") == ui


async def test_security_headers_and_no_store_on_every_answer(api, strict):
    token = await api.post("/api/v1/auth/token", data={"username": "registrar", "password": PASSWORD})
    for r in (token, await api.get("/"), await api.get("/api/v1/cases/REF-2026-999999/status",
                                                       headers={"X-Access-Code": "x"})):
        assert r.headers["cache-control"] == "no-store"
        assert r.headers["x-content-type-options"] == "nosniff"
        assert "frame-ancestors 'none'" in r.headers["content-security-policy"]
        assert "unsafe-inline" not in r.headers["content-security-policy"]
        assert "strict-transport-security" not in r.headers  # development
    assert "max-age" in (await strict.get("/healthz")).headers["strict-transport-security"]
    assert (await api.get("/static/aryz.css")).status_code == 200
    docs = await api.get("/docs")
    assert docs.status_code == 200 and "/static/docs/swagger-ui-bundle.js" in docs.text and "cdn" not in docs.text
    assert (await api.get("/static/docs/swagger-ui-bundle.js")).status_code == 200


async def test_cookies_are_secure_in_production(strict):
    browser = Browser(strict)
    page = await strict.get("/staff/login")
    assert "secure" in page.headers["set-cookie"].lower() and "samesite=strict" in page.headers["set-cookie"].lower()
    signed_in = await browser.sign_in("registrar", PASSWORD)
    assert signed_in.status_code == 303
    staff_cookie = next(c for c in signed_in.headers.get_list("set-cookie") if c.startswith("aryz_staff="))
    assert "secure" in staff_cookie.lower() and "httponly" in staff_cookie.lower()


async def test_forms_need_their_token_and_sign_in_needs_this_sites_origin(api):
    browser = Browser(api)
    await browser.get("/")
    no_token = await browser.post("/status", {"case_number": "REF-2026-000001", "access_code": "x"}, with_token=False)
    assert no_token.status_code == 403
    await browser.get("/staff/login")
    no_origin = await browser.post("/staff/login", {"username": "registrar", "password": PASSWORD}, origin=None)
    foreign = await browser.post("/staff/login", {"username": "registrar", "password": PASSWORD},
                                 origin="http://127.0.0.1:9999")
    assert no_origin.status_code == foreign.status_code == 403
    assert (await browser.sign_in("registrar", PASSWORD)).status_code == 303


async def test_signing_out_revokes_the_token(api):
    token = (await api.post("/api/v1/auth/token", data={"username": "registrar", "password": PASSWORD})).json()
    auth = {"Authorization": f"Bearer {token['access_token']}"}
    assert (await api.get("/api/v1/tasks", headers=auth)).status_code == 200
    assert (await api.post("/api/v1/auth/revoke", headers=auth)).status_code == 204
    assert (await api.get("/api/v1/tasks", headers=auth)).status_code == 401
    browser = Browser(api)
    await browser.sign_in("registrar", PASSWORD)
    stolen = dict(browser.cookies)
    assert (await browser.post("/staff/logout", {})).status_code == 303
    browser.cookies = stolen  # the old cookie, replayed after sign-out
    assert (await browser.get("/staff/inbox")).status_code == 303


async def test_metrics_only_for_the_local_network_or_the_scrape_token(database_url_, dev_env):
    settings = make_settings(database_url_, API_QUEUE).model_copy(update={"metrics_token": SecretStr("scrape-me")})
    app = create_app(settings, temporal=dev_env.client)
    async with app.router.lifespan_context(app):
        outside = httpx.ASGITransport(app=app, client=("203.0.113.9", 40000))
        async with httpx.AsyncClient(transport=outside, base_url="http://aryz.test") as client:
            assert (await client.get("/metrics")).status_code == 403
            scraped = await client.get("/metrics", headers={"Authorization": "Bearer scrape-me"})
            assert scraped.status_code == 200 and "aryz_cases" in scraped.text
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://aryz.test") as local:
            assert (await local.get("/metrics")).status_code == 200


def test_formulas_in_exports_stay_text():
    item = TimelineItem(at=datetime.now(timezone.utc), source="audit", action="appeal_lodged",
                        reason='=HYPERLINK("http://evil.example","Click")', detail="+1-2", actor="@admin")
    csv = as_csv([item])
    assert "'=HYPERLINK" in csv and "'+1-2" in csv and "'@admin" in csv
    assert "\n=HYPERLINK" not in csv and ",=HYPERLINK" not in csv


async def test_direction_tricks_are_removed_and_list_items_are_bounded(api, sessions):
    spoof = refugee_application()
    spoof["applicant"]["family_name"] = "Kari\u202emova\u2066"
    r = await api.post(URL, json=spoof, headers={"Idempotency-Key": str(uuid.uuid4())})
    assert r.status_code == 201, r.text
    async with sessions() as s:
        case = await s.get(Case, r.json()["case_number"])
    assert case.application["applicant"]["family_name"] == "Karimova" and "\u202e" not in case.applicant_name
    long_item = refugee_application(languages=["x" * 41])
    assert (await api.post(URL, json=long_item)).status_code == 422
