"""Stats of clips the engine published, collected by the worker's stats jobs, one platform failing."""

from __future__ import annotations

from autopost.platforms.catalog import Platform
from autopost.publications.models import PublicationStatus
from autopost.stats.tasks import schedule_stats
from tests.stats.support import publications, snapshots, synced
from tests.support.stack import Stack

PLATFORMS = (Platform.VK, Platform.TELEGRAM, Platform.DZEN)


async def test_published_clips_get_their_counters_while_another_platform_fails(stats_stack: Stack) -> None:
    stack = stats_stack
    connections = {platform: await stack.connect(platform) for platform in PLATFORMS}
    await stack.start_worker(periodic=False)  # stats passes are started by the test alone
    ids = dict(zip(PLATFORMS, await stack.publish(*connections.values()), strict=True))
    for publication_id in ids.values():
        assert (await stack.wait_for(publication_id)).status is PublicationStatus.PUBLISHED
    await stack.control("/clock", {"advance": 600})  # the audience grows on the sandbox's clock
    await stack.fault(Platform.VK, "server_error", rate=1.0, on="video.get")

    assert await schedule_stats(stack.runtime) == 3
    counted = await synced(stack, [ids[Platform.TELEGRAM], ids[Platform.DZEN]])

    [vk] = await publications(stack, [ids[Platform.VK]])
    assert vk.last_stats_sync_at is None and vk.views is None
    [vk_fault] = (await stack.sandbox_state())["faults"]
    assert vk_fault["hits"] >= 1  # VK was asked, and failed
    taken = await snapshots(stack)
    assert sorted(taken) == sorted(p.id for p in counted)
    for publication in counted:
        assert publication.views is not None and publication.views > 0, publication.platform
        [snapshot] = taken[publication.id]
        assert snapshot.views == publication.views
        assert snapshot.taken_at == publication.last_stats_sync_at
