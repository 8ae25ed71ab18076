"""Telegram's flood limits for bots (Bots FAQ): ~30 messages/s per bot, 20 messages/min per chat.

Sliding windows over the sandbox clock; the answer is the whole seconds until a
slot frees, which is what Telegram puts in "retry after N".
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Hashable

PER_CHAT_LIMIT = 20
PER_CHAT_PERIOD = 60.0
PER_BOT_LIMIT = 30
PER_BOT_PERIOD = 1.0


class SlidingWindow:
    """At most `limit` events per `period` seconds for each key."""

    def __init__(self, limit: int, period: float) -> None:
        self.limit = limit
        self.period = period
        self._events: dict[Hashable, deque[float]] = {}

    def retry_after(self, key: Hashable, now: float) -> int:
        """Seconds until the next event for `key` is allowed (0: allowed now)."""
        events = self._events.get(key)
        if events is None:
            return 0
        while events and events[0] <= now - self.period:
            events.popleft()
        if len(events) < self.limit:
            return 0
        return max(1, math.ceil(events[0] + self.period - now))

    def record(self, key: Hashable, now: float) -> None:
        self._events.setdefault(key, deque()).append(now)


class FloodControl:
    """Both limits a bot posting to channels runs into."""

    def __init__(self) -> None:
        self.per_chat = SlidingWindow(PER_CHAT_LIMIT, PER_CHAT_PERIOD)
        self.per_bot = SlidingWindow(PER_BOT_LIMIT, PER_BOT_PERIOD)

    def units_over(self, bot_id: int, chat_id: int, now: float) -> dict[str, int]:
        """Each limit a message now would break, named as /_sandbox/state names it, with its wait."""
        waits = {
            f"bot:{bot_id}": self.per_bot.retry_after(bot_id, now),
            f"chat:{chat_id}": self.per_chat.retry_after((bot_id, chat_id), now),
        }
        return {unit: wait for unit, wait in waits.items() if wait}

    def retry_after(self, bot_id: int, chat_id: int, now: float) -> int:
        return max(self.units_over(bot_id, chat_id, now).values(), default=0)

    def record(self, bot_id: int, chat_id: int, now: float) -> None:
        self.per_bot.record(bot_id, now)
        self.per_chat.record((bot_id, chat_id), now)
