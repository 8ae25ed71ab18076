"""Who am I, log in, log out."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from autopost.deps import CurrentUser, RuntimeDep, Work, client_address, start_session
from autopost.security.sessions import SESSION_COOKIE, csrf_token
from autopost.users.schemas import LoginIn, LoginOut, MeOut
from autopost.users.usecases import log_in

router = APIRouter(prefix="/api/v1", tags=["users"])


@router.get("/me")
async def me(user: CurrentUser) -> MeOut:
    return MeOut.from_user(user)


@router.post("/auth/login")
async def login(
    body: LoginIn, request: Request, response: Response, work: Work, runtime: RuntimeDep
) -> LoginOut:
    user = await log_in(work.session, runtime, body.email, body.password, client_address(request))
    session = start_session(response, runtime.settings, user)
    return LoginOut(
        user=MeOut.from_user(user), csrf_token=csrf_token(runtime.settings.resolved_secret_key(), session)
    )


@router.post("/auth/logout", status_code=204)
async def logout(response: Response) -> None:
    response.delete_cookie(SESSION_COOKIE)
