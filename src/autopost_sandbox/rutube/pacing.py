"""Time-driven behaviour on the sandbox clock: per-token rate limits, waits, view growth.

Shared by the Rutube and Дзен emulators. Everything reads `Clock.now()`, so tests
move time with POST /_sandbox/clock instead of sleeping.
"""

from __future__ import annotations

import asyncio
import hashlib
import math
import threading
from collections import deque

from autopost_sandbox.core import Clock

POLL_SECONDS = 0.05


class RateLimiter:
    """At most `calls` accepted requests per `period` seconds for each key (a token)."""

    def __init__(self, clock: Clock, calls: int, period: float) -> None:
        self._clock = clock
        self._calls = calls
        self._period = period
        self._seen: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def wait_seconds(self, key: str) -> int:
        """Count this call and return 0, or return how many whole seconds until one is allowed."""
        now = self._clock.now()
        with self._lock:
            seen = self._seen.setdefault(key, deque())
            while seen and seen[0] <= now - self._period:
                seen.popleft()
            if len(seen) >= self._calls:
                return max(1, math.ceil(seen[0] + self._period - now))
            seen.append(now)
            return 0

    def reset(self) -> None:
        with self._lock:
            self._seen.clear()


async def wait_until(clock: Clock, deadline: float) -> None:
    """Sleep until the sandbox clock reaches `deadline`; polls, because tests may move the clock."""
    while True:
        remaining = deadline - clock.now()
        if remaining <= 0:
            return
        await asyncio.sleep(min(POLL_SECONDS, remaining))


def steady_growth(seed: str, since: float | None, now: float, per_minute: tuple[int, int]) -> int:
    """A deterministic counter that grows linearly from `since`, at a rate picked from the seed."""
    if since is None or now <= since:
        return 0
    low, high = per_minute
    spread = int.from_bytes(hashlib.sha256(seed.encode()).digest()[:4], "big") % (high - low + 1)
    return int((now - since) / 60 * (low + spread))
