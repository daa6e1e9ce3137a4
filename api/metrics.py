"""Prometheus metrics of the API (prometheus-client): requests and their latency by route
template — never by case number — and, at each scrape, the cases and open tasks in the read model."""

import json
import time

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

REGISTRY = CollectorRegistry()
REQUESTS = Counter("aryz_http_requests", "HTTP requests answered, by route template and status class",
                   ["method", "route", "status"], registry=REGISTRY)
LATENCY = Histogram("aryz_http_request_seconds", "Time to answer, by route template", ["method", "route"],
                    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30), registry=REGISTRY)


def route_template(scope) -> str:
    """The path with its parameters put back as names ("/api/v1/cases/{case_number}/status"), so
    that no case number becomes a label; "unmatched" for paths no route took."""
    path = scope["path"]
    if path.startswith("/static/"):
        return "/static"
    if scope.get("route") is None:
        return "unmatched"
    for name, value in (scope.get("path_params") or {}).items():
        path = path.replace(f"/{value}", f"/{{{name}}}", 1)
    return path


class RequestMetrics:
    """Pure ASGI middleware: counts and times every answer under its route's template."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        started, status = time.perf_counter(), {"code": 500}

        async def record(message):
            if message["type"] == "http.response.start":
                status["code"] = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, record)
        finally:
            route = route_template(scope)
            REQUESTS.labels(scope["method"], route, f"{status['code'] // 100}xx").inc()
            LATENCY.labels(scope["method"], route).observe(time.perf_counter() - started)


DECISIONS = Counter("aryz_decisions", "Staff decisions sent to a case, by what came of them: taken, refused (by "
                    "the case's rules or its state), or unknown (the engine did not answer in time: 202)",
                    ["procedure", "outcome"], registry=REGISTRY)
_READ_MODEL_FAILURES = Counter("aryz_read_model_scrape_failures", "Scrapes that could not read the read model "
                               "(its gauges then repeat the last reading, marked stale)", registry=REGISTRY)


def stack_parts(status_file) -> dict[str, dict]:
    """How each part of `aryz run` is, as its supervisor last wrote (stack/supervisor.py); {} when
    the API does not run under `aryz run`, or the file cannot be read."""
    if status_file is None:
        return {}
    try:
        return json.loads(status_file.read_text()).get("parts", {})
    except (OSError, ValueError):
        return {}


def stack_exposition(status_file) -> bytes:
    parts = stack_parts(status_file)
    if not parts:
        return b""
    registry = CollectorRegistry()
    up = Gauge("aryz_stack_part_up", "1 while a part of `aryz run` runs, 0 while it is restarting or left stopped",
               ["part"], registry=registry)
    restarts = Gauge("aryz_stack_part_restarts", "Times `aryz run` has restarted a part since it began", ["part"],
                     registry=registry)
    for name, part in parts.items():
        up.labels(name).set(1 if part.get("state") == "running" else 0)
        restarts.labels(name).set(part.get("restarts", 0))
    return generate_latest(registry)


class ReadModelGauges:
    """The read model's gauges, counted at each scrape (so every replica reports the same); while
    PostgreSQL is away the last reading is served again, `aryz_read_model_stale` 1 and its age in
    `aryz_read_model_reading_age_seconds`, so that the API's own metrics never disappear with it."""

    def __init__(self) -> None:
        self._last = b""
        self._read_at: float | None = None

    async def exposition(self, sessions) -> bytes:
        stale = 0
        try:
            async with sessions() as session:
                self._last = await _read_model(session)
            self._read_at = time.monotonic()
        except Exception:  # the database away: the API's metrics still answer
            _READ_MODEL_FAILURES.inc()
            stale = 1
        health = CollectorRegistry()
        Gauge("aryz_read_model_stale", "1 when the read-model gauges below are the last reading, the database "
              "being away now", registry=health).set(stale)
        Gauge("aryz_read_model_reading_age_seconds", "Age of the read-model gauges' reading", registry=health).set(
            time.monotonic() - self._read_at if self._read_at is not None else float("nan"))
        return generate_latest(REGISTRY) + generate_latest(health) + self._last


async def _read_model(session: AsyncSession) -> bytes:
    scrape = CollectorRegistry()
    cases = Gauge("aryz_cases", "Cases by procedure and state", ["procedure", "state"], registry=scrape)
    tasks = Gauge("aryz_open_tasks", "Open human tasks by role", ["role"], registry=scrape)
    overdue = Gauge("aryz_overdue_tasks", "Open human tasks past their due date, by role", ["role"], registry=scrape)
    backlog = Gauge("aryz_backlog", "Open human tasks (kind task) by procedure and step", ["procedure", "step"],
                    registry=scrape)
    late = Gauge("aryz_backlog_overdue", "Open human tasks past their statutory due date, by procedure and step",
                 ["procedure", "step"], registry=scrape)
    waiting = Gauge("aryz_cases_without_workflow", "Cases stored while Temporal was away, not yet started by the sweep",
                    registry=scrape)
    waiting.set(await session.scalar(text("SELECT count(*) FROM cases WHERE NOT workflow_started")))
    unsent = Gauge("aryz_notifications_unsent", "Applicants' notifications not yet sent (no mail server set, or it "
                   "is away)", registry=scrape)
    unsent.set(await session.scalar(text("SELECT count(*) FROM notifications WHERE sent_at IS NULL")))
    for procedure, state, n in await session.execute(
            text("SELECT procedure, state, count(*) FROM cases GROUP BY 1, 2")):
        cases.labels(procedure, state).set(n)
    for role, n, past in await session.execute(text(
            "SELECT role, count(*), count(*) FILTER (WHERE due_at < now()) FROM tasks WHERE closed_at IS NULL "
            "GROUP BY 1")):
        tasks.labels(role).set(n)
        overdue.labels(role).set(past)
    for procedure, step, n, past in await session.execute(text(
            "SELECT procedure, step, count(*), count(*) FILTER (WHERE due_at < now()) FROM tasks "
            "WHERE closed_at IS NULL AND kind = 'task' GROUP BY 1, 2")):
        backlog.labels(procedure, step).set(n)
        late.labels(procedure, step).set(past)
    return generate_latest(scrape)
