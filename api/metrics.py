"""Prometheus metrics of the API (prometheus-client): requests and their latency by route
template — never by case number — and, at each scrape, the cases and open tasks in the read model."""

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


async def exposition(session: AsyncSession) -> bytes:
    """The process's metrics plus read-model gauges (counted now, so every replica reports the same)."""
    scrape = CollectorRegistry()
    cases = Gauge("aryz_cases", "Cases by procedure and state", ["procedure", "state"], registry=scrape)
    tasks = Gauge("aryz_open_tasks", "Open human tasks by role", ["role"], registry=scrape)
    overdue = Gauge("aryz_overdue_tasks", "Open human tasks past their due date, by role", ["role"], registry=scrape)
    waiting = Gauge("aryz_cases_without_workflow", "Cases stored while Temporal was away, not yet started by the sweep",
                    registry=scrape)
    waiting.set(await session.scalar(text("SELECT count(*) FROM cases WHERE NOT workflow_started")))
    unsent = Gauge("aryz_notifications_unsent", "Applicants' notifications not yet sent (no mail server set, or it "
                   "is away)", registry=scrape)
    unsent.set(await session.scalar(text("SELECT count(*) FROM notifications WHERE sent_at IS NULL")))
    for procedure, state, n in await session.execute(
            text("SELECT procedure, state, count(*) FROM cases GROUP BY 1, 2")):
        cases.labels(procedure, state).set(n)
    for role, n, late in await session.execute(text(
            "SELECT role, count(*), count(*) FILTER (WHERE due_at < now()) FROM tasks WHERE closed_at IS NULL "
            "GROUP BY 1")):
        tasks.labels(role).set(n)
        overdue.labels(role).set(late)
    return generate_latest(REGISTRY) + generate_latest(scrape)
