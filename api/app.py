"""The FastAPI application: routes, error handling, and long-lived clients built in the lifespan."""

import asyncio
import logging
from contextlib import asynccontextmanager, suppress
from pathlib import Path

from fastapi import Depends, FastAPI
from fastapi.responses import RedirectResponse
from fastapi.staticfiles import StaticFiles
from temporalio.client import Client

from api import docs, errors, i18n, openapi
from api.deps import refuse_nul_in_path
from api.headers import CodecOnlyCORS, SecurityHeaders
from api.limits import RateLimits
from api.metrics import ReadModelGauges, RequestMetrics
from api.pages import admin as admin_pages
from api.pages import applicant as applicant_pages
from api.pages import applicant_actions as applicant_action_pages
from api.pages import apply as apply_pages
from api.pages import auditor as auditor_pages
from api.pages import lists as list_pages
from api.pages import public_info, staff_session
from api.pages import search as search_pages
from api.pages import staff as staff_pages
from api.routes import applicant, audit, codec, documents, ops, quota, staff, statistics
from api.services.applicant import MAX_FILES
from api.services.archive import archive_closed_histories
from api.services.workflows import start_pending_workflows
from api.status_cache import StatusCache
from db.case_changes import CaseChangeListener
from db.session import make_engine, make_sessionmaker
from settings import Settings, audit_keys, checkpoint_dir, data_sealer, get_settings, held_keys
from stack.checkpoints import FileCheckpointStore, take_checkpoint
from stack.proofs import MessageSigner, trust_public_keys

log = logging.getLogger(__name__)
JSON_LIMIT = 1024 * 1024


async def _sweep_forever(app: FastAPI, every: float) -> None:
    while True:
        await asyncio.sleep(every)
        try:
            await start_pending_workflows(app.state.sessions, app.state.temporal, app.state.settings.task_queue,
                                          app.state.signer)
            await archive_closed_histories(app.state.sessions, app.state.temporal)
        except Exception as err:  # keep trying; the next round may find the services back
            log.warning("background sweep failed: %s", type(err).__name__)


async def _register_keys(app: FastAPI) -> None:
    """The keys this process writes with are in use from now on (db/repositories/keys.py); with the
    database away at start, the first write of the sweep's round registers nothing: /readyz says so."""
    from db.repositories.keys import register_active

    try:
        async with app.state.sessions.begin() as session:
            await register_active(session, app.state.held_keys)
    except Exception as err:  # the database away: /readyz reports it
        log.warning("could not register the keys in use: %s", type(err).__name__)


async def _checkpoint_forever(app: FastAPI, keys, every: float) -> None:
    while True:
        try:
            await take_checkpoint(app.state.sessions, keys, app.state.checkpoints)
        except Exception as err:  # the database may be away; the next round tries again
            log.warning("audit checkpoint failed: %s", type(err).__name__)
        await asyncio.sleep(every)


def create_app(settings: Settings | None = None, *, temporal: Client | None = None) -> FastAPI:
    settings = settings or get_settings()
    if settings.secret_key is None:
        raise RuntimeError("ARYZ_SECRET_KEY is not set")
    if settings.message_signing_key is None:
        raise RuntimeError("ARYZ_MESSAGE_SIGNING_KEY is not set: messages to workflows must be signed")
    signer = MessageSigner.from_spec(settings.message_signing_key.get_secret_value())
    keys, sealer = audit_keys(settings), data_sealer(settings)
    trust_public_keys(settings.message_public_keys, signer)  # for replays run by the API

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        from stack.temporal import connect

        engine = make_engine(settings.database_url)
        app.state.settings = settings
        app.state.signer = signer
        app.state.sessions = make_sessionmaker(engine, keys, sealer)
        app.state.checkpoints = FileCheckpointStore(checkpoint_dir(settings))
        app.state.held_keys = held_keys(settings)
        await _register_keys(app)
        # Lazy: the API starts and serves submissions, status and reads while Temporal is away;
        # cases stored meanwhile are started by the sweep once it is back (/readyz tells).
        app.state.temporal = temporal or await connect(settings, lazy=True)
        loops = []
        if settings.pending_sweep_seconds > 0:
            loops.append(asyncio.create_task(_sweep_forever(app, settings.pending_sweep_seconds)))
        if settings.status_cache_entries > 0:
            cache = app.state.status_cache
            app.state.case_changes = CaseChangeListener.for_engine(
                engine, on_change=cache.changed, on_listening=cache.listening, on_lost=cache.lost)
            loops.append(asyncio.create_task(app.state.case_changes.listen_forever()))
        if settings.audit_checkpoint_seconds > 0:
            loops.append(asyncio.create_task(_checkpoint_forever(app, keys, settings.audit_checkpoint_seconds)))
        try:
            yield
        finally:
            for loop in loops:
                loop.cancel()
                with suppress(asyncio.CancelledError):
                    await loop
            await engine.dispose()

    app = FastAPI(title="aryz", version="0.1.0", lifespan=lifespan, docs_url=None, redoc_url=None,
                  description="Case processing for the migration procedures of the Kyrgyz Republic",
                  dependencies=[Depends(refuse_nul_in_path)])
    app.state.limits = RateLimits(settings)  # in memory, per process: see api/limits.py
    app.state.status_cache = StatusCache(settings.status_cache_entries, i18n.LANGS)  # per process too
    app.state.read_model_gauges = ReadModelGauges()  # the last reading, served again while PostgreSQL is away
    errors.install(app)
    docs.install(app)
    openapi.install(app)
    app.include_router(applicant.router, prefix="/api/v1")
    app.include_router(staff.router, prefix="/api/v1")
    app.include_router(quota.router, prefix="/api/v1")
    app.include_router(audit.router, prefix="/api/v1")
    app.include_router(audit.cases_router, prefix="/api/v1")
    app.include_router(documents.router, prefix="/api/v1")
    app.include_router(statistics.router, prefix="/api/v1")
    app.include_router(documents.public)
    app.include_router(ops.router)
    app.include_router(codec.router)
    app.include_router(applicant_pages.router)
    app.include_router(applicant_action_pages.router)
    app.include_router(apply_pages.router)
    app.include_router(public_info.router)
    app.include_router(staff_session.router)
    app.include_router(staff_pages.router)
    app.include_router(list_pages.router)
    app.include_router(search_pages.router)
    app.include_router(auditor_pages.router)
    app.include_router(admin_pages.router)

    @app.exception_handler(applicant_pages.CaseClosedForBrowser)
    async def case_not_open(request, exc):
        return RedirectResponse("/?ended=1", status_code=303)

    @app.exception_handler(staff_session.SignInRequired)
    async def sign_in_first(request, exc):
        return staff_session.sign_in_redirect(exc)

    app.include_router(ops.router, prefix="/api/v1", include_in_schema=False)
    app.mount("/static", StaticFiles(directory=Path(__file__).resolve().parent / "static"), name="static")
    app.add_middleware(errors.BodyLimit, limit=JSON_LIMIT, upload_limit=settings.max_upload_bytes * MAX_FILES + JSON_LIMIT,
                       file_limit=settings.max_upload_bytes)
    # The Web UI sends an auditor's bearer token, never a cookie: no credentials mode is needed.
    app.add_middleware(CodecOnlyCORS, origins=[o for o in settings.codec_cors_origins.split(",") if o])
    app.add_middleware(SecurityHeaders, production=settings.environment == "production")
    app.add_middleware(RequestMetrics)
    return app
