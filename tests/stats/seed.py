"""Rows as the engine and the stats collector leave them: clips, connections, publications, snapshots."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from autopost.clips.models import Clip, ClipStatus
from autopost.connections.models import Connection
from autopost.platforms.catalog import ConnectionKind, Platform
from autopost.publications.models import Phase, Publication, PublicationStatus
from autopost.stats.models import StatsSnapshot


@dataclass
class Seed:
    """One workspace's world of published clips, written into `session`."""

    session: AsyncSession
    workspace_id: uuid.UUID

    async def clip(self, title: str) -> Clip:
        clip = Clip(workspace_id=self.workspace_id, title=title, status=ClipStatus.READY)
        self.session.add(clip)
        await self.session.flush()
        return clip

    async def connection(self, platform: Platform) -> Connection:
        connection = Connection(
            workspace_id=self.workspace_id,
            platform=platform,
            kind=ConnectionKind.TOKEN,
            account_id=uuid.uuid4().hex[:8],
            account_name=f"{platform.value} demo",
        )
        self.session.add(connection)
        await self.session.flush()
        return connection

    async def published(self, clip: Clip, connection: Connection, at: datetime) -> Publication:
        publication = Publication(
            workspace_id=self.workspace_id,
            clip_id=clip.id,
            connection_id=connection.id,
            platform=connection.platform,
            status=PublicationStatus.PUBLISHED,
            phase=Phase.DONE,
            remote_id=uuid.uuid4().hex,
            published_at=at,
        )
        self.session.add(publication)
        await self.session.flush()
        return publication

    async def snapshot(
        self,
        publication: Publication,
        at: datetime,
        views: int,
        likes: int | None = None,
        shares: int | None = None,
        comments: int | None = None,
    ) -> None:
        self.session.add(
            StatsSnapshot(
                publication_id=publication.id,
                taken_at=at,
                views=views,
                likes=likes,
                shares=shares,
                comments=comments,
            )
        )
        await self.session.flush()
