"""Logging in and out (here or on every device): plain form POSTs around the session cookie; the language switch."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlsplit

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from autopost.deps import RuntimeDep, Work, client_address, start_session
from autopost.i18n import LANGS, gettext
from autopost.refusals import Kind, Refused
from autopost.security.sessions import SESSION_COOKIE
from autopost.users.sessions import end_all_sessions, end_session, find_session
from autopost.users.usecases import log_in
from autopost.web.auth import Page, request_language
from autopost.web.i18n import refused_text
from autopost.web.templating import render_anonymous

router = APIRouter(include_in_schema=False)


def safe_next(value: str | None) -> str:
    """Only a path on this site: never an open redirect to somewhere else."""
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return "/"
    return value


@router.get("/login", name="login")
async def login_page(request: Request, work: Work, next: str = "/") -> Response:
    if await find_session(work.session, request.cookies.get(SESSION_COOKIE)):
        return RedirectResponse(safe_next(next), status_code=303)
    return render_anonymous(
        request, "login.html", request_language(request), next=safe_next(next), email="", error=None
    )


def same_origin(request: Request, public_url: str) -> bool:
    """The form came from our own page (the Host it was served on, or the public address)."""
    origin = request.headers.get("origin")
    if not origin:
        return True
    return urlsplit(origin).netloc in {request.headers.get("host"), urlsplit(public_url).netloc}


@router.post("/login")
async def login(
    request: Request,
    work: Work,
    runtime: RuntimeDep,
    email: Annotated[str, Form(max_length=320)] = "",
    password: Annotated[str, Form(max_length=500)] = "",
    next: Annotated[str, Form(max_length=2000)] = "/",
) -> Response:
    lang = request_language(request)
    if not same_origin(request, runtime.settings.public_url):
        # Login CSRF: another site's form must not sign the browser into someone else's account.
        return render_anonymous(
            request,
            "login.html",
            lang,
            next="/",
            email="",
            error=gettext(lang, "The page is out of date. Reload it and try again."),
        )
    try:
        user = await log_in(work.session, runtime, email, password, client_address(request))
    except Refused as exc:
        error = _login_error(exc, lang)
        email = email.strip().lower()
        return render_anonymous(request, "login.html", lang, next=safe_next(next), email=email, error=error)
    response = RedirectResponse(safe_next(next), status_code=303)
    await start_session(request, response, work.session, runtime.settings, user)
    return response


def _login_error(exc: Refused, lang: str) -> str:
    """A slowed-down login says how long to wait (the API's words); a wrong one never says which part."""
    if exc.kind is Kind.THROTTLED:
        return refused_text(exc, lang)
    return gettext(lang, "Wrong email address or password")


@router.post("/logout", name="logout")
async def logout(viewer: Page) -> Response:
    await end_session(viewer.work.session, viewer.browser.record)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response


@router.post("/logout-all", name="logout_all")
async def logout_everywhere(viewer: Page) -> Response:
    """Log out on all devices: every session of the user ends, this one included."""
    await end_all_sessions(viewer.work.session, viewer.user.id)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response


@router.post("/settings/language", name="set_language")
async def set_language(
    request: Request,
    viewer: Page,
    lang: Annotated[str, Form(max_length=8)],
    back: Annotated[str, Form()] = "/",
) -> Response:
    if lang in LANGS:
        viewer.user.locale = lang
    return RedirectResponse(safe_next(back), status_code=303)
