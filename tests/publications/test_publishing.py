"""Publishing through the real providers and the sandbox: now, scheduled, cancelled, moved, retried.

Each test checks both sides: the publication row (status, attempts, events) and
what the platform received (/_sandbox/state: one post, the clip's exact bytes).
"""

from __future__ import annotations

from autopost.platforms.catalog import Platform
from autopost.publications.models import PublicationStatus
from autopost.publications.tasks import EARLY_TOLERANCE
from tests.publications.checks import assert_published_once, milestones
from tests.support.stack import Stack, StackFactory, later

# Who each demo connection posts as, in /_sandbox/state (docs/platforms.md).
DEMO_OWNERS = {
    Platform.VK: "1001",
    Platform.TELEGRAM: "@clipmaker_demo",
    Platform.RUTUBE: "1000001",
}


async def test_publish_now_to_all_four_platforms_at_once(stack: Stack) -> None:
    connections = [await stack.connect(platform) for platform in Platform]
    await stack.start_worker()
    ids = await stack.publish(*connections)

    for publication_id, platform in zip(ids, Platform, strict=True):
        publication = await stack.wait_for(publication_id)
        assert publication.platform is platform
        post = await assert_published_once(stack, publication)
        assert post["owner"] == DEMO_OWNERS.get(platform, post["owner"])
        assert "Цветокоррекция за 60 секунд" in f"{post['title']} {post['caption']}"
        assert (publication.attempts, publication.progress) == (1, 100)
        kinds = await stack.event_kinds(publication_id)
        assert kinds[0] == "created" and kinds[-1] == "published"
        assert kinds.count("started") == 1 and "failed" not in kinds
    assert len(await stack.posts()) == 4


async def test_scheduled_publications_fire_at_their_time_unless_cancelled_or_moved(
    stack: Stack, stack_clip_file
) -> None:
    telegram = await stack.connect(Platform.TELEGRAM)
    clips = [stack.clip, await stack.add_clip(stack_clip_file), await stack.add_clip(stack_clip_file)]
    await stack.start_worker()
    first_time = later(1.2)
    [fired] = await stack.publish(telegram, clip=clips[0], at=first_time, title="В срок")
    [cancelled] = await stack.publish(telegram, clip=clips[1], at=first_time, title="Отменённый")
    [moved] = await stack.publish(telegram, clip=clips[2], at=first_time, title="Перенесённый")
    await stack.cancel(cancelled)
    new_time = later(2.4)
    await stack.reschedule(moved, new_time)
    assert await stack.runtime.queues.job_state(cancelled, Platform.TELEGRAM) == "unknown"

    first = await stack.wait_for(fired)
    assert first.published_at is not None and first.published_at >= first.scheduled_at - EARLY_TOLERANCE
    await assert_published_once(stack, first)
    assert first.attempts == 1
    last = await stack.wait_for(moved)
    assert last.attempts == 1
    # At the new time, not the first one (give or take the claim's early tolerance).
    assert last.published_at is not None and last.published_at >= new_time - EARLY_TOLERANCE
    assert (await assert_published_once(stack, last))["created_at"] >= (
        new_time - EARLY_TOLERANCE
    ).timestamp()
    assert await milestones(stack, moved) == [
        "scheduled",
        "rescheduled",
        "started",
        "published",
    ]

    # The moved one fired after the cancelled one's time, and the cancelled one never reached Telegram.
    assert (await stack.publication(cancelled)).status is PublicationStatus.CANCELLED
    assert await stack.event_kinds(cancelled) == ["scheduled", "cancelled"]
    captions = sorted(post["caption"].split("\n")[0] for post in await stack.posts())
    assert captions == ["В срок", "Перенесённый"]


async def test_failures_are_retried_on_the_schedule_then_by_the_user(stack_factory: StackFactory) -> None:
    stack = await stack_factory(retry_delays_seconds=[0.1, 0.2])
    telegram, vk = await stack.connect(Platform.TELEGRAM), await stack.connect(Platform.VK)
    # Telegram fails twice: the retry schedule gets it through. VK fails once more than the
    # schedule has room for: the publication fails, and the user's retry gets it through.
    give_up = len(stack.settings.retry_delays_seconds) + 1
    await stack.fault(Platform.TELEGRAM, "server_error", on="sendVideo", count=2)
    await stack.fault(Platform.VK, "server_error", on="video.save", count=give_up)
    await stack.start_worker()
    recovered_id, failed_id = await stack.publish(telegram, vk)

    recovered = await stack.wait_for(recovered_id)
    await assert_published_once(stack, recovered)
    assert recovered.attempts == 3 and recovered.error_code is None
    retries = [e for e in await stack.events(recovered_id) if e.kind == "retry_scheduled"]
    assert [e.data["code"] for e in retries] == ["telegram.unavailable"] * 2

    failed = await stack.wait_for(failed_id)
    assert failed.status is PublicationStatus.FAILED and failed.attempts == give_up
    assert failed.error_code == "attempts_exhausted"
    assert failed.error_params == {"platform": "vk", "attempts": give_up, "cause": "vk.internal_error"}
    assert await stack.posts(Platform.VK) == []
    assert (await stack.sandbox_state())["faults"] == []

    await stack.retry(failed_id)
    retried = await stack.wait_for(failed_id, lambda p: p.status is PublicationStatus.PUBLISHED)
    await assert_published_once(stack, retried)
    assert retried.attempts == 1
    kinds = await milestones(stack, failed_id)
    assert kinds.count("retry_scheduled") == give_up - 1
    assert kinds[kinds.index("failed") :] == ["failed", "retried", "started", "published"]
    assert len(await stack.posts()) == 2
