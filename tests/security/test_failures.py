"""The Redis failure counters behind the login and connect limits, against the real Redis."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator

import pytest
import redis.asyncio as aioredis

from autopost.security.failures import Backoff, FailureThrottle, count_failure, wait_after_failures
from tests.support.engine import REDIS_URL


@pytest.fixture
async def redis() -> AsyncIterator[aioredis.Redis]:
    client = aioredis.Redis.from_url(REDIS_URL)
    yield client
    await client.aclose()


def _throttle(redis: aioredis.Redis, **backoff: int) -> FailureThrottle:
    values = {"free": 1, "first_delay": 1, "longest_delay": 2, "window_seconds": 60, "client_cap": 100}
    return FailureThrottle(redis, f"test-{uuid.uuid4().hex[:8]}", Backoff(**{**values, **backoff}))


async def test_each_wait_is_longer_up_to_the_longest_and_a_success_starts_over(redis: aioredis.Redis) -> None:
    throttle = _throttle(redis)
    assert await throttle.attempt("anna", "ip") == 0
    assert await throttle.attempt("anna", "ip") == 1  # waits 1 s; the refused try does not count
    await asyncio.sleep(1.1)
    assert await throttle.attempt("anna", "ip") == 0
    assert await throttle.attempt("anna", "ip") == 2
    await asyncio.sleep(2.1)
    assert await throttle.attempt("anna", "ip") == 0
    assert await throttle.attempt("anna", "ip") == 2  # 4 s capped at the longest
    assert await throttle.attempt("anna", "other-ip") == 0  # another client is not slowed
    await throttle.succeeded("anna", "other-ip")
    await asyncio.sleep(2.1)
    assert await throttle.attempt("anna", "ip") == 0
    await throttle.succeeded("anna", "ip")
    assert await throttle.attempt("anna", "ip") == 0
    assert await throttle.attempt("anna", "ip") == 1  # back to the first wait


async def test_parallel_guesses_cannot_slip_past_the_count(redis: aioredis.Redis) -> None:
    throttle = _throttle(redis, free=5, first_delay=60, longest_delay=60)
    waits = await asyncio.gather(*(throttle.attempt("anna", "ip") for _ in range(30)))
    assert waits.count(0) == 5


async def test_a_client_failing_on_many_subjects_is_capped(redis: aioredis.Redis) -> None:
    throttle = _throttle(redis, free=10, client_cap=3)
    assert [await throttle.attempt(name, "ip") for name in ("a", "b", "c")] == [0, 0, 0]
    assert await throttle.attempt("d", "ip") > 50  # until the window ends
    await throttle.succeeded("a", "ip")  # a right password is taken back from the client's count
    assert await throttle.attempt("e", "ip") == 0


async def test_failures_past_the_limit_wait_for_the_window(redis: aioredis.Redis) -> None:
    key = f"test-{uuid.uuid4().hex[:8]}:connect"
    for _ in range(2):
        assert await wait_after_failures(redis, key, limit=3) == 0
        await count_failure(redis, key, window_seconds=3600)
    await count_failure(redis, key, window_seconds=3600)
    assert 3590 < await wait_after_failures(redis, key, limit=3) <= 3600
