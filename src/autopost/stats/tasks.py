"""Stats collection: every publication younger than 30 days refreshed at least every 6 hours.

One job per connection gathers all its due publications, so a provider can ask
for many videos in one call (VK: 200 per video.get).
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import structlog
from sqlalchemy import select, update

from autopost.connections.models import Connection, ConnectionStatus
from autopost.connections.refresh import fresh_credentials
from autopost.db import transaction, utcnow
from autopost.platforms.base import StatsSupport
from autopost.platforms.errors import PlatformError
from autopost.publications.models import Publication, PublicationStatus
from autopost.runtime import Runtime
from autopost.stats.models import StatsSnapshot

log = structlog.get_logger(__name__)

TRACK_FOR = timedelta(days=30)


def _due(runtime: Runtime):  # type: ignore[no-untyped-def]
    now = utcnow()
    stale_before = now - timedelta(hours=runtime.settings.stats_refresh_hours)
    return (
        (Publication.status == PublicationStatus.PUBLISHED)
        & (Publication.published_at > now - TRACK_FOR)
        & (Publication.remote_id.is_not(None))
        & (Publication.last_stats_sync_at.is_(None) | (Publication.last_stats_sync_at < stale_before))
    )


async def schedule_stats(runtime: Runtime) -> int:
    """Enqueue one stats job per connection that has publications due for a refresh."""
    async with transaction(runtime.session_factory) as session:
        connection_ids = (
            await session.scalars(select(Publication.connection_id).where(_due(runtime)).distinct())
        ).all()
    window = int(utcnow().timestamp() // 600)
    for connection_id in connection_ids:
        await runtime.queues.enqueue_stats(connection_id, window)
    return len(connection_ids)


async def collect_connection_stats(runtime: Runtime, connection_id: uuid.UUID) -> int:
    """Fetch and store the counters of every due publication of one connection."""
    async with transaction(runtime.session_factory) as session:
        connection = await session.get(Connection, connection_id)
        if connection is None or connection.status is not ConnectionStatus.ACTIVE:
            return 0
        platform = connection.platform
        publications = (
            await session.scalars(
                select(Publication).where(Publication.connection_id == connection_id, _due(runtime))
            )
        ).all()
        by_remote = {p.remote_id: p.id for p in publications if p.remote_id}
    provider = runtime.provider(platform)
    if not by_remote or provider.capabilities.stats is StatsSupport.NONE:
        return 0
    try:
        credentials = await fresh_credentials(runtime, connection_id)
        counters = await provider.fetch_stats(credentials=credentials, remote_ids=sorted(by_remote))
    except PlatformError as exc:
        log.info("stats_failed", connection_id=str(connection_id), code=exc.code)
        raise
    now = utcnow()
    rows: list[dict[str, Any]] = []
    snapshots = []
    for remote_id, publication_id in by_remote.items():
        found = counters.get(remote_id)
        row: dict[str, Any] = {"id": publication_id, "last_stats_sync_at": now}
        if found is not None:
            row |= {
                "views": found.views,
                "likes": found.likes,
                "shares": found.shares,
                "comments": found.comments,
            }
            snapshots.append(
                StatsSnapshot(
                    publication_id=publication_id,
                    taken_at=now,
                    views=found.views,
                    likes=found.likes,
                    shares=found.shares,
                    comments=found.comments,
                )
            )
        rows.append(row)
    # One bulk UPDATE by primary key and one batched INSERT, not a round trip per publication.
    async with transaction(runtime.session_factory) as session:
        if rows:
            await session.execute(update(Publication), rows)
        session.add_all(snapshots)
    return len(counters)
