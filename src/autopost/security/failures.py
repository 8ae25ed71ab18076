"""Failures counted in Redis, shared by every web process: whoever keeps failing is slowed down.

Only failures count. A login attempt is counted before the password is checked
(so parallel guesses cannot slip past the count) and taken back when it
succeeds; a connect attempt is counted once it has failed. Each step is one
Lua script, so two processes never both pass a limit.
"""

from __future__ import annotations

from dataclasses import dataclass

import redis.asyncio as aioredis

# KEYS: 1 failures of (subject, client), 2 that pair's block, 3 failures of the client.
# ARGV: 1 window, 2 free failures, 3 first delay, 4 longest delay, 5 client cap.
# Returns the seconds to wait, or 0 when the attempt may go ahead (it is then counted).
_ATTEMPT = """
local client_failures = tonumber(redis.call('GET', KEYS[3]) or '0')
if client_failures >= tonumber(ARGV[5]) then
  local ttl = redis.call('TTL', KEYS[3])
  if ttl > 0 then return ttl end
  return tonumber(ARGV[1])
end
local blocked = redis.call('TTL', KEYS[2])
if blocked > 0 then return blocked end
local failures = redis.call('INCR', KEYS[1])
redis.call('EXPIRE', KEYS[1], ARGV[1])
if redis.call('INCR', KEYS[3]) == 1 then redis.call('EXPIRE', KEYS[3], ARGV[1]) end
local free = tonumber(ARGV[2])
if failures >= free then
  local delay = math.min(tonumber(ARGV[3]) * 2 ^ (failures - free), tonumber(ARGV[4]))
  redis.call('SET', KEYS[2], '1', 'EX', math.floor(delay))
end
return 0
"""

_SUCCEEDED = """
redis.call('DEL', KEYS[1], KEYS[2])
if tonumber(redis.call('GET', KEYS[3]) or '0') > 0 then redis.call('DECR', KEYS[3]) end
return 0
"""

_COUNT = """
if redis.call('INCR', KEYS[1]) == 1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
return 0
"""


@dataclass(frozen=True)
class Backoff:
    """`free` failures of a (subject, client) pair pass; then each waits twice as long as the last."""

    free: int
    first_delay: int
    longest_delay: int
    window_seconds: int
    # Failures one client may have in a window over all subjects, before it waits for the window's end.
    client_cap: int


class FailureThrottle:
    """Slows down one client failing on one subject (an account), and one client failing on many."""

    def __init__(self, redis: aioredis.Redis, prefix: str, backoff: Backoff) -> None:
        self._redis = redis
        self._prefix = prefix
        self._backoff = backoff

    def _keys(self, subject: str, client: str) -> list[str]:
        pair = f"{self._prefix}:{subject}:{client}"
        return [f"{pair}:failures", f"{pair}:block", f"{self._prefix}-client:{client}:failures"]

    async def attempt(self, subject: str, client: str) -> int:
        """Seconds to wait before trying again, or 0: go ahead (counted as failed until `succeeded`)."""
        b = self._backoff
        args = [b.window_seconds, b.free, b.first_delay, b.longest_delay, b.client_cap]
        wait = await self._redis.eval(_ATTEMPT, 3, *self._keys(subject, client), *args)
        return int(wait)

    async def succeeded(self, subject: str, client: str) -> None:
        """The attempt was right: it does not count, and the pair's earlier failures are forgotten."""
        await self._redis.eval(_SUCCEEDED, 3, *self._keys(subject, client))


async def count_failure(redis: aioredis.Redis, key: str, *, window_seconds: int) -> None:
    """One more failure under `key`, in a fixed window starting at the first."""
    await redis.eval(_COUNT, 1, key, window_seconds)


async def wait_after_failures(redis: aioredis.Redis, key: str, *, limit: int) -> int:
    """Seconds until the window of `key` ends when it holds `limit` failures or more, else 0."""
    failures = int(await redis.get(key) or 0)
    if failures < limit:
        return 0
    return max(1, int(await redis.ttl(key)))
