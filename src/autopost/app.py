"""The FastAPI application: JSON API, OAuth callbacks, media URLs, health and metrics."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, PlainTextResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import text

from autopost.asgi import install as install_hardening
from autopost.asgi import metrics_authorized
from autopost.clips.routes import router as clips_router
from autopost.clips.tus_routes import router as uploads_router
from autopost.connections.routes import router as connections_router
from autopost.deps import RuntimeDep
from autopost.i18n import code_table, pick_language, render
from autopost.notifications.routes import router as notifications_router
from autopost.publications.callbacks import router as callbacks_router
from autopost.publications.routes import router as publications_router
from autopost.refusals import Kind, Refused
from autopost.runtime import ProviderFactory, Runtime
from autopost.series.routes import router as series_router
from autopost.settings import Settings, get_settings
from autopost.stats.routes import router as stats_router
from autopost.templates.routes import router as templates_router
from autopost.users.account_routes import router as account_router
from autopost.users.routes import router as users_router
from autopost.web import install as install_web
from autopost.webhooks.routes import router as webhooks_router
from autopost.workspaces.routes import router as workspaces_router

# The one place a refusal's kind becomes an HTTP status.
STATUS_OF_KIND: dict[Kind, int] = {
    Kind.NOT_FOUND: 404,
    Kind.FORBIDDEN: 403,
    Kind.CONFLICT: 409,
    Kind.INVALID: 422,
    Kind.THROTTLED: 429,
    Kind.UNAVAILABLE: 502,
    Kind.UNAUTHENTICATED: 401,
    Kind.TOO_LARGE: 413,
}


def _lang(request: Request) -> str:
    return getattr(request.state, "lang", None) or pick_language(request.headers.get("accept-language"))


def _error(code: str, message: str, status: int, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"error": {"code": code, "message": message}}, status_code=status, headers=headers)


def refusal_response(request: Request, refusal: Refused) -> JSONResponse:
    """A refusal as the API answers it: its kind's status, its code rendered in the caller's language.

    Also used by the body cap (autopost.asgi), which answers before any route runs.
    """
    retry_after = refusal.retry_after
    headers = {"Retry-After": str(retry_after)} if retry_after is not None else None
    lang = _lang(request)
    body: dict[str, Any] = {"code": refusal.code, "message": render(refusal.code, lang, **refusal.params)}
    if refusal.also:
        # Several targets refused at once: each problem, and the connection it is about.
        body["problems"] = [
            {"code": one.code, "message": render(one.code, lang, **one.params), "about": _about(one)}
            for one in (refusal, *refusal.also)
        ]
    return JSONResponse({"error": body}, status_code=STATUS_OF_KIND[refusal.kind], headers=headers)


def _about(refusal: Refused) -> str | None:
    return None if refusal.about is None else str(refusal.about)


def _problem(error: Mapping[str, Any], lang: str) -> str:
    """One field's problem: a check of ours names a code (its error type), rendered in `lang`; pydantic's own as is."""
    where = ".".join(str(p) for p in error.get("loc", ())[1:]) or "body"
    kind = str(error.get("type", ""))
    text = render(kind, lang, **error.get("ctx", {})) if kind in code_table() else error.get("msg", "")
    return f"{where}: {text}"


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(Refused)
    async def refused(request: Request, exc: Refused) -> JSONResponse:
        return refusal_response(request, exc)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        lang = _lang(request)
        detail = "; ".join(_problem(error, lang) for error in exc.errors())
        return _error("validation_error", render("validation_error", lang, detail=detail), 422)


def create_app(
    settings: Settings | None = None,
    *,
    redis_url: str | None = None,
    providers: ProviderFactory | None = None,
) -> FastAPI:
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        url = redis_url or settings.redis_url
        if not url:
            raise RuntimeError("AUTOPOST_REDIS_URL is not set (or run `autopost up`, which embeds Redis)")
        runtime = Runtime.create(settings, url, providers)
        app.state.runtime = runtime
        yield
        await runtime.close()

    docs = {} if settings.api_docs else {"docs_url": None, "redoc_url": None, "openapi_url": None}
    app = FastAPI(title="autopost", version="0.1.0", lifespan=lifespan, **docs)  # type: ignore[arg-type]
    install_error_handlers(app)
    install_hardening(app, settings, refusal_response)
    for router in (
        users_router,
        account_router,
        workspaces_router,
        notifications_router,
        connections_router,
        clips_router,
        uploads_router,
        publications_router,
        series_router,
        callbacks_router,
        webhooks_router,
        stats_router,
        templates_router,
    ):
        app.include_router(router)
    install_web(app)

    @app.get("/healthz", tags=["health"])
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/readyz", tags=["health"], responses={503: {"description": "database or Redis unreachable"}})
    async def readyz(runtime: RuntimeDep) -> JSONResponse:
        checks = {}
        try:
            async with runtime.engine.connect() as connection:
                await connection.execute(text("SELECT 1"))
            checks["database"] = "ok"
        except Exception as exc:  # readiness reports, it does not raise
            checks["database"] = type(exc).__name__
        try:
            await asyncio.wait_for(runtime.redis.ping(), timeout=3)
            checks["redis"] = "ok"
        except Exception as exc:
            checks["redis"] = type(exc).__name__
        ready = all(value == "ok" for value in checks.values())
        return JSONResponse(
            {"status": "ok" if ready else "unavailable", **checks}, status_code=200 if ready else 503
        )

    @app.get("/metrics", tags=["health"], response_class=PlainTextResponse)
    async def metrics(request: Request) -> PlainTextResponse:
        if not metrics_authorized(settings, request.headers.get("authorization")):
            return PlainTextResponse("", status_code=401, headers={"WWW-Authenticate": "Bearer"})
        return PlainTextResponse(generate_latest().decode(), media_type=CONTENT_TYPE_LATEST)

    return app
