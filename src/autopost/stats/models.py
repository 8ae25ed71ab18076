"""Stats snapshots: the time series behind the charts."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Index
from sqlalchemy.orm import Mapped, mapped_column

from autopost.db import Base, IdMixin, UtcDateTime, utcnow


class StatsSnapshot(IdMixin, Base):
    __tablename__ = "stats_snapshots"
    __table_args__ = (
        # The time series of a publication, and on PostgreSQL its counters too: a stats period
        # reads each publication's readings from the index alone (an index-only scan).
        Index(
            "ix_stats_snapshots_publication_taken",
            "publication_id",
            "taken_at",
            postgresql_include=["views", "likes", "shares", "comments"],
        ),
    )

    publication_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("publications.id", ondelete="CASCADE"))
    taken_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    views: Mapped[int | None] = mapped_column(BigInteger)
    likes: Mapped[int | None] = mapped_column(BigInteger)
    shares: Mapped[int | None] = mapped_column(BigInteger)
    comments: Mapped[int | None] = mapped_column(BigInteger)
