"""CSRF protection for every form, staff and applicant: a random cookie (HttpOnly, SameSite=
Strict) and, in each form, a token derived from it with the server's secret. A cross-site page
can neither read the cookie nor compute the token. Sign-in and sign-out also need an Origin (or
Referer) of this site: a login CSRF would sign a victim into someone else's account."""

import hashlib
import hmac
import secrets

from fastapi import Request

from api.errors import ApiError

COOKIE = "aryz_csrf"
FIELD = "csrf_token"


def _token(secret: str, cookie: str) -> str:
    return hmac.new(secret.encode(), b"csrf|" + cookie.encode(), hashlib.sha256).hexdigest()


def _secret(request: Request) -> str:
    return request.app.state.settings.secret_key.get_secret_value()


def issue(request: Request) -> tuple[str, str | None]:
    """The token for this browser's forms, and a new cookie value if it has none yet."""
    cookie = request.cookies.get(COOKIE, "")
    fresh = None
    if len(cookie) != 64:
        cookie = fresh = secrets.token_hex(32)
    return _token(_secret(request), cookie), fresh


def secure_cookies(request: Request) -> bool:
    return request.app.state.settings.environment == "production"


def same_site_origin(request: Request) -> bool:
    here = str(request.base_url).rstrip("/")
    origin = request.headers.get("origin") or request.headers.get("referer", "")
    return bool(origin) and (origin.rstrip("/") == here or origin.startswith(here + "/"))


async def verify(request: Request, *, require_origin: bool = False) -> None:
    """403 unless the posted form carries this browser's token (and, if asked, a same-site Origin)."""
    origin = request.headers.get("origin")
    if origin and not same_site_origin(request):
        raise ApiError(403, "cross-site request refused", code="cross_site")
    if require_origin and not same_site_origin(request):
        raise ApiError(403, "this form must be sent from this site's own page", code="form_not_from_site")
    form = await request.form()
    cookie, sent = request.cookies.get(COOKIE, ""), form.get(FIELD, "")
    if not cookie or not isinstance(sent, str) or not hmac.compare_digest(sent, _token(_secret(request), cookie)):
        raise ApiError(403, "the form has expired or did not come from this site; reload the page and try again",
                       code="form_expired")
