"""Stats collection (autopost.stats.tasks) against the sandbox's VK over real HTTP, on each database.

What is due: published, with a remote id, published within 30 days, and never synced or synced
longer than AUTOPOST_STATS_REFRESH_HOURS ago. One job per connection; each asks the platform in
as few calls as it allows (VK: 200 ids a video.get), then stores every counter and snapshot at once.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from autopost.platforms.base import Credentials
from autopost.platforms.catalog import Platform
from autopost.platforms.errors import PlatformError
from autopost.platforms.registry import build_provider
from autopost.publications.models import PublicationStatus
from autopost.stats.tasks import collect_connection_stats, schedule_stats
from autopost_testing.demo import DEMO, connect_demo
from tests.conftest import Sandbox
from tests.stats.conftest import REFRESH_HOURS
from tests.stats.support import (
    add_publications,
    publications,
    snapshots,
    synced,
    video_get_batches,
    vk_videos,
    waiting_jobs,
)
from tests.support.stack import Stack

HOURS = timedelta(hours=1)
DAYS = timedelta(days=1)


async def test_due_publications_are_the_published_ones_of_30_days_not_refreshed_lately(
    stats_stack: Stack, sandbox: Sandbox
) -> None:
    stack = stats_stack
    vk = await stack.connect(Platform.VK)
    ids = vk_videos(sandbox, 8)
    due = [
        *await add_publications(stack, vk, [ids[0]]),  # never synced
        *await add_publications(
            stack, vk, [ids[1]], published_ago=2 * DAYS, synced_ago=(REFRESH_HOURS + 1) * HOURS
        ),
        *await add_publications(stack, vk, [ids[2]], published_ago=29 * DAYS),
    ]
    fresh = await add_publications(stack, vk, [ids[3]], published_ago=2 * DAYS, synced_ago=HOURS)
    too_old = await add_publications(stack, vk, [ids[4]], published_ago=31 * DAYS)
    failed = await add_publications(stack, vk, [ids[5]], status=PublicationStatus.FAILED)
    publishing = await add_publications(stack, vk, [ids[6]], status=PublicationStatus.PUBLISHING)
    no_remote_id = await add_publications(stack, vk, [None])
    skipped = [*fresh, *too_old, *failed, *publishing, *no_remote_id]
    before = {p.id: p.last_stats_sync_at for p in await publications(stack, skipped)}

    assert await schedule_stats(stack.runtime) == 1
    assert await waiting_jobs(stack) == [str(vk.id)]
    assert await collect_connection_stats(stack.runtime, vk.id) == 3

    [asked] = video_get_batches(stack)
    assert sorted(asked) == sorted(ids[:3])
    after = await publications(stack, due)
    assert all(p.last_stats_sync_at is not None and p.views == 0 for p in after)
    assert len({p.last_stats_sync_at for p in after}) == 1  # one bulk update
    assert {p.id: p.last_stats_sync_at for p in await publications(stack, skipped)} == before
    taken = await snapshots(stack)
    assert sorted(taken) == sorted(due)
    assert all(len(rows) == 1 and rows[0].views == 0 for rows in taken.values())


async def test_one_job_per_connection_and_one_call_per_batch_of_200(
    stats_stack: Stack, sandbox: Sandbox
) -> None:
    stack = stats_stack
    first = await stack.connect(Platform.VK)
    second = await connect_demo(stack.runtime, await stack.world.new_user(), Platform.VK)
    ids = vk_videos(sandbox, 208)
    first_ids, second_ids = ids[:205], ids[205:]
    due = [
        *await add_publications(stack, first, first_ids),
        *await add_publications(stack, second, second_ids),
    ]

    assert await schedule_stats(stack.runtime) == 2
    assert await waiting_jobs(stack) == sorted([str(first.id), str(second.id)])
    await stack.start_worker(periodic=False)
    await synced(stack, due)

    assert [call.ok for call in stack.calls_of("fetch_stats")] == [True, True]
    batches = video_get_batches(stack)
    assert sorted(len(batch) for batch in batches) == [3, 5, 200]
    assert sorted(i for batch in batches if set(batch) <= set(first_ids) for i in batch) == sorted(first_ids)
    assert [sorted(batch) for batch in batches if set(batch) <= set(second_ids)] == [sorted(second_ids)]
    assert len(await snapshots(stack)) == 208

    # A second pass right after finds nothing due and asks the platform nothing.
    assert await schedule_stats(stack.runtime) == 0
    assert await collect_connection_stats(stack.runtime, first.id) == 0
    assert await collect_connection_stats(stack.runtime, second.id) == 0
    assert len(video_get_batches(stack)) == 3
    assert len(stack.calls_of("fetch_stats")) == 2


async def test_counters_and_snapshots_are_what_the_platform_reports(
    stats_stack: Stack, sandbox: Sandbox
) -> None:
    stack = stats_stack
    vk = await stack.connect(Platform.VK)
    remote_ids = vk_videos(sandbox, 2, uploaded=True)
    due = await add_publications(stack, vk, remote_ids)
    await stack.control("/clock", {"advance": 3600})
    reader = build_provider(Platform.VK, stack.settings)
    credentials = Credentials(access_token=DEMO["vk_token"])
    try:
        low = await reader.fetch_stats(credentials=credentials, remote_ids=remote_ids)
        assert await collect_connection_stats(stack.runtime, vk.id) == 2
        high = await reader.fetch_stats(credentials=credentials, remote_ids=remote_ids)
    finally:
        await reader.aclose()

    taken = await snapshots(stack)
    for publication in await publications(stack, due):
        assert publication.remote_id is not None
        floor, ceiling = low[publication.remote_id], high[publication.remote_id]
        assert floor.views is not None and ceiling.views is not None and floor.views > 0
        assert publication.views is not None and floor.views <= publication.views <= ceiling.views
        [snapshot] = taken[publication.id]
        assert (snapshot.views, snapshot.likes, snapshot.shares, snapshot.comments) == (
            publication.views,
            publication.likes,
            publication.shares,
            publication.comments,
        )
        assert snapshot.taken_at == publication.last_stats_sync_at


async def test_a_refresh_adds_a_snapshot_and_moves_the_counters(stats_stack: Stack, sandbox: Sandbox) -> None:
    stack = stats_stack
    vk = await stack.connect(Platform.VK)
    [publication_id] = await add_publications(stack, vk, vk_videos(sandbox, 1, uploaded=True))
    await stack.control("/clock", {"advance": 3600})
    await collect_connection_stats(stack.runtime, vk.id)
    [earlier] = await publications(stack, [publication_id])
    # REFRESH_HOURS later (here: the last sync moved back) the publication is due again.
    await stack.control("/clock", {"advance": 3600})
    async with stack.work() as (session, _):
        row = await session.merge(earlier)
        assert row.last_stats_sync_at is not None
        row.last_stats_sync_at -= (REFRESH_HOURS + 1) * HOURS

    assert await schedule_stats(stack.runtime) == 1
    await collect_connection_stats(stack.runtime, vk.id)

    [later] = await publications(stack, [publication_id])
    assert earlier.views is not None and later.views is not None and later.views > earlier.views
    assert [s.views for s in (await snapshots(stack))[publication_id]] == [earlier.views, later.views]


async def test_a_platform_error_fails_that_connection_only(stats_stack: Stack, sandbox: Sandbox) -> None:
    stack = stats_stack
    vk = await stack.connect(Platform.VK)
    other = await connect_demo(stack.runtime, await stack.world.new_user(), Platform.VK)
    ids = vk_videos(sandbox, 4)
    failing = await add_publications(stack, vk, ids[:2])
    fine = await add_publications(stack, other, ids[2:])
    await stack.fault(Platform.VK, "server_error", count=1, on="video.get")

    with pytest.raises(PlatformError):
        await collect_connection_stats(stack.runtime, vk.id)
    assert await collect_connection_stats(stack.runtime, other.id) == 2

    assert all(p.last_stats_sync_at is None for p in await publications(stack, failing))
    assert all(p.last_stats_sync_at is not None for p in await publications(stack, fine))
    assert sorted(await snapshots(stack)) == sorted(fine)
    # Still due, so the next pass (or the job's retry) asks again.
    assert await schedule_stats(stack.runtime) == 1
    assert await waiting_jobs(stack) == [str(vk.id)]
