"""Security headers on every answer: CSP without inline script, no framing, no sniffing, HSTS in production.

The pages load only their own static files (HTMX is vendored; its indicator
<style> is switched off in base.html), so scripts and styles are 'self' only.
Images also come from data: URIs (Pico's icons) and from the platforms (account
avatars): any https origin, plus the configured platform origins, which are
plain http when they point at a local sandbox. FastAPI's /docs and /redoc pages are
built from a CDN with an inline bootstrap script: they get a policy of their
own, and production can switch them off (AUTOPOST_API_DOCS=false).
"""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import urlsplit

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: https:{images}; "
    "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
)
DOCS_CDN = "https://cdn.jsdelivr.net"
DOCS_CSP = (
    f"default-src 'self'; script-src 'self' 'unsafe-inline' {DOCS_CDN}; style-src 'self' 'unsafe-inline' "
    f"{DOCS_CDN} https://fonts.googleapis.com; font-src 'self' https://fonts.gstatic.com; "
    f"img-src 'self' data: https://fastapi.tiangolo.com {DOCS_CDN}; connect-src 'self'; worker-src 'self' blob:; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
)
DOCS_PATHS = ("/docs", "/redoc")
HSTS = "max-age=31536000"


def origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def wants_hsts(env: str, public_url: str) -> bool:
    """Only a production install served over https may tell browsers to insist on https."""
    return env == "production" and public_url.startswith("https://")


class SecurityHeaders:
    """ASGI middleware adding the headers to every http answer (an app's own value wins)."""

    def __init__(self, app: ASGIApp, *, hsts: bool, image_origins: Iterable[str] = ()) -> None:
        self.app = app
        self.hsts = hsts
        extra = sorted({origin for origin in image_origins if not origin.startswith("https://")})
        self.csp = CSP.format(images="".join(f" {origin}" for origin in extra))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        docs = scope["path"].startswith(DOCS_PATHS)
        wanted = {
            "Content-Security-Policy": DOCS_CSP if docs else self.csp,
            "X-Frame-Options": "DENY",
            "X-Content-Type-Options": "nosniff",
            "Referrer-Policy": "same-origin",
        }
        if self.hsts:
            wanted["Strict-Transport-Security"] = HSTS

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in wanted.items():
                    headers.setdefault(name, value)
            await send(message)

        await self.app(scope, receive, with_headers)
