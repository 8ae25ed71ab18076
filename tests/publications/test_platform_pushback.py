"""When a platform pushes back: a 429 pauses the platform's queue, an expired token is refreshed once.

Real providers against the sandbox; the sandbox's VK ID spends refresh tokens single-use,
so a refresh made twice at once would fail one of them and the connection would need a reconnect.
"""

from __future__ import annotations

import asyncio

import redis.asyncio as aioredis

from autopost.connections.models import ConnectionStatus
from autopost.connections.tokens import open_access_token, open_refresh_token
from autopost.platforms.catalog import Platform
from autopost.publications.models import PublicationStatus
from autopost.queue import publish_queue_name
from autopost.settings import VkSettings
from tests.publications.checks import assert_published_once
from tests.support.stack import Stack, StackFactory

# What queue.rateLimit writes into the limiter key (BullMQ's Number.MAX_SAFE_INTEGER).
RATE_LIMITED_MARK = 2**53 - 1
# The sandbox VK ID's access tokens live an hour: this puts every token issued so far past expiry.
PAST_EXPIRY = 3700


async def test_a_429_pauses_the_platform_queue_without_using_an_attempt(stack: Stack) -> None:
    telegram = await stack.connect(Platform.TELEGRAM)
    await stack.fault(Platform.TELEGRAM, "rate_limit", on="sendVideo", count=1, retry_after=1)
    limiter = f"{stack.settings.redis_namespace}:{publish_queue_name(Platform.TELEGRAM)}:limiter"
    pauses: list[int] = []
    done = asyncio.Event()

    async def watch_limiter() -> None:
        # Its own client, stopped by a flag: a Redis read cancelled midway can hang redis-py's connection.
        async with aioredis.Redis.from_url(stack.redis_url) as client:
            while not done.is_set():
                async with client.pipeline(transaction=True) as both:
                    value, ttl = await both.get(limiter).pttl(limiter).execute()
                if int(value or 0) == RATE_LIMITED_MARK:
                    pauses.append(ttl)
                await asyncio.sleep(0.01)

    watcher = asyncio.create_task(watch_limiter())
    try:
        await stack.start_worker()
        [publication_id] = await stack.publish(telegram)
        publication = await stack.wait_for(publication_id)
    finally:
        done.set()
        await watcher

    await assert_published_once(stack, publication)
    assert publication.attempts == 1
    events = await stack.events(publication_id)
    assert [e.kind for e in events].count("started") == 1
    [rate_limited] = [e for e in events if e.kind == "rate_limited"]
    assert rate_limited.data == {"retry_after": 1.0}
    # The whole Telegram queue was paused for retry_after (1000 ms), not just this job delayed.
    assert pauses and [ttl for ttl in pauses if not 0 <= ttl <= 1000] == []
    assert (await stack.sandbox_state())["faults"] == []
    assert len(await stack.posts()) == 1


async def test_telegrams_overload_429_holds_the_publication_a_minute_and_it_posts_once(stack: Stack) -> None:
    telegram = await stack.connect(Platform.TELEGRAM)
    await stack.fault(Platform.TELEGRAM, "overloaded", on="sendVideo", count=1)
    queue = stack.runtime.queues.publish(Platform.TELEGRAM)
    limiter = f"{stack.settings.redis_namespace}:{publish_queue_name(Platform.TELEGRAM)}:limiter"
    await stack.start_worker()
    [publication_id] = await stack.publish(telegram)

    # The event is written before the queue is paused and the job delayed: wait for all three.
    for _ in range(400):
        if await stack.runtime.queues.job_state(publication_id, Platform.TELEGRAM) == "delayed":
            break
        await asyncio.sleep(0.05)
    [rate_limited] = [e for e in await stack.events(publication_id) if e.kind == "rate_limited"]
    assert rate_limited.data == {"retry_after": 60.0}
    async with aioredis.Redis.from_url(stack.redis_url) as client:
        ttl = await client.pttl(limiter)
        # Waiting: the queue is paused for Telegram's minute, the job is delayed past it, nothing posted.
        assert 50_000 < ttl <= 60_000
        assert (await stack.publication(publication_id)).status is PublicationStatus.PUBLISHING
        assert await stack.posts() == []
        # Let the minute pass: the pause ends and the delayed job is due.
        await client.delete(limiter)
    await queue.promoteJobs()

    publication = await stack.wait_for(publication_id)
    await assert_published_once(stack, publication)
    assert publication.attempts == 1
    assert len(await stack.posts()) == 1
    assert (await stack.event_kinds(publication_id)).count("started") == 1


async def test_an_expired_vk_token_is_refreshed_once_and_the_publication_goes_on(stack: Stack) -> None:
    vk = await stack.connect_vk_id()
    first_access = open_access_token(vk, stack.runtime.vault)
    first_refresh = open_refresh_token(vk, stack.runtime.vault)
    await stack.control("/clock", {"advance": PAST_EXPIRY})
    await stack.start_worker()
    [publication_id] = await stack.publish(vk)

    publication = await stack.wait_for(publication_id)
    post = await assert_published_once(stack, publication)
    assert post["owner"] == "1001" and publication.attempts == 1
    assert len(await stack.posts()) == 1
    assert [call.ok for call in stack.calls_of("refresh")] == [True]
    # The first call met the expired token; the rest (with the new one, and any processing polls) went through.
    first, *rest = [call.ok for call in stack.calls_of("publish")]
    assert first is False and rest and all(rest)
    assert (await stack.event_kinds(publication_id)).count("token_refreshed") == 1
    connection = await stack.connection(vk.id)
    assert connection.status is ConnectionStatus.ACTIVE and connection.last_error_code is None
    assert open_access_token(connection, stack.runtime.vault) not in (None, first_access)
    assert open_refresh_token(connection, stack.runtime.vault) not in (None, first_refresh)


async def test_two_workers_never_refresh_one_connection_at_once(
    stack_factory: StackFactory, stack_clip_file
) -> None:
    # VK's queue limiter lets every job start at once, so both workers meet the expired token together.
    stack = await stack_factory(vk=VkSettings(rate_per_second=50))
    await stack.control("/config", {"enforce_rate_limits": False})
    vk = await stack.connect_vk_id()
    clips = [stack.clip] + [await stack.add_clip(stack_clip_file) for _ in range(5)]
    await stack.control("/clock", {"advance": PAST_EXPIRY})
    ids = [(await stack.publish(vk, clip=clip, title=f"Клип {n}"))[0] for n, clip in enumerate(clips)]
    # Two workers as two processes would have them: separate runtimes (database pools, Redis
    # clients, providers), each taking half the jobs at a time.
    for runtime in (stack.runtime, stack.new_runtime()):
        await stack.start_worker(runtime, platforms=[Platform.VK], concurrency=len(ids) // 2, periodic=False)

    publications = [await stack.wait_for(publication_id) for publication_id in ids]
    assert [p.status for p in publications] == [PublicationStatus.PUBLISHED] * len(ids)
    posts = await stack.posts(Platform.VK)
    assert sorted(p["remote_id"] for p in posts) == sorted(str(p.remote_id) for p in publications)
    assert {p["sha256"] for p in posts} == {stack.clip.sha256}
    assert {call.runtime for call in stack.calls_of("publish")} == {0, 1}
    # One refresh for the connection; everyone else waited on the lock and took the new token.
    assert [call.ok for call in stack.calls_of("refresh")] == [True]
    assert (await stack.connection(vk.id)).status is ConnectionStatus.ACTIVE
    assert [p.attempts for p in publications] == [1] * len(ids)
    for publication_id in ids:
        kinds = await stack.event_kinds(publication_id)
        assert kinds.count("started") == 1 and kinds[-1] == "published" and "failed" not in kinds
