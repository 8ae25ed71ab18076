"""An alert is written in the transaction that made it happen, and fanned out after it commits."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from autopost.db import Base, IdMixin, UtcDateTime, utcnow


class AlertKind(StrEnum):
    """Event names; the webhook `X-Autopost-Event` header carries them as they are."""

    PUBLICATION_PUBLISHED = "publication.published"
    PUBLICATION_FAILED = "publication.failed"
    PUBLICATION_CANCELLED = "publication.cancelled"
    CONNECTION_NEEDS_RECONNECT = "connection.needs_reconnect"
    CONNECTION_EXPIRING = "connection.expiring"
    APPROVAL_REQUESTED = "approval.requested"
    APPROVAL_DECIDED = "approval.decided"


class Alert(IdMixin, Base):
    __tablename__ = "alerts"
    # The dispatch pass reads the undispatched ones oldest first.
    __table_args__ = (Index("ix_alerts_dispatched_at_created_at", "dispatched_at", "created_at"),)

    workspace_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("workspaces.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(64))
    # The publication or connection it is about.
    subject_id: Mapped[uuid.UUID | None] = mapped_column()
    # One happening, however often it was announced (a retry, a second worker, a re-run job):
    # deliveries are unique per dedup_key and recipient, so it reaches each one once.
    dedup_key: Mapped[str] = mapped_column(String(200), index=True)
    # What the messages say (codes and ids, never secrets): it goes out in webhook bodies as is.
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    dispatched_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
