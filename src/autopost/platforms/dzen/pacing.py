"""Keeping one token under the platform's per-token request rate.

One publication makes several API calls in a row (open a session, publish,
poll); at 1 request/s per token they would trip the limit on every small clip,
and a resumed attempt would trip it again the same way. So calls made with
one token wait their turn here instead of collecting 429s.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager


class Pacer:
    """At most one call per `interval` seconds for each token, counted from when the answer arrived."""

    def __init__(self, interval: float) -> None:
        self.interval = interval
        self._last: dict[str, float] = {}
        self._locks: dict[str, asyncio.Lock] = {}

    @asynccontextmanager
    async def turn(self, token: str) -> AsyncIterator[None]:
        # Keyed by a digest so the pacer never keeps tokens themselves around.
        key = hashlib.sha256(token.encode()).hexdigest()
        lock = self._locks.setdefault(key, asyncio.Lock())
        loop = asyncio.get_running_loop()
        async with lock:
            wait = self._last.get(key, float("-inf")) + self.interval - loop.time()
            if wait > 0:
                await asyncio.sleep(wait)
            try:
                yield
            finally:
                # The platform counted the call before answering, so the answer's arrival is a safe origin.
                self._last[key] = loop.time()
