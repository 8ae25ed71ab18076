"""Fixed-window request limits in Redis, shared by every web process."""

from __future__ import annotations

import redis.asyncio as aioredis

from autopost.refusals import Kind, Refused


async def enforce_limit(
    redis: aioredis.Redis, namespace: str, key: str, *, limit: int, window_seconds: int
) -> None:
    """Count one request under `key`; refuse (throttled, with the seconds to wait) past `limit` per window."""
    full_key = f"{namespace}:limit:{key}"
    count = await redis.incr(full_key)
    if count == 1:
        await redis.expire(full_key, window_seconds)
    if count > limit:
        ttl = await redis.ttl(full_key)
        raise Refused("rate_limited", Kind.THROTTLED, seconds=max(1, int(ttl)))
