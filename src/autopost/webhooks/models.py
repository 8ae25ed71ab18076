"""Webhook endpoints (a workspace's receivers, each with its sealed secret) and their delivery log."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from autopost.alerts.models import AlertKind
from autopost.db import Base, EncryptedTokenType, IdMixin, TimestampMixin, UtcDateTime, enum_type, utcnow
from autopost.security.vault import Binding, EncryptedToken

# What a receiver may subscribe to; connection.expiring is a reminder to people, not to systems.
EVENTS: tuple[str, ...] = (
    AlertKind.PUBLICATION_PUBLISHED.value,
    AlertKind.PUBLICATION_FAILED.value,
    AlertKind.PUBLICATION_CANCELLED.value,
    AlertKind.CONNECTION_NEEDS_RECONNECT.value,
    AlertKind.APPROVAL_REQUESTED.value,
    AlertKind.APPROVAL_DECIDED.value,
)


class DeliveryStatus(StrEnum):
    PENDING = "pending"
    DELIVERED = "delivered"
    FAILED = "failed"


class WebhookEndpoint(IdMixin, TimestampMixin, Base):
    __tablename__ = "webhook_endpoints"

    workspace_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("workspaces.id", ondelete="CASCADE"), index=True
    )
    url: Mapped[str] = mapped_column(Text)
    # Event names (EVENTS) this endpoint receives.
    events: Mapped[list[str]] = mapped_column(JSON, default=list)
    secret: Mapped[EncryptedToken] = mapped_column(EncryptedTokenType())
    active: Mapped[bool] = mapped_column(default=True)

    def binding(self) -> Binding:
        return Binding(self.__tablename__, str(self.id), "secret")


class WebhookDelivery(IdMixin, Base):
    """One event for one endpoint: the body is fixed when planned, so every attempt sends the same bytes."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        # One happening reaches an endpoint once, however often the dispatch pass saw it.
        UniqueConstraint("endpoint_id", "dedup_key", name="uq_webhook_deliveries_endpoint_id_dedup_key"),
        # The sweeper reads the pending rows that are due; the log reads an endpoint's newest first.
        Index("ix_webhook_deliveries_status_next_attempt_at", "status", "next_attempt_at"),
        Index("ix_webhook_deliveries_endpoint_id_created_at", "endpoint_id", "created_at"),
    )

    endpoint_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("webhook_endpoints.id", ondelete="CASCADE"))
    workspace_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    event: Mapped[str] = mapped_column(String(64))
    dedup_key: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[DeliveryStatus] = mapped_column(
        enum_type(DeliveryStatus, "webhook_delivery_status"), default=DeliveryStatus.PENDING
    )
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    # The attempt count at which it gives up: the setting, or one more after a manual retry.
    max_attempts: Mapped[int] = mapped_column(Integer)
    # When the next attempt is due; while one runs, when it is taken to have been lost.
    next_attempt_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    last_status_code: Mapped[int | None] = mapped_column(Integer)
    # Why the last attempt failed, as a code: status (not 2xx), timeout, unreachable, refused_url,
    # secret_unreadable, interrupted (the last attempt was lost with its worker).
    last_error: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    delivered_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
