"""The web UI: server-rendered pages (Jinja2 + HTMX) served by the same FastAPI app as the API."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlencode

from fastapi import FastAPI, Request
from fastapi.responses import PlainTextResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles

from autopost.i18n import gettext
from autopost.web.auth import CsrfRejected, LoginRequired
from autopost.web.pages_approval import router as approval_router
from autopost.web.pages_auth import router as auth_router
from autopost.web.pages_bulk import router as bulk_router
from autopost.web.pages_calendar import router as calendar_router
from autopost.web.pages_clips import router as clips_router
from autopost.web.pages_invite import router as invite_router
from autopost.web.pages_members import router as members_router
from autopost.web.pages_notifications import router as notifications_router
from autopost.web.pages_publications import router as publications_router
from autopost.web.pages_series import router as series_router
from autopost.web.pages_settings import router as settings_router
from autopost.web.pages_slots import router as slots_router
from autopost.web.pages_stats import router as stats_router
from autopost.web.pages_templates import router as templates_router
from autopost.web.pages_uploads import router as uploads_router
from autopost.web.pages_webhooks import router as webhooks_router
from autopost.web.pages_workspaces import router as workspaces_router
from autopost.web.templating import notice_html

STATIC = Path(__file__).parent / "static"

__all__ = ["install"]


def _is_htmx(request: Request) -> bool:
    return request.headers.get("hx-request") == "true"


async def _login_required(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, LoginRequired)
    target = f"/login?{urlencode({'next': exc.next_path})}" if exc.next_path != "/" else "/login"
    if _is_htmx(request):
        # An XHR would follow a 303 and swap the login page into a card; HTMX navigates instead.
        return PlainTextResponse("", status_code=401, headers={"HX-Redirect": target})
    return RedirectResponse(target, status_code=303)


async def _csrf_rejected(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, CsrfRejected)
    text = gettext(exc.lang, "The page is out of date. Reload it and try again.")
    if _is_htmx(request):
        # Shown in the page's notice area instead of the fragment the request was for.
        return PlainTextResponse(
            str(notice_html(text, "error")),
            status_code=200,
            headers={"HX-Reswap": "none", "Content-Type": "text/html; charset=utf-8"},
        )
    return PlainTextResponse(text, status_code=403)


def install(app: FastAPI) -> None:
    """Add the pages, their static files and the page-only error handling to the app."""
    app.add_exception_handler(LoginRequired, _login_required)
    app.add_exception_handler(CsrfRejected, _csrf_rejected)
    for router in (
        auth_router,
        calendar_router,
        clips_router,
        uploads_router,
        bulk_router,
        series_router,
        publications_router,
        approval_router,
        settings_router,
        slots_router,
        workspaces_router,
        members_router,
        invite_router,
        notifications_router,
        templates_router,
        webhooks_router,
        stats_router,
    ):
        app.include_router(router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
