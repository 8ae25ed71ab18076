"""Who am I, log in, log out (the session ends on the server, not only in this browser)."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from autopost.deps import BrowserSessionDep, CurrentUser, RuntimeDep, Work
from autopost.errors import ApiError
from autopost.security.ratelimit import enforce_limit
from autopost.security.sessions import SESSION_COOKIE, csrf_token, set_session_cookie
from autopost.users.schemas import LoginIn, LoginOut, MeOut
from autopost.users.service import authenticate
from autopost.users.sessions import end_session, start_session

router = APIRouter(prefix="/api/v1", tags=["users"])

LOGIN_ATTEMPTS = 10
LOGIN_WINDOW_SECONDS = 15 * 60


@router.get("/me")
async def me(user: CurrentUser) -> MeOut:
    return MeOut.from_user(user)


@router.post("/auth/login")
async def login(
    body: LoginIn, request: Request, response: Response, work: Work, runtime: RuntimeDep
) -> LoginOut:
    client = request.client.host if request.client else "unknown"
    email = body.email.strip().lower()
    await enforce_limit(
        runtime.redis,
        runtime.settings.redis_namespace,
        f"login:{email}",
        limit=LOGIN_ATTEMPTS,
        window_seconds=LOGIN_WINDOW_SECONDS,
    )
    await enforce_limit(
        runtime.redis,
        runtime.settings.redis_namespace,
        f"login-ip:{client}",
        limit=5 * LOGIN_ATTEMPTS,
        window_seconds=LOGIN_WINDOW_SECONDS,
    )
    user = await authenticate(work.session, email, body.password)
    if user is None:
        raise ApiError("login_failed", 401)
    token = await start_session(
        work.session, user, user_agent=request.headers.get("user-agent", ""), ip=client
    )
    set_session_cookie(response, token, secure=runtime.settings.public_url.startswith("https://"))
    return LoginOut(
        user=MeOut.from_user(user), csrf_token=csrf_token(runtime.settings.resolved_secret_key(), token)
    )


@router.post("/auth/logout", status_code=204)
async def logout(response: Response, work: Work, browser: BrowserSessionDep) -> None:
    """End this browser's session (with its CSRF token); without a live session there is nothing to end."""
    if browser is not None:
        await end_session(work.session, browser.record)
    response.delete_cookie(SESSION_COOKIE)
