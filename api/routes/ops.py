"""Liveness, readiness and Prometheus metrics."""

from fastapi import APIRouter, Response
from sqlalchemy import text

from api.deps import SessionDep, TemporalDep

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


@router.get("/metrics")
async def metrics(session: SessionDep) -> Response:
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
