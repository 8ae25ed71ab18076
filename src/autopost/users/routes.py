"""Who am I, log in, log out."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from autopost.deps import CurrentUser, RuntimeDep, Work
from autopost.security.sessions import SESSION_COOKIE, SESSION_SECONDS, csrf_token, make_session
from autopost.users.login_guard import log_in
from autopost.users.schemas import LoginIn, LoginOut, MeOut

router = APIRouter(prefix="/api/v1", tags=["users"])


@router.get("/me")
async def me(user: CurrentUser) -> MeOut:
    return MeOut.from_user(user)


@router.post("/auth/login")
async def login(
    body: LoginIn, request: Request, response: Response, work: Work, runtime: RuntimeDep
) -> LoginOut:
    # The peer uvicorn reports: a trusted proxy's X-Forwarded-For is already applied (serving.py).
    client = request.client.host if request.client else "unknown"
    user = await log_in(work.session, runtime.redis, runtime.settings, body.email, body.password, client)
    secret = runtime.settings.resolved_secret_key()
    session = make_session(secret, user.id)
    response.set_cookie(
        SESSION_COOKIE,
        session,
        max_age=SESSION_SECONDS,
        httponly=True,
        samesite="lax",
        secure=runtime.settings.public_url.startswith("https://"),
    )
    return LoginOut(user=MeOut.from_user(user), csrf_token=csrf_token(secret, session))


@router.post("/auth/logout", status_code=204)
async def logout(response: Response) -> None:
    response.delete_cookie(SESSION_COOKIE)
