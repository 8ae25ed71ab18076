"""The stats report from snapshots the collector took from the sandbox's VK, over real HTTP.

Two passes an hour apart append two snapshots; the period (the last two days in the workspace's
time zone) gains exactly the publication's latest counters, counted from zero, on each database.
"""

from __future__ import annotations

from autopost.db import utcnow
from autopost.platforms.catalog import Platform
from autopost.stats.period import last_days, zone_of
from autopost.stats.queries import GroupBy, Totals, stats_report
from autopost.stats.tasks import collect_connection_stats
from autopost.workspaces.access import resolve_member
from tests.conftest import Sandbox
from tests.stats.conftest import REFRESH_HOURS
from tests.stats.support import add_publications, publications, snapshots, vk_videos
from tests.stats.test_collection import HOURS
from tests.support.stack import Stack


async def test_the_report_gains_what_the_collected_snapshots_say(
    stats_stack: Stack, sandbox: Sandbox
) -> None:
    stack = stats_stack
    vk = await stack.connect(Platform.VK)
    [publication_id] = await add_publications(stack, vk, vk_videos(sandbox, 1, uploaded=True))
    await stack.control("/clock", {"advance": 3600})
    await collect_connection_stats(stack.runtime, vk.id)
    await stack.control("/clock", {"advance": 3600})
    async with stack.work() as (session, _):
        [row] = await publications(stack, [publication_id])
        row = await session.merge(row)
        assert row.last_stats_sync_at is not None
        row.last_stats_sync_at -= (REFRESH_HOURS + 1) * HOURS
    await collect_connection_stats(stack.runtime, vk.id)
    [latest] = await publications(stack, [publication_id])
    assert len((await snapshots(stack))[publication_id]) == 2
    assert latest.views and latest.views > 0

    async with stack.work() as (session, _):
        member = await resolve_member(session, await session.merge(stack.user), None)
        period = last_days(zone_of(member.workspace.time_zone), utcnow(), 2)
        by_day = await stats_report(session, member, period, GroupBy.DAY)
        by_platform = await stats_report(session, member, period, GroupBy.PLATFORM)
    gained = Totals(
        views=latest.views,
        likes=latest.likes or 0,
        shares=latest.shares or 0,
        comments=latest.comments or 0,
        publications=1,
    )
    assert by_day.totals == by_platform.totals == gained
    assert [(row.key, row.totals) for row in by_platform.rows] == [("vk", gained)]
