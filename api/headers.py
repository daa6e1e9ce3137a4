"""Response headers that every answer carries, and CORS only where the Temporal Web UI needs it."""

from starlette.datastructures import MutableHeaders
from starlette.middleware.cors import CORSMiddleware

# No inline script or style anywhere on our pages; nothing from another origin; never framed.
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; "
       "base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
# FastAPI's Swagger UI page starts itself with an inline script (its assets are served from
# /static/docs, see api/docs.py); those pages get this narrower exception.
DOCS_CSP = ("default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
            "img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'")
DOCS_PATHS = ("/docs", "/docs/oauth2-redirect", "/redoc")


class SecurityHeaders:
    """Pure ASGI middleware (it never buffers a body): CSP, nosniff, referrer and framing rules,
    HSTS in production, and `Cache-Control: no-store` on everything but static assets, because
    answers carry personal data, tokens and access codes."""

    def __init__(self, app, production: bool) -> None:
        self.app = app
        self.production = production

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        path = scope["path"]

        async def with_headers(message):
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                if "content-security-policy" not in headers:  # an uploaded file sets a stricter one (sandbox)
                    headers["Content-Security-Policy"] = DOCS_CSP if path in DOCS_PATHS else CSP
                headers["X-Content-Type-Options"] = "nosniff"
                # "same-origin", not "no-referrer": with no referrer Chromium sends "Origin: null"
                # on form posts, and the CSRF check needs the real origin.
                headers["Referrer-Policy"] = "same-origin"
                headers["X-Frame-Options"] = "DENY"
                headers["Cross-Origin-Opener-Policy"] = "same-origin"
                headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()"
                if self.production:
                    headers["Strict-Transport-Security"] = "max-age=63072000; includeSubDomains"
                if path.startswith("/static/"):
                    headers.setdefault("Cache-Control", "public, max-age=3600")
                else:
                    headers["Cache-Control"] = "no-store"
            await send(message)

        await self.app(scope, receive, with_headers)


class CodecOnlyCORS:
    """Cross-origin requests are answered only on /codec (the Temporal Web UI decoding payloads
    with an auditor's token). Every other route, pages included, gets no CORS headers at all."""

    def __init__(self, app, origins: list[str]) -> None:
        self.app = app
        self.cors = CORSMiddleware(app, allow_origins=origins, allow_methods=["POST"],
                                   allow_headers=["Authorization", "Content-Type", "X-Namespace"],
                                   allow_credentials=False)

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http" and scope["path"].startswith("/codec/"):
            return await self.cors(scope, receive, send)
        return await self.app(scope, receive, send)
