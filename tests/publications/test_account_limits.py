"""Per-account limits across workers: two workers posting for one VK token keep to its 3 calls a
second together, so the platform never has to refuse one (the sandbox counts every violation)."""

from __future__ import annotations

from autopost.platforms.catalog import Platform
from autopost.publications.models import PublicationStatus
from tests.publications.checks import assert_published_once
from tests.support.stack import StackFactory

CLIPS = 6


async def test_two_workers_one_token_and_the_platform_sees_no_violation(
    stack_factory: StackFactory, stack_clip_file
) -> None:
    stack = await stack_factory()
    vk = await stack.connect(Platform.VK)
    clips = [stack.clip] + [await stack.add_clip(stack_clip_file) for _ in range(CLIPS - 1)]
    # Two workers as two processes would have them: runtimes of their own, sharing only Redis.
    for runtime in (stack.runtime, stack.new_runtime()):
        await stack.start_worker(runtime, platforms=[Platform.VK], concurrency=CLIPS // 2, periodic=False)
    ids = [(await stack.publish(vk, clip=clip, title=f"Клип {n}"))[0] for n, clip in enumerate(clips)]

    done = [await stack.wait_for(publication_id) for publication_id in ids]

    assert {p.status for p in done} == {PublicationStatus.PUBLISHED}
    for publication in done:
        await assert_published_once(stack, publication)
        assert publication.attempts == 1
        assert "rate_limited" not in await stack.event_kinds(publication.id)
    # Both workers did share the work, and VK never had to say "too many requests".
    assert len({call.runtime for call in stack.calls_of("publish")}) == 2
    assert (await stack.sandbox_state())["rate_limit_violations"].get("vk", {}) == {}
