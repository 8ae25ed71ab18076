"""The caller's own account: log out everywhere, change the password, manage API tokens."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Request, Response

from autopost.deps import BrowserSessionDep, CurrentUser, RuntimeDep, Work, start_session
from autopost.security.sessions import SESSION_COOKIE, csrf_token
from autopost.users.schemas import NewTokenOut, PasswordChangedOut, PasswordChangeIn, TokenIn, TokenOut
from autopost.users.sessions import end_all_sessions
from autopost.users.tokens import issue_api_token, list_api_tokens, revoke_own_api_token
from autopost.users.usecases import change_own_password

router = APIRouter(prefix="/api/v1", tags=["users"])


@router.post("/auth/logout-all", status_code=204)
async def logout_everywhere(
    response: Response, user: CurrentUser, work: Work, browser: BrowserSessionDep
) -> None:
    """End every browser session of the caller, this one included (API tokens stay)."""
    await end_all_sessions(work.session, user.id)
    if browser is not None:
        response.delete_cookie(SESSION_COOKIE)


@router.post("/me/password")
async def change_my_password(
    body: PasswordChangeIn,
    request: Request,
    response: Response,
    user: CurrentUser,
    work: Work,
    runtime: RuntimeDep,
    browser: BrowserSessionDep,
) -> PasswordChangedOut:
    """Every session ends; the browser that made the change gets a new one (the cookie is replaced)."""
    await change_own_password(work.session, runtime, user, body.current_password, body.new_password)
    if browser is None:
        return PasswordChangedOut(csrf_token=None)
    token = await start_session(request, response, work.session, runtime.settings, user)
    return PasswordChangedOut(csrf_token=csrf_token(runtime.settings.resolved_secret_key(), token))


@router.get("/tokens")
async def list_my_tokens(user: CurrentUser, work: Work) -> list[TokenOut]:
    return [TokenOut.of(token) for token in await list_api_tokens(work.session, user)]


@router.post("/tokens", status_code=201)
async def issue_my_token(body: TokenIn, user: CurrentUser, work: Work) -> NewTokenOut:
    issued = await issue_api_token(work.session, user, body.name, expires_at=body.expires_at)
    return NewTokenOut(**TokenOut.of(issued.record).model_dump(), token=issued.secret)


@router.delete("/tokens/{token_id}", status_code=204)
async def revoke_my_token(token_id: uuid.UUID, user: CurrentUser, work: Work) -> None:
    await revoke_own_api_token(work.session, user, token_id)
