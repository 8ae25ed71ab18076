"""HTTP hardening around the app: body size cap, security headers, who may read /metrics."""

from __future__ import annotations

import hmac

from fastapi import FastAPI

from autopost.asgi.headers import SecurityHeaders, wants_hsts
from autopost.asgi.limits import BodyLimit, RequestTooLarge, request_too_large
from autopost.settings import Settings

__all__ = ["install", "metrics_authorized"]


def install(app: FastAPI, settings: Settings) -> None:
    app.add_exception_handler(RequestTooLarge, request_too_large)
    app.add_middleware(BodyLimit, max_bytes=settings.max_request_bytes)
    # Added last, so outermost: the 413s of the body cap carry the headers too.
    app.add_middleware(SecurityHeaders, hsts=wants_hsts(settings.env, settings.public_url))


def metrics_authorized(settings: Settings, authorization: str | None) -> bool:
    """Open without AUTOPOST_METRICS_TOKEN; with it, only `Authorization: Bearer <token>`."""
    token = settings.metrics_token.get_secret_value()
    if not token:
        return True
    scheme, _, given = (authorization or "").partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(given.strip().encode(), token.encode())
