"""Liveness, readiness and Prometheus metrics."""

import hmac
import ipaddress

from fastapi import APIRouter, Request, Response
from sqlalchemy import text

from api.deps import SessionDep, SettingsDep, TemporalDep
from api.errors import ApiError

router = APIRouter(tags=["ops"])


@router.get("/healthz")
async def healthz() -> dict:
    return {"ok": True}


@router.get("/readyz")
async def readyz(session: SessionDep, temporal: TemporalDep, response: Response) -> dict:
    checks = {}
    try:
        await session.execute(text("SELECT 1"))
        checks["database"] = "ok"
    except Exception as err:  # readiness reports, it does not raise
        checks["database"] = type(err).__name__
    try:
        await temporal.service_client.check_health()
        checks["temporal"] = "ok"
    except Exception as err:
        checks["temporal"] = type(err).__name__
    ready = all(v == "ok" for v in checks.values())
    response.status_code = 200 if ready else 503
    return {"ready": ready, **checks}


# Loopback and the private ranges (RFC 1918, RFC 4193): where a Prometheus of the ministry runs.
LOCAL_NETWORKS = [ipaddress.ip_network(n) for n in ("127.0.0.0/8", "10.0.0.0/8", "172.16.0.0/12",
                                                     "192.168.0.0/16", "::1/128", "fc00::/7")]


def may_scrape(request: Request, settings) -> bool:
    """Metrics count cases by procedure and state: for the local network or a scraper's token."""
    token = settings.metrics_token.get_secret_value() if settings.metrics_token else None
    sent = request.headers.get("authorization", "")
    if token and hmac.compare_digest(sent.encode(), f"Bearer {token}".encode()):
        return True
    try:
        address = ipaddress.ip_address(request.client.host if request.client else "")
    except ValueError:
        return False
    return any(address in net for net in LOCAL_NETWORKS)


@router.get("/metrics")
async def metrics(request: Request, session: SessionDep, settings: SettingsDep) -> Response:
    if not may_scrape(request, settings):
        raise ApiError(403, "metrics are served to the local network or with the scrape token")
    lines = ["# HELP aryz_cases Cases by procedure and state.", "# TYPE aryz_cases gauge"]
    for procedure, state, n in await session.execute(
            text("SELECT procedure, state, count(*) FROM cases GROUP BY 1, 2 ORDER BY 1, 2")):
        lines.append(f'aryz_cases{{procedure="{procedure}",state="{state}"}} {n}')
    lines += ["# HELP aryz_open_tasks Open human tasks by role; overdue ones past their due date.",
              "# TYPE aryz_open_tasks gauge"]
    for role, n, overdue in await session.execute(text(
            "SELECT role, count(*), count(*) FILTER (WHERE due_at < now()) FROM tasks "
            "WHERE closed_at IS NULL GROUP BY 1 ORDER BY 1")):
        lines.append(f'aryz_open_tasks{{role="{role}"}} {n}')
        lines.append(f'aryz_overdue_tasks{{role="{role}"}} {overdue}')
    return Response("\n".join(lines) + "\n", media_type="text/plain; version=0.0.4")
