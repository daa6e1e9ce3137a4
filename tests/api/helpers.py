import asyncio
import contextlib
import re
import uuid
from datetime import datetime, timedelta, timezone

from fastapi.routing import APIRoute
from sqlalchemy import event, func, select, text

from db.models import AuditEntry, Case, CaseTransition, Task
from tests.conftest import eventually
from tests.factories import refugee_application


def every_route(routes, prefix: str = "") -> list[tuple[str, APIRoute]]:
    """Every APIRoute of an app with its full path, those of included routers too (FastAPI keeps
    them in their own router, the prefix in the inclusion)."""
    found = []
    for route in routes:
        if isinstance(route, APIRoute):
            found.append((prefix + route.path, route))
        elif hasattr(route, "original_router"):
            found.extend(every_route(route.original_router.routes, prefix + route.include_context.prefix))
    return found


async def submit(api, **overrides) -> dict:
    r = await api.post("/api/v1/applications/refugee", json=refugee_application(**overrides),
                       headers={"Idempotency-Key": str(uuid.uuid4())})
    assert r.status_code == 201, r.text
    return r.json()


async def wait_task(api, tokens, case_number: str, step: str, as_user: str) -> dict:
    async def open_task():
        r = await api.get("/api/v1/tasks", params={"case": case_number}, headers=await tokens(as_user))
        return next((t for t in r.json() if t["case_number"] == case_number and t["step"] == step), None)
    open_task.__doc__ = f"{step} open on {case_number} for {as_user}"
    return await eventually(open_task)


async def decide(api, tokens, case_number: str, step: str, outcome: str, as_user: str, reason: str = "",
                 data: dict | None = None, expect: int = 200) -> dict:
    await wait_task(api, tokens, case_number, step, as_user)
    r = await api.post(f"/api/v1/cases/{case_number}/decisions", headers=await tokens(as_user),
                       json={"step": step, "outcome": outcome, "reason": reason, "data": data or {}})
    assert r.status_code == expect, r.text
    return r.json()


async def to_conclusion(api, tokens, case_number: str, officer: str = "case_officer",
                        summary: str = "Consistent account.") -> None:
    """A refugee case registered, interviewed an hour ago and verified: its conclusion is open."""
    await decide(api, tokens, case_number, "registration", "register", "registrar")
    held = (datetime.now(timezone.utc) - timedelta(hours=1)).isoformat()
    await decide(api, tokens, case_number, "interview", "record_interview", officer,
                 data={"held_at": held, "summary": summary})
    await decide(api, tokens, case_number, "verification", "complete_verification", officer,
                 data={"identity_established": True, "security_checks_done": True})


async def snapshot(sessions, case_number: str | None = None) -> tuple:
    """Counts that a rejected request must leave unchanged: all cases and submissions, or the
    transitions, tasks and audit entries (views aside) of one case."""
    async with sessions() as s:
        if case_number is None:
            return (await s.scalar(select(func.count()).select_from(Case)),
                    await s.scalar(select(func.count()).select_from(AuditEntry).where(
                        AuditEntry.action == "application_submitted")))
        return (await s.scalar(select(func.count()).select_from(CaseTransition).where(
                    CaseTransition.case_number == case_number)),
                await s.scalar(select(func.count()).select_from(Task).where(Task.case_number == case_number)),
                await s.scalar(select(func.count()).select_from(AuditEntry).where(
                    AuditEntry.case_number == case_number,
                    AuditEntry.action.not_in(["cases_searched", "case_viewed", "case_revealed_in_search",
                                              "access_refused"]))))


ORIGIN = "http://aryz.test"
_CSRF = re.compile(r'name="csrf_token" value="([0-9a-f]{64})"')


class Browser:
    """Form posts as a browser sends them: with this visitor's CSRF cookie and token, its
    Origin, and (once signed in) the staff cookie. Cookies are kept here, not in the shared client."""

    def __init__(self, api) -> None:
        self.api = api
        self.cookies: dict[str, str] = {}
        self.token = ""

    def headers(self, **extra: str) -> dict:
        return {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()), **extra}

    async def get(self, path: str, **extra: str):
        r = await self.api.get(path, headers=self.headers(**extra))
        self.api.cookies.clear()
        self.cookies.update({k: v for k, v in r.cookies.items() if k in ("aryz_csrf", "aryz_lang")})
        found = _CSRF.search(r.text)
        self.token = found[1] if found else self.token
        return r

    async def post(self, path: str, data: dict, *, with_token: bool = True, origin: str | None = ORIGIN, files=None):
        extra = {"Origin": origin} if origin else {}
        r = await self.api.post(path, headers=self.headers(**extra), files=files,
                                data={**data, **({"csrf_token": self.token} if with_token else {})})
        self.api.cookies.clear()
        for name in ("aryz_case", "aryz_search"):  # the applicant's open case, an officer's search terms
            if name in r.headers.get("set-cookie", ""):
                value = r.cookies.get(name)
                if value:
                    self.cookies[name] = value
                else:
                    self.cookies.pop(name, None)
        return r

    async def sign_in(self, username: str, password: str):
        await self.get("/staff/login")
        r = await self.post("/staff/login", {"username": username, "password": password})
        if "aryz_staff" in r.cookies:
            self.cookies["aryz_staff"] = r.cookies["aryz_staff"]
        return r


@contextlib.contextmanager
def statements_sent(api):
    """The statements this task sends to PostgreSQL through the app's engine (other tasks' — the
    app's background sweeps — left out), each with whether it ran outside a transaction."""
    engine = api._transport.app.state.sessions.kw["bind"].sync_engine
    me, seen = asyncio.current_task(), []

    def watch(conn, _cursor, statement, _params, _context, _many):
        if asyncio.current_task() is me:
            seen.append((statement.split(None, 1)[0].upper(), conn.connection.dbapi_connection.autocommit))

    event.listen(engine, "before_cursor_execute", watch)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", watch)


async def heard_all(app) -> None:
    """Returns once the app has heard of every change to cases committed before (api/status_cache.py):
    PostgreSQL delivers notices in commit order, so once it hears one sent now, it has heard those."""
    mark = f"test-{uuid.uuid4().hex}"
    async with app.state.sessions.begin() as s:
        await s.execute(text("SELECT pg_notify('aryz_case_changed', :mark)"), {"mark": mark})

    async def heard():
        return app.state.status_cache.last_heard == mark
    await eventually(heard, timeout=5)
