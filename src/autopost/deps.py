"""FastAPI dependencies: the unit of work, the current user and workspace, the runtime; the session cookie."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Header, Request, Response
from sqlalchemy.ext.asyncio import AsyncSession

from autopost.i18n import Lang, pick_language
from autopost.queue import Outbox
from autopost.refusals import Kind, Refused
from autopost.runtime import Runtime
from autopost.security.sessions import SESSION_COOKIE, csrf_valid, set_session_cookie
from autopost.settings import Settings
from autopost.users import sessions
from autopost.users.models import User
from autopost.users.service import user_for_api_token
from autopost.users.sessions import BrowserSession, find_session
from autopost.workspaces.access import Member, parse_workspace_id
from autopost.workspaces.usecases import acting_member

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


def get_runtime(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]


@dataclass
class UnitOfWork:
    """One request's transaction, and the queue work to send once it has committed."""

    session: AsyncSession
    outbox: Outbox


async def get_unit_of_work(runtime: RuntimeDep) -> AsyncIterator[UnitOfWork]:
    async with runtime.session_factory() as session:
        work = UnitOfWork(session, Outbox())
        try:
            yield work
            await session.commit()
        except BaseException:
            await session.rollback()
            work.outbox.discard()
            raise
    # After the commit, before the response: a client that sees 201 finds its jobs queued.
    await work.outbox.flush(runtime.queues)


# scope="function": commit and enqueue before the response is sent, not after.
Work = Annotated[UnitOfWork, Depends(get_unit_of_work, scope="function")]


def _bearer_token(request: Request) -> str | None:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


async def browser_session(request: Request, work: Work, runtime: RuntimeDep) -> BrowserSession | None:
    """The live session of the cookie (none for API-token calls); a cookie write needs its CSRF token."""
    if _bearer_token(request) is not None:
        return None
    found = await find_session(work.session, request.cookies.get(SESSION_COOKIE))
    if (
        found is not None
        and request.method not in SAFE_METHODS
        and not csrf_valid(
            runtime.settings.resolved_secret_key(), found.token, request.headers.get("x-csrf-token")
        )
    ):
        request.state.lang = pick_language(None, found.user.locale)
        raise Refused("csrf_failed", Kind.FORBIDDEN)
    return found


BrowserSessionDep = Annotated[BrowserSession | None, Depends(browser_session)]


async def current_user(request: Request, work: Work, browser: BrowserSessionDep) -> User:
    token = _bearer_token(request)
    if token:
        user = await user_for_api_token(work.session, token)
    else:
        user = browser.user if browser else None
    if user is None:
        raise Refused("not_authenticated", Kind.UNAUTHENTICATED)
    request.state.lang = pick_language(request.headers.get("accept-language"), user.locale)
    return user


CurrentUser = Annotated[User, Depends(current_user)]


async def current_member(
    user: CurrentUser,
    work: Work,
    x_workspace_id: Annotated[str | None, Header(max_length=100)] = None,
) -> Member:
    """The caller in the workspace X-Workspace-Id names (default: their first), else not found."""
    return await acting_member(work.session, user, parse_workspace_id(x_workspace_id))


CurrentMember = Annotated[Member, Depends(current_member)]


def reader_language(request: Request, user: CurrentUser) -> Lang:
    """The language the signed-in caller reads (set by current_user from Accept-Language or the user)."""
    lang: Lang = request.state.lang
    return lang


Reader = Annotated[Lang, Depends(reader_language)]


def client_address(request: Request) -> str:
    """Who is knocking, for the per-address login slow-down: the peer uvicorn reports.

    uvicorn has already applied X-Forwarded-For when, and only when, the peer is
    one of AUTOPOST_TRUSTED_PROXIES (serving.py); otherwise the header is ignored.
    """
    return request.client.host if request.client else "unknown"


async def start_session(
    request: Request, response: Response, db: AsyncSession, settings: Settings, user: User
) -> str:
    """Sign the browser in (API login, login page, password change): a new server-side session whose
    opaque token becomes the cookie; returns that token (the CSRF token is derived from it)."""
    address = request.client.host if request.client else ""
    token = await sessions.start_session(
        db, user, user_agent=request.headers.get("user-agent", ""), ip=address
    )
    set_session_cookie(response, token, secure=settings.public_url.startswith("https://"))
    return token
