"""Logging in: one function for the API and the login page, with one set of attempt limits."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from autopost.refusals import Kind, Refused
from autopost.runtime import Runtime
from autopost.security.ratelimit import enforce_limit
from autopost.users.models import User
from autopost.users.service import authenticate

LOGIN_ATTEMPTS = 10
LOGIN_WINDOW_SECONDS = 15 * 60


async def log_in(session: AsyncSession, runtime: Runtime, email: str, password: str, client: str) -> User:
    """The user with this email and password; throttled per email and per client address first."""
    email = email.strip().lower()
    namespace = runtime.settings.redis_namespace
    await enforce_limit(
        runtime.redis, namespace, f"login:{email}", limit=LOGIN_ATTEMPTS, window_seconds=LOGIN_WINDOW_SECONDS
    )
    await enforce_limit(
        runtime.redis,
        namespace,
        f"login-ip:{client}",
        limit=5 * LOGIN_ATTEMPTS,
        window_seconds=LOGIN_WINDOW_SECONDS,
    )
    user = await authenticate(session, email, password) if email and password else None
    if user is None:
        raise Refused("login_failed", Kind.UNAUTHENTICATED)
    return user
