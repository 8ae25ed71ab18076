"""Queueing a delivery on the "notify" queue with the configured retries."""

from __future__ import annotations

import uuid

from autopost.runtime import Runtime


async def enqueue_delivery(runtime: Runtime, delivery_id: uuid.UUID) -> None:
    notify = runtime.settings.notify
    await runtime.queues.enqueue_notification(
        delivery_id, attempts=notify.attempts, backoff_ms=int(notify.retry_base_seconds * 1000)
    )
