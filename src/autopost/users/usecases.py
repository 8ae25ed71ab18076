"""Logging in (API and page alike) and changing one's password; logging in is slowed down for whoever keeps getting it wrong.

Failures are counted per (e-mail, client address): after a few, each next try
from that address waits longer (15 s, 30 s, … up to 15 min). Someone guessing
another person's password slows only themselves: the owner logging in from
another address is never refused. One address failing on many accounts is
capped as a whole. A success is not a failure and forgets that pair's failures.
The API login and the login page both come here, so they share the counters.
"""

from __future__ import annotations

import hashlib
import math

from sqlalchemy.ext.asyncio import AsyncSession

from autopost.refusals import Kind, Refused
from autopost.runtime import Runtime
from autopost.security.failures import Backoff, FailureThrottle
from autopost.security.ratelimit import enforce_limit
from autopost.users.models import User
from autopost.users.passwords import change_password
from autopost.users.service import authenticate

# Current-password checks one user may make per window when changing it (as many as login guesses allow).
PASSWORD_CHECKS_PER_WINDOW = 10
PASSWORD_CHECK_WINDOW_SECONDS = 15 * 60

FREE_FAILURES = 5
FIRST_DELAY_SECONDS = 15
LONGEST_DELAY_SECONDS = 15 * 60
WINDOW_SECONDS = 15 * 60


def throttled(seconds: int) -> Refused:
    """The refusal of a slowed-down login: the wait in seconds, or in minutes once it is that long."""
    if seconds < 60:
        return Refused("login_throttled", Kind.THROTTLED, seconds=seconds)
    return Refused(
        "login_throttled_minutes", Kind.THROTTLED, seconds=seconds, minutes=math.ceil(seconds / 60)
    )


def _throttle(runtime: Runtime) -> FailureThrottle:
    settings = runtime.settings
    backoff = Backoff(
        free=FREE_FAILURES,
        first_delay=FIRST_DELAY_SECONDS,
        longest_delay=LONGEST_DELAY_SECONDS,
        window_seconds=WINDOW_SECONDS,
        client_cap=settings.login_failures_per_ip,
    )
    return FailureThrottle(runtime.redis, f"{settings.redis_namespace}:login", backoff)


async def log_in(session: AsyncSession, runtime: Runtime, email: str, password: str, client: str) -> User:
    """The user with this e-mail and password; refused as throttled, or unauthenticated when wrong."""
    email = email.strip().lower()
    # Keys name a hash of the address, not the address itself.
    subject = hashlib.sha256(email.encode()).hexdigest()[:32]
    throttle = _throttle(runtime)
    wait = await throttle.attempt(subject, client)
    if wait:
        raise throttled(wait)
    user = await authenticate(session, email, password) if email and password else None
    if user is None:
        raise Refused("login_failed", Kind.UNAUTHENTICATED)
    await throttle.succeeded(subject, client)
    return user


async def change_own_password(
    session: AsyncSession, runtime: Runtime, user: User, current_password: str, new_password: str
) -> int:
    """The user's own password change; every session ends (returns how many did)."""
    # Guessing the current password through a borrowed session is as limited as guessing at login.
    await enforce_limit(
        runtime.redis,
        runtime.settings.redis_namespace,
        f"password:{user.id}",
        limit=PASSWORD_CHECKS_PER_WINDOW,
        window_seconds=PASSWORD_CHECK_WINDOW_SECONDS,
    )
    return await change_password(session, user, current_password, new_password)
