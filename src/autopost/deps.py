"""FastAPI dependencies: the unit of work, the current user, the runtime; the session cookie."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request, Response
from sqlalchemy.ext.asyncio import AsyncSession

from autopost.i18n import pick_language
from autopost.queue import Outbox
from autopost.refusals import Kind, Refused
from autopost.runtime import Runtime
from autopost.security.sessions import SESSION_COOKIE, SESSION_SECONDS, csrf_valid, make_session, read_session
from autopost.settings import Settings
from autopost.users.models import User
from autopost.users.service import user_for_api_token

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


async def current_user(request: Request, work: Work, runtime: RuntimeDep) -> User:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    user: User | None = None
    if scheme.lower() == "bearer" and token.strip():
        user = await user_for_api_token(work.session, token.strip())
    else:
        secret = runtime.settings.resolved_secret_key()
        cookie = request.cookies.get(SESSION_COOKIE)
        user_id = read_session(secret, cookie)
        if user_id is not None:
            user = await work.session.get(User, user_id)
            unsafe = request.method not in SAFE_METHODS
            if (
                user is not None
                and unsafe
                and not csrf_valid(secret, cookie or "", request.headers.get("x-csrf-token"))
            ):
                request.state.lang = pick_language(None, user.locale)
                raise Refused("csrf_failed", Kind.FORBIDDEN)
    if user is None:
        raise Refused("not_authenticated", Kind.UNAUTHENTICATED)
    request.state.lang = pick_language(request.headers.get("accept-language"), user.locale)
    return user


CurrentUser = Annotated[User, Depends(current_user)]


def client_address(request: Request) -> str:
    """Who is knocking, for the per-address login slow-down: the peer uvicorn reports.

    uvicorn has already applied X-Forwarded-For when, and only when, the peer is
    one of AUTOPOST_TRUSTED_PROXIES (serving.py); otherwise the header is ignored.
    """
    return request.client.host if request.client else "unknown"


def start_session(response: Response, settings: Settings, user: User) -> str:
    """Sign the browser in (API login and login page alike); returns the session value."""
    session = make_session(settings.resolved_secret_key(), user.id)
    response.set_cookie(
        SESSION_COOKIE,
        session,
        max_age=SESSION_SECONDS,
        httponly=True,
        samesite="lax",
        secure=settings.public_url.startswith("https://"),
    )
    return session
