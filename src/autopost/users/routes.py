"""Who am I, log in, log out (the session ends on the server, not only in this browser)."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from autopost.deps import BrowserSessionDep, CurrentMember, RuntimeDep, Work, client_address, start_session
from autopost.security.sessions import SESSION_COOKIE, csrf_token
from autopost.users.schemas import LoginIn, LoginOut, MeOut
from autopost.users.sessions import end_session
from autopost.users.usecases import log_in
from autopost.workspaces.usecases import acting_member

router = APIRouter(prefix="/api/v1", tags=["users"])


@router.get("/me")
async def me(member: CurrentMember) -> MeOut:
    return MeOut.of(member)


@router.post("/auth/login")
async def login(
    body: LoginIn, request: Request, response: Response, work: Work, runtime: RuntimeDep
) -> LoginOut:
    user = await log_in(work.session, runtime, body.email, body.password, client_address(request))
    token = await start_session(request, response, work.session, runtime.settings, user)
    return LoginOut(
        user=MeOut.of(await acting_member(work.session, user, None)),
        csrf_token=csrf_token(runtime.settings.resolved_secret_key(), token),
    )


@router.post("/auth/logout", status_code=204)
async def logout(response: Response, work: Work, browser: BrowserSessionDep) -> None:
    """End this browser's session (with its CSRF token); without a live session there is nothing to end."""
    if browser is not None:
        await end_session(work.session, browser.record)
    response.delete_cookie(SESSION_COOKIE)
