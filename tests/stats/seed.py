"""Rows as the engine and the stats collector leave them: clips, connections, publications, snapshots."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from autopost.clips.models import Clip, ClipStatus
from autopost.connections.models import Connection
from autopost.platforms.catalog import ConnectionKind, Platform
from autopost.publications.models import Phase, Publication, PublicationStatus
from autopost.series.models import Series
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

    async def series(self, start: str, clips: list[Clip]) -> Series:
        series = Series(
            workspace_id=self.workspace_id,
            spec={"start_date": start, "clip_ids": [str(clip.id) for clip in clips]},
        )
        self.session.add(series)
        await self.session.flush()
        return series

    async def published(
        self, clip: Clip, connection: Connection, at: datetime, series: Series | None = None
    ) -> Publication:
        publication = Publication(
            series_id=series.id if series else None,
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


def utc(day: int, hour: int, minute: int = 0, month: int = 12) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=UTC)


async def december(seed: Seed) -> None:
    """Three publications of two clips on VK and Telegram, read around 1-3 December 2026.

    In Moscow time, 1-3 December gain: 550 views, 2 likes, 5 shares on the 1st (one publication);
    40 views on the 2nd (one publication); 80 views and 8 likes on the 3rd; the 4th gains 300 views
    and 70 likes. Per platform VK 600 views, Telegram 70; per clip «Второй» 500, «Склейка» 170.
    """
    splice, second = await seed.clip("Склейка"), await seed.clip("Второй")
    vk, telegram = await seed.connection(Platform.VK), await seed.connection(Platform.TELEGRAM)

    before = await seed.published(splice, vk, utc(25, 10, month=11))
    await seed.snapshot(before, utc(30, 12, month=11), 100, likes=10)  # the baseline
    await seed.snapshot(before, utc(30, 22, month=11), 130, likes=10)  # 01:00 on 1 Dec in Moscow
    await seed.snapshot(before, utc(1, 15), 150, likes=12)
    await seed.snapshot(before, utc(2, 6), 145, likes=12)  # the platform recounted: no gain
    await seed.snapshot(before, utc(3, 10), 200, likes=20)
    await seed.snapshot(before, utc(3, 21, 30), 500, likes=90)  # 00:30 on 4 Dec: after the period

    channel = await seed.published(splice, telegram, utc(2, 8))
    await seed.snapshot(channel, utc(2, 12), 40)  # Telegram has views only
    await seed.snapshot(channel, utc(3, 12), 70)

    fresh = await seed.published(second, vk, utc(1, 9))
    await seed.snapshot(fresh, utc(1, 10), 500, shares=5)
