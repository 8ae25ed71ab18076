"""Each platform's own rate-limit units, kept across every worker through Redis.

Platforms count calls per unit (a VK user token and the app's daily video.save quota, a
Telegram bot and each channel it posts to, a Rutube token, a Dzen publisher: docs/platforms.md),
so one tenant's burst must not hold up another's. `limits` keeps a moving window per unit in
Redis, so two workers calling for one token share its allowance.

A short wait is slept where the call is; a longer one raises Throttled, and the job moves to
its unit's next slot without using an attempt. A platform's own 429 blocks its unit for the
wait it named: the unit's other calls wait instead of asking and being refused too.

Calls count here when they are sent, and the platform counts them when they arrive: every
wait keeps a margin for the network between the two.
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

# A busy worker can take this long between taking a slot and its request leaving (bench/rush.py
# saw VK count a 4th call in a second with 0.2 s, two worker processes on two cores).
MARGIN_SECONDS = 0.5
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
        """One call of `key` within `unit`: taken from its allowance; the platform's refusal for going
        over it (a 429, the unit's code) blocks the unit for the wait the platform named."""
        await self.take(unit, key)
        try:
            yield
        except RateLimited as refused:
            if refused.code == unit.code and not isinstance(refused, Throttled):
                await self.block(unit, key, refused.retry_after)
            raise

    async def take(self, unit: Unit, key: str) -> None:
        """Take one call from the allowance, after a short sleep if need be; Throttled if the wait is long."""
        who = _fingerprint(key)
        # Re-checked after every sleep: another worker may have taken the freed slot.
        while (wait := await self._wait(unit, who)) > 0:
            if wait > LONGEST_SLEEP_SECONDS:
                raise Throttled(unit.code, f"{unit.name} allowance used up", retry_after=wait)
            await asyncio.sleep(wait)

    async def block(self, unit: Unit, key: str, seconds: float) -> None:
        """The platform refused a call (429): hold the unit's calls for `seconds`."""
        block = self._block_key(unit, _fingerprint(key))
        if await self._blocked_until(block) >= time.time() + seconds:
            return
        await self._storage.clear(block)
        await self._storage.incr(block, max(1, math.ceil(seconds)))

    async def _wait(self, unit: Unit, who: str) -> float:
        now = time.time()
        blocked_until = await self._blocked_until(self._block_key(unit, who))
        if blocked_until > now:
            return blocked_until - now + MARGIN_SECONDS
        if await self._windows.hit(unit.allowance, unit.name, who):
            return 0.0
        window = await self._windows.get_window_stats(unit.allowance, unit.name, who)
        return max(0.0, window.reset_time - now) + MARGIN_SECONDS

    async def _blocked_until(self, block: str) -> float:
        if not await self._storage.get(block):
            return 0.0
        return await self._storage.get_expiry(block)

    @staticmethod
    def _block_key(unit: Unit, who: str) -> str:
        return f"block/{unit.name}/{who}"
