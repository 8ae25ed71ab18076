"""Each platform's own rate-limit units, kept across every worker through Redis.

Platforms count calls per unit (a VK user token and the app's daily video.save quota, a
Telegram bot and each channel it posts to, a Rutube token, a Dzen publisher: docs/platforms.md),
so one tenant's burst must not hold up another's. `limits` keeps a moving window per unit in
Redis, so two workers calling for one token share its allowance.

A call counts while it is in flight and then from the moment its answer came: the platform
counted it on arrival, somewhere in between, so however late a busy worker's request leaves,
the next call cannot reach the platform within the window of one it has not counted yet.

A short wait is slept where the call is; a longer one raises Throttled, and the job moves to
its unit's next slot without using an attempt. A platform's own 429 blocks its unit for the
wait it named: the unit's other calls wait instead of asking and being refused too.
"""

from __future__ import annotations

import asyncio
import hashlib
import math
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

import redis.asyncio as aioredis
from limits import RateLimitItem, parse
from limits.aio.storage import MemoryStorage, RedisStorage, Storage
from limits.aio.strategies import MovingWindowRateLimiter

from autopost.platforms.errors import RateLimited

# Calls are counted from their answers, so this only covers the clocks' granularity.
MARGIN_SECONDS = 0.05
# How often a call waiting for the allowance's calls in flight looks again.
IN_FLIGHT_POLL_SECONDS = 0.05
# A worker killed mid-call leaves its call counted in flight this long at most.
IN_FLIGHT_TTL_SECONDS = 60
# Longer waits give the worker's slot back: the job is delayed, then resumes where it was.
LONGEST_SLEEP_SECONDS = 5.0


@dataclass(frozen=True)
class Unit:
    """A kind of limit unit: its name in Redis keys, its allowance ("3/second"), and the code of
    the platform's refusal for going over it, which a Throttled wait is told by too."""

    name: str
    allowance: RateLimitItem
    code: str

    @classmethod
    def of(cls, name: str, allowance: str, code: str) -> Unit:
        return cls(name, parse(allowance), code)


class Throttled(RateLimited):
    """The unit's allowance is used up: the call was not sent, and may go in `retry_after` seconds."""


def _fingerprint(key: str) -> str:
    # Keys are tokens or ids; Redis only ever sees a one-way name of them.
    return hashlib.sha256(key.encode()).hexdigest()[:24]


class UnitLimiter:
    """Takes calls from units' allowances: over Redis for every worker, or in memory for one process."""

    def __init__(self, storage: Storage) -> None:
        self._storage = storage
        self._windows = MovingWindowRateLimiter(storage)

    @classmethod
    def over_redis(cls, redis: aioredis.Redis, namespace: str) -> UnitLimiter:
        """Counts in `redis` (its connection pool, closed with it), under `namespace`'s keys."""
        storage = RedisStorage(
            "async+redis://",
            implementation="redispy",
            key_prefix=f"{namespace}:limits",
            connection_pool=redis.connection_pool,  # type: ignore[arg-type]  # documented; typed too narrowly
        )
        return cls(storage)

    @classmethod
    def in_memory(cls) -> UnitLimiter:
        return cls(MemoryStorage())

    @asynccontextmanager
    async def turn(self, unit: Unit, key: str) -> AsyncIterator[None]:
        """One call of `key` within `unit`, counted from its answer; Throttled if the wait is long.

        The platform's refusal for going over the unit (a 429, the unit's code) blocks the unit
        for the wait the platform named.
        """
        who = _fingerprint(key)
        await self._take(unit, who)
        try:
            yield
        except RateLimited as refused:
            if refused.code == unit.code and not isinstance(refused, Throttled):
                await self.block(unit, key, refused.retry_after)
            raise
        finally:
            await self._answered(unit, who)

    async def block(self, unit: Unit, key: str, seconds: float) -> None:
        """The platform refused a call (429): hold the unit's calls for `seconds`."""
        block = self._key("block", unit, _fingerprint(key))
        if await self._blocked_until(block) >= time.time() + seconds:
            return
        await self._storage.clear(block)
        await self._storage.incr(block, max(1, math.ceil(seconds)))

    async def _take(self, unit: Unit, who: str) -> None:
        # Re-checked after every sleep: another worker may have taken the freed slot.
        while (wait := await self._wait(unit, who)) > 0:
            if wait > LONGEST_SLEEP_SECONDS:
                raise Throttled(unit.code, f"{unit.name} allowance used up", retry_after=wait)
            await asyncio.sleep(wait)

    async def _wait(self, unit: Unit, who: str) -> float:
        """0 once the call may go (it is then counted in flight), else how long to wait.

        A call counts while in flight and then from its answer, by when the platform surely counted
        it: calls answered within the window plus calls in flight stay within the allowance.
        """
        now = time.time()
        blocked_until = await self._blocked_until(self._key("block", unit, who))
        if blocked_until > now:
            return blocked_until - now + MARGIN_SECONDS
        in_flight = self._key("flight", unit, who)
        # Counted first, checked after: two workers asking at once both see each other.
        flying = await self._storage.incr(in_flight, IN_FLIGHT_TTL_SECONDS)
        window = await self._windows.get_window_stats(unit.allowance, unit.name, who)
        answered = unit.allowance.amount - window.remaining
        if answered + max(flying, 1) <= unit.allowance.amount:
            return 0.0
        await self._storage.incr(in_flight, IN_FLIGHT_TTL_SECONDS, amount=-1)
        if answered == 0:
            return IN_FLIGHT_POLL_SECONDS  # the allowance is all in flight: its answers come soon
        return max(IN_FLIGHT_POLL_SECONDS, window.reset_time - now + MARGIN_SECONDS)

    async def _answered(self, unit: Unit, who: str) -> None:
        await self._windows.hit(unit.allowance, unit.name, who)
        await self._storage.incr(self._key("flight", unit, who), IN_FLIGHT_TTL_SECONDS, amount=-1)

    async def _blocked_until(self, block: str) -> float:
        if not await self._storage.get(block):
            return 0.0
        return await self._storage.get_expiry(block)

    @staticmethod
    def _key(kind: str, unit: Unit, who: str) -> str:
        return f"{kind}/{unit.name}/{who}"
