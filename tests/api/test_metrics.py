"""Metrics: the API's requests by route template (never a case number), the read model's cases and
tasks, and the worker's own — the Temporal SDK's and aryz's case events per procedure."""

import socket
import uuid

import httpx
from temporalio.client import Client
from temporalio.runtime import PrometheusConfig, Runtime, TelemetryConfig

from tests.api.helpers import decide, submit
from tests.conftest import CONVERTER, DOCUMENT_SIGNER, PUBLIC_URL, eventually
from tests.workflows.harness import CaseDriver
from worker import build_worker


async def test_the_api_counts_requests_by_route_template(api, tokens):
    case = await submit(api)
    await decide(api, tokens, case["case_number"], "registration", "register", "registrar")
    text = (await api.get("/metrics")).text
    assert 'aryz_http_requests_total{method="POST",route="/api/v1/cases/{case_number}/decisions",status="2xx"}' in text
    assert "aryz_http_request_seconds_bucket" in text and 'aryz_cases{procedure="refugee"' in text
    assert case["case_number"] not in text
    assert "aryz_notifications_unsent " in text  # the applicants' outbox: no mail server in the tests
    # The status look-ups kept in memory: whether the API can keep any, and how often they help.
    await api.get(f"/api/v1/cases/{case['case_number']}/status", headers={"X-Access-Code": case["access_code"]})

    async def listening():
        text = (await api.get("/metrics")).text
        return "aryz_status_cache_listening 1.0" in text and 'aryz_status_cache_lookups_total{result="read"}' in text
    await eventually(listening, timeout=10)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def metrics_client(dev_env) -> tuple[Client, Runtime, int]:
    """A client of the dev server whose runtime serves its metrics on a port of its own."""
    port = free_port()
    runtime = Runtime(telemetry=TelemetryConfig(metrics=PrometheusConfig(bind_address=f"127.0.0.1:{port}")))
    client = await Client.connect(dev_env.client.service_client.config.target_host, runtime=runtime,
                                  data_converter=CONVERTER, namespace=dev_env.client.namespace)
    return client, runtime, port


async def test_the_worker_exports_sdk_and_case_metrics(dev_env, sessions):
    client, _, port = await metrics_client(dev_env)
    queue = f"aryz-metrics-{uuid.uuid4().hex[:6]}"
    async with build_worker(client, sessions, queue, DOCUMENT_SIGNER, PUBLIC_URL):
        driver = CaseDriver(client, sessions, queue)
        await driver.lodge()
        await driver.decide("registration", "register", "registrar")
        await driver.wait_task("interview")
        async with httpx.AsyncClient() as http:
            text = (await http.get(f"http://127.0.0.1:{port}/metrics")).text
        await driver.handle.terminate("test finished")
    assert 'aryz_case_events{' in text and 'event="decided"' in text and 'procedure="refugee"' in text
    assert "aryz_cases_opened" in text and "temporal_activity_execution_latency" in text
    assert driver.case_number not in text


async def test_readiness_names_a_key_in_use_that_this_process_lacks(api, sessions):
    """A key that wrote something (here one registered by another process, since rotated away from
    this one) must be held: /readyz says 503 and names it, instead of a case failing on it later."""
    from sqlalchemy import delete

    from db.models import KeyInUse

    assert (await api.get("/readyz")).json()["keys"] == "ok"
    async with sessions.begin() as s:
        s.add(KeyInUse(kind="data", kid="d-gone"))
    try:
        ready = await api.get("/readyz")
        assert ready.status_code == 503 and ready.json()["keys"] == "missing data d-gone"
    finally:
        async with sessions.begin() as s:
            await s.execute(delete(KeyInUse).where(KeyInUse.kid == "d-gone"))
    assert (await api.get("/readyz")).status_code == 200
