"""The per-unit limiter over real Redis: allowances shared by processes and counted from each
call's answer, long waits as Throttled, a platform's 429 blocking only its unit, and no token in
any Redis key."""

from __future__ import annotations

import asyncio
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


async def call(limiter: UnitLimiter, unit: Unit, key: str = TOKEN, seconds: float = 0.0) -> float:
    """One call taking `seconds` to answer; when its answer came."""
    async with limiter.turn(unit, key):
        await asyncio.sleep(seconds)
    return time.time()


async def test_calls_beyond_the_allowance_wait_for_the_next_slot(
    redis: aioredis.Redis, namespace: str
) -> None:
    limiter = UnitLimiter.over_redis(redis, namespace)
    answers = [await call(limiter, PER_SECOND) for _ in range(3)]
    started = time.time()
    await call(limiter, PER_SECOND)
    # Three calls go at once; the fourth only when the first answer is a second old.
    assert started - answers[0] < 1.0 and time.time() - answers[0] >= 1.0


async def test_a_slow_call_counts_from_its_answer(redis: aioredis.Redis, namespace: str) -> None:
    # A request that left late reached the platform late: the window runs from when it answered.
    limiter, one = UnitLimiter.over_redis(redis, namespace), Unit.of("test.slow", "1/second", "test.code")
    answered = await call(limiter, one, seconds=0.6)
    await call(limiter, one)
    assert time.time() - answered >= 1.0


async def test_calls_in_flight_count_against_the_allowance(redis: aioredis.Redis, namespace: str) -> None:
    limiter, one = UnitLimiter.over_redis(redis, namespace), Unit.of("test.flight", "1/second", "test.code")
    first = asyncio.create_task(call(limiter, one, seconds=0.5))
    await asyncio.sleep(0.1)
    second = await call(UnitLimiter.over_redis(redis, namespace), one)
    # The second call waited for the first to be answered, then for a second after that.
    assert second - await first >= 1.0


async def test_two_processes_share_one_allowance(redis: aioredis.Redis, namespace: str) -> None:
    first, second = UnitLimiter.over_redis(redis, namespace), UnitLimiter.over_redis(redis, namespace)
    await call(first, PER_MINUTE)
    await call(second, PER_MINUTE)
    with pytest.raises(Throttled) as held:
        await call(first, PER_MINUTE)
    # The wait is the minute the window holds, far past a sleep: the job moves, the call is not sent.
    assert LONGEST_SLEEP_SECONDS < held.value.retry_after <= 61
    assert held.value.code == "test.too_many_requests"
    # Another token of the same unit has its own allowance.
    await call(second, PER_MINUTE, "another-token")


async def test_a_platform_429_blocks_its_unit_only(redis: aioredis.Redis, namespace: str) -> None:
    limiter = UnitLimiter.over_redis(redis, namespace)
    with pytest.raises(RateLimited):
        async with limiter.turn(PER_SECOND, TOKEN):
            raise RateLimited("test.too_many_requests", "HTTP 429", retry_after=30)
    with pytest.raises(Throttled) as held:
        await call(UnitLimiter.over_redis(redis, namespace), PER_SECOND)
    assert 25 < held.value.retry_after <= 31
    await call(limiter, PER_SECOND, "another-token")
    await call(limiter, PER_MINUTE)


async def test_a_refusal_of_another_kind_blocks_nothing(redis: aioredis.Redis, namespace: str) -> None:
    limiter = UnitLimiter.over_redis(redis, namespace)
    with pytest.raises(RateLimited):
        async with limiter.turn(PER_SECOND, TOKEN):
            raise RateLimited("test.daily_limit", "a quota of another unit", retry_after=3600)
    await call(limiter, PER_SECOND)


async def test_redis_keys_name_no_token(redis: aioredis.Redis, namespace: str) -> None:
    limiter = UnitLimiter.over_redis(redis, namespace)
    await call(limiter, PER_SECOND)
    await limiter.block(PER_SECOND, TOKEN, 5)
    keys = [key.decode() async for key in redis.scan_iter(f"{namespace}:*")]
    # The answered window, the count in flight, the block.
    assert len(keys) == 3 and all(namespace in key for key in keys)
    assert not any("secret" in key or TOKEN in key for key in keys)
    for key in keys:
        assert TOKEN.encode() not in (await redis.dump(key) or b"")


async def test_in_memory_limits_hold_within_one_process() -> None:
    limiter = UnitLimiter.in_memory()
    await call(limiter, PER_MINUTE)
    await call(limiter, PER_MINUTE)
    with pytest.raises(Throttled):
        await call(limiter, PER_MINUTE)
