"""What the API takes and says about webhooks; a secret appears only in the create and rotate answers."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, Field

from autopost.webhooks.models import DeliveryStatus, WebhookDelivery, WebhookEndpoint


class WebhookIn(BaseModel):
    url: str = Field(max_length=2000)
    # Of: publication.published, publication.failed, publication.cancelled,
    # connection.needs_reconnect, approval.requested, approval.decided.
    events: list[str] = Field(max_length=20)


class WebhookUpdateIn(BaseModel):
    events: list[str] | None = Field(default=None, max_length=20)
    # False: pause (no new deliveries are planned); true: resume.
    active: bool | None = None


class WebhookOut(BaseModel):
    id: uuid.UUID
    url: str
    events: list[str]
    active: bool
    created_at: datetime

    @classmethod
    def of(cls, endpoint: WebhookEndpoint) -> WebhookOut:
        return cls(
            id=endpoint.id,
            url=endpoint.url,
            events=list(endpoint.events),
            active=endpoint.active,
            created_at=endpoint.created_at,
        )


class WebhookSecretOut(WebhookOut):
    # Shown once: store it now; it signs every delivery (X-Autopost-Signature).
    secret: str

    @classmethod
    def with_secret(cls, endpoint: WebhookEndpoint, secret: str) -> WebhookSecretOut:
        return cls(**WebhookOut.of(endpoint).model_dump(), secret=secret)


class DeliveryOut(BaseModel):
    id: uuid.UUID
    event: str
    status: DeliveryStatus
    attempts: int
    last_status_code: int | None
    # status (the receiver answered other than 2xx) | timeout | unreachable | refused_url |
    # secret_unreadable | interrupted (the last attempt was lost with its worker)
    last_error: str | None
    created_at: datetime
    delivered_at: datetime | None
    next_attempt_at: datetime | None

    @classmethod
    def of(cls, delivery: WebhookDelivery) -> DeliveryOut:
        pending = delivery.status is DeliveryStatus.PENDING
        return cls(
            id=delivery.id,
            event=delivery.event,
            status=delivery.status,
            attempts=delivery.attempts,
            last_status_code=delivery.last_status_code,
            last_error=delivery.last_error,
            created_at=delivery.created_at,
            delivered_at=delivery.delivered_at,
            next_attempt_at=delivery.next_attempt_at if pending else None,
        )
