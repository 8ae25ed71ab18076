"""A series (clips planned together, so stats can total them) and an account's posting slots."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from autopost.db import Base, IdMixin, UtcDateTime, utcnow


class Series(IdMixin, Base):
    """One confirmed series plan; its publications point at it (publications.series_id)."""

    __tablename__ = "series"
    __table_args__ = (Index("ix_series_workspace_id_created_at", "workspace_id", "created_at"),)

    workspace_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    created_by_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    # What was asked (start date, cadence, times, skip dates), to show the series as planned.
    spec: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class PostingSlot(IdMixin, Base):
    """A weekly time an account posts at, in the workspace's time zone (e.g. Monday 18:00)."""

    __tablename__ = "posting_slots"
    __table_args__ = (
        UniqueConstraint("connection_id", "weekday", "minute", name="uq_posting_slots_connection_time"),
    )

    workspace_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("workspaces.id", ondelete="CASCADE"), index=True
    )
    connection_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("connections.id", ondelete="CASCADE"))
    # 0 = Monday, as date.weekday() counts.
    weekday: Mapped[int] = mapped_column(Integer)
    # Minutes after local midnight: 18:00 is 1080.
    minute: Mapped[int] = mapped_column(Integer)
