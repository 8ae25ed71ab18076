"""Publications (one clip to one connection), their events and stats snapshots."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from autopost.db import Base, IdMixin, TimestampMixin, UtcDateTime, enum_type, utcnow
from autopost.i18n import render
from autopost.platforms.catalog import Platform, PostFormat


class PublicationStatus(StrEnum):
    # An editor's publication in a workspace that approves: it never fires until an approver says so.
    AWAITING_APPROVAL = "awaiting_approval"
    SCHEDULED = "scheduled"
    PUBLISHING = "publishing"
    PUBLISHED = "published"
    FAILED = "failed"
    CANCELLED = "cancelled"


class Phase(StrEnum):
    QUEUED = "queued"
    UPLOADING = "uploading"
    PROCESSING = "processing"
    DONE = "done"


# Not started yet: cancel, reschedule and disconnect act on these alike.
WAITING_STATUSES = (PublicationStatus.AWAITING_APPROVAL, PublicationStatus.SCHEDULED)
LIVE_STATUSES = (*WAITING_STATUSES, PublicationStatus.PUBLISHING)
TAKEN_STATUSES = (*LIVE_STATUSES, PublicationStatus.PUBLISHED)
# Kept in step with migration 0011, which writes the same conditions.
_LIVE_SQL = text("status IN ('awaiting_approval', 'scheduled', 'publishing')")
# A generation is taken while its publication is live or published (a failed one may be retried).
_TAKEN_SQL = text("status IN ('awaiting_approval', 'scheduled', 'publishing', 'published')")


class Publication(IdMixin, TimestampMixin, Base):
    __tablename__ = "publications"
    __table_args__ = (
        # Two live publications of one clip to one account would post it twice.
        Index(
            "uq_publications_live_clip_connection",
            "clip_id",
            "connection_id",
            unique=True,
            postgresql_where=_LIVE_SQL,
            sqlite_where=_LIVE_SQL,
        ),
        # One publication per clip, account and generation: "publish again" is the next generation.
        Index(
            "uq_publications_clip_connection_generation",
            "clip_id",
            "connection_id",
            "generation",
            unique=True,
            postgresql_where=_TAKEN_SQL,
            sqlite_where=_TAKEN_SQL,
        ),
        Index("ix_publications_status_scheduled_at", "status", "scheduled_at"),
        # A workspace's stats over a period start from its publications published around it.
        Index("ix_publications_workspace_published", "workspace_id", "published_at"),
        # Migration 0019 (bench/scale.py, docs/operations.md "Scale"): the lists of a workspace of
        # ~33k publications a year read one page in their own order, never sort the workspace.
        # The API list and a clip's cards, newest first.
        Index("ix_publications_workspace_created", "workspace_id", "created_at"),
        # The Scheduled tab: the workspace's waiting and publishing ones, soonest first.
        Index("ix_publications_workspace_status_scheduled", "workspace_id", "status", "scheduled_at"),
        # The stats-scheduling pass: the published ones of the last 30 days, across workspaces.
        Index("ix_publications_status_published", "status", "published_at"),
    )

    workspace_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("workspaces.id", ondelete="CASCADE"), index=True
    )
    # Who made it (approval will ask whose it is); the publication stays the workspace's if they leave.
    created_by_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    clip_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("clips.id", ondelete="CASCADE"), index=True)
    connection_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("connections.id", ondelete="CASCADE"), index=True
    )
    platform: Mapped[Platform] = mapped_column(enum_type(Platform, "platform"))
    # The series it was planned in, if any (stats total per series); the publication outlives it.
    series_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("series.id", ondelete="SET NULL"), index=True
    )
    generation: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    status: Mapped[PublicationStatus] = mapped_column(
        enum_type(PublicationStatus, "publication_status"), default=PublicationStatus.SCHEDULED
    )
    phase: Mapped[Phase] = mapped_column(enum_type(Phase, "publication_phase"), default=Phase.QUEUED)
    progress: Mapped[int] = mapped_column(Integer, default=0)
    scheduled_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    title: Mapped[str] = mapped_column(String(500), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    remote_id: Mapped[str | None] = mapped_column(String(200))
    remote_url: Mapped[str | None] = mapped_column(Text)
    # What it became where a platform has several kinds of post: VK «Clip» or «Video».
    format: Mapped[PostFormat | None] = mapped_column(enum_type(PostFormat, "post_format"))
    # What the platform already holds (e.g. an uploaded video id), so a retry resumes, never reposts.
    checkpoint: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # Why it failed (or why the next attempt waits): a code and its message's parameters, rendered
    # per reader (autopost.i18n.render); never a sentence.
    error_code: Mapped[str | None] = mapped_column(String(64))
    error_params: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    published_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    views: Mapped[int | None] = mapped_column(BigInteger)
    likes: Mapped[int | None] = mapped_column(BigInteger)
    shares: Mapped[int | None] = mapped_column(BigInteger)
    comments: Mapped[int | None] = mapped_column(BigInteger)
    last_stats_sync_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


# The History tab's order (newest out first): an expression index, declared once the columns exist.
HISTORY_ORDER = func.coalesce(Publication.published_at, Publication.updated_at)
Index("ix_publications_workspace_history", Publication.workspace_id, HISTORY_ORDER)


def publication_error(publication: Publication, lang: str) -> str | None:
    """Why the publication failed (or waits for another attempt), in the reader's language."""
    if publication.error_code is None:
        return None
    return render(publication.error_code, lang, **(publication.error_params or {}))


class PublicationEvent(IdMixin, Base):
    """One step in a publication's history: its kind and parameters (the text is rendered per reader)."""

    __tablename__ = "publication_events"
    __table_args__ = (Index("ix_publication_events_publication_created", "publication_id", "created_at"),)

    publication_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("publications.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    kind: Mapped[str] = mapped_column(String(40))
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class IdempotencyKey(IdMixin, Base):
    """A publish request's Idempotency-Key and the publications it produced."""

    __tablename__ = "idempotency_keys"
    __table_args__ = (UniqueConstraint("workspace_id", "key", name="uq_idempotency_keys_workspace_key"),)

    workspace_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(200))
    request_hash: Mapped[str] = mapped_column(String(64))
    publication_ids: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
