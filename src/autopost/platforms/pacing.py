"""Keeping one token within a platform's per-token request rate, in this process.

One publication makes several calls in a row (create, upload, poll); without
pacing they would trip the platform's limit on every small clip, and a resumed
attempt would trip it again the same way. Calls from other processes can still
push a token over the limit: the platform's answer then comes back as RateLimited.
"""

from __future__ import annotations

import asyncio
import hashlib
import time
from collections import deque
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager


class Pacer:
    """At most `calls` calls per `window` seconds for each token (a window of 0 turns it off).

    A call counts from when its answer arrived (the platform counted it at some moment
    before that), so network delays cannot squeeze an extra call into its window.
    """

    def __init__(self, calls: int = 1, window: float = 1.0) -> None:
        self.calls = calls
        self.window = window
        self._recent: dict[str, deque[list[float]]] = {}

    @asynccontextmanager
    async def turn(self, token: str) -> AsyncIterator[None]:
        if self.window <= 0:
            yield
            return
        key = hashlib.sha256(token.encode()).hexdigest()  # no token copies kept in memory
        self._forget_idle(time.monotonic())
        recent = self._recent.setdefault(key, deque(maxlen=self.calls))
        # Re-checked after every sleep: a concurrent caller of the same token may have taken the turn.
        while True:
            wait = self._delay(recent)
            if wait <= 0:
                break
            await asyncio.sleep(wait)
        moment = [time.monotonic()]
        recent.append(moment)
        try:
            yield
        finally:
            moment[0] = time.monotonic()

    def _delay(self, recent: deque[list[float]]) -> float:
        """How long until the oldest of the last `calls` calls is a window old."""
        if len(recent) < self.calls:
            return 0.0
        return recent[0][0] + self.window - time.monotonic()

    def _forget_idle(self, now: float) -> None:
        idle = [key for key, recent in self._recent.items() if now - recent[-1][0] >= self.window]
        for key in idle:
            del self._recent[key]
