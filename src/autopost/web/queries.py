"""Read-only queries behind the pages: always scoped to the viewer's workspace."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from autopost.clips.models import Clip
from autopost.clips.queries import list_clips, owned_clip
from autopost.connections.models import Connection
from autopost.platforms.catalog import Platform
from autopost.publications.models import HISTORY_ORDER, Publication, PublicationStatus
from autopost.stats.models import StatsSnapshot
from autopost.web.views import ClipCard, PublicationView, publication_view
from autopost.workspaces.access import Member

# Enough points for a trend in a 120 px sparkline; older snapshots add nothing visible.
SERIES_POINTS = 30


class Tab(StrEnum):
    SCHEDULED = "scheduled"
    HISTORY = "history"


TAB_STATUSES: dict[Tab, tuple[PublicationStatus, ...]] = {
    Tab.SCHEDULED: (
        PublicationStatus.AWAITING_APPROVAL,
        PublicationStatus.SCHEDULED,
        PublicationStatus.PUBLISHING,
    ),
    Tab.HISTORY: (PublicationStatus.PUBLISHED, PublicationStatus.FAILED, PublicationStatus.CANCELLED),
}


async def connections_by_id(
    session: AsyncSession, member: Member, ids: Collection[uuid.UUID]
) -> dict[uuid.UUID, Connection]:
    """Connections by id, disconnected ones included: their past publications still name them."""
    if not ids:
        return {}
    rows = await session.scalars(
        select(Connection).where(Connection.workspace_id == member.workspace_id, Connection.id.in_(set(ids)))
    )
    return {c.id: c for c in rows}


async def view_series(
    session: AsyncSession, publication_ids: Collection[uuid.UUID]
) -> dict[uuid.UUID, list[int]]:
    """Views over time per publication, oldest first, the last SERIES_POINTS snapshots."""
    if not publication_ids:
        return {}
    rows = await session.execute(
        select(StatsSnapshot.publication_id, StatsSnapshot.views)
        .where(StatsSnapshot.publication_id.in_(set(publication_ids)), StatsSnapshot.views.is_not(None))
        .order_by(StatsSnapshot.publication_id, StatsSnapshot.taken_at)
    )
    series: dict[uuid.UUID, list[int]] = defaultdict(list)
    for publication_id, views in rows:
        if views is not None:
            series[publication_id].append(int(views))
    return {key: values[-SERIES_POINTS:] for key, values in series.items()}


async def _views(
    session: AsyncSession,
    member: Member,
    publications: Sequence[Publication],
    now: datetime,
    clips: dict[uuid.UUID, Clip] | None = None,
) -> list[PublicationView]:
    connections = await connections_by_id(session, member, {p.connection_id for p in publications})
    series = await view_series(
        session, [p.id for p in publications if p.status is PublicationStatus.PUBLISHED]
    )
    return [
        publication_view(
            p,
            connections.get(p.connection_id),
            now,
            clip=(clips or {}).get(p.clip_id),
            series=series.get(p.id),
        )
        for p in publications
    ]


async def _cards(
    session: AsyncSession, member: Member, clips: Sequence[Clip], now: datetime
) -> list[ClipCard]:
    if not clips:
        return []
    rows = await session.scalars(
        select(Publication)
        .where(
            Publication.workspace_id == member.workspace_id, Publication.clip_id.in_([c.id for c in clips])
        )
        .order_by(Publication.created_at.desc())
    )
    # One row per account: the latest publication of this clip there (older ones are history).
    latest: dict[tuple[uuid.UUID, uuid.UUID], Publication] = {}
    for publication in rows:
        latest.setdefault((publication.clip_id, publication.connection_id), publication)
    views = await _views(session, member, list(latest.values()), now)
    by_clip: dict[uuid.UUID, list[PublicationView]] = defaultdict(list)
    for view in views:
        by_clip[view.publication.clip_id].append(view)
    for rows_of_clip in by_clip.values():
        rows_of_clip.sort(
            key=lambda v: (v.publication.platform.value, v.account_name, v.publication.created_at)
        )
    return [ClipCard(clip=clip, rows=by_clip.get(clip.id, [])) for clip in clips]


async def clip_cards(
    session: AsyncSession, member: Member, now: datetime, *, limit: int, offset: int
) -> list[ClipCard]:
    return await _cards(session, member, await list_clips(session, member, limit, offset), now)


async def clip_card(session: AsyncSession, member: Member, clip_id: uuid.UUID, now: datetime) -> ClipCard:
    """The clip's card; not_found for someone else's clip."""
    clip = await owned_clip(session, member, clip_id)
    [card] = await _cards(session, member, [clip], now)
    return card


@dataclass(frozen=True)
class PublicationFilter:
    tab: Tab = Tab.SCHEDULED
    platform: Platform | None = None
    status: PublicationStatus | None = None


def _filtered(member: Member, chosen: PublicationFilter) -> Select[Publication]:
    statuses = TAB_STATUSES[chosen.tab]
    if chosen.status in statuses:
        statuses = (chosen.status,)
    query = select(Publication).where(
        Publication.workspace_id == member.workspace_id, Publication.status.in_(statuses)
    )
    if chosen.platform:
        query = query.where(Publication.platform == chosen.platform)
    if chosen.tab is Tab.SCHEDULED:
        # Soonest first; "now" (no time) before any time.
        return query.order_by(
            Publication.scheduled_at.is_not(None), Publication.scheduled_at, Publication.created_at
        )
    return query.order_by(HISTORY_ORDER.desc())


async def publication_rows(
    session: AsyncSession,
    member: Member,
    chosen: PublicationFilter,
    now: datetime,
    *,
    limit: int,
    offset: int,
) -> tuple[list[PublicationView], bool]:
    """One page of the publications table, and whether another page follows."""
    found = list(await session.scalars(_filtered(member, chosen).limit(limit + 1).offset(offset)))
    page = found[:limit]
    clips = await _clips_by_id(session, member, {p.clip_id for p in page})
    return await _views(session, member, page, now, clips), len(found) > limit


async def publication_row(
    session: AsyncSession, member: Member, publication: Publication, now: datetime
) -> PublicationView:
    clips = await _clips_by_id(session, member, {publication.clip_id})
    [view] = await _views(session, member, [publication], now, clips)
    return view


async def _clips_by_id(
    session: AsyncSession, member: Member, ids: Collection[uuid.UUID]
) -> dict[uuid.UUID, Clip]:
    if not ids:
        return {}
    rows = await session.scalars(
        select(Clip).where(Clip.workspace_id == member.workspace_id, Clip.id.in_(set(ids)))
    )
    return {c.id: c for c in rows}
