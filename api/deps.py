"""Typed dependencies: one database session per request, the caller, the Temporal client."""

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Header, Request, status
from fastapi.security import OAuth2PasswordBearer
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from temporalio.client import Client

from api.errors import ApiError, not_found
from api.limits import RateLimits
from api.security import TokenError, read_token, session_ended
from db.repositories.users import token_holder
from settings import Settings
from stack.proofs import MessageSigner

oauth2 = OAuth2PasswordBearer(tokenUrl="/api/v1/auth/token", auto_error=False)


async def refuse_nul_in_path(request: Request) -> None:
    """Every route's first dependency (api/app.py): a path part holding a NUL character names
    nothing aryz stores (PostgreSQL text cannot hold one, and would fail the query), so it is not
    found, on every route, those to come included."""
    if any(isinstance(value, str) and "\x00" in value for value in request.path_params.values()):
        raise not_found("nothing is stored under a name with a NUL character", "not_found")


async def get_session(request: Request) -> AsyncIterator[AsyncSession]:
    """The request's session; committed when the route returns and before the response is sent
    (scope "function"), so a client never sees success for a write that did not commit; rolled
    back if the route raises. Routes commit before waiting on Temporal: no connection is held
    while a workflow answers."""
    async with request.app.state.sessions() as session:
        try:
            yield session
            await session.commit()
        except BaseException:
            await session.rollback()
            raise


# The getters are coroutines though they wait for nothing: FastAPI runs a plain function in its
# thread pool, and the hand-off cost each request more CPU than the rest of its dependencies.
async def get_settings(request: Request) -> Settings:
    return request.app.state.settings


async def get_temporal(request: Request) -> Client:
    return request.app.state.temporal


async def get_signer(request: Request) -> MessageSigner:
    return request.app.state.signer


async def get_limits(request: Request) -> RateLimits:
    return request.app.state.limits


async def get_sessions(request: Request) -> async_sessionmaker:
    """For a route that may answer without the database (from memory): it opens a session only
    when it must read, and reads only."""
    return request.app.state.sessions


IdempotencyKey = Annotated[str | None, Header(alias="Idempotency-Key", min_length=1, max_length=100,
                                              pattern=r"^[\x21-\x7e]+$")]
SessionDep = Annotated[AsyncSession, Depends(get_session, scope="function")]
SessionsDep = Annotated[async_sessionmaker, Depends(get_sessions)]
SignerDep = Annotated[MessageSigner, Depends(get_signer)]
LimitsDep = Annotated[RateLimits, Depends(get_limits)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
TemporalDep = Annotated[Client, Depends(get_temporal)]


@dataclass(frozen=True)
class Staff:
    username: str
    roles: tuple[str, ...]
    mission: str | None = None  # the diplomatic mission a consular officer serves (country code)

    def primary_role(self, preferred: str | None = None) -> str:
        return preferred if preferred in self.roles else self.roles[0]


def _unauthorised(detail: str, code: str) -> ApiError:
    return ApiError(status.HTTP_401_UNAUTHORIZED, detail, {"WWW-Authenticate": "Bearer"}, code=code)


async def get_current_staff(request: Request, session: SessionDep, settings: SettingsDep,
                            token: Annotated[str | None, Depends(oauth2)]) -> Staff:
    if not token:
        raise _unauthorised("sign in: this needs a bearer token", "sign_in_first")
    try:
        claims = read_token(token, settings.secret_key.get_secret_value())
    except TokenError as err:
        raise _unauthorised(str(err), "token_not_valid") from None
    user, revoked = await token_holder(session, claims.username, claims.jti)
    if revoked:
        raise _unauthorised("this token was signed out; sign in again", "token_signed_out")
    request.state.token = claims
    if user is None or not user.active:
        raise _unauthorised("account is not active", "account_not_active")
    if session_ended(claims, user.sessions_valid_after):
        raise _unauthorised("this account signed out everywhere; sign in again", "signed_out_everywhere")
    request.state.staff = Staff(user.username, tuple(user.roles), user.mission)  # for the audit of any refusal
    return request.state.staff


CurrentStaff = Annotated[Staff, Depends(get_current_staff)]


def require_roles(*roles: str) -> Callable[..., Staff]:
    """A dependency that lets through only staff holding one of `roles`."""

    async def check(staff: CurrentStaff) -> Staff:
        if not set(roles) & set(staff.roles):
            raise ApiError(status.HTTP_403_FORBIDDEN, f"this needs one of the roles: {', '.join(roles)}",
                           code="needs_role", params={"roles": ",".join(roles)})
        return staff

    return check


# Who may read a case's personal data: everyone who works cases, and auditors; not admins.
CASE_READERS = ("registrar", "case_officer", "supervisor", "commission", "finance_officer", "legal_officer",
                "consular_officer", "auditor")
DECIDERS = ("registrar", "case_officer", "supervisor", "commission", "finance_officer", "legal_officer",
            "consular_officer")
CaseReader = Annotated[Staff, Depends(require_roles(*CASE_READERS))]
Decider = Annotated[Staff, Depends(require_roles(*DECIDERS))]
