"""`autopost worker`: BullMQ workers for the publish, stats, notify and webhooks queues, plus the periodic jobs.

Any number of worker processes may run on any machines. Periodic passes
(sweeper, stats scheduling, token refresh, expired uploads, stats retention) take a Redis key for their interval
so that, however many workers run, each pass happens about once per interval.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import structlog
from bullmq import Job, Worker
from bullmq.custom_errors import DelayedError

import autopost.models  # noqa: F401  (every table, so foreign keys across packages resolve: publications.series_id)
from autopost.alerts.dispatch import Planner, dispatch_alerts
from autopost.clips.uploads import expire_uploads
from autopost.connections.maintenance import announce_expiring_connections, refresh_expiring_tokens
from autopost.notifications.planner import plan_notifications
from autopost.notifications.tasks import deliver as deliver_notification
from autopost.notifications.tasks import poll_telegram, sweep_notifications
from autopost.platforms.catalog import Platform
from autopost.publications.metrics import QUEUE_JOBS
from autopost.publications.sweeper import sweep_publications
from autopost.publications.tasks import run_publication
from autopost.queue import (
    NOTIFY_QUEUE,
    STATS_QUEUE,
    WEBHOOKS_QUEUE,
    app_cap,
    publish_queue_name,
    redis_options,
)
from autopost.runtime import Runtime
from autopost.stats.retention import thin_stats
from autopost.stats.tasks import collect_connection_stats, schedule_stats
from autopost.webhooks.tasks import deliver as deliver_webhook
from autopost.webhooks.tasks import plan_webhooks, sweep_webhooks

log = structlog.get_logger(__name__)

# Who hears of an alert: each consumer plans its deliveries (autopost.alerts.dispatch).
ALERT_PLANNERS: tuple[Planner, ...] = (plan_notifications, plan_webhooks)


@dataclass
class BullJobControl:
    """JobControl over a BullMQ job: a delay that does not use up an attempt."""

    job: Job
    token: str

    async def delay_until(self, when: datetime) -> None:
        await self.job.moveToDelayed(int(when.timestamp() * 1000), self.token)
        raise DelayedError()


async def _dispatch_alerts(runtime: Runtime) -> int:
    return await dispatch_alerts(runtime, ALERT_PLANNERS)


# Publications at once per platform queue. Their slots mostly wait: on a platform's answers and on
# each account's pace (platforms/throttle.py), so many cost little; too few, and one platform's
# slots are all held by accounts waiting their turn while other accounts' jobs queue (bench/rush.py).
DEFAULT_CONCURRENCY = 16


@dataclass
class WorkerProcess:
    runtime: Runtime
    platforms: Sequence[Platform] = tuple(Platform)
    concurrency: int = DEFAULT_CONCURRENCY
    periodic: bool = True
    _workers: list[Worker] = field(default_factory=list)
    _tasks: list[asyncio.Task[None]] = field(default_factory=list)
    _stopped: asyncio.Event = field(default_factory=asyncio.Event)

    def _worker_options(self, **extra: Any) -> dict[str, Any]:
        settings = self.runtime.settings
        return {
            "connection": redis_options(self.runtime.queues.redis_url),
            "prefix": self.runtime.queues.prefix,
            "concurrency": self.concurrency,
            "drainDelay": 1,  # BullMQ rule 2: a rate-limited queue otherwise runs far below its limit
            "lockDuration": int(settings.worker_lock_seconds * 1000),
            "stalledInterval": int(settings.worker_lock_seconds * 1000),
            "maxStalledCount": 3,
            **extra,
        }

    def _publish_processor(self, platform: Platform) -> Callable[[Job, str], Awaitable[None]]:
        async def process(job: Job, token: str) -> None:
            publication_id = uuid.UUID(job.data["publication_id"])
            await run_publication(self.runtime, publication_id, BullJobControl(job, token))

        return process

    async def _stats_processor(self, job: Job, token: str) -> None:
        await collect_connection_stats(self.runtime, uuid.UUID(job.data["connection_id"]))

    async def _notify_processor(self, job: Job, token: str) -> None:
        await deliver_notification(self.runtime, uuid.UUID(job.data["delivery_id"]))

    async def _webhook_processor(self, job: Job, token: str) -> None:
        await deliver_webhook(self.runtime, uuid.UUID(job.data["delivery_id"]), int(job.data["attempt"]))

    async def start(self) -> None:
        for platform in self.platforms:
            cap = app_cap(self.runtime.settings, platform)
            options = self._worker_options(**({"limiter": cap} if cap else {}))
            self._workers.append(
                Worker(publish_queue_name(platform), self._publish_processor(platform), options)
            )
        self._workers.append(Worker(STATS_QUEUE, self._stats_processor, self._worker_options(concurrency=2)))
        self._workers.append(
            Worker(NOTIFY_QUEUE, self._notify_processor, self._worker_options(concurrency=2))
        )
        self._workers.append(Worker(WEBHOOKS_QUEUE, self._webhook_processor, self._worker_options()))
        if self.periodic:
            settings = self.runtime.settings
            self._every("sweep", settings.sweep_interval_seconds, sweep_publications)
            self._every("stats", 600, schedule_stats)
            self._every("refresh", 300, refresh_expiring_tokens)
            self._every("expiring", 3600, announce_expiring_connections)
            self._every("alerts", settings.alerts_interval_seconds, _dispatch_alerts)
            self._every("notify-sweep", settings.sweep_interval_seconds * 4, sweep_notifications)
            # The poll's lock outlasts its long poll: two getUpdates of one bot at once answer 409.
            self._every("telegram", settings.notify.telegram_poll_seconds + 2, poll_telegram)
            self._every("webhooks", settings.sweep_interval_seconds, sweep_webhooks)
            self._every("uploads", 3600, expire_uploads)
            self._every("retention", 3600, thin_stats)
        self._tasks.append(asyncio.create_task(self._report_queue_depth()))
        log.info("worker_started", platforms=[p.value for p in self.platforms], concurrency=self.concurrency)

    def _every(self, name: str, seconds: float, work: Callable[[Runtime], Awaitable[object]]) -> None:
        async def loop() -> None:
            key = f"{self.runtime.queues.prefix}:periodic:{name}"
            while not self._stopped.is_set():
                try:
                    if await self.runtime.redis.set(key, "1", nx=True, px=max(1, int(seconds * 1000))):
                        await work(self.runtime)
                except Exception:  # a failed pass is retried on the next tick; the worker keeps working
                    log.exception("periodic_failed", task=name)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._stopped.wait(), timeout=min(seconds, 5))

        self._tasks.append(asyncio.create_task(loop()))

    async def _report_queue_depth(self) -> None:
        names = [publish_queue_name(p) for p in self.platforms] + [STATS_QUEUE, NOTIFY_QUEUE, WEBHOOKS_QUEUE]
        while not self._stopped.is_set():
            with contextlib.suppress(Exception):
                for name in names:
                    counts = await self.runtime.queues.get(name).getJobCounts(
                        "waiting", "delayed", "active", "failed"
                    )
                    for state, count in counts.items():
                        QUEUE_JOBS.labels(name, state).set(count)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopped.wait(), timeout=15)

    async def stop(self) -> None:
        """Stop taking jobs; running ones finish (a second signal abandons them to stall recovery)."""
        self._stopped.set()
        await asyncio.gather(*(worker.close() for worker in self._workers), return_exceptions=True)
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        log.info("worker_stopped")

    async def run_until_signalled(self) -> None:
        loop = asyncio.get_running_loop()
        stop = asyncio.Event()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
        await self.start()
        await stop.wait()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, _force_exit)
        await self.stop()


def _force_exit() -> None:
    log.warning("worker_forced_exit")
    raise SystemExit(1)
