"""HTTP hardening around the app: body size cap, security headers, who may read /metrics."""

from __future__ import annotations

import hmac

from fastapi import FastAPI
from starlette.requests import Request
from starlette.responses import Response

from autopost.asgi.headers import SecurityHeaders, origin_of, wants_hsts
from autopost.asgi.limits import Answer, BodyLimit, RequestTooLarge, too_large_response
from autopost.settings import Settings

__all__ = ["install", "metrics_authorized"]


def install(app: FastAPI, settings: Settings, answer: Answer) -> None:
    """The middlewares and the body cap's handler; `answer` renders a refusal as the API does."""

    async def request_too_large(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, RequestTooLarge)
        return too_large_response(answer, request, exc.max_bytes)

    app.add_exception_handler(RequestTooLarge, request_too_large)
    app.add_middleware(BodyLimit, max_bytes=settings.max_request_bytes, answer=answer)
    # Added last, so outermost: the 413s of the body cap carry the headers too.
    platform_urls = [
        settings.vk.api_url,
        settings.vk.id_url,
        settings.telegram.api_url,
        settings.telegram.preview_url,
        settings.rutube.api_url,
        settings.dzen.api_url,
    ]
    app.add_middleware(
        SecurityHeaders,
        hsts=wants_hsts(settings.env, settings.public_url),
        image_origins=[origin_of(url) for url in platform_urls],
    )


def metrics_authorized(settings: Settings, authorization: str | None) -> bool:
    """Open without AUTOPOST_METRICS_TOKEN; with it, only `Authorization: Bearer <token>`."""
    token = settings.metrics_token.get_secret_value()
    if not token:
        return True
    scheme, _, given = (authorization or "").partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(given.strip().encode(), token.encode())
