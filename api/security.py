"""Staff passwords (argon2), bearer tokens (JWT) and applicant access codes."""

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

import jwt
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()
# Verifying against this keeps the time of a login with an unknown user like a real one.
_DUMMY_HASH = _hasher.hash("aryz-timing-equaliser")
ALGORITHM = "HS256"
ROLES = ("registrar", "case_officer", "supervisor", "commission", "finance_officer", "legal_officer",
         "consular_officer", "auditor", "admin")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


# However long a deployment sets, a token never outlives this: a stolen one is useful briefly.
MAX_TOKEN_MINUTES = 12 * 60


def create_token(username: str, secret: str, minutes: int, *, idle_minutes: int | None = None,
                 renewing: "TokenClaims | None" = None) -> str:
    """A signed session token. `minutes` bounds the session from its sign-in (absolute); with
    `idle_minutes` it also ends after that long without use. `renewing` keeps the session's id and
    sign-in time, so signing out (revoking the id) ends every renewed copy too."""
    now = datetime.now(timezone.utc)
    signed_in = renewing.signed_in_at if renewing else now
    expires = signed_in + timedelta(minutes=min(minutes, MAX_TOKEN_MINUTES))
    if idle_minutes:
        expires = min(expires, now + timedelta(minutes=idle_minutes))
    return jwt.encode({"sub": username, "iat": now, "auth_time": signed_in.timestamp(),
                       "jti": renewing.jti if renewing else secrets.token_hex(16), "exp": expires},
                      secret, algorithm=ALGORITHM)


class TokenError(Exception):
    pass


@dataclass(frozen=True)
class TokenClaims:
    username: str
    jti: str
    expires_at: datetime
    signed_in_at: datetime


def read_token(token: str, secret: str) -> TokenClaims:
    try:
        claims = jwt.decode(token, secret, algorithms=[ALGORITHM], options={"require": ["sub", "exp", "jti"]})
    except jwt.ExpiredSignatureError:
        raise TokenError("token expired; sign in again") from None
    except jwt.InvalidTokenError:
        raise TokenError("invalid token") from None
    try:
        signed_in = datetime.fromtimestamp(float(claims.get("auth_time", claims.get("iat", 0))), timezone.utc)
    except (TypeError, ValueError, OverflowError):
        raise TokenError("invalid token") from None
    return TokenClaims(str(claims["sub"]), str(claims["jti"])[:64],
                       datetime.fromtimestamp(claims["exp"], timezone.utc), signed_in)


def session_ended(claims: TokenClaims, valid_after: datetime | None) -> bool:
    """True if the account signed out everywhere after this session began."""
    return valid_after is not None and claims.signed_in_at <= valid_after


# ---- applicant access codes ---------------------------------------------------------------
# A code is 60 random-looking bits derived with the server secret from the case, its
# idempotency key and a per-case seed: a retried submission can be answered with the same code,
# yet neither the database alone nor the secret alone gives it away. Being high-entropy, a
# plain SHA-256 of it is a sound stored hash (no slow KDF is needed against guessing).
_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford base32: no I, L, O, U


def new_seed() -> str:
    return secrets.token_hex(16)


def access_code(secret: str, case_number: str, dedupe_key: str, seed: str) -> str:
    digest = hmac.new(secret.encode(), f"{case_number}|{dedupe_key}|{seed}".encode(), hashlib.sha256).digest()
    n = int.from_bytes(digest[:8], "big") >> 4
    chars = "".join(_ALPHABET[(n >> (5 * i)) & 31] for i in range(12))
    return f"{chars[:4]}-{chars[4:8]}-{chars[8:]}"


def normalise_code(code: str) -> str:
    return code.upper().replace("-", "").replace(" ", "").translate(str.maketrans("ILO", "110"))


def hash_code(code: str, secret: str) -> str:
    """Keyed: a copy of the database alone does not let anyone test guesses offline."""
    return hmac.new(secret.encode(), b"access-code|" + normalise_code(code).encode(), hashlib.sha256).hexdigest()


def code_matches(stored_hash: str | None, code: str, secret: str) -> bool:
    return hmac.compare_digest(stored_hash or "0" * 64, hash_code(code, secret)) and stored_hash is not None
