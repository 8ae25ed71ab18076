"""Managing a workspace's webhooks: register, change or pause, rotate, delete, read the delivery log,
retry a delivery.

All of it needs Action.MANAGE, reading the log too: the log shows what the
workspace's receivers answered, which is the operator's business. An endpoint
of another workspace is not found (checked before the role, as everywhere).
The secret is made here and returned once, by create and rotate; it is stored
sealed by the vault and never shown again.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from autopost.db import utcnow
from autopost.queue import Outbox
from autopost.refusals import Kind, Refused
from autopost.runtime import Runtime
from autopost.security.outbound import AllowList, OutboundGuard, OutboundRefused
from autopost.webhooks.models import EVENTS, DeliveryStatus, WebhookDelivery, WebhookEndpoint
from autopost.webhooks.signing import new_secret
from autopost.webhooks.urls import vet_webhook_url
from autopost.workspaces.access import Action, Member
from autopost.workspaces.audit import AuditAction, audit

LOG_LIMIT = 100


def guard_of(runtime: Runtime) -> OutboundGuard:
    settings = runtime.settings
    allowed = AllowList.parse(settings.allowed_internal_hosts)
    return OutboundGuard(allowed, timeout=settings.webhook_timeout_seconds)


def _events(events: Sequence[str]) -> list[str]:
    unknown = [e for e in events if e not in EVENTS]
    if unknown:
        raise Refused("webhook_unknown_event", Kind.INVALID, event=unknown[0])
    if not events:
        raise Refused("webhook_no_events", Kind.INVALID)
    return [e for e in EVENTS if e in events]  # one order, whatever order they came in


async def list_endpoints(session: AsyncSession, member: Member) -> list[WebhookEndpoint]:
    member.require(Action.MANAGE)
    rows = await session.scalars(
        select(WebhookEndpoint)
        .where(WebhookEndpoint.workspace_id == member.workspace_id)
        .order_by(WebhookEndpoint.created_at, WebhookEndpoint.id)
    )
    return list(rows)


async def owned_endpoint(session: AsyncSession, member: Member, endpoint_id: uuid.UUID) -> WebhookEndpoint:
    """The workspace's endpoint (else not found), for a member who may manage webhooks (else 403)."""
    endpoint = await session.scalar(
        select(WebhookEndpoint).where(
            WebhookEndpoint.id == endpoint_id, WebhookEndpoint.workspace_id == member.workspace_id
        )
    )
    if endpoint is None:
        raise Refused("not_found", Kind.NOT_FOUND)
    member.require(Action.MANAGE)
    return endpoint


async def create_endpoint(
    session: AsyncSession, runtime: Runtime, member: Member, url: str, events: Sequence[str]
) -> tuple[WebhookEndpoint, str]:
    """A new active endpoint and its secret (the only time it is shown)."""
    member.require(Action.MANAGE)
    chosen = _events(events)
    url = url.strip()
    try:
        await vet_webhook_url(guard_of(runtime), url)
    except OutboundRefused:
        raise Refused("webhook_url_refused", Kind.INVALID) from None
    secret = new_secret()
    endpoint = WebhookEndpoint(workspace_id=member.workspace_id, url=url, events=chosen, active=True)
    endpoint.secret = runtime.vault.seal(secret, endpoint.binding())
    session.add(endpoint)
    await session.flush()
    audit(
        session, member, AuditAction.WEBHOOK_CHANGED, change="created", webhook_id=str(endpoint.id), url=url
    )
    return endpoint, secret


async def update_endpoint(
    session: AsyncSession,
    member: Member,
    endpoint_id: uuid.UUID,
    *,
    events: Sequence[str] | None = None,
    active: bool | None = None,
) -> WebhookEndpoint:
    """Other events, or paused (no new deliveries are planned; queued ones still go) and resumed."""
    endpoint = await owned_endpoint(session, member, endpoint_id)
    if events is not None:
        endpoint.events = _events(events)
    if active is not None:
        endpoint.active = active
    change = {"events": endpoint.events, "active": endpoint.active}
    audit(
        session, member, AuditAction.WEBHOOK_CHANGED, change="updated", webhook_id=str(endpoint.id), **change
    )
    return endpoint


async def rotate_secret(
    session: AsyncSession, runtime: Runtime, member: Member, endpoint_id: uuid.UUID
) -> tuple[WebhookEndpoint, str]:
    """A new secret for the endpoint, from the next attempt on; the old one stops signing at once."""
    endpoint = await owned_endpoint(session, member, endpoint_id)
    secret = new_secret()
    endpoint.secret = runtime.vault.seal(secret, endpoint.binding())
    endpoint.updated_at = utcnow()
    audit(
        session,
        member,
        AuditAction.WEBHOOK_CHANGED,
        change="rotated",
        webhook_id=str(endpoint.id),
        url=endpoint.url,
    )
    return endpoint, secret


async def delete_endpoint(session: AsyncSession, member: Member, endpoint_id: uuid.UUID) -> None:
    """The endpoint and its log; attempts already queued find no row and do nothing."""
    endpoint = await owned_endpoint(session, member, endpoint_id)
    audit(
        session,
        member,
        AuditAction.WEBHOOK_CHANGED,
        change="deleted",
        webhook_id=str(endpoint.id),
        url=endpoint.url,
    )
    await session.delete(endpoint)
    await session.flush()


async def list_deliveries(
    session: AsyncSession, member: Member, endpoint_id: uuid.UUID
) -> list[WebhookDelivery]:
    """The endpoint's newest deliveries first."""
    endpoint = await owned_endpoint(session, member, endpoint_id)
    rows = await session.scalars(
        select(WebhookDelivery)
        .where(WebhookDelivery.endpoint_id == endpoint.id)
        .order_by(WebhookDelivery.created_at.desc(), WebhookDelivery.id)
        .limit(LOG_LIMIT)
    )
    return list(rows)


async def retry_delivery(
    session: AsyncSession, outbox: Outbox, member: Member, endpoint_id: uuid.UUID, delivery_id: uuid.UUID
) -> WebhookDelivery:
    """Send a delivery once more, now (the same body and delivery id, so receivers can dedupe)."""
    endpoint = await owned_endpoint(session, member, endpoint_id)
    delivery = await session.scalar(
        select(WebhookDelivery).where(
            WebhookDelivery.id == delivery_id, WebhookDelivery.endpoint_id == endpoint.id
        )
    )
    if delivery is None:
        raise Refused("not_found", Kind.NOT_FOUND)
    if delivery.status is DeliveryStatus.PENDING:
        raise Refused("webhook_delivery_pending", Kind.CONFLICT)
    delivery.status = DeliveryStatus.PENDING
    delivery.max_attempts = delivery.attempts + 1
    delivery.next_attempt_at = utcnow()
    outbox.enqueue_webhook(delivery.id, delivery.attempts)
    return delivery
