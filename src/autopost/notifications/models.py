"""What each member wants to hear by which channel, their Telegram chat, and every delivery made."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, UniqueConstraint, true
from sqlalchemy.orm import Mapped, mapped_column

from autopost.db import Base, IdMixin, UtcDateTime, utcnow


class Channel(StrEnum):
    EMAIL = "email"
    TELEGRAM = "telegram"


class NotificationPreference(IdMixin, Base):
    """A member's channels in one workspace; no row means the defaults (both on)."""

    __tablename__ = "notification_preferences"
    __table_args__ = (
        UniqueConstraint("workspace_id", "user_id", name="uq_notification_preferences_workspace_user"),
    )

    workspace_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    email: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    # Telegram reaches the member only once their chat is linked (TelegramLink.chat_id).
    telegram: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())


class TelegramLink(IdMixin, Base):
    """A user's private chat with the notification bot, and the pending code that links it.

    The code travels in a t.me deep link (`?start=<code>`); only its SHA-256 is kept, it works
    once and until code_expires_at.
    """

    __tablename__ = "telegram_links"

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    chat_id: Mapped[str | None] = mapped_column(String(32))
    code_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    code_expires_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    linked_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


class NotificationDelivery(IdMixin, Base):
    """One message to one member by one channel about one happening (the alert's dedup_key).

    Unique per (dedup_key, user, channel): the same failure announced twice, or a dispatch
    pass run twice, plans no second message.
    """

    __tablename__ = "notification_deliveries"
    __table_args__ = (
        UniqueConstraint("dedup_key", "user_id", "channel", name="uq_notification_deliveries_once"),
        # The sweeper reads the unsent ones.
        Index("ix_notification_deliveries_sent_at_created_at", "sent_at", "created_at"),
    )

    alert_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("alerts.id", ondelete="CASCADE"), index=True)
    workspace_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("workspaces.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    channel: Mapped[str] = mapped_column(String(16))
    dedup_key: Mapped[str] = mapped_column(String(200))
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # What went wrong last time, for the operator: an error class and a short text, never a secret.
    last_error: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
