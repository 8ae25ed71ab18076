"""BullMQ queues: one per platform for publishing, one for stats, one each for notifications and webhooks.

Job ids are publication ids (a webhook job's: its delivery id and attempt number) and
job data is ids only (never tokens or webhook secrets). Redis is
an accelerator, not the truth: the sweeper rebuilds any lost job from the
database under the same id.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass, field
from typing import Any

from bullmq import Job, Queue
from redis.connection import parse_url

from autopost.platforms.catalog import Platform
from autopost.settings import Settings

STATS_QUEUE = "stats"
NOTIFY_QUEUE = "notify"
WEBHOOKS_QUEUE = "webhooks"
# Completed jobs are kept a day so a duplicate add with the same id stays a no-op (BullMQ rule 6).
KEEP_COMPLETED = {"age": 24 * 3600}
KEEP_FAILED = {"age": 7 * 24 * 3600}


def publish_queue_name(platform: Platform) -> str:
    return f"publish-{platform.value}"


def redis_options(url: str) -> dict[str, Any]:
    """Connection options for bullmq; socket_timeout=None or workers silently stall (rule 1)."""
    options: dict[str, Any] = dict(parse_url(url))  # type: ignore[no-untyped-call]
    if "path" in options:
        options["unix_socket_path"] = options.pop("path")
        options.pop("connection_class", None)
    options["socket_timeout"] = None
    return options


def app_cap(settings: Settings, platform: Platform) -> dict[str, int] | None:
    """BullMQ's worker limiter {max, duration} for a platform's app-wide cap (e.g. 0.5/s = 1 per 2 s).

    None when no cap is set: the per-unit limits (platforms/throttle.py) pace each tenant alone.
    """
    per_second = {
        Platform.VK: settings.vk.jobs_per_second,
        Platform.RUTUBE: settings.rutube.jobs_per_second,
        Platform.DZEN: settings.dzen.jobs_per_second,
        Platform.TELEGRAM: settings.telegram.jobs_per_second,
    }[platform]
    if per_second <= 0:
        return None
    if per_second >= 1:
        return {"max": round(per_second), "duration": 1000}
    return {"max": 1, "duration": round(1000 / per_second)}


def now_ms() -> int:
    return int(time.time() * 1000)


@dataclass
class Queues:
    """The publish queues and the stats queue over one Redis."""

    redis_url: str
    prefix: str = "autopost"
    _queues: dict[str, Queue] = field(default_factory=dict)

    def _options(self) -> dict[str, Any]:
        return {"connection": redis_options(self.redis_url), "prefix": self.prefix}

    def get(self, name: str) -> Queue:
        if name not in self._queues:
            self._queues[name] = Queue(name, self._options())
        return self._queues[name]

    def publish(self, platform: Platform) -> Queue:
        return self.get(publish_queue_name(platform))

    async def enqueue_publication(
        self, publication_id: uuid.UUID, platform: Platform, delay_ms: int = 0
    ) -> None:
        await self.publish(platform).add(
            "publish",
            {"publication_id": str(publication_id)},
            {
                "jobId": str(publication_id),
                "delay": max(0, delay_ms),
                "attempts": 1,
                "removeOnComplete": KEEP_COMPLETED,
                "removeOnFail": KEEP_FAILED,
            },
        )

    async def job_state(self, publication_id: uuid.UUID, platform: Platform) -> str:
        """BullMQ's state of the job: waiting, delayed, active, completed, failed, or unknown."""
        return str(await self.publish(platform).getJobState(str(publication_id)))

    async def promote_publication(self, publication_id: uuid.UUID, platform: Platform) -> bool:
        """Run a delayed job now (a platform said its processing ended); False if it is not delayed."""
        queue = self.publish(platform)
        if await queue.getJobState(str(publication_id)) != "delayed":
            return False
        job = await Job.fromId(queue, str(publication_id))
        if job is None:
            return False
        await job.promote()
        return True

    async def remove_publication(self, publication_id: uuid.UUID, platform: Platform) -> bool:
        """Remove a waiting or delayed job; False when the job is running (it cannot be removed)."""
        removed = await self.publish(platform).remove(str(publication_id))
        return bool(removed)

    async def enqueue_stats(self, connection_id: uuid.UUID, window: int) -> None:
        await self.get(STATS_QUEUE).add(
            "stats",
            {"connection_id": str(connection_id)},
            {
                "jobId": f"{connection_id}-{window}",
                "attempts": 3,
                "backoff": {"type": "fixed", "delay": 60_000},
                "removeOnComplete": KEEP_COMPLETED,
                "removeOnFail": KEEP_FAILED,
            },
        )

    async def enqueue_notification(self, delivery_id: uuid.UUID, attempts: int, backoff_ms: int) -> None:
        """A delivery's job (id = the delivery's): tried `attempts` times, backing off exponentially."""
        await self.get(NOTIFY_QUEUE).add(
            "notify",
            {"delivery_id": str(delivery_id)},
            {
                "jobId": str(delivery_id),
                "attempts": max(1, attempts),
                "backoff": {"type": "exponential", "delay": max(1, backoff_ms)},
                "removeOnComplete": KEEP_COMPLETED,
                "removeOnFail": KEEP_FAILED,
            },
        )

    async def enqueue_webhook(
        self, delivery_id: uuid.UUID, attempt: int, delay_ms: int = 0, *, replace_finished: bool = False
    ) -> None:
        """One attempt of a delivery; the id names the attempt, so a re-enqueued one is a no-op.

        `replace_finished` (the sweeper): a finished job of that id ended without making its attempt
        (it crashed before it could), so it is removed and added again instead of being a no-op.
        """
        queue, job_id = self.get(WEBHOOKS_QUEUE), f"{delivery_id}-{attempt}"
        if replace_finished and await queue.getJobState(job_id) in ("completed", "failed"):
            await queue.remove(job_id)
        await queue.add(
            "deliver",
            {"delivery_id": str(delivery_id), "attempt": attempt},
            {
                "jobId": job_id,
                "delay": max(0, delay_ms),
                "attempts": 1,
                "removeOnComplete": KEEP_COMPLETED,
                "removeOnFail": KEEP_FAILED,
            },
        )

    async def notification_job_state(self, delivery_id: uuid.UUID) -> str:
        return str(await self.get(NOTIFY_QUEUE).getJobState(str(delivery_id)))

    async def remove_notification(self, delivery_id: uuid.UUID) -> None:
        """Forget a finished (failed) job, so the same id can be queued again."""
        await self.get(NOTIFY_QUEUE).remove(str(delivery_id))

    async def close(self) -> None:
        for queue in self._queues.values():
            await queue.close()
        self._queues.clear()


@dataclass
class Outbox:
    """Queue work collected during a transaction and sent only after it commits.

    If the process dies between commit and flush, nothing is lost: the sweeper
    finds the due rows and enqueues them.
    """

    _adds: list[tuple[uuid.UUID, Platform, int]] = field(default_factory=list)
    _removals: list[tuple[uuid.UUID, Platform]] = field(default_factory=list)
    _webhooks: list[tuple[uuid.UUID, int]] = field(default_factory=list)

    def enqueue(self, publication_id: uuid.UUID, platform: Platform, delay_ms: int = 0) -> None:
        self._adds.append((publication_id, platform, delay_ms))

    def remove(self, publication_id: uuid.UUID, platform: Platform) -> None:
        self._removals.append((publication_id, platform))

    def enqueue_webhook(self, delivery_id: uuid.UUID, attempt: int) -> None:
        self._webhooks.append((delivery_id, attempt))

    def absorb(self, other: Outbox) -> None:
        """Take on another outbox's work (staged apart so a rolled-back savepoint can drop it)."""
        self._adds.extend(other._adds)
        self._removals.extend(other._removals)
        self._webhooks.extend(other._webhooks)
        other.discard()

    def discard(self) -> None:
        self._adds.clear()
        self._removals.clear()
        self._webhooks.clear()

    async def flush(self, queues: Queues) -> None:
        removals, adds, webhooks = list(self._removals), list(self._adds), list(self._webhooks)
        self.discard()
        for publication_id, platform in removals:
            await queues.remove_publication(publication_id, platform)
        for publication_id, platform, delay_ms in adds:
            await queues.enqueue_publication(publication_id, platform, delay_ms)
        for delivery_id, attempt in webhooks:
            await queues.enqueue_webhook(delivery_id, attempt)
