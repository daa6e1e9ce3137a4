"""Errors a client can cause become a 4xx with a message that says what is wrong. Every refusal
of access (403) is logged and audited, with who was refused what, and why."""

import logging
import uuid

import asyncpg
import sqlalchemy.exc
from fastapi import FastAPI, Request, status
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException


class ApiError(Exception):
    """An answer other than the route's success: a status, a message, and (for a machine) any
    `extra` fields. Every refusal has a `code` (with its `params`): the catalogues' `rejection`
    text for it is what a person reads, in their language, on a page or from the JSON API
    (tests/i18n/test_refusals.py holds every refusal in the code to that)."""

    def __init__(self, status_code: int, detail: str, headers: dict[str, str] | None = None,
                 extra: dict | None = None, *, code: str = "", params: dict | None = None) -> None:
        super().__init__(detail)
        self.status_code = status_code
        self.detail = detail
        self.headers = headers or {}
        self.extra = {**(extra or {}), **({"code": code} if code else {}), **({"params": params} if params else {})}


def not_found(what: str, code: str, **params) -> ApiError:
    return ApiError(status.HTTP_404_NOT_FOUND, what, code=code, params=params or None)


def conflict(what: str, code: str, **params) -> ApiError:
    return ApiError(status.HTTP_409_CONFLICT, what, code=code, params=params or None)


def engine_unreachable() -> ApiError:
    """Temporal is not reachable: nothing was sent to a case (503, to be tried again)."""
    return ApiError(status.HTTP_503_SERVICE_UNAVAILABLE, "the case engine is not reachable; nothing was sent; "
                    "try again shortly", {"Retry-After": "5"}, code="engine_unreachable")


def client_not_connected(err: RuntimeError) -> bool:
    """The engine's client, made lazily while Temporal was away, raises this until it connects."""
    return "connect" in str(err).lower()


log = logging.getLogger("aryz.access")
# What a request meets when PostgreSQL is away: refused or lost connections, an exhausted pool.
DATABASE_OUTAGES = (sqlalchemy.exc.OperationalError, sqlalchemy.exc.InterfaceError, sqlalchemy.exc.TimeoutError,
                    asyncpg.PostgresConnectionError, asyncpg.InterfaceError, ConnectionError, TimeoutError)


# SQLSTATE classes and codes of a server that is away for a moment: a connection exception (08),
# insufficient resources (53: too many connections), operator intervention (57P: shutting down, in
# crash recovery, "the database system is starting up"), and a read-only standby being promoted.
_TRANSIENT_CLASSES = ("08", "53", "57P")
_TRANSIENT_CODES = ("25006",)


def transient_sqlstate(exc: BaseException) -> bool:
    """Whether a database error is the server being away for a moment (by its SQLSTATE, wherever
    the driver put it), not a fault of the statement."""
    seen: set[int] = set()
    error: BaseException | None = exc
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        code = getattr(error, "sqlstate", None) or getattr(error, "pgcode", None)
        if isinstance(code, str) and (code.startswith(_TRANSIENT_CLASSES) or code in _TRANSIENT_CODES):
            return True
        error = getattr(error, "orig", None) or error.__cause__
    return False


async def audit_refusal(request: Request, reason: str, code: str = "", params: dict | None = None) -> None:
    """An audit entry (in its own transaction: the refused request's is rolled back) and a log line.
    The refusal's code and params go with the reason, so that the auditor reads it in their language."""
    from api.metrics import route_template
    from db.repositories.audit import append_audit
    from schemas.text import CASE_NUMBER

    staff = getattr(request.state, "staff", None)
    actor = staff.username if staff else "anonymous"
    case_number = request.path_params.get("case_number", "")
    route = route_template(request.scope)
    log.warning("access refused: %s %s for %s: %s", request.method, route, actor, reason)
    try:
        async with request.app.state.sessions.begin() as session:
            await append_audit(session, action="access_refused", actor=actor,
                               actor_role=",".join(staff.roles) if staff else "",
                               case_number=case_number if CASE_NUMBER.match(case_number) else None,
                               detail={"method": request.method, "route": route, "reason": reason[:300],
                                       **({"code": code, "params": params or {}} if code else {})})
    except Exception as err:  # the refusal stands whether or not it could be recorded
        log.error("could not audit a refusal: %s", type(err).__name__)


def wants_page(request: Request) -> bool:
    """A person's browser on a page (not the JSON API): answer with a page in their language."""
    path = request.url.path
    if path.startswith("/staff/"):  # the staff pages (downloads included) are pages to any client
        return True
    return not path.startswith(("/api/", "/codec/", "/healthz", "/readyz", "/metrics")) and \
        "text/html" in request.headers.get("accept", "")


async def error_page(request: Request, status_code: int, headers: dict, reference: str = "", code: str = "",
                     params: dict | None = None):
    """The refusal in the reader's words: its rejection `code` when it has one, else by status."""
    from api.i18n import choose_lang
    from api.pages.common import render
    from api.rejections import localized

    message = {403: "403", 404: "not_found", 429: "too_many", 503: "unavailable"}.get(status_code, "error_500")
    shown = localized(code, params or {}, choose_lang(request)) if code else None
    response = render(request, "error.html", {"message": message, "shown": shown, "reference": reference},
                      status_code)
    response.headers.update(headers)
    return response


def _asked_language(request: Request) -> str:
    """ky or ru when the API's client asks for it; "" for English, the language of machines
    (which also get each refusal's `code`, and its `params`, to word it themselves)."""
    from api.i18n import api_lang

    asked = api_lang(request)  # the status's notes are worded by the same rule
    return asked if asked in ("ky", "ru") else ""


def refusal_json(request: Request, status_code: int, detail: str, extra: dict, headers: dict | None = None) -> JSONResponse:
    lang = _asked_language(request)
    if lang and extra.get("code"):
        from api.rejections import localized

        detail = localized(extra["code"], extra.get("params", {}), lang) or detail
    return JSONResponse({"detail": detail, **extra}, status_code=status_code, headers=headers)


def _where(e: dict) -> str:
    if e.get("type") == "json_invalid":  # its loc is ("body", the character where parsing stopped)
        return "body"
    parts = [str(p) for p in e.get("loc", ()) if p not in ("body",)]
    return ".".join(parts) or "body"


def install(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def api_error(request: Request, exc: ApiError) -> JSONResponse:
        if exc.status_code == status.HTTP_403_FORBIDDEN:
            await audit_refusal(request, exc.detail, exc.extra.get("code", ""), exc.extra.get("params"))
        if wants_page(request):
            return await error_page(request, exc.status_code, exc.headers, code=exc.extra.get("code", ""),
                                    params=exc.extra.get("params"))
        return refusal_json(request, exc.status_code, exc.detail, exc.extra, exc.headers)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException):
        if wants_page(request) and exc.status_code == 400:  # a broken form post (multipart, too many fields)
            return await error_page(request, 400, exc.headers or {}, code="malformed_request")
        if wants_page(request) and exc.status_code in (403, 404, 405, 429):
            return await error_page(request, 404 if exc.status_code == 405 else exc.status_code, exc.headers or {})
        code = {400: "malformed_request", 404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "")
        return refusal_json(request, exc.status_code, exc.detail, {"code": code} if code else {}, exc.headers)

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception):
        """A fault of ours: logged with a reference the person can quote, never the details."""
        reference = uuid.uuid4().hex[:10].upper()
        log.error("unexpected %s on %s %s (reference %s)", type(exc).__name__, request.method,
                  getattr(request.scope.get("route"), "path", "?"), reference, exc_info=exc)
        if wants_page(request):
            return await error_page(request, 500, {}, reference)
        return refusal_json(request, 500, f"something went wrong on our side; quote reference {reference}",
                            {"code": "our_fault", "params": {"reference": reference}, "reference": reference})

    async def database_unreachable(request: Request, exc: Exception) -> JSONResponse:
        log.error("database unreachable on %s %s: %s", request.method, request.url.path, type(exc).__name__)
        if wants_page(request):
            return await error_page(request, 503, {"Retry-After": "5"})
        return refusal_json(request, status.HTTP_503_SERVICE_UNAVAILABLE,
                            "the case database is not reachable; nothing was changed; try again shortly",
                            {"code": "database_unreachable"}, {"Retry-After": "5"})

    for kind in DATABASE_OUTAGES:
        app.add_exception_handler(kind, database_unreachable)

    @app.exception_handler(sqlalchemy.exc.DBAPIError)
    async def database_error(request: Request, exc: sqlalchemy.exc.DBAPIError):
        # A connection PostgreSQL closed under a statement (it stopped, or ended the backend) comes
        # as a plain DBAPIError that the pool has marked invalidated: an outage, not a fault of ours;
        # so does a server starting up, shutting down or out of connections (by its SQLSTATE).
        if exc.connection_invalidated or transient_sqlstate(exc):
            return await database_unreachable(request, exc)
        return await unexpected(request, exc)

    @app.exception_handler(asyncpg.PostgresError)
    async def driver_error(request: Request, exc: asyncpg.PostgresError):
        # Raised by the driver itself where SQLAlchemy does not wrap it (a connection being made).
        if transient_sqlstate(exc):
            return await database_unreachable(request, exc)
        return await unexpected(request, exc)

    @app.exception_handler(RuntimeError)
    async def runtime_error(request: Request, exc: RuntimeError):
        # Where a service did not turn the unconnected engine client into a refusal itself.
        if not client_not_connected(exc):
            return await unexpected(request, exc)
        log.error("engine unreachable on %s %s", request.method, request.url.path)
        return await api_error(request, engine_unreachable())

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError) -> JSONResponse:
        from api.forms.posted import problem_message, problem_of

        if wants_page(request):  # a page's own checks come first; this is what a hand-made request meets
            from api.i18n import choose_lang

            lang = choose_lang(request)
            problems = "; ".join(f"{_where(e)}: {problem_message(problem_of(e), lang)}"
                                 for e in exc.errors()[:10])
            return await error_page(request, 422, {}, code="invalid_request", params={"problems": problems})
        lang = _asked_language(request)
        errors = []
        for e in exc.errors():
            problem = problem_of(e)
            errors.append({"field": _where(e), "code": problem.code,
                           "problem": problem_message(problem, lang) if lang else e.get("msg", "invalid")})
        summary = "; ".join(f"{e['field']}: {e['problem']}" for e in errors[:10])
        return refusal_json(request, status.HTTP_422_UNPROCESSABLE_CONTENT, f"invalid request: {summary}",
                            {"code": "invalid_request", "params": {"problems": summary}, "errors": errors})


class BodyLimit:
    """Reject request bodies over the limit with 413, whether or not Content-Length is sent.
    What may carry files (documents sent to a case, the online application) gets `upload_limit`:
    as many files as the app takes, each as large as it takes, so that any file the app would
    refuse is refused by the app, beside the form and its answers, not here. A person's browser
    gets the refusal as a page in their language, a client of the API as JSON."""

    def __init__(self, app, limit: int, upload_limit: int, file_limit: int) -> None:
        self.app = app
        self.limit = limit
        self.upload_limit = upload_limit
        self.file_limit = file_limit

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        takes_files = scope["path"].endswith("/documents") or scope["path"].startswith("/apply/")
        limit = self.upload_limit if takes_files else self.limit
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            return await self._too_large(scope, receive, send, limit, takes_files)
        seen = 0

        async def limited_receive():
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise _TooLarge()
            return message

        try:
            await self.app(scope, limited_receive, send)
        except _TooLarge:
            await self._too_large(scope, receive, send, limit, takes_files)

    async def _too_large(self, scope, receive, send, limit: int, takes_files: bool) -> None:
        request = Request(scope, receive)
        mb = {"limit": str(limit // 2**20 or 1), "each": str(self.file_limit // 2**20 or 1)}
        code = "files_too_large" if takes_files else "too_large"
        if wants_page(request):
            response = await error_page(request, 413, {}, code=code, params=mb)
        else:
            response = refusal_json(request, 413, f"request body is larger than {limit} bytes",
                                    {"code": code, "params": mb})
        await response(scope, receive, send)


class _TooLarge(Exception):
    pass
