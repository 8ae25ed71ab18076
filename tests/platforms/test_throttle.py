"""The per-unit limiter over real Redis: allowances shared by processes, long waits as Throttled,
a platform's 429 blocking only its unit, and no token in any Redis key."""

from __future__ import annotations

import time
import uuid
from collections.abc import AsyncIterator

import pytest
import redis.asyncio as aioredis

from autopost.platforms.errors import RateLimited
from autopost.platforms.throttle import LONGEST_SLEEP_SECONDS, Throttled, Unit, UnitLimiter
from autopost_testing.world import REDIS_URL

PER_SECOND = Unit.of("test.token", "3/second", "test.too_many_requests")
PER_MINUTE = Unit.of("test.channel", "2/minute", "test.too_many_requests")
TOKEN = "vk1.a.secret-token-that-must-not-reach-redis"


@pytest.fixture
async def redis() -> AsyncIterator[aioredis.Redis]:
    client = aioredis.Redis.from_url(REDIS_URL, socket_timeout=None)
    yield client
    await client.aclose()


@pytest.fixture
def namespace() -> str:
    return f"test{uuid.uuid4().hex[:10]}"


async def test_calls_beyond_the_allowance_wait_for_the_next_slot(
    redis: aioredis.Redis, namespace: str
) -> None:
    limiter = UnitLimiter.over_redis(redis, namespace)
    moments = []
    for _ in range(4):
        await limiter.take(PER_SECOND, TOKEN)
        moments.append(time.time())
    # Three calls go at once; the fourth only when the first is a second old.
    assert moments[3] - moments[0] >= 1.0


async def test_two_processes_share_one_allowance(redis: aioredis.Redis, namespace: str) -> None:
    first, second = UnitLimiter.over_redis(redis, namespace), UnitLimiter.over_redis(redis, namespace)
    await first.take(PER_MINUTE, TOKEN)
    await second.take(PER_MINUTE, TOKEN)
    with pytest.raises(Throttled) as held:
        await first.take(PER_MINUTE, TOKEN)
    # The wait is the minute the window holds, far past a sleep: the job moves, the call is not sent.
    assert LONGEST_SLEEP_SECONDS < held.value.retry_after <= 61
    assert held.value.code == "test.too_many_requests"
    # Another token of the same unit has its own allowance.
    await second.take(PER_MINUTE, "another-token")


async def test_a_platform_429_blocks_its_unit_only(redis: aioredis.Redis, namespace: str) -> None:
    limiter = UnitLimiter.over_redis(redis, namespace)
    with pytest.raises(RateLimited):
        async with limiter.turn(PER_SECOND, TOKEN):
            raise RateLimited("test.too_many_requests", "HTTP 429", retry_after=30)
    with pytest.raises(Throttled) as held:
        await UnitLimiter.over_redis(redis, namespace).take(PER_SECOND, TOKEN)
    assert 25 < held.value.retry_after <= 31
    await limiter.take(PER_SECOND, "another-token")
    await limiter.take(PER_MINUTE, TOKEN)


async def test_a_refusal_of_another_kind_blocks_nothing(redis: aioredis.Redis, namespace: str) -> None:
    limiter = UnitLimiter.over_redis(redis, namespace)
    with pytest.raises(RateLimited):
        async with limiter.turn(PER_SECOND, TOKEN):
            raise RateLimited("test.daily_limit", "a quota of another unit", retry_after=3600)
    await limiter.take(PER_SECOND, TOKEN)


async def test_redis_keys_name_no_token(redis: aioredis.Redis, namespace: str) -> None:
    limiter = UnitLimiter.over_redis(redis, namespace)
    await limiter.take(PER_SECOND, TOKEN)
    await limiter.block(PER_SECOND, TOKEN, 5)
    keys = [key.decode() async for key in redis.scan_iter(f"{namespace}:*")]
    assert len(keys) == 2 and all(namespace in key for key in keys)
    assert not any("secret" in key or TOKEN in key for key in keys)
    for key in keys:
        assert TOKEN.encode() not in (await redis.dump(key) or b"")


async def test_in_memory_limits_hold_within_one_process() -> None:
    limiter = UnitLimiter.in_memory()
    await limiter.take(PER_MINUTE, TOKEN)
    await limiter.take(PER_MINUTE, TOKEN)
    with pytest.raises(Throttled):
        await limiter.take(PER_MINUTE, TOKEN)
