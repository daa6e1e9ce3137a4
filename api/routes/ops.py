"""Liveness, readiness and Prometheus metrics."""

import hmac
import ipaddress

from fastapi import APIRouter, Request, Response
from prometheus_client import CONTENT_TYPE_LATEST
from sqlalchemy import text

from api.deps import SessionDep, SessionsDep, SettingsDep, TemporalDep
from api.errors import ApiError
from api.metrics import stack_exposition, stack_parts
from api.openapi import refusals
from db.repositories.keys import missing as missing_keys

router = APIRouter(tags=["ops"])


@router.get("/healthz", summary="Is the process alive")
async def healthz() -> dict:
    """Answers as long as the process serves requests; it checks nothing else."""
    return {"ok": True}


@router.get("/readyz", summary="Can it serve")
async def readyz(request: Request, session: SessionDep, temporal: TemporalDep, settings: SettingsDep,
                 response: Response) -> dict:
    """The database, the keys and the workflow engine: each `ok` or what is degraded (503 if any is not):
    `keys` names every key in use (one that sealed, signed or encrypted something) this process lacks."""
    checks = {}
    try:
        await session.execute(text("SELECT 1"))
        checks["database"] = "ok"
        # Every key that has written something must be held here, or a case or a sealed row would
        # fail on its first read: named, so the operator knows which to give back.
        lacking = await missing_keys(session, request.app.state.held_keys)
        checks["keys"] = "ok" if not lacking else "missing " + ", ".join(lacking)
    except Exception as err:  # readiness reports, it does not raise
        checks["keys" if "database" in checks else "database"] = type(err).__name__
    try:
        await temporal.service_client.check_health()
        checks["temporal"] = "ok"
    except Exception as err:
        checks["temporal"] = type(err).__name__
    ready = all(v == "ok" for v in checks.values())
    response.status_code = 200 if ready else 503
    # Under `aryz run`: each part, and those down (the API still serves what needs only it and the
    # database: submissions and status look-ups with the worker down).
    parts = {name: part.get("state", "?") for name, part in stack_parts(settings.stack_status_file).items()}
    degraded = sorted(name for name, state in parts.items() if state != "running")
    return {"ready": ready, **checks, **({"parts": parts, "degraded": degraded} if parts else {})}


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


@router.get("/metrics", summary="Prometheus metrics", responses=refusals(403))
async def metrics(request: Request, sessions: SessionsDep, settings: SettingsDep) -> Response:
    """Prometheus text format: requests by route template, decisions by outcome, read-model gauges
    (their last reading, marked stale, while the database is away). Local network or scrape token."""
    if not may_scrape(request, settings):
        raise ApiError(403, "metrics are served to the local network or with the scrape token", code="metrics_refused")
    body = await request.app.state.read_model_gauges.exposition(sessions)
    return Response(body + stack_exposition(settings.stack_status_file), media_type=CONTENT_TYPE_LATEST)
