"""The alert rules and the dashboard in deploy/ name only metrics the stack exports: scraped here
from a real API (under a supervisor's status file) and a real worker that has run a case, a
reconciliation round and a workflow task that failed."""

import json
import re
import subprocess
import sys
import uuid
from pathlib import Path

import httpx
import yaml
from temporalio.client import Client
from temporalio.converter import DataConverter

from activities.reconciler import Reconciler
from api.app import create_app
from stack.supervisor import Supervisor, process_part
from tests.api.helpers import decide, submit
from tests.api.test_metrics import metrics_client
from tests.conftest import API_QUEUE, DOCUMENT_SIGNER, PASSWORD, PUBLIC_URL, eventually, make_settings
from tests.workflows.harness import CaseDriver
from worker import build_worker

ROOT = Path(__file__).resolve().parents[2]
NAME = re.compile(r"\b((?:aryz|temporal)_[a-z0-9_]+)\b")


def exported(text: str) -> set[str]:
    return {line.split("{")[0].split(" ")[0] for line in text.splitlines() if line and not line.startswith("#")}


def expressions() -> list[str]:
    rules = yaml.safe_load((ROOT / "deploy" / "prometheus-alerts.yml").read_text())
    found = [rule["expr"] for group in rules["groups"] for rule in group["rules"]]
    dashboard = json.loads((ROOT / "deploy" / "grafana-dashboard.json").read_text())
    return found + [target["expr"] for panel in dashboard["panels"] for target in panel["targets"]]


async def test_every_alert_and_dashboard_expression_names_a_metric_the_stack_exports(
        dev_env, sessions, database_url_, dev_worker, staff_accounts, tmp_path):
    status = tmp_path / "run" / "stack.json"
    supervisor = Supervisor(say=lambda _: None, status_file=status)
    supervisor.add(process_part("worker-1", lambda: subprocess.Popen([sys.executable, "-c", "import time; "
                                                                                               "time.sleep(60)"])))
    # No status cache of its own: its listener's gauge is the process's, which the shared API's listener sets.
    app = create_app(make_settings(database_url_, API_QUEUE).model_copy(
        update={"stack_status_file": status, "status_cache_entries": 0}), temporal=dev_env.client)
    try:
        async with app.router.lifespan_context(app), httpx.AsyncClient(
                transport=httpx.ASGITransport(app=app), base_url="http://aryz.test") as api:
            async def tokens(user):
                r = await api.post("/api/v1/auth/token", data={"username": user, "password": PASSWORD})
                return {"Authorization": f"Bearer {r.json()['access_token']}"}
            case = await submit(api)
            await decide(api, tokens, case["case_number"], "registration", "register", "registrar")
            api_text = (await api.get("/metrics")).text
    finally:
        supervisor.stop_all(timeout=5)

    client, runtime, port = await metrics_client(dev_env)
    queue = f"aryz-alerts-{uuid.uuid4().hex[:6]}"
    async with build_worker(client, sessions, queue, DOCUMENT_SIGNER, PUBLIC_URL):
        driver = CaseDriver(client, sessions, queue)
        await driver.lodge()
        await driver.decide("registration", "register", "registrar")
        await Reconciler(client, sessions, runtime.metric_meter).check([driver.case_number])
        # A workflow task that fails: a start sent around the API, unencrypted, cannot be read.
        raw = Client(dev_env.client.service_client, namespace=dev_env.client.namespace,
                     data_converter=DataConverter.default)
        stray = await raw.start_workflow("RefugeeRecognitionWorkflow", "not a case", id=f"stray-{uuid.uuid4()}",
                                         task_queue=queue)

        async def scraped():
            async with httpx.AsyncClient() as http:
                text = (await http.get(f"http://127.0.0.1:{port}/metrics")).text
            return text if "temporal_workflow_task_execution_failed" in text else None
        worker_text = await eventually(scraped, timeout=30)
        await stray.terminate("test over")
        await driver.handle.terminate("test over")

    names = exported(api_text) | exported(worker_text)
    named = {name for expr in expressions() for name in NAME.findall(expr)}
    assert named and named - names == set(), f"named but not exported: {sorted(named - names)}"
    assert {"aryz_stack_part_up", "aryz_decisions_total", "aryz_cases_out_of_step", "aryz_backlog_overdue"} <= named
