"""Helpers of the webhook tests: a receiver's own signature check, registering, waiting for a delivery."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import uuid

from sqlalchemy import select

from autopost.db import transaction
from autopost.webhooks import usecases
from autopost.webhooks.models import DeliveryStatus, WebhookDelivery
from autopost.workspaces.access import resolve_member
from autopost_testing.receiver import Received
from tests.support.stack import Stack

EVENTS = ["publication.published", "publication.failed"]


def verify(secret: str, received: Received) -> bool:
    """The receiver's check, written from docs/webhooks.md (hmac + hashlib), not with autopost's code."""
    timestamp = received.headers["x-autopost-timestamp"]
    expected = hmac.new(secret.encode(), timestamp.encode() + b"." + received.body, hashlib.sha256)
    given = received.headers["x-autopost-signature"].removeprefix("sha256=")
    return hmac.compare_digest(expected.hexdigest(), given)


async def register(stack: Stack, url: str) -> tuple[uuid.UUID, str]:
    """An endpoint of the stack user's workspace for EVENTS: its id and secret."""
    async with transaction(stack.runtime.session_factory) as session:
        member = await resolve_member(session, await session.merge(stack.user), None)
        endpoint, secret = await usecases.create_endpoint(session, stack.runtime, member, url, EVENTS)
        return endpoint.id, secret


async def deliveries(stack: Stack, endpoint_id: uuid.UUID) -> list[WebhookDelivery]:
    async with stack.runtime.session_factory() as session:
        rows = await session.scalars(
            select(WebhookDelivery).where(WebhookDelivery.endpoint_id == endpoint_id)
        )
        return list(rows)


async def settled(stack: Stack, endpoint_id: uuid.UUID) -> WebhookDelivery:
    """The endpoint's one delivery, once it is no longer pending."""
    found: list[WebhookDelivery] = []

    async def poll() -> None:
        while True:
            rows = await deliveries(stack, endpoint_id)
            if rows and all(r.status is not DeliveryStatus.PENDING for r in rows):
                found.extend(rows)
                return
            await asyncio.sleep(0.1)

    await asyncio.wait_for(poll(), timeout=45)
    [delivery] = found
    return delivery
