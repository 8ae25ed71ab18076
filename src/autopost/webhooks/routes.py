"""/api/v1/webhooks: register, list, change or pause, rotate, delete; the delivery log and retrying."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Response

from autopost.deps import CurrentMember, RuntimeDep, Work
from autopost.webhooks import usecases
from autopost.webhooks.schemas import DeliveryOut, WebhookIn, WebhookOut, WebhookSecretOut, WebhookUpdateIn

router = APIRouter(prefix="/api/v1/webhooks", tags=["webhooks"])
# An answer carrying a secret is kept by no cache.
NO_STORE = "no-store"


@router.get("")
async def list_webhooks(member: CurrentMember, work: Work) -> list[WebhookOut]:
    return [WebhookOut.of(e) for e in await usecases.list_endpoints(work.session, member)]


@router.post("", status_code=201)
async def create_webhook(
    body: WebhookIn, member: CurrentMember, work: Work, runtime: RuntimeDep, response: Response
) -> WebhookSecretOut:
    """A new endpoint; the answer's `secret` is shown this once."""
    response.headers["Cache-Control"] = NO_STORE
    endpoint, secret = await usecases.create_endpoint(work.session, runtime, member, body.url, body.events)
    return WebhookSecretOut.with_secret(endpoint, secret)


@router.patch("/{webhook_id}")
async def update_webhook(
    webhook_id: uuid.UUID, body: WebhookUpdateIn, member: CurrentMember, work: Work
) -> WebhookOut:
    endpoint = await usecases.update_endpoint(
        work.session, member, webhook_id, events=body.events, active=body.active
    )
    return WebhookOut.of(endpoint)


@router.delete("/{webhook_id}", status_code=204)
async def delete_webhook(webhook_id: uuid.UUID, member: CurrentMember, work: Work) -> Response:
    await usecases.delete_endpoint(work.session, member, webhook_id)
    return Response(status_code=204)


@router.post("/{webhook_id}/rotate")
async def rotate_secret(
    webhook_id: uuid.UUID, member: CurrentMember, work: Work, runtime: RuntimeDep, response: Response
) -> WebhookSecretOut:
    """A new secret (shown this once); deliveries are signed with it from now on."""
    response.headers["Cache-Control"] = NO_STORE
    endpoint, secret = await usecases.rotate_secret(work.session, runtime, member, webhook_id)
    return WebhookSecretOut.with_secret(endpoint, secret)


@router.get("/{webhook_id}/deliveries")
async def list_deliveries(webhook_id: uuid.UUID, member: CurrentMember, work: Work) -> list[DeliveryOut]:
    """The newest 100 deliveries first."""
    return [DeliveryOut.of(d) for d in await usecases.list_deliveries(work.session, member, webhook_id)]


@router.post("/{webhook_id}/deliveries/{delivery_id}/retry")
async def retry_delivery(
    webhook_id: uuid.UUID, delivery_id: uuid.UUID, member: CurrentMember, work: Work
) -> DeliveryOut:
    """One more attempt now, with the same body and delivery id."""
    delivery = await usecases.retry_delivery(work.session, work.outbox, member, webhook_id, delivery_id)
    return DeliveryOut.of(delivery)
