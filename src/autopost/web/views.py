"""What the pages show about clips and publications, decided in Python so templates stay plain."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from autopost.clips.models import Clip, ClipStatus
from autopost.connections.models import Connection
from autopost.platforms.catalog import Platform
from autopost.publications.models import WAITING_STATUSES, Phase, Publication, PublicationStatus

# A publication scheduled closer than this is about to fire: its card starts polling.
LIVE_WINDOW = timedelta(minutes=5)


class Badge(StrEnum):
    """The status badge, the same words everywhere (ui.md)."""

    AWAITING_APPROVAL = "awaiting_approval"
    SCHEDULED = "scheduled"
    QUEUED = "queued"
    RETRYING = "retrying"
    PUBLISHING = "publishing"
    PROCESSING = "processing"
    PUBLISHED = "published"
    FAILED = "failed"
    CANCELLED = "cancelled"


class StatsState(StrEnum):
    SHOWN = "shown"
    PENDING = "pending"  # published, counters not fetched yet
    UNAVAILABLE = "unavailable"  # Telegram private channel: no public page to read
    NONE = "none"  # not published


def badge_of(publication: Publication) -> Badge:
    status = publication.status
    if status is PublicationStatus.SCHEDULED:
        if publication.scheduled_at is None:
            return Badge.QUEUED
        return Badge.RETRYING if publication.error_code else Badge.SCHEDULED
    if status is PublicationStatus.PUBLISHING:
        return Badge.PROCESSING if publication.phase is Phase.PROCESSING else Badge.PUBLISHING
    return {
        PublicationStatus.AWAITING_APPROVAL: Badge.AWAITING_APPROVAL,
        PublicationStatus.PUBLISHED: Badge.PUBLISHED,
        PublicationStatus.FAILED: Badge.FAILED,
        PublicationStatus.CANCELLED: Badge.CANCELLED,
    }[status]


def is_live(publication: Publication, now: datetime) -> bool:
    """Publishing, or scheduled to fire within minutes: worth watching without a reload."""
    if publication.status is PublicationStatus.PUBLISHING:
        return True
    if publication.status is PublicationStatus.SCHEDULED:
        return publication.scheduled_at is None or publication.scheduled_at <= now + LIVE_WINDOW
    return False


def stats_state(publication: Publication, connection: Connection | None) -> StatsState:
    if publication.status is not PublicationStatus.PUBLISHED:
        return StatsState.NONE
    if publication.platform is Platform.TELEGRAM and not (connection and _public_channel(connection)):
        return StatsState.UNAVAILABLE
    if publication.views is None and publication.likes is None:
        return StatsState.PENDING
    return StatsState.SHOWN


def _public_channel(connection: Connection) -> bool:
    meta = connection.meta or {}
    if "channel_username" in meta:
        return bool(meta["channel_username"])
    return str(meta.get("channel", "")).startswith("@")


@dataclass
class PublicationView:
    publication: Publication
    connection: Connection | None
    clip: Clip | None
    badge: Badge
    live: bool
    stats: StatsState
    series: list[int] = field(default_factory=list)

    @property
    def account_name(self) -> str:
        return self.connection.shown_name if self.connection else ""

    @property
    def can_cancel(self) -> bool:
        return self.publication.status in WAITING_STATUSES

    @property
    def can_reschedule(self) -> bool:
        awaiting_at_a_time = self.badge is Badge.AWAITING_APPROVAL and self.publication.scheduled_at
        return self.badge is Badge.SCHEDULED or bool(awaiting_at_a_time)

    @property
    def can_decide(self) -> bool:
        """Approve or reject (for a member whose role may)."""
        return self.badge is Badge.AWAITING_APPROVAL

    @property
    def can_retry(self) -> bool:
        return self.publication.status is PublicationStatus.FAILED


def publication_view(
    publication: Publication,
    connection: Connection | None,
    now: datetime,
    *,
    clip: Clip | None = None,
    series: list[int] | None = None,
) -> PublicationView:
    return PublicationView(
        publication=publication,
        connection=connection,
        clip=clip,
        badge=badge_of(publication),
        live=is_live(publication, now),
        stats=stats_state(publication, connection),
        series=series or [],
    )


@dataclass
class ClipCard:
    clip: Clip
    rows: list[PublicationView]

    @property
    def live(self) -> bool:
        return any(row.live for row in self.rows)

    @property
    def ready(self) -> bool:
        return self.clip.status is ClipStatus.READY
