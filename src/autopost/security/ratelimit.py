"""Fixed-window request limits in Redis, shared by every web process."""

from __future__ import annotations

import redis.asyncio as aioredis

from autopost.errors import TooManyRequests


async def enforce_limit(
    redis: aioredis.Redis, namespace: str, key: str, *, limit: int, window_seconds: int
) -> None:
    """Count one request under `key`; refuse (429 with a wait time) past `limit` per window."""
    full_key = f"{namespace}:limit:{key}"
    count = await redis.incr(full_key)
    if count == 1:
        await redis.expire(full_key, window_seconds)
    if count > limit:
        ttl = await redis.ttl(full_key)
        raise TooManyRequests(max(1, int(ttl)))
