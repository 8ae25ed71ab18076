"""Webhook deliveries: planned from alerts, attempted by the "webhooks" queue's jobs, swept when lost.

A delivery row is the truth; a job is one attempt of it, named by the attempt's
number (`<delivery id>-<attempts so far>`). An attempt is claimed in its own
transaction (the counter goes up and a lease is set) before the POST, so a
duplicate job finds the counter moved and does nothing, and an attempt lost
with its worker is retried by the sweeper once the lease is over. The body was
fixed when the delivery was planned: every attempt sends the same bytes (the
same delivery id, which receivers dedupe by), with a fresh timestamp and signature.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

import httpx2
import structlog
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from autopost.alerts.dispatch import AfterCommit
from autopost.alerts.models import Alert
from autopost.db import transaction, utcnow
from autopost.runtime import Runtime
from autopost.security.outbound import OutboundRefused
from autopost.security.vault import VaultError
from autopost.webhooks.models import EVENTS, DeliveryStatus, WebhookDelivery, WebhookEndpoint
from autopost.webhooks.signing import headers
from autopost.webhooks.urls import vet_webhook_url
from autopost.webhooks.usecases import guard_of

log = structlog.get_logger(__name__)

# Beyond the receiver's timeout: how long a claimed attempt may take before it counts as lost.
LEASE_SLACK = timedelta(seconds=60)
# The sweeper leaves a due row this long to its own delayed job before it enqueues it again.
SWEEP_GRACE = timedelta(seconds=30)
SWEEP_BATCH = 500


def body_of(delivery_id: uuid.UUID, alert: Alert) -> str:
    return json.dumps(
        {
            "id": str(delivery_id),
            "event": alert.kind,
            "created_at": alert.created_at.isoformat(),
            "workspace_id": str(alert.workspace_id),
            "data": alert.data,
        },
        ensure_ascii=False,
        separators=(",", ":"),
    )


async def plan_webhooks(session: AsyncSession, runtime: Runtime, alert: Alert) -> Sequence[AfterCommit]:
    """The alerts planner: a delivery for each active endpoint of the workspace that wants the event."""
    if alert.kind not in EVENTS:
        return []
    endpoints = (
        await session.scalars(
            select(WebhookEndpoint).where(
                WebhookEndpoint.workspace_id == alert.workspace_id, WebhookEndpoint.active.is_(True)
            )
        )
    ).all()
    wanted = [e for e in endpoints if alert.kind in e.events]
    if not wanted:
        return []
    planned = set(
        await session.scalars(
            select(WebhookDelivery.endpoint_id).where(
                WebhookDelivery.dedup_key == alert.dedup_key,
                WebhookDelivery.endpoint_id.in_([e.id for e in wanted]),
            )
        )
    )
    made: list[uuid.UUID] = []
    for endpoint in (e for e in wanted if e.id not in planned):
        delivery = WebhookDelivery(
            endpoint_id=endpoint.id,
            workspace_id=alert.workspace_id,
            event=alert.kind,
            dedup_key=alert.dedup_key,
            max_attempts=runtime.settings.webhook_attempts,
            next_attempt_at=utcnow(),
        )
        delivery.body = body_of(delivery.id, alert)
        session.add(delivery)
        made.append(delivery.id)
    await session.flush()

    async def enqueue(runtime: Runtime) -> None:
        for delivery_id in made:
            await runtime.queues.enqueue_webhook(delivery_id, 0)

    return [enqueue]


@dataclass(frozen=True)
class Claimed:
    delivery_id: uuid.UUID
    endpoint_id: uuid.UUID
    url: str
    event: str
    body: bytes
    # None: it does not open (its key was taken out of AUTOPOST_TOKEN_KEYS); the attempt fails.
    secret: str | None


async def _claim(runtime: Runtime, delivery_id: uuid.UUID, attempt: int) -> Claimed | None:
    """Take attempt number `attempt + 1`, unless it was taken already or nothing is left to send.

    One conditional UPDATE, so two jobs of one attempt cannot both take it, on either database.
    """
    lease = timedelta(seconds=runtime.settings.webhook_timeout_seconds) + LEASE_SLACK
    async with transaction(runtime.session_factory) as session:
        taken = await session.execute(
            update(WebhookDelivery)
            .where(
                WebhookDelivery.id == delivery_id,
                WebhookDelivery.status == DeliveryStatus.PENDING,
                WebhookDelivery.attempts == attempt,
                WebhookDelivery.attempts < WebhookDelivery.max_attempts,
            )
            .values(attempts=attempt + 1, next_attempt_at=utcnow() + lease)
            .execution_options(synchronize_session=False)
        )
        if taken.rowcount != 1:  # type: ignore[attr-defined]
            return None
        delivery = await session.get_one(WebhookDelivery, delivery_id)
        endpoint = await session.get_one(WebhookEndpoint, delivery.endpoint_id)
        try:
            secret: str | None = runtime.vault.open(endpoint.secret, endpoint.binding())
        except VaultError:
            log.error("webhook_secret_unreadable", endpoint_id=str(endpoint.id))
            secret = None
        return Claimed(delivery.id, endpoint.id, endpoint.url, delivery.event, delivery.body.encode(), secret)


async def _post(runtime: Runtime, claimed: Claimed) -> tuple[int | None, str | None]:
    """(status code, error code) of one POST; the URL is vetted again, its name may point elsewhere now."""
    if claimed.secret is None:
        return None, "secret_unreadable"
    guard = guard_of(runtime)
    try:
        target = await vet_webhook_url(guard, claimed.url)
    except OutboundRefused:
        return None, "refused_url"
    timestamp = int(time.time())
    sent = headers(claimed.secret, claimed.event, str(claimed.delivery_id), timestamp, claimed.body)
    try:
        response = await guard.send(target, "POST", claimed.body, sent)
    except httpx2.TimeoutException:
        return None, "timeout"
    except (httpx2.HTTPError, OutboundRefused, OSError):
        return None, "unreachable"
    return response.status_code, None if 200 <= response.status_code < 300 else "status"


async def _record(
    runtime: Runtime, delivery_id: uuid.UUID, status_code: int | None, error: str | None
) -> int | None:
    """Note the attempt's outcome; the delay (ms) of the next attempt, if one is due."""
    async with transaction(runtime.session_factory) as session:
        delivery = await session.get(WebhookDelivery, delivery_id, with_for_update=True)
        if delivery is None:  # the endpoint was deleted meanwhile
            return None
        delivery.last_status_code, delivery.last_error = status_code, error
        if error is None:
            delivery.status, delivery.delivered_at, delivery.next_attempt_at = (
                DeliveryStatus.DELIVERED,
                utcnow(),
                None,
            )
            return None
        if delivery.attempts >= delivery.max_attempts:
            delivery.status, delivery.next_attempt_at = DeliveryStatus.FAILED, None
            return None
        delay = runtime.settings.webhook_backoff_seconds * 2 ** (delivery.attempts - 1)
        delivery.next_attempt_at = utcnow() + timedelta(seconds=delay)
        return int(delay * 1000)


async def deliver(runtime: Runtime, delivery_id: uuid.UUID, attempt: int) -> None:
    """One attempt (a "webhooks" job); on a failure that leaves attempts, the next one is queued."""
    claimed = await _claim(runtime, delivery_id, attempt)
    if claimed is None:
        return
    status_code, error = await _post(runtime, claimed)
    log.info(
        "webhook_attempt",
        delivery_id=str(delivery_id),
        endpoint_id=str(claimed.endpoint_id),
        attempt=attempt + 1,
        status_code=status_code,
        error=error,
    )
    delay_ms = await _record(runtime, delivery_id, status_code, error)
    if delay_ms is not None:
        await runtime.queues.enqueue_webhook(delivery_id, attempt + 1, delay_ms)


async def sweep_webhooks(runtime: Runtime) -> int:
    """Queue again the pending deliveries whose attempt is overdue (its job or its worker was lost);
    one whose last attempt was lost so is failed. The number queued again."""
    cutoff = utcnow() - SWEEP_GRACE
    overdue = (
        WebhookDelivery.status == DeliveryStatus.PENDING,
        WebhookDelivery.next_attempt_at <= cutoff,
    )
    async with transaction(runtime.session_factory) as session:
        await session.execute(
            update(WebhookDelivery)
            .where(*overdue, WebhookDelivery.attempts >= WebhookDelivery.max_attempts)
            .values(status=DeliveryStatus.FAILED, next_attempt_at=None, last_error="interrupted")
            .execution_options(synchronize_session=False)
        )
        due = (
            await session.execute(
                select(WebhookDelivery.id, WebhookDelivery.attempts)
                .where(*overdue)
                .order_by(WebhookDelivery.next_attempt_at)
                .limit(SWEEP_BATCH)
            )
        ).all()
    for delivery_id, attempts in due:
        await runtime.queues.enqueue_webhook(delivery_id, attempts, replace_finished=True)
    return len(due)
