"""The hourly limit on failed connects: a token the platform rejects, an OAuth exchange that fails.

Starting an OAuth consent, viewing the consent page or cancelling it is not a
failure, and neither is a platform that is down or busy (Transient,
RateLimited): none of them counts. Once a user has
AUTOPOST_CONNECT_ATTEMPTS_PER_HOUR failures, connecting waits for the end of
that hour; the refusal says how many minutes.
"""

from __future__ import annotations

import math
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from autopost.platforms.errors import AuthExpired, Permanent
from autopost.refusals import Kind, Refused
from autopost.runtime import Runtime
from autopost.security.failures import count_failure, wait_after_failures

WINDOW_SECONDS = 3600


def _key(runtime: Runtime, user_id: uuid.UUID) -> str:
    return f"{runtime.settings.redis_namespace}:connect-failures:{user_id}"


async def refuse_after_too_many_failures(runtime: Runtime, user_id: uuid.UUID) -> None:
    limit = runtime.settings.connect_attempts_per_hour
    wait = await wait_after_failures(runtime.redis, _key(runtime, user_id), limit=limit)
    if wait:
        raise Refused("connect_throttled", Kind.THROTTLED, seconds=wait, minutes=math.ceil(wait / 60))


@asynccontextmanager
async def counting_failures(runtime: Runtime, user_id: uuid.UUID) -> AsyncIterator[None]:
    """The platform refusing the credentials checked inside the block counts as one failure."""
    try:
        yield
    except (AuthExpired, Permanent):
        await count_failure(runtime.redis, _key(runtime, user_id), window_seconds=WINDOW_SECONDS)
        raise
