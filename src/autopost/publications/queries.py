"""Reading a workspace's publications, their history and their statistics."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from autopost.platforms.catalog import Platform
from autopost.publications.models import TAKEN_STATUSES, Publication, PublicationEvent, PublicationStatus
from autopost.stats.models import StatsSnapshot
from autopost.workspaces.access import Member


@dataclass(frozen=True)
class PublicationQuery:
    status: PublicationStatus | None = None
    platform: Platform | None = None
    clip_id: uuid.UUID | None = None
    limit: int = 50
    offset: int = 0


async def list_publications(
    session: AsyncSession, member: Member, asked: PublicationQuery
) -> list[Publication]:
    """Newest first, narrowed by whichever filters are set."""
    query = select(Publication).where(Publication.workspace_id == member.workspace_id)
    if asked.status:
        query = query.where(Publication.status == asked.status)
    if asked.platform:
        query = query.where(Publication.platform == asked.platform)
    if asked.clip_id:
        query = query.where(Publication.clip_id == asked.clip_id)
    rows = await session.scalars(
        query.order_by(Publication.created_at.desc()).limit(asked.limit).offset(asked.offset)
    )
    return list(rows)


async def events_of(session: AsyncSession, publication: Publication) -> list[PublicationEvent]:
    rows = await session.scalars(
        select(PublicationEvent)
        .where(PublicationEvent.publication_id == publication.id)
        .order_by(PublicationEvent.created_at)
    )
    return list(rows)


async def stats_of(session: AsyncSession, publication: Publication) -> list[StatsSnapshot]:
    rows = await session.scalars(
        select(StatsSnapshot)
        .where(StatsSnapshot.publication_id == publication.id)
        .order_by(StatsSnapshot.taken_at)
    )
    return list(rows)


async def taken_on(session: AsyncSession, member: Member, clip_id: uuid.UUID) -> dict[uuid.UUID, Publication]:
    """Where the clip is already published, scheduled or being published (going there again needs
    "again"): per account, its newest such publication."""
    found = await session.scalars(
        select(Publication)
        .where(
            Publication.workspace_id == member.workspace_id,
            Publication.clip_id == clip_id,
            Publication.status.in_(TAKEN_STATUSES),
        )
        .order_by(Publication.generation)
    )
    return {publication.connection_id: publication for publication in found}
