"""Rate limits against guessing and flooding (the `limits` package, moving windows in memory).

Each API process counts for itself; behind N replicas a client gets up to N times a limit, which
still turns a brute force of a 60-bit access code or a password into hopelessness. Account
lockouts after failed sign-ins live in PostgreSQL instead (api/services/sign_in.py), so that
they hold across replicas and restarts. Limits are settings (ARYZ_LIMIT_*), in the `limits`
notation ("30/minute"); answers over a limit are 429 with Retry-After.
"""

import math
import time

from fastapi import Request
from limits import parse
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter

from api.errors import ApiError
from settings import Settings


def client_of(request: Request) -> str:
    """The caller's address as the server saw it (run uvicorn with --proxy-headers and
    --forwarded-allow-ips behind a reverse proxy, so that this is the real client)."""
    return request.client.host if request.client else "unknown"


class TooManyRequests(ApiError):
    """429 with Retry-After; `code` is one of the TOO_MANY_* below (or `account_locked`)."""

    def __init__(self, retry_after: float, code: str) -> None:
        super().__init__(429, _SAID.get(code, "too many requests; wait before trying again"),
                         {"Retry-After": str(max(1, math.ceil(retry_after)))}, code=code)


class RateLimits:
    def __init__(self, settings: Settings) -> None:
        self.limiter = MovingWindowRateLimiter(MemoryStorage())
        self.sign_in = parse(settings.limit_sign_in_per_client)
        self.access_code = parse(settings.limit_access_code_per_client)
        self.access_code_failures = parse(settings.limit_access_code_failures_per_case)
        self.submissions = parse(settings.limit_submissions_per_client)
        self.verification = parse(settings.limit_verification_per_client)

    def _retry_after(self, limit, *keys: str) -> float:
        return self.limiter.get_window_stats(limit, *keys).reset_time - time.time()

    def hit(self, limit, code: str, *keys: str) -> None:
        """Count one request; 429 if it is over the limit."""
        if not self.limiter.hit(limit, *keys):
            raise TooManyRequests(self._retry_after(limit, *keys), code)

    def refuse_if_spent(self, limit, code: str, *keys: str) -> None:
        """429 if the limit is already used up (failures are counted with `count`)."""
        if not self.limiter.test(limit, *keys):
            raise TooManyRequests(self._retry_after(limit, *keys), code)

    def count(self, limit, *keys: str) -> None:
        self.limiter.hit(limit, *keys)


TOO_MANY_LOOKUPS = "too_many_lookups"
TOO_MANY_SUBMISSIONS = "too_many_submissions"
TOO_MANY_SIGN_INS = "too_many_sign_ins"
TOO_MANY_CHECKS = "too_many_checks"
# For a client that reads no language: the catalogues' `rejection` texts are what people read.
_SAID = {TOO_MANY_LOOKUPS: "too many attempts with access codes; wait before trying again",
         TOO_MANY_SUBMISSIONS: "too many applications from this address; wait before sending another",
         TOO_MANY_SIGN_INS: "too many sign-in attempts from this address; wait before trying again",
         TOO_MANY_CHECKS: "too many document checks from this address; wait before trying again",
         "account_locked": "this account is locked after repeated failed sign-ins; try again later"}
